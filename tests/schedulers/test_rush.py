"""RUSH (Zappella et al., 2021): ASHA whose first trials, the best
configurations of earlier tasks, set thresholds at every rung level."""

from __future__ import annotations

import pickle
from datetime import datetime

import numpy as np
import pandas as pd
import pytest

from syne_tune.config_space import choice, loguniform, randint, uniform
from syne_tune.optimizer.scheduler import SchedulerDecision
from syne_tune.optimizer.schedulers.hyperband import HyperbandScheduler
from syne_tune.optimizer.schedulers.multifidelity.rung_system import (
    RUNG_SYSTEMS,
    PromotionRungSystem,
    StoppingRungSystem,
)
from syne_tune.optimizer.schedulers.multifidelity.rush_rung_system import (
    RUSHPromotionRungSystem,
    RUSHStoppingRungSystem,
)
from syne_tune.optimizer.schedulers.transfer_learning import RUSHScheduler, TransferLearningTaskEvaluations
from syne_tune.testing.scheduler import SchedulerContract
from syne_tune.trial import Trial
from syne_tune.utils.validation import InvalidParameterError

from sim_util import simulate

C, S, P = SchedulerDecision.CONTINUE, SchedulerDecision.STOP, SchedulerDecision.PAUSE

SPACE = {
    "x": uniform(0.0, 1.0),
    "lr": loguniform(1e-4, 1e-1),
    "layers": randint(1, 4),
    "act": choice(["relu", "tanh"]),
    "epochs": 9,
}


def evaluations(rows: list[tuple], losses: list[float], metric: str = "loss") -> TransferLearningTaskEvaluations:
    """A hand-made task over SPACE: rows of (x, lr, layers, act), one loss each."""
    hps = pd.DataFrame(rows, columns=["x", "lr", "layers", "act"])
    values = np.asarray(losses, dtype=float).reshape(-1, 1, 1, 1)
    space = {k: v for k, v in SPACE.items() if k != "epochs"}
    return TransferLearningTaskEvaluations(space, hps, [metric], values)


def two_tasks() -> dict[str, TransferLearningTaskEvaluations]:
    a = evaluations([(0.1, 0.01, 1, "relu"), (0.2, 0.001, 2, "tanh"), (0.9, 0.05, 3, "relu")], [0.3, 0.1, 0.9])
    b = evaluations([(0.2, 0.001, 2, "tanh"), (0.6, 0.002, 4, "relu"), (0.4, 0.03, 1, "tanh")], [0.5, 0.05, 0.7])
    return {"a": a, "b": b}


def hp(config: dict) -> tuple:
    """The hyperparameters (floats rounded, for comparisons)."""
    return (round(config["x"], 9), round(config["lr"], 9), config["layers"], config["act"])


def trial(trial_id: int, config: dict | None = None) -> Trial:
    return Trial(trial_id, dict(config or {"x": 0.5, "lr": 0.01, "layers": 2, "act": "relu", "epochs": 9}),
                 datetime(2024, 1, 1))


# -- the rule on a hand-written stream -------------------------------------------------------
# Rung levels 1, 3, 9 (max_t 27), promotion quantile 1/3, trials 0 and 1 are
# the threshold candidates. ASHA's cutoff at a rung is numpy.quantile(values,
# 1/3) (linear): with n sorted values v_0 <= ... the position is (n - 1) / 3.

def _rung_system(cls, mode, num_threshold_candidates=2):
    rs = cls(
        [1, 3, 9], [1 / 3] * 3, metric="loss", mode=mode, resource_attr="epoch", max_t=27,
        **({"num_threshold_candidates": num_threshold_candidates} if num_threshold_candidates is not None else {}),
    )
    return rs


