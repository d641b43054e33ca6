"""Synchronous Hyperband: rungs are promoted only once complete."""

from datetime import datetime

import pytest

from syne_tune.trial import Trial
from syne_tune.config_space import uniform
from syne_tune.optimizer.baselines import SyncHyperband
from syne_tune.optimizer.scheduler import SchedulerDecision
from syne_tune.optimizer.schedulers.synchronous import (
    SynchronousGeometricHyperbandScheduler,
    SynchronousHyperbandRungSystem,
    SynchronousHyperbandScheduler,
)
from syne_tune.optimizer.schedulers.searchers.searcher import RandomSearcher as RandomSearch_
from syne_tune.utils.validation import InvalidParameterError

C, P, S = SchedulerDecision.CONTINUE, SchedulerDecision.PAUSE, SchedulerDecision.STOP
SPACE = {"x": uniform(0, 1), "epochs": 3}


def trial(tid, epochs=3):
    return Trial(tid, {"x": 0.5, "epochs": epochs}, datetime(2024, 1, 1))


def test_geometric_brackets_round_every_rung_up_as_syne_tune():
    # s_max = 4; bracket b has c = 5 / (5 - b) and rung sizes ceil(c * 3**(4 - b - i)),
    # last rung ceil(c) at 81: computed by hand
    rungs = SynchronousHyperbandRungSystem.geometric(1, 81, 3)
    assert rungs == [
        [(81, 1), (27, 3), (9, 9), (3, 27), (1, 81)],  # c = 1
        [(34, 3), (12, 9), (4, 27), (2, 81)],  # c = 1.25: 33.75, 11.25, 3.75, 1.25
        [(15, 9), (5, 27), (2, 81)],  # c = 5/3: 15, 5, 1.67
        [(8, 27), (3, 81)],  # c = 2.5: 7.5, 2.5
        [(5, 81)],  # c = 5
    ]
    assert SynchronousHyperbandRungSystem.geometric(1, 81, 3, num_brackets=1) == rungs[:1]


@pytest.mark.parametrize(
    "args, expected",
    [
        # max_resource not a power of eta: s_max = ceil(log_3 100) = 5, levels 1..81 then 100
        ((1, 100, 3, 2), [
            [(243, 1), (81, 3), (27, 9), (9, 27), (3, 81), (1, 100)],
            [(98, 3), (33, 9), (11, 27), (4, 81), (2, 100)],  # c = 1.2: 97.2, 32.4, 10.8, 3.6, 1.2
        ]),
        # eta = 2, R = 10: s_max = ceil(3.32) = 4; bracket 3 has c = 2.5
        ((1, 10, 2, None), [
            [(16, 1), (8, 2), (4, 4), (2, 8), (1, 10)],
            [(10, 2), (5, 4), (3, 8), (2, 10)],  # c = 1.25: 10, 5, 2.5, 1.25
            [(7, 4), (4, 8), (2, 10)],  # c = 5/3: 6.67, 3.33, 1.67
            [(5, 8), (3, 10)],
            [(5, 10)],
        ]),
        # grace period 2: levels 2, 6, 18, 54 below 100
        ((2, 100, 3, 3), [
            [(81, 2), (27, 6), (9, 18), (3, 54), (1, 100)],
            [(34, 6), (12, 18), (4, 54), (2, 100)],
            [(15, 18), (5, 54), (2, 100)],
        ]),
        # 125 = 5**3 exactly: 3 rung levels below max_resource (floating point
        # would give log_5 125 = 3.0000000000000004)
        ((1, 125, 5, 2), [[(125, 1), (25, 5), (5, 25), (1, 125)], [(34, 5), (7, 25), (2, 125)]]),
    ],
)
def test_geometric_brackets_hand_computed(args, expected):
    assert SynchronousHyperbandRungSystem.geometric(*args) == expected


