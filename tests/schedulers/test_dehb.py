"""DEHB: DE operators, subpopulations and selection, brackets, contract, simulated runs."""

from __future__ import annotations

import copy
import math
import pickle
from datetime import datetime

import numpy as np
import pytest

from sim_util import simulate
from syne_tune.config_space import choice, loguniform, randint, uniform
from syne_tune.optimizer.baselines import DEHB
from syne_tune.optimizer.scheduler import SchedulerDecision
from syne_tune.optimizer.schedulers.synchronous import (
    DifferentialEvolutionHyperbandScheduler,
    GeometricDifferentialEvolutionHyperbandScheduler,
    SynchronousGeometricHyperbandScheduler,
)
from syne_tune.optimizer.schedulers.synchronous.dehb import (
    EncodedRandomSearcher,
    binomial_crossover,
    child_wins,
    dehb_bracket_rungs,
    rand1_mutation,
    resample_out_of_bounds,
)
from syne_tune.optimizer.schedulers.synchronous.hyperband_impl import (
    SynchronousGeometricHyperbandScheduler as ReExported,
)
from syne_tune.testing.scheduler import SchedulerContract
from syne_tune.testing.searcher import SearcherContract
from syne_tune.trial import Trial
from syne_tune.utils.validation import InvalidParameterError

C, P, S = SchedulerDecision.CONTINUE, SchedulerDecision.PAUSE, SchedulerDecision.STOP
SPACE_2D = {"x": uniform(0.0, 1.0), "y": uniform(0.0, 1.0)}


def _hb(seed):
    return dict(resource_attr="epoch", max_resource_attr="epochs", random_seed=seed)


# -- DE operators, by hand ----------------------------------------------------------------
def test_rand1_mutation_by_hand():
    # v = x1 + F (x2 - x3) = (0.2, 0.6) + 0.5 * ((0.7, 0.3) - (0.5, 0.1)) = (0.3, 0.7)
    v = rand1_mutation(np.array([0.2, 0.6]), np.array([0.7, 0.3]), np.array([0.5, 0.1]), 0.5)
    np.testing.assert_allclose(v, [0.3, 0.7])
    # F = 1: (0.2, 0.6) + (0.2, 0.2)
    np.testing.assert_allclose(rand1_mutation([0.2, 0.6], [0.7, 0.3], [0.5, 0.1], 1.0), [0.4, 0.8])


def test_out_of_bounds_coordinates_are_resampled_uniformly():
    # (0.9, 0.1) + 0.5 * ((0.8, 0.0) - (0.2, 0.6)) = (1.2, -0.2): both outside [0, 1]
    v = rand1_mutation([0.9, 0.1], [0.8, 0.0], [0.2, 0.6], 0.5)
    np.testing.assert_allclose(v, [1.2, -0.2])
    # RandomState(0).uniform(size=2) = (0.5488135039273248, 0.7151893663724195)
    np.testing.assert_allclose(
        resample_out_of_bounds(v, np.random.RandomState(0)), [0.5488135039273248, 0.7151893663724195]
    )
    # only the violating coordinate is redrawn (one draw); in-bounds vectors draw nothing
    np.testing.assert_allclose(resample_out_of_bounds([1.2, 0.5], np.random.RandomState(0)), [0.5488135039273248, 0.5])
    rs = np.random.RandomState(0)
    np.testing.assert_allclose(resample_out_of_bounds([0.0, 1.0], rs), [0.0, 1.0])
    assert rs.uniform() == 0.5488135039273248  # state untouched


@pytest.mark.parametrize(
    "seed, expected",
    [
        # u = (0.549, 0.715): no block has u < 0.5; h_rand = 1 forces the second
        (0, [0.9, 0.7]),
        # u = (0.222, 0.871): first block by u, h_rand = 0 (the same one)
        (5, [0.3, 0.1]),
        # u = (0.417, 0.720): first block by u, h_rand = 1: both from the mutant
        (1, [0.3, 0.7]),
    ],
)
def test_binomial_crossover_by_hand(seed, expected):
    mutant, target = np.array([0.3, 0.7]), np.array([0.9, 0.1])
    child = binomial_crossover(mutant, target, 0.5, [(0, 1), (1, 2)], np.random.RandomState(seed))
    np.testing.assert_allclose(child, expected)