#: (trial_id, epoch, loss, continues under RUSH, continues under plain ASHA)
STOPPING_STREAM = [
    # rung 1
    (2, 1, 0.30, True, True),    # only value, no candidate has a value at 1 yet: ASHA only
    (0, 1, 0.50, False, False),  # [.3,.5]: cutoff .3+.2/3=.367; candidate judged by ASHA: stopped; theta_1=.5
    (1, 1, 0.20, True, True),    # [.2,.3,.5]: cutoff .2+.1*2/3=.267; candidate continues; theta_1=.2
    (3, 1, 0.90, False, False),  # [.2,.3,.5,.9]: cutoff .3
    (4, 1, 0.95, False, False),  # [.2,.3,.5,.9,.95]: cutoff .3+.2/3=.367
    (5, 1, 0.25, False, True),   # [.2,.25,.3,.5,.9,.95]: cutoff .25+.05*2/3=.283 passes ASHA, .25 > theta .2: RUSH stops
    (6, 1, 0.20, True, True),    # 7 values: cutoff v_2 = .25; .2 <= theta .2 (ties pass)
    # rung 3
    (2, 3, 0.28, True, True),    # only value, no threshold at 3 yet
    (1, 3, 0.15, True, True),    # [.15,.28]: cutoff .15+.13/3=.193; theta_3 = .15
    (6, 3, 0.15, True, True),    # [.15,.15,.28]: cutoff .15; .15 <= theta .15
    # rung 9
    (6, 9, 0.10, True, True),    # only value, no threshold at 9 yet
    (1, 9, 0.12, False, False),  # [.1,.12]: cutoff .1+.02/3=.107: the candidate is stopped by ASHA; theta_9 = .12
    (2, 9, 0.11, False, False),  # [.1,.11,.12]: cutoff .107: better than theta .12 but ASHA stops it
]


def _run_stopping(rs, sign):
    decisions = []
    for tid, epoch, loss, _, _ in STOPPING_STREAM:
        if epoch == 1:
            rs.on_task_add(tid, skip_rungs=0, new_config=True)
        report = rs.on_task_report(tid, {"loss": sign * loss, "epoch": epoch})
        assert report.milestone_reached and report.rung_level == epoch
        decisions.append(report.task_continues)
        if not report.task_continues:
            rs.on_task_remove(tid)
    return decisions


@pytest.mark.parametrize("mode", ["min", "max"])
def test_stopping_stream(mode):
    sign = 1 if mode == "min" else -1
    rs = _rung_system(RUSHStoppingRungSystem, mode)
    assert _run_stopping(rs, sign) == [row[3] for row in STOPPING_STREAM]
    assert rs.thresholds() == pytest.approx({1: sign * 0.2, 3: sign * 0.15, 9: sign * 0.12})
    assert rs.threshold(1) == pytest.approx(sign * 0.2)
    # plain ASHA on the same stream: only trial 5 differs
    assert _run_stopping(_rung_system(StoppingRungSystem, mode, None), sign) == [row[4] for row in STOPPING_STREAM]


def test_stopping_without_candidates_is_asha():
    rs = _rung_system(RUSHStoppingRungSystem, "min", 0)
    assert _run_stopping(rs, 1) == [row[4] for row in STOPPING_STREAM]
    assert rs.thresholds() == {}


class _PromotionDriver:
    def __init__(self, cls, mode, **kwargs):
        self.sign = 1 if mode == "min" else -1
        self.rs = _rung_system(cls, mode, **kwargs)

    def start_and_pause(self, tid, loss):
        self.rs.on_task_add(tid, skip_rungs=0, new_config=True)
        self.report(tid, 1, loss)

    def report(self, tid, epoch, loss):
        report = self.rs.on_task_report(tid, {"loss": self.sign * loss, "epoch": epoch})
        assert report.milestone_reached and not report.task_continues  # paused at the rung
        self.rs.on_task_remove(tid)

    def schedule(self):
        promotion = self.rs.on_task_schedule(new_trial_id=999)
        if promotion is None:
            return None
        self.rs.on_task_add(promotion.trial_id, new_config=False, milestone=promotion.milestone,
                            resume_from=promotion.resume_from)
        return promotion.trial_id, promotion.resume_from, promotion.milestone


