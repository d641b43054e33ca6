"""A tuner killed with SIGKILL at any moment resumes with every result, once,
and never runs a trial twice at the same time.

Each scenario runs ``kill_launcher.py`` (LocalBackend, default Tuner
settings, 4 workers, trials reporting every 0.1 s), SIGKILLs it at fixed
moments (seconds after it printed ``RUN``, or right after new trials started;
several kills in a chain), resuming with ``Tuner.load(path).run()`` after each
kill, and lets the last resume finish. Then:

* every result any trial printed is stored, exactly once, and nothing else;
* at no moment after the first kill did one trial id have two live processes;
* every configuration ran to its last epoch;
* no process of the run is left (trials, their children, the watchdog).
"""

from __future__ import annotations

import os
import signal
import time
import uuid

import pytest

from crash_util import Launcher, TrialProcessMonitor, processes_with_marker, reported_results, stored_results

NAME = "kill-test"
NUM_CONFIGS = 16
EPOCHS = 10
#: "trials" -> kill right after the tuner started trials beyond the first wave
NEW_TRIALS = "trials"

SCENARIOS = {
    "at-start": [0.0],
    "0.15s": [0.15],
    "0.4s": [0.4],
    "0.7s": [0.7],
    "0.95s": [0.95],
    "after-new-trials": [NEW_TRIALS],
    "2.5s": [2.5],
    "chain-3": [0.3, 0.8, 1.5],
    "chain-4": [0.5, 0.5, 0.5, 0.5],
    "chain-trials": [1.0, NEW_TRIALS, 2.0],
}


def _kill_at(launcher: Launcher, moment, run_path) -> None:
    started = launcher.wait_for_line("RUN")
    if moment == NEW_TRIALS:
        # the first wave is trials 0-3; wait for the next trial folder to appear
        existing = {p.name for p in run_path.iterdir()} if run_path.exists() else set()
        target = max([int(n) for n in existing if n.isdigit()] + [3]) + 1
        deadline = time.monotonic() + 60
        while not (run_path / str(target) / "std.out").exists():
            if time.monotonic() > deadline or launcher.proc.poll() is not None:
                pytest.fail(f"trial {target} did not start:\n{launcher.output()[-3000:]}")
            time.sleep(0.001)
    else:
        time.sleep(max(0.0, started + moment - time.monotonic()))
    os.kill(launcher.proc.pid, signal.SIGKILL)
    launcher.proc.wait(timeout=30)


@pytest.mark.slow
@pytest.mark.parametrize("moments", list(SCENARIOS.values()), ids=list(SCENARIOS))
def test_kill_and_resume(tmp_path, moments):
    _kill_resume_and_check(tmp_path, moments)


@pytest.mark.slow
def test_kill_and_resume_bayesian_optimization(tmp_path):
    """A killed BO run resumes: the GP searcher survives in the snapshot."""
    _kill_resume_and_check(tmp_path, [1.2, NEW_TRIALS], extra_args=["--bo"])


@pytest.mark.slow
def test_trials_outlive_a_killed_tuner_and_are_adopted(tmp_path):
    """With trials_die_with_tuner=False the trials keep running after SIGKILL;
    the resumed tuner adopts them (no restart) and stores what they reported."""
    from crash_util import live_processes_with

    run_path = _kill_resume_and_check(
        tmp_path, [1.5], extra_args=["--outlive"], after_kill=lambda path: live_processes_with(f"{path}/")
    )
    # adopted trials ran in one process each: their iterations count up without a restart
    from syne_tune.report import retrieve

    for out in run_path.glob("*/std.out"):
        iters = [r["st_worker_iter"] for r in retrieve(out.read_text().splitlines())]
        assert iters == list(range(len(iters))), (out, iters)


def _kill_resume_and_check(tmp_path, moments, extra_args=(), after_kill=None):
    root = tmp_path / "st"
    run_path = root / NAME
    marker = uuid.uuid4().hex
    monitor = None
    try:
        for moment in moments:
            launcher = Launcher(root, NAME, marker, extra_args=extra_args)
            _kill_at(launcher, moment, run_path)
            # the killed run's results can be read at once: every journaled
            # result, each once
            if (run_path / "results" / "manifest.json").exists():
                so_far = stored_results(run_path)
                assert len(so_far) == len(set(so_far)) and set(so_far) <= reported_results(run_path)
            if after_kill is not None:
                assert after_kill(run_path), "no trial survived the tuner"
            if monitor is None:
                monitor = TrialProcessMonitor(run_path)
                monitor.start()
        final = Launcher(root, NAME, marker, extra_args=extra_args)
        final.proc.wait(timeout=180)
        output = final.output()
        assert final.proc.returncode == 0, output[-4000:]
        assert "TUNING-FINISHED" in output
    finally:
        if monitor is not None:
            monitor.stop()

    # every reported result stored exactly once, nothing else
    reported = reported_results(run_path)
    stored = stored_results(run_path)
    assert len(stored) == len(set(stored)), "results stored twice"
    missing = reported - set(stored)
    assert not missing, f"{len(missing)} reported results were lost: {sorted(missing)[:10]}"
    assert set(stored) <= reported
    # every configuration ran to the end
    last_epoch = {}
    for trial_id, _, epoch in stored:
        last_epoch[trial_id] = max(epoch, last_epoch.get(trial_id, 0))
    assert len(last_epoch) == NUM_CONFIGS and set(last_epoch.values()) == {EPOCHS}, last_epoch
    # never two processes of one trial at once
    assert monitor.scans > 10
    assert monitor.doubled() == {}, f"trial ids with two live processes: {monitor.doubled()}"
    # nothing left running
    deadline = time.monotonic() + 10
    while processes_with_marker(marker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert processes_with_marker(marker) == []
    return run_path
