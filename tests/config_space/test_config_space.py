import argparse
import json
import math

import numpy as np
import pytest

from syne_tune.config_space import (
    Categorical,
    Domain,
    FiniteRange,
    Float,
    Integer,
    Ordinal,
    OrdinalNearestNeighbor,
    add_to_argparse,
    cast_config_values,
    check_config_in_space,
    choice,
    config_space_from_json_dict,
    config_space_from_json_string,
    config_space_size,
    config_space_to_json_dict,
    config_space_to_json_string,
    config_to_match_string,
    finrange,
    from_dict,
    is_log_space,
    is_reverse_log_space,
    is_uniform_space,
    is_valid_config,
    logfinrange,
    loguniform,
    logordinal,
    lograndint,
    non_constant_hyperparameter_keys,
    ordinal,
    qloguniform,
    qlograndint,
    qrandint,
    quniform,
    randint,
    restrict_domain,
    reverseloguniform,
    sample_config,
    sample_configs,
    to_dict,
    uniform,
    validate_config_space,
)

N = 10_000


def all_domains():
    return {
        "float": uniform(-1.0, 3.0),
        "logfloat": loguniform(1e-4, 1.0),
        "revlog": reverseloguniform(0.9, 0.9999),
        "qfloat": quniform(0.0, 1.0, 0.25),
        "qlogfloat": qloguniform(1.0, 100.0, 1.0),
        "int": randint(1, 6),
        "logint": lograndint(1, 1000),
        "qint": qrandint(0, 100, 10),
        "qlogint": qlograndint(2, 64, 2),
        "cat": choice(["relu", "tanh", "sigmoid"]),
        "cat_int": choice([32, 64, 128]),
        "cat_float": choice([0.1, 0.5, 0.9]),
        "cat_bool": choice([True, False]),
        "ord": ordinal(["small", "medium", "large"]),
        "ord_nn": ordinal([1, 2, 4, 8]),
        "ord_nnlog": logordinal([1e-3, 1e-2, 1e-1]),
        "finr": finrange(0.0, 1.0, 5),
        "finr_int": finrange(0, 100, 11, cast_int=True),
        "logfinr": logfinrange(1e-3, 1.0, 4),
    }


def space_with_constants():
    cs = all_domains()
    cs.update(
        {"epochs": 100, "name": "run", "ratio": 0.5, "flag": False, "layers": [1, 2]}
    )
    return cs


# ---------------------------------------------------------------------------
# Types, classes, basic properties
# ---------------------------------------------------------------------------


def test_factories_return_classes():
    d = all_domains()
    assert isinstance(d["float"], Float) and isinstance(d["logfloat"], Float)
    assert isinstance(d["int"], Integer) and isinstance(d["logint"], Integer)
    assert type(d["cat"]) is Categorical
    assert type(d["ord"]) is Ordinal
    assert type(d["ord_nn"]) is OrdinalNearestNeighbor
    assert not d["ord_nn"].log_scale and d["ord_nnlog"].log_scale
    assert type(d["finr"]) is FiniteRange
    assert all(isinstance(v, Domain) for v in d.values())
    assert d["float"].lower == -1.0 and d["float"].upper == 3.0
    assert d["cat"].categories == ["relu", "tanh", "sigmoid"]


def test_ordinal_default_kind():
    assert type(ordinal([1, 2, 3])) is OrdinalNearestNeighbor
    assert type(ordinal([0.1, 0.2])) is OrdinalNearestNeighbor
    assert type(ordinal([3, 2, 1])) is Ordinal  # not increasing
    assert type(ordinal(["a", "b"])) is Ordinal
    assert type(ordinal([1])) is Ordinal
    assert type(ordinal([1, 2, 3], kind="equal")) is Ordinal
    assert ordinal([1, 10, 100], kind="nn-log") == logordinal([1, 10, 100])


def test_value_types():
    d = all_domains()
    assert d["float"].value_type is float
    assert d["int"].value_type is int
    assert d["cat"].value_type is str
    assert d["cat_int"].value_type is int
    assert d["cat_bool"].value_type is bool
    assert d["finr"].value_type is float
    assert d["finr_int"].value_type is int


