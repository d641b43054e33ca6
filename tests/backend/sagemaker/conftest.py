"""Fixtures of the SageMaker tests: a moto server on 127.0.0.1 (started and
stopped here) that every boto3 client reaches through ``AWS_ENDPOINT_URL``,
dummy credentials and region, and the platform that runs the jobs
(:mod:`fake_sagemaker`)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

pytest.importorskip("boto3")
pytest.importorskip("sagemaker")
moto_server = pytest.importorskip("moto.moto_server.threaded_moto_server")

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

REGION = "us-east-1"
ROLE = "arn:aws:iam::123456789012:role/SageMakerRole"
BUCKET = "st-sagemaker-tests"
JOB_CODE = HERE / "job_code"

AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_EC2_METADATA_DISABLED": "true",
    "SAGEMAKER_SUPPRESS_V2_WARNING": "1",
}


@pytest.fixture(scope="module")
def aws_endpoint():
    """A moto server on a free port of 127.0.0.1, and the environment that
    points boto3 (and so the SageMaker SDK) at it, restored afterwards."""
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    env = dict(AWS_ENV, AWS_ENDPOINT_URL=f"http://{host}:{port}")
    saved = {k: os.environ.get(k) for k in list(env) + ["AWS_PROFILE"]}
    os.environ.pop("AWS_PROFILE", None)
    os.environ.update(env)
    try:
        import boto3

        boto3.client("s3", region_name=REGION).create_bucket(Bucket=BUCKET)
        yield env["AWS_ENDPOINT_URL"]
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        server.stop()


@pytest.fixture
def platform(aws_endpoint, tmp_path, monkeypatch):
    """The stand-in SageMaker platform (runs the jobs created on moto)."""
    from fake_sagemaker import FakeSageMaker

    # the SDK's usage telemetry would try to reach the internet: not sent here
    monkeypatch.setattr("sagemaker.telemetry.telemetry_logging._requests_helper", lambda url, timeout: None)
    fake = FakeSageMaker(tmp_path / "platform", REGION)
    fake.install(monkeypatch)
    yield fake
    fake.shutdown()


def make_session():
    import boto3
    import sagemaker

    return sagemaker.Session(boto_session=boto3.Session(region_name=REGION), default_bucket=BUCKET)


def make_estimator(instance_type: str = "ml.c5.xlarge", instance_count: int = 1, **kwargs):
    """A real ``sagemaker.pytorch.PyTorch`` estimator of the test script."""
    from sagemaker.pytorch import PyTorch

    return PyTorch(
        entry_point="train_epochs.py",
        source_dir=str(JOB_CODE),
        role=kwargs.pop("role", ROLE),
        instance_type=instance_type,
        instance_count=instance_count,
        framework_version="2.2",
        py_version="py310",
        sagemaker_session=kwargs.pop("sagemaker_session", None) or make_session(),
        disable_profiler=True,
        **kwargs,
    )


def make_model_trainer(instance_type: str = "ml.m5.xlarge"):
    """A real ``sagemaker.modules.train.ModelTrainer`` of the test script."""
    from sagemaker.modules import Session
    from sagemaker.modules.configs import Compute, SourceCode
    from sagemaker.modules.train import ModelTrainer
    import boto3

    return ModelTrainer(
        training_image="763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.2-cpu-py310",
        source_code=SourceCode(source_dir=str(JOB_CODE), entry_script="train_epochs.py"),
        compute=Compute(instance_type=instance_type, instance_count=1),
        role=ROLE,
        sagemaker_session=Session(boto_session=boto3.Session(region_name=REGION), default_bucket=BUCKET),
        base_job_name="st-test",
    )
