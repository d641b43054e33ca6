import numpy as np
import pandas as pd
import pytest

from bbrepo_testutils import small_space, small_tabular

from syne_tune.blackbox_repository import (
    Blackbox,
    BlackboxOffline,
    BlackboxTabular,
    from_function,
)
from syne_tune.blackbox_repository.errors import ConfigurationNotFoundError
from syne_tune.config_space import randint, uniform


def test_lookup_all_fidelities_and_single():
    bb = small_tabular()
    values = bb.objectives_evaluations
    for row, config in enumerate(bb.all_configurations()):
        for seed in range(bb.num_seeds):
            curve = bb.objective_function(config, seed=seed)
            assert curve.shape == (5, 2)
            np.testing.assert_array_equal(curve, values[row, seed])
            res = bb.objective_function(config, fidelity=3, seed=seed)
            assert res == {
                "loss": float(values[row, seed, 2, 0]),
                "time": float(values[row, seed, 2, 1]),
            }
            assert bb(config, fidelity={"epoch": 5}, seed=seed)["time"] == float(
                values[row, seed, 4, 1]
            )
        # row number works as configuration too
        np.testing.assert_array_equal(bb.objective_function(row, seed=0), values[row, 0])


def test_returned_arrays_are_read_only():
    bb = small_tabular()
    curve = bb.objective_function(bb.all_configurations()[0], seed=0)
    with pytest.raises(ValueError):
        curve[0, 0] = 1.0
    with pytest.raises(ValueError):
        bb.objectives_evaluations[0, 0, 0, 0] = 1.0


def test_extra_keys_ignored_and_numpy_values_accepted():
    bb = small_tabular()
    config = dict(bb.all_configurations()[4], epochs=5, something="x")
    expected = bb.objective_function(bb.all_configurations()[4], seed=1)
    np.testing.assert_array_equal(bb.objective_function(config, seed=1), expected)
    config_np = {
        "op": np.str_(config["op"]),
        "units": np.int64(config["units"]),
        "lr": np.float64(config["lr"]),
    }
    np.testing.assert_array_equal(bb.objective_function(config_np, seed=1), expected)
    # float32 round trip of a float value still finds the row
    config_f32 = dict(config_np, lr=np.float32(config["lr"]))
    np.testing.assert_array_equal(bb.objective_function(config_f32, seed=1), expected)


def test_unknown_configuration_raises_naming_it():
    bb = small_tabular()
    config = {"op": "a", "units": 16, "lr": 0.5}
    with pytest.raises(KeyError) as info:
        bb.objective_function(config)
    assert "0.5" in str(info.value) and "add_surrogate" in str(info.value)
    with pytest.raises(ValueError):
        bb.objective_function(config)
    assert isinstance(info.value, ConfigurationNotFoundError)
    with pytest.raises(KeyError, match="lacks"):
        bb.objective_function({"op": "a", "units": 16})


def test_bad_seed_and_fidelity():
    bb = small_tabular()
    config = bb.all_configurations()[0]
    with pytest.raises(ValueError, match="seed"):
        bb.objective_function(config, seed=2)
    with pytest.raises(ValueError, match="fidelity"):
        bb.objective_function(config, fidelity=7, seed=0)
    with pytest.raises(ValueError):
        bb.objective_function(config, fidelity={"nope": 1}, seed=0)


def test_random_seed_when_none():
    bb = small_tabular(num_seeds=2)
    config = bb.all_configurations()[0]
    row = bb.objectives_evaluations[0]
    seen = set()
    np.random.seed(0)
    for _ in range(50):
        curve = bb.objective_function(config)
        seen.add(0 if np.array_equal(curve, row[0]) else 1)
    assert seen == {0, 1}


def test_attributes_and_helpers():
    bb = small_tabular()
    assert bb.fidelity_name() == "epoch"
    np.testing.assert_array_equal(bb.fidelity_values, np.arange(1, 6))
    assert bb.num_seeds == 2 and bb.num_fidelities == 5
    assert list(bb.hyperparameters.columns) == ["op", "units", "lr"]
    cs = bb.configuration_space_with_max_resource_attr("epochs")
    assert cs["epochs"] == 5 and set(cs) == {"op", "units", "lr", "epochs"}
    with pytest.raises(ValueError):
        bb.configuration_space_with_max_resource_attr("op")
    assert len(bb.all_configurations()) == 18
    assert "tabular blackbox" in str(bb)


def test_rename_objectives():
    bb = small_tabular()
    renamed = bb.rename_objectives({"time": "metric_elapsed_time"})
    assert renamed.objectives_names == ["metric_elapsed_time"]
    config = bb.all_configurations()[3]
    np.testing.assert_array_equal(
        renamed.objective_function(config, seed=0)[:, 0],
        bb.objective_function(config, seed=0)[:, 1],
    )
    with pytest.raises(ValueError):
        bb.rename_objectives({"nope": "x"})


def test_hyperparameter_objectives_values_layout():
    bb = small_tabular(num_seeds=2, num_fidelities=5)
    X, y = bb.hyperparameter_objectives_values(predict_curves=False)
    assert X.shape == (5 * 2 * 18, 4) and y.shape == (5 * 2 * 18, 2)
    assert list(X.columns) == ["op", "units", "lr", "epoch"]
    vals = bb.objectives_evaluations
    # order: fidelity, seed, evaluation
    f, s, e = 3, 1, 7
    i = (f * 2 + s) * 18 + e
    assert X.iloc[i]["epoch"] == 4
    np.testing.assert_allclose(y.iloc[i].to_numpy(), vals[e, s, f])
    X, y = bb.hyperparameter_objectives_values(predict_curves=True)
    assert X.shape == (2 * 18, 3) and y.shape == (2 * 18, 10)
    np.testing.assert_allclose(y.iloc[18 + e].to_numpy(), vals[e, 1].reshape(-1))


