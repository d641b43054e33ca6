"""PASHA: promotions limited to the current top rung, which grows when the
ranking of the top two rungs changes (Bohdal et al., 2023)."""

from datetime import datetime

import pytest

from syne_tune.trial import Trial
from syne_tune.config_space import uniform
from syne_tune.optimizer.baselines import PASHA
from syne_tune.optimizer.scheduler import SchedulerDecision
from syne_tune.optimizer.schedulers.multifidelity import PASHARungSystem, Promotion

C, P = SchedulerDecision.CONTINUE, SchedulerDecision.PAUSE
SPACE = {"x": uniform(0, 1), "epochs": 27}


def trial(tid):
    return Trial(tid, {"x": 0.5, "epochs": 27}, datetime(2024, 1, 1))


class Driver:
    def __init__(self, mode="min", **rs_kwargs):
        self.sign = 1 if mode == "min" else -1
        self.sched = PASHA(
            SPACE, metric="y", mode=mode, resource_attr="epoch", max_resource_attr="epochs", random_seed=0,
            rung_system_kwargs=rs_kwargs or {"ranking_criterion": "soft_ranking", "epsilon": 0.0},
        )
        self.next_id = 0

    @property
    def rs(self):
        return self.sched.rung_system

    def suggest(self):
        sug = self.sched.suggest(self.next_id)
        if sug.spawn_new_trial_id:
            self.next_id += 1
        return sug

    def report(self, tid, epoch, y, expected):
        d = self.sched.on_trial_result(trial(tid), {"y": self.sign * y, "epoch": epoch})
        assert d == expected, (tid, epoch, y, d)
        if d != C:
            self.sched.on_trial_remove(trial(tid))


def run_prefix(d: Driver, y_t2_at_3: float):
    assert d.rs.current_max_t == 3  # starts at the second rung level
    assert d.suggest().config["epochs"] == 1
    d.report(0, 1, 1.0, P)
    assert d.suggest().config["epochs"] == 1
    d.report(1, 1, 2.0, P)
    sug = d.suggest()  # rung 1 = [1, 2]: cutoff 1.333, trial 0 promoted to 3
    assert (sug.spawn_new_trial_id, sug.checkpoint_trial_id, sug.config["epochs"]) == (False, 0, 3)
    d.report(0, 2, 1.0, C)
    d.report(0, 3, 1.0, P)
    # Trial 0 sits at the top rung (3 = current maximum): not promotable
    sug = d.suggest()
    assert sug.spawn_new_trial_id
    d.report(2, 1, 0.5, P)  # rung 1 = [0.5, 1, 2], cutoff 0.833: trial 2
    sug = d.suggest()
    assert (sug.checkpoint_trial_id, sug.config["epochs"]) == (2, 3)
    d.report(2, 2, 0.6, C)
    d.report(2, 3, y_t2_at_3, P)


@pytest.mark.parametrize("mode", ["min", "max"])
def test_ranking_change_increases_resource(mode):
    d = Driver(mode=mode)
    # At rung 3: trial 0 (1.0) better than trial 2 (2.0); at rung 1 it was
    # the other way round (0.5 < 1.0): inconsistent, maximum grows to 9
    run_prefix(d, 2.0)
    assert d.rs.current_max_t == 9 and d.rs.num_increases == 1
    sug = d.suggest()  # rung 3 = [1, 2]: trial 0 promoted to 9
    assert (sug.spawn_new_trial_id, sug.checkpoint_trial_id, sug.config["epochs"]) == (False, 0, 9)


def test_stable_ranking_keeps_resource():
    d = Driver()
    run_prefix(d, 0.8)  # same order at rungs 1 and 3
    assert d.rs.current_max_t == 3 and d.rs.num_increases == 0
    sug = d.suggest()  # nobody beyond rung 3; rung 1 has only trial 1 paused (2 > cutoff)
    assert sug.spawn_new_trial_id


def test_soft_ranking_tolerance():
    d = Driver(ranking_criterion="soft_ranking", epsilon=0.6)
    run_prefix(d, 2.0)  # the swap is by 0.5 at rung 1 <= epsilon
    assert d.rs.current_max_t == 3


def test_increase_past_last_rung_goes_to_max_t():
    rs = PASHARungSystem([1, 3], [1 / 3, 1 / 3], metric="y", mode="min", resource_attr="epoch", max_t=9,
                         ranking_criterion="soft_ranking")
    for tid, y1, y3 in [(0, 1.0, 2.0), (1, 2.0, 1.0)]:
        rs.on_task_add(tid)
        rs.on_task_report(tid, {"y": y1, "epoch": 1})
        rs.on_task_remove(tid)
        rs.on_task_add(tid, new_config=False, resume_from=1, milestone=3)
        rs.on_task_report(tid, {"y": y3, "epoch": 3})
    assert rs.current_max_t == 9
    # Now trials paused at rung 3 can be promoted to max_t
    assert rs.on_task_schedule(new_trial_id=5) == Promotion(trial_id=1, resume_from=3, milestone=9)


def test_auto_epsilon_from_crossing_learning_curves():
    rs = PASHARungSystem([1, 3], [1 / 3, 1 / 3], metric="y", mode="min", resource_attr="epoch", max_t=9)
    assert rs.ranking_criterion == "soft_ranking_auto"
    curves = {0: [1.0, 0.9, 0.7], 1: [1.2, 0.8, 0.8]}  # cross between epochs 1 and 2
    for tid, curve in curves.items():
        rs.on_task_add(tid)
        for epoch, y in enumerate(curve, start=1):
            rs.on_task_report(tid, {"y": y, "epoch": epoch})
            if epoch == 1:
                rs.on_task_remove(tid)
                rs.on_task_add(tid, new_config=False, resume_from=1, milestone=3)
    # differences 0 - 1: epoch 1: -0.2, epoch 2: +0.1, epoch 3: -0.1, so two
    # crossings with gaps (0.2 + 0.1) / 2 and (0.1 + 0.1) / 2
    assert rs._gaps == [pytest.approx(0.15), pytest.approx(0.1)]
    assert rs.current_epsilon() == pytest.approx(0.145)  # 90th percentile
    # Ranking at rung 3 (0: 0.7, 1: 0.8) agrees with rung 1 (1.0 < 1.2)
    assert rs.current_max_t == 3


def test_pasha_needs_two_rungs_and_valid_criterion():
    with pytest.raises(ValueError, match="two rung levels"):
        PASHA({"x": uniform(0, 1), "epochs": 3}, metric="y", resource_attr="epoch", max_resource_attr="epochs")
    with pytest.raises(ValueError, match="ranking_criterion"):
        PASHA(SPACE, metric="y", resource_attr="epoch", max_t=27, rung_system_kwargs={"ranking_criterion": "x"})
    with pytest.raises(ValueError, match="max_t"):
        PASHA(SPACE, metric="y", resource_attr="epoch")
