"""Helpers of the crash tests: start the kill launcher, watch processes."""

from __future__ import annotations

import os
import queue
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
LAUNCHER = HERE / "kill_launcher.py"
MARKER = "ST_CRASH_TEST_MARKER"


class Launcher:
    """One run of ``kill_launcher.py`` (a tuner process)."""

    def __init__(self, root: Path, name: str, marker: str, extra_args=()):
        env = dict(os.environ, SYNETUNE_FOLDER=str(root), PYTHONPATH=str(REPO_ROOT), **{MARKER: marker})
        self.proc = subprocess.Popen(
            [sys.executable, str(LAUNCHER), name, *extra_args],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        self._queue: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append(line)
            self._queue.put(line)
        self._queue.put(None)

    def wait_for_line(self, text: str, timeout: float = 60.0) -> float:
        """Block until the launcher printed ``text``; returns that moment."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"launcher did not print {text!r}; output:\n{''.join(self.lines[-40:])}")
            try:
                line = self._queue.get(timeout=remaining)
            except queue.Empty:
                continue
            if line is None:
                raise RuntimeError(f"launcher ended before printing {text!r}; output:\n{''.join(self.lines[-60:])}")
            if text in line:
                return time.monotonic()

    def output(self) -> str:
        return "".join(self.lines)


def _stat(pid: str):
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read()
        return data[data.rindex(b")") + 2 :].split()
    except (OSError, ValueError):
        return None


def live_processes_with(text: str) -> list[tuple[int, str]]:
    """``(pid, command line)`` of live (non-zombie) processes whose command
    line contains ``text``."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmdline = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if text in cmdline:
            fields = _stat(pid)
            if fields is not None and fields[0] not in (b"Z", b"X"):
                found.append((int(pid), cmdline))
    return found


def processes_with_marker(marker: str) -> list[tuple[int, str]]:
    """Live processes whose environment holds the test's marker."""
    needle = f"{MARKER}={marker}".encode()
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            with open(f"/proc/{pid}/environ", "rb") as f:
                environ = f.read()
        except OSError:
            continue
        if needle in environ.split(b"\0"):
            fields = _stat(pid)
            if fields is not None and fields[0] not in (b"Z", b"X"):
                try:
                    with open(f"/proc/{pid}/cmdline", "rb") as f:
                        cmdline = f.read().replace(b"\0", b" ").decode(errors="replace")
                except OSError:
                    cmdline = "?"
                found.append((int(pid), cmdline))
    return found


class TrialProcessMonitor(threading.Thread):
    """Counts, every few milliseconds, the live processes of each trial of a
    run (recognised by their ``--st_checkpoint_dir <run>/<trial id>/...``
    argument) and keeps the largest count seen per trial id."""

    def __init__(self, run_path: Path, interval: float = 0.005):
        super().__init__(daemon=True)
        self.pattern = re.compile(re.escape(f"--st_checkpoint_dir {run_path}/") + r"(\d+)/checkpoints")
        self.run_path = str(run_path)
        self.interval = interval
        self.max_count: Counter = Counter()
        #: trial id -> (time, pids) when two processes were seen
        self.evidence: dict = {}
        self.scans = 0
        self._halt = threading.Event()

    def run(self):
        while not self._halt.is_set():
            counts: Counter = Counter()
            pids: dict = {}
            for pid, cmdline in live_processes_with(self.run_path):
                match = self.pattern.search(cmdline)
                if match and "/bin/sh -c" not in cmdline:
                    counts[int(match.group(1))] += 1
                    pids.setdefault(int(match.group(1)), []).append(pid)
            for trial_id, count in counts.items():
                if count > self.max_count[trial_id]:
                    self.max_count[trial_id] = count
                    if count > 1:
                        self.evidence[trial_id] = (time.time(), pids[trial_id])
            self.scans += 1
            time.sleep(self.interval)

    def stop(self):
        self._halt.set()
        self.join(timeout=5)

    def doubled(self) -> dict[int, tuple]:
        return {tid: (n, self.evidence.get(tid)) for tid, n in self.max_count.items() if n > 1}


def reported_results(run_path: Path) -> set[tuple[int, float, int]]:
    """``(trial id, st_worker_timestamp, epoch)`` of every result the trial
    scripts printed (every line of every ``std.out``)."""
    from syne_tune.report import retrieve

    reported = set()
    for out in run_path.glob("*/std.out"):
        trial_id = int(out.parent.name)
        for result in retrieve(out.read_text(errors="replace").splitlines()):
            reported.add((trial_id, round(float(result["st_worker_timestamp"]), 6), int(result["epoch"])))
    return reported


def stored_results(run_path: Path) -> list[tuple[int, float, int]]:
    """The same triple for every stored row."""
    from syne_tune.results_store import read_results

    df = read_results(run_path)
    if len(df) == 0:
        return []
    return [
        (int(t), round(float(ts), 6), int(e))
        for t, ts, e in zip(df["trial_id"], df["st_worker_timestamp"], df["epoch"])
    ]
