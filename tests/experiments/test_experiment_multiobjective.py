"""Pareto sets, hypervolume curves and Pareto plots of experiment results."""

import json
import math

import numpy as np
import pandas as pd
import pytest

from syne_tune.experiments import (
    ExperimentResult,
    hypervolume_indicator_column_generator,
    load_experiment,
    pareto_set,
    plot_pareto_front,
)
from syne_tune.optimizer.schedulers.multiobjective.hypervolume import hypervolume
from syne_tune.utils.validation import InvalidParameterError


def _results():
    """Trials report (loss: min, acc: max) per epoch; trial 1 has a NaN row."""
    per_trial = {
        0: [(0.9, 0.50), (0.3, 0.70)],  # last: (0.3, 0.7)
        1: [(0.2, 0.60), (math.nan, 0.9)],  # last finite: (0.2, 0.6)
        2: [(0.4, 0.80)],  # front
        3: [(0.6, 0.65)],  # dominated by trial 2
        4: [(0.1, 0.95), (0.7, 0.30)],  # early row dominates all; last is dominated
    }
    rows, t = [], 0.0
    for trial_id, values in per_trial.items():
        for epoch, (loss, acc) in enumerate(values, start=1):
            t += 1.0
            rows.append({"trial_id": trial_id, "epoch": epoch, "loss": loss, "acc": acc,
                         "config_lr": 0.1 * (trial_id + 1), "st_tuner_time": t, "st_decision": "CONTINUE"})
    return pd.DataFrame(rows)


def _write_run(root, name, results, **metadata):
    path = root / name
    path.mkdir(parents=True)
    meta = {"metric_names": ["loss", "acc"], "metric_mode": ["min", "max"], "st_tuner_creation_timestamp": 1.7e9,
            **metadata}
    (path / "metadata.json").write_text(json.dumps(meta))
    results.to_csv(path / "results.csv.zip", index=False)
    return path


@pytest.fixture
def experiment(tmp_path):
    return load_experiment(_write_run(tmp_path, "mo-run", _results()))


def test_pareto_set_last_row_per_trial_and_all_rows():
    df = _results()
    last = pareto_set(df, ["loss", "acc"], ["min", "max"])
    assert last["trial_id"].tolist() == [0, 1, 2]
    assert last.index.tolist() == [1, 2, 4]  # original rows, original order
    every = pareto_set(df, ["loss", "acc"], ["min", "max"], per_trial="all")
    assert every["trial_id"].tolist() == [4] and every["loss"].tolist() == [0.1]
    # modes flip the front; without a trial_id column every row counts
    worst = pareto_set(df.drop(columns="trial_id"), ["loss", "acc"], ["max", "min"])
    assert sorted(worst["loss"].tolist()) == [0.7, 0.9]


def test_pareto_set_of_an_array_keeps_ties():
    values = np.array([[1.0, 2.0], [2.0, 1.0], [1.0, 2.0], [2.0, 2.0]])
    np.testing.assert_array_equal(pareto_set(values), values[:3])
    np.testing.assert_array_equal(pareto_set(values, modes=["max", "max"]), values[[3]])
    with pytest.raises(InvalidParameterError, match="one name per column"):
        pareto_set(values, metrics=["a"])


def test_pareto_set_errors():
    df = _results()
    with pytest.raises(ValueError, match=r"metrics \['latency'\] are not columns"):
        pareto_set(df, ["loss", "latency"])
    with pytest.raises(InvalidParameterError, match="The 'modes' parameter of pareto_set"):
        pareto_set(df, ["loss", "acc"], ["min"])
    with pytest.raises(InvalidParameterError, match="The 'modes' parameter of pareto_set"):
        pareto_set(df, ["loss", "acc"], "lowest")
    with pytest.raises(InvalidParameterError, match="The 'per_trial' parameter of pareto_set"):
        pareto_set(df, ["loss", "acc"], per_trial="best")
    with pytest.raises(InvalidParameterError, match="The 'metrics' parameter of pareto_set"):
        pareto_set(df, "loss")


def test_hypervolume_column_is_cumulative_over_time():
    df = _results().sample(frac=1.0, random_state=0)  # row order != time order
    ref = [1.0, 0.0]  # loss below 1, acc above 0
    column = hypervolume_indicator_column_generator([("loss", "min"), ("acc", "max")], reference_point=ref)(df)
    assert column.name == "hypervolume_indicator" and column.index.equals(df.index)
    by_time = df.sort_values("st_tuner_time")
    expected = []
    for k in range(1, len(by_time) + 1):
        prefix = by_time.iloc[:k][["loss", "acc"]].dropna().to_numpy() * [1, -1]
        expected.append(hypervolume(prefix, [1.0, 0.0]) if len(prefix) else 0.0)
    np.testing.assert_allclose(column.loc[by_time.index].to_numpy(), expected)
    assert column.max() == pytest.approx(0.9 * 0.95)  # trial 4's first row dominates everything
    # default reference point: nadir of the front + 10% of its range, per DataFrame
    default = hypervolume_indicator_column_generator([("loss", "min"), ("acc", "max")])(df)
    assert (np.diff(default.loc[by_time.index].to_numpy()) >= 0).all() and default.max() > 0


