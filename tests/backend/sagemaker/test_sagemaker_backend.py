"""The SageMaker backend against a local moto server, through the real boto3
and SageMaker SDK code paths (see ``fake_sagemaker`` for what plays the
platform, and where moto lacks an API)."""

from __future__ import annotations

import functools
import json
import re
import sys

import boto3
import pytest
from conftest import BUCKET, REGION, ROLE, make_estimator, make_model_trainer, make_session

from syne_tune.backend.sagemaker_backend import (
    MissingAWSCredentialsError,
    MissingAWSRegionError,
    MissingSageMakerRoleError,
    MissingSageMakerSDKError,
    SageMakerBackend,
    job_cost,
)
from syne_tune.backend.sagemaker_backend.aws import job_name
from syne_tune.stopping_criterion import StoppingCriterion
from syne_tune.testing.backend import BackendContract, fetch_until
from syne_tune.trial import Status
from syne_tune.tuning_status import TuningStatus
from syne_tune.utils.validation import InvalidParameterError

S3_PATH = f"s3://{BUCKET}/st-tests"
SAGEMAKER_NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")


def _backend(sdk_object, name: str, **kwargs) -> SageMakerBackend:
    backend = SageMakerBackend(sdk_object, s3_path=S3_PATH, **kwargs)
    backend.set_path("/unused", name)
    backend.time_keeper.start_of_time()
    return backend


# fetch, waiting up to 0.02 s for activity in between
_fetch_until = functools.partial(fetch_until, wait=0.02)


def _run_to_end(backend, trial_ids, timeout=60.0):
    return _fetch_until(
        backend, trial_ids, lambda _: all(backend.trial_status(t) not in ("InProgress", "Stopping") for t in trial_ids),
        timeout,
    )


def _config(epochs, fail_at=0, sleep=0.02):
    return {"epochs": epochs, "fail_at": fail_at, "sleep": sleep}


def _keys(prefix):
    s3 = boto3.client("s3", region_name=REGION)
    return {o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix=prefix).get("Contents", [])}


# -- the contract ------------------------------------------------------------------------
class TestSageMakerBackendContract(BackendContract):
    """The backend contract, each trial a job created through the real
    ``PyTorch.fit(wait=False)`` on the moto server."""

    num_short_trials = 8
    # a stopped job runs on until the platform has stopped it: its S3 checkpoint
    # may be some epochs past the result the pause was decided on
    # (test_pause_then_resume_from_the_s3_checkpoint checks what it holds)
    pause_is_asynchronous = True

    @pytest.fixture(autouse=True)
    def _platform(self, platform):
        self.platform = platform

    def make_backend(self, tmp_path):
        backend = SageMakerBackend(make_estimator(), s3_path=S3_PATH)
        backend.set_path(str(tmp_path), f"contract-{tmp_path.name[-20:]}")
        return backend

    def make_config(self, epochs, fail_at=None):
        return _config(epochs, fail_at or 0)


