"""syne_tune.utils.streamline_config_space (Syne Tune's convert_domain rules)."""

import logging

import pytest

from syne_tune import config_space as cs
from syne_tune.config_space import FiniteRange, OrdinalNearestNeighbor, is_log_space
from syne_tune.utils import streamline_config_space
from syne_tune.utils.convert_domain import convert_domain, fit_to_regular_grid
from syne_tune.utils.validation import InvalidParameterError


def test_equally_spaced_choice_becomes_finrange():
    new = convert_domain(cs.choice([4, 1, 3, 2]))
    assert isinstance(new, FiniteRange) and not new.log_scale and new.cast_int
    assert (new.lower, new.upper, new.size) == (1, 4, 4)
    assert set(new.sample(size=200, random_state=0)) == {1, 2, 3, 4}


def test_log_spaced_choice_becomes_logfinrange():
    new = convert_domain(cs.choice([0.001, 0.01, 0.1, 1.0]))
    assert isinstance(new, FiniteRange) and new.log_scale and not new.cast_int
    assert new.lower == pytest.approx(0.001) and new.upper == pytest.approx(1.0) and new.size == 4


def test_irregular_choice_becomes_ordinal_or_logordinal():
    lin = convert_domain(cs.choice([5.0, -3.0, -1.0, 0.0, 4.0]))  # not positive: no log scale
    assert isinstance(lin, OrdinalNearestNeighbor) and not lin.log_scale
    assert lin.categories == [-3.0, -1.0, 0.0, 4.0, 5.0]
    log = convert_domain(cs.choice([1, 2, 3, 4, 100, 200]))
    assert isinstance(log, OrdinalNearestNeighbor) and log.log_scale
    assert log.categories == [1, 2, 3, 4, 100, 200]


def test_choices_left_alone():
    for domain in [cs.choice([1, 100]), cs.choice(["a", "b", "c"]), cs.choice([True, False])]:
        assert convert_domain(domain) is domain
    negative = convert_domain(cs.choice([-1.0, 0.0, 1.0, 2.0]))  # equally spaced, no log possible
    assert isinstance(negative, FiniteRange) and not negative.log_scale


def test_wide_linear_ranges_become_log():
    assert convert_domain(cs.uniform(1e-4, 1.0)) == cs.loguniform(1e-4, 1.0)
    assert convert_domain(cs.randint(1, 1000)) == cs.lograndint(1, 1000)
    assert convert_domain(cs.qrandint(10, 10000, 10)) == cs.qlograndint(10, 10000, 10)


def test_ranges_left_alone():
    for domain in [
        cs.uniform(1.0, 100.0),  # ratio not above 100
        cs.uniform(0.0, 1.0),  # lower not positive
        cs.randint(-5, 1000),
        cs.loguniform(1e-6, 1.0),  # already log
        cs.reverseloguniform(0.001, 0.999),
        cs.finrange(1.0, 1000.0, 5),
    ]:
        assert convert_domain(domain) is domain


def test_streamline_config_space_keeps_constants_and_excluded(caplog):
    space = {
        "lr": cs.uniform(1e-5, 1.0),
        "batch": cs.choice([16, 32, 64, 128]),
        "units": cs.randint(1, 512),
        "act": cs.choice(["relu", "tanh"]),
        "epochs": 10,
    }
    with caplog.at_level(logging.INFO, logger="syne_tune.utils.convert_domain"):
        new = streamline_config_space(space, exclude_names=["units", "not-there"], verbose=True)
    assert list(new) == list(space)
    assert new["lr"] == cs.loguniform(1e-5, 1.0)
    assert isinstance(new["batch"], FiniteRange) and is_log_space(new["batch"]) and new["batch"].cast_int
    assert new["units"] is space["units"] and new["act"] is space["act"] and new["epochs"] == 10
    assert space["lr"] == cs.uniform(1e-5, 1.0)  # original unchanged
    messages = [r.getMessage() for r in caplog.records]
    assert any(m.startswith("lr: ") for m in messages) and any(m.startswith("batch: ") for m in messages)
    assert any("'not-there' is not in the configuration space" in m for m in messages)
    quiet = streamline_config_space(space)
    assert quiet["lr"] == new["lr"]


def test_streamlined_values_stay_valid_for_the_original_domain():
    space = {"b": cs.choice([16, 32, 64, 128, 256]), "x": cs.choice([0.1, 0.2, 0.3, 0.4])}
    new = streamline_config_space(space)
    for config in cs.sample_configs(new, 50, random_state=1):
        assert config["b"] in space["b"].categories
        assert min(abs(config["x"] - c) for c in space["x"].categories) < 1e-9


def test_fit_to_regular_grid():
    exact = fit_to_regular_grid([1.0, 3.0, 5.0, 7.0])
    assert exact["a"] == 2.0 and exact["b"] == 1.0 and exact["r2"] == pytest.approx(1.0)
    assert fit_to_regular_grid([1, 2, 2.5, 10])["r2"] < 0.995
    with pytest.raises(ValueError, match="strictly increasing"):
        fit_to_regular_grid([1.0, 1.0])


def test_arguments_are_checked():
    with pytest.raises(InvalidParameterError, match="The 'config_space' parameter of streamline_config_space must be a dict"):
        streamline_config_space([cs.uniform(0, 1)])
    with pytest.raises(InvalidParameterError, match="The 'verbose' parameter of streamline_config_space must be a bool"):
        streamline_config_space({}, verbose="yes")
