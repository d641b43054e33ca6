"""Tests of the acquisition-function optimizer for mixed search spaces."""

from __future__ import annotations

import numpy as np
import pytest

from syne_tune.config_space import (
    choice,
    finrange,
    logordinal,
    lograndint,
    logfinrange,
    loguniform,
    ordinal,
    qrandint,
    quniform,
    randint,
    reverseloguniform,
    uniform,
)
from syne_tune.optimizer.schedulers.searchers.bayesopt import acquisition_optimizer as ao
from syne_tune.optimizer.schedulers.searchers.bayesopt.acquisition_optimizer import (
    AcquisitionOptimizer,
    LocalSearchOptimizer,
)
from syne_tune.optimizer.schedulers.searchers.utils.hp_ranges import make_hyperparameter_ranges
from syne_tune.utils.validation import InvalidParameterError

pytest.importorskip("scipy")

MIXED_SPACE = {
    "lr": loguniform(1e-5, 1.0),
    "dropout": uniform(0.0, 0.8),
    "layers": randint(1, 8),
    "units": lograndint(16, 1024),
    "act": choice(["relu", "tanh", "gelu"]),
    "epochs": 10,  # a constant, not a hyperparameter
}
MIXED_TARGET = {"lr": 3e-3, "dropout": 0.3, "layers": 4, "units": 256, "act": "gelu"}

#: Most score calls of one optimize call with the default settings.
MAX_CALLS = 1 + 20 + ao.REFINE_MAX_EVALS + ao.FALLBACK_BATCHES


class CountingScore:
    """``-squared distance`` to a target encoding; records every batch and
    checks that each row is the encoding of a valid configuration."""

    def __init__(self, hp_ranges, target: dict | np.ndarray, fun=None):
        self.hp_ranges = hp_ranges
        self.target = target if isinstance(target, np.ndarray) else hp_ranges.to_ndarray(target)
        self.fun = fun
        self.batches: list[int] = []

    def __call__(self, X: np.ndarray) -> np.ndarray:
        assert X.ndim == 2 and X.shape[1] == self.hp_ranges.ndarray_size and len(X) > 0
        roundtrip = self.hp_ranges.to_ndarray_matrix(self.hp_ranges.from_ndarray_matrix(X))
        np.testing.assert_allclose(roundtrip, X, atol=1e-9)
        self.batches.append(len(X))
        if self.fun is not None:
            return self.fun(X)
        diff = X - self.target
        return -np.sum(diff * diff, axis=1)

    @property
    def calls(self) -> int:
        return len(self.batches)


def _ranges(space, **kwargs):
    return make_hyperparameter_ranges(space, **kwargs)


def _assert_matches(hp_ranges, config: dict, target: dict, atol: float = 1e-3) -> None:
    enc, enc_target = hp_ranges.to_ndarray(config), hp_ranges.to_ndarray(target)
    for key, (start, end) in hp_ranges.encoded_ranges.items():
        if isinstance(target[key], float):
            assert np.abs(enc[start:end] - enc_target[start:end]).max() <= atol, (key, config[key], target[key])
        else:
            assert config[key] == target[key], (key, config[key], target[key])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_finds_target_of_mixed_space(seed):
    hp_ranges = _ranges(MIXED_SPACE)
    score = CountingScore(hp_ranges, MIXED_TARGET)
    result = LocalSearchOptimizer().optimize(score, hp_ranges, np.random.RandomState(seed))
    assert len(result) == 1
    _assert_matches(hp_ranges, result[0], MIXED_TARGET, atol=1e-6)
    assert set(result[0]) == set(MIXED_TARGET)  # hyperparameters only, no constants
    assert score.calls <= MAX_CALLS


def test_finds_target_with_nonsmooth_score():
    hp_ranges = _ranges(MIXED_SPACE)
    target = hp_ranges.to_ndarray(MIXED_TARGET)
    score = CountingScore(hp_ranges, target, fun=lambda X: -np.sqrt(np.sum((X - target) ** 2, axis=1)))
    result = LocalSearchOptimizer().optimize(score, hp_ranges, np.random.RandomState(3))
    _assert_matches(hp_ranges, result[0], MIXED_TARGET, atol=1e-3)


def test_refinement_polishes_continuous_coordinates():
    hp_ranges = _ranges(MIXED_SPACE)
    target = dict(MIXED_TARGET, lr=1.234e-4, dropout=0.6543)
    polished = LocalSearchOptimizer().optimize(CountingScore(hp_ranges, target), hp_ranges, np.random.RandomState(0))
    _assert_matches(hp_ranges, polished[0], target, atol=1e-8)
    rough = LocalSearchOptimizer(refine_continuous=False, num_local_steps=3).optimize(
        CountingScore(hp_ranges, target), hp_ranges, np.random.RandomState(0)
    )
    err = lambda c: np.abs(hp_ranges.to_ndarray(c) - hp_ranges.to_ndarray(target)).max()  # noqa: E731
    assert err(polished[0]) < err(rough[0])