def test_crossover_extremes_and_one_hot_blocks():
    mutant, target = np.array([0.1, 0.2, 0.7, 0.4]), np.array([0.9, 0.0, 0.0, 1.0])
    blocks = [(0, 3), (3, 4)]  # one-hot categorical of 3, then a float
    for seed in range(20):
        rs = np.random.RandomState(seed)
        child = binomial_crossover(mutant, target, 0.5, blocks, rs)
        # the one-hot block comes whole from one parent
        assert np.array_equal(child[:3], mutant[:3]) or np.array_equal(child[:3], target[:3])
        # CR = 0: exactly the forced block h_rand comes from the mutant
        child0 = binomial_crossover(mutant, target, 0.0, blocks, np.random.RandomState(seed))
        from_mutant = [np.array_equal(child0[s:e], mutant[s:e]) for s, e in blocks]
        replay = np.random.RandomState(seed)
        replay.uniform(size=2)
        h_rand = replay.randint(2)
        assert from_mutant == [h == h_rand for h in range(2)]
    # CR = 1: the mutant
    np.testing.assert_allclose(binomial_crossover(mutant, target, 1.0, blocks, np.random.RandomState(0)), mutant)


def test_selection_is_mode_aware_ties_go_to_the_child_nan_loses():
    assert child_wins(0.1, 0.2, "min") and not child_wins(0.3, 0.2, "min")
    assert child_wins(0.3, 0.2, "max") and not child_wins(0.1, 0.2, "max")
    assert child_wins(0.2, 0.2, "min") and child_wins(0.2, 0.2, "max")
    assert not child_wins(math.nan, 0.2, "min") and child_wins(0.2, math.nan, "max")
    assert child_wins(math.nan, math.nan, "min")


# -- decoding -------------------------------------------------------------------------------
def test_decoding_of_categorical_integer_and_restricted_nearest():
    space = {"a": choice(["p", "q", "r"]), "b": choice(["u", "v"]), "n": randint(1, 5), "epochs": 9}
    searcher = EncodedRandomSearcher(space, metric="loss", points_to_evaluate=[], random_seed=0)
    # internal order a (one-hot, columns 0-2), b (index, column 3), n (column 4);
    # n: [0.5, 5.5] widened, 0.5 + 0.21 * 5 = 1.55 -> 2; b: index 0.7 * 1 -> 1 ('v')
    assert searcher._hp_ranges.internal_keys == ["a", "b", "n"]
    config, vector = searcher.config_for_encoded(np.array([0.2, 0.5, 0.1, 0.7, 0.21]))
    assert config == {"a": "q", "b": "v", "n": 2, "epochs": 9}
    np.testing.assert_allclose(vector, [0.2, 0.5, 0.1, 0.7, 0.21])  # the trial keeps its vector
    # 0.5 + 0.5 * 5 = 3.0 -> 3; arg-max of the one-hot block; b 0.2 -> 'u'
    assert searcher.config_for_encoded(np.array([0.9, 0.5, 0.1, 0.2, 0.5]))[0] == {"a": "p", "b": "u", "n": 3, "epochs": 9}
    # the same configuration again is a duplicate
    assert searcher.config_for_encoded(np.array([0.25, 0.5, 0.1, 0.7, 0.2])) is None

    # restrict_configurations: nearest unused configuration (brute-force distances)
    configs = [{"x": float(v), "y": float(w)} for v, w in np.random.RandomState(1).uniform(size=(40, 2))]
    searcher = EncodedRandomSearcher(SPACE_2D, metric="loss", points_to_evaluate=[], random_seed=0,
                                     restrict_configurations=configs)
    X = np.array([[c["x"], c["y"]] for c in configs])
    used = set()
    for query in np.random.RandomState(2).uniform(size=(40, 2)):
        order = [i for i in np.argsort(np.linalg.norm(X - query, axis=1)) if i not in used]
        config, vector = searcher.config_for_encoded(query)
        assert config == configs[order[0]]
        np.testing.assert_allclose(vector, X[order[0]])
        used.add(order[0])
    assert searcher.config_for_encoded(np.array([0.5, 0.5])) is None  # used up


