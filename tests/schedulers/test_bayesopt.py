"""Tests of the Gaussian-process Bayesian optimization searcher."""

from datetime import datetime

import numpy as np
import pytest

pytest.importorskip("autograd")
pytest.importorskip("scipy")

from syne_tune.trial import Trial  # noqa: E402
from syne_tune.config_space import choice, randint, uniform  # noqa: E402
from syne_tune.optimizer.schedulers.fifo import FIFOScheduler  # noqa: E402
from syne_tune.optimizer.schedulers.searchers.bayesopt import GPFIFOSearcher  # noqa: E402
from syne_tune.optimizer.schedulers.searchers.bayesopt.acquisition import expected_improvement  # noqa: E402
from syne_tune.optimizer.baselines import BayesianOptimization  # noqa: E402
from syne_tune.optimizer.schedulers.searchers.bayesopt.gp import (  # noqa: E402
    GaussianProcess,
    GPHyperparameters,
    fit_hyperparameters,
    negative_log_marginal_likelihood,
)

def _toy_data(n=10, d=2, seed=0):
    rs = np.random.RandomState(seed)
    X = rs.rand(n, d)
    y = np.sin(6 * X[:, 0]) + X[:, 1] ** 2
    return X, y


def test_gp_interpolates_and_reverts_to_prior():
    X, y = _toy_data()
    hp = GPHyperparameters(np.log([0.3, 0.3]), 0.0, np.log(1e-8), 0.0)
    gp = GaussianProcess(X, y, hp)
    mean, std = gp.predict(X)
    np.testing.assert_allclose(mean, y, atol=1e-3)
    assert np.all(std < 1e-2 * gp.y_std)
    far_mean, far_std = gp.predict(np.array([[50.0, -50.0]]))
    assert far_mean[0] == pytest.approx(gp.y_mean, abs=1e-6)
    assert far_std[0] == pytest.approx(gp.y_std, rel=1e-6)


def test_gp_rejects_bad_shapes():
    X, y = _toy_data()
    with pytest.raises(ValueError):
        GaussianProcess(X, y[:-1], GPHyperparameters.default(2))
    with pytest.raises(ValueError):
        GaussianProcess(X, y, GPHyperparameters.default(3))


def test_marginal_likelihood_gradient_matches_finite_differences():
    import autograd

    X, y = _toy_data(n=12, d=3, seed=3)
    y = (y - y.mean()) / y.std()
    rs = np.random.RandomState(0)
    theta = np.concatenate([rs.uniform(-1.5, 0.5, 3), [0.2, np.log(1e-2), 0.1]])
    f = lambda t: negative_log_marginal_likelihood(t, X, y)  # noqa: E731
    grad = autograd.grad(f)(theta)
    eps = 1e-6
    fd = np.array([(f(theta + eps * e) - f(theta - eps * e)) / (2 * eps) for e in np.eye(len(theta))])
    np.testing.assert_allclose(grad, fd, rtol=1e-4, atol=1e-5)


def test_fit_hyperparameters_improves_likelihood():
    X, y = _toy_data(n=20, seed=2)
    y = (y - y.mean()) / y.std()
    init = GPHyperparameters.default(2)
    fitted = fit_hyperparameters(X, y, init=init, num_restarts=2, random_state=np.random.RandomState(0))
    assert negative_log_marginal_likelihood(fitted.to_vector(), X, y) < negative_log_marginal_likelihood(init.to_vector(), X, y)


def test_expected_improvement_properties():
    mean = np.linspace(-2, 2, 9)
    ei = expected_improvement(mean, np.ones(9), best=0.0)
    assert np.all(ei >= 0) and np.all(np.diff(ei) < 0)
    ei_std = expected_improvement(np.zeros(5), np.linspace(0.1, 2, 5), best=0.0)
    assert np.all(np.diff(ei_std) > 0)
    assert ei_std[-1] == pytest.approx(2.0 / np.sqrt(2 * np.pi))
    np.testing.assert_allclose(expected_improvement(np.array([-1.0, 1.0]), np.zeros(2), 0.0), [1.0, 0.0])
    rs = np.random.RandomState(0)
    samples = 0.3 + 0.7 * rs.randn(200000)
    mc = np.mean(np.maximum(0.5 - samples, 0))
    assert expected_improvement(np.array([0.3]), np.array([0.7]), 0.5)[0] == pytest.approx(mc, rel=1e-2)
    with pytest.raises(ValueError):
        expected_improvement(np.zeros(2), -np.ones(2), 0.0)


