"""CQR: conformalized quantile regression surrogate, Thompson sampling,
the single- and multi-fidelity searchers and the baselines CQR / ASHACQR."""

from __future__ import annotations

import numpy as np
import pytest

from syne_tune.config_space import choice, randint, uniform
from syne_tune.optimizer.baselines import ASHACQR, CQR
from syne_tune.optimizer.schedulers.searchers.bayesopt.observations import ModelData
from syne_tune.optimizer.schedulers.searchers.conformal import (
    ConformalQuantileRegression,
    MultiFidelitySurrogateSearcher,
    QuantileRegression,
    SurrogateSearcher,
    ThompsonSampling,
)
from syne_tune.optimizer.schedulers.searchers.conformal.conformal_quantile_regression import (
    conformal_correction,
    quantile_levels,
    quantile_pairs,
    rearrange,
    thompson_draws,
)
from syne_tune.testing.scheduler import SchedulerContract
from syne_tune.testing.searcher import SearcherContract
from syne_tune.utils.validation import InvalidParameterError

#: Small models: the contract suites fit the surrogate many times.
FAST = {"regressor_kwargs": {"max_iter": 5, "max_leaf_nodes": 4}, "num_candidates": 50}


# -- quantile levels, conformal correction, rearrangement ------------------------------------


def test_quantile_levels_default_and_pairs():
    levels = quantile_levels(5)
    np.testing.assert_allclose(levels, np.arange(1, 6) / 6)
    assert quantile_pairs(levels) == [(0, 4), (1, 3)]
    np.testing.assert_allclose(quantile_levels([0.9, 0.1]), [0.1, 0.9])


def test_conformal_correction_is_the_conformal_rank_of_the_scores():
    lower, upper = np.zeros(9), np.ones(9)
    y = np.array([-0.5, 0.2, 0.5, 0.9, 1.1, 1.3, 1.7, 2.0, 3.0])
    scores = np.sort(np.maximum(lower - y, y - upper))
    # coverage 0.6: rank ceil(10 * 0.6) = 6
    assert conformal_correction(lower, upper, y, 0.6) == pytest.approx(scores[5])
    # rank ceil(10 * 0.95) = 10 > 9: the largest score
    assert conformal_correction(lower, upper, y, 0.95) == pytest.approx(scores[-1])


def _noisy_sine(rs: np.random.RandomState, n: int):
    X = rs.rand(n, 2)
    return X, np.sin(2 * np.pi * X[:, 0]) + 0.5 * rs.randn(n)


#: An overfitting booster: its training-set quantiles are far too narrow.
OVERFIT = {"max_iter": 20, "learning_rate": 0.8, "max_leaf_nodes": 31, "min_samples_leaf": 1}


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_conformalized_interval_has_nominal_coverage_where_raw_one_does_not(seed):
    rs = np.random.RandomState(seed)
    X, y = _noisy_sine(rs, 1000)
    X_test, y_test = _noisy_sine(rs, 5000)
    nominal = 0.6
    coverages = {}
    for model in (
        QuantileRegression(quantiles=[0.2, 0.8], regressor_kwargs=OVERFIT),
        ConformalQuantileRegression(quantiles=[0.2, 0.8], regressor_kwargs=OVERFIT, valid_fraction=0.5),
    ):
        model.fit(ModelData(X=X, y=y), np.random.RandomState(seed))
        q = model.predict_quantiles(X_test)
        coverages[model.conformalized] = np.mean((y_test >= q[:, 0]) & (y_test <= q[:, 1]))
    assert coverages[False] < nominal - 0.1  # miscalibrated: too narrow
    assert abs(coverages[True] - nominal) < 0.05


def test_no_conformal_correction_below_the_threshold():
    rs = np.random.RandomState(0)
    model = ConformalQuantileRegression(min_samples_to_conformalize=32, regressor_kwargs={"max_iter": 3})
    X, y = _noisy_sine(rs, 31)
    model.fit(ModelData(X=X, y=y), rs)
    assert not model.conformalized and not np.any(model.corrections) and model.num_fit_samples == 31
    X, y = _noisy_sine(rs, 32)
    model.fit(ModelData(X=X, y=y), rs)
    # ceil(0.1 * 32) = 4 calibration points, 28 fitted
    assert model.conformalized and model.num_fit_samples == 28
    c = model.corrections
    np.testing.assert_allclose(c, -c[::-1])  # -Q_k / +Q_k per pair
    assert c[2] == 0.0


