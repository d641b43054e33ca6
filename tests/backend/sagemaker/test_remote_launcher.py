"""RemoteLauncher (Syne Tune 0.13's tuner convention, and the script mode)
and the S3 download helper against the local moto server; the tuner's job is
run for real by the stand-in platform of ``fake_sagemaker.py``."""

from __future__ import annotations

import json
import logging
import sys
import tarfile
from pathlib import Path

import boto3
import pytest
from conftest import BUCKET, REGION, ROLE, make_session

from syne_tune.backend.sagemaker_backend import MissingSageMakerRoleError, aws
from syne_tune.experiments import load_experiment
from syne_tune.experiments.s3 import download_experiment
from syne_tune.remote.remote_launcher import RemoteLauncher
from syne_tune.tuner import Tuner
from syne_tune.utils.validation import InvalidParameterError

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "core"))


def test_remote_script_job_creation_arguments(aws_endpoint, tmp_path, monkeypatch):
    monkeypatch.setattr("sagemaker.telemetry.telemetry_logging._requests_helper", lambda url, timeout: None)
    folder = tmp_path / "my_study"
    folder.mkdir()
    (folder / "launch_study.py").write_text("print('tuning')\n")
    (folder / "requirements.txt").write_text("dill\n")
    launcher = RemoteLauncher(
        entry_point=folder / "launch_study.py",
        role=ROLE,
        instance_type="ml.m5.2xlarge",
        arguments={"n_workers": 4, "method": "ASHA"},
        s3_path=f"s3://{BUCKET}/remote-tests",
        sagemaker_session=make_session(),
    )
    name = launcher.run(wait=False)
    assert name.startswith("launch-study-")
    sm = boto3.client("sagemaker", region_name=REGION)
    desc = sm.describe_training_job(TrainingJobName=name)
    assert desc["ResourceConfig"]["InstanceType"] == "ml.m5.2xlarge"
    assert desc["RoleArn"] == ROLE
    assert desc["CheckpointConfig"]["S3Uri"] == launcher.results_s3_uri == f"s3://{BUCKET}/remote-tests/{name}/"
    hps = {k: json.loads(v) for k, v in desc["HyperParameters"].items()}
    assert hps["n_workers"] == 4 and hps["method"] == "ASHA" and hps["sagemaker_program"] == "launch_study.py"
    # the code uploaded: the launcher's folder and this syne_tune package
    bucket, key = aws.split_s3_uri(hps["sagemaker_submit_directory"])
    tarball = tmp_path / "sourcedir.tar.gz"
    boto3.client("s3", region_name=REGION).download_file(bucket, key, str(tarball))
    with tarfile.open(tarball) as tar:
        names = set(tar.getnames())
    assert {"launch_study.py", "requirements.txt", "syne_tune/__init__.py", "syne_tune/tuner.py"} <= names
    assert "syne_tune/remote/remote_launcher.py" in names


def test_remote_launcher_needs_a_role(aws_endpoint, tmp_path):
    script = tmp_path / "launch.py"
    script.write_text("")
    with pytest.raises(MissingSageMakerRoleError):
        RemoteLauncher(entry_point=script, role=None, sagemaker_session=make_session())
    with pytest.raises(FileNotFoundError, match="not a file"):
        RemoteLauncher(entry_point=tmp_path / "missing.py", role=ROLE, sagemaker_session=make_session())


def _run_a_tuner(root: Path, monkeypatch) -> str:
    """A real (small) tuning run with the in-process test backend, stored under ``root``."""
    monkeypatch.setenv("SYNETUNE_FOLDER", str(root))
    from inprocess_backend import InProcessBackend

    from syne_tune import StoppingCriterion, Tuner
    from syne_tune.config_space import uniform
    from syne_tune.optimizer.baselines import RandomSearch

    def objective(config, epoch):
        return config["x"] / epoch

    tuner = Tuner(
        trial_backend=InProcessBackend(objective, max_epochs=3),
        scheduler=RandomSearch({"x": uniform(0, 1), "epochs": 3}, metric="loss", mode="min", random_seed=1),
        stop_criterion=StoppingCriterion(max_num_trials_finished=3),
        n_workers=1,
        sleep_time=0,
        tuner_name="remote-study",
    )
    tuner.run()
    monkeypatch.delenv("SYNETUNE_FOLDER")
    return tuner.name