# -- brackets -------------------------------------------------------------------------------
def test_geometric_brackets_have_the_levels_of_synchronous_hyperband():
    space = {"x": uniform(0, 1), "epochs": 81}
    dehb = GeometricDifferentialEvolutionHyperbandScheduler(space, metric="loss", max_resource_attr="epochs", random_seed=0)
    shb = SynchronousGeometricHyperbandScheduler(space, metric="loss", max_resource_attr="epochs", random_seed=0)
    assert ReExported is SynchronousGeometricHyperbandScheduler
    ours, theirs = dehb.bracket_manager.bracket_rungs, shb.bracket_manager.bracket_rungs
    assert ours[0] == theirs[0] == [(81, 1), (27, 3), (9, 9), (3, 27), (1, 81)]
    assert len(ours) == len(theirs) == 5
    assert [[lv for _, lv in r] for r in ours] == [[lv for _, lv in r] for r in theirs]
    # DEHB's rule: later brackets keep the first bracket's sizes (Hyperband's are 34, 12, 4, 2, ...)
    assert ours == [ours[0][b:] for b in range(5)]
    assert theirs[1] == [(34, 3), (12, 9), (4, 27), (2, 81)]
    # brackets=2, grace period 3
    dehb = GeometricDifferentialEvolutionHyperbandScheduler(
        space, metric="loss", max_resource_attr="epochs", grace_period=3, brackets=2, random_seed=0
    )
    assert dehb.bracket_manager.bracket_rungs == [[(27, 3), (9, 9), (3, 27), (1, 81)], [(9, 9), (3, 27), (1, 81)]]


def test_dehb_bracket_rungs_and_cycle():
    rungs = [(9, 1), (3, 3), (1, 9)]
    assert dehb_bracket_rungs(rungs) == [rungs, rungs[1:], rungs[2:]]
    assert dehb_bracket_rungs(rungs, 1) == [rungs]
    assert dehb_bracket_rungs(rungs, 7) == dehb_bracket_rungs(rungs)
    sched = DifferentialEvolutionHyperbandScheduler(
        SPACE_2D, rungs_first_bracket=rungs, num_brackets_per_iteration=2, metric="loss", random_seed=0
    )
    manager = sched.bracket_manager
    for _ in range(3):
        manager._new_bracket()
    assert manager._offsets == [0, 1, 0, 1]
    # the first iteration (one bracket per offset) promotes, as in the paper
    assert [b.promote for b in manager.brackets] == [True, True, False, False]
    assert [manager.in_first_iteration(i) for i in range(4)] == [True, True, False, False]


# -- the scheduler, driven by hand -------------------------------------------------------------
def _report(sched, tid, config, epoch, value):
    return sched.on_trial_result(Trial(tid, config, datetime(2024, 1, 1)), {"loss": value, "epoch": epoch})


