"""A tuner killed with SIGKILL mid-run resumes with Tuner.load and loses no result."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from syne_tune.report import retrieve
from syne_tune.results_callback import read_results

LAUNCHER = Path(__file__).parent / "resume_launcher.py"
REPO_ROOT = Path(__file__).resolve().parents[2]


def _results_in_trial_logs(tuner_dir: Path) -> set[tuple[int, int]]:
    """(trial_id, epoch) of every result the trial scripts printed."""
    reported = set()
    for out in tuner_dir.glob("*/std.out"):
        trial_id = int(out.parent.name)
        for result in retrieve(out.read_text().splitlines()):
            reported.add((trial_id, int(result["epoch"])))
    return reported


@pytest.mark.slow
def test_sigkill_mid_run_then_resume(tmp_path):
    root = tmp_path / "st"
    env = dict(os.environ, SYNETUNE_FOLDER=str(root), PYTHONPATH=str(REPO_ROOT))
    tuner_dir = root / "resume-test"
    proc = subprocess.Popen([sys.executable, str(LAUNCHER)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.time() + 90
        while time.time() < deadline:
            if (tuner_dir / "tuner.dill").exists() and len(_results_in_trial_logs(tuner_dir)) >= 6:
                break
            time.sleep(0.1)
        else:
            pytest.fail("the tuning run did not save any state in time")
        time.sleep(0.7)  # results keep arriving after the last save
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    before_kill = _results_in_trial_logs(tuner_dir)
    assert before_kill

    resumed = subprocess.run(
        [sys.executable, str(LAUNCHER), "--resume", str(tuner_dir)], env=env, capture_output=True, text=True, timeout=180
    )
    assert resumed.returncode == 0, resumed.stdout[-3000:] + resumed.stderr[-3000:]
    assert "TUNING-FINISHED" in resumed.stdout

    df = read_results(tuner_dir)
    stored = set(zip(df["trial_id"].astype(int), df["epoch"].astype(int)))
    missing = before_kill - stored
    assert not missing, f"results reported before the kill were lost: {sorted(missing)}"
    # each result stored once
    assert len(set(df["trial_id"])) >= 6
    assert not df.duplicated(subset=["trial_id", "epoch"]).any()
