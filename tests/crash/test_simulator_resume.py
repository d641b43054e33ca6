"""A simulated run killed with SIGKILL resumes from its last snapshot to
exactly the result of an uninterrupted run (add_real_time=False)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from crash_util import REPO_ROOT
from syne_tune.results_store import read_results

HERE = Path(__file__).resolve().parent
LAUNCHER = HERE / "sim_launcher.py"


def _start(root, name):
    env = dict(os.environ, SYNETUNE_FOLDER=str(root), PYTHONPATH=str(REPO_ROOT))
    return subprocess.Popen([sys.executable, str(LAUNCHER), name], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


@pytest.mark.slow
def test_killed_simulation_resumes_to_the_same_result(tmp_path):
    root = tmp_path / "st"
    reference = _start(root, "reference")
    out, _ = reference.communicate(timeout=300)
    assert reference.returncode == 0, out[-3000:]
    expected = read_results(root / "reference")
    assert len(expected) > 2000

    sizes = []
    for delay in (0.3, 0.3, 0.3):
        proc = _start(root, "killed")
        assert proc.stdout.readline().strip() == "RUN"
        time.sleep(delay)
        if proc.poll() is not None:
            break
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        sizes.append(len(read_results(root / "killed")))
    assert sizes and sizes[0] < len(expected)  # killed in the middle
    final = _start(root, "killed")
    out, _ = final.communicate(timeout=300)
    assert final.returncode == 0, out[-3000:]
    assert "TUNING-FINISHED" in out
    pd.testing.assert_frame_equal(read_results(root / "killed"), expected)
