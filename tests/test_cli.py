"""The ``syne-tune`` command line on experiments made by real tuning runs.

Three short runs are made once for the module, in a temporary results root:
random search with the Python-function backend on a toy function that fails
for some configurations (its tuner snapshot is readable), MOASHA on a
two-objective toy function with the same backend, and ASHA in the simulator
without a tuner snapshot (so statuses come from the results).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from syne_tune import StoppingCriterion, Tuner
from syne_tune.backend import PythonBackend
from syne_tune.backend.simulator_backend import SimulatorCallback
from syne_tune.blackbox_repository import UserBlackboxBackend, from_function
from syne_tune.cli import main, trial_statuses
from syne_tune.config_space import randint, uniform
from syne_tune.experiments import load_experiment
from syne_tune.optimizer.baselines import ASHA, MOASHA, RandomSearch

REPO_ROOT = Path(__file__).resolve().parent.parent
EPOCHS = 9


def toy_with_failures(x: float):
    from syne_tune import Reporter

    if x > 0.6:
        raise RuntimeError("diverged")
    Reporter()(loss=(x - 0.3) ** 2, epoch=1)


def toy_two_objectives(x: float, epochs: int):
    from syne_tune import Reporter

    report = Reporter()
    for epoch in range(1, epochs + 1):
        report(epoch=epoch, loss=(x - 0.3) ** 2 + 1.0 / epoch, size=x * epoch)


def curves(config, fidelity, seed):
    epoch = np.arange(1, EPOCHS + 1)
    loss = (config["x"] - 0.3) ** 2 + 1.0 / epoch
    return np.stack([loss, 10.0 * epoch], axis=-1)


def _run_random_search() -> Path:
    space = {"x": uniform(0.0, 1.0)}
    tuner = Tuner(
        trial_backend=PythonBackend(toy_with_failures, config_space=space),
        scheduler=RandomSearch(space, metric="loss", mode="min", random_seed=1),
        stop_criterion=StoppingCriterion(max_num_trials_finished=6),
        n_workers=2,
        sleep_time=0.05,
        max_failures=10,
        tuner_name="cli-rs",
    )
    tuner.run()
    return tuner.tuner_path


def _run_moasha() -> Path:
    space = {"x": uniform(0.0, 1.0), "epochs": EPOCHS}
    tuner = Tuner(
        trial_backend=PythonBackend(toy_two_objectives, config_space=space),
        scheduler=MOASHA(space, metrics=["loss", "size"], mode=["min", "min"], time_attr="epoch", max_t=EPOCHS,
                         random_seed=0),
        stop_criterion=StoppingCriterion(max_num_trials_finished=6),
        n_workers=2,
        sleep_time=0.05,
        tuner_name="cli-mo",
    )
    tuner.run()
    return tuner.tuner_path


def _run_simulation_without_snapshot() -> Path:
    space = {"x": uniform(0.0, 1.0)}
    blackbox = from_function(space, curves, fidelity_space={"epoch": randint(1, EPOCHS)},
                             objectives_names=["loss", "elapsed"])
    tuner = Tuner(
        trial_backend=UserBlackboxBackend(blackbox, elapsed_time_attr="elapsed", max_resource_attr="epochs", seed=0),
        scheduler=ASHA(dict(space, epochs=EPOCHS), metric="loss", mode="min", resource_attr="epoch",
                       max_resource_attr="epochs", random_seed=0),
        stop_criterion=StoppingCriterion(max_num_trials_started=12),
        n_workers=2,
        sleep_time=0,
        callbacks=[SimulatorCallback()],
        save_tuner=False,
        tuner_name="cli-sim",
    )
    tuner.run()
    return tuner.tuner_path


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """``(results root, {"rs": path, "mo": path, "sim": path})``, made in this order."""
    root = tmp_path_factory.mktemp("results-root")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SYNETUNE_FOLDER", str(root))
        paths = {"rs": _run_random_search(), "mo": _run_moasha(), "sim": _run_simulation_without_snapshot()}
    return root, paths


def cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_list_newest_first_with_trials_metrics_and_state(runs, capsys):
    root, paths = runs
    code, out, _ = cli(capsys, "list", "--results-root", str(root))
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == f"3 experiments under {root} (newest first):"
    assert lines[1].split() == ["name", "started", "trials", "metrics", "best", "state"]
    names = [line.split()[0] for line in lines[2:]]
    assert names == [paths["sim"].name, paths["mo"].name, paths["rs"].name]
    rows = {line.split()[0]: line for line in lines[2:]}
    rs = load_experiment(paths["rs"])
    num_rs_trials = len(Tuner.load(paths["rs"]).tuning_status.trial_rows)
    assert rows[paths["rs"].name].split()[3:] == [str(num_rs_trials), "loss", "(min)", f"{rs.best_config()['loss']:.6g}",
                                                  "finished"]
    assert "loss (min), size (min)" in rows[paths["mo"].name] and rows[paths["mo"].name].endswith("finished")
    assert rows[paths["sim"].name].endswith("unknown")  # no tuner snapshot


def test_list_uses_the_tuners_results_folder_by_default(runs, capsys, monkeypatch):
    root, paths = runs
    monkeypatch.setenv("SYNETUNE_FOLDER", str(root))
    code, out, _ = cli(capsys, "list")
    assert code == 0 and all(path.name in out for path in paths.values())
    # the option may also come before the command
    code, out_before, _ = cli(capsys, "--results-root", str(root), "list")
    assert code == 0 and out_before == out


def test_list_of_an_empty_or_missing_root(tmp_path, capsys):
    code, out, _ = cli(capsys, "list", "--results-root", str(tmp_path / "nothing"))
    assert code == 0 and out.strip() == f"No experiments under {tmp_path / 'nothing'} (the folder does not exist)."


def test_show_best_config_status_counts_and_metric_summary(runs, capsys):
    root, paths = runs
    code, out, _ = cli(capsys, "show", paths["rs"].name, "--results-root", str(root))
    assert code == 0
    experiment = load_experiment(paths["rs"])
    best = experiment.best_config()
    assert f"Best loss (min): {best['loss']:.6g} in trial {best['trial_id']}" in out
    assert f"  config: x={best['config_x']:.6g}" in out
    # counts by status as the tuner recorded them: failures included, which have no results
    statuses = [row["status"] for row in Tuner.load(paths["rs"]).tuning_status.trial_rows.values()]
    assert statuses.count("Failed") >= 1 and statuses.count("Completed") >= 1
    counts_line = next(line for line in out.splitlines() if line.startswith("Trials by status"))
    assert counts_line.startswith("Trials by status (from the tuner snapshot): ")
    for status in set(statuses):
        assert f"{status} {statuses.count(status)}" in counts_line
    assert "state:     finished" in out
    # summary over trials of each trial's best loss
    per_trial = experiment.results.groupby("trial_id")["loss"].min()
    summary = out.split("Metric over trials (each trial's best value):\n")[1].splitlines()
    assert summary[0].split() == ["metric", "trials", "min", "median", "max"]
    assert summary[1].split() == ["loss", "(min)", str(len(per_trial))] + [
        f"{v:.6g}" for v in (per_trial.min(), per_trial.median(), per_trial.max())
    ]


def test_show_multi_objective_prints_each_best_and_the_pareto_front(runs, capsys):
    root, paths = runs
    code, out, _ = cli(capsys, "show", paths["mo"].name, "--results-root", str(root))
    assert code == 0
    experiment = load_experiment(paths["mo"])
    for metric in ("loss", "size"):
        best = experiment.best_config(metric)
        assert f"Best {metric} (min): {best[metric]:.6g} in trial {best['trial_id']}" in out
    front = experiment.pareto_front()
    assert f"Pareto front (loss, size; each trial's last result): {len(front)} trials" in out
    table = out.split(f"{len(front)} trials\n")[1].splitlines()
    assert table[0].split()[:3] == ["trial_id", "loss", "size"]
    assert sorted(int(line.split()[0]) for line in table[1:]) == sorted(front["trial_id"].tolist())


def test_show_without_snapshot_derives_statuses_from_the_results(runs, capsys):
    root, paths = runs
    experiment = load_experiment(paths["sim"])
    statuses = trial_statuses(experiment)
    assert statuses.source == "results" and "no tuner snapshot" in statuses.note
    last = experiment.results.groupby("trial_id")["st_decision"].last()
    expected = {int(tid): "Stopped" if decision == "STOP" else "Unknown" for tid, decision in last.items()}
    assert statuses.statuses == expected and "Stopped" in expected.values()
    code, out, _ = cli(capsys, "show", str(paths["sim"]), "--results-root", str(root))  # by folder path
    assert code == 0
    assert f"Trials by status (from the results): Stopped {list(expected.values()).count('Stopped')}" in out
    assert "state:     unknown" in out


def _is_png(path: Path) -> bool:
    return path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_writes_best_so_far_and_pareto_front(runs, capsys, tmp_path):
    pytest.importorskip("matplotlib")
    root, paths = runs
    code, out, _ = cli(capsys, "plot", paths["rs"].name, "--results-root", str(root))
    default = paths["rs"] / "best_so_far.png"
    assert code == 0 and out.splitlines() == [str(default)] and _is_png(default)
    output = tmp_path / "figs" / "mo.png"
    code, out, _ = cli(capsys, "plot", paths["mo"].name, "--results-root", str(root), "--output", str(output),
                       "--metric", "size")
    pareto = tmp_path / "figs" / "mo_pareto.png"
    assert code == 0 and out.splitlines() == [str(output), str(pareto)]
    assert _is_png(output) and _is_png(pareto)
    code, out, _ = cli(capsys, "plot", paths["mo"].name, "--results-root", str(root))
    assert code == 0 and out.splitlines() == [str(paths["mo"] / name) for name in ("best_so_far.png", "best_so_far_pareto.png")]


def test_plot_of_an_unknown_metric_is_a_usage_error(runs, capsys):
    root, paths = runs
    code, out, err = cli(capsys, "plot", paths["mo"].name, "--results-root", str(root), "--metric", "los")
    assert code == 2 and out == ""
    assert "one of ['loss', 'size']. Got 'los' (did you mean 'loss'?)" in err


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_export_writes_every_result(runs, capsys, tmp_path, monkeypatch, fmt):
    root, paths = runs
    experiment = load_experiment(paths["mo"])
    output = tmp_path / f"out.{fmt}"
    code, out, _ = cli(capsys, "export", paths["mo"].name, "--results-root", str(root), "--format", fmt,
                       "--output", str(output))
    assert code == 0 and out.strip() == f"{len(experiment.results)} results of {experiment.name} written to {output}"
    back = pd.read_csv(output) if fmt == "csv" else pd.read_parquet(output)
    pd.testing.assert_frame_equal(back, experiment.results, check_dtype=False)
    # default: <name>.<format> in the current folder
    monkeypatch.chdir(tmp_path)
    code, out, _ = cli(capsys, "export", paths["mo"].name, "--results-root", str(root), "--format", fmt)
    assert code == 0 and (tmp_path / f"{experiment.name}.{fmt}").is_file()


@pytest.mark.parametrize("command", ["show", "plot", "export"])
def test_unknown_experiment_names_what_was_asked_where_and_the_closest(runs, capsys, command):
    root, paths = runs
    code, out, err = cli(capsys, command, "cli-mosha", "--results-root", str(root))
    assert code == 1 and out == ""
    assert f"No experiment 'cli-mosha' under {root}" in err
    assert f"Closest names: {paths['mo'].name}" in err


def test_ambiguous_prefix_and_missing_root(runs, capsys, tmp_path):
    root, paths = runs
    code, _, err = cli(capsys, "show", "cli-", "--results-root", str(root))
    assert code == 1 and "'cli-' matches 3 experiments" in err and paths["rs"].name in err
    # a unique prefix is enough
    code, out, _ = cli(capsys, "show", "cli-r", "--results-root", str(root))
    assert code == 0 and out.startswith(f"Experiment {paths['rs'].name}")
    code, _, err = cli(capsys, "show", "x", "--results-root", str(tmp_path / "nothing"))
    assert code == 1 and "(the folder does not exist)" in err and "There are no experiments there" in err


def test_usage_errors_and_help(capsys):
    assert cli(capsys)[0] == 2  # no command
    assert cli(capsys, "frobnicate")[0] == 2
    code, _, err = cli(capsys, "export", "x", "--format", "xml")
    assert code == 2 and "invalid choice: 'xml'" in err
    for command in ("list", "show", "plot", "export", "benchmarks"):
        code, out, _ = cli(capsys, command, "--help")
        assert code == 0 and out.startswith(f"usage: syne-tune {command}")


def _section(out: str, title: str) -> list[str]:
    """Lines of the block of ``out`` that starts with ``title`` (up to the next blank line)."""
    block = out.split(title, 1)[1].split("\n\n")[0]
    return block.splitlines()[1:]


def test_benchmarks_lists_blackboxes_and_benchmark_definitions(capsys):
    from syne_tune.blackbox_repository import blackbox_availability
    from syne_tune.experiments.benchmark_definitions import benchmark_definitions, real_benchmark_definitions

    entries = {entry.name: entry for entry in blackbox_availability()}
    code, out, _ = cli(capsys, "benchmarks")
    assert code == 0
    num_available = sum(entry.available for entry in entries.values())
    rows = _section(out, f"Blackboxes ({len(entries)}, {num_available} can be loaded here):")
    assert rows[0].split() == ["blackbox", "available", "stored"]
    table = {row.split()[0]: row.split()[1:] for row in rows[1:]}
    assert table == {
        name: ["yes" if e.available else "no", "yes" if e.stored else "no"] for name, e in entries.items()
    }
    unavailable = [entry for entry in entries.values() if not entry.available]
    if unavailable:
        needs = _section(out, "What the others need:")
        assert needs == [f"  {entry.name}: {entry.missing}" for entry in unavailable]
    definitions = benchmark_definitions()
    rows = _section(out, f"Simulated benchmarks ({len(definitions)}; max_wallclock_time in simulated seconds):")
    assert rows[0].split() == ["benchmark", "blackbox", "dataset", "metric", "mode", "max_wallclock_time",
                               "n_workers", "available"]
    for row in rows[1:]:
        name, blackbox, dataset, metric, mode, _, n_workers, available = row.split()
        definition = definitions[name]
        assert (blackbox, dataset, metric, mode, int(n_workers)) == (
            definition.blackbox_name, definition.dataset_name, definition.metric, definition.mode, definition.n_workers
        )
        assert available == ("yes" if entries[blackbox].available else "no")
    assert len(rows) - 1 == len(definitions)
    real = real_benchmark_definitions()
    rows = _section(out, f"Real benchmarks ({len(real)}; training scripts run on this machine):")
    assert {row.split()[0] for row in rows[1:]} == set(real)
    # --available keeps only what can be loaded; --details adds the sources
    code, out, _ = cli(capsys, "benchmarks", "--available", "--details")
    assert code == 0 and "What the others need:" not in out
    shown = {row.split()[0] for row in _section(out, "can be loaded here):")[1:]}
    assert shown == {name for name, entry in entries.items() if entry.available}
    assert _section(out, "Sources:") == [f"  {name}: {entries[name].source}" for name in sorted(shown)]


def test_as_a_subprocess_without_matplotlib_or_heavy_imports(runs):
    root, paths = runs
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT), OMP_NUM_THREADS="1")
    script = (
        "import sys; from syne_tune.cli import main; code = main(sys.argv[1:]); "
        "heavy = [m for m in ('matplotlib', 'boto3', 'sagemaker', 'ray', 'tqdm') if m in sys.modules]; "
        "print('heavy:', heavy); sys.exit(code)"
    )
    proc = subprocess.run([sys.executable, "-c", script, "show", paths["rs"].name, "--results-root", str(root)],
                          env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert f"Experiment {paths['rs'].name}" in proc.stdout and "heavy: []" in proc.stdout
    proc = subprocess.run([sys.executable, "-m", "syne_tune.cli", "show", "nope", "--results-root", str(root)],
                          env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr.startswith(f"syne-tune show: error: No experiment 'nope' under {root}")
