"""Run each trial as a subprocess on this machine.

Every trial gets a folder ``<results_root>/<trial_id>/`` holding

* ``config.json``: the trial's configuration;
* ``std.out`` / ``std.err``: what the script printed (appended to when a trial
  is resumed, so the files tell the whole story);
* ``checkpoints/``: passed to the script as ``--st_checkpoint_dir``; kept when
  the trial is paused, so that a resumed trial continues where it left off;
* ``end``: written when the backend sees the process exit (exit code and time).

The script is started as ``[python, entry_point, "--name", "value", ...,
"--st_checkpoint_dir", "<trial folder>/checkpoints"]``: an argument list, never
a shell command line, so values with spaces or quotes arrive as they are. A
value starting with ``-`` is passed as ``--name=value`` so that ``argparse``
does not mistake it for an option. With ``pass_args_as_json=True`` the script
only gets ``--st_config_json_filename`` and ``--st_checkpoint_dir``.

Each trial runs in a process group of its own (a new session). Stopping or
pausing a trial sends SIGTERM to the whole group, so processes the script
started (data loaders, ...) end with it, and SIGKILL to whatever is left
after :attr:`LocalBackend.kill_grace_period` seconds. :meth:`LocalBackend.stop_all`
(the tuner calls it at the end and on Ctrl-C) waits until every group is gone;
as a last resort, groups still alive when the Python process exits are killed.

Environment of a trial: the tuner's environment, plus

* ``OMP_NUM_THREADS=1`` if the tuner's environment does not set it (several
  trials share the CPU cores; set ``OMP_NUM_THREADS`` before launching the
  tuner to choose another value);
* ``CUDA_VISIBLE_DEVICES`` when GPUs are rotated (see
  :mod:`syne_tune.backend.gpu`);
* the folder holding this ``syne_tune`` package appended to ``PYTHONPATH``
  when it is not installed in site-packages, so that the script imports the
  same ``syne_tune`` as the tuner.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
import weakref
from datetime import datetime
from pathlib import Path

from syne_tune.backend.gpu import GPURotation
from syne_tune.backend.trial_backend import BUSY_STATUS, TrialBackend
from syne_tune.trial import Status, TrialResult
from syne_tune.constants import ST_CHECKPOINT_DIR, ST_CONFIG_JSON_FNAME_ARG, SYNETUNE_FOLDER
from syne_tune.report import retrieve

logger = logging.getLogger(__name__)

_METRIC_TAG = b"[tune-metric]: "
_MAX_PARTIAL_LINE = 1 << 20  # bytes of an unfinished stdout line kept in memory
_STDERR_TAIL_BYTES = 4096
_STDERR_TAIL_LINES = 30

# backends that own running processes: their groups are killed at exit
_LIVE_BACKENDS: weakref.WeakSet = weakref.WeakSet()
_ATEXIT_REGISTERED = False


def _kill_leftovers_at_exit():
    for backend in list(_LIVE_BACKENDS):
        try:
            backend._kill_everything(wait=1.0)
        except Exception:  # pragma: no cover - best effort at interpreter exit
            pass


def _register_backend(backend) -> None:
    global _ATEXIT_REGISTERED
    _LIVE_BACKENDS.add(backend)
    if not _ATEXIT_REGISTERED:
        atexit.register(_kill_leftovers_at_exit)
        _ATEXIT_REGISTERED = True


def _process_start_ticks(pid: int) -> int | None:
    """Start time of a process (Linux ``/proc``), to recognise it later
    despite pid reuse. ``None`` where unavailable."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read()
        return int(data[data.rindex(b")") + 2 :].split()[19])
    except (OSError, ValueError, IndexError):
        return None


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _group_has_live_members(pgid: int) -> bool:
    """Like :func:`_group_alive`, but zombies (exited, not yet reaped by their
    new parent) do not count. Scans ``/proc``; only used after SIGKILL."""
    if not _group_alive(pgid):
        return False
    try:
        pids = [p for p in os.listdir("/proc") if p.isdigit()]
    except OSError:
        return True
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat", "rb") as f:
                data = f.read()
            fields = data[data.rindex(b")") + 2 :].split()
            if int(fields[2]) == pgid and fields[0] not in (b"Z", b"X"):
                return True
        except (OSError, ValueError, IndexError):
            continue
    return False


