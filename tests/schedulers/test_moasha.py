"""MOASHA and the multi-objective priorities.

Decisions on hand-written streams are computed by hand in the comments
(signed vectors: "max" objectives negated; ``n`` values at the rung,
``limit = floor(n / 3)``, continue iff ``b <= limit`` with ``b`` the number of
rows of strictly better priority).
"""

from __future__ import annotations

import itertools
import json
import pickle
from datetime import datetime

import numpy as np
import pandas as pd
import pytest

from syne_tune.config_space import choice, randint, uniform
from syne_tune.optimizer.scheduler import SchedulerDecision
from syne_tune.optimizer.schedulers.hyperband import HyperbandScheduler
from syne_tune.optimizer.schedulers.multiobjective.moasha import MOASHA
from syne_tune.optimizer.schedulers.multiobjective.multiobjective_priority import (
    FixedObjectivePriority,
    LinearScalarizationPriority,
    NonDominatedPriority,
)
from syne_tune.optimizer.schedulers.multiobjective.non_dominated import nondominated_ranks, pareto_mask
from syne_tune.testing.scheduler import MultiObjectiveSchedulerContract, SchedulerContract
from syne_tune.trial import Trial
from syne_tune.utils.validation import InvalidParameterError

from sim_util import simulate

C, S = SchedulerDecision.CONTINUE, SchedulerDecision.STOP


def _trial(trial_id: int) -> Trial:
    return Trial(trial_id, {"x": 0.5}, datetime(2024, 1, 1))


def _feed(scheduler, stream):
    """stream: (trial_id, epoch, a, b) -> list of decisions."""
    return [scheduler.on_trial_result(_trial(t), {"epoch": e, "a": a, "b": b}) for t, e, a, b in stream]


def _moasha(priority=None, **kw):
    args = dict(metrics=["a", "b"], mode=["min", "max"], time_attr="epoch", max_t=9, random_seed=0)
    args.update(kw)
    return MOASHA({"x": uniform(0, 1)}, multiobjective_priority=priority, **args)


# -- hand-written streams ----------------------------------------------------------------
# Rung 1; signed rows (a, -b):
#   T0 (0.5,-0.5)  n=1                                        -> C
#   T1 (0.6,-0.4)  n=2 limit 0; dominated by T0, b=1           -> S
#   T2 (0.4,-0.3)  n=3 limit 1; front 0 = {T0,T2}, seed = min a = T2, b=0 -> C
#   T3 (0.3,-0.9)  dominates all, b=0                          -> C
#   T4 (0.2,-0.1)  n=5 limit 1; front 0 = {T3,T4}, seed T4, b=0 -> C
#   T5 (0.25,-0.8) n=6 limit 2; front 0 = {T3,T4,T5}; scaled to [0,1]:
#                  T4 (0,1), T3 (1,0), T5 (.5,.125); from T4: d2(T3)=2 >
#                  d2(T5)=1.02, so T5 is third: b=2 <= 2     -> C
RUNG1 = [(0, 1, 0.5, 0.5), (1, 1, 0.6, 0.4), (2, 1, 0.4, 0.3), (3, 1, 0.3, 0.9), (4, 1, 0.2, 0.1), (5, 1, 0.25, 0.8)]
# Epoch 2: no rung, all running trials continue.
EPOCH2 = [(t, 2, 0.4, 0.4) for t in (0, 2, 3, 4, 5)]
# Rung 3:
#   T3 (0.2,-0.9)   n=1                                        -> C
#   T4 (0.1,-0.2)   n=2 limit 0; front {T3,T4}, seed T4, b=0    -> C
#   T5 (0.15,-0.6)  n=3 limit 1; all three in front 0 (a tie of non-dominated
#                   sorting); scaled: T4 (0,1), T3 (1,0), T5 (.5,.43);
#                   d2(T3)=2 > d2(T5)=.58: T5 third, b=2 > 1  -> S
#   T0 (0.45,-0.45) dominated by T3 and T5: front 1, b=3 > 1  -> S
#   T2 (0.35,-0.3)  front 1 (with T0), b >= 3 > 1             -> S
RUNG3 = [(3, 3, 0.2, 0.9), (4, 3, 0.1, 0.2), (5, 3, 0.15, 0.6), (0, 3, 0.45, 0.45), (2, 3, 0.35, 0.3)]
# Epochs 4..8 continue, 9 = max_t stops.
TAIL = [(t, e, 0.1, 0.9) for e in range(4, 10) for t in (3, 4)]


