"""The worker side of :class:`~syne_tune.backend.ray_backend.RayBackend`.

:class:`TrialRunner` is a plain class that the backend turns into a Ray actor
(``ray.remote``), one per worker slot, holding the resources of one trial
(CPUs, GPUs, memory) on some node of the cluster. It runs one trial at a
time, each run as a subprocess on its node, and may run many trials one
after the other (the backend reuses idle runners). It imports the standard
library and small modules of this package only; it never imports Ray.

A run (:meth:`TrialRunner.launch`):

* starts ``argv`` (the trial's script with the backends' argument
  convention, see :func:`syne_tune.backend.trial_folder.script_arguments`)
  in a process group of its own, with the environment of
  :func:`syne_tune.backend.trial_folder.trial_environment` (the runner's
  environment plus ``OMP_NUM_THREADS=1`` unless set, and this
  ``syne_tune`` on ``PYTHONPATH`` when it is not installed in
  site-packages), as the local backend does.
  Ray sets ``CUDA_VISIBLE_DEVICES`` of an actor that holds GPUs, and the
  script inherits it;
* appends what the script prints to ``<trial folder>/std.out`` and
  ``std.err`` and parses each complete ``[tune-metric]: {json}`` line of its
  stdout (:func:`syne_tune.report.parse_report_lines`) into a result kept in
  memory until the driver fetched it (:meth:`TrialRunner.next`, a long
  poll that returns as soon as there is a new result or the run ended).
  Each result comes with the byte offset of ``std.out`` right after its
  line, so that a driver restored from a snapshot can read what was
  reported after it from the file;
* is ended by :meth:`TrialRunner.terminate`: SIGTERM to the group, SIGKILL
  to what is left after the grace period;
* with a checkpoint URI (``s3://...``, the backend's ``storage_path`` in S3),
  syncs the trial's checkpoint folder on this node with it: before the script
  starts, the local folder is emptied and what is below the URI is
  downloaded into it; once the script's processes are gone (whichever way the
  run ended), the folder is uploaded to the URI (files of the same name are
  replaced; keys the script's folder no longer has are kept). boto3 is
  imported only then, and its client takes credentials, region and endpoint
  from the node's environment. A failed download fails the run before it
  starts; a failed upload is appended to ``std.err`` and reported as the
  run's error.

The script's process group dies with the runner: a watchdog process
(:mod:`syne_tune.backend.watchdog`) holds a pipe from the runner and kills
every group still tracked when the pipe closes, also when the runner's
process is killed with SIGKILL or its node's Ray processes go away.

Method calls of a threaded actor are not ordered, so every call names the
run it is about (``run_id``, increasing from run to run): a
:meth:`TrialRunner.next` that arrives before its :meth:`TrialRunner.launch`
waits for it, one about a run older than the latest returns at once (the
driver no longer waits for it), and a run terminated before it was launched
never starts.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from syne_tune.backend.processes import group_members, process_start_ticks, signal_group
from syne_tune.backend.trial_folder import end_partial_line, trial_environment
from syne_tune.report import parse_report_lines

_METRIC_TAG = b"[tune-metric]: "
#: the folder holding this syne_tune package (for the watchdog's path)
_PACKAGE_PARENT = str(Path(__file__).resolve().parents[3])
#: seconds a run's output reader may lag behind the process's exit
_READER_GRACE = 1.0


class _Run:
    """One run of a trial's script, with the threads that read its stdout
    and wait for its exit."""

    def __init__(
        self,
        run_id: int,
        argv: list[str],
        trial_path: str,
        cond: threading.Condition,
        runner: "TrialRunner",
        checkpoint_dir: str | None = None,
        checkpoint_uri: str | None = None,
    ):
        self.run_id = run_id
        self.checkpoint_dir = checkpoint_dir
        self.checkpoint_uri = checkpoint_uri
        self.err_path = Path(trial_path) / "std.err"
        self.cond = cond
        self.runner = runner
        self.results: list[dict] = []
        self.offsets: list[int] = []
        self.dropped = 0  # results already fetched and forgotten
        self.bad_lines = 0
        self.code: int | None = None
        self.error: str | None = None
        self.done = False
        self.proc: subprocess.Popen | None = None
        self.ticks: int | None = None
        self.out = None
        try:
            folder = Path(trial_path)
            folder.mkdir(parents=True, exist_ok=True)
            out_path = folder / "std.out"
            end_partial_line(out_path)
            if checkpoint_uri is not None:
                try:
                    self._download_checkpoint()
                except Exception as ex:
                    self.error = f"its checkpoint could not be downloaded from {checkpoint_uri} on {socket.gethostname()}: {ex}"
                    self.done = True
                    return
            self.out = open(out_path, "ab")
            self.offset = self.out.tell()
            with open(folder / "std.err", "ab") as err:
                self.proc = subprocess.Popen(
                    argv,
                    stdout=subprocess.PIPE,
                    stderr=err,
                    stdin=subprocess.DEVNULL,
                    env=trial_environment(),
                    start_new_session=True,
                    close_fds=True,
                )
        except Exception as ex:  # e.g. the trial folder is not writable here, or no such binary
            if self.out is not None:
                self.out.close()
            self.error = f"its script could not be started on {socket.gethostname()}: {ex}"
            self.done = True
            return
        self.ticks = process_start_ticks(self.proc.pid)
        runner._tell_watchdog(f"track {self.proc.pid} {self.ticks if self.ticks is not None else 0}")
        self.reader = threading.Thread(target=self._read, name=f"trial-run-{run_id}-reader", daemon=True)
        self.reader.start()
        threading.Thread(target=self._wait, name=f"trial-run-{run_id}-waiter", daemon=True).start()

    def _read(self) -> None:
        stream = self.proc.stdout
        for line in iter(stream.readline, b""):
            self.out.write(line)
            self.out.flush()
            self.offset += len(line)
            if _METRIC_TAG in line and line.endswith(b"\n"):
                results, bad = parse_report_lines([line.decode("utf-8", errors="replace")])
                with self.cond:
                    self.results.extend(results)
                    self.offsets.extend([self.offset] * len(results))
                    self.bad_lines += len(bad)
                    self.cond.notify_all()
        stream.close()

    def _wait(self) -> None:
        code = self.proc.wait()
        self.reader.join(_READER_GRACE)
        if self.reader.is_alive():
            # processes the script left behind hold its stdout open
            self.kill_group(signal.SIGKILL)
            self.reader.join()
        elif group_members(self.proc.pid, self.ticks):
            self.kill_group(signal.SIGKILL)
        self.out.close()
        self.runner._tell_watchdog(f"untrack {self.proc.pid}")
        if self.checkpoint_uri is not None:
            try:
                self._upload_checkpoint()
            except Exception as ex:
                self.error = f"its checkpoint could not be uploaded to {self.checkpoint_uri} from {socket.gethostname()}: {ex}"
                try:
                    with open(self.err_path, "a") as err:
                        err.write(f"\n[syne_tune RayBackend] {self.error}\n")
                except OSError:
                    pass
        with self.cond:
            self.code = code
            self.done = True
            self.cond.notify_all()

    def _download_checkpoint(self) -> None:
        """Empty the local checkpoint folder, then fill it from the URI."""
        from syne_tune.backend.sagemaker_backend.aws import download_prefix

        shutil.rmtree(self.checkpoint_dir, ignore_errors=True)
        Path(self.checkpoint_dir).mkdir(parents=True, exist_ok=True)
        download_prefix(self.runner._s3(), self.checkpoint_uri, self.checkpoint_dir)

    def _upload_checkpoint(self) -> None:
        """Upload the local checkpoint folder (if any) to the URI."""
        from syne_tune.backend.sagemaker_backend.aws import upload_folder

        if Path(self.checkpoint_dir).is_dir():
            upload_folder(self.runner._s3(), self.checkpoint_dir, self.checkpoint_uri)

    def kill_group(self, sig: int) -> None:
        if sig == signal.SIGKILL:
            for pid in group_members(self.proc.pid, self.ticks) or [self.proc.pid]:
                try:
                    os.kill(pid, sig)
                except (ProcessLookupError, PermissionError):
                    pass
        else:
            signal_group(self.proc.pid, sig)

    def terminate(self, grace_period: float) -> None:
        """SIGTERM to the run's group, SIGKILL after ``grace_period`` seconds;
        returns once the run is over."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.kill_group(signal.SIGTERM)
            try:
                self.proc.wait(timeout=grace_period)
            except subprocess.TimeoutExpired:
                self.kill_group(signal.SIGKILL)
        with self.cond:
            while not self.done:
                self.cond.wait(0.1)