QUAD_SPACE = {"x": uniform(-1.0, 1.0), "y": uniform(-1.0, 1.0), "epochs": 1}


def quadratic(config):
    return (config["x"] - 0.37) ** 2 + (config["y"] + 0.21) ** 2


def _run(scheduler, objective, n, metric="loss"):
    values, configs = [], []
    for tid in range(n):
        suggestion = scheduler.suggest(tid)
        if suggestion is None:
            break
        trial = Trial(trial_id=tid, config=suggestion.config, creation_time=datetime.now())
        scheduler.on_trial_add(trial)
        value = objective(suggestion.config)
        result = {metric: value, "epoch": 1}
        scheduler.on_trial_result(trial, result)
        scheduler.on_trial_complete(trial, result)
        values.append(value)
        configs.append(suggestion.config)
    return values, configs


def test_bo_beats_random_search_on_quadratic():
    bo_best, rs_best = [], []
    for seed in range(3):
        kw = dict(metric="loss", mode="min", random_seed=seed, points_to_evaluate=[])
        bo_values, _ = _run(BayesianOptimization(QUAD_SPACE, **kw), quadratic, 25)
        rs_values, _ = _run(FIFOScheduler(QUAD_SPACE, searcher="random", **kw), quadratic, 25)
        bo_best.append(min(bo_values))
        rs_best.append(min(rs_values))
    assert np.mean(bo_best) < np.mean(rs_best)
    assert np.mean(bo_best) < 1e-2


def test_seeded_determinism():
    def configs(seed):
        return _run(BayesianOptimization(QUAD_SPACE, metric="loss", random_seed=seed), quadratic, 8)[1]

    assert configs(5) == configs(5)
    assert configs(5) != configs(6)


def test_mode_max():
    scheduler = BayesianOptimization(QUAD_SPACE, metric="acc", mode="max", random_seed=0, points_to_evaluate=[])
    values, _ = _run(scheduler, lambda c: 1.0 - quadratic(c), 20, metric="acc")
    assert max(values) > 0.99
    stored = [o.outputs["acc"] for o in scheduler.searcher.observations.observations()]  # values to minimize
    np.testing.assert_allclose(sorted(stored), sorted(-np.asarray(values)))


def test_fifo_by_name_with_initial_points_and_finite_space():
    space = {"a": choice(["p", "q", "r"]), "b": randint(1, 2)}
    scheduler = FIFOScheduler(space, searcher="bayesopt", metric="loss", random_seed=0, points_to_evaluate=[{"a": "q", "b": 2}])
    assert isinstance(scheduler.searcher, GPFIFOSearcher)
    values, configs = _run(scheduler, lambda c: {"p": 0, "q": 1, "r": 2}[c["a"]] + c["b"], 10)
    assert configs[0] == {"a": "q", "b": 2}
    assert len(configs) == 6
    assert len({(c["a"], c["b"]) for c in configs}) == 6


def test_restrict_configurations():
    allowed = [{"x": x, "y": y, "epochs": 1} for x in (-0.5, 0.0, 0.4) for y in (-0.2, 0.5)]
    searcher = GPFIFOSearcher(QUAD_SPACE, metric="loss", random_seed=0, points_to_evaluate=[], restrict_configurations=allowed)
    scheduler = FIFOScheduler(QUAD_SPACE, searcher=searcher, metric="loss")
    _, configs = _run(scheduler, quadratic, 10)
    assert len(configs) == len(allowed)
    assert sorted(map(str, configs)) == sorted(map(str, allowed))


def test_invalid_arguments():
    with pytest.raises(ValueError):
        GPFIFOSearcher(QUAD_SPACE, metric=None)
    with pytest.raises(ValueError):
        GPFIFOSearcher(QUAD_SPACE, metric="loss", mode="up")
    with pytest.raises(ValueError):
        GPFIFOSearcher(QUAD_SPACE, metric="loss", num_init_candidates=0)
    with pytest.raises(ValueError):
        BayesianOptimization(QUAD_SPACE, metric="loss", searcher="random")