def test_len():
    d = all_domains()
    assert len(d["float"]) == 0
    assert len(d["logfloat"]) == 0
    assert len(d["revlog"]) == 0
    assert len(d["qfloat"]) == 5
    assert len(d["qlogfloat"]) == 100
    assert len(d["int"]) == 6
    assert len(randint(3, 3)) == 1
    assert len(d["logint"]) == 1000
    assert len(d["qint"]) == 11
    assert len(d["qlogint"]) == 32
    assert len(d["cat"]) == 3
    assert len(d["ord_nn"]) == 4
    assert len(d["finr"]) == 5


def test_space_predicates():
    d = all_domains()
    for key in ("logfloat", "logint", "ord_nnlog", "logfinr", "qlogfloat", "qlogint"):
        assert is_log_space(d[key]), key
        assert not is_uniform_space(d[key]), key
    for key in ("float", "int", "ord_nn", "finr", "qfloat", "qint"):
        assert is_uniform_space(d[key]), key
        assert not is_log_space(d[key]), key
    assert is_reverse_log_space(d["revlog"])
    assert not is_log_space(d["revlog"]) and not is_uniform_space(d["revlog"])
    for key in ("cat", "ord"):
        assert not is_log_space(d[key]) and not is_uniform_space(d[key])
    assert not is_log_space(5)


def test_repr_and_domain_str():
    assert repr(uniform(0, 1)) == "uniform(0.0, 1.0)"
    assert repr(loguniform(1e-3, 1)) == "loguniform(0.001, 1.0)"
    assert repr(randint(1, 5)) == "randint(1, 5)"
    assert repr(lograndint(1, 5)) == "lograndint(1, 5)"
    assert repr(choice(["a", "b"])) == "choice(['a', 'b'])"
    assert repr(ordinal(["a", "b"])) == "ordinal(['a', 'b'], kind='equal')"
    assert repr(ordinal([1, 2])) == "ordinal([1, 2], kind='nn')"
    assert repr(logordinal([1, 2])) == "logordinal([1, 2])"
    assert repr(finrange(0, 1, 3)) == "finrange(0, 1, 3)"
    assert repr(qrandint(0, 10, 5)) == "qrandint(0, 10, 5)"
    assert uniform(0, 1).domain_str == "(0.0, 1.0)"
    assert finrange(0, 1, 3).domain_str == "(0, 1, 3)"
    assert choice([1, 2]).domain_str == "[1, 2]"


# ---------------------------------------------------------------------------
# Sampling
# ---------------------------------------------------------------------------


def test_sample_scalar_and_list_plain_python():
    rs = np.random.RandomState(0)
    for name, domain in all_domains().items():
        one = domain.sample(random_state=rs)
        assert type(one) is domain.value_type, name
        many = domain.sample(size=5, random_state=rs)
        assert isinstance(many, list) and len(many) == 5, name
        assert all(type(x) is domain.value_type for x in many), name
        assert all(domain.is_valid(x) for x in many), name
        json.dumps(many)
        assert domain.sample(size=0, random_state=rs) == []


def test_sample_with_generator_and_seed_and_global():
    gen = np.random.default_rng(1)
    for name, domain in all_domains().items():
        values = domain.sample(size=50, random_state=gen)
        assert all(domain.is_valid(x) for x in values), name
        assert domain.sample(size=10, random_state=7) == domain.sample(
            size=10, random_state=7
        ), name
        assert domain.is_valid(domain.sample())
    with pytest.raises(TypeError):
        uniform(0, 1).sample(random_state="seed")


def test_determinism_same_seed():
    cs = space_with_constants()
    a = sample_configs(cs, 20, np.random.RandomState(3))
    b = sample_configs(cs, 20, np.random.RandomState(3))
    c = sample_configs(cs, 20, np.random.RandomState(4))
    assert a == b
    assert a != c
    assert sample_config(cs, np.random.default_rng(5)) == sample_config(
        cs, np.random.default_rng(5)
    )


def test_sample_array_matches_sample():
    for name, domain in all_domains().items():
        arr = domain.sample_array(30, np.random.RandomState(11))
        assert isinstance(arr, np.ndarray) and arr.shape == (30,), name
        lst = domain.sample(size=30, random_state=np.random.RandomState(11))
        assert arr.tolist() == lst, name


def test_uniform_float_distribution():
    d = uniform(-1.0, 3.0)
    x = d.sample_array(N, np.random.RandomState(0))
    assert x.min() >= -1.0 and x.max() <= 3.0
    assert abs(x.mean() - 1.0) < 0.05
    assert abs(np.quantile(x, 0.25) - 0.0) < 0.08
    assert abs(np.quantile(x, 0.75) - 2.0) < 0.08