class TrialRunner:
    """Runs trials' scripts, one at a time, on the node it was placed on
    (see the module docstring).

    Parameters
    ----------
    binary
        Program that runs the scripts (default: this node's Python
        interpreter), prepended to every run's ``argv``.
    """

    def __init__(self, binary: list[str] | None = None):
        self.binary = list(binary) if binary else [sys.executable]
        self._cond = threading.Condition()
        self._run: _Run | None = None
        self._cancelled: set[int] = set()
        # id of the latest run launched: an older run is over
        self._latest = -1
        self._watchdog: subprocess.Popen | None = None
        self._watchdog_lock = threading.Lock()
        # run id being launched (a terminate of it waits for its launch)
        self._launching: int | None = None
        self._s3_client = None

    def _s3(self):
        """This runner's S3 client (boto3 default chain, botocore retries)."""
        with self._watchdog_lock:
            if self._s3_client is None:
                from syne_tune.backend.sagemaker_backend.aws import import_aws_sdk, make_client

                boto3 = import_aws_sdk(need_sagemaker=False)
                self._s3_client = make_client(boto3.session.Session(), "s3")
            return self._s3_client

    # -- the watchdog ------------------------------------------------------------
    def _tell_watchdog(self, line: str) -> None:
        with self._watchdog_lock:
            watchdog = self._watchdog
            if watchdog is None or watchdog.poll() is not None:
                if line.startswith("untrack"):
                    return
                code = (
                    f"import sys; sys.path.insert(0, {_PACKAGE_PARENT!r}); "
                    "from syne_tune.backend.watchdog import main; main()"
                )
                watchdog = self._watchdog = subprocess.Popen(
                    [sys.executable, "-I", "-S", "-c", code, "1.0"],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    start_new_session=True,
                    close_fds=True,
                )
            try:
                watchdog.stdin.write(line.encode() + b"\n")
                watchdog.stdin.flush()
            except (BrokenPipeError, OSError, ValueError):  # pragma: no cover - watchdog gone
                self._watchdog = None

    # -- the actor's methods ---------------------------------------------------------
    def info(self) -> dict:
        """Where this runner lives: ``worker_pid`` (the runner's process),
        ``trial_pid`` (the current run's process, ``None`` if none),
        ``node`` (host name) and ``cuda_visible_devices``."""
        run = self._run
        return {
            "worker_pid": os.getpid(),
            "trial_pid": run.proc.pid if run is not None and run.proc is not None and not run.done else None,
            "node": socket.gethostname(),
            "cuda_visible_devices": os.environ.get("CUDA_VISIBLE_DEVICES"),
        }

    def launch(
        self,
        run_id: int,
        args: list[str],
        trial_path: str,
        checkpoint_dir: str | None = None,
        checkpoint_uri: str | None = None,
    ) -> bool:
        """Start run ``run_id``: ``binary + args``, output appended to the
        files of ``trial_path``; with ``checkpoint_uri``, the folder
        ``checkpoint_dir`` is synced with it (see the module docstring).
        Returns ``False`` if the run was terminated before it could start."""
        with self._cond:
            if run_id in self._cancelled:
                self._cancelled.discard(run_id)
                return False
            previous = self._run
            self._launching = run_id
        run = None
        try:
            if previous is not None and not previous.done:
                previous.terminate(0.0)  # never two runs at once
            run = _Run(run_id, self.binary + list(args), trial_path, self._cond, self, checkpoint_dir, checkpoint_uri)
        finally:
            with self._cond:  # a waiting terminate finds the run
                if run is not None:
                    self._run = run
                    self._latest = max(self._latest, run_id)
                self._launching = None
                self._cond.notify_all()
        return True

    def next(self, run_id: int, start: int, timeout: float) -> dict:
        """Results of run ``run_id`` from the ``start``-th on, waiting up to
        ``timeout`` seconds for one (or for the run's end).

        Returns
        -------
        dict
            ``results`` (list of dicts), ``offset`` (byte offset of
            ``std.out`` after the last of them, ``None`` without results),
            ``done`` (the run is over), ``code`` (its exit code, ``None`` if
            it never started), ``error`` (why it could not start) and
            ``bad_lines`` (metric lines that were not JSON objects).
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                run = self._run if self._run is not None and self._run.run_id == run_id else None
                if run is not None and (run.dropped + len(run.results) > start or run.done):
                    break
                if run is None and (run_id in self._cancelled or run_id < self._latest):
                    # terminated before it started, or a later run replaced it
                    return {"results": [], "offset": None, "done": True, "code": None, "error": "terminated", "bad_lines": 0}
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return {"results": [], "offset": None, "done": False, "code": None, "error": None, "bad_lines": 0}
                self._cond.wait(remaining)
            # the driver has everything before ``start``: forget it
            forget = max(0, min(start - run.dropped, len(run.results)))
            if forget:
                del run.results[:forget]
                del run.offsets[:forget]
                run.dropped += forget
            skip = max(0, start - run.dropped)
            results = run.results[skip:]
            return {
                "results": results,
                "offset": run.offsets[-1] if results else None,
                "done": run.done,
                "code": run.code,
                "error": run.error,
                "bad_lines": run.bad_lines,
            }

    def terminate(self, run_id: int, grace_period: float) -> None:
        """End run ``run_id`` (see :meth:`_Run.terminate`); a run not launched
        yet never starts. Returns once its processes are gone."""
        with self._cond:
            while self._launching == run_id:  # e.g. downloading its checkpoint
                self._cond.wait(0.1)
            run = self._run if self._run is not None and self._run.run_id == run_id else None
            if run is None:
                self._cancelled.add(run_id)
                self._cond.notify_all()
        if run is not None:
            run.terminate(grace_period)
