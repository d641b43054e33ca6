"""Pareto dominance (pareto_mask, nondominated_ranks, crowding_distance) and
hypervolume against brute force on small integer grids (ties, duplicates)."""

import itertools
import sys
import time

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syne_tune.optimizer.schedulers.multiobjective.hypervolume import (
    default_reference_point,
    hypervolume,
    hypervolume_contributions,
    hypervolume_indicator,
    hypervolume_monte_carlo,
)
from syne_tune.optimizer.schedulers.multiobjective.non_dominated import (
    crowding_distance,
    nondominated_ranks,
    pareto_mask,
)
from syne_tune.utils.validation import InvalidParameterError

GRID = 5  # coordinates in {0, ..., 4}, reference point 5 in every objective


@st.composite
def point_sets(draw, min_m=2, max_m=4, max_n=14, min_n=0):
    m = draw(st.integers(min_m, max_m))
    n = draw(st.integers(min_n, max_n))
    cells = draw(st.lists(st.lists(st.integers(0, GRID - 1), min_size=m, max_size=m), min_size=n, max_size=n))
    Y = np.array(cells, dtype=float).reshape(n, m)
    if n and draw(st.booleans()):  # force exact duplicates
        Y = np.vstack([Y, Y[: draw(st.integers(1, n))]])
    return Y


def brute_dominates(a, b):
    return bool(np.all(a <= b) and np.any(a < b))


def brute_mask(Y):
    return np.array([not any(brute_dominates(Y[k], Y[i]) for k in range(len(Y))) for i in range(len(Y))], dtype=bool)


def brute_hv(Y, ref):
    """Count unit cells [c, c + 1] of the integer grid below ``ref`` dominated by some point."""
    m = len(ref)
    if len(Y) == 0:
        return 0.0
    cells = np.array(list(itertools.product(*[range(int(Y[:, j].min()), int(ref[j])) for j in range(m)])), dtype=float)
    if len(cells) == 0:
        return 0.0
    covered = np.any(np.all(Y[None, :, :] <= cells[:, None, :], axis=2), axis=1)
    return float(np.count_nonzero(covered))


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(point_sets(min_m=1, max_m=4))
def test_pareto_mask_and_ranks_match_brute_force(Y):
    mask = pareto_mask(Y)
    assert mask.tolist() == brute_mask(Y).tolist()
    ranks = nondominated_ranks(Y)
    remaining = np.arange(len(Y))
    front = 0
    while len(remaining):
        m = brute_mask(Y[remaining])
        assert (ranks[remaining[m]] == front).all()
        remaining, front = remaining[~m], front + 1
    assert len(Y) == 0 or ranks.max() == front - 1


@SETTINGS
@given(point_sets(min_m=2, max_m=4, min_n=1))
def test_crowding_distance_definition(Y):
    distance = crowding_distance(Y)
    n, m = Y.shape
    assert (distance >= 0).all() and len(distance) == n
    if n <= 2:
        assert np.isinf(distance).all()
        return
    expected = np.zeros(n)
    for j in range(m):
        order = sorted(range(n), key=lambda i: Y[i, j])  # stable, like the implementation
        span = Y[order[-1], j] - Y[order[0], j]
        expected[order[0]] = expected[order[-1]] = np.inf
        for pos in range(1, n - 1):
            if span > 0:
                expected[order[pos]] += (Y[order[pos + 1], j] - Y[order[pos - 1], j]) / span
    np.testing.assert_allclose(distance, expected)


@SETTINGS
@given(point_sets(min_m=1, max_m=4))
def test_hypervolume_matches_grid_count(Y):
    ref = np.full(Y.shape[1], float(GRID))
    assert hypervolume(Y, ref) == pytest.approx(brute_hv(Y, ref), abs=1e-9)
    assert hypervolume(Y, ref, method="exact") == pytest.approx(brute_hv(Y, ref), abs=1e-9)