def test_loguniform_distribution():
    d = loguniform(1e-4, 1.0)
    x = d.sample_array(N, np.random.RandomState(0))
    assert x.min() >= 1e-4 and x.max() <= 1.0
    # median ~ geometric mean, log values uniform
    assert abs(math.log10(np.median(x)) - (-2.0)) < 0.1
    logs = np.log10(x)
    assert abs(np.quantile(logs, 0.25) - (-3.0)) < 0.1
    assert abs(np.quantile(logs, 0.75) - (-1.0)) < 0.1


def test_reverseloguniform_distribution():
    d = reverseloguniform(0.9, 0.9999)
    x = d.sample_array(N, np.random.RandomState(0))
    assert x.min() >= 0.9 and x.max() <= 0.9999
    y = -np.log10(1 - x)  # uniform on [1, 4]
    assert abs(np.median(y) - 2.5) < 0.1


def test_randint_distribution_covers_ends():
    d = randint(1, 6)
    x = np.asarray(d.sample(size=N, random_state=np.random.RandomState(0)))
    counts = np.bincount(x, minlength=7)[1:]
    assert counts.sum() == N and x.min() == 1 and x.max() == 6
    assert np.all(np.abs(counts / N - 1 / 6) < 0.02)
    assert randint(3, 3).sample(size=5, random_state=0) == [3] * 5


def test_lograndint_distribution():
    d = lograndint(1, 1000)
    x = d.sample_array(N, np.random.RandomState(0))
    assert x.min() >= 1 and x.max() <= 1000
    assert x.min() == 1 and x.max() >= 900
    # median ~ geometric mean of [0.5, 1000.5]
    assert abs(math.log(np.median(x)) - 0.5 * math.log(0.5 * 1000.5)) < 0.15
    # small range: each value gets the mass of its log interval
    d2 = lograndint(1, 3)
    y = d2.sample_array(N, np.random.RandomState(1))
    expected = np.diff(np.log([0.5, 1.5, 2.5, 3.5])) / math.log(7.0)
    freq = np.bincount(y, minlength=4)[1:] / N
    assert np.all(np.abs(freq - expected) < 0.02)


def test_choice_distribution():
    d = choice(["a", "b", "c", "d"])
    x = d.sample(size=N, random_state=np.random.RandomState(0))
    for c in "abcd":
        assert abs(x.count(c) / N - 0.25) < 0.02
    assert choice([7]).sample(random_state=0) == 7


def test_ordinal_nn_distribution():
    d = ordinal([1, 2, 3, 10])
    x = d.sample(size=N, random_state=np.random.RandomState(0))
    # interval [1 - 1.5, 10 + 1.5] (half mean spacing 1.5): 1 gets [-0.5, 1.5],
    # 10 gets [6.5, 11.5]
    freq = {v: x.count(v) / N for v in (1, 2, 3, 10)}
    assert abs(freq[10] - 5 / 12) < 0.02
    assert abs(freq[1] - 2 / 12) < 0.02
    d_log = logordinal([1, 10, 100])
    y = d_log.sample(size=N, random_state=np.random.RandomState(0))
    for v in (1, 10, 100):
        assert abs(y.count(v) / N - 1 / 3) < 0.02


def test_finrange_values_and_distribution():
    d = finrange(0.0, 1.0, 5)
    assert d.values == [0.0, 0.25, 0.5, 0.75, 1.0]
    x = d.sample(size=N, random_state=np.random.RandomState(0))
    for v in d.values:
        assert abs(x.count(v) / N - 0.2) < 0.02
    d_log = logfinrange(1e-3, 1.0, 4)
    assert np.allclose(d_log.values, [1e-3, 1e-2, 1e-1, 1.0])
    assert d_log.values[0] == 1e-3 and d_log.values[-1] == 1.0
    d_int = finrange(0, 100, 11, cast_int=True)
    assert d_int.values == list(range(0, 101, 10))
    assert logfinrange(1, 1000, 4, cast_int=True).values == [1, 10, 100, 1000]