def test_results_synced_to_s3_are_downloaded_and_loaded(aws_endpoint, tmp_path, monkeypatch):
    name = _run_a_tuner(tmp_path / "job", monkeypatch)  # what the job has in /opt/ml/checkpoints
    s3_uri = f"s3://{BUCKET}/remote-tests/job-1/"
    s3 = boto3.client("s3", region_name=REGION)
    aws.upload_folder(s3, tmp_path / "job", s3_uri)  # what SageMaker syncs to checkpoint_s3_uri

    local = download_experiment("remote-study", s3_uri, local_root=tmp_path / "here")
    assert local == tmp_path / "here" / name and (local / "metadata.json").exists()
    result = load_experiment("remote-study", local_path=str(tmp_path / "here"))
    original = load_experiment(name, local_path=str(tmp_path / "job"))
    assert result.results.equals(original.results) and len(result.results) > 0
    assert result.metadata == original.metadata

    # load_experiment downloads by itself when given the S3 folder
    fresh = tmp_path / "fresh"
    again = load_experiment("remote-study", local_path=str(fresh), s3_path=s3_uri)
    assert again.results.equals(original.results) and (fresh / name / "metadata.json").exists()

    with pytest.raises(FileNotFoundError, match="No run 'other'"):
        download_experiment("other", s3_uri, local_root=tmp_path / "x")
    with pytest.raises(FileNotFoundError):
        load_experiment("other", local_path=str(tmp_path / "y"))  # no s3_path: no download


# -- Syne Tune 0.13's convention: RemoteLauncher(tuner=tuner, ...) -------------------------
TRAIN_SCRIPT = """
import argparse
from syne_tune import Reporter

parser = argparse.ArgumentParser()
parser.add_argument("--x", type=float)
parser.add_argument("--epochs", type=int)
args, _ = parser.parse_known_args()
report = Reporter()
for epoch in range(1, args.epochs + 1):
    print("epoch", epoch, flush=True)
    report(epoch=epoch, loss=(args.x - 0.3) ** 2 + 1.0 / epoch)
"""


def _make_tuner(tmp_path: Path, monkeypatch, n_trials: int = 3):
    """A tuner of a tiny training script (its own folder, with a requirements.txt)."""
    from syne_tune import StoppingCriterion, Tuner
    from syne_tune.backend import LocalBackend
    from syne_tune.config_space import uniform
    from syne_tune.optimizer.baselines import RandomSearch

    monkeypatch.setenv("SYNETUNE_FOLDER", str(tmp_path / "local-results"))
    code = tmp_path / "my_code"
    code.mkdir()
    (code / "train_tiny.py").write_text(TRAIN_SCRIPT)
    (code / "requirements.txt").write_text("dill\n")
    return Tuner(
        trial_backend=LocalBackend(entry_point=str(code / "train_tiny.py")),
        scheduler=RandomSearch({"x": uniform(0, 1), "epochs": 2}, metric="loss", mode="min", random_seed=3),
        stop_criterion=StoppingCriterion(max_num_trials_finished=n_trials),
        n_workers=2,
        sleep_time=0.05,
        tuner_name="remote-tiny",
    )


def _code_tarball(desc: dict, tmp_path: Path) -> Path:
    bucket, key = aws.split_s3_uri(json.loads(desc["HyperParameters"]["sagemaker_submit_directory"]))
    tarball = tmp_path / "sourcedir.tar.gz"
    boto3.client("s3", region_name=REGION).download_file(bucket, key, str(tarball))
    return tarball


def test_tuner_job_creation_arguments(aws_endpoint, tmp_path, monkeypatch):
    monkeypatch.setattr("sagemaker.telemetry.telemetry_logging._requests_helper", lambda url, timeout: None)
    tuner = _make_tuner(tmp_path, monkeypatch)
    launcher = RemoteLauncher(
        tuner=tuner,
        role=ROLE,
        instance_type="ml.m5.4xlarge",
        s3_path=f"s3://{BUCKET}/remote-tuner",
        log_level=logging.DEBUG,
        no_tuner_logging=True,
        sagemaker_session=make_session(),
        max_run=3600,
    )
    name = launcher.run(wait=False)
    assert name == aws.clean_name(tuner.name)  # the tuner's (unique) name
    desc = boto3.client("sagemaker", region_name=REGION).describe_training_job(TrainingJobName=name)
    assert desc["ResourceConfig"]["InstanceType"] == "ml.m5.4xlarge"
    assert desc["RoleArn"] == ROLE
    assert "pytorch-training:2.2" in desc["AlgorithmSpecification"]["TrainingImage"]
    assert desc["StoppingCondition"]["MaxRuntimeInSeconds"] == 3600  # an estimator kwarg
    assert desc["CheckpointConfig"] == {"S3Uri": launcher.results_s3_uri, "LocalPath": "/opt/ml/checkpoints"}
    # (moto answers canned metric definitions: the request's are the estimator's)
    assert launcher.estimator.metric_definitions == [
        {"Name": "best_loss", "Regex": r"\[st\-tuning\-metric\]:\ best_loss=([-+0-9.eE]+)"}
    ]
    hps = {k: json.loads(v) for k, v in desc["HyperParameters"].items()}
    assert hps["sagemaker_program"] == "remote_main.py"
    assert hps["entry_point"] == "backend_code/train_tiny.py"
    assert hps["checkpoint_dir"] == "/opt/ml/checkpoints"
    assert (hps["log_level"], hps["no_tuner_logging"], hps["store_logs"], hps["publish_tuning_metrics"]) == (
        "DEBUG", True, False, True
    )
    with tarfile.open(_code_tarball(desc, tmp_path)) as tar:
        names = set(tar.getnames())
        saved = tar.extractfile("tuner/tuner.dill").read()
    assert {
        "remote_main.py",
        "tuner/tuner.dill",
        "backend_code/train_tiny.py",
        "requirements.txt",  # the script folder's, installed by the container
        "syne_tune/__init__.py",
        "syne_tune/tuner.py",
        "syne_tune/remote/remote_main.py",
    } <= names
    # the serialized tuner is the project's Tuner.save() format
    (tmp_path / "saved").mkdir()
    (tmp_path / "saved" / "tuner.dill").write_bytes(saved)
    assert Tuner.load(tmp_path / "saved").name == tuner.name


