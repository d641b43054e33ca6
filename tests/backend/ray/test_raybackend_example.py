"""``examples/launch_ray_cluster.py`` runs end to end, joining the tests' Ray
cluster by its address (the example's other mode, starting a cluster of its
own, is the same code path after ``ray.init``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("ray", reason="the RayBackend tests need ray (the 'ray' extra)")

REPO = Path(__file__).resolve().parents[3]


def test_launch_ray_cluster_example_joins_the_cluster_and_tunes(ray_cluster, tmp_path):
    address = ray_cluster.get_runtime_context().gcs_address
    env = dict(os.environ, PYTHONPATH=str(REPO), RAY_USAGE_STATS_ENABLED="0", SYNETUNE_FOLDER=str(tmp_path / "st"))
    proc = subprocess.run(
        [
            sys.executable,
            str(REPO / "examples" / "launch_ray_cluster.py"),
            "--address",
            address,
            "--cpus_per_trial",
            "0.5",
            "--max_wallclock_time",
            "10",
            "--storage_path",
            str(tmp_path / "shared"),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    out = proc.stdout
    assert f"Joined the Ray cluster at {address}" in out
    assert "Best trial" in out and "Epochs reached per trial" in out
    n_trials = int(out.split("\n\n")[-1].split(" trials,")[0].split()[-1])
    # (4 workers; a new job starts its Ray worker processes first, slow on a loaded machine)
    assert n_trials >= 2, out
    # the trial folders are in the storage path, one per trial, each with its output
    folders = [p for p in (tmp_path / "shared").glob("height-asha-ray-*/*") if p.name.isdigit()]
    assert len(folders) >= n_trials and all((p / "std.out").exists() for p in folders)