def test_quantized_sampling():
    d = quniform(0.0, 1.0, 0.25)
    x = d.sample(size=N, random_state=np.random.RandomState(0))
    assert set(x) == {0.0, 0.25, 0.5, 0.75, 1.0}
    for v in set(x):
        assert abs(x.count(v) / N - 0.2) < 0.02
    d = quniform(0.0, 1.0, 0.1)
    assert set(d.sample(size=2000, random_state=0)) == {
        round(0.1 * k, 1) for k in range(11)
    }
    d = qrandint(0, 100, 10)
    y = d.sample(size=N, random_state=np.random.RandomState(0))
    assert set(y) == set(range(0, 101, 10))
    d = qlograndint(2, 64, 2)
    z = d.sample_array(N, np.random.RandomState(0))
    assert z.min() >= 2 and z.max() <= 64 and np.all(z % 2 == 0)
    w = qloguniform(1.0, 100.0, 1.0).sample_array(N, np.random.RandomState(0))
    assert w.min() >= 1.0 and w.max() <= 100.0 and np.all(w == np.round(w))


# ---------------------------------------------------------------------------
# Membership, cast, match_string
# ---------------------------------------------------------------------------


def test_is_valid():
    f = uniform(0.0, 1.0)
    assert f.is_valid(0.0) and f.is_valid(1.0) and f.is_valid(np.float32(0.5))
    assert not f.is_valid(1.5) and not f.is_valid("0.5") and not f.is_valid(True)
    assert not f.is_valid(float("nan"))
    i = randint(1, 5)
    assert i.is_valid(1) and i.is_valid(5) and i.is_valid(np.int64(3)) and i.is_valid(3.0)
    assert not i.is_valid(0) and not i.is_valid(6) and not i.is_valid(2.5)
    assert not i.is_valid("3") and not i.is_valid(True)
    c = choice(["a", "b"])
    assert c.is_valid("a") and c.is_valid(np.str_("b")) and not c.is_valid("c")
    assert not c.is_valid(1)
    ci = choice([1, 2])
    assert ci.is_valid(np.int64(2)) and not ci.is_valid(True) and not ci.is_valid("1")
    cb = choice([True, False])
    assert cb.is_valid(True) and cb.is_valid(np.bool_(False)) and not cb.is_valid(1)
    o = ordinal([1, 2, 4])
    assert o.is_valid(4) and not o.is_valid(3)
    fr = finrange(0.0, 1.0, 5)
    assert fr.is_valid(0.25) and fr.is_valid(np.float64(0.75)) and not fr.is_valid(0.3)
    assert not fr.is_valid(2.0) and not fr.is_valid("0.25")
    q = quniform(0.0, 1.0, 0.25)
    assert q.is_valid(0.5) and not q.is_valid(0.3)
    qi = qrandint(0, 100, 10)
    assert qi.is_valid(30) and not qi.is_valid(35)


def test_cast():
    assert uniform(0, 1).cast("0.5") == 0.5
    assert type(uniform(0, 1).cast(np.float32(0.5))) is float
    assert randint(0, 10).cast("3") == 3
    assert randint(0, 10).cast("3.0") == 3
    assert randint(0, 10).cast(np.int64(4)) == 4 and type(randint(0, 10).cast(np.int64(4))) is int
    assert randint(0, 10).cast(2.7) == 3
    assert choice([1, 2]).cast("2") == 2
    assert choice(["a", "b"]).cast(np.str_("a")) == "a"
    assert choice([0.1, 0.2]).cast("0.1") == 0.1
    assert choice([0.1, 0.2]).cast(0.1000001) == 0.1  # round-off absorbed
    assert choice([True, False]).cast("False") is False
    assert choice([True, False]).cast("true") is True
    with pytest.raises(ValueError):
        choice(["a", "b"]).cast("c")
    with pytest.raises(ValueError):
        choice([1, 2]).cast(3)
    assert ordinal([1, 2, 4]).cast(3.2) == 4
    assert ordinal([1, 2, 4]).cast("1.2") == 1
    assert logordinal([1, 10, 100]).cast(4) == 10  # nearest in log space
    assert logordinal([1, 10, 100]).cast(3) == 1
    assert finrange(0.0, 1.0, 5).cast(0.3) == 0.25
    assert finrange(0.0, 1.0, 5).cast(7) == 1.0
    assert finrange(0, 100, 11, cast_int=True).cast(np.float64(42.0)) == 40
    assert quniform(0.0, 1.0, 0.1).cast(0.33) == 0.3
    assert qrandint(0, 100, 10).cast(34) == 30


