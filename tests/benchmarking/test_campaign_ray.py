"""A campaign fanned out as Ray tasks on a real local Ray cluster (started
here, 2 CPUs) gives the results of the local process pool for the same seeds,
and re-running it skips the finished cells."""

from __future__ import annotations

import json

import pytest
from campaign_helpers import BENCH, cell_files, last_summary, needs_lcbench, run_entry

ray = pytest.importorskip("ray")


def _results(folder):
    out = {}
    for p in sorted((folder / "cells").glob("*/*/seed-*.json")):
        c = json.loads(p.read_text())
        out[(c["method"], c["seed"])] = (c["curve"], c["results"], c["trials"])
    return out


@needs_lcbench
def test_ray_campaign_matches_the_local_pool_and_resumes(tmp_path, monkeypatch):
    from benchmarking import simulated

    args = ["--benchmark", BENCH, "--method", "RS", "ASHA", "--num-seeds", "3", "--max-wallclock-time", "900",
            "--results-root", str(tmp_path)]
    pool = run_entry("simulated", "--experiment-tag", "pool", "--jobs", "2", *args)
    assert pool.returncode == 0, pool.stdout + pool.stderr

    monkeypatch.setenv("RAY_USAGE_STATS_ENABLED", "0")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        summary = simulated.main(["--experiment-tag", "ray", "--ray-address", "auto", "--jobs", "2", *args])
        assert summary["run"] == 6 and not summary["failed"], summary
        assert _results(tmp_path / "ray") == _results(tmp_path / "pool")  # simulator determinism
        before = cell_files(tmp_path / "ray")
        again = simulated.main(["--experiment-tag", "ray", "--ray-address", "auto", "--jobs", "2", *args])
        assert again["run"] == 0 and again["skipped"] == 6
        assert cell_files(tmp_path / "ray") == before
        assert last_summary(tmp_path / "ray")["skipped"] == 6
    finally:
        ray.shutdown()