def test_rearrangement_fixes_quantile_crossing():
    crossing = np.array([[3.0, 1.0, 2.0], [0.0, 1.0, 2.0]])
    np.testing.assert_array_equal(rearrange(crossing), [[1.0, 2.0, 3.0], [0.0, 1.0, 2.0]])
    rs = np.random.RandomState(1)
    X, y = _noisy_sine(rs, 60)
    model = ConformalQuantileRegression(quantiles=9, min_samples_to_conformalize=10, regressor_kwargs=OVERFIT)
    model.fit(ModelData(X=X, y=y), rs)
    q = model.predict_quantiles(rs.rand(500, 2))
    assert np.all(np.diff(q, axis=1) >= 0)


def test_max_fit_samples_subsamples():
    rs = np.random.RandomState(0)
    X, y = _noisy_sine(rs, 50)
    model = QuantileRegression(max_fit_samples=20, regressor_kwargs={"max_iter": 2})
    model.fit(ModelData(X=X, y=y), rs)
    assert model.num_fit_samples == 20


# -- Thompson sampling ---------------------------------------------------------------------------


class _FixedQuantiles:
    def __init__(self, q):
        self.q = q

    def predict_quantiles(self, X):
        return self.q[: len(X)]


def test_thompson_sampling_picks_the_smallest_draw():
    rs = np.random.RandomState(0)
    q = np.sort(rs.randn(200, 5), axis=1)
    draws = thompson_draws(q, np.random.RandomState(42))
    columns = np.random.RandomState(42).randint(5, size=200)
    np.testing.assert_array_equal(draws, q[np.arange(200), columns])
    scores = ThompsonSampling(_FixedQuantiles(q), np.random.RandomState(42))(np.zeros((200, 3)))
    assert int(np.argmax(scores)) == int(np.argmin(draws))


@pytest.mark.parametrize("mode", ["min", "max"])
def test_searcher_suggests_the_best_draw_among_restricted_configs(mode):
    space = {"x": uniform(0.0, 1.0), "c": choice(["a", "b"])}
    rs = np.random.RandomState(3)
    restrict = [{"x": float(v), "c": str(c)} for v, c in zip(rs.rand(60), rs.choice(["a", "b"], 60))]
    searcher = SurrogateSearcher(
        space, metric="m", mode=mode, random_seed=0, points_to_evaluate=[], restrict_configurations=restrict,
        num_init_random_draws=5, regressor_kwargs={"max_iter": 5},
    )
    for trial_id in range(8):
        config = searcher.get_config(trial_id=trial_id)
        searcher.on_trial_result(trial_id, config, {"m": (config["x"] - 0.3) ** 2}, update=True)
    # replay the suggestion: fit as the searcher does, then draw with its random state
    twin = searcher.clone_from_state(searcher.get_state())
    model = twin._fit_models()["m"]
    unused = list(twin._restrict_unused)
    X = twin._hp_ranges.to_ndarray_matrix([restrict[i] for i in unused])
    draws = thompson_draws(model.predict_quantiles(X), twin.random_state)  # of the signed target
    expected = restrict[unused[int(np.argmin(draws))]]
    assert searcher.get_config(trial_id=8) == expected
    signed = [o.outputs["m"] for o in searcher.observations.observations()]
    raw = [(o.config["x"] - 0.3) ** 2 for o in searcher.observations.observations()]
    assert signed == pytest.approx(raw if mode == "min" else [-v for v in raw])


# -- searcher behaviour ----------------------------------------------------------------------------


SPACE = {"x": uniform(0.0, 1.0), "n": randint(1, 5), "act": choice(["relu", "tanh"]), "epochs": 9}


def _feed(searcher, num, first=0, resource_attr=None):
    for trial_id in range(first, first + num):
        config = searcher.get_config(trial_id=trial_id)
        result = {"loss": config["x"] + 0.1 * config["n"]}
        if resource_attr:
            result[resource_attr] = 1
        searcher.on_trial_result(trial_id, config, result, update=True)


def test_random_until_num_init_random_draws_observations():
    searcher = SurrogateSearcher(SPACE, metric="loss", random_seed=1, points_to_evaluate=[], num_init_random_draws=4, **FAST)
    _feed(searcher, 4)
    assert searcher.model_parameters() == {}  # no model yet: all random
    _feed(searcher, 1, first=4)
    assert searcher.model_parameters()["num_fit_samples"] == 4