def test_geometric_brackets_invalid_and_clipped(caplog):
    with pytest.raises(ValueError, match="'min_resource'"):
        SynchronousHyperbandRungSystem.geometric(9, 9, 3)
    with pytest.raises(ValueError, match="'reduction_factor'"):
        SynchronousHyperbandRungSystem.geometric(1, 9, 1.5)
    # 2.5**3 = 15.6 rounds to 16 = max_resource: no valid top rung
    with pytest.raises(ValueError, match="rounds to 16"):
        SynchronousHyperbandRungSystem.geometric(1, 16, 2.5)
    assert len(SynchronousHyperbandRungSystem.geometric(1, 9, 3, num_brackets=10)) == 3
    assert "at most 3 brackets" in caplog.text


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
    assert sched.bracket_manager.bracket_rungs == SynchronousHyperbandRungSystem.geometric(1, 27, 3)
    assert sched.bracket_manager.bracket_rungs[0] == [(27, 1), (9, 3), (3, 9), (1, 27)]
    # max_resource_level (Syne Tune's name) or max_t
    for key in ("max_resource_level", "max_t"):
        sched = SynchronousGeometricHyperbandScheduler(SPACE, metric="y", grace_period=1, reduction_factor=2,
                                                       brackets=1, random_seed=0, **{key: 4})
        assert sched.bracket_manager.bracket_rungs == [[(4, 1), (2, 2), (1, 4)]]
    with pytest.raises(ValueError, match="max_resource"):
        SyncHyperband({"x": uniform(0, 1)}, metric="y", resource_attr="epoch")
    with pytest.raises(ValueError, match="increasing"):
        SynchronousHyperbandScheduler(SPACE, bracket_rungs=[[(2, 3), (1, 1)]], metric="y")


def _pause(sched, tid, value, level, epochs=None):
    t = trial(tid, epochs or level)
    decision = sched.on_trial_result(t, {"y": value, "epoch": level})
    if decision != C:
        sched.on_trial_remove(t)
    return decision


def test_trials_not_promoted_can_have_checkpoints_removed():
    # Syne Tune: once a rung is complete, the trials it does not promote
    # will never be resumed; each id is reported once
    sched = SynchronousHyperbandScheduler(
        {"x": uniform(0, 1), "epochs": 9}, bracket_rungs=[[(4, 1), (2, 3), (1, 9)]], metric="y",
        max_resource_attr="epochs", random_seed=0,
    )
    for tid in range(4):
        assert sched.suggest(tid).spawn_new_trial_id
    assert _pause(sched, 0, 4.0, 1) == P
    assert _pause(sched, 1, 1.0, 1) == P
    assert _pause(sched, 2, 3.0, 1) == P
    assert sched.trials_checkpoints_can_be_removed() == []  # rung not complete
    sched.on_trial_error(trial(3, 1))  # failed: NaN, ranked last
    # rung 1 complete: 1 and 2 promoted, 0 and 3 never run again
    assert sorted(sched.trials_checkpoints_can_be_removed()) == [0, 3]
    assert sched.trials_checkpoints_can_be_removed() == []
    for _ in range(2):
        assert not sched.suggest(4).spawn_new_trial_id
    assert _pause(sched, 1, 0.5, 3, epochs=3) == P
    assert _pause(sched, 2, 0.7, 3, epochs=3) == P
    assert sched.trials_checkpoints_can_be_removed() == [2]
    sug = sched.suggest(4)
    assert (sug.checkpoint_trial_id, sug.config["epochs"]) == (1, 9)
    assert sched.on_trial_result(trial(1, 9), {"y": 0.1, "epoch": 9}) == C
    # last rung of the bracket: nothing to report (the trial completes)
    assert sched.trials_checkpoints_can_be_removed() == []


def test_trial_id_of_failed_suggestion_is_not_reported():
    class NoConfig(RandomSearch_):
        def get_config(self, **kwargs):
            return None

    searcher = NoConfig({"x": uniform(0, 1)}, metric="y", random_seed=0)
    sched = SynchronousHyperbandScheduler(SPACE, bracket_rungs=[[(1, 1), (1, 3)]], searcher=searcher, metric="y")
    assert sched.suggest(0) is None  # the slot counts as failed
    assert sched.trials_checkpoints_can_be_removed() == []