def test_respects_exclude():
    hp_ranges = _ranges(MIXED_SPACE)
    score = CountingScore(hp_ranges, MIXED_TARGET)
    excluded = []

    def exclude(config):
        bad = config["act"] == "gelu" or config["units"] == 256
        if bad:
            excluded.append(config)
        return bad

    result = LocalSearchOptimizer().optimize(score, hp_ranges, np.random.RandomState(0), exclude=exclude, num_results=5)
    assert len(result) == 5 and excluded
    assert all(c["act"] != "gelu" and c["units"] != 256 for c in result)
    # the best allowed configurations: the closest categories / integers
    assert result[0]["units"] in (255, 257) and result[0]["layers"] == 4


def test_exclude_falls_back_to_random_configs():
    hp_ranges = _ranges({"x": uniform(0.0, 1.0), "n": randint(0, 100)})
    first = []

    def exclude(config):  # excludes the only candidate scored at first
        if not first:
            first.append(hp_ranges.config_to_match_string(config))
        return hp_ranges.config_to_match_string(config) == first[0]

    score = CountingScore(hp_ranges, {"x": 0.5, "n": 50})
    optimizer = LocalSearchOptimizer(num_init_candidates=1, skip_local_optimization=True)
    result = optimizer.optimize(score, hp_ranges, np.random.RandomState(0), exclude=exclude, num_results=2)
    assert score.batches == [1, ao.FALLBACK_SIZE]  # the candidate, one fallback batch
    assert len(result) == 2
    assert all(hp_ranges.config_to_match_string(c) != first[0] for c in result)
    values = score(hp_ranges.to_ndarray_matrix(result))
    assert values[0] >= values[1]


def test_tiny_finite_space_exclusions_and_empty_result():
    hp_ranges = _ranges({"a": choice(["x", "y"]), "b": randint(0, 1)})
    all_configs = [{"a": a, "b": b} for a in ("x", "y") for b in (0, 1)]
    score = CountingScore(hp_ranges, {"a": "y", "b": 1})
    optimizer = LocalSearchOptimizer()
    rs = np.random.RandomState(0)
    # asking for more than exist: each of the 4 once, best first
    result = optimizer.optimize(score, hp_ranges, rs, num_results=10)
    assert len(result) == 4 and result[0] == {"a": "y", "b": 1}
    assert sorted(map(str, result)) == sorted(map(str, all_configs))
    # all but one excluded
    keep = {"a": "x", "b": 0}
    assert optimizer.optimize(score, hp_ranges, rs, exclude=lambda c: c != keep) == [keep]
    # everything excluded
    score.batches.clear()
    assert optimizer.optimize(score, hp_ranges, rs, exclude=lambda c: True, num_results=3) == []
    assert score.calls <= MAX_CALLS


def test_num_results_distinct_and_best_first():
    hp_ranges = _ranges(MIXED_SPACE)
    score = CountingScore(hp_ranges, MIXED_TARGET)
    result = LocalSearchOptimizer().optimize(score, hp_ranges, np.random.RandomState(0), num_results=8)
    assert len(result) == 8
    assert len({hp_ranges.config_to_match_string(c) for c in result}) == 8
    values = score(hp_ranges.to_ndarray_matrix(result))
    assert np.all(np.diff(values) <= 0)
    _assert_matches(hp_ranges, result[0], MIXED_TARGET, atol=1e-6)


def _wiggly(X: np.ndarray) -> np.ndarray:
    return np.sum(np.sin(17.0 * X) * np.cos(11.0 * X[:, ::-1]), axis=1)


def test_deterministic_given_seed():
    hp_ranges = _ranges(MIXED_SPACE)
    optimizer = LocalSearchOptimizer()

    def run(seed):
        return optimizer.optimize(
            CountingScore(hp_ranges, MIXED_TARGET, fun=_wiggly), hp_ranges, np.random.RandomState(seed), num_results=4
        )

    assert run(5) == run(5)
    assert run(5) != run(6)
    # a fresh optimizer (no cached space) gives the same result
    assert LocalSearchOptimizer().optimize(
        CountingScore(hp_ranges, MIXED_TARGET, fun=_wiggly), hp_ranges, np.random.RandomState(5), num_results=4
    ) == run(5)