def test_update_frequency_refits_every_k_observations():
    searcher = SurrogateSearcher(
        SPACE, metric="loss", random_seed=1, points_to_evaluate=[], num_init_random_draws=2, update_frequency=3, **FAST
    )
    _feed(searcher, 2)
    sizes = []
    for trial_id in range(2, 9):
        _feed(searcher, 1, first=trial_id)
        sizes.append(searcher.model_parameters()["num_fit_samples"])
    # fitted at 2 observations, then after 3 more (5), then (8)
    assert sizes == [2, 2, 2, 5, 5, 5, 8]


def test_surrogate_without_conformal_correction():
    searcher = SurrogateSearcher(
        SPACE, metric="loss", random_seed=0, points_to_evaluate=[], surrogate="QuantileRegressionNoConformal",
        min_samples_to_conformalize=3, **FAST,
    )
    _feed(searcher, 8)
    assert searcher.model_parameters()["conformalized"] is False
    conformal = SurrogateSearcher(
        SPACE, metric="loss", random_seed=0, points_to_evaluate=[], min_samples_to_conformalize=5, **FAST
    )
    _feed(conformal, 8)
    assert conformal.model_parameters()["conformalized"] is True


def test_suggestions_are_good_on_an_easy_problem():
    searcher = SurrogateSearcher(
        {"x": uniform(0.0, 1.0)}, metric="loss", random_seed=0, points_to_evaluate=[], num_candidates=200
    )
    xs = []
    for trial_id in range(25):
        config = searcher.get_config(trial_id=trial_id)
        xs.append(config["x"])
        searcher.on_trial_result(trial_id, config, {"loss": (config["x"] - 0.7) ** 2}, update=True)
    # after the random start, most suggestions are near the optimum
    assert np.mean(np.abs(np.array(xs[10:]) - 0.7) < 0.2) >= 0.6


# -- multi-fidelity ----------------------------------------------------------------------------------


def test_multi_fidelity_fits_the_last_value_of_every_trial():
    searcher = MultiFidelitySurrogateSearcher(
        SPACE, metric="loss", mode="max", resource_attr="epoch", max_epochs=9, random_seed=0, points_to_evaluate=[]
    )
    configs = {t: searcher.get_config(trial_id=t) for t in range(3)}
    reports = [(0, 1, 0.1), (1, 1, 0.2), (0, 3, 0.5), (2, 1, 0.3), (0, 9, 0.9), (1, 3, 0.4), (0, 3, 0.55)]
    for trial_id, epoch, value in reports:
        searcher.on_trial_result(trial_id, configs[trial_id], {"loss": value, "epoch": epoch}, update=True)
    data = searcher._model_data("loss")
    # last = largest epoch reported: trial 0 at 9, trial 1 at 3, trial 2 at 1 (mode max: negated)
    np.testing.assert_allclose(data.y, [-0.9, -0.4, -0.3])
    np.testing.assert_allclose(data.resources, [9, 3, 1])
    np.testing.assert_allclose(data.X, searcher._hp_ranges.to_ndarray_matrix([configs[t] for t in range(3)]))
    assert searcher._num_fit_rows() == 3
    with_resource = MultiFidelitySurrogateSearcher(
        SPACE, metric="loss", resource_attr="epoch", max_epochs=9, resource_as_input=True, points_to_evaluate=[]
    )
    for trial_id, epoch, value in reports:
        with_resource.on_trial_result(trial_id, configs[trial_id], {"loss": value, "epoch": epoch}, update=True)
    np.testing.assert_allclose(with_resource._model_data("loss").X[:, -1], [1.0, 3 / 9, 1 / 9])


def test_multi_fidelity_model_is_fitted_per_trial():
    searcher = MultiFidelitySurrogateSearcher(
        SPACE, metric="loss", resource_attr="epoch", random_seed=0, points_to_evaluate=[], num_init_random_draws=3,
        **FAST,
    )
    for trial_id in range(4):
        config = searcher.get_config(trial_id=trial_id)
        for epoch in (1, 2, 3):
            searcher.on_trial_result(trial_id, config, {"loss": 1.0 / epoch, "epoch": epoch}, update=True)
    assert searcher.get_config(trial_id=4) is not None
    assert searcher.model_parameters()["num_fit_samples"] == 4
    assert searcher.dataset_size() == 12