def _signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _json_default(value):
    if hasattr(value, "tolist"):  # numpy scalars and arrays
        return value.tolist()
    # anything else reaches a script as its string, as on the command line
    return str(value)


def _site_dirs() -> set[str]:
    import site

    dirs = set()
    try:
        dirs.update(site.getsitepackages())
    except AttributeError:  # pragma: no cover - virtualenv's old site.py
        pass
    try:
        dirs.add(site.getusersitepackages())
    except AttributeError:  # pragma: no cover
        pass
    return {os.path.realpath(d) for d in dirs}


_PACKAGE_ROOT: str | None = None


def _package_root_for_children() -> str | None:
    """Folder to add to a child's ``PYTHONPATH`` so it imports this syne_tune
    (``None`` if the package is installed in site-packages)."""
    global _PACKAGE_ROOT
    if _PACKAGE_ROOT is None:
        root = os.path.realpath(str(Path(__file__).resolve().parents[2]))
        _PACKAGE_ROOT = "" if root in _site_dirs() else root
    return _PACKAGE_ROOT or None


class LocalBackend(TrialBackend):
    """Runs each trial as a local subprocess of ``entry_point``.

    Parameters
    ----------
    entry_point
        Path of the training script. It receives the configuration as
        command-line arguments ``--name value`` and reports with
        :class:`syne_tune.Reporter`.
    delete_checkpoints
        Delete a trial's ``checkpoints/`` once it is completed or stopped.
    pass_args_as_json
        Pass the configuration as a JSON file (``--st_config_json_filename``)
        instead of one argument per key; see
        :func:`syne_tune.utils.load_config_json`.
    rotate_gpus
        With more than one GPU, give each trial its own GPU(s) via
        ``CUDA_VISIBLE_DEVICES`` (free ones first).
    num_gpus_per_trial
        GPUs per trial when rotating.
    gpus_to_use
        Only rotate over these GPU ids.
    binary
        Program that runs the script (default: this Python interpreter,
        ``sys.executable``); a string or a list such as ``["python3", "-u"]``.
    """

    #: Seconds between SIGTERM and SIGKILL when a trial is stopped or paused.
    kill_grace_period: float = 2.0

    def __init__(
        self,
        entry_point: str,
        delete_checkpoints: bool = False,
        pass_args_as_json: bool = False,
        rotate_gpus: bool = True,
        num_gpus_per_trial: int = 1,
        gpus_to_use: list | None = None,
        binary: str | list[str] | None = None,
    ):
        super().__init__(delete_checkpoints=delete_checkpoints, pass_args_as_json=pass_args_as_json)
        self.set_entrypoint(entry_point)
        self.rotate_gpus = bool(rotate_gpus)
        self.num_gpus_per_trial = int(num_gpus_per_trial)
        self.gpus_to_use = gpus_to_use
        self._gpus = GPURotation(num_gpus_per_trial=num_gpus_per_trial, gpus_to_use=gpus_to_use) if rotate_gpus else None
        if binary is None:
            self.binary = None
        elif isinstance(binary, (str, os.PathLike)):
            self.binary = [str(binary)]
        else:
            self.binary = [str(b) for b in binary]
        self.results_root: Path | None = None
        self.tuner_name: str | None = None
        # per trial: metrics parsed so far, bytes of std.out consumed, the
        # unfinished last line, and the (pid, start ticks) of its last process
        self._metrics: dict[int, list[dict]] = {}
        self._out_offset: dict[int, int] = {}
        self._out_partial: dict[int, bytes] = {}
        self._proc_info: dict[int, tuple[int, int | None]] = {}
        self._exit_status: dict[int, tuple[str, datetime]] = {}
        self._copied_checkpoint: set[int] = set()
        self._discard_before_restart: set[int] = set()
        self._init_runtime()

    def _init_runtime(self):
        self._procs: dict[int, subprocess.Popen] = {}
        # process groups being killed: [popen or None, pgid, SIGKILL deadline]
        # (+ True for a group that is not our child, e.g. left by an earlier tuner)
        self._dying: list[list] = []

    # -- pickling: the tuner saves itself with its backend --------------------
    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("_procs", None)
        state.pop("_dying", None)
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._init_runtime()

    # -- paths -----------------------------------------------------------------
    def set_entrypoint(self, entry_point: str) -> None:
        path = Path(entry_point).expanduser()
        if not path.is_file():
            raise FileNotFoundError(f"LocalBackend: entry point {entry_point} is not a file")
        self.entry_point = str(path.resolve())

    def entrypoint_path(self) -> Path:
        return Path(self.entry_point)

    def set_path(self, results_root: str, tuner_name: str | None = None) -> None:
        super().set_path(results_root, tuner_name)
        self._stdout_files = {}

    def _root(self) -> Path:
        if self.results_root is None:
            base = Path(os.environ.get(SYNETUNE_FOLDER, Path.home() / "syne-tune")).expanduser()
            stamp = datetime.now().strftime("%Y-%m-%d-%H-%M-%S-%f")[:-3]
            self.results_root = base / f"local-backend-{stamp}"
            logger.info(f"LocalBackend: set_path was not called; trial folders go to {self.results_root}")
        return Path(self.results_root)

    def _stdout_file(self, trial_id: int) -> str:
        """Path of a trial's std.out as a string (cached: polled often)."""
        cache = self.__dict__.setdefault("_stdout_files", {})
        path = cache.get(trial_id)
        if path is None:
            path = cache[trial_id] = str(self.trial_path(trial_id) / "std.out")
        return path

    def trial_path(self, trial_id: int) -> Path:
        """Folder of a trial."""
        return self._root() / str(trial_id)

    def checkpoint_path(self, trial_id: int) -> Path:
        """Checkpoint folder of a trial (``--st_checkpoint_dir``)."""
        return self.trial_path(trial_id) / "checkpoints"

    # -- GPUs ------------------------------------------------------------------
    def set_gpu_devices(self, devices: list) -> None:
        """Rotate over ``devices`` instead of the GPUs ``nvidia-smi`` finds
        (for tests, or to hand out only some GPUs)."""
        if self._gpus is None:
            raise ValueError("set_gpu_devices needs rotate_gpus=True")
        self._gpus.set_devices(devices)

    def gpus_of_trial(self, trial_id: int) -> list[str] | None:
        """GPUs currently assigned to a running trial (``None`` if none)."""
        return None if self._gpus is None else self._gpus.gpus_of(trial_id)

    # -- starting a process ----------------------------------------------------
    def _command(self, trial_id: int, config: dict) -> list[str]:
        argv = list(self.binary) if self.binary else [sys.executable]
        argv.append(self.entry_point)
        checkpoint_dir = str(self.checkpoint_path(trial_id))
        if self.pass_args_as_json:
            argv += [f"--{ST_CONFIG_JSON_FNAME_ARG}", str(self.trial_path(trial_id) / "config.json")]
        else:
            for key, value in config.items():
                if key in (ST_CHECKPOINT_DIR, ST_CONFIG_JSON_FNAME_ARG):
                    continue
                value = str(value)
                if value.startswith("-"):
                    argv.append(f"--{key}={value}")
                else:
                    argv += [f"--{key}", value]
        argv += [f"--{ST_CHECKPOINT_DIR}", checkpoint_dir]
        return argv

    def _environment(self, trial_id: int) -> dict:
        env = dict(os.environ)
        env.setdefault("OMP_NUM_THREADS", "1")
        root = _package_root_for_children()
        if root is not None:
            path = env.get("PYTHONPATH")
            parts = path.split(os.pathsep) if path else []
            if root not in parts:
                env["PYTHONPATH"] = os.pathsep.join(parts + [root])
        if self._gpus is not None:
            gpus = self._gpus.assign(trial_id)
            if gpus is not None:
                env["CUDA_VISIBLE_DEVICES"] = ",".join(gpus)
        return env

    def _schedule(self, trial_id: int, config: dict) -> None:
        trial_path = self.trial_path(trial_id)
        restart = trial_id in self._out_offset
        if restart:
            # an old process of this trial (being killed, or left over from a
            # tuner that crashed) must not write next to the new one
            self._ensure_dead(trial_id)
            if trial_id in self._discard_before_restart:
                self._discard_unseen(trial_id)
        else:
            self._prepare_fresh_folder(trial_id, trial_path)
            self._metrics[trial_id] = []
            self._out_offset[trial_id] = 0
        self.checkpoint_path(trial_id).mkdir(parents=True, exist_ok=True)
        with open(trial_path / "config.json", "w") as f:
            json.dump(config, f, default=_json_default)
        try:
            (trial_path / "end").unlink()
        except FileNotFoundError:
            pass
        out_path = trial_path / "std.out"
        if restart:
            self._terminate_partial_line(trial_id, out_path)
        self._exit_status.pop(trial_id, None)
        self._discard_before_restart.discard(trial_id)
        argv = self._command(trial_id, config)
        env = self._environment(trial_id)
        try:
            with open(out_path, "ab") as out, open(trial_path / "std.err", "ab") as err:
                proc = subprocess.Popen(
                    argv,
                    stdout=out,
                    stderr=err,
                    stdin=subprocess.DEVNULL,
                    env=env,
                    start_new_session=True,
                    close_fds=True,
                )
        except BaseException:
            if self._gpus is not None:
                self._gpus.release(trial_id)
            raise
        self._procs[trial_id] = proc
        self._proc_info[trial_id] = (proc.pid, _process_start_ticks(proc.pid))
        _register_backend(self)

    def _prepare_fresh_folder(self, trial_id: int, trial_path: Path) -> None:
        """A new trial must not read files left by an earlier run in the same
        folder (a checkpoint copied by :meth:`copy_checkpoint` is kept)."""
        if trial_path.exists():
            for name in ("std.out", "std.err", "end", "config.json"):
                try:
                    (trial_path / name).unlink()
                except FileNotFoundError:
                    pass
            if trial_id not in self._copied_checkpoint:
                shutil.rmtree(trial_path / "checkpoints", ignore_errors=True)
        else:
            trial_path.mkdir(parents=True, exist_ok=True)
        self._copied_checkpoint.discard(trial_id)

    def _terminate_partial_line(self, trial_id: int, out_path: Path) -> None:
        """If the previous process was killed in the middle of a line, end that
        line so the new process starts on a fresh one."""
        try:
            size = out_path.stat().st_size
        except FileNotFoundError:
            return
        if size == 0:
            return
        with open(out_path, "rb+") as f:
            f.seek(size - 1)
            if f.read(1) != b"\n":
                f.write(b"\n")

    # -- reading results -------------------------------------------------------
    def _read_new_output(self, trial_id: int) -> None:
        """Parse what the trial appended to std.out since the last call."""
        offset = self._out_offset.get(trial_id, 0)
        path = self._stdout_file(trial_id)
        try:
            size = os.stat(path).st_size
        except FileNotFoundError:
            return
        if size <= offset:
            return
        with open(path, "rb") as f:
            f.seek(offset)
            data = f.read(size - offset)
        self._out_offset[trial_id] = offset + len(data)
        partial = self._out_partial.pop(trial_id, b"")
        if partial:
            data = partial + data
        cut = data.rfind(b"\n")
        if cut < len(data) - 1:
            rest = data[cut + 1 :]
            if len(rest) > _MAX_PARTIAL_LINE:
                # a huge line without newline (e.g. a progress bar): keep
                # only what may still become a metric line
                tag = rest.rfind(_METRIC_TAG)
                rest = rest[tag:] if tag >= 0 else rest[-len(_METRIC_TAG) :]
            self._out_partial[trial_id] = rest
            data = data[: cut + 1]
        if _METRIC_TAG not in data:
            return
        lines = [
            line.decode("utf-8", errors="replace") for line in data.split(b"\n") if _METRIC_TAG in line
        ]
        results = retrieve(lines)
        if results:
            self._metrics.setdefault(trial_id, []).extend(results)

    def _discard_unseen(self, trial_id: int) -> None:
        """After a pause/stop decision: drop results the tuner has not seen (and
        the rest of the old process's output), so that a resumed trial's new
        results start right after the last one the tuner got."""
        self._read_new_output(trial_id)
        self._out_partial.pop(trial_id, None)
        seen = self._last_metric_seen_index.get(trial_id, 0)
        metrics = self._metrics.get(trial_id)
        if metrics is not None and len(metrics) > seen:
            del metrics[seen:]

    def _poll(self, trial_id: int) -> str:
        """Status of a busy trial's process, recording its exit."""
        exit_status = self._exit_status.get(trial_id)
        if exit_status is not None:
            return exit_status[0]
        proc = self._procs.get(trial_id)
        if proc is None:
            return self._poll_without_handle(trial_id)
        code = proc.poll()
        if code is None:
            return Status.in_progress
        self._on_exit(trial_id, code)
        return self._exit_status[trial_id][0]

    def _on_exit(self, trial_id: int, code: int | None) -> None:
        proc = self._procs.pop(trial_id, None)
        end_time = self._now()
        status = Status.completed if code == 0 else Status.failed
        self._exit_status[trial_id] = (status, end_time)
        if self._gpus is not None:
            self._gpus.release(trial_id)
        if proc is not None:
            # processes the script left behind in its group end with it
            if _group_alive(proc.pid):
                _signal_group(proc.pid, signal.SIGTERM)
                self._dying.append([None, proc.pid, time.monotonic() + self.kill_grace_period])
        try:
            with open(self.trial_path(trial_id) / "end", "w") as f:
                json.dump({"returncode": code, "end_time": end_time.timestamp()}, f)
        except OSError:
            pass
        if status == Status.failed:
            self._log_failure(trial_id, code)

    def _log_failure(self, trial_id: int, code: int | None) -> None:
        if code is None:
            why = "its process is gone"
        elif code < 0:
            try:
                why = f"killed by signal {signal.Signals(-code).name}"
            except ValueError:
                why = f"killed by signal {-code}"
        else:
            why = f"exit code {code}"
        err_path = self.trial_path(trial_id) / "std.err"
        tail = self._tail(err_path)
        logger.warning(
            f"Trial {trial_id} failed ({why}). Last lines of {err_path}:\n{tail}"
            if tail
            else f"Trial {trial_id} failed ({why}); its stderr ({err_path}) is empty"
        )

    @staticmethod
    def _tail(path: Path) -> str:
        try:
            with open(path, "rb") as f:
                f.seek(0, os.SEEK_END)
                size = f.tell()
                f.seek(max(0, size - _STDERR_TAIL_BYTES))
                data = f.read()
        except OSError:
            return ""
        lines = data.decode("utf-8", errors="replace").splitlines()
        if size > _STDERR_TAIL_BYTES and lines:
            lines = lines[1:]  # probably cut
        return "\n".join(lines[-_STDERR_TAIL_LINES:])

    def _poll_without_handle(self, trial_id: int) -> str:
        """A busy trial without a process handle: the backend was restored
        from a saved tuner, and the trial was not restarted."""
        end = self._read_end_marker(trial_id)
        if end is not None:
            code = end.get("returncode")
            status = Status.completed if code == 0 else Status.failed
            end_time = datetime.fromtimestamp(end["end_time"]) if end.get("end_time") else self._now()
            self._exit_status[trial_id] = (status, end_time)
            if status == Status.failed:
                self._log_failure(trial_id, code)
            return status
        if self._orphan_alive(trial_id):
            # still running from before the tuner restarted: its output is
            # read, but its exit code cannot be known
            return Status.in_progress
        logger.warning(
            f"Trial {trial_id}: its process is gone (the tuner was restarted and did not restart "
            "this trial); marking it as failed"
        )
        self._exit_status[trial_id] = (Status.failed, self._now())
        return Status.failed

    def _read_end_marker(self, trial_id: int) -> dict | None:
        try:
            with open(self.trial_path(trial_id) / "end") as f:
                return json.load(f)
        except (OSError, ValueError):
            return None

    def _orphan_alive(self, trial_id: int) -> bool:
        """Is the last process of this trial still running although this
        backend has no handle on it (e.g. the tuner was killed with SIGKILL)?"""
        info = self._proc_info.get(trial_id)
        if info is None or trial_id in self._procs:
            return False
        pid, ticks = info
        if ticks is None:
            return False  # cannot tell it from a new process with the same pid
        return _process_start_ticks(pid) == ticks

    def _all_trial_results(self, trial_ids: list[int]) -> list[TrialResult]:
        if self._dying:
            self._reap()
        results = []
        for trial_id in trial_ids:
            trial = self._trials[trial_id]
            if self._status[trial_id] in BUSY_STATUS:
                # poll before reading, so that nothing written before the
                # exit is missed
                status = self._poll(trial_id)
                self._read_new_output(trial_id)
                exit_status = self._exit_status.get(trial_id)
                end_time = exit_status[1] if exit_status is not None else None
            else:
                status = self._status[trial_id]
                end_time = self._training_end_time.get(trial_id)
            results.append(
                TrialResult(
                    trial_id=trial_id,
                    config=trial.config,
                    creation_time=trial.creation_time,
                    metrics=self._metrics.setdefault(trial_id, []),
                    status=status,
                    training_end_time=end_time,
                )
            )
        return results

    # -- stop, pause, resume ---------------------------------------------------
    def _kill(self, trial_id: int) -> None:
        """Send SIGTERM to the trial's process group; SIGKILL follows after
        :attr:`kill_grace_period` (see :meth:`_reap`). Does not wait."""
        proc = self._procs.pop(trial_id, None)
        if self._gpus is not None:
            self._gpus.release(trial_id)
        if proc is not None:
            _signal_group(proc.pid, signal.SIGTERM)
            self._dying.append([proc, proc.pid, time.monotonic() + self.kill_grace_period])
        elif self._orphan_alive(trial_id):
            pid = self._proc_info[trial_id][0]
            _signal_group(pid, signal.SIGTERM)
            # not our child: it may linger as a zombie until its parent reaps it
            self._dying.append([None, pid, time.monotonic() + self.kill_grace_period, True])

    def _pause_trial(self, trial_id: int, result: dict | None) -> None:
        self._kill(trial_id)
        self._discard_unseen(trial_id)
        # what the process writes until it is gone is dropped at resume
        self._discard_before_restart.add(trial_id)

    def _stop_trial(self, trial_id: int, result: dict | None) -> None:
        self._kill(trial_id)
        self._discard_unseen(trial_id)
        self._discard_before_restart.add(trial_id)

    def _resume_trial(self, trial_id: int) -> None:
        self._exit_status.pop(trial_id, None)

    def _reap(self, final: bool = False) -> None:
        """Forget process groups that are gone; SIGKILL those past their
        grace period (all of them if ``final``)."""
        now = time.monotonic()
        still = []
        for entry in self._dying:
            proc, pgid, deadline = entry[:3]
            leader_running = proc is not None and proc.poll() is None
            if not leader_running and not _group_alive(pgid):
                continue
            if len(entry) > 3 and not _group_has_live_members(pgid):
                continue
            if final or now >= deadline:
                _signal_group(pgid, signal.SIGKILL)
                if proc is not None:
                    try:
                        proc.wait(timeout=1.0)
                    except subprocess.TimeoutExpired:  # pragma: no cover
                        still.append(entry)
                        continue
                if _group_has_live_members(pgid):
                    still.append(entry)
                continue
            still.append(entry)
        self._dying = still

    def _finish_dying(self, pgids: set[int] | None = None, wait: float | None = None) -> None:
        """Block until the dying groups ``pgids`` (all if ``None``) are gone:
        up to ``wait`` seconds for them to exit after SIGTERM (default: their
        grace period), then SIGKILL."""

        def pending():
            return [e for e in self._dying if pgids is None or e[1] in pgids]

        entries = pending()
        if not entries:
            return
        if wait is not None:
            stop = time.monotonic() + wait
            for e in entries:
                e[2] = min(e[2], stop)
        stop = max(e[2] for e in entries)
        while pending() and time.monotonic() < stop:
            time.sleep(0.005)
            self._reap()
        for e in pending():
            e[2] = 0.0
        stop = time.monotonic() + 3.0
        while pending() and time.monotonic() < stop:
            self._reap()
            if pending():
                time.sleep(0.01)
        for e in pending():
            logger.warning(f"Process group {e[1]} did not end after SIGKILL")
            self._dying.remove(e)

    def _ensure_dead(self, trial_id: int) -> None:
        """Wait until the previous process group of ``trial_id`` is gone."""
        if trial_id in self._procs or self._orphan_alive(trial_id):
            self._kill(trial_id)
        info = self._proc_info.get(trial_id)
        if info is not None:
            self._finish_dying({info[0]})

    def stop_all(self) -> None:
        """Stop all running trials and wait until their processes are gone."""
        try:
            super().stop_all()
        finally:
            self._kill_everything(wait=self.kill_grace_period)

    def _kill_everything(self, wait: float) -> None:
        """SIGTERM to every process group this backend started that is still
        alive, SIGKILL to what is left after ``wait`` seconds."""
        for trial_id in list(self._procs):
            self._kill(trial_id)
        self._finish_dying(None, wait=wait)

    def trials_to_restart(self) -> list[int]:
        """Busy trials of a restored backend, except those whose process
        ended (``end`` marker) before the old tuner recorded it: their status
        is read from the marker instead."""
        result = []
        for trial_id, _ in self.busy_trial_ids():
            if trial_id in self._procs:
                continue  # running under this backend: nothing to restart
            if self._read_end_marker(trial_id) is not None:
                continue
            result.append(trial_id)
        return result

    def prepare_restart(self, trial_id: int) -> None:
        # a process left over from the old tuner must not run beside the new one
        self._ensure_dead(trial_id)
        self._exit_status.pop(trial_id, None)
        super().prepare_restart(trial_id)

    # -- waiting ---------------------------------------------------------------
    def wait_for_activity(self, timeout: float) -> bool:
        """Sleep up to ``timeout`` seconds, returning early (``True``) as soon
        as a running trial writes to its stdout or its process exits.

        A tuner can call this instead of sleeping a fixed time, so that
        results and free workers are noticed within ~10 ms.
        """
        stop = time.monotonic() + max(0.0, timeout)
        interval = 0.002
        while True:
            for trial_id, proc in self._procs.items():
                if proc.poll() is not None:
                    return True
                try:
                    if os.stat(self._stdout_file(trial_id)).st_size > self._out_offset.get(trial_id, 0):
                        return True
                except FileNotFoundError:
                    pass
            remaining = stop - time.monotonic()
            if remaining <= 0:
                return False
            time.sleep(min(interval, remaining))
            interval = min(interval * 2, 0.02)

    # -- files -----------------------------------------------------------------
    def _read_lines(self, trial_id: int, name: str) -> list[str]:
        self._check_known(trial_id)
        try:
            with open(self.trial_path(trial_id) / name, encoding="utf-8", errors="replace") as f:
                return f.readlines()
        except FileNotFoundError:
            return []

    def stdout(self, trial_id: int) -> list[str]:
        return self._read_lines(trial_id, "std.out")

    def stderr(self, trial_id: int) -> list[str]:
        return self._read_lines(trial_id, "std.err")

    def stderr_path(self, trial_id: int) -> str | None:
        return str(self.trial_path(trial_id) / "std.err")

    def copy_checkpoint(self, src_trial_id: int, tgt_trial_id: int) -> None:
        src = self.checkpoint_path(src_trial_id)
        tgt = self.checkpoint_path(tgt_trial_id)
        if tgt.exists():
            shutil.rmtree(tgt)
        if src.exists():
            shutil.copytree(src, tgt)
        else:
            tgt.mkdir(parents=True, exist_ok=True)
        self._copied_checkpoint.add(tgt_trial_id)

    def delete_checkpoint(self, trial_id: int) -> None:
        shutil.rmtree(self.checkpoint_path(trial_id), ignore_errors=True)

    def __del__(self):
        # a backend dropped without stop_all must not leave processes behind
        try:
            if getattr(self, "_procs", None) or getattr(self, "_dying", None):
                self._kill_everything(wait=0.5)
        except Exception:
            pass
