"""Grid values and midpoint defaults as Syne Tune 0.13 defines them.

Facts from Syne Tune 0.13 (``random_grid_searcher.py``, ``searcher.py``):

* ``GridSearcher``: Float domains get ``num_samples`` (default 5) values at
  the cell centres ``(i + 0.5) / n`` of the encoded unit interval; Integer
  domains ``min(num_samples, len)`` values the same way on ``[lower - 0.5,
  upper + 0.5]``; categorical and finite-range domains all their values.
* Default config (``points_to_evaluate=None``): first category; ordinal
  (kind "equal") the category at ``len // 2``; numerical domains the
  (geometric, for log) midpoint of the bounds cast onto the domain.
"""

import math

import numpy as np
import pytest

from syne_tune.config_space import (
    choice,
    finrange,
    logfinrange,
    loguniform,
    logordinal,
    lograndint,
    ordinal,
    qrandint,
    quniform,
    randint,
    reverseloguniform,
    uniform,
)
from syne_tune.optimizer.baselines import GridSearch, RandomSearch
from syne_tune.optimizer.schedulers.searchers import GridSearcher, impute_points_to_evaluate
from syne_tune.optimizer.schedulers.searchers.searcher import midpoint_value
from syne_tune.utils.validation import InvalidParameterError


def grid(domain, **kwargs):
    """All values a GridSearcher suggests for a one-hyperparameter space."""
    searcher = GridSearcher({"h": domain}, metric="y", points_to_evaluate=[], shuffle_config=False, **kwargs)
    values = []
    while (config := searcher.get_config()) is not None:
        values.append(config["h"])
    return values


def centres(n):
    return [(i + 0.5) / n for i in range(n)]


def test_float_grid_cell_centres():
    assert grid(uniform(0, 1)) == pytest.approx([0.1, 0.3, 0.5, 0.7, 0.9])
    assert grid(uniform(-2, 2), num_samples={"h": 2}) == pytest.approx([-1.0, 1.0])
    assert grid(uniform(0, 1), num_samples={"h": 1}) == pytest.approx([0.5])
    expected_log = [10 ** (-4 + 4 * u) for u in centres(4)]
    assert grid(loguniform(1e-4, 1), num_samples={"h": 4}) == pytest.approx(expected_log)
    lo, hi = -math.log1p(-0.9), -math.log1p(-0.999)
    expected_rev = [-math.expm1(-(lo + u * (hi - lo))) for u in centres(3)]
    assert grid(reverseloguniform(0.9, 0.999), num_samples={"h": 3}) == pytest.approx(expected_rev)
    # quantized floats snap the centres onto the q-grid (and drop duplicates)
    assert grid(quniform(0, 1, 0.25)) == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert grid(quniform(0, 1, 0.5)) == [0.0, 0.5, 1.0]


def _integer_grid(lower, upper, n, log=False):
    eps = 1e-8
    f = math.log if log else (lambda v: v)
    finv = math.exp if log else (lambda v: v)
    lo, hi = f(lower - 0.5 + eps), f(upper + 0.5 - eps)
    values = []
    for u in centres(n):
        v = int(np.clip(np.rint(finv(lo + u * (hi - lo))), lower, upper))
        if v not in values:
            values.append(v)
    return values


def test_integer_grid():
    assert grid(randint(0, 100)) == [10, 30, 50, 70, 90] == _integer_grid(0, 100, 5)
    assert grid(randint(1, 4)) == [1, 2, 3, 4]  # min(5, len) values: all of them
    assert grid(randint(1, 8)) == _integer_grid(1, 8, 5) == [1, 3, 4, 6, 8]
    assert grid(randint(1, 3), num_samples={"h": 10}) == [1, 2, 3]  # capped at len
    assert grid(randint(0, 100), num_samples={"h": 3}) == _integer_grid(0, 100, 3)
    assert grid(lograndint(1, 10000)) == _integer_grid(1, 10000, 5, log=True)
    assert grid(qrandint(0, 100, 10), num_samples={"h": 3}) == [20, 50, 80]


def test_finite_domains_use_all_values():
    assert grid(choice(["a", "b", "c"])) == ["a", "b", "c"]
    assert grid(ordinal([1, 2, 4, 8, 16, 32, 64])) == [1, 2, 4, 8, 16, 32, 64]
    assert grid(finrange(0, 1, 7)) == pytest.approx(list(np.linspace(0, 1, 7)))
    assert grid(choice(["a", "b"]), num_samples={"h": 1}) == ["a", "b"]  # ignored, as in Syne Tune