def test_match_string():
    f = uniform(0, 1)
    assert f.match_string(0.5) == f.match_string(np.float64(0.5))
    assert f.match_string(0.5) == f.match_string(0.5 + 1e-12)
    assert f.match_string(0.5) != f.match_string(0.51)
    i = randint(0, 10)
    assert i.match_string(3) == "3" == i.match_string(np.int64(3))
    c = choice(["a", "b"])
    assert c.match_string("b") == "1"
    fr = finrange(0.0, 1.0, 5)
    assert fr.match_string(0.5) == "2"
    cs = {"x": f, "n": i, "c": c, "const": 1}
    s1 = config_to_match_string({"x": 0.5, "n": 3, "c": "a"}, cs, ["x", "n", "c"])
    s2 = config_to_match_string(
        {"x": np.float64(0.5), "n": np.int64(3), "c": "a"}, cs, ["x", "n", "c"]
    )
    assert s1 == s2
    assert s1.startswith("x:") and ",n:3,c:0" in s1


def test_equality():
    assert uniform(0, 1) == uniform(0.0, 1.0)
    assert uniform(0, 1) != loguniform(0.1, 1)
    assert uniform(0.1, 1) != loguniform(0.1, 1)
    assert uniform(0, 1) != uniform(0, 2)
    assert Float(0, 1) == uniform(0, 1)  # default sampler is uniform
    assert randint(1, 5) == randint(1, 5) and randint(1, 5) != lograndint(1, 5)
    assert randint(1, 5) != uniform(1, 5)
    assert choice(["a", "b"]) == choice(["a", "b"])
    assert choice(["a", "b"]) != choice(["b", "a"])
    assert choice(["a", "b"]) != ordinal(["a", "b"])
    assert choice([1, 2]) != choice([1.0, 2.0])
    assert ordinal([1, 2]) != logordinal([1, 2])
    assert finrange(0, 1, 5) == finrange(0.0, 1.0, 5)
    assert finrange(0, 1, 5) != finrange(0, 1, 6)
    assert finrange(1, 10, 5) != logfinrange(1, 10, 5)
    assert qrandint(0, 10, 5) != randint(0, 10)
    assert uniform(0, 1) != 0.5
    assert hash(uniform(0, 1)) == hash(uniform(0, 1))


# ---------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "factory, args, match",
    [
        (uniform, (2.0, 1.0), "lower <= upper"),
        (loguniform, (2.0, 1.0), "lower <= upper"),
        (loguniform, (0.0, 1.0), "positive"),
        (loguniform, (-1.0, 1.0), "positive"),
        (loguniform, (0.0, 0.0), "positive"),
        (uniform, (float("nan"), 1.0), "finite"),
        (uniform, (0.0, float("inf")), "finite"),
        (uniform, (None, 1.0), "real number"),
        (uniform, ("0", 1.0), "real number"),
        (uniform, (True, 2.0), "real number"),
        (reverseloguniform, (0.5, 1.0), "0 <= lower <= upper < 1"),
        (reverseloguniform, (-0.1, 0.5), "0 <= lower <= upper < 1"),
        (randint, (5, 1), "lower <= upper"),
        (randint, (2.6, 2.4), "lower <= upper"),
        (randint, (1, float("inf")), "finite"),
        (randint, (0, float("nan")), "finite"),
        (randint, ("1", 3), "real number"),
        (lograndint, (0, 10), "lower >= 1"),
        (lograndint, (-5, 10), "lower >= 1"),
        (lograndint, (0.4, 10), "lower >= 1"),
        (quniform, (0.0, 1.0, 0.3), "multiple of q"),
        (quniform, (0.0, 1.0, 0.0), "positive"),
        (qrandint, (1, 10, 4), "multiple of q"),
        (qrandint, (0, 10, 2.5), "positive int"),
        (finrange, (0.0, 1.0, 0), "size must be an int >= 1"),
        (finrange, (0.0, 1.0, 2.0), "size must be an int >= 1"),
        (finrange, (1.0, 1.0, 3), "lower < upper"),
        (finrange, (2.0, 1.0, 3), "lower <= upper"),
        (finrange, (2.0, 1.0, 1), "lower <= upper"),
        (finrange, (0.0, float("nan"), 1), "finite"),
        (logfinrange, (0.0, 1.0, 3), "positive"),
        (logfinrange, (0.0, 0.0, 1), "positive"),
    ],
)
def test_numeric_domain_errors(factory, args, match):
    with pytest.raises(ValueError, match=match):
        factory(*args)


