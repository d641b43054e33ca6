"""Ctrl-C, SIGTERM and SIGHUP stop a tuner cleanly: trials and their
children are killed, every reported result is stored, the state is saved,
and the exit status is the conventional one for the signal."""

from __future__ import annotations

import os
import signal
import time
import uuid

import pytest

from crash_util import Launcher, processes_with_marker, reported_results, stored_results

NAME = "signal-test"

EXIT_STATUS = {
    signal.SIGINT: (130, -signal.SIGINT),  # KeyboardInterrupt: Python ends by the signal
    signal.SIGTERM: (128 + signal.SIGTERM,),
    signal.SIGHUP: (128 + signal.SIGHUP,),
}


def _pids(run_path) -> list[int]:
    pids = []
    for f in run_path.glob("*/pids"):
        for line in f.read_text().split("\n"):
            pids += [int(p) for p in line.split()]
    return pids


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read()
        return data[data.rindex(b")") + 2 :].split()[0] not in (b"Z", b"X")
    except OSError:
        return False


def _check_results(run_path):
    reported = reported_results(run_path)
    stored = stored_results(run_path)
    assert len(stored) == len(set(stored)), "results stored twice"
    missing = reported - set(stored)
    assert not missing, f"{len(missing)} reported results were not stored: {sorted(missing)[:10]}"
    assert set(stored) <= reported
    return stored


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=["SIGINT", "SIGTERM", "SIGHUP"])
def test_signal_stops_cleanly(tmp_path, signum):
    root = tmp_path / "st"
    run_path = root / NAME
    marker = uuid.uuid4().hex
    launcher = Launcher(root, NAME, marker, extra_args=["--signals"])
    launcher.wait_for_line("RUN")
    deadline = time.monotonic() + 60
    while len(reported_results(run_path)) < 12 or len(_pids(run_path)) < 12:
        assert time.monotonic() < deadline, launcher.output()[-3000:]
        time.sleep(0.02)
    pids = _pids(run_path)
    assert sum(_alive(p) for p in pids) >= 9  # trials and their grandchildren run
    os.kill(launcher.proc.pid, signum)
    launcher.proc.wait(timeout=60)
    output = launcher.output()
    assert launcher.proc.returncode in EXIT_STATUS[signum], (launcher.proc.returncode, output[-3000:])
    assert "TUNING-FINISHED" not in output
    assert "Tuning interrupted" in output
    # nothing left running: trials, grandchildren, watchdog
    assert not [p for p in _pids(run_path) if _alive(p)]
    deadline = time.monotonic() + 10
    while processes_with_marker(marker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert processes_with_marker(marker) == []
    stored = _check_results(run_path)
    assert len(stored) >= 12
    assert (run_path / "tuner.dill").exists()

    if signum == signal.SIGTERM:
        # the interrupted trials are restarted by a resumed tuner, which finishes
        resumed = Launcher(root, NAME, marker, extra_args=["--signals"])
        resumed.proc.wait(timeout=180)
        assert resumed.proc.returncode == 0, resumed.output()[-3000:]
        stored = _check_results(run_path)
        last_epoch = {}
        for trial_id, _, epoch in stored:
            last_epoch[trial_id] = max(epoch, last_epoch.get(trial_id, 0))
        assert len(last_epoch) == 16 and set(last_epoch.values()) == {10}
        deadline = time.monotonic() + 10
        while processes_with_marker(marker) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert processes_with_marker(marker) == []
