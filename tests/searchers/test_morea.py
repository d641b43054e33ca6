"""Multi-objective regularized evolution: parent selection by (rank,
crowding), one-value mutation, FIFO population, modes, contract suites."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest

from syne_tune.config_space import check_config_in_space, choice, ordinal, randint, uniform
from syne_tune.optimizer.schedulers.multiobjective import MultiObjectiveRegularizedEvolution
from syne_tune.testing.searcher import SearcherContract
from syne_tune.utils.validation import InvalidParameterError

# pytest puts this folder on sys.path (the test modules are not a package);
# the multi-objective adaptation of SchedulerContract, the toy problem and the
# parent recorder are written once there
from test_nsga2 import ZDT_SPACE, FIFOMultiObjectiveContract, _front_distance, _run
from test_regularized_evolution import _record_parents

INF = math.inf
SPACE = {
    "x": uniform(0.0, 1.0),
    "n": randint(1, 6),
    "act": choice(["relu", "tanh", "sigmoid"]),
    "o": ordinal([1, 2, 4, 8]),
    "epochs": 5,
}

# Hand-made population (both minimized):
#   m0 (1, 4), m1 (2, 2), m2 (4, 1): front 0; crowding inf, 2, inf
#     (m1: (4 - 1) / 3 in each objective);
#   m3 (3, 3), m4 (2.5, 5): front 1 (m3 is dominated by m1, m4 by m0); two
#     points: both inf;
#   m5 (5, 5): front 2, inf.
HAND = [(1.0, 4.0), (2.0, 2.0), (4.0, 1.0), (3.0, 3.0), (2.5, 5.0), (5.0, 5.0)]
RANKS = np.array([0, 0, 0, 1, 1, 2])
CROWDING = np.array([INF, 2.0, INF, INF, INF, INF])


def _expected_parent(sample) -> int:
    """Best of ``sample`` by hand: smallest rank, then largest crowding, then first drawn."""
    best = int(sample[0])
    for i in (int(j) for j in sample[1:]):
        if (RANKS[i], -CROWDING[i]) < (RANKS[best], -CROWDING[best]):
            best = i
    return best


def _searcher(**kwargs):
    kwargs.setdefault("points_to_evaluate", [])
    kwargs.setdefault("random_seed", 0)
    kwargs.setdefault("metric", ["f1", "f2"])
    return MultiObjectiveRegularizedEvolution(SPACE, **kwargs)


def _configs(n: int, seed: int = 42) -> list[dict]:
    return _searcher()._hp_ranges.random_configs(np.random.RandomState(seed), n)


def _feed(searcher, values, signs=(1.0, 1.0), first_trial_id=0):
    configs = _configs(len(values))
    for i, (c, v) in enumerate(zip(configs, values)):
        result = {"f1": signs[0] * v[0], "f2": signs[1] * v[1]}
        searcher.on_trial_result(first_trial_id + i, c, result, update=True)
    return configs


@pytest.mark.parametrize("mode", ["min", "max", ["max", "min"]])
@pytest.mark.parametrize("seed", range(6))
def test_parent_is_the_best_of_the_sample_by_rank_then_crowding(mode, seed):
    modes = [mode, mode] if isinstance(mode, str) else mode
    signs = tuple(-1.0 if m == "max" else 1.0 for m in modes)
    searcher = _searcher(population_size=6, sample_size=3, random_seed=seed, mode=mode)
    configs = _feed(searcher, HAND, signs=signs)
    pairs = _record_parents(searcher)
    rs = copy.deepcopy(searcher.random_state)
    sample = rs.choice(6, size=3, replace=False)
    searcher.get_config(trial_id=10)
    expected = configs[_expected_parent(sample)]
    assert pairs[0][0] == {k: expected[k] for k in pairs[0][0]}


def test_hand_made_samples():
    searcher = _searcher(population_size=6, sample_size=3)
    _feed(searcher, HAND)
    assert searcher._best_in_sample(np.array([3, 1, 5])) == 1  # rank 0 beats ranks 1, 2
    assert searcher._best_in_sample(np.array([1, 0, 3])) == 1  # same rank: inf crowding beats 2
    assert searcher._best_in_sample(np.array([2, 0, 1])) == 0  # inf tie: the first drawn
    assert searcher._best_in_sample(np.array([5, 4, 3])) == 1  # rank 1 beats 2; inf tie: first drawn


def test_full_sample_takes_a_pareto_extreme():
    searcher = _searcher(population_size=6, sample_size=6, random_seed=4)
    configs = _feed(searcher, HAND)
    pairs = _record_parents(searcher)
    for t in range(6, 16):
        searcher.get_config(trial_id=t)
    keys = list(pairs[0][0])
    extremes = [{k: configs[i][k] for k in keys} for i in (0, 2)]
    assert pairs and all(parent in extremes for parent, _ in pairs)


@pytest.mark.parametrize("seed", range(4))
def test_child_differs_from_its_parent_in_exactly_one_value(seed):
    searcher = _searcher(population_size=4, sample_size=2, random_seed=seed)
    pairs = _record_parents(searcher)
    for t in range(30):
        config = searcher.get_config(trial_id=t)
        check_config_in_space(SPACE, config)
        searcher.on_trial_result(t, config, {"f1": config["x"], "f2": float(config["n"])}, update=True)
    assert len(pairs) >= 20
    for parent, child in pairs:
        changed = [k for k in parent if SPACE[k].match_string(parent[k]) != SPACE[k].match_string(child[k])]
        assert len(changed) == 1


def test_population_is_fifo_and_updates_replace_in_place():
    searcher = _searcher(population_size=4, sample_size=2)
    configs = _feed(searcher, HAND)
    assert [m[0] for m in searcher.population] == [2, 3, 4, 5]  # the oldest die, not the worst
    assert [m[2] for m in searcher.population] == HAND[2:]
    searcher.on_trial_result(3, configs[3], {"f1": 0.0, "f2": 0.0}, update=True)
    assert [m[0] for m in searcher.population] == [2, 3, 4, 5] and searcher.population[1][2] == (0.0, 0.0)
    searcher.on_trial_result(9, configs[0], {"f1": 0.0, "f2": float("inf")}, update=True)  # ignored
    searcher.on_trial_result(9, configs[0], {"f1": 0.0, "f2": 1.0}, update=False)  # not final
    assert [m[0] for m in searcher.population] == [2, 3, 4, 5]
    with pytest.raises(ValueError, match="'f2'"):
        searcher.on_trial_result(9, configs[0], {"f1": 0.0}, update=True)
    searcher.remove_case(4)
    assert [m[0] for m in searcher.population] == [2, 3, 5]


def test_toy_problem_morea_beats_random_search():
    from syne_tune.optimizer.schedulers.searchers.random_grid_searcher import RandomSearcher

    morea, rand = [], []
    for seed in range(4):
        searcher = MultiObjectiveRegularizedEvolution(
            ZDT_SPACE, metric=["f1", "f2"], population_size=20, sample_size=5, random_seed=seed, points_to_evaluate=[]
        )
        morea.append(_front_distance(_run(searcher, 300, n_workers=4)))
        rand.append(_front_distance(_run(RandomSearcher(ZDT_SPACE, metric="f1", random_seed=seed,
                                                        points_to_evaluate=[]), 300)))
    assert np.mean(morea) < 0.5 * np.mean(rand), (morea, rand)


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"metric": "f1"}, "metric"),
        ({"metric": [""]}, "metric"),
        ({"mode": "maximize"}, "mode"),
        ({"mode": ["min"]}, "mode"),
        ({"population_size": 0}, "population_size"),
        ({"sample_size": 0}, "sample_size"),
        ({"population_size": 5, "sample_size": 6}, "sample_size"),
        ({"random_seed": "1"}, "random_seed"),
    ],
)
def test_bad_arguments_raise_naming_the_parameter(kwargs, name):
    with pytest.raises(InvalidParameterError, match=name):
        _searcher(**kwargs)


class TestMOREASearcherContract(SearcherContract):
    metric = ["loss", "size"]

    def result(self, config):
        return {"loss": self.objective(config), "size": -len(str(sorted(config.items())))}

    def make_searcher(self, config_space, metric, mode, random_seed, points_to_evaluate):
        return MultiObjectiveRegularizedEvolution(
            config_space, metric=metric, mode=mode, random_seed=random_seed,
            points_to_evaluate=points_to_evaluate, population_size=3, sample_size=2,
        )


class TestMOREASchedulerContract(FIFOMultiObjectiveContract):
    def make_searcher(self, config_space, metric, mode, random_seed):
        return MultiObjectiveRegularizedEvolution(
            config_space, metric=metric, mode=mode, random_seed=random_seed, population_size=5, sample_size=3
        )


def test_morea_baseline_passes_population_and_sample_size():
    from syne_tune.optimizer.baselines import MOREA

    space = {"x": uniform(0, 1), "n": randint(1, 4)}
    scheduler = MOREA(space, metric=["f1", "f2"], population_size=8, sample_size=3, random_seed=1)
    assert isinstance(scheduler.searcher, MultiObjectiveRegularizedEvolution)
    assert (scheduler.searcher.population_size, scheduler.searcher.sample_size) == (8, 3)


class TestMOREABaselineContract(FIFOMultiObjectiveContract):
    def make_scheduler(self, config_space, metric, mode, random_seed):
        from syne_tune.optimizer.baselines import MOREA

        return MOREA(
            config_space, metric=metric, mode=mode, population_size=6, sample_size=3,
            random_seed=random_seed,
        )
