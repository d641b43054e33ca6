"""``make_hyperparameter_ranges`` and the Syne Tune-style ``HyperparameterRanges`` API."""

import pickle

import numpy as np
import pytest

from syne_tune.config_space import (
    check_config_in_space,
    choice,
    finrange,
    logfinrange,
    loguniform,
    logordinal,
    lograndint,
    ordinal,
    qloguniform,
    qlograndint,
    qrandint,
    quniform,
    randint,
    reverseloguniform,
    sample_configs,
    uniform,
)
from syne_tune.optimizer.schedulers.searchers.utils import (
    HyperparameterRanges,
    HyperparameterRangesImpl,
    LinearScaling,
    LogScaling,
    ReverseLogScaling,
    get_scaling,
    make_hyperparameter_ranges,
)
from syne_tune.optimizer.schedulers.searchers.utils.hp_ranges import EPS

ALL_DOMAINS = {
    "uniform": uniform(-1.0, 3.0),
    "loguniform": loguniform(1e-5, 1.0),
    "reverselog": reverseloguniform(0.5, 0.999),
    "quniform": quniform(0.0, 2.0, 0.25),
    "qloguniform": qloguniform(0.1, 10.0, 0.1),
    "randint": randint(-3, 7),
    "one_int": randint(4, 4),
    "lograndint": lograndint(16, 1024),
    "qrandint": qrandint(0, 20, 5),
    "qlograndint": qlograndint(2, 64, 2),
    "choice": choice(["a", "b", "c"]),
    "choice_bool": choice([True, False]),
    "ordinal": ordinal(["low", "mid", "high"]),
    "ordinal_nn": ordinal([1, 4, 16], kind="nn"),
    "logordinal": logordinal([0.001, 0.01, 0.1]),
    "finrange": finrange(0.0, 1.0, 5),
    "logfinrange": logfinrange(1.0, 1000.0, 4, cast_int=True),
    "constant": "fixed",
}


def _assert_same_config(a: dict, b: dict):
    assert a.keys() == b.keys()
    for k in a:
        if isinstance(a[k], float):
            assert b[k] == pytest.approx(a[k], rel=1e-9, abs=1e-12), k
        else:
            assert b[k] == a[k], k


def test_syne_tune_names_and_attributes():
    hp_ranges = make_hyperparameter_ranges(ALL_DOMAINS)
    assert isinstance(hp_ranges, HyperparameterRanges) and HyperparameterRangesImpl is HyperparameterRanges
    keys = sorted(k for k in ALL_DOMAINS if k != "constant")
    assert hp_ranges.internal_keys == keys
    assert set(hp_ranges.config_space) == set(keys)  # constants filtered out, as in Syne Tune
    assert hp_ranges.constants == {"constant": "fixed"}
    assert hp_ranges.full_config_space is ALL_DOMAINS
    assert len(hp_ranges) == len(keys)
    # one-hot only for non-binary categoricals; one column for everything else
    assert hp_ranges.ndarray_size == len(keys) - 1 + 3
    assert hp_ranges.encoded_ranges["choice"][1] - hp_ranges.encoded_ranges["choice"][0] == 3
    assert hp_ranges.encoded_ranges["choice_bool"][1] - hp_ranges.encoded_ranges["choice_bool"][0] == 1
    assert hp_ranges.get_ndarray_bounds() == [(0.0, 1.0)] * hp_ranges.ndarray_size
    assert hp_ranges.config_space_for_sampling == hp_ranges.config_space
    assert not hp_ranges.is_attribute_fixed()
    assert hp_ranges == make_hyperparameter_ranges(dict(ALL_DOMAINS))
    assert hp_ranges != make_hyperparameter_ranges({"uniform": uniform(0.0, 1.0)})
    assert "uniform" in repr(hp_ranges)


def test_encoding_round_trip_every_domain():
    hp_ranges = make_hyperparameter_ranges(ALL_DOMAINS)
    configs = sample_configs(ALL_DOMAINS, 200, np.random.RandomState(0))
    X = hp_ranges.to_ndarray_matrix(configs)
    assert X.shape == (200, hp_ranges.ndarray_size)
    assert np.all((X >= 0) & (X <= 1))
    for config, back in zip(configs, hp_ranges.from_ndarray_matrix(X)):
        _assert_same_config({k: v for k, v in config.items() if k != "constant"}, back)
    np.testing.assert_allclose(hp_ranges.to_ndarray(configs[0]), X[0])
    _assert_same_config(hp_ranges.from_ndarray(X[3]), {k: v for k, v in configs[3].items() if k != "constant"})


def test_any_unit_vector_decodes_into_the_space():
    hp_ranges = make_hyperparameter_ranges(ALL_DOMAINS)
    rs = np.random.RandomState(1)
    U = np.vstack([rs.uniform(-0.5, 1.5, size=(100, hp_ranges.ndarray_size)), np.zeros((1, hp_ranges.ndarray_size))])
    for config in hp_ranges.from_ndarray_matrix(U):
        check_config_in_space(ALL_DOMAINS, config)