def test_non_dominated_decisions_on_a_hand_written_stream():
    scheduler = _moasha()
    assert scheduler.rung_levels == [1, 3]
    assert _feed(scheduler, RUNG1) == [C, S, C, C, C, C]
    assert _feed(scheduler, EPOCH2) == [C] * 5
    assert _feed(scheduler, RUNG3) == [C, C, S, S, S]
    assert _feed(scheduler, TAIL) == [C] * 10 + [S, S]
    # the "max" objective is negated in the rung
    np.testing.assert_allclose(scheduler.rung_objectives(3)[:2], [[0.2, -0.9], [0.1, -0.2]])
    # late results of stopped trials stay stopped
    assert _feed(scheduler, [(1, 2, 0.0, 1.0), (5, 4, 0.0, 1.0)]) == [S, S]


def test_linear_scalarization_decisions():
    # sums of the signed rows at rung 1: T0 0, T1 .2, T2 .1, T3 -.6, T4 .1, T5 -.55
    #   T1: b=1 > 0 -> S;  T2: b=1 (T0) <= 1 -> C;  T3: b=0 -> C
    #   T4: n=5 limit 1, better: T0, T3 (T2 ties at .1, not better): b=2 -> S
    #   T5: n=6 limit 2, better: T3, b=1 -> C
    scheduler = _moasha(LinearScalarizationPriority())
    assert _feed(scheduler, RUNG1) == [C, S, C, C, S, C]


def test_fixed_objective_decisions():
    # objective 1 only (signed -b): T0 -.5, T1 -.4 (b=1 > 0: S), T2 -.3 (b=2 > 1: S),
    # T3 -.9 (C), T4 -.1 (b=4 > 1: S), T5 -.8 (b=1 <= 2: C)
    scheduler = _moasha(FixedObjectivePriority(dim=1))
    assert _feed(scheduler, RUNG1) == [C, S, S, C, S, C]


def test_non_finite_objectives_rank_last():
    scheduler = _moasha()
    stream = [(0, 1, 0.5, 0.5), (1, 1, float("nan"), 0.5), (2, 1, 0.4, 0.6), (3, 1, 0.45, 0.55)]
    # T1: b = 1 finite row > 0 -> S; T2 dominates T0: b=0 -> C;
    # T3 (0.45,-0.55): front 0 = {T2}, T3 dominates T0: front 1, b=1 <= 1 -> C
    assert _feed(scheduler, stream) == [C, S, C, C]


# -- priorities on hand-made data ------------------------------------------------------
Y5 = np.array([[0.0, 1.0], [1.0, 0.0], [0.5, 0.5], [1.0, 1.0], [2.0, 2.0]])


def test_fixed_and_linear_priorities():
    Y = np.array([[1.0, 5.0], [2.0, 3.0], [0.0, 9.0]])
    np.testing.assert_allclose(FixedObjectivePriority()(Y), [1, 2, 0])
    np.testing.assert_allclose(FixedObjectivePriority(dim=1)(Y), [5, 3, 9])
    np.testing.assert_allclose(LinearScalarizationPriority()(Y), [6, 5, 9])
    np.testing.assert_allclose(LinearScalarizationPriority(weights=[1, 2])(Y), [11, 8, 18])


def test_non_dominated_priority():
    # fronts {0,1,2}, {3}, {4}; in front 0 from row 0 (min of objective 0):
    # d2(row 1) = 2 > d2(row 2) = .5
    np.testing.assert_array_equal(NonDominatedPriority()(Y5), [0, 1, 2, 3, 4])
    np.testing.assert_array_equal(NonDominatedPriority(dim=1)(Y5), [1, 0, 2, 3, 4])
    np.testing.assert_array_equal(NonDominatedPriority(max_num_samples=2)(Y5), [0, 1, 2, 2, 2])
    # distances are measured on objectives scaled within the front
    Y = np.array([[0.0, 10.0], [10.0, 0.0], [2.0, 3.0], [6.0, 1.0]])
    p = NonDominatedPriority()(Y)
    np.testing.assert_array_equal(p, NonDominatedPriority()(Y * [1.0, 1000.0]))
    # scaled: r0 (0,1), r1 (1,0), r2 (.2,.3), r3 (.6,.1); from r0: d2 = 2, .53,
    # 1.17 -> r1; nearest taken then: r2 min(.53, .73) = .53, r3 min(1.17, .17)
    # = .17 -> r2, then r3
    np.testing.assert_array_equal(p, [0, 1, 2, 3])
    # dim=None: random first point, reproducible with a seed
    a = [NonDominatedPriority(dim=None, random_seed=5)(Y).tolist() for _ in range(2)]
    assert a[0] == a[1]