def test_nan_imputation_in_training_data():
    bb = small_tabular(num_seeds=1)
    values = np.array(bb.objectives_evaluations)
    values[2, 0, 3, 0] = np.nan  # filled from previous fidelity
    values[5, 0, 0, 1] = np.nan  # cannot be filled: row dropped
    bb2 = BlackboxTabular(
        bb.hyperparameters, bb.configuration_space, bb.fidelity_space, values,
        objectives_names=bb.objectives_names,
    )
    X, y = bb2.hyperparameter_objectives_values(predict_curves=True)
    assert len(X) == 17
    assert y.iloc[2].to_numpy()[3 * 2] == values[2, 0, 2, 0]


def test_constructor_checks():
    bb = small_tabular()
    hps = bb.hyperparameters
    with pytest.raises(ValueError, match="duplicate"):
        BlackboxTabular(
            pd.concat([hps, hps.iloc[:1]], ignore_index=True), small_space(),
            bb.fidelity_space, np.zeros((19, 1, 5, 1)),
        )
    with pytest.raises(ValueError, match="match the configuration space"):
        BlackboxTabular(hps, {"op": small_space()["op"]}, bb.fidelity_space, np.zeros((18, 1, 5, 1)))
    with pytest.raises(ValueError):
        BlackboxTabular(hps, small_space(), bb.fidelity_space, np.zeros((17, 1, 5, 1)))
    with pytest.raises(ValueError):
        BlackboxTabular(hps, small_space(), bb.fidelity_space, np.zeros((18, 1, 5, 2)),
                        objectives_names=["x"])


def test_no_fidelity_tabular_returns_dict():
    hps = pd.DataFrame({"x": [1, 2, 3]})
    bb = BlackboxTabular(hps, {"x": randint(1, 3)}, None, np.arange(6.0).reshape(3, 1, 1, 2))
    assert bb.objective_function({"x": 2}) == {"y0": 2.0, "y1": 3.0}
    assert bb.fidelity_values is None
    X, y = bb.hyperparameter_objectives_values()
    assert list(X.columns) == ["x"] and y.shape == (3, 2)


def test_from_dataframe_pivot_and_offline():
    rows = []
    for x in [0.1, 0.2, 0.3]:
        for seed in [10, 20]:
            for epoch in [1, 2, 3]:
                if x == 0.3 and seed == 20 and epoch == 3:
                    continue  # missing -> NaN
                rows.append({"x": x, "seed": seed, "epoch": epoch, "metric_a": x * epoch + seed})
    df = pd.DataFrame(rows)
    space = {"x": uniform(0, 1)}
    fs = {"epoch": randint(1, 3)}
    bb = BlackboxTabular.from_dataframe(df, space, fs, seed_col="seed")
    assert bb.objectives_evaluations.shape == (3, 2, 3, 1)
    assert bb.objective_function({"x": 0.2}, fidelity=2, seed=1) == {"metric_a": pytest.approx(20.4)}
    assert np.isnan(bb.objective_function({"x": 0.3}, seed=1)[2, 0])

    off = BlackboxOffline(df, space, fs, seed_col="seed")
    curve = off.objective_function({"x": 0.1}, seed=20)
    np.testing.assert_allclose(curve[:, 0], [20.1, 20.2, 20.3])
    assert off.objective_function({"x": 0.1}, fidelity=3, seed=10) == {"metric_a": pytest.approx(10.3)}
    with pytest.raises(KeyError):
        off.objective_function({"x": 0.15}, seed=10)
    tab = off.to_tabular()
    np.testing.assert_array_equal(tab.objectives_evaluations, bb.objectives_evaluations)
    X, y = off.hyperparameter_objectives_values()
    assert list(X.columns) == ["x", "epoch"] and list(y.columns) == ["metric_a"]


def test_offline_without_fidelity():
    df = pd.DataFrame({"x": [1, 2, 3], "metric_y": [0.5, 0.25, 0.125], "metric_z": [1, 2, 3]})
    off = BlackboxOffline(df, {"x": randint(1, 3)})
    assert off.objective_function({"x": 2}) == {"metric_y": 0.25, "metric_z": 2.0}
    assert off.objectives_names == ["metric_y", "metric_z"]
    assert off.fidelity_values is None


def test_from_function():
    def f(config, fidelity, seed):
        return {"y": config["x"] * (fidelity or 1)}

    bb = from_function({"x": uniform(0, 1)}, f, fidelity_space={"e": randint(1, 10)},
                       objectives_names=["y"])
    assert isinstance(bb, Blackbox)
    assert bb.objective_function({"x": 0.5}, 4) == {"y": 2.0}
    assert bb({"x": 0.5}, fidelity=2) == {"y": 1.0}
    np.testing.assert_array_equal(bb.fidelity_values, np.arange(1, 11))
    assert bb.configuration_space_with_max_resource_attr("epochs")["epochs"] == 10
    assert bb.fidelity_name() == "e"