def test_hypervolume_column_generator_errors():
    with pytest.raises(InvalidParameterError, match="at least 2 \\(metric, mode\\) pairs"):
        hypervolume_indicator_column_generator([("loss", "min")])
    with pytest.raises(InvalidParameterError, match="The 'modes' parameter"):
        hypervolume_indicator_column_generator([("loss", "min"), ("acc", "best")])
    with pytest.raises(InvalidParameterError, match="one finite value per metric"):
        hypervolume_indicator_column_generator([("loss", "min"), ("acc", "max")], reference_point=[1.0])
    generator = hypervolume_indicator_column_generator([("loss", "min"), ("latency", "min")])
    with pytest.raises(ValueError, match="not columns of the results"):
        generator(_results())


def test_experiment_pareto_front_and_hypervolume(experiment):
    front = experiment.pareto_front()
    assert front["trial_id"].tolist() == [0, 1, 2]
    assert experiment.pareto_front(metrics=[1, "loss"], per_trial="all")["trial_id"].tolist() == [4]
    # last rows (0.3, 0.7), (0.2, 0.6), (0.4, 0.8), (0.6, 0.65), (0.7, 0.3); ref (1, 0)
    expected = hypervolume(np.array([[0.3, -0.7], [0.2, -0.6], [0.4, -0.8]]), [1.0, 0.0])
    assert experiment.hypervolume(reference_point=[1.0, 0.0]) == pytest.approx(expected)
    assert experiment.hypervolume(reference_point=[1.0, 0.0], per_trial="all") == pytest.approx(0.9 * 0.95)
    assert experiment.hypervolume() > 0  # default reference point
    with pytest.raises(InvalidParameterError, match="The 'reference_point' parameter of ExperimentResult.hypervolume"):
        experiment.hypervolume(reference_point=[1.0])
    with pytest.raises(InvalidParameterError, match="at least 2 metric names or positions"):
        experiment.pareto_front(metrics=["loss"])
    with pytest.raises(InvalidParameterError, match="distinct metrics"):
        experiment.pareto_front(metrics=["loss", 0])
    with pytest.raises(InvalidParameterError, match="The 'metric' parameter of ExperimentResult"):
        experiment.pareto_front(metrics=["loss", "latency"])


def test_single_metric_experiment_errors_are_clear(tmp_path):
    single = load_experiment(_write_run(tmp_path, "so-run", _results(), metric_names=["loss"], metric_mode="min"))
    for call in (single.pareto_front, single.hypervolume, single.plot_pareto, single.plot_hypervolume):
        with pytest.raises(ValueError, match="has a single metric \\['loss'\\]; a Pareto front or hypervolume"):
            call()


def test_plot_pareto_and_plot_hypervolume_write_png(experiment, tmp_path):
    pytest.importorskip("matplotlib")
    fig = experiment.plot_pareto(figure_path=tmp_path / "pareto.png")
    assert (tmp_path / "pareto.png").stat().st_size > 1000
    ax = fig.axes[0]
    assert ax.get_xlabel() == "loss" and ax.get_ylabel() == "acc"
    evaluated, front = ax.collections[0].get_offsets(), ax.collections[1].get_offsets()
    assert len(evaluated) == 5  # the last finite row of each of the 5 trials (per_trial="last")
    assert sorted(map(tuple, np.asarray(front).tolist())) == [(0.2, 0.6), (0.3, 0.7), (0.4, 0.8)]
    # staircase through the front, x increasing; for (min, max) it steps up
    line = ax.lines[0]
    assert list(line.get_xdata()) == [0.2, 0.3, 0.3, 0.4, 0.4]
    assert list(line.get_ydata()) == [0.6, 0.6, 0.7, 0.7, 0.8]
    assert ax.get_title() == "Pareto front (3 of 5 points)"

    fig = experiment.plot_hypervolume(reference_point=[1.0, 0.0], figure_path=tmp_path / "hv.png")
    assert (tmp_path / "hv.png").stat().st_size > 1000
    y = fig.axes[0].lines[0].get_ydata()
    assert y[-1] == pytest.approx(0.9 * 0.95) and (np.diff(y) >= 0).all()
    assert fig.axes[0].get_ylabel() == "Hypervolume indicator"


def test_plot_pareto_front_of_an_array_into_given_axes(tmp_path):
    pytest.importorskip("matplotlib")
    from matplotlib.figure import Figure

    fig = Figure()
    ax = fig.subplots()
    values = np.array([[1.0, 3.0], [2.0, 2.0], [3.0, 1.0], [3.0, 3.0]])
    out = plot_pareto_front(values, ["a", "b"], ax=ax, title="t", figure_path=tmp_path / "a.png", marker="s")
    assert out is fig and (tmp_path / "a.png").exists() and ax.get_title() == "t"
    assert list(ax.lines[0].get_xdata()) == [1.0, 2.0, 2.0, 3.0, 3.0]
    assert list(ax.lines[0].get_ydata()) == [3.0, 3.0, 2.0, 2.0, 1.0]
    with pytest.raises(InvalidParameterError, match="must have 2 columns"):
        plot_pareto_front(np.zeros((3, 3)), figure_path=tmp_path / "b.png")
    with pytest.raises(InvalidParameterError, match="must be a list of 2 column names"):
        plot_pareto_front(_results(), ["loss"], figure_path=tmp_path / "c.png")


def test_empty_experiment(tmp_path, caplog):
    empty = ExperimentResult("empty", pd.DataFrame(), {"metric_names": ["a", "b"], "metric_mode": "min"}, None, tmp_path)
    assert empty.hypervolume() == 0.0
    assert len(empty.pareto_front()) == 0
    assert empty.plot_pareto(figure_path=tmp_path / "x.png") is None
    assert empty.plot_hypervolume(figure_path=tmp_path / "y.png") is None
    assert "has no results" in caplog.text
