"""Small versions of benchmarking/multiobjective.py and benchmarking/transfer.py:
one benchmark, one or two seeds, the cheap methods (a few seconds). The full
campaigns (10 seeds) are run by the scripts themselves."""

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarking" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _need(folder: str):
    from syne_tune.blackbox_repository.conversion_scripts.utils import data_mirror_path

    mirror = data_mirror_path()
    if mirror is None or not (mirror / folder).is_dir():
        pytest.skip(f"data mirror with {folder} not found")


@pytest.fixture
def repo(tmp_path, monkeypatch):
    monkeypatch.setenv("SYNE_TUNE_BLACKBOX_REPOSITORY", str(tmp_path / "bbrepo"))


def test_multiobjective_benchmark_small(repo, tmp_path):
    _need("nmt_hpo")
    mo = _load("multiobjective")
    md, out = tmp_path / "mo.md", tmp_path / "mo.json"
    summary, verdict = mo.main(
        ["--benchmarks", "nmt-so-en", "--methods", "RS", "MOASHA", "MOREA", "--seeds", "0", "1", "--workers", "1",
         "--budget-factor", "4", "--results-md", str(md), "--out", str(out)]
    )
    runs = summary["nmt-so-en"]
    assert set(runs) == {"RS", "MOASHA", "MOREA"}
    for s in runs.values():
        hv = [s[f"hv@{f:g}"] for f in mo.FRACTIONS]
        assert all(0.0 <= h <= 1.0 for h in hv) and hv == sorted(hv)  # a hypervolume never shrinks
    assert {e["method"] for e in verdict} == {"MOASHA", "MOREA"}
    assert "python benchmarking/multiobjective.py --benchmarks nmt-so-en" in md.read_text()
    assert len(json.loads(out.read_text())["runs"]) == 6


def test_same_seed_same_multiobjective_run(repo):
    _need("nmt_hpo")
    mo = _load("multiobjective")
    a, b = mo.run_one(("nmt-so-en", "MOASHA", 3, 2.0)), mo.run_one(("nmt-so-en", "MOASHA", 3, 2.0))
    a.pop("wall_s"), b.pop("wall_s")
    assert a == b


def test_transfer_benchmark_small(repo, tmp_path):
    _need("icml2020")
    tl = _load("transfer")
    md = tmp_path / "tl.md"
    summary, verdict = tl.main(
        ["--benchmarks", "xgboost-heart", "--methods", "ASHA", "RUSH", "ASHA-BB", "ZS", "--seeds", "0",
         "--workers", "1", "--sf-trials", "20", "--results-md", str(md)]
    )
    runs = summary["xgboost-heart"]
    assert set(runs) == {"ASHA", "RUSH", "ASHA-BB", "ZS"}
    for s in runs.values():
        best = [s[f"best@{f:g}"] for f in tl.FRACTIONS]
        assert best == sorted(best, reverse=True)  # metric_error, best so far only improves
    assert {e["method"] for e in verdict} == {"RUSH", "ASHA-BB", "ZS"}
    assert "## Verdict" in md.read_text()