@pytest.mark.parametrize("m", [2, 3])
def test_num_better_agrees_with_priorities(m):
    rng = np.random.default_rng(m)
    priorities = [
        NonDominatedPriority(),
        NonDominatedPriority(dim=1),
        NonDominatedPriority(max_num_samples=4),
        LinearScalarizationPriority(),
        FixedObjectivePriority(dim=1),
    ]
    for _ in range(40):
        n = int(rng.integers(1, 25))
        Y = rng.integers(0, 5, size=(n, m)).astype(float)  # many ties and duplicates
        for priority in priorities:
            p = priority(Y)
            for i in range(n):
                exact = int(np.count_nonzero(p < p[i]))
                assert priority.num_better(Y, i) == exact
                for limit in range(n):
                    assert (priority.num_better(Y, i, limit=limit) <= limit) == (exact <= limit)


def _peeled_ranks(Y: np.ndarray) -> np.ndarray:
    """Front indices by peeling one Pareto front (``pareto_mask``) after the other."""
    ranks, remaining, front = np.full(len(Y), -1), np.arange(len(Y)), 0
    while len(remaining):
        mask = pareto_mask(Y[remaining])
        ranks[remaining[mask]] = front
        remaining, front = remaining[~mask], front + 1
    return ranks


def test_two_objective_sweep_matches_peeling():
    rng = np.random.default_rng(0)
    for _ in range(100):
        Y = rng.integers(0, 6, size=(int(rng.integers(1, 50)), 2)).astype(float)
        np.testing.assert_array_equal(nondominated_ranks(Y), _peeled_ranks(Y))


# -- rung levels ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "max_t, grace_period, reduction_factor", [(100, 1, 3), (81, 1, 3), (200, 1, 3), (50, 2, 2), (100, 3, 2.5), (27, 3, 4)]
)
def test_rung_levels_equal_asha(max_t, grace_period, reduction_factor):
    space = {"x": uniform(0, 1)}
    kw = dict(max_t=max_t, grace_period=grace_period, reduction_factor=reduction_factor)
    moasha = MOASHA(space, metrics=["a", "b"], time_attr="epoch", random_seed=0, **kw)
    asha = HyperbandScheduler(space, metric="a", resource_attr="epoch", random_seed=0, **kw)
    assert moasha.rung_levels == asha.rung_levels
    info = moasha.bracket_manager.information_for_rungs()
    assert [level for level, _, _ in info] == list(reversed(asha.rung_levels))


def test_grace_period_equal_max_t_has_no_rungs():
    scheduler = _moasha(grace_period=9)
    assert scheduler.rung_levels == []
    assert _feed(scheduler, [(0, e, 1.0, 0.0) for e in range(1, 10)]) == [C] * 8 + [S]


def test_brackets():
    scheduler = _moasha(brackets=2, max_t=27)
    assert scheduler.brackets == 2
    for trial_id in range(40):
        assert scheduler.suggest(trial_id) is not None
    brackets = scheduler.bracket_manager.trial_bracket
    assert set(brackets.values()) == {0, 1}
    # bracket 1 starts at rung 3: a trial there continues at epoch 1 whatever it reports
    later = [t for t, b in brackets.items() if b == 1]
    assert all(_feed(scheduler, [(t, 1, 100.0, -100.0)]) == [C] for t in later)
    # too many brackets are reduced to len(rung_levels) + 1
    assert _moasha(brackets=10).brackets == 3


# -- description, checks ---------------------------------------------------------------------
def test_description():
    scheduler = _moasha()
    assert scheduler.metric_names() == ["a", "b"]
    assert scheduler.metric_mode() == ["min", "max"]
    assert scheduler.is_multiobjective_scheduler()
    assert not MOASHA({"x": uniform(0, 1)}, metrics=["a"]).is_multiobjective_scheduler()
    meta = json.loads(json.dumps(scheduler.metadata()))
    assert meta["rung_levels"] == [1, 3] and meta["metric_mode"] == ["min", "max"]
    default = MOASHA({"x": uniform(0, 1)}, metrics=["a", "b"])
    assert default.metric_mode() == "min" and default.max_t == 100 and default.time_attr == "training_iteration"
    assert isinstance(default.multiobjective_priority, NonDominatedPriority)
    assert default.rung_levels == [1, 3, 9, 27, 81]