def test_sync_hyperband_argument_errors():
    with pytest.raises(InvalidParameterError, match="The 'searcher_data' parameter of SynchronousHyperbandScheduler"):
        SynchronousHyperbandScheduler(SPACE, bracket_rungs=[[(1, 3)]], metric="y", searcher_data="some")
    with pytest.raises(InvalidParameterError, match="The 'resource_attr' parameter of SynchronousHyperbandScheduler must be a non-empty str"):
        SynchronousHyperbandScheduler(SPACE, bracket_rungs=[[(1, 3)]], metric="y", resource_attr="")
    with pytest.raises(InvalidParameterError, match="The 'grace_period' parameter of SynchronousGeometricHyperbandScheduler must be an int in the range"):
        SynchronousGeometricHyperbandScheduler(SPACE, metric="y", grace_period=0, max_t=9)
    with pytest.raises(InvalidParameterError, match="The 'reduction_factor' parameter of SynchronousGeometricHyperbandScheduler"):
        SynchronousGeometricHyperbandScheduler(SPACE, metric="y", reduction_factor=1, max_t=9)
    with pytest.raises(InvalidParameterError, match="The 'brackets' parameter"):
        SynchronousGeometricHyperbandScheduler(SPACE, metric="y", brackets=0, max_t=9)
    with pytest.raises(InvalidParameterError, match="max_resource_level"):
        SynchronousGeometricHyperbandScheduler(SPACE, metric="y", max_t=9, max_resource_level=9)
    with pytest.raises(InvalidParameterError, match="bracket_rungs"):
        SynchronousGeometricHyperbandScheduler(SPACE, metric="y", max_t=9, bracket_rungs=[[(1, 9)]])


@pytest.mark.parametrize("baseline", ["SyncHyperband", "DEHB", "SyncBOHB"])
def test_fewer_configurations_than_slots_still_promote(baseline):
    """A table of 5 configurations and a first rung of 9 slots: the 4 slots
    that cannot be filled fail, the rung completes, and its best trials are
    resumed at the next levels (a tuner asks again after every result)."""
    from syne_tune.optimizer import baselines
    from syne_tune.testing.scheduler import SchedulerDriver

    space = {"x": uniform(0, 1), "epochs": 9}
    table = [{"x": v} for v in (0.1, 0.3, 0.5, 0.7, 0.9)]
    scheduler = getattr(baselines, baseline)(
        space, metric="loss", resource_attr="epoch", max_resource_attr="epochs", random_seed=0,
        search_options={"restrict_configurations": table}, points_to_evaluate=[],
    )
    driver = SchedulerDriver(scheduler, max_epochs=9, n_workers=2)
    driver.run(200)
    resumed = [entry for entry in driver.log if entry[0] == "resume"]
    assert len({e[1] for e in driver.log if e[0] == "start"}) == 5  # every configuration, once
    assert resumed, "no trial was promoted"
    assert max(e[2] for e in driver.log if e[0] == "decision") == 9  # some trial reached the last level


def test_promoted_trial_that_has_ended_keeps_its_value_and_is_not_resumed():
    # trial 0's script ends at epoch 1, before its slot's level 2 (its last
    # value counts there); it is the best of the rung, so it is promoted to
    # level 4, where it cannot be resumed: the slot keeps its value
    sched = SynchronousHyperbandScheduler(
        SPACE, bracket_rungs=[[(2, 2), (1, 4)]], metric="y", mode="min", random_seed=0, searcher="random"
    )
    trials = []
    for tid in range(2):
        suggestion = sched.suggest(tid)
        assert suggestion.spawn_new_trial_id
        trials.append(Trial(tid, suggestion.config, datetime.now()))
        sched.on_trial_add(trials[-1])
    sched.on_trial_result(trials[0], {"y": 0.1, "epoch": 1})
    sched.on_trial_complete(trials[0], {"y": 0.1, "epoch": 1})
    assert sched.on_trial_result(trials[1], {"y": 0.5, "epoch": 2}) == SchedulerDecision.PAUSE
    following = sched.suggest(2)
    assert following.spawn_new_trial_id  # a new bracket, not a resume of the ended trial 0