@SETTINGS
@given(point_sets(min_m=2, max_m=4), st.lists(st.integers(1, GRID), min_size=4, max_size=4))
def test_points_not_better_than_reference_contribute_nothing(Y, ref_cells):
    ref = np.array(ref_cells[: Y.shape[1]], dtype=float)
    inside = np.all(Y < ref, axis=1)
    assert hypervolume(Y, ref) == pytest.approx(brute_hv(Y[inside], ref), abs=1e-9)
    assert hypervolume(Y, ref) == pytest.approx(hypervolume(Y[inside], ref), abs=1e-9)


@SETTINGS
@given(point_sets(min_m=1, max_m=4, max_n=10))
def test_contributions_are_leave_one_out_differences(Y):
    ref = np.full(Y.shape[1], float(GRID))
    contributions = hypervolume_contributions(Y, ref)
    total = brute_hv(Y, ref)
    expected = [total - brute_hv(np.delete(Y, i, axis=0), ref) for i in range(len(Y))]
    np.testing.assert_allclose(contributions, expected, atol=1e-9)


@SETTINGS
@given(point_sets(min_m=1, max_m=4), st.integers(1, 4))
def test_indicator_is_hypervolume_of_prefixes(Y, increment):
    ref = np.full(Y.shape[1], float(GRID))
    curve = hypervolume_indicator(Y, ref)
    expected = [brute_hv(Y[: k + 1], ref) for k in range(len(Y))]
    np.testing.assert_allclose(curve, expected, atol=1e-9)
    assert (np.diff(curve) >= -1e-12).all()  # monotone in adding points
    coarse = hypervolume_indicator(Y, ref, increment=increment)
    if len(Y):
        checkpoints = sorted(set(range(0, len(Y), increment)) | {len(Y) - 1})
        exact_at = checkpoints if Y.shape[1] >= 3 else range(len(Y))  # 2-d: always exact
        np.testing.assert_allclose(coarse[list(exact_at)], np.array(expected)[list(exact_at)], atol=1e-9)
        assert (np.diff(coarse) >= -1e-12).all()


@SETTINGS
@given(point_sets(min_m=2, max_m=4, min_n=1), st.data())
def test_adding_a_dominated_point_keeps_hypervolume(Y, data):
    ref = np.full(Y.shape[1], float(GRID))
    base = Y[data.draw(st.integers(0, len(Y) - 1))]
    shift = np.array(data.draw(st.lists(st.integers(0, 2), min_size=Y.shape[1], max_size=Y.shape[1])), dtype=float)
    worse = np.minimum(base + shift, GRID + 1)
    before = hypervolume(Y, ref)
    assert hypervolume(np.vstack([Y, worse]), ref) == pytest.approx(before, abs=1e-9)
    better = np.maximum(base - shift, 0)
    assert hypervolume(np.vstack([Y, better]), ref) >= before - 1e-9


def test_continuous_points_agree_between_exact_methods_and_monte_carlo():
    rng = np.random.default_rng(3)
    for m in (2, 3, 4, 5):
        Y = rng.random((40, m))
        Y /= np.linalg.norm(Y, axis=1, keepdims=True)  # all non-dominated
        ref = np.full(m, 1.1)
        exact = hypervolume(Y, ref, method="exact")
        estimate, se = hypervolume_monte_carlo(Y, ref, num_samples=40_000, random_state=1)
        assert 0 < se < 0.01 * exact
        assert abs(estimate - exact) < 4 * se
        # same seed, same estimate; auto with a forced Monte Carlo uses it
        assert hypervolume_monte_carlo(Y, ref, num_samples=40_000, random_state=1) == (estimate, se)
        assert hypervolume(Y, ref, method="monte_carlo", num_samples=40_000, random_state=1) == estimate
        # the value does not depend on the order of the points
        assert hypervolume(Y[::-1], ref) == pytest.approx(exact, rel=1e-12)