def test_result_without_a_metric_raises_naming_it():
    scheduler = _moasha()
    with pytest.raises(ValueError, match="'b'"):
        scheduler.on_trial_result(_trial(0), {"epoch": 1, "a": 1.0})
    with pytest.raises(ValueError, match="'epoch'"):
        scheduler.on_trial_result(_trial(0), {"a": 1.0, "b": 1.0})


@pytest.mark.parametrize(
    "kwargs, name",
    [
        (dict(metrics=[]), "metrics"),
        (dict(metrics=["a", "a"]), "metrics"),
        (dict(metrics=["a", 3]), "metrics"),
        (dict(metrics=None), "metrics"),
        (dict(mode="maximize"), "mode"),
        (dict(mode=["min"]), "mode"),
        (dict(mode=["min", "best"]), "mode"),
        (dict(reduction_factor=1.5), "reduction_factor"),
        (dict(grace_period=0), "grace_period"),
        (dict(grace_period=10), "grace_period"),
        (dict(max_t=0), "max_t"),
        (dict(brackets=0), "brackets"),
        (dict(time_attr=""), "time_attr"),
        (dict(random_seed=-1), "random_seed"),
        (dict(multiobjective_priority="nondominated"), "multiobjective_priority"),
        (dict(multiobjective_priority=LinearScalarizationPriority(weights=[1, 2, 3])), "multiobjective_priority"),
        (dict(multiobjective_priority=FixedObjectivePriority(dim=2)), "multiobjective_priority"),
    ],
)
def test_bad_arguments_raise_naming_the_parameter(kwargs, name):
    args = dict(metrics=["a", "b"], mode="min", time_attr="epoch", max_t=9)
    args.update(kwargs)
    with pytest.raises(InvalidParameterError, match=f"'{name}'"):
        MOASHA({"x": uniform(0, 1)}, **args)


@pytest.mark.parametrize(
    "make, name",
    [
        (lambda: NonDominatedPriority(dim=-1), "dim"),
        (lambda: NonDominatedPriority(max_num_samples=0), "max_num_samples"),
        (lambda: FixedObjectivePriority(dim=1.5), "dim"),
        (lambda: LinearScalarizationPriority(weights=[1.0, float("nan")]), "weights"),
        (lambda: LinearScalarizationPriority(metrics=["a", "b"], weights=[1.0]), "weights"),
    ],
)
def test_bad_priority_arguments_raise(make, name):
    with pytest.raises(InvalidParameterError, match=f"'{name}'"):
        make()


# -- contract suites -----------------------------------------------------------------------
class TestMOASHAOneMetricContract(SchedulerContract):
    """The single-metric suite, MOASHA on one metric (ASHA-like; it then
    reports ``is_multiobjective_scheduler() == False``, as the suite asks)."""

    def make_scheduler(self, config_space, metric, mode, random_seed):
        return MOASHA(config_space, metrics=[metric], mode=mode, time_attr="epoch", max_t=9, random_seed=random_seed)


class TestMOASHATwoObjectiveContract(MultiObjectiveSchedulerContract):
    """The multi-objective suite: metrics [loss, size], modes [mode, "min"]."""

    def make_scheduler(self, config_space, metric, mode, random_seed):
        return MOASHA(config_space, metrics=metric, mode=mode, time_attr="epoch", max_t=9, random_seed=random_seed)

    def test_both_decisions_occur(self):
        driver = self._driver("min").run(self.num_results)
        decisions = {entry[3] for entry in driver.log if entry[0] == "decision"}
        assert decisions == {"STOP", "CONTINUE"}


SECOND = "size"


def _size(config: dict, epoch: int) -> float:
    # conflicts with the default curve of sim_util, which is smallest near x = 0.3
    return (1.0 - float(config.get("x", 0.5))) * (1.0 + 0.1 * epoch)


# -- simulated runs ----------------------------------------------------------------------------
def _sim(seed: int, brackets: int = 1):
    scheduler = MOASHA(
        {"x": uniform(0, 1), "epochs": 27},
        metrics=["y", SECOND],
        mode=["min", "min"],
        time_attr="epoch",
        max_t=27,
        brackets=brackets,
        random_seed=seed,
    )
    return simulate(scheduler, max_epochs=27, max_results=600, extra_result=lambda c, e: {SECOND: _size(c, e)})


