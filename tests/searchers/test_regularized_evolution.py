"""Regularized evolution (REA): population, parent selection, mutation,
restricted configurations, contract suites."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syne_tune.config_space import (
    check_config_in_space,
    choice,
    finrange,
    logfinrange,
    lograndint,
    loguniform,
    ordinal,
    randint,
    uniform,
)
from syne_tune.optimizer.baselines import REA
from syne_tune.optimizer.schedulers.hyperband import HyperbandScheduler
from syne_tune.optimizer.schedulers.searchers.regularized_evolution import RegularizedEvolution
from syne_tune.testing.scheduler import SchedulerContract
from syne_tune.testing.searcher import SearcherContract
from syne_tune.utils.validation import InvalidParameterError

SPACE = {
    "x": uniform(0.0, 1.0),
    "lr": loguniform(1e-4, 1e-1),
    "n": randint(1, 6),
    "act": choice(["relu", "tanh", "sigmoid"]),
    "o": ordinal([1, 2, 4, 8]),
    "epochs": 5,
}


def _searcher(**kwargs):
    kwargs.setdefault("points_to_evaluate", [])
    kwargs.setdefault("random_seed", 0)
    return RegularizedEvolution(SPACE, metric="loss", **kwargs)


def _feed(searcher, configs_and_values, first_trial_id=0):
    for i, (config, value) in enumerate(configs_and_values):
        searcher.on_trial_result(first_trial_id + i, config, {"loss": value}, update=True)


def _diff_keys(a: dict, b: dict, space: dict) -> list[str]:
    return [k for k, d in space.items() if hasattr(d, "match_string") and d.match_string(a[k]) != d.match_string(b[k])]


def _record_parents(searcher):
    """Wrap ``searcher._mutate`` to record (parent, child) pairs."""
    pairs = []
    original = searcher._mutate

    def wrapped(parent):
        child = original(parent)
        pairs.append((dict(parent), None if child is None else dict(child)))
        return child

    searcher._mutate = wrapped
    return pairs


def _hand_made_population():
    rs = np.random.RandomState(42)
    from syne_tune.config_space import sample_configs

    configs = sample_configs({k: v for k, v in SPACE.items() if k != "epochs"}, 6, rs)
    values = [3.0, 1.0, 5.0, 0.5, 4.0, 2.0]
    return configs, values


# -- population ---------------------------------------------------------------------
def test_population_is_fifo_of_population_size():
    searcher = _searcher(population_size=4, sample_size=2)
    configs, values = _hand_made_population()
    _feed(searcher, zip(configs, values))
    assert [m[0] for m in searcher.population] == [2, 3, 4, 5]  # the oldest die, not the worst
    assert [m[2] for m in searcher.population] == values[2:]
    # a new result of a trial in the population replaces it in place
    searcher.on_trial_result(3, configs[3], {"loss": 9.0}, update=True)
    assert [m[0] for m in searcher.population] == [2, 3, 4, 5]
    assert searcher.population[1][2] == 9.0
    searcher.remove_case(4)
    assert [m[0] for m in searcher.population] == [2, 3, 5]
    # results with update=False and non-finite values are ignored
    searcher.on_trial_result(10, configs[0], {"loss": 0.1}, update=False)
    searcher.on_trial_result(11, configs[0], {"loss": float("nan")}, update=True)
    assert [m[0] for m in searcher.population] == [2, 3, 5]


def test_random_until_population_is_full():
    searcher = _searcher(population_size=5, sample_size=2)
    pairs = _record_parents(searcher)
    configs, values = _hand_made_population()
    for trial_id in range(4):
        config = searcher.get_config(trial_id=trial_id)
        check_config_in_space(SPACE, config)
        searcher.on_trial_result(trial_id, config, {"loss": float(trial_id)}, update=True)
    assert pairs == []  # no evolution before the population is full
    searcher.on_trial_result(4, configs[0], {"loss": 0.0}, update=True)
    searcher.get_config(trial_id=5)
    assert len(pairs) == 1


# -- parent selection ---------------------------------------------------------------
@pytest.mark.parametrize("seed", range(8))
def test_parent_is_best_of_a_sample_without_replacement(seed):
    configs, values = _hand_made_population()
    searcher = _searcher(population_size=6, sample_size=3, random_seed=seed)
    _feed(searcher, zip(configs, values))
    pairs = _record_parents(searcher)
    rs = copy.deepcopy(searcher.random_state)
    sample = rs.choice(6, size=3, replace=False)
    expected = configs[int(sample[np.argmin([values[i] for i in sample])])]
    child = searcher.get_config(trial_id=10)
    parent = pairs[0][0]
    assert parent == {k: expected[k] for k in parent}
    assert len(_diff_keys(child, parent, SPACE)) == 1


@pytest.mark.parametrize("mode, best", [("min", 3), ("max", 2)])
def test_full_sample_takes_the_best_member(mode, best):
    configs, values = _hand_made_population()
    searcher = _searcher(population_size=6, sample_size=6, mode=mode)
    _feed(searcher, zip(configs, values))
    pairs = _record_parents(searcher)
    for trial_id in range(10, 15):
        searcher.get_config(trial_id=trial_id)
    for parent, child in pairs:
        assert parent == {k: configs[best][k] for k in parent}
        assert len(_diff_keys(child, parent, SPACE)) == 1


def test_children_are_new_and_in_the_space():
    configs, values = _hand_made_population()
    searcher = _searcher(population_size=6, sample_size=2)
    _feed(searcher, zip(configs, values))
    seen = set()
    for trial_id in range(10, 60):
        config = searcher.get_config(trial_id=trial_id)
        check_config_in_space(SPACE, config)
        key = tuple(sorted((k, str(v)) for k, v in config.items()))
        assert key not in seen
        seen.add(key)


# -- mutation: property test --------------------------------------------------------
_DOMAINS = {
    "uniform": lambda: uniform(-2.0, 3.0),
    "loguniform": lambda: loguniform(1e-3, 1.0),
    "randint": lambda: randint(0, 3),
    "lograndint": lambda: lograndint(1, 100),
    "choice2": lambda: choice(["a", "b"]),
    "choice4": lambda: choice(["w", "x", "y", "z"]),
    "intchoice": lambda: choice([3, 1, 2]),
    "ordinal": lambda: ordinal([1, 2, 4, 8]),
    "finrange": lambda: finrange(0.0, 1.0, 5),
    "logfinrange": lambda: logfinrange(1e-2, 1.0, 3),
    "single": lambda: choice(["only"]),
    "constant": lambda: 7,
}


@st.composite
def _spaces(draw):
    names = draw(st.lists(st.sampled_from(sorted(_DOMAINS)), min_size=1, max_size=5))
    space = {f"h{i}": _DOMAINS[name]() for i, name in enumerate(names)}
    if all(not hasattr(d, "match_string") or len(d) == 1 for d in space.values()):
        space["extra"] = uniform(0.0, 1.0)
    return space


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(space=_spaces(), seed=st.integers(0, 2**31 - 2), mode=st.sampled_from(["min", "max"]))
def test_child_differs_from_its_parent_in_exactly_one_mutable_value(space, seed, mode):
    searcher = RegularizedEvolution(
        space, metric="loss", mode=mode, population_size=3, sample_size=2, random_seed=seed, points_to_evaluate=[]
    )
    pairs = _record_parents(searcher)
    for trial_id in range(12):
        config = searcher.get_config(trial_id=trial_id)
        if config is None:
            break
        check_config_in_space(space, config)
        searcher.on_trial_result(trial_id, config, {"loss": float(trial_id % 5)}, update=True)
    mutable = {k for k, d in space.items() if hasattr(d, "match_string") and len(d) != 1}
    for parent, child in pairs:
        if child is None:
            continue
        changed = _diff_keys(child, dict(parent, **{k: v for k, v in space.items() if k not in parent}), space)
        assert len(changed) == 1 and changed[0] in mutable
        check_config_in_space(space, child)


# -- restricted configurations -----------------------------------------------------
def _grid():
    return [
        {"a": a, "b": b, "c": c} for a in ["p", "q", "r"] for b in [1, 2, 3] for c in [0.0, 0.5, 1.0]
    ]


RESTRICT_SPACE = {"a": choice(["p", "q", "r"]), "b": randint(1, 3), "c": finrange(0.0, 1.0, 3)}


def test_restricted_children_change_one_value_and_stay_in_the_list():
    allowed = _grid()[::2]  # 14 of the 27 configurations
    keys = {tuple(sorted(c.items())) for c in allowed}
    searcher = RegularizedEvolution(
        RESTRICT_SPACE, metric="loss", population_size=3, sample_size=3, random_seed=1,
        points_to_evaluate=[], restrict_configurations=allowed,
    )
    pairs = _record_parents(searcher)
    suggested = []
    for trial_id in range(len(allowed) + 2):
        config = searcher.get_config(trial_id=trial_id)
        if config is None:
            break
        suggested.append(tuple(sorted(config.items())))
        searcher.on_trial_result(trial_id, config, {"loss": config["b"] + config["c"]}, update=True)
    assert set(suggested) <= keys and len(suggested) == len(set(suggested)) == len(allowed)
    assert searcher.get_config(trial_id=99) is None
    one_away = 0
    for parent, child in pairs:
        if child is not None:
            diff = _diff_keys(child, parent, RESTRICT_SPACE)
            assert diff
            one_away += len(diff) == 1
    assert one_away > 0


def test_restricted_falls_back_to_the_nearest_unused_configuration():
    parent = {"a": "p", "b": 1, "c": 0.0}
    far = {"a": "r", "b": 3, "c": 1.0}
    near = {"a": "q", "b": 2, "c": 0.0}  # two values differ, closest in the encoded space
    searcher = RegularizedEvolution(
        RESTRICT_SPACE, metric="loss", population_size=1, sample_size=1, random_seed=0,
        points_to_evaluate=[], restrict_configurations=[parent, far, near],
    )
    searcher._restrict_unused.remove(0)  # the parent was used
    searcher.on_trial_result(0, parent, {"loss": 1.0}, update=True)
    assert searcher.get_config(trial_id=1) == near
    assert searcher.get_config(trial_id=2) == far
    assert searcher.get_config(trial_id=3) is None


def test_restricted_prefers_one_value_changes():
    parent = {"a": "p", "b": 1, "c": 0.0}
    one_away = [{"a": "r", "b": 1, "c": 0.0}, {"a": "p", "b": 3, "c": 0.0}]
    near = {"a": "p", "b": 2, "c": 0.5}
    for seed in range(6):
        searcher = RegularizedEvolution(
            RESTRICT_SPACE, metric="loss", population_size=1, sample_size=1, random_seed=seed,
            points_to_evaluate=[], restrict_configurations=[near] + one_away,
        )
        searcher.on_trial_result(0, parent, {"loss": 1.0}, update=True)
        assert searcher.get_config(trial_id=1) in one_away


# -- state, arguments, schedulers -----------------------------------------------------
def test_clone_continues_with_the_same_population_and_suggestions():
    configs, values = _hand_made_population()
    searcher = _searcher(population_size=4, sample_size=2)
    _feed(searcher, zip(configs, values))
    clone = searcher.clone_from_state(copy.deepcopy(searcher.get_state()))
    twin = _searcher(population_size=4, sample_size=2)
    _feed(twin, zip(configs, values))
    assert [twin.get_config(trial_id=t) for t in range(20, 30)] == [clone.get_config(trial_id=t) for t in range(20, 30)]


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(population_size=0),
        dict(population_size=2.5),
        dict(sample_size=0),
        dict(population_size=3, sample_size=4),
        dict(mode=["min"]),
        dict(restrict_configurations=[]),
    ],
)
def test_bad_arguments_raise(kwargs):
    with pytest.raises(InvalidParameterError):
        _searcher(**kwargs)


def test_multi_fidelity_scheduler_is_refused():
    with pytest.raises(InvalidParameterError, match="single-fidelity"):
        HyperbandScheduler(SPACE, metric="loss", resource_attr="epoch", max_t=5, searcher="regularized_evolution")


def test_baseline_passes_population_and_sample_size():
    scheduler = REA(SPACE, metric="loss", population_size=7, sample_size=3, random_seed=0)
    assert isinstance(scheduler.searcher, RegularizedEvolution)
    assert (scheduler.searcher.population_size, scheduler.searcher.sample_size) == (7, 3)


class TestRegularizedEvolutionContract(SearcherContract):
    def make_searcher(self, config_space, metric, mode, random_seed, points_to_evaluate):
        return RegularizedEvolution(
            config_space, metric=metric, mode=mode, random_seed=random_seed,
            points_to_evaluate=points_to_evaluate, population_size=3, sample_size=2,
        )


class TestRegularizedEvolutionWithDuplicatesContract(SearcherContract):
    allow_duplicates = True

    def make_searcher(self, config_space, metric, mode, random_seed, points_to_evaluate):
        return RegularizedEvolution(
            config_space, metric=metric, mode=mode, random_seed=random_seed,
            points_to_evaluate=points_to_evaluate, population_size=3, sample_size=2, allow_duplicates=True,
        )


class TestREASchedulerContract(SchedulerContract):
    def make_scheduler(self, config_space, metric, mode, random_seed):
        return REA(config_space, metric=metric, mode=mode, random_seed=random_seed, population_size=5, sample_size=3)