def _run_first_bracket(mode):
    """Rungs [(4, 1), (2, 2)], one bracket per iteration; loss at level 1 is x, at level 2 is x / 2."""
    sched = DifferentialEvolutionHyperbandScheduler(
        SPACE_2D, rungs_first_bracket=[(4, 1), (2, 2)], num_brackets_per_iteration=1, metric="loss",
        mode=mode, random_seed=3, points_to_evaluate=[],
    )
    configs = {}
    for tid in range(4):
        sug = sched.suggest(tid)
        assert sug.spawn_new_trial_id and sug.checkpoint_trial_id is None
        configs[tid] = sug.config
    for tid in range(4):
        assert _report(sched, tid, configs[tid], 1, configs[tid]["x"]) == P
    sign = 1 if mode == "min" else -1
    top = sorted(range(4), key=lambda t: sign * configs[t]["x"])[:2]
    for _ in range(2):
        sug = sched.suggest(99)
        assert not sug.spawn_new_trial_id  # pause and resume in the first bracket
        assert sug.checkpoint_trial_id in top
        # last level, no max_resource_attr: the trial ends by itself
        assert _report(sched, sug.checkpoint_trial_id, configs[sug.checkpoint_trial_id], 2,
                       configs[sug.checkpoint_trial_id]["x"] / 2) == C
    assert sched.bracket_manager.brackets[0].is_bracket_complete()
    assert sched._population == {1: [0, 1, 2, 3], 2: top}
    return sched, configs


@pytest.mark.parametrize("mode", ["min", "max"])
def test_de_child_and_selection_follow_the_formulas(mode):
    sched, configs = _run_first_bracket(mode)
    X = {t: np.array([configs[t]["x"], configs[t]["y"]]) for t in range(4)}
    np.testing.assert_allclose(sched._encoded[0], X[0])
    # slot 0 of the lowest rung of bracket 1: pool P_1 = trials 0..3, target P_1[0] = trial 0
    rs = copy.deepcopy(sched.searcher.random_state)
    sug = sched.suggest(4)
    r1, r2, r3 = rs.choice(4, 3, replace=False)
    v = X[r1] + 0.5 * (X[r2] - X[r3])
    bad = (v < 0) | (v > 1)
    if bad.any():
        v[bad] = rs.uniform(size=int(bad.sum()))
    u = rs.uniform(size=2)
    take = u < 0.5
    take[rs.randint(2)] = True
    child = np.where(take, v, X[0])
    assert sug.spawn_new_trial_id
    np.testing.assert_allclose([sug.config["x"], sug.config["y"]], child)
    configs[4] = sug.config
    # selection against the target (trial 0, result x_0 at level 1)
    sign = 1 if mode == "min" else -1
    worse = configs[0]["x"] + sign * 0.5
    assert _report(sched, 4, configs[4], 1, worse) == S  # trials after the first bracket never pause
    assert sched._population[1][0] == 0
    sug = sched.suggest(5)
    configs[5] = sug.config
    _report(sched, 5, configs[5], 1, configs[1]["x"])  # tie with the target: the child wins
    assert sched._population[1][1] == 5
    for tid in (6, 7):
        configs[tid] = sched.suggest(tid).config
        _report(sched, tid, configs[tid], 1, -sign * 10.0)  # better than anything
    assert sched._population[1][2:] == [6, 7]
    # the next rung's parent pool is the top 2 of the winners 0, 5, 6, 7: trials 6 and 7, plus
    # the global pool of level 2 (the first bracket's two trials, in order of arrival)
    bracket = sched.bracket_manager.brackets[1]
    assert sorted(bracket.top_of_previous_rung) == [6, 7]
    sug = sched.suggest(8)
    assert sug.spawn_new_trial_id and bracket.current_rung == 1
    assert sched._parent_pool(bracket, sched._pending[8][1]) == [6, 7] + sched._population[2]


