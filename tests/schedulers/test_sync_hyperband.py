"""Synchronous Hyperband: rungs are promoted only once complete."""

from datetime import datetime

import pytest

from syne_tune.trial import Trial
from syne_tune.config_space import uniform
from syne_tune.optimizer.baselines import SyncHyperband
from syne_tune.optimizer.scheduler import SchedulerDecision
from syne_tune.optimizer.schedulers.synchronous import (
    SynchronousHyperbandRungSystem,
    SynchronousHyperbandScheduler,
)

C, P, S = SchedulerDecision.CONTINUE, SchedulerDecision.PAUSE, SchedulerDecision.STOP
SPACE = {"x": uniform(0, 1), "epochs": 3}


def trial(tid, epochs=3):
    return Trial(tid, {"x": 0.5, "epochs": epochs}, datetime(2024, 1, 1))


def test_geometric_brackets_match_hyperband_paper():
    rungs = SynchronousHyperbandRungSystem.geometric(1, 81, 3)
    assert rungs == [
        [(81, 1), (27, 3), (9, 9), (3, 27), (1, 81)],
        [(34, 3), (11, 9), (3, 27), (1, 81)],
        [(15, 9), (5, 27), (1, 81)],
        [(8, 27), (2, 81)],
        [(5, 81)],
    ]
    assert SynchronousHyperbandRungSystem.geometric(1, 81, 3, num_brackets=1) == rungs[:1]


@pytest.mark.parametrize("mode", ["min", "max"])
def test_promotion_waits_for_complete_rung(mode):
    sign = 1 if mode == "min" else -1
    sched = SynchronousHyperbandScheduler(
        SPACE, bracket_rungs=[[(3, 1), (1, 3)]], metric="y", mode=mode, max_resource_attr="epochs", random_seed=0
    )
    for tid in range(3):
        sug = sched.suggest(tid)
        assert sug.spawn_new_trial_id and sug.config["epochs"] == 1
    # All 3 slots of rung 1 are pending: a 4th job opens a new bracket
    sug = sched.suggest(3)
    assert sug.spawn_new_trial_id and sug.config["epochs"] == 1
    assert len(sched.bracket_manager.brackets) == 2
    values = {0: 5.0, 1: 2.0, 2: 4.0}
    for tid in (0, 1):
        assert sched.on_trial_result(trial(tid, 1), {"y": sign * values[tid], "epoch": 1}) == P
        sched.on_trial_remove(trial(tid, 1))
    # Rung not complete yet: trial 1 is not promoted, the next job is the
    # remaining slot of bracket 1
    sug = sched.suggest(4)
    assert sug.spawn_new_trial_id
    assert sched.on_trial_result(trial(2, 1), {"y": sign * values[2], "epoch": 1}) == P
    sched.on_trial_remove(trial(2, 1))
    best = 1  # values are negated for "max": the same trial is best
    sug = sched.suggest(5)
    assert (sug.spawn_new_trial_id, sug.checkpoint_trial_id, sug.config["epochs"]) == (False, best, 3)
    t = trial(best, 3)
    assert sched.on_trial_result(t, {"y": 1.0, "epoch": 2}) == C
    # Last level of the bracket: the trial is done (its script ends at 3)
    assert sched.on_trial_result(t, {"y": 1.0, "epoch": 3}) == C


def test_failed_trial_fills_slot_and_unblocks_rung():
    sched = SynchronousHyperbandScheduler(
        SPACE, bracket_rungs=[[(2, 1), (1, 3)]], metric="y", max_resource_attr="epochs", random_seed=0
    )
    sched.suggest(0)
    sched.suggest(1)
    assert sched.on_trial_result(trial(0, 1), {"y": 9.0, "epoch": 1}) == P
    sched.on_trial_error(trial(1, 1))  # ranks last (NaN)
    sug = sched.suggest(2)
    assert (sug.spawn_new_trial_id, sug.checkpoint_trial_id) == (False, 0)


def test_sync_hyperband_baseline_arguments():
    sched = SyncHyperband({"x": uniform(0, 1), "epochs": 27}, metric="y", resource_attr="epoch",
                          max_resource_attr="epochs", random_seed=0)
    assert sched.bracket_manager.bracket_rungs[0] == [(27, 1), (9, 3), (3, 9), (1, 27)]
    with pytest.raises(ValueError, match="max_resource"):
        SyncHyperband({"x": uniform(0, 1)}, metric="y", resource_attr="epoch")
    with pytest.raises(ValueError, match="increasing"):
        SynchronousHyperbandScheduler(SPACE, bracket_rungs=[[(2, 3), (1, 1)]], metric="y")