def test_auto_switches_to_monte_carlo_for_large_high_dimensional_fronts(monkeypatch):
    # the package attribute ``hypervolume`` is the function; the module is in sys.modules
    hv_module = sys.modules["syne_tune.optimizer.schedulers.multiobjective.hypervolume"]

    rng = np.random.default_rng(0)
    Y = rng.random((30, 4))
    Y /= np.linalg.norm(Y, axis=1, keepdims=True)
    ref = np.full(4, 1.1)
    exact = hypervolume(Y, ref)
    assert exact == hypervolume(Y, ref, method="exact")
    monkeypatch.setattr(hv_module, "EXACT_WORK_LIMIT", 10)
    estimate = hypervolume(Y, ref, num_samples=20_000, random_state=5)
    assert estimate == hypervolume_monte_carlo(Y, ref, num_samples=20_000, random_state=5)[0]
    assert estimate != exact and estimate == pytest.approx(exact, rel=0.05)


def test_closed_forms_and_edge_cases():
    assert hypervolume([[1, 2], [2, 1]], [3, 3]) == 3.0
    assert hypervolume(np.zeros((0, 3)), [1, 1, 1]) == 0.0
    assert hypervolume([], [1, 1]) == 0.0
    assert hypervolume([[2, 2]], [2, 3]) == 0.0  # not strictly better in objective 0
    assert hypervolume([[0.5]], [2.0]) == 1.5
    assert hypervolume([[0, 0, 0, 0, 0]], [1, 2, 3, 4, 5]) == 120.0
    assert hypervolume_contributions([[1, 2], [2, 1], [1, 2], [2, 2]], [3, 3]).tolist() == [0, 1, 0, 0]
    assert hypervolume_indicator([[2, 2], [1, 2], [2, 1], [1, 1]], [3, 3]).tolist() == [1, 2, 3, 4]
    assert hypervolume_monte_carlo([[4, 4]], [3, 3]) == (0.0, 0.0)


def test_default_reference_point():
    Y = np.array([[0.0, 4.0], [2.0, 1.0], [3.0, 3.0]])  # (3, 3) dominated
    np.testing.assert_allclose(default_reference_point(Y), [2.2, 4.3])
    np.testing.assert_allclose(default_reference_point([[1.0, -5.0]], margin=0.5), [1.5, -2.5])
    ref = default_reference_point(Y)
    assert (hypervolume_contributions(Y[:2], ref) > 0).all()
    with pytest.raises(ValueError, match="at least one point"):
        default_reference_point(np.zeros((0, 2)))
    with pytest.raises(InvalidParameterError, match="The 'margin' parameter of default_reference_point"):
        default_reference_point(Y, margin=-1.0)


def test_input_validation_messages():
    with pytest.raises(InvalidParameterError, match=r"'reference_point' parameter of hypervolume must have one entry per objective \(2"):
        hypervolume([[1, 2]], [3, 3, 3])
    with pytest.raises(InvalidParameterError, match="non-empty 1-d sequence of finite numbers"):
        hypervolume([[1, 2]], [[3, 3]])
    with pytest.raises(InvalidParameterError, match="non-empty 1-d"):
        hypervolume_indicator([[1, 2]], [3, np.nan])
    with pytest.raises(ValueError, match="must be a matrix of shape"):
        hypervolume([1, 2], [3, 3])
    with pytest.raises(ValueError, match="finite values only"):
        hypervolume_contributions([[1, np.inf]], [3, 3])
    with pytest.raises(InvalidParameterError, match="The 'method' parameter of hypervolume"):
        hypervolume([[1, 2]], [3, 3], method="wfg")
    with pytest.raises(InvalidParameterError, match="The 'num_samples' parameter of hypervolume_monte_carlo"):
        hypervolume_monte_carlo([[1, 2]], [3, 3], num_samples=0)
    with pytest.raises(InvalidParameterError, match="The 'increment' parameter of hypervolume_indicator"):
        hypervolume_indicator([[1, 2]], [3, 3], increment=0)


def test_sweeps_are_fast():
    rng = np.random.default_rng(0)
    Y2 = rng.random((100_000, 2))
    start = time.perf_counter()
    hypervolume(Y2, [1.1, 1.1])
    hypervolume_indicator(Y2, [1.1, 1.1])
    Y3 = rng.random((5_000, 3))
    Y3 /= np.linalg.norm(Y3, axis=1, keepdims=True)
    hypervolume(Y3, [1.1, 1.1, 1.1])
    assert time.perf_counter() - start < 5.0