@pytest.mark.parametrize("sobol", [True, False])
def test_purely_categorical_space(sobol):
    space = {"a": choice(list("abcde")), "b": choice([True, False]), "c": choice([1, 2, 3]), "k": "const"}
    hp_ranges = _ranges(space)
    target = {"a": "d", "b": False, "c": 3}
    score = CountingScore(hp_ranges, target)
    result = LocalSearchOptimizer(sobol=sobol).optimize(score, hp_ranges, np.random.RandomState(0), num_results=3)
    assert result[0] == target
    assert len(result) == 3 and score.calls <= MAX_CALLS


def test_purely_integer_space():
    hp_ranges = _ranges({"i": randint(0, 50), "j": lograndint(1, 1000), "q": qrandint(0, 100, 5)})
    target = {"i": 37, "j": 613, "q": 45}
    result = LocalSearchOptimizer().optimize(CountingScore(hp_ranges, target), hp_ranges, np.random.RandomState(0))
    assert result == [target]


def test_single_float_space():
    hp_ranges = _ranges({"x": loguniform(1e-4, 1.0)})
    target = {"x": 0.0123}
    score = CountingScore(hp_ranges, target)
    result = LocalSearchOptimizer().optimize(score, hp_ranges, np.random.RandomState(0))
    assert result[0]["x"] == pytest.approx(0.0123, rel=1e-6)
    assert score.calls <= MAX_CALLS


def test_other_ordered_domains_and_large_integer_range():
    space = {
        "big": randint(0, 10**6),  # no table of values: moves decode and encode
        "fr": finrange(0.0, 1.0, 11),
        "ord": ordinal([1, 2, 4, 8]),
        "lord": logordinal([1, 10, 100, 1000]),
        "qf": quniform(0.0, 2.0, 0.25),
        "x": uniform(-1.0, 1.0),
    }
    hp_ranges = _ranges(space)
    target = {"big": 123456, "fr": 0.7, "ord": 4, "lord": 100, "qf": 1.25, "x": -0.25}
    result = LocalSearchOptimizer().optimize(CountingScore(hp_ranges, target), hp_ranges, np.random.RandomState(0))
    config = result[0]
    assert abs(config["big"] - 123456) <= 2000  # within a few steps of the encoded optimum
    assert config["fr"] == pytest.approx(0.7) and config["qf"] == 1.25
    assert (config["ord"], config["lord"]) == (4, 100)
    assert config["x"] == pytest.approx(-0.25, abs=1e-6)


def test_constants_only_space():
    hp_ranges = _ranges({"a": 1, "b": "x"})
    score = CountingScore(hp_ranges, np.zeros(0), fun=lambda X: np.zeros(len(X)))
    optimizer = LocalSearchOptimizer()
    assert optimizer.optimize(score, hp_ranges, np.random.RandomState(0), num_results=2) == [{}]
    assert optimizer.optimize(score, hp_ranges, np.random.RandomState(0), exclude=lambda c: True) == []


def test_single_value_domains_and_constants():
    space = {
        "f": uniform(0.5, 0.5),
        "i": randint(3, 3),
        "c": choice(["only"]),
        "x": reverseloguniform(0.1, 0.99),
        "lf": logfinrange(1.0, 100.0, 5),
        "const": [1, 2],
    }
    hp_ranges = _ranges(space)
    target = {"f": 0.5, "i": 3, "c": "only", "x": 0.9, "lf": 10.0}
    score = CountingScore(hp_ranges, target)
    result = LocalSearchOptimizer().optimize(score, hp_ranges, np.random.RandomState(0), num_results=2)
    assert len(result) == 2
    assert {k: result[0][k] for k in ("f", "i", "c")} == {"f": 0.5, "i": 3, "c": "only"}
    assert result[0]["lf"] == pytest.approx(10.0) and result[0]["x"] == pytest.approx(0.9, rel=1e-6)
    assert "const" not in result[0]


def test_fixed_last_position_stays_fixed():
    space = {"x": uniform(0.0, 1.0), "r": randint(1, 9)}
    hp_ranges = _ranges(space, name_last_pos="r", value_for_last_pos=3)
    score = CountingScore(hp_ranges, {"x": 0.25, "r": 7})
    result = LocalSearchOptimizer().optimize(score, hp_ranges, np.random.RandomState(0), num_results=3)
    assert all(c["r"] == 3 for c in result)
    assert result[0]["x"] == pytest.approx(0.25, abs=1e-6)


