import numpy as np
import pandas as pd
import pytest

from bbrepo_testutils import small_tabular

from syne_tune.blackbox_repository import BlackboxOffline, add_surrogate
from syne_tune.blackbox_repository.blackbox_surrogate import (
    BlackboxSurrogate,
    NearestNeighborRegressor,
)
from syne_tune.config_space import choice, loguniform, randint, uniform


@pytest.mark.parametrize("predict_curves", [True, False])
def test_known_configurations_answered_exactly(predict_curves):
    bb = small_tabular(num_seeds=1)
    sur = add_surrogate(bb, predict_curves=predict_curves)
    assert isinstance(sur, BlackboxSurrogate)
    for config in bb.all_configurations():
        expected = bb.objective_function(config, seed=0)
        got = sur.objective_function(config)
        assert got.shape == (5, 2)
        np.testing.assert_array_equal(got.astype(np.float32), expected)
        single = sur.objective_function(config, fidelity=2)
        assert single == pytest.approx(
            {"loss": float(expected[1, 0]), "time": float(expected[1, 1])}, rel=1e-7
        )


def test_separate_seeds_exact_per_seed():
    bb = small_tabular(num_seeds=2)
    sur = add_surrogate(bb, separate_seeds=True)
    assert sur.num_seeds == 2
    for config in bb.all_configurations()[:6]:
        for seed in range(2):
            np.testing.assert_array_equal(
                sur.objective_function(config, seed=seed).astype(np.float32),
                bb.objective_function(config, seed=seed),
            )
    # pooled seeds: deterministic answer (the first seed's values)
    pooled = add_surrogate(bb)
    config = bb.all_configurations()[0]
    np.testing.assert_array_equal(
        pooled.objective_function(config).astype(np.float32), bb.objective_function(config, seed=0)
    )


def test_unseen_configuration_gets_nearest_neighbour():
    bb = small_tabular(num_seeds=1, lrs=(1e-3, 1e-2))
    sur = add_surrogate(bb)
    # lr 1.2e-3 is closer to 1e-3 than 1e-2 on the log scale
    config = {"op": "b", "units": 32, "lr": 1.2e-3}
    np.testing.assert_array_equal(
        sur.objective_function(config).astype(np.float32),
        bb.objective_function({"op": "b", "units": 32, "lr": 1e-3}, seed=0),
    )
    config = {"op": "b", "units": 32, "lr": 8e-3}
    np.testing.assert_array_equal(
        sur.objective_function(config).astype(np.float32),
        bb.objective_function({"op": "b", "units": 32, "lr": 1e-2}, seed=0),
    )


def test_continuous_space_and_sklearn_model():
    from sklearn.neighbors import KNeighborsRegressor

    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, 200)
    df = pd.DataFrame({"x": x, "metric_y": 3 * x + 1})
    off = BlackboxOffline(df, {"x": uniform(0, 1)})
    sur = add_surrogate(off, surrogate=KNeighborsRegressor(n_neighbors=3))
    y = sur.objective_function({"x": 0.5})["metric_y"]
    assert abs(y - 2.5) < 0.1
    sur_nn = add_surrogate(off)
    assert sur_nn.objective_function({"x": float(x[7])})["metric_y"] == pytest.approx(3 * x[7] + 1)
    sur_str = add_surrogate(off, surrogate="KNeighborsRegressor")
    assert sur_str.objective_function({"x": float(x[3])})["metric_y"] == pytest.approx(3 * x[3] + 1)


def test_fit_differences_keeps_curves_cumulative():
    bb = small_tabular(num_seeds=1)
    sur = add_surrogate(bb, fit_differences=["time"], predict_curves=False,
                        surrogate="KNeighborsRegressor")
    curve = sur.objective_function({"op": "a", "units": 32, "lr": 5e-3})  # not in the table
    assert np.all(np.diff(curve[:, 1]) > 0)
    for config in bb.all_configurations()[:4]:
        np.testing.assert_allclose(sur.objective_function(config), bb.objective_function(config, seed=0),
                                   rtol=1e-5)


def test_max_fit_samples_and_offline_with_fidelity():
    rows = [{"x": x, "e": e, "metric_y": x * e} for x in np.linspace(0, 1, 11) for e in (1, 2, 3)]
    off = BlackboxOffline(pd.DataFrame(rows), {"x": uniform(0, 1)}, {"e": randint(1, 3)})
    sur = add_surrogate(off)
    assert sur.predict_curves is False
    assert sur.objective_function({"x": 0.5}, fidelity=2)["metric_y"] == pytest.approx(1.0)
    np.testing.assert_allclose(sur.objective_function({"x": 0.5})[:, 0], [0.5, 1.0, 1.5])
    small = add_surrogate(off, max_fit_samples=5)
    assert len(small.models[0]._X) <= 5


def test_log_and_categorical_encoding_distances():
    from syne_tune.blackbox_repository.blackbox_surrogate import ConfigurationEncoder

    enc = ConfigurationEncoder({"lr": loguniform(1e-4, 1.0), "c": choice(["a", "b"])})
    v = enc.encode_config({"lr": 1e-2, "c": "b"})[0]
    assert v[0] == pytest.approx(0.5)
    assert v[1] == 0 and v[2] > 0
    # a configuration outside the space is an error naming the value ...
    with pytest.raises(ValueError, match="'c' = 'unknown' is not one of the categories"):
        enc.encode_config({"lr": 1e-2, "c": "unknown"})
    # ... while training rows with unknown categories encode as zeros
    X = pd.DataFrame({"lr": [1e-2], "c": ["unknown"]})
    assert enc.encode_frame(X)[0][1:].sum() == 0


def test_surrogate_rejects_configurations_outside_its_space():
    sur = add_surrogate(small_tabular(num_seeds=1))
    with pytest.raises(ValueError, match="'op' = 'zz'"):
        sur.objective_function({"op": "zz", "units": 32, "lr": 1e-3})
    with pytest.raises(ValueError, match="lacks the hyperparameters"):
        sur.objective_function({"op": "a", "lr": 1e-3})


def test_surrogate_pickles():
    import pickle

    bb = small_tabular(num_seeds=1)
    for surrogate in (None, "KNeighborsRegressor"):
        sur = add_surrogate(bb, surrogate=surrogate, fit_differences=["time"])
        clone = pickle.loads(pickle.dumps(sur))
        config = {"op": "b", "units": 16, "lr": 3e-3}
        np.testing.assert_array_equal(clone.objective_function(config), sur.objective_function(config))


def test_nearest_neighbor_regressor():
    model = NearestNeighborRegressor().fit([[0.0], [1.0], [0.0]], [[1.0], [2.0], [3.0]])
    np.testing.assert_array_equal(model.predict([[0.1], [0.9]]), [[1.0], [2.0]])