def test_grid_order_and_product():
    space = {"a": choice(["x", "y"]), "b": randint(1, 3), "c": 7}
    searcher = GridSearcher(space, metric="y", points_to_evaluate=[], shuffle_config=False)
    configs = [searcher.get_config() for _ in range(6)]
    assert [(c["a"], c["b"]) for c in configs] == [(a, b) for a in "xy" for b in (1, 2, 3)]
    assert all(c["c"] == 7 for c in configs) and searcher.get_config() is None
    shuffled = GridSearcher(space, metric="y", points_to_evaluate=[], random_seed=1)
    got = [shuffled.get_config() for _ in range(6)]
    assert sorted((c["a"], c["b"]) for c in got) == sorted((c["a"], c["b"]) for c in configs)


def test_grid_skips_initial_points_and_cycles_with_allow_duplicates():
    space = {"a": choice(["x", "y"]), "b": randint(1, 2)}
    searcher = GridSearcher(space, metric="y", points_to_evaluate=[{"a": "y", "b": 2}], random_seed=0)
    configs = [searcher.get_config() for _ in range(4)]
    assert configs[0] == {"a": "y", "b": 2}
    assert len({(c["a"], c["b"]) for c in configs}) == 4 and searcher.get_config() is None
    cycling = GridSearcher(space, metric="y", points_to_evaluate=[], allow_duplicates=True, shuffle_config=False)
    configs = [cycling.get_config() for _ in range(9)]
    assert configs[:4] == configs[4:8] and configs[8] == configs[0]


@pytest.mark.parametrize(
    "num_samples, match",
    [({"zz": 3}, "zz"), ({"h": 0}, "num_samples"), ({"h": 2.5}, "num_samples"), ([3], "num_samples")],
)
def test_grid_num_samples_errors(num_samples, match):
    with pytest.raises(InvalidParameterError, match=match):
        GridSearcher({"h": uniform(0, 1)}, metric="y", num_samples=num_samples)


def test_grid_search_baseline_uses_the_rule():
    scheduler = GridSearch({"h": uniform(0, 1)}, metric="y", points_to_evaluate=[], search_options={"shuffle_config": False})
    values = [scheduler.suggest(i).config["h"] for i in range(5)]
    assert values == pytest.approx([0.1, 0.3, 0.5, 0.7, 0.9]) and scheduler.suggest(5) is None


@pytest.mark.parametrize(
    "domain, expected",
    [
        (uniform(0, 10), 5.0),
        (loguniform(1e-4, 1), 1e-2),
        (reverseloguniform(0.5, 0.9), 0.7),  # arithmetic: not a log space in Syne Tune
        (quniform(0, 1, 0.25), 0.5),
        (randint(1, 8), 4),  # round(4.5) == 4, Python's (and Syne Tune's) half to even
        (randint(1, 10), 6),  # round(5.5) == 6
        (randint(3, 3), 3),
        (lograndint(1, 100), 10),
        (qrandint(0, 10, 5), 5),
        (choice(["b", "a", "c"]), "b"),
        (choice([3, 1, 2]), 3),
        (ordinal(["a", "b", "c"]), "b"),
        (ordinal(["a", "b", "c", "d"]), "c"),  # even size: upper middle (len // 2)
        (ordinal([1, 2, 3, 4]), 3),  # kind "nn": tie between 2 and 3 goes up
        (ordinal([1, 2, 3]), 2),
        (ordinal([1, 2, 4, 100]), 4),  # nearest to 50.5
        (logordinal([1, 10, 100, 1000]), 100),  # log midpoint sqrt(1000): tie goes up
        (finrange(0, 1, 5), 0.5),
        (finrange(0, 1, 6), 0.6),  # even size: upper middle
        (finrange(0, 10, 4, cast_int=True), 7),
        (logfinrange(1, 1000, 4), 100.0),
        (logfinrange(1, 100, 3), 10.0),
    ],
)
def test_midpoint_rule(domain, expected):
    value = midpoint_value(domain)
    assert value == pytest.approx(expected)
    assert type(value) is type(domain.cast(expected))
    assert domain.is_valid(value)


def test_default_config_is_the_first_suggestion():
    space = {"lr": loguniform(1e-4, 1e-1), "act": ordinal(["a", "b", "c", "d"]), "f": finrange(0, 1, 6), "e": 3}
    expected = {"lr": pytest.approx(10**-2.5), "act": "c", "f": pytest.approx(0.6), "e": 3}
    assert impute_points_to_evaluate(None, space) == [expected]
    assert RandomSearch(space, metric="y", random_seed=0).suggest(0).config == expected
    assert GridSearch(space, metric="y", random_seed=0).suggest(0).config == expected


def test_points_to_evaluate_are_completed_and_deduplicated():
    space = {"a": randint(0, 4), "b": choice(["x", "y"])}
    points = impute_points_to_evaluate([{"a": 1}, {"a": 1, "b": "x"}, {}, {"a": 2}], space)
    assert points == [{"a": 1, "b": "x"}, {"a": 2, "b": "x"}]
    with pytest.raises(ValueError, match="points_to_evaluate\\[0\\]"):
        impute_points_to_evaluate([{"a": 9}], space)
