"""Acquisition functions against their formulas."""

import math

import numpy as np
import pytest

pytest.importorskip("scipy")
from scipy.stats import norm  # noqa: E402

from syne_tune.optimizer.schedulers.searchers.bayesopt.acquisition import (  # noqa: E402
    ConstrainedExpectedImprovement,
    ExpectedImprovement,
    ExpectedImprovementPerUnitCost,
    LowerConfidenceBound,
    expected_improvement,
    log_expected_improvement,
    probability_of_feasibility,
)


class FixedModel:
    """predict(X) returns preset mean/std, whatever X (one row per entry)."""

    def __init__(self, mean, std):
        self.mean, self.std = np.asarray(mean, float), np.asarray(std, float)

    def predict(self, X):
        return self.mean, self.std


def _ei_formula(mu, s, best):
    z = (best - mu) / s
    return (best - mu) * norm.cdf(z) + s * norm.pdf(z)


def test_ei_matches_formula_and_limits():
    mu = np.array([-1.0, 0.0, 0.5, 2.0, 0.3])
    s = np.array([0.5, 1.0, 0.1, 3.0, 0.0])
    ei = expected_improvement(mu, s, best=0.4)
    np.testing.assert_allclose(ei[:4], _ei_formula(mu[:4], s[:4], 0.4), rtol=1e-12)
    assert ei[4] == pytest.approx(0.1)  # std 0: max(best - mu, 0)
    assert np.all(ei >= 0)


def test_log_ei_is_log_of_ei_and_finite_far_away():
    mu = np.linspace(-3.0, 30.0, 50)
    s = np.full(50, 0.7)
    log_ei = log_expected_improvement(mu, s, best=0.0)
    ei = expected_improvement(mu, s, best=0.0)
    ok = ei > 1e-280
    np.testing.assert_allclose(log_ei[ok], np.log(ei[ok]), rtol=1e-9, atol=1e-9)
    assert np.all(np.isfinite(log_ei))
    assert np.all(np.diff(log_ei) < 0)  # decreasing in the mean
    # asymptotic branch continuous at its threshold
    s1 = np.ones(2)
    z = np.array([-25.0 + 1e-9, -25.0 - 1e-9])
    pair = log_expected_improvement(-z, s1, best=0.0)
    assert abs(pair[0] - pair[1]) < 1e-6


def test_ei_averages_fantasy_samples():
    mean = np.array([[0.0, 1.0], [2.0, -1.0]])
    std = np.array([1.0, 0.5])
    ei = ExpectedImprovement(FixedModel(mean, std), best=0.5, log=False)(np.zeros((2, 1)))
    expected = [np.mean(_ei_formula(mean[i], std[i], 0.5)) for i in range(2)]
    np.testing.assert_allclose(ei, expected)
    log_ei = ExpectedImprovement(FixedModel(mean, std), best=0.5, log=True)(np.zeros((2, 1)))
    np.testing.assert_allclose(log_ei, np.log(expected), rtol=1e-10)


def test_lcb():
    lcb = LowerConfidenceBound(FixedModel([1.0, 2.0], [0.5, 2.0]), kappa=2.0)(np.zeros((2, 1)))
    np.testing.assert_allclose(lcb, [-(1.0 - 1.0), -(2.0 - 4.0)])
    with pytest.raises(ValueError, match="kappa"):
        LowerConfidenceBound(FixedModel([0], [1]), kappa=-1)


def test_constrained_ei_is_ei_times_probability_of_feasibility():
    f = FixedModel([0.0, 1.0, -1.0], [1.0, 0.5, 0.2])
    c = FixedModel([-1.0, 0.5, 3.0], [1.0, 1.0, 0.5])
    X = np.zeros((3, 1))
    prob = norm.cdf(-np.array([-1.0, 0.5, 3.0]) / np.array([1.0, 1.0, 0.5]))
    np.testing.assert_allclose(probability_of_feasibility(c.mean, c.std), prob)
    cei = ConstrainedExpectedImprovement(f, c, best_feasible=0.2, log=False)(X)
    np.testing.assert_allclose(cei, _ei_formula(f.mean, f.std, 0.2) * prob, rtol=1e-10)
    log_cei = ConstrainedExpectedImprovement(f, c, best_feasible=0.2, log=True)(X)
    np.testing.assert_allclose(log_cei, np.log(cei), rtol=1e-9)
    # nothing feasible yet: probability of feasibility alone
    np.testing.assert_allclose(ConstrainedExpectedImprovement(f, c, None, log=False)(X), prob)


def test_ei_per_unit_cost():
    f = FixedModel([0.0, 0.0], [1.0, 1.0])
    log_cost = FixedModel([math.log(2.0), math.log(8.0)], [0.1, 0.1])
    X = np.zeros((2, 1))
    ei = _ei_formula(np.zeros(2), np.ones(2), 0.5)
    eipu = ExpectedImprovementPerUnitCost(f, log_cost, best=0.5, exponent=1.0, log=False)(X)
    np.testing.assert_allclose(eipu, ei / np.array([2.0, 8.0]))
    half = ExpectedImprovementPerUnitCost(f, log_cost, best=0.5, exponent=0.5, log=True)(X)
    np.testing.assert_allclose(half, np.log(ei / np.sqrt([2.0, 8.0])))
    plain = ExpectedImprovementPerUnitCost(f, log_cost, best=0.5, exponent=0.0, log=False)(X)
    np.testing.assert_allclose(plain, ei)


def test_bad_shapes_and_std():
    with pytest.raises(ValueError, match="rows"):
        expected_improvement(np.zeros(3), np.ones(2), 0.0)
    with pytest.raises(ValueError, match="non-negative"):
        expected_improvement(np.zeros(2), -np.ones(2), 0.0)