# -- job creation ------------------------------------------------------------------------
def test_estimator_job_creation_arguments_results_and_cost(platform):
    backend = _backend(make_estimator("ml.c5.xlarge", instance_count=2), "create-args", metrics_names=["loss"])
    backend.start_trial(_config(3))
    (job,) = backend.job_names(0)
    assert job == "create-args-0" and SAGEMAKER_NAME.match(job)
    desc = backend.sagemaker_client.describe_training_job(TrainingJobName=job)
    assert "pytorch-training:2.2" in desc["AlgorithmSpecification"]["TrainingImage"]
    assert desc["ResourceConfig"]["InstanceType"] == "ml.c5.xlarge"
    assert desc["ResourceConfig"]["InstanceCount"] == 2
    assert desc["RoleArn"] == ROLE
    hps = {k: json.loads(v) for k, v in desc["HyperParameters"].items()}
    assert hps["epochs"] == 3 and hps["fail_at"] == 0 and hps["sleep"] == 0.02
    assert hps["st_checkpoint_dir"] == "/opt/ml/checkpoints"
    assert hps["st_instance_type"] == "ml.c5.xlarge" and hps["st_instance_count"] == 2
    assert hps["sagemaker_program"] == "train_epochs.py"
    assert desc["CheckpointConfig"]["S3Uri"] == f"{S3_PATH}/create-args/0/checkpoints/" == backend.checkpoint_s3_uri(0)
    # the code went to S3 through the SDK
    assert hps["sagemaker_submit_directory"].startswith(f"s3://{BUCKET}/create-args-0/source/")
    assert desc["TrainingJobStatus"] == "InProgress"

    results = _run_to_end(backend, [0])
    assert [r["epoch"] for _, r in results] == [1, 2, 3]
    assert backend.trial_status(0) == Status.completed
    costs = [r["st_worker_cost"] for _, r in results]
    assert costs == sorted(costs) and costs[0] > 0
    billed = backend.trial_costs(0)
    seconds = platform.job(job).billable_time_in_seconds
    assert billed["billable_seconds"] == seconds
    assert billed["cost"] == pytest.approx(seconds / 3600 * 0.204 * 2)
    assert any("[tune-metric]:" in line for line in backend.stdout(0))


def test_model_trainer_jobs(platform):
    trainer = make_model_trainer("ml.m5.xlarge")
    backend = _backend(trainer, "trainer")
    backend.start_trial(_config(2))
    (job,) = backend.job_names(0)
    assert job.startswith("trainer-0-") and SAGEMAKER_NAME.match(job)  # the SDK appends its timestamp
    desc = backend.sagemaker_client.describe_training_job(TrainingJobName=job)
    assert desc["ResourceConfig"]["InstanceType"] == "ml.m5.xlarge"
    assert desc["HyperParameters"]["epochs"] == "2"
    assert desc["HyperParameters"]["st_checkpoint_dir"] == "/opt/ml/checkpoints"
    assert desc["CheckpointConfig"]["S3Uri"] == backend.checkpoint_s3_uri(0)
    results = _run_to_end(backend, [0])
    assert [r["epoch"] for _, r in results] == [1, 2]
    assert backend.trial_status(0) == Status.completed


def test_pause_then_resume_from_the_s3_checkpoint(platform):
    backend = _backend(make_estimator(), "pause-resume")
    backend.start_trial(_config(8, sleep=0.1))
    seen = _fetch_until(backend, [0], lambda r: len(r) >= 2)
    backend.pause_trial(0, seen[-1][1])
    platform.wait_idle()
    first = backend.job_names(0)[0]
    assert platform.job(first).training_job_status == "Stopped"
    assert "st-tests/pause-resume/0/checkpoints/state.json" in _keys("st-tests/pause-resume/0/")
    saved = json.loads(
        boto3.client("s3", region_name=REGION)
        .get_object(Bucket=BUCKET, Key="st-tests/pause-resume/0/checkpoints/state.json")["Body"]
        .read()
    )["epoch"]
    assert saved >= seen[-1][1]["epoch"]  # the job ran on a little after the pause decision
    backend.resume_trial(0)
    assert backend.job_names(0) == [first, "pause-resume-0-r1"]  # a resumed trial is a new job
    rest = _run_to_end(backend, [0])
    # continued from the checkpoint downloaded from S3, up to the end
    assert [r["epoch"] for _, r in rest] == list(range(saved + 1, 9))
    assert backend.trial_status(0) == Status.completed
    # the resumed job's costs start from the billed cost of the first job
    assert all(r["st_worker_cost"] >= backend.trial_costs(0)["jobs"][first][1] for _, r in rest)


def test_checkpoint_copied_for_a_trial_started_from_another(platform):
    backend = _backend(make_estimator(), "copy-ckpt", delete_checkpoints=False)
    backend.start_trial(_config(2))
    _run_to_end(backend, [0])
    backend.start_trial(_config(4), checkpoint_trial_id=0)  # PBT's exploit step
    results = _run_to_end(backend, [1])
    assert [r["epoch"] for _, r in results] == [3, 4]


