"""The README's main job and the ask/tell example run end to end."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


def run_example(name: str, *args: str, timeout: int = 120) -> str:
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT), MPLBACKEND="Agg")
    proc = subprocess.run([sys.executable, str(REPO_ROOT / "examples" / name), *args], env=env, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    return proc.stdout


def test_ask_tell_example():
    out = run_example("launch_ask_tell.py")
    assert "random search: best loss" in out and "ASHA:" in out


@pytest.mark.slow
def test_height_baselines_main_job_prints_best_config_and_writes_plot():
    pytest.importorskip("matplotlib")
    out = run_example("launch_height_baselines.py", "--max_wallclock_time", "4")
    assert "Best configuration" in out
    plot = Path(out.split("Plot:")[1].strip().splitlines()[0])
    assert plot.exists() and plot.stat().st_size > 1000


def _feasible_count(out: str, method: str) -> int:
    line = next(l for l in out.splitlines() if l.startswith(f"{method}: ") and "feasible," in l)
    return int(line.split(": ")[1].split(" of ")[0])


def test_constrained_bo_example_finds_feasible_points():
    pytest.importorskip("autograd")
    out = run_example("launch_bayesopt_constrained.py", "--num_trials", "14", timeout=300)
    assert _feasible_count(out, "CBO") > _feasible_count(out, "BO")


def test_height_mobster_example():
    pytest.importorskip("autograd")
    out = run_example("launch_height_mobster.py", "--max_wallclock_time", "8", timeout=240)
    assert "GP observations:" in out and "Best trial" in out


def test_instance_type_example_prints_the_pareto_front_and_writes_its_plot(tmp_path):
    plot = tmp_path / "pareto.png"
    out = run_example("launch_instance_type_tuning.py", "--plot", str(plot))
    assert "MOASHA:" in out and "Pareto front (error vs dollar cost" in out and "Hypervolume" in out
    if "Plot:" in out:  # matplotlib installed
        assert plot.stat().st_size > 1000


def test_height_moasha_example(tmp_path):
    plot = tmp_path / "pareto.png"
    out = run_example("launch_height_moasha.py", "--max_wallclock_time", "6", "--plot", str(plot))
    assert "Pareto front (" in out and "mean_loss" in out
    if "Plot:" in out:
        assert plot.stat().st_size > 1000


def _blackbox_available(name: str, mirror_folder: str) -> bool:
    from syne_tune.blackbox_repository.conversion_scripts.utils import data_mirror_path
    from syne_tune.blackbox_repository.repository import repository_path

    mirror = data_mirror_path()
    return (repository_path() / name).is_dir() or (mirror is not None and (mirror / mirror_folder).is_dir())


def test_transfer_learning_example_compares_with_asha():
    pytest.importorskip("sklearn")
    if not _blackbox_available("lcbench", "yahpo"):  # lcbench is sampled from the YAHPO Gym surrogate
        pytest.skip("lcbench is neither in the blackbox repository nor in the data mirror")
    out = run_example("launch_transfer_learning.py", "--methods", "ASHA", "RUSH", "ZS", timeout=600)
    assert "Earlier tasks: 33 lcbench datasets" in out
    rows = [line.split() for line in out.splitlines() if line.split()[:1] in (["ASHA"], ["RUSH"], ["ZS"])]
    assert [r[0] for r in rows] == ["ASHA", "RUSH", "ZS"] and all(len(r) == 5 for r in rows)
