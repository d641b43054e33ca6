"""Run each trial as a SageMaker training job.

:class:`SageMakerBackend` starts one training job per run of a trial from the
user's SDK object (an Estimator such as ``sagemaker.pytorch.PyTorch``, or a
``ModelTrainer``; see :mod:`.sdk`), and polls it:

* **hyperparameters**: the trial's configuration, plus ``st_checkpoint_dir``
  (the job's local checkpoint folder, ``/opt/ml/checkpoints`` by default) and
  ``st_instance_type`` / ``st_instance_count``; with ``pass_args_as_json``,
  the configuration is uploaded as ``config.json`` to the trial's S3 folder
  and given to the job as the input channel ``st_config``
  (``--st_config_json_filename /opt/ml/input/data/st_config/config.json``);
* **results**: read from the job's CloudWatch log stream
  (``/aws/sagemaker/TrainingJobs``, stream ``<job name>/algo-1-...``: the
  first host), where :class:`syne_tune.Reporter` writes its
  ``[tune-metric]: {json}`` lines; parsed by
  :func:`syne_tune.report.parse_report_lines`, the parser of the local
  backend;
* **checkpoints**: each trial has its S3 folder
  ``<s3_path>/<tuner name>/<trial id>/checkpoints/``, given to every job of
  the trial as ``checkpoint_s3_uri``: SageMaker downloads it to the job's
  checkpoint folder when the job starts and uploads that folder while it
  runs. Pausing stops the job; resuming starts a new job (a new name) on the
  same folder; a trial started from another one's checkpoint (PBT) gets a
  copy of that folder;
* **job names** (:func:`.aws.job_name`): ``<tuner name>-<trial id>`` for a
  trial's first job, ``...-r<k>`` for its ``k``-th resumption, within
  SageMaker's rules;
* **retries**: the clients the backend creates (SageMaker, CloudWatch Logs,
  S3, and the one the Estimator creates its jobs with) retry throttling and
  transient errors with botocore's retry modes;
* **setup errors**: a missing SDK, region, credentials or role raises its
  own error (:mod:`.errors`) when the backend is created.

Cost. Every result carries ``st_worker_cost``, the dollar cost of the trial
so far: the billed cost (``BillableTimeInSeconds`` x price x instance count,
:mod:`.instance_info`) of its earlier jobs, plus the time of the current job
since its billing started (``TrainingStartTime``) up to the result's
timestamp, at the same price; the results read once a job has ended use its
billed seconds. :class:`~syne_tune.tuning_status.TuningStatus` adds up the
last ``st_worker_cost`` of every trial into ``cost``, which
``StoppingCriterion(max_cost=...)`` reads, and the column is in the results;
cost-aware schedulers can use it as ``cost_attr``. The billed seconds and cost
of every job (also those ended by a pause or stop) are in :meth:`SageMakerBackend.trial_costs`.

Crash recovery: a tuner resumed from a snapshot adopts the jobs still
running; a job that ended while the tuner was down (stopped, failed) is
restarted as a new job from the trial's checkpoint, after its remaining
results are read.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import datetime
from numbers import Integral
from typing import Any, Mapping

import syne_tune.backend.sagemaker_backend.aws as aws
from syne_tune.backend.sagemaker_backend.instance_info import job_cost
from syne_tune.backend.sagemaker_backend.sdk import make_launcher
from syne_tune.backend.trial_backend import BUSY_STATUS, PolledTrial, PollingBackend
from syne_tune.constants import (
    ST_CHECKPOINT_DIR,
    ST_CONFIG_JSON_FNAME_ARG,
    ST_INSTANCE_COUNT,
    ST_INSTANCE_TYPE,
    ST_SAGEMAKER_METRIC_TAG,
    ST_WORKER_COST,
    ST_WORKER_TIME,
    ST_WORKER_TIMESTAMP,
)
from syne_tune.report import parse_report_lines
from syne_tune.trial import Status
from syne_tune.utils.validation import Interval, Options, validate_parameters

logger = logging.getLogger(__name__)

__all__ = ["SageMakerBackend", "LOG_GROUP"]

#: CloudWatch log group of SageMaker training jobs.
LOG_GROUP = "/aws/sagemaker/TrainingJobs"
#: Input channel holding ``config.json`` with ``pass_args_as_json=True``.
CONFIG_CHANNEL = "st_config"

_ENDED = ("Completed", "Failed", "Stopped")


def _epoch_seconds(moment: Any) -> float | None:
    if isinstance(moment, datetime):
        return moment.timestamp()
    if isinstance(moment, (int, float)):
        return float(moment)
    return None


class SageMakerBackend(PollingBackend):
    """Runs each trial as a SageMaker training job (see the module docstring).

    Parameters
    ----------
    sm_estimator
        SDK object the jobs are built from: a 2.x ``Estimator`` (e.g.
        ``sagemaker.pytorch.PyTorch(entry_point=..., instance_type=...,
        role=...)``) or a ``ModelTrainer``. It is changed in place before
        each job (hyperparameters, checkpoint location).
    metrics_names
        Metrics the script reports; declared to SageMaker as metric
        definitions (Estimator only) so that its console plots them.
    s3_path
        S3 folder of the trials' checkpoints (and ``config.json``);
        default: ``s3://<SDK session's default bucket>/syne-tune/``.
    delete_checkpoints
        Delete a trial's S3 checkpoint folder once it is completed or stopped.
    pass_args_as_json
        Pass the configuration as a JSON file (see the module docstring).
    instance_prices
        Instance type -> USD per hour, merged over
        :data:`~.instance_info.INSTANCE_PRICES`.
    max_retry_attempts
        Attempts of each AWS call (throttling and transient errors are retried).
    retry_mode
        botocore retry mode, ``"standard"`` or ``"adaptive"``.
    **sagemaker_fit_kwargs
        Passed to every ``fit`` (Estimator: e.g. ``inputs``) or ``train``
        (ModelTrainer: e.g. ``input_data_config``) call.

    Raises
    ------
    MissingSageMakerSDKError
        If boto3 or the SageMaker SDK is not installed.
    MissingAWSRegionError, MissingAWSCredentialsError, MissingSageMakerRoleError
        If the SDK object's session has no region or credentials, or it has no role.
    InvalidParameterError
        For an argument of the wrong type.
    """

    _parameter_constraints = {
        "metrics_names": [list, None],
        "s3_path": [str, None],
        "instance_prices": [dict, None],
        "max_retry_attempts": [Interval(Integral, 1, None, closed="left")],
        "retry_mode": [Options(str, set(aws.RETRY_MODES))],
    }

    def __init__(
        self,
        sm_estimator: Any,
        metrics_names: list[str] | None = None,
        s3_path: str | None = None,
        delete_checkpoints: bool = False,
        pass_args_as_json: bool = False,
        instance_prices: Mapping[str, float] | None = None,
        max_retry_attempts: int = 10,
        retry_mode: str = "standard",
        **sagemaker_fit_kwargs,
    ):
        super().__init__(delete_checkpoints=delete_checkpoints, pass_args_as_json=pass_args_as_json)
        validate_parameters(self, locals())
        if s3_path is not None:
            aws.split_s3_uri(s3_path)
        aws.import_aws_sdk(need_sagemaker=True)
        self.launcher = make_launcher(sm_estimator, sagemaker_fit_kwargs, type(self).__name__)
        aws.check_aws_setup(self.launcher.boto_session(), self.launcher.role or "", type(self).__name__)
        self.metrics_names = list(metrics_names) if metrics_names else None
        self.instance_prices = dict(instance_prices) if instance_prices else None
        self.max_retry_attempts = int(max_retry_attempts)
        self.retry_mode = retry_mode
        self._s3_path = s3_path.rstrip("/") if s3_path else None
        self.tuner_name: str | None = None
        # trial_id -> names of its jobs, in order (the last is the current one)
        self._jobs: dict[int, list[str]] = {}
        # job -> CloudWatch log stream -> next token; job -> log lines read
        self._log_tokens: dict[str, dict[str, str]] = {}
        # job -> epoch seconds its billing started
        self._job_start: dict[str, float] = {}
        # job -> (billable seconds, cost) once it ended
        self._billed: dict[str, tuple[float, float | None]] = {}
        # jobs ended by a pause or stop whose billing is still to be read
        self._awaiting_bill: set[str] = set()
        # trials to restart from their checkpoint (their job ended while the tuner was down)
        self._restart: set[int] = set()
        self._init_clients()
        if self.metrics_names:
            self.launcher.set_metric_definitions(self.metrics_names, _metric_regex)
        if hasattr(self.launcher, "use_sagemaker_client"):
            self.launcher.use_sagemaker_client(self.sagemaker_client)

    # -- clients (recreated after unpickling) ---------------------------------------
    def _init_clients(self) -> None:
        self._clients: dict[str, Any] = {}

    def _client(self, service: str):
        client = self._clients.get(service)
        if client is None:
            client = aws.make_client(self.launcher.boto_session(), service, self.max_retry_attempts, self.retry_mode)
            self._clients[service] = client
        return client

    @property
    def sagemaker_client(self):
        """The boto3 SageMaker client of this backend (retries configured)."""
        return self._client("sagemaker")

    @property
    def logs_client(self):
        """The boto3 CloudWatch Logs client of this backend."""
        return self._client("logs")

    @property
    def s3_client(self):
        """The boto3 S3 client of this backend."""
        return self._client("s3")

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("_clients", None)
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._init_clients()
        self.launcher.restore_session(self.sagemaker_client if hasattr(self.launcher, "use_sagemaker_client") else None)

    # -- paths -------------------------------------------------------------------------
    def _tuner_name(self) -> str:
        if not self.tuner_name:
            from syne_tune.utils.paths import name_from_base

            self.tuner_name = name_from_base("st-sagemaker-backend")
        return self.tuner_name

    @property
    def s3_path(self) -> str:
        """Root S3 folder (without trailing ``/``)."""
        if self._s3_path is None:
            session = self.launcher._sdk_session()
            bucket = session.default_bucket()
            from syne_tune.utils.paths import s3_experiment_path

            self._s3_path = s3_experiment_path(s3_bucket=bucket).rstrip("/")
        return self._s3_path

    def trial_s3_uri(self, trial_id: int) -> str:
        """S3 folder of a trial (``<s3_path>/<tuner name>/<trial id>``)."""
        return f"{self.s3_path}/{self._tuner_name()}/{trial_id}"

    def checkpoint_s3_uri(self, trial_id: int) -> str:
        """S3 checkpoint folder of a trial, shared by all its jobs."""
        return f"{self.trial_s3_uri(trial_id)}/checkpoints/"

    def job_names(self, trial_id: int) -> list[str]:
        """Names of the jobs of a trial, oldest first."""
        self._check_known(trial_id)
        return list(self._jobs.get(trial_id, []))

    # -- costs ---------------------------------------------------------------------------
    def _cost(self, seconds: float) -> float | None:
        launcher = self.launcher
        return job_cost(seconds, launcher.instance_type, launcher.instance_count, self.instance_prices)

    def _billed_cost(self, trial_id: int, jobs: list[str]) -> float:
        return sum((self._billed.get(job, (0.0, None))[1] or 0.0) for job in jobs)

    def trial_costs(self, trial_id: int) -> dict[str, Any]:
        """Billing of a trial's jobs that have ended.

        Returns
        -------
        dict
            ``{"billable_seconds": total, "cost": total in USD (None if the
            price is unknown), "jobs": {job name: (seconds, cost)}}``.
        """
        self._check_known(trial_id)
        self._collect_bills()
        jobs = {job: self._billed[job] for job in self._jobs.get(trial_id, []) if job in self._billed}
        costs = [c for _, c in jobs.values()]
        return {
            "billable_seconds": sum(s for s, _ in jobs.values()),
            "cost": None if any(c is None for c in costs) else sum(costs),
            "jobs": jobs,
        }

    def _record_end(self, job: str, description: dict) -> None:
        seconds = description.get("BillableTimeInSeconds")
        if seconds is None:
            start = _epoch_seconds(description.get("TrainingStartTime"))
            end = _epoch_seconds(description.get("TrainingEndTime"))
            if start is None or end is None:
                return
            seconds = max(0.0, end - start)
        self._billed[job] = (float(seconds), self._cost(float(seconds)))
        self._awaiting_bill.discard(job)

    def _collect_bills(self) -> None:
        for job in list(self._awaiting_bill):
            description = self._describe(job)
            if description.get("TrainingJobStatus") in _ENDED:
                self._record_end(job, description)

    # -- starting jobs -----------------------------------------------------------------
    def _hyperparameters(self, trial_id: int, config: dict) -> tuple[dict, dict | None]:
        launcher = self.launcher
        extra = {
            ST_CHECKPOINT_DIR: launcher.checkpoint_local_path,
            ST_INSTANCE_TYPE: launcher.instance_type,
            ST_INSTANCE_COUNT: launcher.instance_count,
        }
        if not self.pass_args_as_json:
            return {**config, **extra}, None
        uri = f"{self.trial_s3_uri(trial_id)}/{CONFIG_CHANNEL}/"
        bucket, prefix = aws.split_s3_uri(uri)
        body = json.dumps(config, default=str).encode()
        self.s3_client.put_object(Bucket=bucket, Key=f"{prefix}/config.json", Body=body)
        extra[ST_CONFIG_JSON_FNAME_ARG] = f"/opt/ml/input/data/{CONFIG_CHANNEL}/config.json"
        return extra, {CONFIG_CHANNEL: uri}

    def _schedule(self, trial_id: int, config: dict) -> None:
        jobs = self._jobs.setdefault(trial_id, [])
        name = aws.job_name(self._tuner_name(), trial_id, len(jobs), self.launcher.max_name_length)
        hyperparameters, inputs = self._hyperparameters(trial_id, config)
        job = self.launcher.launch(name, hyperparameters, self.checkpoint_s3_uri(trial_id), inputs)
        jobs.append(job)
        self._log_tokens[job] = {}
        logger.info(f"trial {trial_id}: started SageMaker training job {job}")

    def _resume_trial(self, trial_id: int) -> None:
        self._restart.discard(trial_id)

    def copy_checkpoint(self, src_trial_id: int, tgt_trial_id: int) -> None:
        aws.copy_prefix(self.s3_client, self.checkpoint_s3_uri(src_trial_id), self.checkpoint_s3_uri(tgt_trial_id))

    def delete_checkpoint(self, trial_id: int) -> None:
        aws.delete_prefix(self.s3_client, self.checkpoint_s3_uri(trial_id))

    # -- ending jobs -----------------------------------------------------------------------
    def _stop_job(self, trial_id: int) -> None:
        jobs = self._jobs.get(trial_id)
        if not jobs:
            return
        job = jobs[-1]
        from botocore.exceptions import ClientError

        try:
            self.sagemaker_client.stop_training_job(TrainingJobName=job)
        except ClientError as ex:
            # the job has ended already (ValidationException): nothing to stop
            if ex.response.get("Error", {}).get("Code") != "ValidationException":
                raise
        self._awaiting_bill.add(job)
        self._restart.discard(trial_id)

    def _pause_trial(self, trial_id: int, result: dict | None) -> None:
        self._stop_job(trial_id)

    def _stop_trial(self, trial_id: int, result: dict | None) -> None:
        self._stop_job(trial_id)

    # -- polling ---------------------------------------------------------------------------
    def _describe(self, job: str) -> dict:
        return self.sagemaker_client.describe_training_job(TrainingJobName=job)

    def _read_log_lines(self, job: str) -> list[str]:
        """New log lines of the job's first host since the last call."""
        from botocore.exceptions import ClientError

        logs = self.logs_client
        tokens = self._log_tokens.setdefault(job, {})
        try:
            streams = logs.describe_log_streams(logGroupName=LOG_GROUP, logStreamNamePrefix=f"{job}/algo-1-")
        except ClientError as ex:
            if ex.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
                return []  # no job has logged yet
            raise
        lines = []
        for stream in sorted(s["logStreamName"] for s in streams.get("logStreams", [])):
            token = tokens.get(stream)
            while True:
                kwargs = {"logGroupName": LOG_GROUP, "logStreamName": stream, "startFromHead": True}
                if token is not None:
                    kwargs["nextToken"] = token
                response = logs.get_log_events(**kwargs)
                lines.extend(event["message"] for event in response.get("events", []))
                new_token = response.get("nextForwardToken")
                if new_token is None or new_token == token or not response.get("events"):
                    token = new_token or token
                    break
                token = new_token
            if token is not None:
                tokens[stream] = token
        return lines

    def _results_of(self, trial_id: int, job: str, description: dict, ended: bool) -> list[dict]:
        results, bad = parse_report_lines(self._read_log_lines(job))
        for line in bad:
            logger.warning(f"trial {trial_id}: unreadable metric line in the log of {job}: {line[:200]!r}")
        if not results:
            return results
        earlier = self._billed_cost(trial_id, self._jobs[trial_id][:-1])
        start = _epoch_seconds(description.get("TrainingStartTime"))
        for result in results:
            timestamp = result.get(ST_WORKER_TIMESTAMP)
            if start is not None and isinstance(timestamp, (int, float)):
                seconds = max(0.0, timestamp - start)
            else:
                seconds = float(result.get(ST_WORKER_TIME, 0.0))
            cost = self._cost(seconds)
            if cost is not None:
                result[ST_WORKER_COST] = earlier + cost
        if ended and job in self._billed and self._billed[job][1] is not None:
            results[-1][ST_WORKER_COST] = earlier + self._billed[job][1]
        return results

    def _poll(self, trial_ids: list[int]) -> list[PolledTrial]:
        if self._awaiting_bill:
            self._collect_bills()
        polled = []
        for trial_id in trial_ids:
            job = self._jobs[trial_id][-1]
            description = self._describe(job)
            status = description.get("TrainingJobStatus")
            ended = status in _ENDED
            if ended:
                self._record_end(job, description)
            results = self._results_of(trial_id, job, description, ended)
            exit_status = None
            if trial_id in self._restart:
                if ended:
                    # ended while the tuner was down: continue from the checkpoint
                    self._restart.discard(trial_id)
                    if status != "Completed":
                        self._schedule(trial_id, self._trials[trial_id].config)
                    else:
                        exit_status = Status.completed
            elif status == "Completed":
                exit_status = Status.completed
            elif status in ("Failed", "Stopped"):
                reason = description.get("FailureReason") or f"the job was {status.lower()} outside the tuner"
                if not results:
                    logger.error(f"trial {trial_id}: SageMaker job {job} {status.lower()}: {reason}")
                exit_status = Status.failed
            polled.append(PolledTrial(trial_id, results, exit_status))
        return polled

    def recover(self, replayed: Mapping[int, int]) -> None:
        """Adopt the jobs still running; restart (as new jobs, from their
        checkpoints) those that were stopped or failed while the tuner was
        down, once they have ended and their last results are read."""
        super().recover(replayed)
        for trial_id, status in self.busy_trial_ids():
            jobs = self._jobs.get(trial_id)
            if not jobs:
                continue
            state = self._describe(jobs[-1]).get("TrainingJobStatus")
            if state not in ("InProgress",):
                self._restart.add(trial_id)

    # -- logs ------------------------------------------------------------------------------
    def stdout(self, trial_id: int) -> list[str]:
        """Log lines of the trial's jobs (first host), oldest job first."""
        self._check_known(trial_id)
        lines = []
        for job in self._jobs.get(trial_id, []):
            saved = self._log_tokens.get(job)
            self._log_tokens[job] = {}
            try:
                lines.extend(line if line.endswith("\n") else line + "\n" for line in self._read_log_lines(job))
            finally:
                self._log_tokens[job] = saved if saved is not None else {}
        return lines

    def stderr(self, trial_id: int) -> list[str]:
        """The failure reason of the trial's last job, if it failed (the
        job's output, stdout and stderr together, is in :meth:`stdout`)."""
        self._check_known(trial_id)
        jobs = self._jobs.get(trial_id)
        if not jobs:
            return []
        reason = self._describe(jobs[-1]).get("FailureReason")
        return [reason + "\n"] if reason else []

    def busy_job_names(self) -> list[str]:
        """Names of the jobs of the busy trials."""
        return [self._jobs[t][-1] for t, s in self.busy_trial_ids() if s in BUSY_STATUS and self._jobs.get(t)]


def _metric_regex(name: str) -> str:
    """Regex SageMaker extracts ``name`` with from a ``[tune-metric]:`` line."""
    return r"\[" + ST_SAGEMAKER_METRIC_TAG + r"\]: .*\"" + re.escape(name) + r"\": ([-+0-9.eE]+)"
