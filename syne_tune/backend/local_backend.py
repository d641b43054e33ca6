"""Run each trial as a subprocess on this machine.

Every trial gets a folder ``<results_root>/<trial_id>/`` holding

* ``config.json``: the trial's configuration;
* ``std.out`` / ``std.err``: what the script printed (appended to when a trial
  is resumed, so the files tell the whole story);
* ``checkpoints/``: passed to the script as ``--st_checkpoint_dir``. The
  backend does not create it: a script tests whether it exists to decide
  whether to resume. It is kept when the trial is paused, so that a resumed
  trial continues where it left off;
* ``end``: written when the backend sees the process exit (exit code and time).

The script is started as ``[python, entry_point, "--name", "value", ...,
"--st_checkpoint_dir", "<trial folder>/checkpoints"]``: an argument list, never
a shell command line, so values with spaces or quotes arrive as they are. A
value starting with ``-`` is passed as ``--name=value`` so that ``argparse``
does not mistake it for an option. With ``pass_args_as_json=True`` the script
only gets ``--st_config_json_filename`` and ``--st_checkpoint_dir``.

Processes. Each trial runs in a process group of its own (a new session).
Stopping or pausing a trial sends SIGTERM to the whole group, so processes
the script started (data loaders, ...) end with it, and SIGKILL to whatever
is left after :attr:`LocalBackend.kill_grace_period` seconds. A checkpoint is
deleted only once its trial's processes are gone. :meth:`LocalBackend.stop_all`
(the tuner calls it at the end, on Ctrl-C, SIGTERM and SIGHUP) waits until
every group is gone.

Trials die with their tuner (``trials_die_with_tuner=True``, the default):
a watchdog process (:mod:`syne_tune.backend.watchdog`) holds a pipe from the
tuner and kills every trial group the tuner started as soon as the tuner
exits, even by SIGKILL. With ``trials_die_with_tuner=False`` the trials keep
running; a tuner resumed with :meth:`syne_tune.Tuner.load` adopts those still
running (their exit code is recorded by a small ``sh`` wrapper) and reads the
results they reported in the meantime.

Crash recovery (see :meth:`LocalBackend.recover`): a trial that was running
when the tuner was killed is killed if anything of it is left (only
processes verified to be its own), the results it printed after the tuner's
last journaled one are read, and it is restarted from its checkpoint. A
trial the tuner started after its last snapshot is found by its folder when
the resumed tuner starts the same trial id with the same configuration: its
output is kept and it continues from its checkpoint.

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
import math
import os
import signal
import subprocess
import sys
import time
import weakref
from datetime import datetime
from pathlib import Path
from typing import Mapping

from syne_tune.backend.gpu import GPURotation
from syne_tune.backend.processes import (
    group_alive,
    group_members,
    process_running,
    process_start_ticks,
    signal_group,
    stat_fields,
)
from syne_tune.backend.trial_backend import BUSY_STATUS, PolledTrial, PollingBackend
from syne_tune.backend.trial_folder import (
    TrialFolderMixin,
    binary_argv,
    end_partial_line,
    exit_reason,
    script_arguments,  # noqa: F401 - importable from here as before
    trial_environment,
)
from syne_tune.constants import ST_CHECKPOINT_DIR
from syne_tune.report import parse_report_lines
from syne_tune.trial import Status
from syne_tune.utils.json_io import json_default_as_str

logger = logging.getLogger(__name__)

_METRIC_TAG = b"[tune-metric]: "
_MAX_PARTIAL_LINE = 1 << 20  # bytes of an unfinished stdout line kept in memory
#: the folder holding this syne_tune package (for the watchdog's path)
_PACKAGE_PARENT = str(Path(__file__).resolve().parents[2])
#: exit code file written by the ``sh`` wrapper of trials that outlive the tuner
_EXIT_CODE_FILE = "exitcode"

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


class _Dying:
    """A process group being killed."""

    __slots__ = ("trial_id", "proc", "pgid", "ticks", "deadline")

    def __init__(self, trial_id: int, proc: subprocess.Popen | None, pgid: int, ticks: int | None, deadline: float):
        self.trial_id = trial_id
        self.proc = proc  # None: not our child (left by an earlier tuner)
        self.pgid = pgid
        self.ticks = ticks
        self.deadline = deadline

    def gone(self) -> bool:
        if self.proc is not None and self.proc.poll() is None:
            return False
        return not group_members(self.pgid, self.ticks)


class LocalBackend(TrialFolderMixin, PollingBackend):
    """Runs each trial as a local subprocess of ``entry_point``.

    Parameters
    ----------
    entry_point
        Path of the training script. It receives the configuration as
        command-line arguments ``--name value`` and reports with
        :class:`syne_tune.Reporter`.
    delete_checkpoints
        Delete a trial's ``checkpoints/`` once it is completed or stopped
        (after its processes are gone).
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
    trials_die_with_tuner
        ``True`` (default): a watchdog kills the trials (and the processes
        they started) as soon as the tuner process ends, however it ends.
        ``False``: trials outlive a killed tuner, and a resumed tuner adopts
        those still running.
    """

    #: Seconds between SIGTERM and SIGKILL when a trial is stopped or paused.
    kill_grace_period: float = 2.0

    _backend_label = "LocalBackend"
    _run_files = TrialFolderMixin._run_files + (_EXIT_CODE_FILE,)
    _log = logger

    def __init__(
        self,
        entry_point: str,
        delete_checkpoints: bool = False,
        pass_args_as_json: bool = False,
        rotate_gpus: bool = True,
        num_gpus_per_trial: int = 1,
        gpus_to_use: list | None = None,
        binary: str | list[str] | None = None,
        trials_die_with_tuner: bool = True,
    ):
        from syne_tune.utils.validation import check_parameter

        super().__init__(delete_checkpoints=delete_checkpoints, pass_args_as_json=pass_args_as_json)
        check_parameter(self, "rotate_gpus", rotate_gpus, ["boolean"])
        check_parameter(self, "trials_die_with_tuner", trials_die_with_tuner, ["boolean"])
        check_parameter(self, "binary", binary, [str, os.PathLike, list, None])
        self.set_entrypoint(entry_point)
        self.rotate_gpus = bool(rotate_gpus)
        self.num_gpus_per_trial = int(num_gpus_per_trial)
        self.gpus_to_use = gpus_to_use
        self._gpus = GPURotation(num_gpus_per_trial=num_gpus_per_trial, gpus_to_use=gpus_to_use) if rotate_gpus else None
        self.binary = binary_argv(binary)
        self.trials_die_with_tuner = bool(trials_die_with_tuner)
        self.results_root: Path | None = None
        self.tuner_name: str | None = None
        # per trial: bytes of std.out consumed, the unfinished last line, and
        # the (pid, start ticks) of its latest process
        self._out_offset: dict[int, int] = {}
        self._out_partial: dict[int, bytes] = {}
        self._proc_info: dict[int, tuple[int, int | None]] = {}
        # exit status of a trial's process, once seen
        self._exit_status: dict[int, str] = {}
        self._copied_checkpoint: set[int] = set()
        # trials whose old process's output (after a pause or stop) is dropped
        self._discard_before_restart: set[int] = set()
        # trials found running after a crash: restarted at the next poll
        self._interrupted: set[int] = set()
        self._warned_bad_lines: set[int] = set()
        self._warned_values: set[tuple[int, str]] = set()
        self._delete_when_dead: set[int] = set()
        # True once restored from a snapshot (a resumed tuner)
        self._restored = False
        self._init_runtime()

    def _init_runtime(self):
        self._procs: dict[int, subprocess.Popen] = {}
        self._dying: list[_Dying] = []
        self._watchdog: subprocess.Popen | None = None
        self._stdout_files: dict[int, str] = {}
        # set by interrupt_all: interrupted trials are not restarted in this process
        self._hold_restarts = False

    # -- pickling: the tuner saves itself with its backend --------------------
    def __getstate__(self):
        state = dict(self.__dict__)
        for name in ("_procs", "_dying", "_watchdog", "_stdout_files", "_hold_restarts"):
            state.pop(name, None)
        # groups still dying are re-checked (and killed if needed) by a restored backend
        state["_restored"] = True
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._init_runtime()

    # -- paths -----------------------------------------------------------------
    def set_entrypoint(self, entry_point: str) -> None:
        self.entry_point = self._resolved_entry_point(entry_point)

    def entrypoint_path(self) -> Path:
        return Path(self.entry_point)

    def set_path(self, results_root: str, tuner_name: str | None = None) -> None:
        super().set_path(results_root, tuner_name)
        self._stdout_files = {}

    def _stdout_file(self, trial_id: int) -> str:
        """Path of a trial's std.out as a string (cached: polled often)."""
        path = self._stdout_files.get(trial_id)
        if path is None:
            path = self._stdout_files[trial_id] = str(self.trial_path(trial_id) / "std.out")
        return path

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

    # -- the watchdog ----------------------------------------------------------
    def _start_watchdog(self) -> subprocess.Popen:
        watchdog = self._watchdog
        if watchdog is None or watchdog.poll() is not None:
            code = f"import sys; sys.path.insert(0, {_PACKAGE_PARENT!r}); from syne_tune.backend.watchdog import main; main()"
            watchdog = self._watchdog = subprocess.Popen(
                [sys.executable, "-I", "-S", "-c", code, str(self.kill_grace_period)],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
                close_fds=True,
            )
        return watchdog

    def _tell_watchdog(self, line: str) -> None:
        if not self.trials_die_with_tuner:
            return
        watchdog = self._watchdog
        if watchdog is None or watchdog.poll() is not None:
            if line.startswith("untrack"):
                return
            watchdog = self._start_watchdog()
        try:
            watchdog.stdin.write(line.encode() + b"\n")
            watchdog.stdin.flush()
        except (BrokenPipeError, OSError, ValueError):  # pragma: no cover - watchdog gone
            self._watchdog = None

    def _close_watchdog(self) -> None:
        watchdog = self._watchdog
        self._watchdog = None
        if watchdog is not None:
            try:
                watchdog.stdin.close()
                watchdog.wait(timeout=5.0)
            except Exception:  # pragma: no cover - best effort
                pass

    # -- starting a process ----------------------------------------------------
    def _command(self, trial_id: int, config: dict) -> list[str]:
        argv = list(self.binary) if self.binary else [sys.executable]
        argv.append(self.entry_point)
        argv += self._script_arguments(trial_id, config)
        if not self.trials_die_with_tuner:
            # the exit code must be known even if no tuner waits for the process
            code_file = str(self.trial_path(trial_id) / _EXIT_CODE_FILE)
            argv = ["/bin/sh", "-c", '"$@"; code=$?; echo "$code" > "$0"; exit "$code"', code_file] + argv
        return argv

    def _environment(self, trial_id: int) -> dict:
        env = trial_environment()
        if self._gpus is not None:
            gpus = self._gpus.assign(trial_id)
            if gpus is not None:
                env["CUDA_VISIBLE_DEVICES"] = ",".join(gpus)
        return env

    def _schedule(self, trial_id: int, config: dict) -> None:
        trial_path = self.trial_path(trial_id)
        if self.trials_die_with_tuner:
            # up before the trial: a tuner killed right after starting it
            # must not leave it unsupervised
            self._start_watchdog()
        if self._restored:
            # a tuner killed before it could record this trial's process
            self._kill_strays(trial_id)
        restart = trial_id in self._out_offset
        if not restart and self._restored and self._adopt_folder(trial_id, trial_path, config):
            restart = True
        if restart:
            # an old process of this trial (being killed, or left over from a
            # tuner that crashed) must not write next to the new one
            self._ensure_dead(trial_id)
            if trial_id in self._discard_before_restart:
                self._discard_unseen(trial_id)
        else:
            self._prepare_fresh_folder(trial_id, trial_path)
            self._out_offset[trial_id] = 0
        with open(trial_path / "config.json", "w") as f:
            json.dump(config, f, default=json_default_as_str)
        for name in ("end", _EXIT_CODE_FILE):
            try:
                (trial_path / name).unlink()
            except FileNotFoundError:
                pass
        out_path = trial_path / "std.out"
        if restart:
            end_partial_line(out_path)
        self._exit_status.pop(trial_id, None)
        self._discard_before_restart.discard(trial_id)
        self._interrupted.discard(trial_id)
        self._delete_when_dead.discard(trial_id)
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
        ticks = process_start_ticks(proc.pid)
        self._procs[trial_id] = proc
        self._proc_info[trial_id] = (proc.pid, ticks)
        self._tell_watchdog(f"track {proc.pid} {ticks if ticks is not None else 0}")
        _register_backend(self)

    def _adopt_folder(self, trial_id: int, trial_path: Path, config: dict) -> bool:
        """A resumed tuner starts a trial id whose folder already exists: the
        trial was started after the tuner's last snapshot. If it ran the same
        configuration, keep its output and checkpoint (it continues from
        there) and return ``True``; otherwise the folder is cleared."""
        if not (trial_path / "std.out").exists():
            return False
        try:
            with open(trial_path / "config.json") as f:
                old_config = json.load(f)
        except (OSError, ValueError):
            return False
        new_config = json.loads(json.dumps(config, default=json_default_as_str))
        if old_config != new_config:
            return False
        # (what is left of its process was killed by _kill_strays)
        self._out_offset[trial_id] = 0
        logger.info(
            "Trial %d was started before the tuner was interrupted; continuing it from its folder %s",
            trial_id,
            trial_path,
        )
        return True

    def _prepare_fresh_folder(self, trial_id: int, trial_path: Path) -> None:
        super()._prepare_fresh_folder(trial_id, trial_path)
        self._out_partial.pop(trial_id, None)

    # -- reading results -------------------------------------------------------
    def _read_new_output(self, trial_id: int) -> list[dict]:
        """Results in what the trial appended to std.out since the last call."""
        offset = self._out_offset.get(trial_id, 0)
        path = self._stdout_file(trial_id)
        try:
            size = os.stat(path).st_size
        except FileNotFoundError:
            return []
        if size <= offset:
            return []
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
            return []
        lines = [line.decode("utf-8", errors="replace") for line in data.split(b"\n") if _METRIC_TAG in line]
        results, bad = parse_report_lines(lines)
        if any("NaN" in line or "Infinity" in line for line in lines):
            self._warn_non_finite(trial_id, results)
        if bad and trial_id not in self._warned_bad_lines:
            self._warned_bad_lines.add(trial_id)
            logger.warning(
                "Trial %d printed %d line(s) starting with '[tune-metric]: ' that are not a JSON object of "
                "metrics (first: %r); they are ignored (warned once per trial)",
                trial_id,
                len(bad),
                bad[0][:200],
            )
        return results

    def _warn_non_finite(self, trial_id: int, results: list[dict]) -> None:
        """Warn (once per trial and metric) about NaN / Infinity in report
        lines: such a value is invalid; the tuner fails the trial if it is
        the scheduler's metric, and never counts it as a best value."""
        for result in results:
            for key, value in result.items():
                if isinstance(value, float) and not math.isfinite(value) and (trial_id, key) not in self._warned_values:
                    self._warned_values.add((trial_id, key))
                    logger.warning(
                        "Trial %d reported %s = %s, not a finite number: the value is invalid "
                        "(warned once per trial and metric)",
                        trial_id,
                        key,
                        value,
                    )

    def _discard_unseen(self, trial_id: int) -> None:
        """After a pause or stop decision: drop what the old process reported
        since the last poll, so that a resumed trial's results start right
        after the last one the tuner got."""
        self._read_new_output(trial_id)
        self._out_partial.pop(trial_id, None)

    def _poll(self, trial_ids: list[int]) -> list[PolledTrial]:
        if self._dying:
            self._reap()
        polled = []
        for trial_id in trial_ids:
            if trial_id in self._interrupted:
                if self._hold_restarts:
                    # interrupted by the tuner: read what it reported, restart later
                    polled.append(PolledTrial(trial_id, self._read_new_output(trial_id), None))
                else:
                    polled.append(self._restart_interrupted(trial_id))
                continue
            # poll before reading, so that nothing written before the exit is missed
            exit_status = self._exit_of(trial_id)
            polled.append(PolledTrial(trial_id, self._read_new_output(trial_id), exit_status))
        return polled

    def _exit_of(self, trial_id: int) -> str | None:
        """``Completed`` / ``Failed`` once the trial's process has exited."""
        status = self._exit_status.get(trial_id)
        if status is not None:
            return status
        proc = self._procs.get(trial_id)
        if proc is None:
            return self._exit_without_handle(trial_id)
        code = proc.poll()
        if code is None:
            return None
        self._on_exit(trial_id, code)
        return self._exit_status[trial_id]

    def _on_exit(self, trial_id: int, code: int | None) -> None:
        proc = self._procs.pop(trial_id, None)
        end_time = datetime.now()
        status = Status.completed if code == 0 else Status.failed
        self._exit_status[trial_id] = status
        if self._gpus is not None:
            self._gpus.release(trial_id)
        if proc is not None:
            # processes the script left behind in its group end with it
            pid, ticks = self._proc_info.get(trial_id, (proc.pid, None))
            if group_members(proc.pid):
                signal_group(proc.pid, signal.SIGTERM)
                self._dying.append(_Dying(trial_id, None, proc.pid, ticks, time.monotonic() + self.kill_grace_period))
            else:
                self._tell_watchdog(f"untrack {proc.pid}")
        try:
            with open(self.trial_path(trial_id) / "end", "w") as f:
                json.dump({"returncode": code, "end_time": end_time.timestamp()}, f)
        except OSError:
            pass
        if status == Status.failed:
            self._log_failure(trial_id, exit_reason(code))

    def _recorded_exit_code(self, trial_id: int) -> tuple[bool, int | None]:
        """Exit code recorded on disk by this backend (``end``) or by the
        wrapper of a trial that outlives its tuner; ``(False, None)`` if none."""
        path = self.trial_path(trial_id)
        try:
            with open(path / "end") as f:
                return True, json.load(f).get("returncode")
        except (OSError, ValueError):
            pass
        try:
            return True, int((path / _EXIT_CODE_FILE).read_text().strip())
        except (OSError, ValueError):
            return False, None

    def _exit_without_handle(self, trial_id: int) -> str | None:
        """A busy trial without a process handle: adopted by a resumed tuner."""
        if self._orphan_alive(trial_id):
            return None
        known, code = self._recorded_exit_code(trial_id)
        if not known:
            logger.warning(
                "Trial %d: its process is gone and left no exit code (the tuner was restarted); "
                "marking it as failed",
                trial_id,
            )
        status = Status.completed if known and code == 0 else Status.failed
        self._exit_status[trial_id] = status
        if status == Status.failed and known:
            self._log_failure(trial_id, exit_reason(code))
        return status

    def _orphan_alive(self, trial_id: int) -> bool:
        """Is the latest process of this trial alive although this backend
        has no handle on it (e.g. a tuner killed with SIGKILL started it)?"""
        info = self._proc_info.get(trial_id)
        if info is None or trial_id in self._procs:
            return False
        return process_running(*info)

    # -- crash recovery -------------------------------------------------------
    def recover(self, replayed: Mapping[int, int]) -> None:
        """Resume after a crash (see :meth:`TrialBackend.recover`).

        For every trial that was running: if its process exited before the
        crash and the exit was recorded, that status is reported at the next
        poll; if it still runs and ``trials_die_with_tuner=False``, it is
        adopted; otherwise what is left of it is killed (verified by process
        start time), and at the next poll its last results are read and it
        is restarted from its checkpoint.
        """
        super().recover(replayed)
        self._restored = True
        self._reap_leftovers()
        for trial_id, _ in self.busy_trial_ids():
            if trial_id in self._procs:
                continue
            if self._recorded_exit_code(trial_id)[0] and not self._orphan_alive(trial_id):
                continue  # ended before the crash: reported by _exit_without_handle
            if not self.trials_die_with_tuner and self._orphan_alive(trial_id):
                logger.info("Trial %d is still running: adopted by the resumed tuner", trial_id)
                continue
            self._interrupted.add(trial_id)
            self._ensure_dead(trial_id)

    def interrupt_all(self) -> bool:
        """End the processes of all busy trials (SIGTERM to their groups,
        SIGKILL after the grace period) and wait until they are gone; the
        trials stay busy: their output is still read, and a tuner resumed
        from a snapshot restarts them (see :meth:`recover`)."""
        self._hold_restarts = True
        killed = set()
        for trial_id, _ in self.busy_trial_ids():
            if trial_id in self._interrupted:
                continue
            if trial_id in self._procs and self._exit_of(trial_id) is not None:
                continue  # ended by itself: its exit is reported by the next fetch
            self._kill(trial_id)
            self._interrupted.add(trial_id)
            killed.add(trial_id)
        self._finish_dying(killed)
        return True

    def _kill_strays(self, trial_id: int) -> None:
        """Kill processes of this trial that this backend does not know of
        (started by a tuner killed before it recorded them): they are
        recognised by their ``--st_checkpoint_dir`` argument, which names
        this run's trial folder."""
        needle = f"--{ST_CHECKPOINT_DIR}\0{self.checkpoint_path(trial_id)}\0".encode()
        known = {proc.pid for proc in self._procs.values()}
        dying_groups = {entry.pgid for entry in self._dying}  # being killed by this backend already
        strays = []
        for name in os.listdir("/proc") if os.path.isdir("/proc") else ():
            if not name.isdigit() or int(name) in known:
                continue
            try:
                with open(f"/proc/{name}/cmdline", "rb") as f:
                    cmdline = f.read()
            except OSError:
                continue
            if needle in cmdline:
                fields = stat_fields(int(name))
                if fields is not None and fields[0] not in (b"Z", b"X") and int(fields[2]) not in dying_groups:
                    strays.append((int(fields[2]), process_start_ticks(int(name))))
        for pgid, ticks in set(strays):
            logger.warning("Trial %d: killing process group %d left by an earlier tuner", trial_id, pgid)
            signal_group(pgid, signal.SIGTERM)
            self._dying.append(_Dying(trial_id, None, pgid, None, time.monotonic() + self.kill_grace_period))
        if strays:
            self._finish_dying({trial_id})

    def _reap_leftovers(self) -> None:
        """Groups that were being killed when the old tuner stopped."""
        for trial_id, (pid, ticks) in self._proc_info.items():
            if trial_id in self._procs or self.trial_status(trial_id) in BUSY_STATUS:
                continue
            if group_members(pid, ticks):
                self._ensure_dead(trial_id)

    def _restart_interrupted(self, trial_id: int) -> PolledTrial:
        """Read what an interrupted trial reported before it died, then restart
        it from its checkpoint (it stays busy)."""
        results = self._read_new_output(trial_id)
        self._out_partial.pop(trial_id, None)
        self._interrupted.discard(trial_id)
        logger.info("Restarting trial %d, which was running when the tuner stopped", trial_id)
        self._schedule(trial_id, self.get_trial(trial_id).config)
        return PolledTrial(trial_id, results, None)

    # -- stop, pause, resume ---------------------------------------------------
    def _kill(self, trial_id: int) -> None:
        """Send SIGTERM to the trial's process group; SIGKILL follows after
        :attr:`kill_grace_period` (see :meth:`_reap`). Does not wait."""
        proc = self._procs.pop(trial_id, None)
        if self._gpus is not None:
            self._gpus.release(trial_id)
        info = self._proc_info.get(trial_id)
        if proc is not None:
            signal_group(proc.pid, signal.SIGTERM)
            ticks = info[1] if info is not None else None
            self._dying.append(_Dying(trial_id, proc, proc.pid, ticks, time.monotonic() + self.kill_grace_period))
        elif info is not None and group_members(info[0], info[1]) and (
            process_running(*info) or not process_running(info[0], process_start_ticks(info[0]))
        ):
            # not our child (started by an earlier tuner); its group is ours
            # only if its leader is the recorded one or is gone
            signal_group(info[0], signal.SIGTERM)
            self._dying.append(_Dying(trial_id, None, info[0], info[1], time.monotonic() + self.kill_grace_period))

    def _pause_trial(self, trial_id: int, result: dict | None) -> None:
        self._end_process(trial_id)

    def _stop_trial(self, trial_id: int, result: dict | None) -> None:
        self._end_process(trial_id)

    def _end_process(self, trial_id: int) -> None:
        self._kill(trial_id)
        self._discard_unseen(trial_id)
        # what the process writes until it is gone is dropped at a resume
        self._discard_before_restart.add(trial_id)
        self._interrupted.discard(trial_id)

    def _resume_trial(self, trial_id: int) -> None:
        self._exit_status.pop(trial_id, None)

    def _reap(self, final: bool = False) -> None:
        """Forget process groups that are gone; SIGKILL those past their
        grace period (all of them if ``final``)."""
        now = time.monotonic()
        still = []
        for entry in self._dying:
            if entry.gone():
                self._on_group_gone(entry)
                continue
            if final or now >= entry.deadline:
                for pid in group_members(entry.pgid, entry.ticks) or [entry.pgid]:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except (ProcessLookupError, PermissionError):
                        pass
                if entry.proc is not None:
                    try:
                        entry.proc.wait(timeout=1.0)
                    except subprocess.TimeoutExpired:  # pragma: no cover
                        pass
                if entry.gone():
                    self._on_group_gone(entry)
                    continue
            still.append(entry)
        self._dying = still

    def _on_group_gone(self, entry: _Dying) -> None:
        self._tell_watchdog(f"untrack {entry.pgid}")
        self._run_gone(entry.trial_id, any(e.trial_id == entry.trial_id for e in self._dying if e is not entry))

    def _finish_dying(self, trial_ids: set[int] | None = None, wait: float | None = None) -> None:
        """Block until the dying groups of ``trial_ids`` (all if ``None``) are
        gone: up to ``wait`` seconds for them to exit after SIGTERM (default:
        their grace period), then SIGKILL."""

        def pending():
            return [e for e in self._dying if trial_ids is None or e.trial_id in trial_ids]

        entries = pending()
        if not entries:
            return
        if wait is not None:
            stop = time.monotonic() + wait
            for e in entries:
                e.deadline = min(e.deadline, stop)
        stop = max(e.deadline for e in entries)
        while pending() and time.monotonic() < stop:
            time.sleep(0.005)
            self._reap()
        for e in pending():
            e.deadline = 0.0
        stop = time.monotonic() + 3.0
        while pending() and time.monotonic() < stop:
            self._reap()
            if pending():
                time.sleep(0.01)
        for e in pending():
            logger.warning(f"Process group {e.pgid} of trial {e.trial_id} did not end after SIGKILL")
            self._dying.remove(e)

    def _ensure_dead(self, trial_id: int) -> None:
        """Wait until every process of ``trial_id`` this backend knows of is gone."""
        self._kill(trial_id)
        self._finish_dying({trial_id})

    def stop_all(self) -> None:
        """Stop all running trials and wait until their processes are gone."""
        try:
            super().stop_all()
        finally:
            self._kill_everything(wait=self.kill_grace_period)
            if not self._dying:
                self._close_watchdog()

    def _kill_everything(self, wait: float) -> None:
        """SIGTERM to every process group this backend started that is still
        alive, SIGKILL to what is left after ``wait`` seconds."""
        for trial_id in list(self._procs):
            self._kill(trial_id)
        self._finish_dying(None, wait=wait)

    # -- waiting ---------------------------------------------------------------
    def wait_for_activity(self, timeout: float) -> bool:
        """Sleep up to ``timeout`` seconds, returning early (``True``) as soon
        as a running trial writes to its stdout or its process exits, so that
        results and free workers are noticed within ~10 ms."""
        stop = time.monotonic() + max(0.0, timeout)
        interval = 0.002
        adopted = [tid for tid, _ in self.busy_trial_ids() if tid not in self._procs]
        while True:
            if self._interrupted:
                return True
            for trial_id, proc in self._procs.items():
                if proc.poll() is not None:
                    return True
                if self._has_new_output(trial_id):
                    return True
            for trial_id in adopted:
                if not self._orphan_alive(trial_id) or self._has_new_output(trial_id):
                    return True
            remaining = stop - time.monotonic()
            if remaining <= 0:
                return False
            if self._dying:
                self._reap()
            time.sleep(min(interval, remaining))
            interval = min(interval * 2, 0.02)

    def _has_new_output(self, trial_id: int) -> bool:
        try:
            return os.stat(self._stdout_file(trial_id)).st_size > self._out_offset.get(trial_id, 0)
        except FileNotFoundError:
            return False

    # -- files -----------------------------------------------------------------
    def _run_in_progress(self, trial_id: int) -> bool:
        return any(e.trial_id == trial_id for e in self._dying) or trial_id in self._procs

    def __del__(self):
        # a backend dropped without stop_all must not leave processes behind
        try:
            if getattr(self, "_procs", None) or getattr(self, "_dying", None):
                self._kill_everything(wait=0.5)
            self._close_watchdog()
        except Exception:
            pass