def test_first_iteration_promotes_in_every_bracket():
    """Rungs [(4, 1), (2, 2), (1, 4)], two brackets per iteration: bracket 1
    (rungs [(2, 2), (1, 4)]) still belongs to the first iteration, so its
    lowest rung gets DE children and its next rung the promoted (resumed) best
    of them; bracket 2 opens the second iteration, whose higher rungs get new
    trials (DE children)."""
    sched = DifferentialEvolutionHyperbandScheduler(
        SPACE_2D, rungs_first_bracket=[(4, 1), (2, 2), (1, 4)], num_brackets_per_iteration=2, metric="loss",
        random_seed=1, points_to_evaluate=[],
    )
    configs, loss = {}, lambda c, r: c["x"] + c["y"] / r

    def start(tid):
        sug = sched.suggest(tid)
        assert sug.spawn_new_trial_id
        configs[tid] = sug.config
        return sug

    def finish_level(tid, level, expected):
        assert _report(sched, tid, configs[tid], level, loss(configs[tid], level)) == expected

    # bracket 0: 4 trials at level 1, the best 2 resumed to level 2, the best of those to 4
    for tid in range(4):
        start(tid)
        finish_level(tid, 1, P)
    for _ in range(2):
        sug = sched.suggest(99)
        assert not sug.spawn_new_trial_id
        finish_level(sug.checkpoint_trial_id, 2, P)
    sug = sched.suggest(99)
    assert not sug.spawn_new_trial_id
    finish_level(sug.checkpoint_trial_id, 4, C)
    assert sched.bracket_manager.brackets[0].is_bracket_complete()
    # bracket 1 (first iteration): its lowest rung (level 2) gets DE children of P_2 ...
    for tid in (4, 5):
        start(tid)
        assert sched._pending[tid][0] == 1
        finish_level(tid, 2, P)  # paused: this bracket promotes
    # ... and its top rung the better of them, resumed, not a new trial
    best = min((4, 5), key=lambda t: loss(configs[t], 2))
    sug = sched.suggest(99)
    assert not sug.spawn_new_trial_id and sug.checkpoint_trial_id == best
    finish_level(best, 4, C)
    # the subpopulation of level 2 went through selection all the same
    assert all(t is not None for t in sched._population[2])
    # bracket 2 opens the second iteration: new trials only, never paused
    for tid in range(6, 10):
        start(tid)
        assert sched._pending[tid][0] == 2
        finish_level(tid, 1, S)
    for tid in (10, 11):
        start(tid)
        finish_level(tid, 2, S)


def test_searcher_random_and_no_pause_resume():
    sched = DifferentialEvolutionHyperbandScheduler(
        SPACE_2D, rungs_first_bracket=[(4, 1), (2, 2)], num_brackets_per_iteration=1, metric="loss",
        random_seed=3, points_to_evaluate=[{"x": 0.25, "y": 0.75}], searcher="random", support_pause_resume=False,
    )
    suggestions = [sched.suggest(t) for t in range(4)]
    assert suggestions[0].config == {"x": 0.25, "y": 0.75}  # points_to_evaluate first
    for t, sug in enumerate(suggestions):
        assert _report(sched, t, sug.config, 1, sug.config["x"]) == S
    top = sorted(range(4), key=lambda t: suggestions[t].config["x"])[:2]
    promoted = [sched.suggest(4), sched.suggest(5)]
    # promotions are new trials with the configurations of the top trials
    assert all(s.spawn_new_trial_id and s.checkpoint_trial_id is None for s in promoted)
    assert [s.config for s in promoted] == [suggestions[t].config for t in top]
    assert sched.trials_checkpoints_can_be_removed() == []


def test_failed_child_loses_and_pickled_scheduler_continues_identically():
    sched, configs = _run_first_bracket("min")
    sug = sched.suggest(4)
    sched.on_trial_error(Trial(4, sug.config, datetime(2024, 1, 1)))
    assert sched._population[1][0] == 0
    copy_ = pickle.loads(pickle.dumps(sched))
    a = [sched.suggest(t).config for t in range(5, 8)]
    b = [copy_.suggest(t).config for t in range(5, 8)]
    assert a == b


