"""examples/launch_simulated_benchmark.py on the nmt table (converted from
the data mirror; skipped without it)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from syne_tune.blackbox_repository.conversion_scripts.utils import find_source

REPO_ROOT = Path(__file__).resolve().parents[2]
NMT_DATA = find_source(["nmt_hpo"])


@pytest.mark.skipif(NMT_DATA is None, reason="nmt_hpo not found in the data mirror")
@pytest.mark.parametrize("method", ["RS", "ASHA-PROMOTION"])
def test_launch_simulated_benchmark_nmt(tmp_path, method):
    env = dict(os.environ)
    env.setdefault("SYNE_TUNE_BLACKBOX_REPOSITORY", str(tmp_path / "repository"))
    env["PYTHONPATH"] = str(REPO_ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run(
        [
            sys.executable,
            str(REPO_ROOT / "examples" / "launch_simulated_benchmark.py"),
            "--benchmark",
            "nmt",
            "--method",
            method,
            "--max_wallclock_time",
            "36000",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    hours = re.search(r"4 workers: ([0-9.]+) simulated hours", proc.stdout)
    assert hours is not None and 10.0 <= float(hours.group(1)) < 11.0, proc.stdout
    assert "Best dev_ppl (min)" in proc.stdout
