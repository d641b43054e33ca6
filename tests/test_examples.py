"""The examples run end to end, and the examples index lists them all.

Every launcher in ``examples/`` that works on a plain machine in a few
seconds (with a small budget where it takes one) is run as a subprocess
below; the ones that need AWS, a Ray cluster or data that may be missing are
in :data:`NOT_RUN` with the reason. ``examples/README.md`` must list every
file of ``examples/``.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = REPO_ROOT / "examples"

#: Launchers run by the tests of this module.
RUN = {
    "launch_ask_tell.py",
    "launch_height_baselines.py",
    "launch_height_asha.py",
    "launch_height_python_backend.py",
    "launch_height_mobster.py",
    "launch_height_moasha.py",
    "launch_bayesopt_constrained.py",
    "launch_instance_type_tuning.py",
    "launch_simulated_benchmark.py",
    "launch_transfer_learning.py",
}

#: Launchers not run here, and why.
NOT_RUN = {
    "launch_sagemaker.py": "starts SageMaker training jobs: needs AWS credentials and a SageMaker execution role",
    "launch_remote.py": "launches the tuning itself as a SageMaker job: needs AWS credentials and a role",
    "launch_ray_cluster.py": "starts a local Ray cluster: run end to end by tests/backend/ray/test_raybackend_example.py",
}


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


def test_readme_lists_every_example_file():
    readme = (EXAMPLES / "README.md").read_text()
    files = sorted(path.relative_to(EXAMPLES).as_posix() for path in EXAMPLES.rglob("*.py"))
    assert files, "no examples found"
    missing = [name for name in files if f"`{name}`" not in readme]
    assert not missing, f"examples/README.md does not list {missing}"


def test_every_launcher_is_run_or_has_a_reason_not_to_be():
    launchers = {path.name for path in EXAMPLES.glob("*.py")}
    assert not RUN & set(NOT_RUN)
    assert launchers <= RUN | set(NOT_RUN), f"neither run nor explained: {sorted(launchers - RUN - set(NOT_RUN))}"
    assert RUN <= launchers, f"listed as run but absent: {sorted(RUN - launchers)}"
    source = Path(__file__).read_text()
    assert all(f'run_example("{name}"' in source for name in RUN)


@pytest.mark.parametrize("kind", ["stopping", "promotion"])
def test_height_asha_example(kind):
    out = run_example("launch_height_asha.py", "--type", kind, "--max_wallclock_time", "4")
    assert "Rung levels: [1, 3, 9] (max_t = 27)" in out and "Best trial" in out
    reached = out.split("Epochs reached per trial: ")[1].splitlines()[0]
    assert reached.startswith("{1: ")  # trials stopped or paused at the first rung


def test_height_python_backend_example():
    out = run_example("launch_height_python_backend.py", "--max_wallclock_time", "4")
    assert "Best configuration: trial" in out and "Results: " in out


@pytest.mark.parametrize("blackbox, mirror_folder, budget", [("lcbench", "yahpo", "3600"), ("nmt", "nmt_hpo", "36000")])
def test_simulated_benchmark_example(blackbox, mirror_folder, budget):
    if not _blackbox_available(blackbox, mirror_folder):
        pytest.skip(f"{blackbox} is neither in the blackbox repository nor in the data mirror")
    out = run_example("launch_simulated_benchmark.py", "--benchmark", blackbox, "--max_wallclock_time", budget,
                      timeout=600)
    assert f"ASHA on {blackbox}/" in out and "simulated hours in" in out and "Best " in out