# -- arguments ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "kwargs, name",
    [
        (dict(mutation_factor=0.0), "mutation_factor"),
        (dict(mutation_factor=1.5), "mutation_factor"),
        (dict(crossover_probability=-0.1), "crossover_probability"),
        (dict(crossover_probability=1.5), "crossover_probability"),
        (dict(support_pause_resume="yes"), "support_pause_resume"),
        (dict(searcher="bayesopt"), "searcher"),
        (dict(search_options={"restrict_configuration": []}), "search_options"),
        (dict(num_brackets_per_iteration=0), "num_brackets_per_iteration"),
        (dict(rungs_first_bracket=[(1, 1), (3, 3)]), "rungs_first_bracket"),
        (dict(rungs_first_bracket=None), "rungs_first_bracket"),
        (dict(mode="maximize"), "mode"),
        (dict(metric=None), "metric"),
        (dict(random_seed=-1), "random_seed"),
    ],
)
def test_bad_arguments_raise_naming_the_parameter(kwargs, name):
    args = dict(rungs_first_bracket=[(3, 1), (1, 3)], metric="loss")
    args.update(kwargs)
    with pytest.raises(InvalidParameterError, match=f"'{name}'"):
        DifferentialEvolutionHyperbandScheduler(SPACE_2D, **args)


def test_geometric_and_baseline_argument_errors():
    space = dict(SPACE_2D, epochs=9)
    with pytest.raises(InvalidParameterError, match="'grace_period'"):
        GeometricDifferentialEvolutionHyperbandScheduler(space, metric="loss", grace_period=0, max_resource_attr="epochs")
    with pytest.raises(InvalidParameterError, match="'reduction_factor'"):
        DEHB(space, metric="loss", resource_attr="epoch", max_resource_attr="epochs", reduction_factor=1)
    with pytest.raises(InvalidParameterError, match="rungs_first_bracket"):
        GeometricDifferentialEvolutionHyperbandScheduler(space, metric="loss", rungs_first_bracket=[(1, 9)])
    with pytest.raises(InvalidParameterError, match="'searcher'"):
        DEHB(space, metric="loss", resource_attr="epoch", max_resource_attr="epochs", searcher="random")
    with pytest.raises(ValueError, match="max_resource_level"):
        DEHB(space, metric="loss", resource_attr="epoch")
    with pytest.raises(InvalidParameterError, match="'mutation_factor'"):
        DEHB(space, metric="loss", resource_attr="epoch", max_t=9, mutation_factor=2.0)


def test_benchmark_runner_call():
    space = {"x": uniform(0, 1), "lr": loguniform(1e-4, 1e-1), "act": choice(["a", "b", "c"]), "epochs": 9}
    rs = np.random.RandomState(0)
    configs = [{"x": float(rs.uniform()), "lr": float(10 ** rs.uniform(-4, -1)), "act": str(rs.choice(["a", "b", "c"]))}
               for _ in range(60)]
    sched = DEHB(
        space, search_options={"restrict_configurations": configs}, points_to_evaluate=[], resource_attr="epoch",
        max_resource_attr="epochs", metric="loss", mode="max", random_seed=4,
    )
    result = simulate(sched, max_epochs=9, max_results=150, max_resource_attr="epochs", metric="loss", mode="max")
    started = [{k: c[k] for k in ("x", "lr", "act")} for c in (sched._configs[t] for t in sched._configs)]
    assert result.num_started == len(started) > 10
    keys = {tuple(sorted(c.items())) for c in configs}
    # every trial runs a restricted configuration, none twice (promotions resume, they do not start)
    assert all(tuple(sorted(c.items())) in keys for c in started)
    assert len({tuple(sorted(c.items())) for c in started}) == len(started)
    assert json_safe(sched.metadata())


def json_safe(meta):
    import json

    return json.loads(json.dumps(meta))


# -- simulated runs -------------------------------------------------------------------------------
def _dehb(seed, **kw):
    space = {"x": uniform(0, 1), "lr": loguniform(1e-4, 1e-1), "n": randint(1, 4), "act": choice(["a", "b", "c"]), "epochs": 9}
    return DEHB(space, metric="y", resource_attr="epoch", max_resource_attr="epochs", random_seed=seed, **kw)


