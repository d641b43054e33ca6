"""Small version of benchmarking/mf_comparison.py: two nmt language pairs,
two seeds, on the simulator with the Tuner (a few seconds). The full
comparison (lcbench tasks and nmt, 10 seeds) is run by the script itself."""

import importlib.util
import math
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load_script():
    spec = importlib.util.spec_from_file_location("mf_comparison", ROOT / "benchmarking" / "mf_comparison.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def mf(tmp_path_factory):
    from syne_tune.blackbox_repository.conversion_scripts.utils import data_mirror_path

    mirror = data_mirror_path()
    if mirror is None or not (mirror / "nmt_hpo").is_dir():
        pytest.skip("data mirror with nmt_hpo not found")
    mp = pytest.MonkeyPatch()
    mp.setenv("SYNE_TUNE_BLACKBOX_REPOSITORY", str(tmp_path_factory.mktemp("bbrepo")))
    yield _load_script()
    mp.undo()


def test_small_comparison_runs_and_orders_methods(mf):
    benchmarks = ["nmt-so-en", "nmt-zh-en"]
    summary, verdict = mf.main(["--benchmarks", *benchmarks, "--seeds", "0", "1", "--workers", "1", "--num-configs", "48"])
    for bench in benchmarks:
        a = summary["A"][bench]
        for method in mf.METHODS_A:
            assert a[method]["num_seeds"] == 2
            assert math.isfinite(a[method]["best"]) and a[method]["resource"] > 0
        # dev_ppl is minimized: multi-fidelity methods are at least as good as RS here
        for method in ("ASHA", "Hyperband", "PASHA"):
            assert a[method]["best"] <= a["RS"]["best"] + 1e-9, (bench, method)
            assert a[method]["trials"] > a["RS"]["trials"]  # early stopping frees workers
        b = summary["B"][bench]
        # Same configurations started: PASHA trains at most as much as
        # promotion-based ASHA
        assert b["PASHA"]["resource"] <= b["ASHA-promotion"]["resource"]