@pytest.mark.parametrize("brackets", [1, 3])
def test_simulation_is_deterministic_per_seed(brackets):
    a, b, c = _sim(1, brackets), _sim(1, brackets), _sim(2, brackets)
    assert a.decisions == b.decisions and a.num_started == b.num_started
    assert a.decisions != c.decisions
    assert a.num_stopped > 0 and a.num_started > 20


def _tabular():
    from syne_tune.blackbox_repository.blackbox_tabular import BlackboxTabular

    values = [1, 2, 3, 4]
    rows = list(itertools.product(values, repeat=3))
    idx = np.asarray(rows, dtype=float)
    rng = np.random.default_rng(0)
    epochs = np.arange(1, 10)
    final = 0.1 + 0.05 * np.abs(idx - 2.5).sum(axis=1)
    err = final[:, None, None] + 0.5 * np.exp(-epochs[None, None, :] / 3.0) + 0.01 * rng.standard_normal((64, 1, 9))
    per_epoch = (30.0 + 30.0 * idx[:, 0])[:, None, None] * rng.lognormal(0.0, 0.1, size=(64, 1, 9))
    return BlackboxTabular(
        hyperparameters=pd.DataFrame(rows, columns=["p", "q", "r"]),
        configuration_space={name: choice(values) for name in ["p", "q", "r"]},
        fidelity_space={"epoch": randint(1, 9)},
        objectives_evaluations=np.stack([err, np.cumsum(per_epoch, axis=2)], axis=-1),
        fidelity_values=epochs,
        objectives_names=["error", "elapsed"],
    )


def test_tuner_simulation_with_two_objectives_is_deterministic(tmp_path, monkeypatch):
    from syne_tune import StoppingCriterion, Tuner
    from syne_tune.backend.simulator_backend import SimulatorCallback
    from syne_tune.blackbox_repository import UserBlackboxBackend

    monkeypatch.setenv("SYNETUNE_FOLDER", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    tabular = _tabular()

    def run(seed):
        backend = UserBlackboxBackend(
            tabular, elapsed_time_attr="elapsed", max_resource_attr="epochs", seed=0, add_real_time=False
        )
        scheduler = MOASHA(
            dict(tabular.configuration_space, epochs=9),
            metrics=["error", "elapsed"],
            mode=["min", "min"],
            time_attr="epoch",
            max_t=9,
            random_seed=seed,
        )
        tuner = Tuner(
            trial_backend=backend,
            scheduler=scheduler,
            stop_criterion=StoppingCriterion(max_wallclock_time=2 * 3600.0),
            n_workers=4,
            sleep_time=0,
            callbacks=[SimulatorCallback()],
            save_tuner=False,
            print_update_interval=1e9,
            results_update_interval=1e9,
        )
        tuner.run()
        return tuner.results_dataframe()[["trial_id", "epoch", "error", "elapsed"]].reset_index(drop=True)

    first, second, other = run(3), run(3), run(4)
    pd.testing.assert_frame_equal(first, second)
    assert len(first) > 50
    # some trials were stopped before max_t, some reached it
    last_epoch = first.groupby("trial_id")["epoch"].max()
    assert (last_epoch < 9).any() and (last_epoch == 9).any()
    assert not other.head(30).equals(first.head(30))


def test_pickled_scheduler_continues_identically():
    scheduler = _moasha()
    _feed(scheduler, RUNG1 + EPOCH2)
    copy = pickle.loads(pickle.dumps(scheduler))
    assert _feed(copy, RUNG3 + TAIL) == _feed(scheduler, RUNG3 + TAIL)


def test_moasha_is_a_baseline():
    from syne_tune.optimizer import baselines

    assert baselines.MOASHA is MOASHA


def test_restrict_configurations_reach_the_random_searcher():
    space = {"x": uniform(0, 1), "n": randint(1, 4)}
    allowed = [{"x": 0.25, "n": 1}, {"x": 0.5, "n": 2}, {"x": 0.75, "n": 3}]
    scheduler = MOASHA(
        space, metrics=["a", "b"], max_t=9, random_seed=0, search_options={"restrict_configurations": allowed}
    )
    configs = [scheduler.suggest(trial_id=i) for i in range(4)]
    assert sorted((c.config["x"], c.config["n"]) for c in configs[:3]) == [(0.25, 1), (0.5, 2), (0.75, 3)]
    assert configs[3] is None  # all used