def test_finrange_cast_int_duplicates_error():
    with pytest.raises(ValueError, match="distinct"):
        finrange(0, 2, 5, cast_int=True)


@pytest.mark.parametrize(
    "categories, match",
    [
        ([], "empty"),
        (["a", "b", "a"], "duplicate"),
        ([1, 2, 2], "duplicate"),
        ([1, 0.5], "same type"),
        (["a", 1], "same type"),
        ([1, True], "same type"),
        ([None, None], "unsupported type"),
        ([(1, 2), (3, 4)], "unsupported type"),
        ([0.1, float("nan")], "not finite"),
        ("abc", "must be a list"),
        (5, "must be a list"),
    ],
)
def test_categorical_errors(categories, match):
    with pytest.raises(ValueError, match=match):
        choice(categories)


def test_ordinal_errors():
    with pytest.raises(ValueError, match="strictly increasing"):
        ordinal([3, 2, 1], kind="nn")
    with pytest.raises(ValueError, match="int or float"):
        ordinal(["a", "b"], kind="nn")
    with pytest.raises(ValueError, match="positive"):
        logordinal([0, 1, 2])
    with pytest.raises(ValueError, match="kind"):
        ordinal([1, 2], kind="bogus")
    with pytest.raises(ValueError, match="empty"):
        ordinal([])


def test_numpy_inputs_are_converted():
    d = uniform(np.float32(0.5), np.float64(2.0))
    assert type(d.lower) is float
    i = randint(np.int32(1), np.int64(5))
    assert type(i.lower) is int and type(i.upper) is int
    c = choice(np.array(["a", "b"]))
    assert c.categories == ["a", "b"] and type(c.categories[0]) is str
    c = choice(np.arange(3))
    assert c.categories == [0, 1, 2] and c.value_type is int
    json.dumps(config_space_to_json_dict({"c": c, "d": d, "i": i, "k": np.int64(3)}))


# ---------------------------------------------------------------------------
# Config space helpers
# ---------------------------------------------------------------------------


def test_non_constant_keys_and_cast_config_values():
    cs = space_with_constants()
    keys = non_constant_hyperparameter_keys(cs)
    assert keys == list(all_domains().keys())
    config = {"int": "3", "float": "0.5", "cat": "relu", "epochs": 100, "other": 1}
    cast = cast_config_values(config, cs)
    assert cast == {"int": 3, "float": 0.5, "cat": "relu", "epochs": 100}


def test_config_space_size():
    assert config_space_size({"a": randint(1, 4), "b": choice(["x", "y"]), "c": 3}) == 8
    assert config_space_size({"a": finrange(0, 1, 5), "b": ordinal([1, 2, 3])}) == 15
    assert config_space_size({"a": randint(1, 4), "b": uniform(0, 1)}) is None
    assert config_space_size({"c": 3}) == 1
    big = {f"x{i}": randint(1, 100) for i in range(4)}
    assert config_space_size(big) is None
    assert config_space_size(big, upper_limit=10**9) == 100**4
    with pytest.raises(ValueError):
        config_space_size(big, upper_limit=1)


def test_add_to_argparse():
    cs = {
        "lr": loguniform(1e-4, 1e-1),
        "n": randint(1, 10),
        "act": choice(["relu", "tanh"]),
        "flag": choice([True, False]),
        "epochs": 100,
        "name": "x",
        "layers": [1, 2],
    }
    parser = argparse.ArgumentParser()
    add_to_argparse(parser, cs)
    args = parser.parse_args(
        [
            "--lr", "0.01", "--n", "3", "--act", "tanh", "--flag", "False",
            "--epochs", "100", "--name", "x", "--layers", "[1, 2]",
        ]
    )
    assert args.lr == 0.01 and args.n == 3 and args.act == "tanh"
    assert args.flag is False
    assert args.epochs == 100 and args.name == "x" and args.layers == [1, 2]
    with pytest.raises(SystemExit):
        parser.parse_args(["--lr", "0.01"])  # others are required