def _promotion_stream(cls, mode, **kwargs):
    """Runs the promotion stream; returns the schedule decisions in order."""
    d = _PromotionDriver(cls, mode, **kwargs)
    out = []
    d.start_and_pause(0, 0.50)  # candidate; theta_1 = .5
    d.start_and_pause(1, 0.20)  # candidate; theta_1 = .2
    out.append(d.schedule())    # [.2,.5]: cutoff .3; best paused: candidate 1 -> promoted to 3
    for tid, loss in [(2, 0.25), (3, 0.90), (4, 0.95)]:
        d.start_and_pause(tid, loss)
    # [.2,.25,.5,.9,.95]: cutoff .25+.25/3=.333; best paused 2 (.25) passes ASHA but
    # not theta .2; paused candidate 0 (.5) is above the cutoff: start a new trial
    out.append(d.schedule())
    d.start_and_pause(5, 0.10)
    # [.1,.2,.25,.5,.9,.95]: cutoff .2+.05*2/3=.233; 5 (.1) passes both
    out.append(d.schedule())
    for tid in (6, 7, 8, 9):
        d.start_and_pause(tid, 0.99)
    # 10 values: cutoff v_3 = .5; best paused 2 fails theta .2: the best paused
    # candidate within the cutoff, 0 (.5), is promoted (plain ASHA: trial 2)
    out.append(d.schedule())
    out.append(d.schedule())    # 2 still fails, no paused candidate left: None
    # rung 3
    d.report(1, 3, 0.15)        # candidate; theta_3 = .15
    d.report(5, 3, 0.14)        # [.14,.15]: cutoff .143; 5 beats theta .15 -> promoted first
    out.append(d.schedule())
    d.report(0, 3, 0.40)        # [.14,.15,.4]: cutoff .14+.01*2/3=.147: candidate 1 (.15) above it
    out.append(d.schedule())    # nothing at 9 yet, nothing at 3, 2 fails at 1: None
    return out, d.rs


@pytest.mark.parametrize("mode", ["min", "max"])
def test_promotion_stream(mode):
    sign = 1 if mode == "min" else -1
    out, rs = _promotion_stream(RUSHPromotionRungSystem, mode)
    assert out == [(1, 1, 3), None, (5, 1, 3), (0, 1, 3), None, (5, 3, 9), None]
    assert rs.thresholds() == pytest.approx({1: sign * 0.2, 3: sign * 0.15})
    # plain ASHA promotes trial 2 as soon as it is the best paused trial within the cutoff
    out_asha, _ = _promotion_stream(PromotionRungSystem, mode, num_threshold_candidates=None)
    assert out_asha[:2] == [(1, 1, 3), (2, 1, 3)]


def test_promotion_rung_system_pickles_with_thresholds():
    _, rs = _promotion_stream(RUSHPromotionRungSystem, "min")
    copy = pickle.loads(pickle.dumps(rs))
    assert copy.thresholds() == rs.thresholds()
    assert copy.is_threshold_candidate(1) and not copy.is_threshold_candidate(2)


def test_rush_types_registered_with_their_option():
    assert RUNG_SYSTEMS["rush_stopping"] is RUSHStoppingRungSystem
    assert RUNG_SYSTEMS["rush_promotion"] is RUSHPromotionRungSystem
    assert RUSHStoppingRungSystem.option_names() == {"num_threshold_candidates"}
    sched = HyperbandScheduler(SPACE, metric="loss", type="rush_promotion", max_resource_attr="epochs",
                               rung_system_kwargs={"num_threshold_candidates": 3}, random_seed=0)
    assert sched.does_pause_resume()
    assert sched.rung_system.num_threshold_candidates == 3
    with pytest.raises(InvalidParameterError, match="num_threshold_candidates"):
        HyperbandScheduler(SPACE, metric="loss", type="rush_stopping", max_resource_attr="epochs",
                           rung_system_kwargs={"num_threshold_candidates": -1})
    with pytest.raises(InvalidParameterError, match="rung_system_kwargs"):
        HyperbandScheduler(SPACE, metric="loss", type="stopping", max_resource_attr="epochs",
                           rung_system_kwargs={"num_threshold_candidates": 1})