def test_single_fidelity_searcher_refuses_hyperband_and_mf_refuses_fifo():
    from syne_tune.optimizer.schedulers import FIFOScheduler
    from syne_tune.optimizer.schedulers.hyperband import HyperbandScheduler

    with pytest.raises(InvalidParameterError):
        HyperbandScheduler(
            SPACE, searcher=SurrogateSearcher(SPACE, metric="loss"), metric="loss", resource_attr="epoch", max_t=9
        )
    with pytest.raises(InvalidParameterError):
        FIFOScheduler(SPACE, searcher=MultiFidelitySurrogateSearcher(SPACE, metric="loss"), metric="loss")


# -- argument checks ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"surrogate": "GaussianProcess"}, "surrogate"),
        ({"num_init_random_draws": -1}, "num_init_random_draws"),
        ({"update_frequency": 0}, "update_frequency"),
        ({"max_fit_samples": 1}, "max_fit_samples"),
        ({"num_candidates": 0}, "num_candidates"),
        ({"quantiles": 0}, "quantiles"),
        ({"quantiles": [0.5, 1.5]}, "quantiles"),
        ({"valid_fraction": 1.0}, "valid_fraction"),
        ({"min_samples_to_conformalize": 2}, "min_samples_to_conformalize"),
        ({"regressor_kwargs": {"loss": "squared_error"}}, "regressor_kwargs"),
        ({"regressor_kwargs": {"max_iters": 3}}, "max_iter"),
        ({"metric": 3}, "metric"),
    ],
)
def test_bad_arguments_raise_naming_the_parameter(kwargs, name):
    args = {"metric": "loss", **kwargs}
    with pytest.raises(InvalidParameterError, match=name):
        SurrogateSearcher(SPACE, **args)


@pytest.mark.parametrize(
    "kwargs, name",
    [({"resource_attr": 3}, "resource_attr"), ({"scheduler": "fifo"}, "scheduler"), ({"max_epochs": 0}, "max_epochs")],
)
def test_bad_multi_fidelity_arguments_raise_naming_the_parameter(kwargs, name):
    with pytest.raises(InvalidParameterError, match=name):
        MultiFidelitySurrogateSearcher(SPACE, metric="loss", **kwargs)


def test_misspelt_search_option_of_the_baseline_names_the_closest():
    with pytest.raises(InvalidParameterError, match="update_frequency"):
        CQR(SPACE, metric="loss", search_options={"update_frequncy": 2})


# -- contracts --------------------------------------------------------------------------------------------


class TestSurrogateSearcherContract(SearcherContract):
    def make_searcher(self, config_space, metric, mode, random_seed, points_to_evaluate):
        return SurrogateSearcher(
            config_space, metric=metric, mode=mode, random_seed=random_seed, points_to_evaluate=points_to_evaluate,
            num_init_random_draws=3, min_samples_to_conformalize=4, **FAST,
        )


class TestMultiFidelitySurrogateSearcherContract(SearcherContract):
    def result(self, config):
        return {self.metric: self.objective(config), "epoch": 1}

    def make_searcher(self, config_space, metric, mode, random_seed, points_to_evaluate):
        return MultiFidelitySurrogateSearcher(
            config_space, metric=metric, mode=mode, random_seed=random_seed, points_to_evaluate=points_to_evaluate,
            resource_attr="epoch", num_init_random_draws=3, min_samples_to_conformalize=4, **FAST,
        )


def _hb(seed):
    return dict(resource_attr="epoch", max_resource_attr="epochs", random_seed=seed)


class TestCQRSchedulerContract(SchedulerContract):
    num_results = 150

    def make_scheduler(self, config_space, metric, mode, random_seed):
        return CQR(
            config_space, metric=metric, mode=mode, random_seed=random_seed,
            search_options=dict(FAST, min_samples_to_conformalize=6),
        )


class TestASHACQRSchedulerContract(SchedulerContract):
    num_results = 150

    def make_scheduler(self, config_space, metric, mode, random_seed):
        return ASHACQR(
            config_space, metric=metric, mode=mode, search_options=dict(FAST, min_samples_to_conformalize=6),
            **_hb(random_seed),
        )
