"""A local stand-in for SageMaker's training platform, on a moto server.

The SageMaker backend talks to a moto server on 127.0.0.1 (started and
stopped by the fixtures of ``conftest.py``) through the real boto3 clients
and the real SageMaker SDK: ``Estimator.fit(wait=False)`` and
``ModelTrainer.train(wait=False)`` upload their code to moto's S3 and send
``CreateTrainingJob`` to moto over HTTP. moto records the job but runs
nothing, so :class:`FakeSageMaker` plays the part of the platform, with
moto's own backend objects (same process, the server runs in a thread):

* a created job becomes ``InProgress`` (moto would mark it ``Completed`` at
  once), and is run: its code is downloaded from moto's S3 (the Estimator's
  ``sagemaker_submit_directory`` tarball, or the ModelTrainer's ``code``
  channel and the entry script named in its ``sm_drivers/sourcecode.json``),
  its checkpoint folder is downloaded from ``CheckpointConfig.S3Uri``, and
  the entry script runs as a subprocess with the job's hyperparameters as
  ``--name value`` arguments (JSON-decoded, as SageMaker's containers do);
  ``/opt/ml/...`` paths are mapped to a local folder;
* every line the script prints is written to CloudWatch Logs on the moto
  server (``/aws/sagemaker/TrainingJobs``, stream ``<job>/algo-1-<time>``),
  as SageMaker does;
* when the script exits, the checkpoint folder is uploaded to its S3 URI,
  ``TrainingEndTime`` and ``BillableTimeInSeconds`` are set (or the value
  a test asked for), then the status (``Completed``, or ``Failed`` with a
  ``FailureReason``);
* moto 5.2 has no ``StopTrainingJob``: :func:`install` adds that one action
  to moto's SageMaker responses (the job becomes ``Stopping``, as on
  SageMaker), so that the backend's real botocore request is answered over
  HTTP; the platform then terminates the script, uploads its checkpoint and
  marks the job ``Stopped``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import boto3

from syne_tune.backend.sagemaker_backend import aws

REPO_ROOT = Path(__file__).resolve().parents[3]
LOG_GROUP = "/aws/sagemaker/TrainingJobs"


def _decode(value: str):
    try:
        return json.loads(value)
    except (TypeError, ValueError):
        return value


class FakeSageMaker:
    """Runs the jobs created on the moto server (see the module docstring)."""

    def __init__(self, workdir: Path, region: str):
        self.workdir = Path(workdir)
        self.region = region
        self.s3 = boto3.client("s3", region_name=region)
        self.logs = boto3.client("logs", region_name=region)
        self.jobs: dict[str, object] = {}
        self.procs: dict[str, subprocess.Popen] = {}
        #: job name -> BillableTimeInSeconds to report (else the run's seconds)
        self.billable_seconds: dict[str, int] = {}
        #: job name -> [Popen argv]
        self.argv: dict[str, list[str]] = {}
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        try:
            self.logs.create_log_group(logGroupName=LOG_GROUP)
        except self.logs.exceptions.ResourceAlreadyExistsException:
            pass

    # -- hooks into moto -------------------------------------------------------
    def install(self, monkeypatch) -> None:
        from moto.core.responses import ActionResult
        from moto.sagemaker.exceptions import ValidationError
        from moto.sagemaker.models import SageMakerModelBackend
        from moto.sagemaker.responses import SageMakerResponse

        platform = self
        original_create = SageMakerModelBackend.create_training_job

        def create_training_job(backend, *args, **kwargs):
            job = original_create(backend, *args, **kwargs)
            job.training_job_status = "InProgress"
            job.secondary_status = "Starting"
            job.training_end_time = None
            platform._start(job)
            return job

        def stop_training_job(response):
            name = response._get_param("TrainingJobName")
            job = response.sagemaker_backend.training_jobs.get(name)
            if job is None:
                raise ValidationError(message=f"Could not find training job '{name}'.")
            if job.training_job_status != "InProgress":
                raise ValidationError(
                    message=f"The job {name} is not in progress (its status is {job.training_job_status})."
                )
            job.training_job_status = "Stopping"
            job.secondary_status = "Stopping"
            return ActionResult({})

        monkeypatch.setattr(SageMakerModelBackend, "create_training_job", create_training_job)
        monkeypatch.setattr(SageMakerResponse, "stop_training_job", stop_training_job, raising=False)

    # -- running a job ---------------------------------------------------------
    def _start(self, job) -> None:
        with self._lock:
            self.jobs[job.training_job_name] = job
        thread = threading.Thread(target=self._run, args=(job,), daemon=True)
        self._threads.append(thread)
        thread.start()

    def _code(self, job, root: Path) -> Path:
        hps = job.hyper_parameters or {}
        code = root / "code"
        code.mkdir(parents=True)
        if "sagemaker_submit_directory" in hps:  # an Estimator's sourcedir.tar.gz
            bucket, key = aws.split_s3_uri(_decode(hps["sagemaker_submit_directory"]))
            tarball = root / "sourcedir.tar.gz"
            self.s3.download_file(bucket, key, str(tarball))
            with tarfile.open(tarball) as tar:
                tar.extractall(code, filter="data")
            return code / _decode(hps["sagemaker_program"])
        channels = {c["ChannelName"]: c["DataSource"]["S3DataSource"]["S3Uri"] for c in job.input_data_config or []}
        aws.download_prefix(self.s3, channels["code"], code)
        drivers = root / "sm_drivers"
        aws.download_prefix(self.s3, channels["sm_drivers"], drivers)
        entry = json.loads((drivers / "sourcecode.json").read_text())["entry_script"]
        return code / entry

    def _run(self, job) -> None:
        name = job.training_job_name
        root = self.workdir / name
        checkpoint = job.checkpoint_config or {}
        local_ckpt = root / "checkpoints"
        local_ckpt.mkdir(parents=True)
        if checkpoint.get("S3Uri"):
            aws.download_prefix(self.s3, checkpoint["S3Uri"], local_ckpt)
        inputs = root / "input" / "data"
        for channel in job.input_data_config or []:
            if channel["ChannelName"] not in ("code", "sm_drivers", "training"):
                aws.download_prefix(
                    self.s3, channel["DataSource"]["S3DataSource"]["S3Uri"], inputs / channel["ChannelName"]
                )
        script = self._code(job, root)
        container_ckpt = checkpoint.get("LocalPath") or "/opt/ml/checkpoints"
        argv = []
        for key, raw in (job.hyper_parameters or {}).items():
            if key.startswith("sagemaker_"):
                continue
            value = str(_decode(raw))
            if value.startswith(container_ckpt):
                value = str(local_ckpt) + value[len(container_ckpt) :]
            elif value.startswith("/opt/ml/input/data/"):
                value = str(inputs) + value[len("/opt/ml/input/data") :]
            argv += [f"--{key}", value]
        self.argv[name] = argv
        stream = f"{name}/algo-1-{int(time.time())}"
        self.logs.create_log_stream(logGroupName=LOG_GROUP, logStreamName=stream)
        env = dict(os.environ, PYTHONPATH=str(REPO_ROOT), SM_TRAINING_ENV="{}")
        job.training_start_time = datetime.now(timezone.utc)
        job.secondary_status = "Training"
        proc = subprocess.Popen(
            [sys.executable, str(script), *argv],
            cwd=script.parent,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
        self.procs[name] = proc
        watcher = threading.Thread(target=self._watch_stop, args=(job, proc), daemon=True)
        watcher.start()
        for line in proc.stdout:
            self.logs.put_log_events(
                logGroupName=LOG_GROUP,
                logStreamName=stream,
                logEvents=[{"timestamp": int(time.time() * 1000), "message": line.rstrip("\n")}],
            )
        rc = proc.wait()
        stopped = job.training_job_status == "Stopping"
        if checkpoint.get("S3Uri"):
            aws.upload_folder(self.s3, local_ckpt, checkpoint["S3Uri"])
        end = datetime.now(timezone.utc)
        job.training_end_time = end
        seconds = self.billable_seconds.get(name)
        if seconds is None:
            seconds = max(1, int(round((end - job.training_start_time).total_seconds())))
        job.billable_time_in_seconds = seconds
        if stopped:
            job.training_job_status = job.secondary_status = "Stopped"
        elif rc == 0:
            job.training_job_status = job.secondary_status = "Completed"
        else:
            job.failure_reason = f"AlgorithmError: the script exited with code {rc}"
            job.training_job_status = job.secondary_status = "Failed"

    @staticmethod
    def _watch_stop(job, proc: subprocess.Popen) -> None:
        while proc.poll() is None:
            if job.training_job_status == "Stopping":
                proc.terminate()
                return
            time.sleep(0.01)

    # -- for the tests -----------------------------------------------------------
    def job(self, name: str):
        return self.jobs[name]

    def wait_idle(self, timeout: float = 30.0) -> None:
        """Wait until every job has ended (killing what is left at the timeout)."""
        deadline = time.monotonic() + timeout
        for thread in list(self._threads):
            thread.join(max(0.0, deadline - time.monotonic()))
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.kill()

    def shutdown(self) -> None:
        for job in list(self.jobs.values()):
            if job.training_job_status == "InProgress":
                job.training_job_status = "Stopping"
        self.wait_idle(10.0)
