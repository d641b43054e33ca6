"""Run trials on a Ray cluster (:class:`RayBackend`, extra ``ray``).

Each busy trial runs on a *runner*: a Ray actor
(:class:`~syne_tune.backend.ray_backend.runner.TrialRunner`) that holds the
trial's resources (``resources_per_trial``: CPUs, GPUs, memory) on some node
and runs the trial's script there as a subprocess, with the argument
convention of the local backend (``--name value`` per key, or
``--st_config_json_filename``, and ``--st_checkpoint_dir``). Instead of a
script, a Python function can be tuned (``tune_function``): it travels as
with :class:`~syne_tune.backend.PythonBackend` (same rules: self-contained,
no closures) and runs in a subprocess on the node too.

Results stream back as they are reported: the runner parses each
``[tune-metric]: {json}`` line the moment it is printed, and the backend
keeps one long poll per busy trial open (:meth:`TrialRunner.next`), so
:meth:`RayBackend.wait_for_activity` returns as soon as any trial reported
or ended.

Trial folders. Every trial has ``<root>/<trial_id>/`` with ``config.json``,
``std.out``, ``std.err``, ``end`` (how it ended) and ``checkpoints/`` (its
``--st_checkpoint_dir``; kept when the trial is paused, so that it resumes
from there on whichever node it runs next). ``<root>`` is ``storage_path/<tuner
name>`` if ``storage_path`` is a folder, else the tuner's folder. Every node
and the tuner must reach ``<root>`` at the same path: on one machine any
local path does; on a cluster of several machines, give a shared file
system (NFS, a mounted bucket, ...).

Checkpoints in S3. With ``storage_path="s3://bucket/prefix"`` the trial
folders stay in the tuner's folder, and each trial's ``checkpoints/`` is
synced with ``s3://bucket/prefix/<tuner name>/<trial_id>/checkpoints/`` by
the runner that runs it (see :mod:`~syne_tune.backend.ray_backend.runner`):
downloaded before its script starts, uploaded once its processes are gone.
So a paused trial resumes from its checkpoint on any node, and
:meth:`RayBackend.copy_checkpoint` (PBT) and
:meth:`RayBackend.delete_checkpoint` act on the S3 prefix (and on the local
folder of the tuner's machine). boto3 clients (with botocore retries) take
credentials, region and endpoint from the environment, on every node.

Stop, pause and resume. Stopping or pausing a trial sends SIGTERM to its
script's process group (SIGKILL after :attr:`RayBackend.kill_grace_period`
seconds); a paused trial keeps its checkpoint folder and is resumed on any
free runner. With ``reuse_workers=True`` (default) a runner whose trial
ended runs the next trial, which saves starting a Ray worker process
(about a second) per trial; idle runners keep their resources until
:meth:`RayBackend.stop_all` (the tuner calls it at the end).

Failures. A trial whose script exits with a non-zero code, is killed by a
signal (also SIGKILL), whose runner's process dies, or whose node is lost
(Ray then reports the actor as dead) ends ``Failed``; the reason is logged,
returned by :meth:`RayBackend.failure_reason`, written to its ``end`` file
and appended to its ``std.err`` (so the tuner's message names it). The
other trials go on. A trial's processes die with its runner (a watchdog on
the runner's node), and runners die with the tuner's Ray driver.

Crash recovery. A backend restored from the tuner's snapshot restarts the
trials that were running (from their checkpoints) after reading from their
``std.out`` what they reported since the snapshot; see
:meth:`TrialBackend.recover`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from datetime import datetime
from numbers import Integral, Real
from pathlib import Path

from syne_tune.backend.python_backend.python_backend import _check_parameters, serialize_function
from syne_tune.backend.trial_backend import PolledTrial, PollingBackend
from syne_tune.backend.trial_folder import TrialFolderMixin, binary_argv, exit_reason, file_tail
from syne_tune.report import parse_report_lines
from syne_tune.trial import Status
from syne_tune.utils.json_io import json_default_as_str
from syne_tune.utils.s3 import split_s3_uri
from syne_tune.utils.validation import (
    Interval,
    InvalidParameterError,
    check_keys,
    check_parameter,
    validate_parameters,
)

logger = logging.getLogger(__name__)

__all__ = ["RayBackend"]

_PYTHON_ENTRYPOINT_MODULE = "syne_tune.backend.python_backend.python_entrypoint"
#: seconds one long poll of a runner waits for news
_LONG_POLL = 10.0
#: threads of a runner actor (long polls the driver gave up on may hold a few until they return)
_RUNNER_THREADS = 16
#: seconds, beyond the grace period, a terminating runner may take before it is killed
_TERMINATE_SLACK = 10.0
_DEFAULT_RESOURCES = {"cpu": 1.0, "gpu": 0.0, "memory": None, "custom": {}}
_RESOURCE_CONSTRAINTS = {
    "cpu": [Interval(Real, 0, None, closed="left")],
    "gpu": [Interval(Real, 0, None, closed="left")],
    "memory": [Interval(Integral, 1, None, closed="left"), None],
    "custom": [dict],
}
#: Ray's own resource names (not custom resources)
_RAY_BUILTIN_RESOURCES = ("CPU", "GPU", "memory", "object_store_memory")

_REMOTE_RUNNER = None


def _remote_runner_class():
    """``ray.remote(TrialRunner)``, made once per process."""
    global _REMOTE_RUNNER
    if _REMOTE_RUNNER is None:
        import ray

        from syne_tune.backend.ray_backend.runner import TrialRunner

        _REMOTE_RUNNER = ray.remote(TrialRunner)
    return _REMOTE_RUNNER


class _Active:
    """The run of a busy trial on a runner."""

    __slots__ = ("runner", "run_id", "received", "pending")

    def __init__(self, runner, run_id: int):
        self.runner = runner
        self.run_id = run_id
        self.received = 0  # results of this run handed to the tuner
        self.pending = runner.next.remote(run_id, 0, _LONG_POLL)


class _Dying:
    """A run being terminated (its runner returns to the pool after)."""

    __slots__ = ("trial_id", "runner", "ref", "deadline")

    def __init__(self, trial_id: int, runner, ref, deadline: float):
        self.trial_id = trial_id
        self.runner = runner
        self.ref = ref
        self.deadline = deadline


class RayBackend(TrialFolderMixin, PollingBackend):
    """Runs each trial on a Ray cluster (see the module docstring).

    Parameters
    ----------
    entry_point
        Path of the training script (it must exist at this path on every
        node). It receives the configuration as ``--name value`` arguments
        and reports with :class:`syne_tune.Reporter`. Give either this or
        ``tune_function``.
    tune_function
        A Python function to tune instead of a script (see
        :class:`~syne_tune.backend.PythonBackend` for what it may use).
    config_space
        The configuration space; needed with ``tune_function`` (its
        parameters are checked against it).
    resources_per_trial
        What each trial holds on its node: ``{"cpu": 1, "gpu": 0, "memory":
        None, "custom": {}}`` by default; ``cpu`` and ``gpu`` may be
        fractions, ``memory`` is in bytes (``None``: not reserved),
        ``custom`` maps names of custom Ray resources (those of ``ray start
        --resources``) to amounts, e.g. ``{"custom": {"big_disk": 1}}``. A
        trial waits until a node has its resources free.
    address
        Address of a running Ray cluster (``"auto"``, ``"<host>:<port>"``,
        ``"ray://<host>:10001"``). ``None``: the driver's Ray if
        ``ray.init`` was called already, else ``ray.init()``'s default (the
        cluster started on this machine with ``ray start``, if any, else a
        new local one).
    storage_path
        Folder holding the trial folders (``<storage_path>/<tuner name>/``),
        reachable by every node at this path. ``None``: the tuner's folder.
        Or an S3 location ``s3://bucket/prefix``: the trial folders are in
        the tuner's folder, and each trial's checkpoint folder is synced with
        ``s3://bucket/prefix/<tuner name>/<trial_id>/checkpoints/`` (needs
        boto3 on the tuner's machine and on every node).
    delete_checkpoints
        Delete a trial's ``checkpoints/`` once it is completed or stopped.
    pass_args_as_json
        Pass the configuration as a JSON file (``--st_config_json_filename``)
        instead of one argument per key (always so with ``tune_function``).
    binary
        Program that runs the script on the nodes (default: the runner's
        Python interpreter); a string or a list such as ``["python3", "-u"]``.
    reuse_workers
        Run a new trial on a runner whose trial ended (default), instead of
        starting a new Ray actor for every trial.
    ray_init_kwargs
        Further arguments of ``ray.init`` (e.g. ``{"num_cpus": 4}`` for a
        new local cluster), used only if Ray is not initialized yet.

    Raises
    ------
    InvalidParameterError
        For an argument of the wrong type or value.
    ValueError
        If neither or both of ``entry_point`` and ``tune_function`` are
        given, ``config_space`` is missing with ``tune_function``, or
        ``storage_path`` is a URI other than ``s3://bucket[/prefix]``.
    FileNotFoundError
        If ``entry_point`` is not a file.
    """

    #: Seconds between SIGTERM and SIGKILL when a trial is stopped or paused.
    kill_grace_period: float = 2.0

    _backend_label = "RayBackend"
    _log = logger

    _parameter_constraints = {
        "entry_point": [str, os.PathLike, None],
        "tune_function": ["callable", None],
        "config_space": [dict, None],
        "resources_per_trial": [dict, None],
        "address": [str, None],
        "storage_path": [str, os.PathLike, None],
        "binary": [str, os.PathLike, list, None],
        "reuse_workers": ["boolean"],
        "ray_init_kwargs": [dict, None],
    }

    def __init__(
        self,
        entry_point: str | None = None,
        tune_function=None,
        config_space: dict | None = None,
        resources_per_trial: dict | None = None,
        address: str | None = None,
        storage_path: str | None = None,
        delete_checkpoints: bool = False,
        pass_args_as_json: bool = False,
        binary: str | list[str] | None = None,
        reuse_workers: bool = True,
        ray_init_kwargs: dict | None = None,
    ):
        # -- every argument is checked here, before anything is set up
        validate_parameters(self, locals())
        if (entry_point is None) == (tune_function is None):
            raise ValueError("RayBackend needs exactly one of entry_point (a script) and tune_function (a function)")
        if tune_function is not None and config_space is None:
            raise ValueError("RayBackend: tune_function needs config_space (to check the function's parameters)")
        s3_storage = storage_path is not None and "://" in str(storage_path)
        if s3_storage:
            try:
                split_s3_uri(str(storage_path))
            except ValueError:
                raise ValueError(
                    f"The 'storage_path' parameter of RayBackend must be a folder every node reaches at the same "
                    f"path (a shared file system) or an S3 location s3://bucket[/prefix]; other URIs are not "
                    f"supported. Got {str(storage_path)!r} instead."
                ) from None
        self.resources_per_trial = self._checked_resources(resources_per_trial)
        self._payload: bytes | None = None
        self._payload_hash: str | None = None
        if tune_function is not None:
            _check_parameters(tune_function, config_space)
            self._payload = serialize_function(tune_function)
            self._payload_hash = hashlib.sha256(self._payload).hexdigest()
            pass_args_as_json = True
        # -- set up
        self.tune_function = tune_function
        super().__init__(delete_checkpoints=delete_checkpoints, pass_args_as_json=pass_args_as_json)
        self.entry_point: str | None = None
        if entry_point is not None:
            self.set_entrypoint(str(entry_point))
        self.config_space = config_space
        self.address = address
        if s3_storage:
            self.storage_path = str(storage_path).rstrip("/")
        else:
            self.storage_path = None if storage_path is None else str(Path(storage_path).expanduser().resolve())
        self.binary = binary_argv(binary)
        self.reuse_workers = bool(reuse_workers)
        self.ray_init_kwargs = dict(ray_init_kwargs or {})
        self.results_root: Path | None = None
        self.tuner_name: str | None = None
        # per trial: byte offset of std.out after the last result the tuner got
        self._out_offset: dict[int, int] = {}
        # exit status of a trial's run, once seen (shown by the next fetch)
        self._exit_status: dict[int, str] = {}
        self._failure_reasons: dict[int, str] = {}
        self._copied_checkpoint: set[int] = set()
        self._warned_bad_lines: set[int] = set()
        self._init_runtime()

    @staticmethod
    def _checked_resources(resources: dict | None) -> dict:
        resources = dict(resources or {})
        check_keys(RayBackend, "resources_per_trial", resources, _DEFAULT_RESOURCES)
        for key, constraints in _RESOURCE_CONSTRAINTS.items():
            if key in resources:
                check_parameter(RayBackend, f'resources_per_trial["{key}"]', resources[key], constraints)
        custom = dict(resources.get("custom", {}))
        for name, amount in custom.items():
            if not isinstance(name, str) or not name or name in _RAY_BUILTIN_RESOURCES:
                raise InvalidParameterError(
                    f"The keys of the 'resources_per_trial[\"custom\"]' parameter of RayBackend must be names of "
                    f"custom Ray resources (non-empty strings other than {', '.join(_RAY_BUILTIN_RESOURCES)}; "
                    f"use 'cpu', 'gpu' and 'memory' for those). Got {name!r} instead."
                )
            check_parameter(
                RayBackend, f'resources_per_trial["custom"]["{name}"]', amount, [Interval(Real, 0, None, closed="left")]
            )
        return {**_DEFAULT_RESOURCES, **resources, "custom": custom}

    def _init_runtime(self) -> None:
        self._active: dict[int, _Active] = {}
        self._idle: list = []  # runners without a run
        self._dying: list[_Dying] = []
        self._delete_when_dead: set[int] = set()
        self._next_run_id = 0
        self._checked_cluster = False
        self._written_payload: str | None = None
        # set by interrupt_all: interrupted trials are restarted by a restored backend only
        self._hold_restarts = False
        self._s3_client = None

    # -- pickling: the tuner saves itself with its backend --------------------
    def __getstate__(self):
        state = dict(self.__dict__)
        for name in (
            "_active",
            "_idle",
            "_dying",
            "_delete_when_dead",
            "_next_run_id",
            "_checked_cluster",
            "_written_payload",
            "_hold_restarts",
            "_s3_client",
        ):
            state.pop(name, None)
        # the function travels as its serialized code
        state["tune_function"] = None
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self.resources_per_trial.setdefault("custom", {})  # a snapshot of an older version
        self._init_runtime()

    # -- paths -----------------------------------------------------------------
    def set_entrypoint(self, entry_point: str) -> None:
        if self._payload is not None:
            raise ValueError("RayBackend: this backend tunes a function (tune_function); it has no entry point")
        self.entry_point = self._resolved_entry_point(entry_point)

    def entrypoint_path(self) -> Path | None:
        return Path(self.entry_point) if self.entry_point is not None else None

    def set_path(self, results_root: str, tuner_name: str | None = None) -> None:
        super().set_path(results_root, tuner_name)
        self._written_payload = None

    def _root(self) -> Path:
        if self.storage_path is not None and not self._checkpoints_in_s3():
            if self.tuner_name is None:
                self.tuner_name = "ray-backend-" + datetime.now().strftime("%Y-%m-%d-%H-%M-%S-%f")[:-3]
            return Path(self.storage_path) / self.tuner_name
        return super()._root()

    # -- checkpoints in S3 ---------------------------------------------------------
    def _checkpoints_in_s3(self) -> bool:
        return self.storage_path is not None and self.storage_path.startswith("s3://")

    def checkpoint_uri(self, trial_id: int) -> str | None:
        """S3 location of the trial's checkpoint
        (``<storage_path>/<tuner name>/<trial_id>/checkpoints``), ``None``
        unless ``storage_path`` is an S3 location."""
        if not self._checkpoints_in_s3():
            return None
        if self.tuner_name is None:
            self.tuner_name = "ray-backend-" + datetime.now().strftime("%Y-%m-%d-%H-%M-%S-%f")[:-3]
        return f"{self.storage_path}/{self.tuner_name}/{trial_id}/checkpoints"

    def _s3(self):
        """The tuner side's S3 client (boto3 default chain, botocore retries)."""
        if self._s3_client is None:
            from syne_tune.backend.sagemaker_backend.aws import import_aws_sdk, make_client

            boto3 = import_aws_sdk(need_sagemaker=False)
            self._s3_client = make_client(boto3.session.Session(), "s3")
        return self._s3_client

    def copy_checkpoint(self, src_trial_id: int, tgt_trial_id: int) -> None:
        """Replace the checkpoint of ``tgt_trial_id`` by a copy of that of
        ``src_trial_id``; with checkpoints in S3, the copy is made in S3
        (server side) once the source's run being ended, if any, has
        uploaded its checkpoint."""
        if self._checkpoints_in_s3():
            from syne_tune.backend.sagemaker_backend.aws import copy_prefix

            self._finish_dying({src_trial_id})
            copy_prefix(self._s3(), self.checkpoint_uri(src_trial_id), self.checkpoint_uri(tgt_trial_id))
        super().copy_checkpoint(src_trial_id, tgt_trial_id)

    def _remove_checkpoint(self, trial_id: int) -> None:
        super()._remove_checkpoint(trial_id)
        if self._checkpoints_in_s3():
            from syne_tune.backend.sagemaker_backend.aws import delete_prefix

            delete_prefix(self._s3(), self.checkpoint_uri(trial_id))

    def tune_function_path(self) -> Path:
        """Folder holding the serialized function (with ``tune_function``)."""
        return self._root() / "tune_function"

    # -- Ray ---------------------------------------------------------------------
    def _ensure_ray(self) -> None:
        import ray

        if not ray.is_initialized():
            kwargs = dict(self.ray_init_kwargs)
            if self.address is not None:
                kwargs.setdefault("address", self.address)
            ray.init(**kwargs)
        if not self._checked_cluster:
            self._checked_cluster = True
            total = ray.cluster_resources()
            asked = [(self.resources_per_trial["cpu"], "CPU"), (self.resources_per_trial["gpu"], "GPU")]
            asked += [(amount, name) for name, amount in self.resources_per_trial["custom"].items()]
            for amount, name in asked:
                if amount > total.get(name, 0.0):
                    logger.warning(
                        "RayBackend: each trial asks for %s %s, but the Ray cluster has %s in all; trials wait "
                        "until nodes with enough resources join",
                        amount,
                        name,
                        total.get(name, 0.0),
                    )

    def _actor_options(self) -> dict:
        res = self.resources_per_trial
        options = {"num_cpus": res["cpu"], "num_gpus": res["gpu"], "max_restarts": 0, "max_concurrency": _RUNNER_THREADS}
        if res["memory"] is not None:
            options["memory"] = res["memory"]
        if res["custom"]:
            options["resources"] = dict(res["custom"])
        return options

    def _take_runner(self):
        """An idle runner, else a new one. A runner whose run is being
        terminated still holds its resources: with reuse, wait for one of
        them (a new actor could not be placed while it holds them)."""
        import ray

        if not self._idle and self._dying and self.reuse_workers:
            ray.wait([d.ref for d in self._dying], num_returns=1, timeout=self.kill_grace_period + _TERMINATE_SLACK)
            self._reap()
        if self._idle:
            return self._idle.pop()
        return _remote_runner_class().options(**self._actor_options()).remote(self.binary)

    def _release_runner(self, runner) -> None:
        """A runner whose run is over: back to the pool, or gone."""
        if self.reuse_workers:
            self._idle.append(runner)
        else:
            self._kill_runner(runner)

    @staticmethod
    def _kill_runner(runner) -> None:
        import ray

        try:
            ray.kill(runner, no_restart=True)
        except Exception:  # already gone
            pass

    def worker_info(self, trial_id: int, timeout: float = 60.0) -> dict:
        """Where a running trial runs: ``worker_pid`` (its runner's process),
        ``trial_pid`` (its script's process; ``None`` until it started),
        ``node`` (host name) and ``cuda_visible_devices``. Waits up to
        ``timeout`` seconds for the runner to be placed.

        Raises
        ------
        ValueError
            If the trial is not running.
        """
        import ray

        active = self._active.get(trial_id)
        if active is None:
            raise ValueError(f"Trial {trial_id} is not running on a Ray worker")
        return ray.get(active.runner.info.remote(), timeout=timeout)

    # -- starting a run ------------------------------------------------------------
    def _args(self, trial_id: int, config: dict) -> list[str]:
        """The trial's command line after the binary (see the module docstring)."""
        args = self._script_arguments(trial_id, config)
        if self._payload is None:
            return [self.entry_point] + args
        root = self._write_function()
        return ["-m", _PYTHON_ENTRYPOINT_MODULE] + args + [
            "--tune_function_root",
            str(root),
            "--tune_function_hash",
            self._payload_hash,
        ]

    def _write_function(self) -> Path:
        root = self.tune_function_path()
        if self._written_payload != str(root):
            root.mkdir(parents=True, exist_ok=True)
            tmp = root / "tune_function.bin.tmp"
            tmp.write_bytes(self._payload)
            tmp.replace(root / "tune_function.bin")
            self._written_payload = str(root)
        return root

    def _schedule(self, trial_id: int, config: dict) -> None:
        self._ensure_ray()
        trial_path = self.trial_path(trial_id)
        restart = trial_id in self._out_offset
        if restart:
            # the old run must not write next to the new one; what it wrote
            # after the tuner's last result is never read
            self._finish_dying({trial_id})
            self._out_offset[trial_id] = self._stdout_size(trial_id)
        else:
            if self._checkpoints_in_s3() and trial_id not in self._copied_checkpoint:
                self._remove_checkpoint(trial_id)  # left by an earlier tuner of the same name
            self._prepare_fresh_folder(trial_id, trial_path)
            self._out_offset[trial_id] = 0
        with open(trial_path / "config.json", "w") as f:
            json.dump(config, f, default=json_default_as_str)
        try:
            (trial_path / "end").unlink()
        except FileNotFoundError:
            pass
        self._exit_status.pop(trial_id, None)
        self._failure_reasons.pop(trial_id, None)
        self._delete_when_dead.discard(trial_id)
        args = self._args(trial_id, config)
        runner = self._take_runner()
        run_id = self._next_run_id
        self._next_run_id += 1
        runner.launch.remote(run_id, args, str(trial_path), str(self.checkpoint_path(trial_id)), self.checkpoint_uri(trial_id))
        self._active[trial_id] = _Active(runner, run_id)

    def _stdout_size(self, trial_id: int) -> int:
        try:
            return os.stat(self.trial_path(trial_id) / "std.out").st_size
        except FileNotFoundError:
            return 0

    # -- results and exits -----------------------------------------------------------
    def _poll(self, trial_ids: list[int]) -> list[PolledTrial]:
        import ray

        if self._dying:
            self._reap()
        refs = [self._active[t].pending for t in trial_ids if t in self._active]
        ready = set(ray.wait(refs, num_returns=len(refs), timeout=0)[0]) if refs else set()
        polled = []
        for trial_id in trial_ids:
            exit_status = self._exit_status.get(trial_id)
            if exit_status is not None:
                polled.append(PolledTrial(trial_id, [], exit_status))
                continue
            active = self._active.get(trial_id)
            if active is None:
                # interrupted, or restored from a snapshot: the trial was running when the tuner stopped
                if self._hold_restarts:
                    polled.append(PolledTrial(trial_id, self._read_unseen(trial_id), None))
                else:
                    polled.append(self._restart_interrupted(trial_id))
                continue
            if active.pending not in ready:
                continue
            polled.append(self._take_reply(trial_id, active))
        return polled

    def _take_reply(self, trial_id: int, active: _Active) -> PolledTrial:
        import ray
        from ray.exceptions import RayError

        try:
            reply = ray.get(active.pending)
        except RayError as ex:
            del self._active[trial_id]
            self._kill_runner(active.runner)
            first_line = str(ex).strip().splitlines()[0] if str(ex).strip() else ""
            self._on_exit(trial_id, None, f"its Ray worker died ({type(ex).__name__}: {first_line})")
            return PolledTrial(trial_id, [], self._exit_status[trial_id])
        results = reply["results"]
        if results:
            active.received += len(results)
            self._out_offset[trial_id] = reply["offset"]
        if reply["bad_lines"] and trial_id not in self._warned_bad_lines:
            self._warned_bad_lines.add(trial_id)
            logger.warning(
                "Trial %d printed line(s) starting with '[tune-metric]: ' that are not a JSON object of metrics; "
                "they are ignored (warned once per trial)",
                trial_id,
            )
        if not reply["done"]:
            active.pending = active.runner.next.remote(active.run_id, active.received, _LONG_POLL)
            return PolledTrial(trial_id, results, None)
        del self._active[trial_id]
        self._release_runner(active.runner)
        # the error of a run that started: its checkpoint upload failed
        reasons = [exit_reason(reply["code"])] if reply["code"] else []
        reasons += [reply["error"]] if reply["error"] else []
        self._on_exit(trial_id, reply["code"], "; ".join(reasons) or None)
        return PolledTrial(trial_id, results, self._exit_status[trial_id])

    def _on_exit(self, trial_id: int, code: int | None, reason: str | None) -> None:
        """Record how a trial's run ended (``reason``: why it failed, ``None``
        if it completed)."""
        status = Status.completed if reason is None else Status.failed
        self._exit_status[trial_id] = status
        trial_path = self.trial_path(trial_id)
        try:
            with open(trial_path / "end", "w") as f:
                json.dump({"returncode": code, "reason": reason, "end_time": datetime.now().timestamp()}, f)
        except OSError:
            pass
        if reason is None:
            return
        self._failure_reasons[trial_id] = reason
        err_path = trial_path / "std.err"
        tail = file_tail(err_path)  # before the line added here
        try:
            with open(err_path, "a") as f:
                f.write(f"\n[syne_tune RayBackend] trial {trial_id} failed: {reason}\n")
        except OSError:
            pass
        self._log_failure(trial_id, reason, tail)

    def failure_reason(self, trial_id: int) -> str | None:
        """Why a trial failed (``"exit code 3"``, ``"killed by signal
        SIGKILL"``, ``"its Ray worker died (...)"``); ``None`` if it did not."""
        self._check_known(trial_id)
        reason = self._failure_reasons.get(trial_id)
        if reason is None and self.trial_status(trial_id) == Status.failed:
            try:
                with open(self.trial_path(trial_id) / "end") as f:
                    reason = json.load(f).get("reason")
            except (OSError, ValueError):
                pass
        return reason

    def _read_unseen(self, trial_id: int) -> list[dict]:
        """Results in the complete lines of the trial's ``std.out`` after the
        last result the tuner got (for a trial whose run was interrupted)."""
        offset = self._out_offset.get(trial_id, 0)
        try:
            with open(self.trial_path(trial_id) / "std.out", "rb") as f:
                f.seek(offset)
                data = f.read()
        except FileNotFoundError:
            return []
        cut = data.rfind(b"\n")
        if cut < 0:
            return []
        self._out_offset[trial_id] = offset + cut + 1
        lines = [line.decode("utf-8", errors="replace") for line in data[: cut + 1].split(b"\n")]
        return parse_report_lines(lines)[0]

    def _restart_interrupted(self, trial_id: int) -> PolledTrial:
        """A restored backend: read what the trial reported after the tuner's
        last result from its ``std.out``, then restart it from its checkpoint
        (it stays busy)."""
        results = self._read_unseen(trial_id)
        logger.info("Restarting trial %d, which was running when the tuner stopped", trial_id)
        self._schedule(trial_id, self.get_trial(trial_id).config)
        return PolledTrial(trial_id, results, None)

    def interrupt_all(self) -> bool:
        """End the runs of all busy trials and wait until they are over; the
        trials stay busy: what they reported is still read (from their
        ``std.out``), and a tuner resumed from a snapshot restarts them from
        their checkpoints (see :meth:`TrialBackend.recover`)."""
        self._hold_restarts = True
        for trial_id, _ in self.busy_trial_ids():
            if trial_id not in self._exit_status:
                self._terminate(trial_id)
        self._finish_dying(None)
        return True

    # -- stop, pause, resume ---------------------------------------------------
    def _terminate(self, trial_id: int) -> None:
        """Ask the trial's runner to end its run (does not wait)."""
        active = self._active.pop(trial_id, None)
        if active is None:
            return
        ref = active.runner.terminate.remote(active.run_id, self.kill_grace_period)
        deadline = time.monotonic() + self.kill_grace_period + _TERMINATE_SLACK
        self._dying.append(_Dying(trial_id, active.runner, ref, deadline))

    def _pause_trial(self, trial_id: int, result: dict | None) -> None:
        self._terminate(trial_id)

    def _stop_trial(self, trial_id: int, result: dict | None) -> None:
        self._terminate(trial_id)

    def _reap(self, final: bool = False) -> None:
        """Runners whose run ended go back to the pool; those past their
        deadline (all if ``final``) are killed."""
        import ray
        from ray.exceptions import RayError

        if not self._dying:
            return
        refs = [d.ref for d in self._dying]
        ready = set(ray.wait(refs, num_returns=len(refs), timeout=0)[0])
        now = time.monotonic()
        still = []
        for entry in self._dying:
            if entry.ref in ready:
                try:
                    ray.get(entry.ref)
                    self._release_runner(entry.runner)
                except RayError:
                    self._kill_runner(entry.runner)
            elif final or now >= entry.deadline:
                self._kill_runner(entry.runner)  # its watchdog ends the script
            else:
                still.append(entry)
                continue
            self._on_run_gone(entry.trial_id, still)
        self._dying = still

    def _on_run_gone(self, trial_id: int, still: list[_Dying]) -> None:
        """A run of ``trial_id`` is over (``still``: the runs still ending):
        delete its checkpoint if that was asked for meanwhile."""
        self._run_gone(trial_id, trial_id in self._active or any(e.trial_id == trial_id for e in still))

    def _finish_dying(self, trial_ids: set[int] | None = None) -> None:
        """Block until the runs being terminated of ``trial_ids`` (all if
        ``None``) are over; kill the runners that take too long."""
        import ray

        entries = [d for d in self._dying if trial_ids is None or d.trial_id in trial_ids]
        if not entries:
            return
        wait = max(0.0, max(d.deadline for d in entries) - time.monotonic())
        ray.wait([d.ref for d in entries], num_returns=len(entries), timeout=wait)
        self._reap()
        left = [d for d in self._dying if trial_ids is None or d.trial_id in trial_ids]
        for entry in left:
            self._kill_runner(entry.runner)
            self._dying.remove(entry)
            self._on_run_gone(entry.trial_id, self._dying)

    def stop_all(self) -> None:
        """Stop all running trials, wait until their runs are over, and
        release every runner (and its resources)."""
        try:
            super().stop_all()
        finally:
            if self._dying:
                self._finish_dying(None)
            for trial_id in list(self._active):
                self._terminate(trial_id)
            if self._dying:
                self._finish_dying(None)
            for runner in self._idle:
                self._kill_runner(runner)
            self._idle = []

    # -- waiting ---------------------------------------------------------------
    def wait_for_activity(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds; return ``True`` as soon as a busy
        trial reported a result or ended."""
        import ray

        busy = [trial_id for trial_id, _ in self.busy_trial_ids()]
        if any(t in self._exit_status or t not in self._active for t in busy):
            return True
        refs = [active.pending for active in self._active.values()]
        if not refs:
            if timeout > 0:
                time.sleep(timeout)
            return False
        ready, _ = ray.wait(refs, num_returns=1, timeout=max(0.0, timeout))
        return bool(ready)

    # -- files -----------------------------------------------------------------
    def _run_in_progress(self, trial_id: int) -> bool:
        return trial_id in self._active or any(d.trial_id == trial_id for d in self._dying)

    def __del__(self):
        # a backend dropped without stop_all must not keep runners (and their resources)
        try:
            runners = [a.runner for a in getattr(self, "_active", {}).values()]
            runners += [d.runner for d in getattr(self, "_dying", [])] + list(getattr(self, "_idle", []))
            for runner in runners:
                self._kill_runner(runner)
        except Exception:
            pass