# -- RUSHScheduler -----------------------------------------------------------------------------
def test_points_to_evaluate_order():
    custom = [{"x": 0.6, "lr": 0.002, "layers": 4, "act": "relu"},  # duplicate of task b's best
              {"x": 0.7}]                                           # partial: midpoints filled in
    user = [{"x": 0.2, "lr": 0.001, "layers": 2, "act": "tanh"},    # duplicate of a candidate
            {"x": 0.8, "lr": 0.01, "layers": 3, "act": "tanh"}]
    sched = RUSHScheduler(SPACE, two_tasks(), metric="loss", num_hyperparameters_per_task=2,
                          custom_rush_points=custom, points_to_evaluate=user,
                          resource_attr="epoch", max_resource_attr="epochs", random_seed=0)
    mid_lr = round(float(np.sqrt(1e-4 * 1e-1)), 9)
    expected_candidates = [
        (0.2, 0.001, 2, "tanh"), (0.1, 0.01, 1, "relu"),   # task a: losses .1, .3
        (0.6, 0.002, 4, "relu"),                           # task b: .05, then .5 = duplicate
        (0.7, mid_lr, 2, "relu"),                          # custom (the first is a duplicate)
    ]
    assert [hp(c) for c in sched.threshold_candidates] == expected_candidates
    assert sched.num_threshold_candidates == 4
    assert sched.rung_system.num_threshold_candidates == 4
    assert all(c["epochs"] == 9 for c in sched.threshold_candidates)
    suggested = [hp(sched.suggest(i).config) for i in range(6)]
    assert suggested[:5] == expected_candidates + [(0.8, 0.01, 3, "tanh")]
    assert suggested[5] not in expected_candidates  # then random search
    # mode "max": the worst configurations of the earlier tasks by loss come first
    sched = RUSHScheduler(SPACE, two_tasks(), metric="loss", mode="max", resource_attr="epoch",
                          max_resource_attr="epochs", random_seed=0)
    assert [hp(c) for c in sched.threshold_candidates] == [(0.9, 0.05, 3, "relu"), (0.4, 0.03, 1, "tanh")]


@pytest.mark.parametrize("rush_type", ["stopping", "promotion"])
def test_scheduler_stops_or_keeps_paused_a_trial_worse_than_the_threshold(rush_type):
    sched = RUSHScheduler(SPACE, two_tasks(), metric="loss", type=rush_type, resource_attr="epoch",
                          max_resource_attr="epochs", random_seed=0)
    assert sched.num_threshold_candidates == 2 and sched.scheduler_type == "rush_" + rush_type
    assert sched.rung_levels == [1, 3]
    configs = {tid: sched.suggest(tid).config for tid in range(4)}
    for tid in configs:
        sched.on_trial_add(trial(tid, configs[tid]))
    paused_or_stopped = P if rush_type == "promotion" else S
    decisions = [sched.on_trial_result(trial(tid, configs[tid]), {"loss": loss, "epoch": 1})
                 for tid, loss in [(0, 0.5), (1, 0.2), (2, 0.9), (3, 0.25)]]
    assert sched.thresholds() == pytest.approx({1: 0.2})
    if rush_type == "stopping":
        # [.2,.5]: cutoff .3, 1 continues; [.2,.5,.9]: cutoff .4, 2 stopped;
        # [.2,.25,.5,.9]: cutoff .25, 3 passes ASHA but is stopped by the threshold .2
        assert decisions == [C, C, S, S]
    else:
        assert decisions == [P, P, P, P]
        for tid in configs:
            sched.on_trial_remove(trial(tid, configs[tid]))
        first = sched.suggest(4)
        assert (first.spawn_new_trial_id, first.checkpoint_trial_id) == (False, 1)
        # [.2,.25,.5,.9]: cutoff .25; trial 3 (.25) passes it but not the threshold .2,
        # candidate 0 (.5) is above the cutoff: a new trial starts
        assert sched.suggest(5).spawn_new_trial_id
    assert paused_or_stopped in decisions
    meta = sched.metadata()
    assert meta["num_threshold_candidates"] == 2 and meta["scheduler_type"] == "rush_" + rush_type


def test_simulated_run_is_deterministic_per_seed():
    def run(seed, rush_type):
        sched = RUSHScheduler(SPACE, two_tasks(), metric="loss", type=rush_type, resource_attr="epoch",
                              max_resource_attr="epochs", random_seed=seed, grace_period=1, reduction_factor=3)
        return sched, simulate(sched, max_epochs=9, n_workers=3, max_results=200, metric="loss", max_resource_attr="epochs")

    for rush_type in ("stopping", "promotion"):
        (sa, a), (_, b), (_, c) = run(3, rush_type), run(3, rush_type), run(4, rush_type)
        assert a.decisions == b.decisions and a.trials == b.trials
        assert a.decisions != c.decisions
        assert a.num_started > sa.num_threshold_candidates
        assert 1 in sa.thresholds() and set(sa.thresholds()) <= {1, 3}


