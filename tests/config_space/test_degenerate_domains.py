"""Degenerate domains Syne Tune 0.13 accepts: one-value float ranges,
``finrange`` / ``logfinrange`` of size 1, integer domains with float bounds.

Syne Tune's facts (``config_space.py`` of 0.13): ``Float`` asserts
``-inf < lower <= upper < inf`` and has ``len`` 1 if ``lower == upper``;
``Integer`` stores ``int(round(lower))`` / ``int(round(upper))``;
``FiniteRange`` asserts ``size >= 1`` and its single value is ``lower``.
"""

import json
import logging

import numpy as np
import pytest

from syne_tune.config_space import (
    check_config_in_space,
    config_space_from_json_string,
    config_space_size,
    config_space_to_json_string,
    finrange,
    from_dict,
    logfinrange,
    loguniform,
    lograndint,
    quniform,
    randint,
    reverseloguniform,
    sample_configs,
    to_dict,
    uniform,
)
from syne_tune.optimizer.schedulers.searchers import GridSearcher, RandomSearcher
from syne_tune.optimizer.schedulers.searchers.searcher import midpoint_value
from syne_tune.optimizer.schedulers.searchers.utils import make_hyperparameter_ranges

#: name -> (domain, its only value)
SINGLE_VALUE = {
    "float": (uniform(1.5, 1.5), 1.5),
    "logfloat": (loguniform(2.0, 2.0), 2.0),
    "revlog": (reverseloguniform(0.5, 0.5), 0.5),
    "qfloat": (quniform(0.5, 0.5, 0.25), 0.5),
    "int_from_floats": (randint(2.5, 2.5), 2),  # round(2.5) == 2 (half to even)
    "finrange": (finrange(0.5, 0.5, 1), 0.5),
    "logfinrange": (logfinrange(2.0, 2.0, 1), 2.0),
    "finrange_int": (finrange(3, 3, 1, cast_int=True), 3),
}


@pytest.mark.parametrize("name", sorted(SINGLE_VALUE))
def test_single_value_domain_behaves(name):
    domain, value = SINGLE_VALUE[name]
    assert len(domain) == 1
    assert domain.sample(random_state=0) == value
    assert domain.sample(size=5, random_state=1) == [value] * 5
    assert domain.is_valid(value)
    assert not domain.is_valid(value + 1)
    assert domain.cast(value) == value and type(domain.cast(value)) is type(value)
    assert midpoint_value(domain) == value
    back = from_dict(json.loads(json.dumps(to_dict(domain))))
    assert back == domain and back.sample(random_state=0) == value
    space = {name: domain, "c": 1}
    assert config_space_size(space) == 1
    hp_ranges = make_hyperparameter_ranges(space)
    encoded = hp_ranges.to_ndarray({name: value})
    assert np.all((encoded >= 0) & (encoded <= 1))
    assert hp_ranges.from_ndarray(encoded) == {name: value}
    assert hp_ranges.from_ndarray(np.ones(hp_ranges.ndarray_size)) == {name: value}


@pytest.mark.parametrize("name", sorted(SINGLE_VALUE))
def test_single_value_domain_in_searchers(name):
    domain, value = SINGLE_VALUE[name]
    space = {name: domain, "c": 1}
    for searcher in (
        RandomSearcher(space, metric="y", random_seed=0),
        GridSearcher(space, metric="y", random_seed=0, num_samples={name: 4} if name.endswith("float") else None),
    ):
        assert searcher.get_config() == {name: value, "c": 1}
        assert searcher.get_config() is None


def test_integer_bounds_are_rounded_like_syne_tune():
    assert randint(0.6, 3.2) == randint(1, 3)
    assert randint(1.5, 2.5) == randint(2, 2)  # half to even on both ends
    d = lograndint(1.4, 9.7)
    assert (d.lower, d.upper) == (1, 10) and type(d.lower) is int
    assert to_dict(randint(0.6, 3.2))["domain_kwargs"] == {"lower": 1, "upper": 3}
    values = set(randint(0.6, 3.2).sample(size=500, random_state=0))
    assert values == {1, 2, 3}
    assert midpoint_value(randint(0.6, 3.2)) == 2


def test_finrange_size_one_with_distinct_bounds_is_lower_and_warns(caplog):
    with caplog.at_level(logging.WARNING, logger="syne_tune.config_space"):
        d = finrange(0.0, 1.0, 1)
    assert d.values == [0.0] and len(d) == 1
    assert "upper is ignored" in caplog.text
    assert d.cast(0.7) == 0.0 and not d.is_valid(1.0)


def test_degenerate_domains_round_trip_in_a_space():
    space = {name: domain for name, (domain, _) in SINGLE_VALUE.items()}
    space["x"] = uniform(0, 1)
    back = config_space_from_json_string(config_space_to_json_string(space))
    assert back == space
    for config in sample_configs(back, 20, np.random.RandomState(0)):
        check_config_in_space(space, config)
        for name, (_, value) in SINGLE_VALUE.items():
            assert config[name] == value


@pytest.mark.parametrize(
    "factory, args",
    [
        (uniform, (1.0, 0.5)),
        (loguniform, (0.0, 0.0)),
        (loguniform, (-1.0, -1.0)),
        (uniform, (float("nan"), float("nan"))),
        (uniform, (float("inf"), float("inf"))),
        (randint, (3.2, 0.6)),
        (lograndint, (0.2, 0.4)),
        (finrange, (1.0, 0.0, 1)),
        (finrange, (1.0, 1.0, 2)),
        (logfinrange, (-1.0, -1.0, 1)),
    ],
)
def test_still_strict_where_leniency_hides_bugs(factory, args):
    with pytest.raises(ValueError):
        factory(*args)