def test_pass_args_as_json(platform):
    backend = _backend(make_estimator(), "json-args", pass_args_as_json=True)
    backend.start_trial(_config(2))
    (job,) = backend.job_names(0)
    hps = backend.sagemaker_client.describe_training_job(TrainingJobName=job)["HyperParameters"]
    assert "epochs" not in hps
    assert json.loads(hps["st_config_json_filename"]) == "/opt/ml/input/data/st_config/config.json"
    results = _run_to_end(backend, [0])
    assert [r["epoch"] for _, r in results] == [1, 2]


def test_job_that_fails_is_failed_with_its_reason(platform):
    backend = _backend(make_estimator(), "fails")
    backend.start_trial(_config(5, fail_at=2))
    results = _run_to_end(backend, [0])
    assert [r["epoch"] for _, r in results] == [1]
    assert backend.trial_status(0) == Status.failed
    assert "exited with code 3" in "".join(backend.stderr(0))


# -- cost ----------------------------------------------------------------------------------
def test_cost_from_billable_time_reaches_the_tuning_status_and_max_cost(platform):
    backend = _backend(make_estimator("ml.g4dn.xlarge"), "cost", instance_prices={"ml.g4dn.xlarge": 1.5})
    backend.start_trial(_config(6, sleep=0.1))
    seen = _fetch_until(backend, [0], lambda r: len(r) >= 1)
    first = backend.job_names(0)[0]
    platform.billable_seconds[first] = 7200  # two billed hours
    backend.pause_trial(0, seen[-1][1])
    platform.wait_idle()
    assert backend.trial_costs(0)["billable_seconds"] == 7200
    assert backend.trial_costs(0)["cost"] == pytest.approx(2 * 1.5)
    backend.resume_trial(0)
    second = backend.job_names(0)[1]
    platform.billable_seconds[second] = 3600
    rest = _run_to_end(backend, [0])
    status = TuningStatus(["loss"])
    status.update({}, [(0, r) for _, r in seen + rest])
    # every result of the resumed job includes the 2 billed hours of the first
    assert all(r["st_worker_cost"] >= 3.0 for _, r in rest)
    assert backend.trial_costs(0)["cost"] == pytest.approx(3 * 1.5)
    if rest[-1][1]["st_worker_cost"] == pytest.approx(4.5):
        assert status.cost == pytest.approx(4.5)  # the last result was read after the job ended
    assert status.cost >= 3.0
    assert StoppingCriterion(max_cost=2.5)(status) and not StoppingCriterion(max_cost=100.0)(status)


def test_job_cost_and_price_table():
    assert job_cost(3600, "ml.c5.xlarge") == pytest.approx(0.204)
    assert job_cost(1800, "ml.c5.xlarge", instance_count=4) == pytest.approx(0.408)
    assert job_cost(3600, "ml.c5.xlarge", prices={"ml.c5.xlarge": 2.0}) == 2.0
    assert job_cost(3600, "ml.unknown.type") is None


# -- retries -------------------------------------------------------------------------------
class _Raw:
    def __init__(self, body: bytes):
        self._body = body

    def stream(self, **kwargs):
        yield self._body


def test_throttling_is_retried_and_the_trial_goes_on(platform):
    """botocore's ``before-send`` event answers the first DescribeTrainingJob
    (and CreateTrainingJob) with a ThrottlingException, as SageMaker does when
    throttling: the retry configuration of the backend's client sends it again."""
    from botocore.awsrequest import AWSResponse

    backend = _backend(make_estimator(), "throttled", max_retry_attempts=4)
    throttled = []

    def throttle_once(request, **kwargs):
        operation = request.headers.get("X-Amz-Target", b"")
        operation = operation.decode() if isinstance(operation, bytes) else operation
        name = operation.rsplit(".", 1)[-1]
        if name in ("DescribeTrainingJob", "CreateTrainingJob") and name not in throttled:
            throttled.append(name)
            body = json.dumps({"__type": "ThrottlingException", "message": "Rate exceeded"}).encode()
            headers = {"x-amzn-RequestId": "test", "Content-Type": "application/x-amz-json-1.1"}
            return AWSResponse(request.url, 400, headers, _Raw(body))
        return None

    backend.sagemaker_client.meta.events.register("before-send.sagemaker", throttle_once)
    backend.start_trial(_config(2))
    results = _run_to_end(backend, [0])
    assert sorted(throttled) == ["CreateTrainingJob", "DescribeTrainingJob"]
    assert [r["epoch"] for _, r in results] == [1, 2]
    assert backend.trial_status(0) == Status.completed
    config = backend.sagemaker_client.meta.config.retries
    assert config["mode"] == "standard" and config["total_max_attempts"] == 4