def _bad(**kwargs):
    args = dict(config_space=SPACE, transfer_learning_evaluations=two_tasks(), metric="loss",
                resource_attr="epoch", max_resource_attr="epochs")
    args.update(kwargs)
    return RUSHScheduler(**args)


@pytest.mark.parametrize(
    "kwargs, name",
    [
        (dict(metric="accuracy"), "'metric'"),
        (dict(metric=3), "'metric'"),
        (dict(num_hyperparameters_per_task=0), "'num_hyperparameters_per_task'"),
        (dict(num_hyperparameters_per_task=1.5), "'num_hyperparameters_per_task'"),
        (dict(type="pasha"), "'type'"),
        (dict(type="rush_stopping"), "'type'"),
        (dict(transfer_learning_evaluations=[1, 2]), "'transfer_learning_evaluations'"),
        (dict(transfer_learning_evaluations={"a": 1}), "'transfer_learning_evaluations'"),
        (dict(custom_rush_points={"x": 0.5}), "'custom_rush_points'"),
        (dict(custom_rush_points=[{"x": 2.0}]), "'custom_rush_points'"),
        (dict(points_to_evaluate=[{"nope": 1}]), "'points_to_evaluate'"),
        (dict(mode="maximize"), "'mode'"),
        (dict(rung_system_kwargs={"num_threshold_candidates": 2}), "'rung_system_kwargs'"),
        (dict(grace_period=0), "'grace_period'"),
    ],
)
def test_bad_arguments_raise_naming_the_parameter(kwargs, name):
    with pytest.raises(InvalidParameterError, match=name):
        _bad(**kwargs)


def test_evaluation_outside_the_space_raises():
    outside = {"a": evaluations([(0.5, 0.5, 2, "relu")], [0.1])}  # lr above 0.1
    with pytest.raises(InvalidParameterError, match="'transfer_learning_evaluations'"):
        _bad(transfer_learning_evaluations=outside)


def test_real_blackbox_candidates():
    pytest.importorskip("syne_tune.blackbox_repository")
    from syne_tune.optimizer.schedulers.transfer_learning import transfer_learning_evaluations_from_blackbox

    try:
        evals = transfer_learning_evaluations_from_blackbox("icml-xgboost", held_out_task="heart")
    except Exception as ex:  # pragma: no cover - data not available
        pytest.skip(f"icml-xgboost not available: {ex}")
    space = dict(next(iter(evals.values())).configuration_space)
    sched = RUSHScheduler(space, evals, metric="metric_error", max_t=3, resource_attr="epoch", random_seed=0)
    assert 1 <= sched.num_threshold_candidates <= len(evals) == 9
    for i, candidate in enumerate(sched.threshold_candidates):
        assert sched.suggest(i).config == candidate


# -- the contract -----------------------------------------------------------------------------
def _contract_evaluations():
    # losses chosen so that min and max pick different configurations
    a = evaluations([(0.3, 0.01, 2, "relu"), (0.95, 0.05, 1, "tanh"), (0.6, 0.001, 3, "relu")], [0.1, 1.2, 0.5])
    b = evaluations([(0.25, 0.003, 3, "tanh"), (0.05, 0.0005, 4, "relu")], [0.2, 1.1])
    return {"a": a, "b": b}


class TestRUSHStoppingContract(SchedulerContract):
    def make_scheduler(self, config_space, metric, mode, random_seed):
        return RUSHScheduler(config_space, _contract_evaluations(), metric=metric, mode=mode,
                             resource_attr="epoch", max_resource_attr="epochs", random_seed=random_seed)


class TestRUSHPromotionContract(SchedulerContract):
    def make_scheduler(self, config_space, metric, mode, random_seed):
        return RUSHScheduler(config_space, _contract_evaluations(), metric=metric, mode=mode, type="promotion",
                             custom_rush_points=[{"x": 0.5}], resource_attr="epoch", max_resource_attr="epochs",
                             random_seed=random_seed)
