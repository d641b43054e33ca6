"""ExperimentResult: best_config (whole best row, finite values only), plots, loading."""

import json
import math
import os
import subprocess
import sys

import pandas as pd
import pytest

from syne_tune.experiments import (
    ExperimentResult,
    best_config_from_results,
    best_result_row,
    list_experiments,
    load_experiment,
    load_experiments_df,
)
from syne_tune.utils.validation import InvalidParameterError


def _results():
    rows = []
    t = 0.0
    losses = {0: [0.9, 0.6, 0.4], 1: [0.8, math.nan], 2: [-math.inf, 0.7], 3: [0.5, 0.3]}
    for trial_id, values in losses.items():
        for epoch, loss in enumerate(values, start=1):
            t += 1.0
            stop = trial_id == 0 and epoch == 3
            rows.append({
                "epoch": epoch, "loss": loss, "acc": 1 - (loss if math.isfinite(loss) else 1.0),
                "st_worker_timestamp": 1e9 + t, "st_worker_time": t, "st_worker_iter": epoch - 1,
                "st_decision": "STOP" if stop else "CONTINUE", "st_status": "InProgress",
                "trial_id": trial_id, "config_lr": 0.1 * (trial_id + 1), "config_act": "relu" if trial_id % 2 else "tanh",
                "st_tuner_time": t,
            })
    return pd.DataFrame(rows)


def _write_run(root, name, results, **metadata):
    path = root / name
    path.mkdir(parents=True)
    meta = {"metric_names": ["loss", "acc"], "metric_mode": ["min", "max"], "scheduler_name": "RandomSearch",
            "st_tuner_creation_timestamp": 1.7e9, "entrypoint": "/x/train_height.py", **metadata}
    (path / "metadata.json").write_text(json.dumps(meta))
    results.to_csv(path / "results.csv.zip", index=False)
    return path


@pytest.fixture
def experiment(tmp_path):
    return load_experiment(_write_run(tmp_path, "run-1", _results()))


def test_best_config_is_the_whole_best_row_without_st_columns(experiment):
    best = experiment.best_config()
    assert best == {"epoch": 2, "loss": 0.3, "acc": pytest.approx(0.7), "trial_id": 3,
                    "config_lr": pytest.approx(0.4), "config_act": "relu"}
    assert all(type(v) in (int, float, str) for v in best.values())  # plain Python values


def test_best_config_other_metric_by_index_or_name(experiment):
    by_index = experiment.best_config(1)
    assert by_index == experiment.best_config("acc")
    assert by_index["trial_id"] == 3 and by_index["acc"] == pytest.approx(0.7)
    with pytest.raises(InvalidParameterError, match="The 'metric' parameter of ExperimentResult"):
        experiment.best_config("latency")


def test_best_ignores_nan_and_infinite_values():
    df = pd.DataFrame({"trial_id": [0, 1, 2, 3], "loss": [math.nan, -math.inf, 2.0, math.inf], "config_x": [1, 2, 3, 4]})
    assert best_config_from_results(df, "loss", "min") == (2, {"x": 3})
    assert best_config_from_results(df, "loss", "max") == (2, {"x": 3})
    assert best_result_row(df, "loss", "min")["config_x"] == 3
    with pytest.raises(ValueError, match="no finite value"):
        best_config_from_results(df.iloc[[0, 1, 3]], "loss", "min")


def test_best_config_from_results_errors():
    df = pd.DataFrame({"trial_id": [0], "loss": [1.0]})
    with pytest.raises(ValueError, match="No results yet"):
        best_config_from_results(df.iloc[:0], "loss", "min")
    with pytest.raises(ValueError, match="Metric 'acc' not in the results"):
        best_config_from_results(df, "acc", "min")
    with pytest.raises(InvalidParameterError, match="The 'mode' parameter of best_result_row"):
        best_config_from_results(df, "loss", "lowest")


