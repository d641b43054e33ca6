"""NSGA-II searcher: crowded comparison, tournament, elitist survival,
operators, restricted configurations, a toy-problem run, contract suites."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syne_tune.config_space import (
    Domain,
    check_config_in_space,
    choice,
    finrange,
    logfinrange,
    logordinal,
    lograndint,
    loguniform,
    ordinal,
    qrandint,
    quniform,
    randint,
    reverseloguniform,
    uniform,
)
from syne_tune.optimizer.schedulers import FIFOScheduler
from syne_tune.optimizer.schedulers.hyperband import HyperbandScheduler
from syne_tune.optimizer.schedulers.multiobjective import NSGA2Searcher, pareto_mask
from syne_tune.optimizer.schedulers.multiobjective.nsga2_searcher import (
    crowded_order,
    crowded_tournament,
    polynomial_mutation,
    rank_and_crowding,
    sbx_crossover,
)
from syne_tune.optimizer.schedulers.searchers.random_grid_searcher import RandomSearcher
from syne_tune.testing.scheduler import MultiObjectiveSchedulerContract
from syne_tune.testing.searcher import SearcherContract
from syne_tune.utils.validation import InvalidParameterError

INF = math.inf
SPACE = {"x": uniform(0.0, 1.0), "n": randint(1, 6), "act": choice(["relu", "tanh", "sigmoid"]), "epochs": 5}


def _searcher(space=SPACE, **kwargs):
    kwargs.setdefault("points_to_evaluate", [])
    kwargs.setdefault("random_seed", 0)
    kwargs.setdefault("metric", ["f1", "f2"])
    return NSGA2Searcher(space, **kwargs)


def _feed(searcher, values, first_trial_id=0, signs=(1.0, 1.0)):
    """Report ``values`` (tuples) for random configurations of the space."""
    rs = np.random.RandomState(first_trial_id)
    for i, v in enumerate(values):
        config = searcher._hp_ranges.random_config(rs)
        result = {"f1": signs[0] * v[0], "f2": signs[1] * v[1]}
        searcher.on_trial_result(first_trial_id + i, config, result, update=True)


# -- crowded comparison and tournament ---------------------------------------------------
# Hand-made population (both minimized): A, B, C form front 0, D (dominated by
# B) front 1. Crowding in front 0: A and C extreme (inf); B: (4 - 1) / 3 in
# each objective = 2. D is alone in its front: inf.
HAND = [(1.0, 4.0), (2.0, 2.0), (4.0, 1.0), (3.0, 3.0)]
HAND_RANKS = [0, 0, 0, 1]
HAND_CROWDING = [INF, 2.0, INF, INF]
# winner of each pair (first drawn, second drawn): lower rank, then larger
# crowding, then the first drawn
HAND_WINNER = {
    (0, 1): 0, (1, 0): 0, (0, 2): 0, (2, 0): 2, (0, 3): 0, (3, 0): 0,
    (1, 2): 2, (2, 1): 2, (1, 3): 1, (3, 1): 1, (2, 3): 2, (3, 2): 2,
}


def test_rank_and_crowding_on_hand_made_data():
    ranks, crowding = rank_and_crowding(np.array(HAND))
    assert ranks.tolist() == HAND_RANKS
    assert crowding.tolist() == HAND_CROWDING
    # rank first (A, C, B: crowding inf, inf, 2), then D of rank 1
    assert crowded_order(np.array(HAND)).tolist() == [0, 2, 1, 3]


def test_crowded_tournament_on_hand_made_data():
    ranks, crowding = np.array(HAND_RANKS), np.array(HAND_CROWDING)
    for (i, j), winner in HAND_WINNER.items():
        assert [i, j][crowded_tournament(ranks, crowding, [i, j])] == winner


@pytest.mark.parametrize("mode", ["min", "max"])
@pytest.mark.parametrize("seed", range(5))
def test_tournament_picks_lower_rank_then_larger_crowding(mode, seed):
    searcher = _searcher(population_size=4, random_seed=seed, mode=mode)
    sign = -1.0 if mode == "max" else 1.0
    _feed(searcher, HAND, signs=(sign, sign))
    # survival keeps all four, in crowded order
    ids = [m[0] for m in searcher.population]
    assert searcher.num_generations == 1 and ids == [0, 2, 1, 3]
    ranks, crowding = rank_and_crowding(searcher._signed(searcher._population))
    assert ranks.tolist() == [HAND_RANKS[t] for t in ids] and crowding.tolist() == [HAND_CROWDING[t] for t in ids]
    rs = copy.deepcopy(searcher.random_state)
    for _ in range(20):
        i, j = rs.choice(4, size=2, replace=False)
        assert ids[searcher._tournament(ranks, crowding)] == HAND_WINNER[(ids[i], ids[j])]


# -- survival and generations -----------------------------------------------------------------
# population_size 3. First generation: P = p0 (1, 5), p1 (2, 4), p2 (6, 6).
# Offspring o0 (5, 1), o1 (3, 2), o2 (7, 7). Union fronts: {p0, p1, o0, o1},
# {p2}, {o2}. Crowding in front 0 (ranges 4 and 4): p0, o0 inf;
# p1 = (3 - 1)/4 + (5 - 2)/4 = 1.25; o1 = (5 - 2)/4 + (4 - 1)/4 = 1.5.
# Survivors: p0, o0 (inf, by union position), then o1 (1.5); p1 is dropped
# although it is Pareto-optimal, and so are p2 and o2.
FIRST = [(1.0, 5.0), (2.0, 4.0), (6.0, 6.0)]
OFFSPRING = [(5.0, 1.0), (3.0, 2.0), (7.0, 7.0)]


@pytest.mark.parametrize("mode", ["min", "max", ["max", "min"]])
def test_survival_keeps_the_best_by_rank_and_crowding(mode):
    modes = [mode, mode] if isinstance(mode, str) else mode
    signs = tuple(-1.0 if m == "max" else 1.0 for m in modes)
    searcher = _searcher(population_size=3, mode=mode)
    _feed(searcher, FIRST, signs=signs)
    assert searcher.num_generations == 1
    assert [m[0] for m in searcher.population] == [0, 1, 2]
    _feed(searcher, OFFSPRING[:2], first_trial_id=3, signs=signs)
    assert searcher.num_generations == 1 and [m[0] for m in searcher.offspring] == [3, 4]
    _feed(searcher, OFFSPRING[2:], first_trial_id=5, signs=signs)
    assert searcher.num_generations == 2
    assert [m[0] for m in searcher.population] == [0, 3, 4]
    assert searcher.offspring == []
    # raw (unsigned) values are kept
    assert searcher.population[1][2] == (signs[0] * 5.0, signs[1] * 1.0)


def test_late_results_join_the_next_generation_and_updates_replace_in_place():
    searcher = _searcher(population_size=3)
    _feed(searcher, FIRST)
    config = searcher.population[0][1]
    searcher.on_trial_result(0, config, {"f1": 0.5, "f2": 0.5}, update=True)  # in place
    assert searcher.population[0][2] == (0.5, 0.5) and searcher.offspring == []
    searcher.on_trial_result(10, config, {"f1": 9.0, "f2": 9.0}, update=True)
    searcher.on_trial_result(10, config, {"f1": 8.0, "f2": 8.0}, update=True)
    assert searcher.offspring == [(10, config, (8.0, 8.0))]
    searcher.on_trial_result(11, config, {"f1": 0.1, "f2": 0.1}, update=False)  # not final
    searcher.on_trial_result(12, config, {"f1": float("nan"), "f2": 0.1}, update=True)  # ignored
    assert len(searcher.offspring) == 1
    searcher.remove_case(10)
    searcher.remove_case(1)
    assert searcher.offspring == [] and [m[0] for m in searcher.population] == [0, 2]
    with pytest.raises(ValueError, match="'f2'"):
        searcher.on_trial_result(13, config, {"f1": 1.0}, update=True)


def test_random_until_the_first_generation_then_offspring():
    searcher = _searcher(population_size=4, points_to_evaluate=[{"x": 0.25}])
    calls = []
    original = searcher._make_offspring
    searcher._make_offspring = lambda a, b: calls.append((a, b)) or original(a, b)
    configs = [searcher.get_config(trial_id=t) for t in range(6)]  # no result yet: all random
    assert configs[0]["x"] == 0.25 and calls == []
    for t, c in enumerate(configs[:4]):
        searcher.on_trial_result(t, c, {"f1": c["x"], "f2": 1 - c["x"]}, update=True)
    assert searcher.num_generations == 1
    for t in range(6, 10):
        check_config_in_space(SPACE, searcher.get_config(trial_id=t))
    assert len(calls) >= 4
    parents = [c for pair in calls for c in pair]
    population = [m[1] for m in searcher.population]
    assert all(p in population for p in parents)


# -- operators ----------------------------------------------------------------------------------
@settings(max_examples=200, deadline=None)
@given(
    a=st.lists(st.floats(0.0, 1.0), min_size=1, max_size=6),
    seed=st.integers(0, 2**31 - 2),
    eta=st.sampled_from([0.0, 1.0, 15.0, 100.0]),
)
def test_sbx_and_polynomial_mutation_stay_in_the_unit_cube(a, seed, eta):
    rs = np.random.RandomState(seed)
    x = np.array(a)
    y = rs.permutation(x)
    child = sbx_crossover(x, y, eta, rs)
    assert child.shape == x.shape and np.all((child >= 0) & (child <= 1)) and np.all(np.isfinite(child))
    mutated = polynomial_mutation(child, 1.0, eta, rs)
    assert np.all((mutated >= 0) & (mutated <= 1)) and np.all(np.isfinite(mutated))
    assert np.array_equal(polynomial_mutation(child, 0.0, eta, rs), child)


def test_sbx_child_lies_around_the_parents():
    rs = np.random.RandomState(0)
    a, b = np.full(4000, 0.4), np.full(4000, 0.6)
    children = sbx_crossover(a, b, 15.0, rs)
    crossed = children != 0.4
    assert 0.4 < crossed.mean() < 0.6  # each coordinate crossed with probability 1/2
    c = children[crossed]
    # concentrated near the parents, symmetric around their mean, reaching past them
    assert abs(np.mean(c) - 0.5) < 0.01 and np.mean(np.abs(c - 0.4) < 0.05) + np.mean(np.abs(c - 0.6) < 0.05) > 0.8
    assert np.any(c < 0.4) and np.any(c > 0.6)


_DOMAINS = {
    "uniform": lambda: uniform(-2.0, 3.0),
    "loguniform": lambda: loguniform(1e-3, 1.0),
    "reverseloguniform": lambda: reverseloguniform(0.1, 0.999),
    "quniform": lambda: quniform(0.0, 1.0, 0.25),
    "randint": lambda: randint(0, 3),
    "lograndint": lambda: lograndint(1, 100),
    "qrandint": lambda: qrandint(0, 20, 5),
    "choice2": lambda: choice(["a", "b"]),
    "choice4": lambda: choice(["w", "x", "y", "z"]),
    "intchoice": lambda: choice([3, 1, 2]),
    "ordinal": lambda: ordinal([1, 2, 4, 8]),
    "logordinal": lambda: logordinal([1, 10, 100]),
    "finrange": lambda: finrange(0.0, 1.0, 5),
    "logfinrange": lambda: logfinrange(1e-2, 1.0, 3),
    "single": lambda: choice(["only"]),
    "narrow": lambda: randint(4, 4),
    "constant": lambda: 7,
}


@st.composite
def _spaces(draw):
    names = draw(st.lists(st.sampled_from(sorted(_DOMAINS)), min_size=1, max_size=6))
    return {f"h{i}": _DOMAINS[name]() for i, name in enumerate(names)}


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    space=_spaces(),
    seed=st.integers(0, 2**31 - 2),
    p_cross=st.sampled_from([0.0, 0.9, 1.0]),
    p_mut=st.sampled_from([None, 0.5, 1.0]),
)
def test_offspring_stay_in_every_domain(space, seed, p_cross, p_mut):
    searcher = NSGA2Searcher(
        space, metric=["f1", "f2"], population_size=3, random_seed=seed, points_to_evaluate=[],
        crossover_probability=p_cross, mutation_probability=p_mut,
    )
    rs = np.random.RandomState(seed)
    for _ in range(10):
        first, second = searcher._hp_ranges.random_configs(rs, 2)
        child = searcher._make_offspring(first, second)
        full = searcher._with_constants(child)
        check_config_in_space(space, full)
        for name, domain in space.items():
            if isinstance(domain, Domain):
                assert type(full[name]) is domain.value_type, (name, full[name])
    # and a short run: every suggestion in the space
    for trial_id in range(12):
        config = searcher.get_config(trial_id=trial_id)
        if config is None:
            break
        check_config_in_space(space, config)
        searcher.on_trial_result(trial_id, config, {"f1": float(trial_id % 3), "f2": float(trial_id % 4)}, True)


def test_categorical_mutation_resets_to_a_different_value_and_crossover_mixes_parents():
    space = {"c": choice(["a", "b", "c", "d"]), "x": uniform(0.0, 1.0)}
    searcher = NSGA2Searcher(space, metric=["f1", "f2"], points_to_evaluate=[], random_seed=1,
                             crossover_probability=0.0, mutation_probability=1.0)
    children = [searcher._make_offspring({"c": "a", "x": 0.5}, {"c": "b", "x": 0.5}) for _ in range(200)]
    assert {c["c"] for c in children} == {"b", "c", "d"}
    searcher = NSGA2Searcher(space, metric=["f1", "f2"], points_to_evaluate=[], random_seed=1,
                             crossover_probability=1.0, mutation_probability=0.0)
    children = [searcher._make_offspring({"c": "a", "x": 0.2}, {"c": "b", "x": 0.8}) for _ in range(200)]
    share = np.mean([c["c"] == "b" for c in children])
    assert 0.35 < share < 0.65


# -- restricted configurations ------------------------------------------------------------------
RESTRICT_SPACE = {"a": choice(["p", "q", "r"]), "b": randint(1, 3), "c": finrange(0.0, 1.0, 3)}
GRID = [{"a": a, "b": b, "c": c} for a in ["p", "q", "r"] for b in [1, 2, 3] for c in [0.0, 0.5, 1.0]]


def test_restricted_offspring_are_the_nearest_unused_configurations():
    allowed = GRID[::2]
    searcher = NSGA2Searcher(RESTRICT_SPACE, metric=["f1", "f2"], population_size=3, random_seed=0,
                             points_to_evaluate=[], restrict_configurations=allowed)
    keys = set()
    for trial_id in range(len(allowed)):
        config = searcher.get_config(trial_id=trial_id)
        key = tuple(sorted(config.items()))
        assert config in allowed and key not in keys
        keys.add(key)
        searcher.on_trial_result(trial_id, config, {"f1": config["b"], "f2": -config["b"]}, update=True)
    assert searcher.get_config(trial_id=99) is None
    # the mapping itself: nearest in the encoding among the unused ones
    searcher = NSGA2Searcher(RESTRICT_SPACE, metric=["f1", "f2"], random_seed=0, points_to_evaluate=[],
                             restrict_configurations=allowed)
    target = {"a": "p", "b": 2, "c": 0.5}  # not in the list (odd position)
    hp = searcher._hp_ranges
    X = hp.to_ndarray_matrix(allowed)
    d = np.linalg.norm(X - hp.to_ndarray(target), axis=1)
    nearest = searcher._nearest_restricted(target)
    assert np.isclose(d[allowed.index(nearest)], d.min())
    again = searcher._nearest_restricted(target)
    assert again != nearest and np.isclose(d[allowed.index(again)], np.sort(d)[1])


# -- state, seeds, scheduler ------------------------------------------------------------------
def _zdt(config: dict) -> dict:
    """ZDT1 on three variables: the Pareto front is x2 = x3 = 0,
    f2 = 1 - sqrt(f1)."""
    f1 = config["x1"]
    g = 1.0 + 9.0 * (config["x2"] + config["x3"]) / 2.0
    return {"f1": f1, "f2": g * (1.0 - math.sqrt(f1 / g))}


ZDT_SPACE = {"x1": uniform(0.0, 1.0), "x2": uniform(0.0, 1.0), "x3": uniform(0.0, 1.0)}


def _run(searcher, budget: int, n_workers: int = 1) -> list[tuple[dict, dict]]:
    """Drive ``searcher`` on ZDT1 with ``n_workers`` trials in flight
    (results arrive in order of suggestion)."""
    pending, done = [], []
    for trial_id in range(budget):
        config = searcher.get_config(trial_id=trial_id)
        searcher.register_pending(trial_id, config=config)
        pending.append((trial_id, config))
        if len(pending) >= n_workers:
            t, c = pending.pop(0)
            result = _zdt(c)
            searcher.on_trial_result(t, c, result, update=True)
            done.append((c, result))
    return done


def _front_distance(done) -> float:
    """Mean distance to the true front of the non-dominated points found:
    g - 1 = 4.5 (x2 + x3)."""
    Y = np.array([[r["f1"], r["f2"]] for _, r in done])
    mask = pareto_mask(Y)
    return float(np.mean([4.5 * (c["x2"] + c["x3"]) for (c, _), m in zip(done, mask) if m]))


def test_toy_problem_nsga2_beats_random_search():
    budget = 300
    nsga, rand = [], []
    for seed in range(4):
        searcher = NSGA2Searcher(ZDT_SPACE, metric=["f1", "f2"], population_size=20, random_seed=seed,
                                 points_to_evaluate=[])
        nsga.append(_front_distance(_run(searcher, budget, n_workers=4)))
        rand.append(_front_distance(_run(RandomSearcher(ZDT_SPACE, metric="f1", random_seed=seed,
                                                        points_to_evaluate=[]), budget)))
    assert all(a < 0.5 * b for a, b in zip(nsga, rand)), (nsga, rand)


def test_clone_continues_with_the_same_population_and_suggestions():
    searcher = _searcher(population_size=4, random_seed=3)
    twin = _searcher(population_size=4, random_seed=3)
    for s in (searcher, twin):
        for t in range(9):
            c = s.get_config(trial_id=t)
            s.on_trial_result(t, c, {"f1": c["x"], "f2": c["n"]}, update=True)
    clone = searcher.clone_from_state(copy.deepcopy(searcher.get_state()))
    assert clone.population == twin.population and clone.offspring == twin.offspring
    assert clone.num_generations == twin.num_generations == 2
    assert [clone.get_config(trial_id=t) for t in range(9, 15)] == [twin.get_config(trial_id=t) for t in range(9, 15)]


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"population_size": 1}, "population_size"),
        ({"population_size": 2.5}, "population_size"),
        ({"crossover_probability": 1.5}, "crossover_probability"),
        ({"mutation_probability": -0.1}, "mutation_probability"),
        ({"crossover_eta": -1.0}, "crossover_eta"),
        ({"mutation_eta": "20"}, "mutation_eta"),
        ({"metric": "f1"}, "metric"),
        ({"metric": ["f1", ""]}, "metric"),
        ({"mode": ["min"]}, "mode"),
        ({"mode": ["min", "maximize"]}, "mode"),
        ({"allow_duplicates": "yes"}, "allow_duplicates"),
        ({"random_seed": -1}, "random_seed"),
    ],
)
def test_bad_arguments_raise_naming_the_parameter(kwargs, name):
    with pytest.raises(InvalidParameterError, match=name):
        _searcher(**kwargs)


def test_multi_fidelity_scheduler_is_refused():
    searcher = _searcher()
    with pytest.raises(InvalidParameterError, match="single-fidelity"):
        HyperbandScheduler(SPACE, searcher=searcher, metric="f1", resource_attr="epoch", max_t=5)


class TestNSGA2SearcherContract(SearcherContract):
    metric = ["loss", "size"]

    def result(self, config):
        return {"loss": self.objective(config), "size": -len(str(sorted(config.items())))}

    def make_searcher(self, config_space, metric, mode, random_seed, points_to_evaluate):
        return NSGA2Searcher(config_space, metric=metric, mode=mode, random_seed=random_seed,
                             points_to_evaluate=points_to_evaluate, population_size=3)


class TestNSGA2SearcherWithDuplicatesContract(TestNSGA2SearcherContract):
    allow_duplicates = True

    def make_searcher(self, config_space, metric, mode, random_seed, points_to_evaluate):
        return NSGA2Searcher(config_space, metric=metric, mode=mode, random_seed=random_seed,
                             points_to_evaluate=points_to_evaluate, population_size=3, allow_duplicates=True)


class FIFOMultiObjectiveContract(MultiObjectiveSchedulerContract):
    """The multi-objective scheduler contract for :class:`FIFOScheduler` with the
    searcher of :meth:`make_searcher`."""

    def make_searcher(self, config_space, metric, mode, random_seed):
        raise NotImplementedError

    def make_scheduler(self, config_space, metric, mode, random_seed):
        searcher = self.make_searcher(config_space, metric, mode, random_seed)
        return FIFOScheduler(config_space, searcher=searcher, metric=metric, mode=mode, random_seed=random_seed)


class TestNSGA2SchedulerContract(FIFOMultiObjectiveContract):
    def make_searcher(self, config_space, metric, mode, random_seed):
        return NSGA2Searcher(config_space, metric=metric, mode=mode, random_seed=random_seed, population_size=6)

    def test_generations_are_formed(self):
        driver = self._driver("min").run(self.num_results)
        assert driver.scheduler.searcher.num_generations >= 3


# -- the baselines -----------------------------------------------------------------


def test_nsga2_baseline_passes_population_size():
    from syne_tune.optimizer.baselines import NSGA2

    scheduler = NSGA2(SPACE, metric=["f1", "f2"], mode=["min", "max"], population_size=7, random_seed=1)
    assert isinstance(scheduler.searcher, NSGA2Searcher) and scheduler.searcher.population_size == 7
    assert scheduler.metric_names() == ["f1", "f2"] and scheduler.is_multiobjective_scheduler()


class TestNSGA2BaselineContract(MultiObjectiveSchedulerContract):
    def make_scheduler(self, config_space, metric, mode, random_seed):
        from syne_tune.optimizer.baselines import NSGA2

        return NSGA2(config_space, metric=metric, mode=mode, population_size=6, random_seed=random_seed)