# -- setup errors (before any job) ----------------------------------------------------------
def _no_job_created(prefix):
    client = boto3.client("sagemaker", region_name=REGION)
    return not [j for j in client.list_training_jobs()["TrainingJobSummaries"] if j["TrainingJobName"].startswith(prefix)]


def test_missing_sdk_is_named(platform, monkeypatch):
    estimator = make_estimator()
    monkeypatch.setitem(sys.modules, "sagemaker", None)
    with pytest.raises(MissingSageMakerSDKError, match=r'pip install "syne-tune\[aws\]"'):
        SageMakerBackend(estimator, s3_path=S3_PATH)
    monkeypatch.setitem(sys.modules, "boto3", None)
    with pytest.raises(ImportError, match="boto3"):
        SageMakerBackend(estimator, s3_path=S3_PATH)


def test_missing_credentials_is_named(platform, monkeypatch, tmp_path):
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    estimator = make_estimator(sagemaker_session=make_session())
    with pytest.raises(MissingAWSCredentialsError, match="AWS_ACCESS_KEY_ID"):
        SageMakerBackend(estimator, s3_path=S3_PATH)


def test_missing_region_is_named(platform, monkeypatch, tmp_path):
    estimator = make_estimator()
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    # the SDK refuses to build a session without region: this one lost it afterwards
    estimator.sagemaker_session.boto_session = boto3.Session()
    with pytest.raises(MissingAWSRegionError, match="AWS_DEFAULT_REGION"):
        SageMakerBackend(estimator, s3_path=S3_PATH)


def test_missing_role_is_named(platform):
    estimator = make_estimator()
    estimator.role = ""  # SDK 2.257 refuses to build an estimator without role: this one lost it afterwards
    with pytest.raises(MissingSageMakerRoleError, match="role="):
        SageMakerBackend(estimator, s3_path=S3_PATH)
    assert _no_job_created("role")


def test_bad_arguments_are_named(platform):
    with pytest.raises(InvalidParameterError, match="'sm_estimator' parameter of SageMakerBackend"):
        SageMakerBackend(object())
    with pytest.raises(InvalidParameterError, match="'retry_mode' parameter of SageMakerBackend"):
        SageMakerBackend(make_estimator(), retry_mode="legacy")
    with pytest.raises(ValueError, match="s3://bucket/prefix"):
        SageMakerBackend(make_estimator(), s3_path="my-bucket/x")


# -- job names -------------------------------------------------------------------------------
def test_job_names_follow_sagemaker_rules_and_are_unique():
    names = {job_name("my_tuner/sub-2024-01-01-00-00-00-000", t, a) for t in range(30) for a in range(3)}
    assert len(names) == 90 and all(SAGEMAKER_NAME.match(n) for n in names)
    long_a, long_b = "x" * 80 + "-a", "x" * 80 + "-b"
    assert job_name(long_a, 123, 4) != job_name(long_b, 123, 4)
    assert all(len(job_name(b, 123, 4)) <= 63 and SAGEMAKER_NAME.match(job_name(b, 123, 4)) for b in (long_a, long_b))
    assert len(job_name(long_a, 5, 0, max_length=48)) <= 48
    assert job_name("__", 0) == "st-0"