def test_initial_configs_are_used():
    hp_ranges = _ranges(MIXED_SPACE)
    target = dict(MIXED_TARGET, lr=2.2e-5, dropout=0.05)
    t = hp_ranges.to_ndarray(target)

    def spike(X):  # zero except very close to the target: random candidates miss it
        d2 = np.sum((X - t) ** 2, axis=1)
        return np.where(d2 < 1e-3, 1.0 - d2, 0.0)

    near = dict(target, lr=2.3e-5, dropout=0.052)
    for initial, found in ((None, False), ([near], True)):
        score = CountingScore(hp_ranges, t, fun=spike)
        result = LocalSearchOptimizer().optimize(score, hp_ranges, np.random.RandomState(0), initial_configs=initial)
        assert bool(spike(hp_ranges.to_ndarray_matrix(result))[0] > 0) is found
    _assert_matches(hp_ranges, result[0], target, atol=1e-6)


def test_non_finite_scores():
    hp_ranges = _ranges(MIXED_SPACE)
    t = hp_ranges.to_ndarray(MIXED_TARGET)

    def fun(X):
        d2 = np.sum((X - t) ** 2, axis=1)
        out = -d2
        out[d2 > 1.0] = -np.inf
        out[(d2 > 0.8) & (d2 <= 1.0)] = np.nan
        return out

    result = LocalSearchOptimizer().optimize(CountingScore(hp_ranges, t, fun=fun), hp_ranges, np.random.RandomState(0))
    _assert_matches(hp_ranges, result[0], MIXED_TARGET, atol=1e-6)


def test_score_calls_are_bounded_and_batched():
    hp_ranges = _ranges(MIXED_SPACE)
    score = CountingScore(hp_ranges, MIXED_TARGET, fun=_wiggly)
    LocalSearchOptimizer().optimize(score, hp_ranges, np.random.RandomState(0))
    assert 2 <= score.calls <= MAX_CALLS
    assert score.batches[0] == 250
    assert max(score.batches[1:]) <= 5 * 30
    score = CountingScore(hp_ranges, MIXED_TARGET)
    LocalSearchOptimizer(skip_local_optimization=True).optimize(score, hp_ranges, np.random.RandomState(0))
    assert score.batches == [250]
    score = CountingScore(hp_ranges, MIXED_TARGET)
    LocalSearchOptimizer(num_local_steps=4, refine_continuous=False).optimize(
        score, hp_ranges, np.random.RandomState(0)
    )
    assert score.calls <= 5


def test_score_configs():
    hp_ranges = _ranges(MIXED_SPACE)
    score = CountingScore(hp_ranges, MIXED_TARGET)
    optimizer = LocalSearchOptimizer()
    configs = hp_ranges.random_configs(np.random.RandomState(0), 7) + [dict(MIXED_TARGET, epochs=10)]
    values = optimizer.score_configs(score, hp_ranges, configs)
    assert values.shape == (8,) and values[-1] == 0.0
    np.testing.assert_allclose(values[:-1], score(hp_ranges.to_ndarray_matrix(configs[:-1])))
    score.batches.clear()
    assert optimizer.score_configs(score, hp_ranges, []).shape == (0,)
    assert score.calls == 0


def test_is_an_acquisition_optimizer():
    assert isinstance(LocalSearchOptimizer(), AcquisitionOptimizer)
    with pytest.raises(TypeError):
        AcquisitionOptimizer()


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"num_init_candidates": 0}, "num_init_candidates"),
        ({"num_local_starts": 2.5}, "num_local_starts"),
        ({"num_local_steps": -1}, "num_local_steps"),
        ({"num_local_neighbours": True}, "num_local_neighbours"),
        ({"sobol": "yes"}, "sobol"),
        ({"refine_continuous": 1}, "refine_continuous"),
        ({"skip_local_optimization": None}, "skip_local_optimization"),
    ],
)
def test_invalid_arguments(kwargs, name):
    with pytest.raises(InvalidParameterError, match=f"'{name}' parameter of LocalSearchOptimizer"):
        LocalSearchOptimizer(**kwargs)


def test_invalid_calls():
    hp_ranges = _ranges(MIXED_SPACE)
    optimizer = LocalSearchOptimizer()
    with pytest.raises(ValueError, match="num_results"):
        optimizer.optimize(CountingScore(hp_ranges, MIXED_TARGET), hp_ranges, np.random.RandomState(0), num_results=0)
    with pytest.raises(ValueError, match="one per row"):
        optimizer.optimize(lambda X: np.zeros(len(X) + 1), hp_ranges, np.random.RandomState(0))
    with pytest.raises(ValueError, match="initial_configs"):
        optimizer.optimize(
            CountingScore(hp_ranges, MIXED_TARGET),
            hp_ranges,
            np.random.RandomState(0),
            initial_configs=[{"lr": 0.1}],  # lacks hyperparameters
        )
