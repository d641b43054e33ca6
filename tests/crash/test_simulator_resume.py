"""A simulated run killed with SIGKILL resumes from its last snapshot to
exactly the result of an uninterrupted run (add_real_time=False)."""

from __future__ import annotations

import json
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


def _stored_rows(manifest) -> int:
    try:
        return sum(part["rows"] for part in json.loads(manifest.read_text())["parts"])
    except (OSError, ValueError, KeyError):
        return 0


@pytest.mark.slow
def test_killed_simulation_resumes_to_the_same_result(tmp_path):
    root = tmp_path / "st"
    reference = _start(root, "reference")
    out, _ = reference.communicate(timeout=300)
    assert reference.returncode == 0, out[-3000:]
    expected = read_results(root / "reference")
    assert len(expected) > 2000

    # kill when a quarter, half, three quarters of the rows are stored (read
    # from the manifest, written with every snapshot)
    manifest = root / "killed" / "results" / "manifest.json"
    kills = 0
    for fraction in (0.25, 0.5, 0.75):
        proc = _start(root, "killed")
        assert proc.stdout.readline().strip() == "RUN"
        while proc.poll() is None and _stored_rows(manifest) < fraction * len(expected):
            time.sleep(0.002)
        if proc.poll() is not None:
            break
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        kills += 1
        assert _stored_rows(manifest) < len(expected)
    assert kills >= 1
    final = _start(root, "killed")
    out, _ = final.communicate(timeout=300)
    assert final.returncode == 0, out[-3000:]
    assert "TUNING-FINISHED" in out
    pd.testing.assert_frame_equal(read_results(root / "killed"), expected)