def test_restrict_domain():
    assert restrict_domain(uniform(0, 10), 2, 5) == uniform(2, 5)
    r = restrict_domain(loguniform(1e-4, 1), 1e-3, 1e-2)
    assert r == loguniform(1e-3, 1e-2) and is_log_space(r)
    assert restrict_domain(randint(0, 10), 2.5, 7.5) == randint(3, 7)
    assert restrict_domain(lograndint(1, 100), 4, 8) == lograndint(4, 8)
    assert restrict_domain(qrandint(0, 100, 10), 15, 55) == qrandint(20, 50, 10)
    fr = restrict_domain(finrange(0.0, 1.0, 5), 0.2, 0.8)
    assert fr.values == [0.25, 0.5, 0.75]
    fr_int = restrict_domain(finrange(0, 10, 4, cast_int=True), 3, 10)
    assert fr_int.values == [3, 7, 10]  # same values as the original domain
    assert restrict_domain(finrange(0.0, 1.0, 5), 0.5, 0.5).values == [0.5]
    o = restrict_domain(logordinal([1, 10, 100, 1000]), 5, 500)
    assert o == logordinal([10, 100])
    assert restrict_domain(uniform(0, 1), 0.5, 0.5) == uniform(0.5, 0.5)  # single-point float range
    with pytest.raises(ValueError):
        restrict_domain(randint(0, 10), 6, 5)
    with pytest.raises(ValueError):
        restrict_domain(finrange(0.0, 1.0, 5), 0.3, 0.4)
    with pytest.raises(ValueError):
        restrict_domain(choice(["a", "b"]), 0, 1)


def test_is_valid_config_and_check():
    cs = {"x": uniform(0, 1), "n": randint(1, 3), "c": choice(["a", "b"]), "k": 5}
    good = {"x": 0.5, "n": 2, "c": "a", "k": 5}
    assert is_valid_config(cs, good)
    check_config_in_space(cs, good)
    assert is_valid_config(cs, {"x": 0.5, "n": 2, "c": "a"})  # constant may be missing
    assert is_valid_config(cs, dict(good, extra=1))
    cases = [
        ({"n": 2, "c": "a"}, "'x'"),
        (dict(good, x=2.0), "'x'"),
        (dict(good, n=4), "'n'"),
        (dict(good, c="z"), "'c'"),
        (dict(good, k=6), "'k'"),
    ]
    for config, key in cases:
        assert not is_valid_config(cs, config)
        with pytest.raises(ValueError, match=key):
            check_config_in_space(cs, config)


def test_validate_config_space():
    validate_config_space(space_with_constants())
    with pytest.raises(ValueError, match="1"):
        validate_config_space({1: uniform(0, 1)})
    with pytest.raises(ValueError, match="non-empty"):
        validate_config_space({"": 3})
    with pytest.raises(ValueError, match="must be a dict"):
        validate_config_space([("a", 1)])
    bad = uniform(0, 1)
    bad.lower = 5.0  # mutated after construction
    with pytest.raises(ValueError, match="'lr'"):
        validate_config_space({"ok": randint(1, 2), "lr": bad})
    bad_cat = choice(["a", "b"])
    bad_cat.categories.append("a")
    with pytest.raises(ValueError, match="'act'.*duplicate"):
        validate_config_space({"act": bad_cat})


def test_sample_config_and_configs():
    cs = space_with_constants()
    config = sample_config(cs, np.random.RandomState(0))
    assert list(config.keys()) == list(cs.keys())
    assert config["epochs"] == 100 and config["layers"] == [1, 2]
    assert is_valid_config(cs, config)
    json.dumps(config)
    configs = sample_configs(cs, 200, np.random.default_rng(0))
    assert len(configs) == 200
    assert all(is_valid_config(cs, c) for c in configs)
    for c in configs[:5]:
        for k, v in c.items():
            if isinstance(cs[k], Domain):
                assert type(v) is cs[k].value_type
    assert sample_configs(cs, 0) == []


# ---------------------------------------------------------------------------
# Serialization
# ---------------------------------------------------------------------------