def test_tuner_launcher_argument_checks(aws_endpoint, tmp_path, monkeypatch):
    tuner = _make_tuner(tmp_path, monkeypatch)
    session = make_session()
    with pytest.raises(InvalidParameterError, match="exactly one of them. Got neither instead"):
        RemoteLauncher(role=ROLE, sagemaker_session=session)
    with pytest.raises(InvalidParameterError, match="Got both instead"):
        RemoteLauncher(tuner, role=ROLE, entry_point=tmp_path / "my_code" / "train_tiny.py", sagemaker_session=session)
    with pytest.raises(InvalidParameterError, match="'arguments' parameter"):
        RemoteLauncher(tuner, role=ROLE, arguments={"a": 1}, sagemaker_session=session)
    with pytest.raises(InvalidParameterError, match="'log_level' parameter of RemoteLauncher must be a logging level"):
        RemoteLauncher(tuner, role=ROLE, log_level="LOUD", sagemaker_session=session)
    with pytest.raises(InvalidParameterError, match="'tuner' parameter of RemoteLauncher must be an instance of 'Tuner' or None. Got 'train.py'"):
        RemoteLauncher("train.py", role=ROLE, sagemaker_session=session)
    with pytest.raises(InvalidParameterError, match="'store_logs_localbackend' parameter"):
        RemoteLauncher(tuner, role=ROLE, store_logs_localbackend="yes", sagemaker_session=session)
    with pytest.raises(ValueError, match="s3://bucket/prefix"):
        RemoteLauncher(tuner, role=ROLE, s3_path="bucket/prefix", sagemaker_session=session)
    with pytest.raises(MissingSageMakerRoleError):
        RemoteLauncher(tuner, sagemaker_session=session)


@pytest.mark.parametrize("store_logs", [True, False])
def test_tuner_job_runs_remote_main_and_results_are_loaded(platform, tmp_path, monkeypatch, store_logs):
    """The job's code is downloaded from moto's S3 and remote_main.py runs as a
    subprocess (fake_sagemaker.py); the tuner's results synced to S3 are read back."""
    tuner = _make_tuner(tmp_path, monkeypatch, n_trials=3)
    launcher = RemoteLauncher(
        tuner=tuner,
        role=ROLE,
        s3_path=f"s3://{BUCKET}/remote-run",
        store_logs_localbackend=store_logs,
        sagemaker_session=make_session(),
    )
    name = launcher.run(wait=False)
    platform.wait_idle(60.0)
    job = platform.job(name)
    logs = boto3.client("logs", region_name=REGION)
    events = logs.filter_log_events(logGroupName="/aws/sagemaker/TrainingJobs")["events"]
    lines = [e["message"] for e in events if e["logStreamName"].startswith(f"{name}/")]
    assert job.training_job_status == "Completed", "\n".join(lines[-40:])
    # the options reached remote_main.py; the checkpoint folder is mapped by the platform
    argv = platform.argv[name]
    assert argv[argv.index("--entry_point") + 1] == "backend_code/train_tiny.py"

    result = load_experiment(tuner.name, local_path=str(tmp_path / "downloaded"), s3_path=launcher.results_s3_uri)
    df = result.results
    assert df["trial_id"].nunique() >= 3 and set(df["epoch"]) == {1, 2}
    assert result.metadata["tuner_name"] == tuner.name
    # best-so-far lines for SageMaker's metric definitions, as the results say
    best = [float(line.split("best_loss=")[1]) for line in lines if "[st-tuning-metric]: best_loss=" in line]
    assert best and best == sorted(best, reverse=True) and best[-1] == pytest.approx(df["loss"].min())
    # store_logs_localbackend=True: the trials' std.out is synced with the results; else not
    run = tmp_path / "downloaded" / tuner.name
    stdouts = sorted(run.rglob("std.out"))
    if store_logs:
        assert len(stdouts) >= 3 and "epoch 2" in stdouts[0].read_text()
    else:
        assert stdouts == [] and (run / "metadata.json").exists()
