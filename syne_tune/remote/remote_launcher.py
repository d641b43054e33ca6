"""Run a whole tuning experiment as one SageMaker training job.

:class:`RemoteLauncher` follows Syne Tune 0.13's calling convention: build a
:class:`~syne_tune.Tuner` as for a local run, then hand it over::

    tuner = Tuner(trial_backend=LocalBackend(entry_point="train.py"), ...)
    RemoteLauncher(tuner=tuner, role=role, instance_type="ml.c5.4xlarge").run(wait=False)

:meth:`RemoteLauncher.run` saves the tuner with :meth:`syne_tune.Tuner.save`
into a temporary upload folder, together with ``remote_main.py`` (the job's
entry point, see :mod:`syne_tune.remote.remote_main`) and the code the
tuner's backend needs (the folder of its training script, as
``backend_code/``; a ``requirements.txt`` there is also put at the root so
that the container installs it), and starts one SageMaker training job (a
``sagemaker.pytorch.PyTorch`` estimator of the SDK 2.x: its container has
Python, pip and the usual scientific packages) with this ``syne_tune``
package folder (and ``dependencies``) as code dependencies, so the job
imports the same ``syne_tune`` without installing it. In the job, the tuner
is loaded, its training script pointed at its copy in the job, and it runs
with its results folder under ``/opt/ml/checkpoints``, which SageMaker syncs
to :attr:`RemoteLauncher.results_s3_uri` (``<s3_path>/<job name>/``);
``load_experiment(tuner.name, s3_path=launcher.results_s3_uri)`` (or
:func:`syne_tune.experiments.s3.download_experiment`) reads the results back.

Script mode, the alternative: ``RemoteLauncher(entry_point="launch.py",
arguments={...}, role=...)`` runs a launcher *script* (one that builds and
runs a tuner itself) as the job's entry point, with the script's folder as
the job's code and ``arguments`` as its ``--name value`` options; inside a
SageMaker job :func:`syne_tune.utils.paths.experiment_path` is
``/opt/ml/checkpoints``, so its results are synced the same way.

The trials of the remote tuner run where its backend puts them: a
:class:`~syne_tune.backend.LocalBackend` runs them on the job's instance
(choose ``instance_type`` accordingly); a SageMaker backend starts further
jobs (the job's role then needs the permissions of ``docs/sagemaker.md``).
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from numbers import Integral
from pathlib import Path
from typing import Any

import syne_tune.backend.sagemaker_backend.aws as aws
from syne_tune.constants import ST_REMOTE_UPLOAD_DIR_NAME, ST_TUNER_DILL_FILENAME
from syne_tune.remote.remote_metrics_callback import RemoteTuningMetricsCallback
from syne_tune.tuner import Tuner
from syne_tune.utils.paths import SAGEMAKER_CHECKPOINT_PATH, name_from_base
from syne_tune.utils.s3 import split_s3_uri
from syne_tune.utils.validation import InvalidParameterError, Interval, Options, validate_parameters

__all__ = ["RemoteLauncher", "SYNE_TUNE_PACKAGE_DIR", "REMOTE_MAIN", "BACKEND_CODE_DIR_NAME"]

#: This ``syne_tune`` package folder (uploaded with every remote job).
SYNE_TUNE_PACKAGE_DIR = Path(__file__).resolve().parents[1]

#: The job's entry point in tuner mode (copied to the root of the job's code).
REMOTE_MAIN = Path(__file__).resolve().with_name("remote_main.py")

#: Folder of the job's code holding the folder of the backend's training script.
BACKEND_CODE_DIR_NAME = "backend_code"

_PYCACHE = shutil.ignore_patterns("__pycache__", "*.pyc")


class RemoteLauncher:
    """Runs a tuner (or a launcher script) as one SageMaker training job.

    Parameters
    ----------
    tuner
        The tuner to run remotely (as for ``tuner.run()`` here). Exactly one
        of ``tuner`` and ``entry_point`` is given.
    role
        IAM role ARN of the job.
    instance_type
        Instance type of the job (the tuner and, with a local backend, its trials).
    dependencies
        More local folders uploaded with the code (this ``syne_tune`` package
        folder always is); each lands at the root of the job's code.
    store_logs_localbackend
        With a tuner whose backend is a :class:`~syne_tune.backend.LocalBackend`
        (or a subclass): ``True`` puts the trials' folders (their
        ``std.out``/``std.err`` and checkpoints) under the tuner's results
        folder, so they are synced to S3 with the results; ``False``
        (default) keeps them on the job's disk only (outside the synced
        folder). No effect with other backends or in script mode.
    log_level
        Level of the root logger in the job (``logging.INFO``, ``"DEBUG"``,
        ...); ``None``: ``logging.INFO``. Tuner mode only.
    s3_path
        S3 folder for the job's results; default
        ``s3://<session's default bucket>/syne-tune/remote``.
    no_tuner_logging
        ``True``: the job sets the ``syne_tune.tuner`` logger to ``ERROR``
        (no status lines of the tuner in the job's log). Tuner mode only.
    publish_tuning_metrics
        ``True`` (default): in the job, each improvement of the best value so
        far of a scheduler's metric is printed (see
        :class:`~syne_tune.remote.remote_metrics_callback.RemoteTuningMetricsCallback`),
        and the estimator gets the ``metric_definitions`` that make SageMaker
        record them as the job's metrics ``best_<metric>`` (curves in the
        console), unless ``metric_definitions`` is given in
        ``estimator_kwargs``. Tuner mode only.
    entry_point
        Script mode: path of a launcher script, which builds and runs its own
        tuner; its folder is uploaded as the job's code.
    arguments
        Script mode: command-line arguments of the script (``--name value``).
    instance_count
        Number of instances of the job.
    job_name
        Base of the job's name; a timestamp is appended. Default: the
        tuner's name for the first job of a tuner (it has a timestamp
        already), else the script's (or tuner's) name plus a timestamp.
    framework_version, py_version
        Of the PyTorch container (see the SageMaker SDK's ``PyTorch``).
    sagemaker_session
        SDK session (default: ``sagemaker.Session()``).
    max_retry_attempts
        Attempts of each AWS call of the job creation (throttling and
        transient errors are retried by botocore).
    **estimator_kwargs
        Further arguments of ``sagemaker.pytorch.PyTorch`` (e.g.
        ``environment``, ``max_run``, ``image_uri``, ``use_spot_instances``).

    Raises
    ------
    InvalidParameterError
        For an argument of the wrong type, if not exactly one of ``tuner``
        and ``entry_point`` is given, or ``arguments`` is given with a tuner.
    FileNotFoundError
        If ``entry_point`` is not a file.
    MissingSageMakerSDKError, MissingAWSRegionError, MissingAWSCredentialsError, MissingSageMakerRoleError
        If what the job needs is missing.
    """

    _parameter_constraints = {
        "tuner": [Tuner, None],
        "role": [str, None],
        "instance_type": [str],
        "dependencies": [list, None],
        "store_logs_localbackend": ["boolean"],
        "log_level": [Interval(Integral, 0, None, closed="left"), str, None],
        "s3_path": [str, None],
        "no_tuner_logging": ["boolean"],
        "publish_tuning_metrics": ["boolean"],
        "entry_point": [str, Path, None],
        "arguments": [dict, None],
        "instance_count": [Interval(Integral, 1, None, closed="left")],
        "job_name": [str, None],
        "framework_version": [str],
        "py_version": [Options(str, {"py38", "py39", "py310", "py311", "py312"})],
        "max_retry_attempts": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        tuner: Tuner | None = None,
        role: str | None = None,
        instance_type: str = "ml.c5.4xlarge",
        dependencies: list[str] | None = None,
        store_logs_localbackend: bool = False,
        log_level: int | str | None = None,
        s3_path: str | None = None,
        no_tuner_logging: bool = False,
        publish_tuning_metrics: bool = True,
        *,
        entry_point: str | Path | None = None,
        arguments: dict[str, Any] | None = None,
        instance_count: int = 1,
        job_name: str | None = None,
        framework_version: str = "2.2",
        py_version: str = "py310",
        sagemaker_session: Any = None,
        max_retry_attempts: int = 10,
        **estimator_kwargs,
    ):
        self._validate(locals())
        boto3 = aws.import_aws_sdk(need_sagemaker=True)
        import sagemaker

        if sagemaker_session is None:
            boto_session = boto3.Session()
            aws.check_aws_setup(boto_session, role or "", type(self).__name__)
            client = aws.make_client(boto_session, "sagemaker", max_retry_attempts)
            sagemaker_session = sagemaker.Session(boto_session=boto_session, sagemaker_client=client)
        else:
            aws.check_aws_setup(sagemaker_session.boto_session, role or "", type(self).__name__)
        self.tuner = tuner
        self.entry_point = Path(entry_point).expanduser().resolve() if entry_point is not None else None
        self.role = role
        self.instance_type = instance_type
        self.instance_count = int(instance_count)
        self.arguments = dict(arguments or {})
        self.dependencies = [str(SYNE_TUNE_PACKAGE_DIR)] + [str(Path(d).resolve()) for d in dependencies or []]
        self.store_logs_localbackend = bool(store_logs_localbackend)
        self.log_level = log_level
        self.no_tuner_logging = bool(no_tuner_logging)
        self.publish_tuning_metrics = bool(publish_tuning_metrics)
        self._job_name_given = job_name is not None
        self.job_name_base = aws.clean_name(job_name or (tuner.name if tuner is not None else self.entry_point.stem))
        self.framework_version = framework_version
        self.py_version = py_version
        self.sagemaker_session = sagemaker_session
        self.estimator_kwargs = estimator_kwargs
        self._s3_path = s3_path.rstrip("/") if s3_path else None
        self.job_name: str | None = None
        self.estimator = None

    def _validate(self, params: dict) -> None:
        """All argument checks (before any AWS set-up is looked at)."""
        validate_parameters(self, params)
        tuner, entry_point = params["tuner"], params["entry_point"]
        if (tuner is None) == (entry_point is None):
            given = "both" if tuner is not None else "neither"
            raise InvalidParameterError(
                "The 'tuner' parameter of RemoteLauncher must be a Tuner, or 'entry_point' a launcher "
                f"script, exactly one of them. Got {given} instead."
            )
        if tuner is not None and params["arguments"]:
            raise InvalidParameterError(
                "The 'arguments' parameter of RemoteLauncher must be None with a tuner (it is for "
                f"entry_point scripts). Got {params['arguments']!r} instead."
            )
        if isinstance(params["log_level"], str) and not isinstance(
            logging.getLevelName(params["log_level"].upper()), int
        ):
            raise InvalidParameterError(
                "The 'log_level' parameter of RemoteLauncher must be a logging level (an int, or a name "
                f"such as 'INFO'). Got {params['log_level']!r} instead."
            )
        if params["s3_path"] is not None:
            split_s3_uri(params["s3_path"])
        if entry_point is not None and not Path(entry_point).expanduser().is_file():
            raise FileNotFoundError(f"RemoteLauncher: entry point {entry_point} is not a file")

    @property
    def s3_path(self) -> str:
        """Root S3 folder of the remote jobs' results (no trailing ``/``)."""
        if self._s3_path is None:
            from syne_tune.utils.paths import s3_experiment_path

            bucket = self.sagemaker_session.default_bucket()
            self._s3_path = s3_experiment_path(s3_bucket=bucket, experiment_name="remote").rstrip("/")
        return self._s3_path

    @property
    def results_s3_uri(self) -> str:
        """Where the job's ``/opt/ml/checkpoints`` (the tuner's results folder
        ``<tuner name>/``) is synced to; known once :meth:`run` was called."""
        if self.job_name is None:
            raise ValueError("RemoteLauncher: results_s3_uri is known once run() was called")
        return f"{self.s3_path}/{self.job_name}/"

    def _next_job_name(self) -> str:
        if self.tuner is not None and not self._job_name_given and self.job_name is None:
            if len(self.job_name_base) <= 63:
                return self.job_name_base  # the tuner's name is unique already
        return name_from_base(self.job_name_base, max_length=63)

    def _stage_tuner(self, folder: Path) -> dict[str, Any]:
        """Write the job's code for the tuner into ``folder``; returns the
        options of ``remote_main.py`` (the job's hyperparameters)."""
        shutil.copyfile(REMOTE_MAIN, folder / REMOTE_MAIN.name)
        upload = folder / ST_REMOTE_UPLOAD_DIR_NAME
        self.tuner.save(str(upload))
        if not (upload / ST_TUNER_DILL_FILENAME).is_file():
            raise ValueError(
                f"RemoteLauncher: the tuner {self.tuner.name} cannot be serialized (see the warning above)"
            )
        level = self.log_level if self.log_level is not None else logging.INFO
        options: dict[str, Any] = {
            "checkpoint_dir": SAGEMAKER_CHECKPOINT_PATH,
            "store_logs": self.store_logs_localbackend,
            "log_level": level if isinstance(level, str) else logging.getLevelName(level),
            "no_tuner_logging": self.no_tuner_logging,
            "publish_tuning_metrics": self.publish_tuning_metrics,
        }
        script = self.tuner.trial_backend.entrypoint_path()
        if script is not None:
            script = Path(script).resolve()
            if script.is_relative_to(SYNE_TUNE_PACKAGE_DIR):  # e.g. the PythonBackend's
                options["entry_point"] = f"{SYNE_TUNE_PACKAGE_DIR.name}/{script.relative_to(SYNE_TUNE_PACKAGE_DIR).as_posix()}"
            else:
                shutil.copytree(script.parent, folder / BACKEND_CODE_DIR_NAME, ignore=_PYCACHE)
                options["entry_point"] = f"{BACKEND_CODE_DIR_NAME}/{script.name}"
                requirements = script.parent / "requirements.txt"
                if requirements.is_file():
                    shutil.copyfile(requirements, folder / "requirements.txt")
        return options

    def make_estimator(self, job_name: str, source_dir: str | None = None, hyperparameters: dict | None = None):
        """The SDK estimator of the job (a ``sagemaker.pytorch.PyTorch``).

        Parameters
        ----------
        job_name
            Name of the job (its results go to ``<s3_path>/<job_name>/``).
        source_dir, hyperparameters
            Code folder and options of the entry point; default: those of
            the script mode (the script's folder and ``arguments``).
        """
        from sagemaker.pytorch import PyTorch

        tuner_mode = self.tuner is not None
        kwargs = dict(
            entry_point=REMOTE_MAIN.name if tuner_mode else self.entry_point.name,
            source_dir=source_dir or str(self.entry_point.parent),
            dependencies=self.dependencies,
            role=self.role,
            instance_type=self.instance_type,
            instance_count=self.instance_count,
            framework_version=self.framework_version,
            py_version=self.py_version,
            hyperparameters=hyperparameters if hyperparameters is not None else self.arguments,
            checkpoint_s3_uri=f"{self.s3_path}/{job_name}/",
            checkpoint_local_path=SAGEMAKER_CHECKPOINT_PATH,
            sagemaker_session=self.sagemaker_session,
            disable_profiler=True,
        )
        if tuner_mode and self.publish_tuning_metrics:
            kwargs["metric_definitions"] = RemoteTuningMetricsCallback.metric_definitions(
                list(self.tuner.scheduler.metric_names())
            )
        kwargs.update(self.estimator_kwargs)
        return PyTorch(**kwargs)

    def run(self, wait: bool = True) -> str:
        """Upload the code and start the job (with ``wait``, follow its logs
        until it ends).

        Returns
        -------
        str
            The job's name.

        Raises
        ------
        ValueError
            If the tuner cannot be serialized.
        """
        job_name = self._next_job_name()
        if self.tuner is None:
            self.estimator = self.make_estimator(job_name)
            self.job_name = job_name
            self.estimator.fit(job_name=job_name, wait=wait)
            return job_name
        # the SDK packs and uploads source_dir within fit(), before the job starts
        with tempfile.TemporaryDirectory(prefix="st-remote-") as folder:
            options = self._stage_tuner(Path(folder))
            self.estimator = self.make_estimator(job_name, source_dir=folder, hyperparameters=options)
            self.job_name = job_name
            self.estimator.fit(job_name=job_name, wait=wait)
        return job_name