def test_encoding_rules():
    space = {"lr": loguniform(1e-4, 1.0), "n": randint(0, 9), "c": choice(["x", "y", "z"]), "o": ordinal([1, 2, 3, 4])}
    hp_ranges = make_hyperparameter_ranges(space)
    assert hp_ranges.internal_keys == ["c", "lr", "n", "o"]
    x = hp_ranges.to_ndarray({"lr": 1e-2, "n": 0, "c": "y", "o": 3})
    # c: one-hot; lr: log-linear; n: cell of 0 in [-0.5, 9.5]; o (ordinal nn): its
    # coordinate on [0.5, 4.5], the interval it samples from
    np.testing.assert_allclose(x, [0, 1, 0, 0.5, (0.5 - EPS) / (10 - 2 * EPS), 2.5 / 4], atol=1e-9)
    for n in range(10):
        enc = hp_ranges.to_ndarray({"lr": 1e-2, "n": n, "c": "x", "o": 1})
        assert hp_ranges.from_ndarray(enc)["n"] == n
    finite = make_hyperparameter_ranges({"f": finrange(0.0, 1.0, 4)})
    np.testing.assert_allclose(
        finite.to_ndarray_matrix([{"f": v} for v in (0.0, 1 / 3, 2 / 3, 1.0)])[:, 0], [0.125, 0.375, 0.625, 0.875], atol=1e-7
    )


def test_random_configs_and_match_strings():
    hp_ranges = make_hyperparameter_ranges(ALL_DOMAINS)
    rs = np.random.RandomState(2)
    config = hp_ranges.random_config(rs)
    assert set(config) == set(hp_ranges.internal_keys)
    configs = hp_ranges.random_configs(np.random.RandomState(3), 20)
    assert len(configs) == 20
    again = hp_ranges.random_configs(np.random.RandomState(3), 20)
    assert configs == again
    for c in configs:
        check_config_in_space(ALL_DOMAINS, c)
    a = dict(configs[0])
    b = dict(a, uniform=a["uniform"] * (1 + 1e-12), constant="other")
    assert hp_ranges.config_to_match_string(a) == hp_ranges.config_to_match_string(b)
    assert hp_ranges.config_to_match_string(a) != hp_ranges.config_to_match_string(configs[1])
    tpl = hp_ranges.config_to_tuple(a)
    assert hp_ranges.tuple_to_config(tpl) == {k: a[k] for k in hp_ranges.internal_keys}


def test_prefix_keys_and_last_position():
    space = {"a": uniform(0, 1), "b": randint(1, 5), "c": choice(["x", "y"]), "r": randint(1, 9)}
    hp_ranges = make_hyperparameter_ranges(space, name_last_pos="r", value_for_last_pos=3, prefix_keys=["c"])
    assert hp_ranges.internal_keys == ["c", "a", "b", "r"]
    assert hp_ranges.is_attribute_fixed()
    assert all(c["r"] == 3 for c in hp_ranges.random_configs(np.random.RandomState(0), 10))
    low, high = hp_ranges.get_ndarray_bounds()[-1]
    assert low == high == pytest.approx(hp_ranges.to_ndarray({"a": 0, "b": 1, "c": "x", "r": 3})[-1])
    assert hp_ranges.filter_for_last_pos_value([{"r": 3}, {"r": 4}]) == [{"r": 3}]
    assert hp_ranges.config_to_match_string({"a": 0.5, "b": 2, "c": "x", "r": 1}, skip_last=True) == (
        hp_ranges.config_to_match_string({"a": 0.5, "b": 2, "c": "x", "r": 7}, skip_last=True)
    )


def test_scalings():
    assert get_scaling(uniform(0, 1)) == LinearScaling()
    assert get_scaling(randint(0, 3)) == LinearScaling()
    assert get_scaling(loguniform(1, 2)) == LogScaling()
    assert get_scaling(logfinrange(1, 2, 3)) == LogScaling()
    assert get_scaling(reverseloguniform(0.1, 0.9)) == ReverseLogScaling()
    s = ReverseLogScaling()
    assert s.from_internal(s.to_internal(0.99)) == pytest.approx(0.99)


def test_picklable_and_errors():
    hp_ranges = make_hyperparameter_ranges(ALL_DOMAINS)
    back = pickle.loads(pickle.dumps(hp_ranges))
    assert back == hp_ranges
    X = hp_ranges.to_ndarray_matrix(sample_configs(ALL_DOMAINS, 5, np.random.RandomState(0)))
    assert back.from_ndarray_matrix(X) == hp_ranges.from_ndarray_matrix(X)
    with pytest.raises(ValueError, match="columns"):
        hp_ranges.from_ndarray_matrix(np.zeros((1, 2)))
    with pytest.raises(ValueError, match="active_config_space"):
        make_hyperparameter_ranges({"a": uniform(0, 1)}, active_config_space={"a": uniform(0, 0.5)})
    with pytest.raises(ValueError, match="'z'"):
        make_hyperparameter_ranges({"a": uniform(0, 1)}, prefix_keys=["z"])
    with pytest.raises(ValueError):
        make_hyperparameter_ranges([uniform(0, 1)])
    with pytest.raises(ValueError):
        hp_ranges.to_ndarray(dict(sample_configs(ALL_DOMAINS, 1, 0)[0], choice="not-a-category"))