def test_to_dict_format():
    assert to_dict(randint(1, 20)) == {
        "domain_cls": "Integer",
        "domain_kwargs": {"lower": 1, "upper": 20},
        "sampler_cls": "Uniform",
        "sampler_kwargs": {},
    }
    d = to_dict(loguniform(1e-3, 1.0))
    assert d["domain_cls"] == "Float" and d["sampler_cls"] == "LogUniform"
    assert to_dict(choice(["a", "b"]))["domain_kwargs"] == {"categories": ["a", "b"]}
    fr = to_dict(finrange(0.0, 1.0, 5))
    assert fr == {
        "domain_cls": "FiniteRange",
        "domain_kwargs": {
            "lower": 0.0, "upper": 1.0, "log_scale": False, "cast_int": False, "size": 5,
        },
    }
    assert to_dict(logordinal([1, 10])) == {
        "domain_cls": "OrdinalNearestNeighbor",
        "domain_kwargs": {"categories": [1, 10], "log_scale": True},
    }
    with pytest.raises(ValueError):
        to_dict(5)


def test_from_dict_reads_syne_tune_files():
    # as written by Syne Tune 0.13 (metadata.json, configspace.json)
    d = {"domain_cls": "Integer", "domain_kwargs": {"lower": 1, "upper": 20},
         "sampler_cls": "Uniform", "sampler_kwargs": {}}
    assert from_dict(d) == randint(1, 20)
    d = {"domain_cls": "Float", "domain_kwargs": {"lower": 1e-6, "upper": 1.0},
         "sampler_cls": "LogUniform", "sampler_kwargs": {"base": 2.718281828459045}}
    assert from_dict(d) == loguniform(1e-6, 1.0)
    d = {"domain_cls": "Categorical", "domain_kwargs": {"categories": ["a"]},
         "sampler_cls": "Uniform", "sampler_kwargs": {}}
    assert from_dict(d) == choice(["a"])


def test_json_round_trip_every_domain():
    cs = space_with_constants()
    text = config_space_to_json_string(cs)
    back = config_space_from_json_string(text)
    assert back == cs
    assert list(back.keys()) == list(cs.keys())
    for k, v in cs.items():
        assert type(back[k]) is type(v)
        if isinstance(v, Domain):
            assert repr(back[k]) == repr(v)
            assert is_log_space(back[k]) == is_log_space(v)
            assert len(back[k]) == len(v)
            # same distribution: same values for the same seed
            assert back[k].sample(size=20, random_state=5) == v.sample(
                size=20, random_state=5
            )
    # through the dict form as well
    as_dict = json.loads(json.dumps(config_space_to_json_dict(cs)))
    assert config_space_from_json_dict(as_dict) == cs
    # constants that are dicts without domain_cls stay constants
    cs2 = {"opts": {"a": 1}, "x": uniform(0, 1)}
    assert config_space_from_json_string(config_space_to_json_string(cs2)) == cs2


@pytest.mark.parametrize(
    "d, match",
    [
        ({"domain_cls": "Bogus", "domain_kwargs": {}}, "Bogus"),
        ({"domain_cls": "Float", "domain_kwargs": {"lower": 0, "upper": 1},
          "sampler_cls": "Gaussian", "sampler_kwargs": {}}, "Gaussian"),
        ({"domain_cls": "Integer", "domain_kwargs": {"lower": 1, "upper": 5},
          "sampler_cls": "ReverseLogUniform", "sampler_kwargs": {}}, "ReverseLogUniform"),
        ({"domain_cls": "Float", "domain_kwargs": {"low": 0, "upper": 1}}, "domain_kwargs"),
        ({"domain_cls": "Float", "domain_kwargs": {"lower": 0, "upper": 1},
          "sampler_cls": "Uniform", "sampler_kwargs": {"foo": 1}}, "sampler_kwargs"),
        ({"domain_cls": "Float", "domain_kwargs": {"lower": 0, "upper": 1},
          "sampler_cls": "LogUniform", "sampler_kwargs": {}}, "positive"),
        ({"domain_kwargs": {}}, "domain_cls"),
    ],
)
def test_from_dict_errors(d, match):
    with pytest.raises(ValueError, match=match):
        from_dict(d)


def test_sampler_api_compat():
    d = loguniform(1e-3, 1)
    sampler = d.get_sampler()
    assert str(sampler) == "LogUniform"
    x = sampler.sample(d, size=3, random_state=np.random.RandomState(0))
    assert x == d.sample(size=3, random_state=np.random.RandomState(0))
    assert Float(0, 1).get_sampler() is not None
    assert finrange(0, 1, 3).get_sampler() is None
    with pytest.raises(ValueError):
        uniform(0, 1).set_sampler(Float._LogUniform())