def test_plot_trials_over_time_one_line_per_trial(experiment, tmp_path):
    pytest.importorskip("matplotlib")
    out = tmp_path / "trials.png"
    fig = experiment.plot_trials_over_time(figure_path=out)
    assert out.stat().st_size > 1000
    ax = fig.axes[0]
    assert len(ax.lines) == 4  # trials 0..3
    assert tuple(fig.get_size_inches()) == (12, 4)
    assert ax.get_xlabel() == "Wallclock time (s)" and ax.get_ylabel() == "loss"
    stops = ax.collections[0].get_offsets()
    assert stops.tolist() == [[3.0, 0.4]]  # trial 0 stopped at its 3rd result
    fig2 = experiment.plot_trials_over_time(metric_to_plot="acc", figure_path=tmp_path / "b.png", figsize=(4, 3), color="k")
    assert tuple(fig2.get_size_inches()) == (4, 3) and fig2.axes[0].get_ylabel() == "acc"


def test_plot_best_over_time_skips_non_finite(experiment, tmp_path):
    pytest.importorskip("matplotlib")
    fig = experiment.plot(figure_path=tmp_path / "best.png")
    assert (tmp_path / "best.png").stat().st_size > 1000
    y = list(fig.axes[0].lines[0].get_ydata())
    assert y[:3] == [0.9, 0.6, 0.4] and -math.inf not in y and min(y) == 0.3


def test_saving_a_plot_needs_no_pyplot_and_keeps_the_backend(tmp_path):
    pytest.importorskip("matplotlib")
    path = _write_run(tmp_path, "run-x", _results())
    code = (
        "import sys, matplotlib; matplotlib.use('svg');"
        "from syne_tune.experiments import load_experiment;"
        f"e = load_experiment({str(path)!r});"
        f"e.plot_trials_over_time(figure_path={str(tmp_path / 'p.png')!r});"
        f"e.plot(figure_path={str(tmp_path / 'q.png')!r});"
        "print('matplotlib.pyplot' in sys.modules, matplotlib.get_backend())"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "MPLBACKEND")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert out.stdout.split() == ["False", "svg"]
    assert (tmp_path / "p.png").exists() and (tmp_path / "q.png").exists()


def test_plots_of_an_empty_run_warn_and_return_none(tmp_path, caplog):
    empty = ExperimentResult("empty", pd.DataFrame(), {"metric_names": ["loss"], "metric_mode": "min"}, None, tmp_path)
    assert empty.plot_trials_over_time(figure_path=tmp_path / "x.png") is None
    assert empty.plot(figure_path=tmp_path / "y.png") is None
    assert "has no results" in caplog.text and not (tmp_path / "x.png").exists()


def test_experiments_module_does_not_import_tuner_or_pandas():
    code = "import sys, syne_tune.experiments; print([m for m in ('syne_tune.tuner', 'pandas', 'matplotlib') if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_str_and_metadata_accessors(experiment):
    assert str(experiment) == "Experiment run-1 contains 9 evaluations from 4 trials"
    assert experiment.metric_names() == ["loss", "acc"] and experiment.metric_mode() == ["min", "max"]
    assert experiment.entrypoint_name() == "train_height"
    assert experiment.creation_date().timestamp() == pytest.approx(1.7e9)


def test_list_experiments_and_load_experiments_df(tmp_path):
    _write_run(tmp_path, "a/run-1", _results(), seed=0)
    _write_run(tmp_path, "a/run-2", _results().head(3), seed=1)
    names = sorted(e.name for e in list_experiments(root=tmp_path))
    assert names == ["run-1", "run-2"]
    df = load_experiments_df(root=tmp_path)
    assert len(df) == 12
    assert set(df["tuner_name"]) == {"run-1", "run-2"} and set(df["seed"]) == {0, 1}
    assert {"metric_names-0", "metric_names-1", "metric_mode-0"} <= set(df.columns)
    assert load_experiments_df(root=tmp_path / "nothing").empty


def test_plot_without_path_shows_the_figure(experiment, monkeypatch):
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shown = []
    monkeypatch.setattr(plt, "show", lambda *a, **k: shown.append(True))
    fig = experiment.plot_trials_over_time()
    assert shown == [True] and len(fig.axes[0].lines) == 4
    plt.close(fig)