def test_simulated_run_completes_and_is_deterministic():
    a = simulate(_dehb(11), max_epochs=9, max_results=400, max_resource_attr="epochs")
    b = simulate(_dehb(11), max_epochs=9, max_results=400, max_resource_attr="epochs")
    c = simulate(_dehb(12), max_epochs=9, max_results=400, max_resource_attr="epochs")
    assert a.decisions == b.decisions and a.trials == b.trials
    assert a.decisions != c.decisions
    assert a.num_results == 400 and a.num_started > 50
    assert a.num_resumed > 0  # first bracket only
    # the best final value is close to the optimum (x = 0.3: loss ~ exp(-1.6 * 9) ~ 0)
    assert a.best < 0.02


def test_later_brackets_run_new_trials():
    sched = _dehb(5)
    simulate(sched, max_epochs=9, max_results=600, max_resource_attr="epochs")
    assert len(sched.bracket_manager.brackets) > 6
    # DE children exist: trials of later brackets whose configuration is new
    later = [t for t, (b, _) in _bracket_of(sched).items() if b > 0]
    assert len(later) > 20


def _bracket_of(sched):
    out = {}
    for bracket_id, bracket in enumerate(sched.bracket_manager.brackets):
        for rung in bracket.history:
            for tid, _ in rung:
                out.setdefault(tid, (bracket_id, None))
    return out


# -- contract ----------------------------------------------------------------------------------------
class TestDEHBContract(SchedulerContract):
    def make_scheduler(self, config_space, metric, mode, random_seed):
        return DEHB(config_space, metric=metric, mode=mode, **_hb(random_seed))


class TestDEHBNoPauseResumeContract(SchedulerContract):
    num_results = 200

    def make_scheduler(self, config_space, metric, mode, random_seed):
        return DEHB(config_space, metric=metric, mode=mode, support_pause_resume=False, reduction_factor=2,
                    **_hb(random_seed))


class TestDEHBRestrictedContract(SchedulerContract):
    num_results = 200

    def make_scheduler(self, config_space, metric, mode, random_seed):
        rs = np.random.RandomState(0)
        configs = [
            {"x": float(rs.uniform()), "lr": float(10 ** rs.uniform(-4, -1)), "layers": int(rs.randint(1, 5)),
             "act": str(rs.choice(["relu", "tanh"]))}
            for _ in range(300)
        ]
        return DEHB(
            config_space, metric=metric, mode=mode, search_options={"restrict_configurations": configs},
            points_to_evaluate=[], **_hb(random_seed),
        )


class TestEncodedRandomSearcherContract(SearcherContract):
    def make_searcher(self, config_space, metric, mode, random_seed, points_to_evaluate):
        return EncodedRandomSearcher(
            config_space, metric=metric, mode=mode, random_seed=random_seed, points_to_evaluate=points_to_evaluate
        )


class TestEncodedRandomSearcherSampledContract(SearcherContract):
    allow_duplicates = True

    def make_searcher(self, config_space, metric, mode, random_seed, points_to_evaluate):
        return EncodedRandomSearcher(
            config_space, metric=metric, mode=mode, random_seed=random_seed, points_to_evaluate=points_to_evaluate,
            sample_encoded=False, allow_duplicates=True,
        )


def test_searcher_clone_continues_with_identical_children():
    configs = [{"x": float(v), "y": float(w)} for v, w in np.random.RandomState(1).uniform(size=(50, 2))]
    searcher = EncodedRandomSearcher(SPACE_2D, metric="loss", points_to_evaluate=[], random_seed=0,
                                     restrict_configurations=configs)
    for v in np.random.RandomState(3).uniform(size=(5, 2)):
        searcher.config_for_encoded(v)
    searcher.next_encoded()
    twin = searcher.clone_from_state(copy.deepcopy(searcher.get_state()))
    queries = np.random.RandomState(4).uniform(size=(10, 2))
    a = [searcher.config_for_encoded(v)[0] for v in queries] + [searcher.next_encoded()[0] for _ in range(5)]
    b = [twin.config_for_encoded(v)[0] for v in queries] + [twin.next_encoded()[0] for _ in range(5)]
    assert a == b
