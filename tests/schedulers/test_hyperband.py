"""Replays hand-written result streams through HyperbandScheduler and checks
every decision against the ASHA rules (see
syne_tune/optimizer/schedulers/multifidelity/rung_system.py)."""

from datetime import datetime

import numpy as np
import pytest

from syne_tune.trial import Trial
from syne_tune.config_space import uniform
from syne_tune.optimizer.scheduler import SchedulerDecision
from syne_tune.optimizer.schedulers.hyperband import HyperbandScheduler
from syne_tune.optimizer.schedulers.multifidelity import (
    SortedValues,
    get_promotion_quantiles,
    get_rung_levels,
    hyperband_bracket_sizes,
)
from syne_tune.optimizer.schedulers.searchers.searcher import RandomSearcher

C, P, S = SchedulerDecision.CONTINUE, SchedulerDecision.PAUSE, SchedulerDecision.STOP


def trial(tid, config=None):
    return Trial(tid, config or {"x": 0.5, "epochs": 27}, datetime(2024, 1, 1))


class RecordingSearcher(RandomSearcher):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.calls = []

    def on_trial_result(self, trial_id, config, result, update):
        self.calls.append(("result", trial_id, result["epoch"], update))

    def register_pending(self, trial_id, config=None, milestone=None):
        self.calls.append(("pending", trial_id, milestone))

    def remove_case(self, trial_id, **kwargs):
        self.calls.append(("remove", trial_id, kwargs["epoch"]))


SPACE = {"x": uniform(0, 1), "epochs": 27}


def make(mode="min", **kwargs):
    kwargs.setdefault("max_resource_attr", "epochs")
    return HyperbandScheduler(SPACE, metric="y", mode=mode, random_seed=0, **kwargs)


# -- rung levels ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "max_t, grace, eta, expected",
    [
        (81, 1, 3, [1, 3, 9, 27]),
        (27, 1, 3, [1, 3, 9]),
        (100, 1, 3, [1, 3, 9, 27, 81]),
        (100, 2, 3, [2, 6, 18, 54]),
        (10, 1, 2, [1, 2, 4, 8]),
        (200, 5, 2.5, [5, 12, 31, 78, 195]),
    ],
)
def test_rung_levels_geometric(max_t, grace, eta, expected):
    assert get_rung_levels(max_t, grace_period=grace, reduction_factor=eta) == expected
    assert expected == [int(round(grace * eta**k)) for k in range(len(expected))]


def test_rung_levels_other_forms():
    assert get_rung_levels(10, grace_period=2, rung_increment=3) == [2, 5, 8]
    assert get_rung_levels(27, rung_levels=[2, 5, 27]) == [2, 5]
    assert get_promotion_quantiles([1, 3, 9], 27) == [1 / 3, 1 / 3, 1 / 3]
    assert get_promotion_quantiles([2, 5], 10) == [0.4, 0.5]
    with pytest.raises(ValueError, match="grace_period"):
        get_rung_levels(5, grace_period=5)
    with pytest.raises(ValueError, match="reduction_factor"):
        get_rung_levels(27, reduction_factor=1.5)
    with pytest.raises(ValueError, match="increasing"):
        get_rung_levels(27, rung_levels=[3, 2])
    with pytest.raises(ValueError, match="max_t"):
        get_rung_levels(27, rung_levels=[3, 30])


def test_hyperband_bracket_sizes_match_paper():
    # Li et al. (2018), R = 81, eta = 3: 81, 34, 15, 8, 5 configurations
    assert hyperband_bracket_sizes([1, 3, 9, 27], 81, 5) == [81, 34, 15, 8, 5]


def test_sorted_values_quantile_and_rank_match_numpy():
    rng = np.random.RandomState(0)
    sv = SortedValues(load=4)
    values = []
    for _ in range(500):
        v = float(rng.choice([rng.randn(), 0.5]))  # with duplicates
        sv.add(v)
        values.append(v)
        if len(values) % 37 == 0:
            arr = np.sort(values)
            assert sv.to_list() == arr.tolist()
            for q in (0.0, 1 / 3, 0.5, 0.9, 1.0):
                assert sv.quantile(q) == pytest.approx(np.quantile(arr, q), abs=1e-12)
            for probe in (-1.0, 0.5, 2.0):
                assert sv.rank(probe) == int(np.sum(arr < probe))
                assert sv.rank_right(probe) == int(np.sum(arr <= probe))
            assert sv[len(values) // 2] == arr[len(values) // 2]


# -- stopping ------------------------------------------------------------------------


# (trial, epoch, y, expected decision); rungs 1, 3, 9; max_t 27; eta 3.
# At a rung: continue iff fewer than 2 values or y <= np.quantile(values, 1/3).
STOPPING_STREAM = [
    (0, 1, 5.0, C),  # first at rung 1
    (1, 1, 3.0, C),  # [3, 5]: cutoff 3.667
    (2, 1, 4.0, S),  # [3, 4, 5]: cutoff 3.667
    (3, 1, 1.0, C),  # [1, 3, 4, 5]: cutoff 3
    (4, 1, 3.0, C),  # [1, 3, 3, 4, 5]: cutoff 3, tie continues
    (5, 1, 3.5, S),  # [1, 3, 3, 3.5, 4, 5]: cutoff 3
    (0, 2, 4.0, C),  # not a rung level
    (0, 3, 4.0, C),  # first at rung 3
    (1, 2, 2.5, C),
    (1, 3, 2.5, C),  # [2.5, 4]: cutoff 3.0
    (3, 2, 0.5, C),
    (3, 3, 4.5, S),  # [2.5, 4, 4.5]: cutoff 3.5
    (4, 3, 2.0, C),  # [2, 2.5, 4, 4.5]: cutoff 2.5
]


@pytest.mark.parametrize("mode", ["min", "max"])
def test_stopping_decisions(mode):
    sign = 1 if mode == "min" else -1
    sched = make(mode=mode, type="stopping")
    recorded = {}
    for tid, epoch, y, expected in STOPPING_STREAM:
        decision = sched.on_trial_result(trial(tid), {"y": sign * y, "epoch": epoch})
        assert decision == expected, (tid, epoch, y)
        if epoch in (1, 3, 9):
            values = recorded.setdefault(epoch, [])
            values.append(y)
            # The published rule, with numpy's quantile
            rule = len(values) < 2 or y <= np.quantile(values, 1 / 3)
            assert (decision == C) == rule
    assert sched.rung_system.rung_entries(1) == {0: 5 * sign, 1: 3 * sign, 2: 4 * sign, 3: 1 * sign, 4: 3 * sign, 5: 3.5 * sign}


def test_stopped_trial_reporting_again_keeps_stop():
    sched = make()
    for tid, epoch, y, _ in STOPPING_STREAM[:3]:
        sched.on_trial_result(trial(tid), {"y": y, "epoch": epoch})
    assert sched.on_trial_result(trial(2), {"y": 0.0, "epoch": 2}) == S


def test_skipped_rung_levels_recorded_at_highest_passed():
    sched = make()
    # epochs 2, then 10: passes rung 1 (recorded at 1 with the epoch-2 value),
    # then jumps over 3 and 9: recorded at 9 only
    assert sched.on_trial_result(trial(0), {"y": 1.0, "epoch": 2}) == C
    assert sched.on_trial_result(trial(0), {"y": 0.5, "epoch": 10}) == C
    rs = sched.rung_system
    assert rs.rung_entries(1) == {0: 1.0}
    assert rs.rung_entries(3) == {}
    assert rs.rung_entries(9) == {0: 0.5}
    assert sched.on_trial_result(trial(0), {"y": 0.4, "epoch": 12}) == C


def test_results_at_and_beyond_max_t():
    sched = make()
    # The script ends at max_t (config epochs == 27): continue, it completes
    assert sched.on_trial_result(trial(0, {"x": 0.1, "epochs": 27}), {"y": 1.0, "epoch": 27}) == C
    # Beyond max_t and the script ends there: continue
    assert sched.on_trial_result(trial(1, {"x": 0.1, "epochs": 30}), {"y": 1.0, "epoch": 30}) == C
    # max_t given smaller than the script's epochs: stop at max_t
    sched = HyperbandScheduler(SPACE, metric="y", max_t=9, random_seed=0)
    assert sched.rung_levels == [1, 3]
    assert sched.on_trial_result(trial(0, {"x": 0.1, "epochs": 27}), {"y": 1.0, "epoch": 9}) == S


def test_missing_metric_or_resource_raises_naming_it():
    sched = make()
    with pytest.raises(ValueError, match="'y'"):
        sched.on_trial_result(trial(0), {"loss": 1.0, "epoch": 1})
    with pytest.raises(ValueError, match="'epoch'"):
        sched.on_trial_result(trial(0), {"y": 1.0, "step": 1})


# -- promotion -------------------------------------------------------------------------


def test_promotion_decisions_and_resume():
    sched = make(type="promotion")
    assert sched.rung_levels == [1, 3, 9]

    def start(expected_id):
        sug = sched.suggest(expected_id)
        assert sug.spawn_new_trial_id
        assert sug.config["epochs"] == 1  # runs up to its first milestone
        t = trial(expected_id, sug.config)
        sched.on_trial_add(t)
        return t

    def report(t, epoch, y, expected):
        decision = sched.on_trial_result(t, {"y": y, "epoch": epoch})
        assert decision == expected
        if decision != C:
            sched.on_trial_remove(t)

    t0 = start(0)
    report(t0, 1, 5.0, P)
    t1 = start(1)  # one value at rung 1: nothing promotable
    report(t1, 1, 3.0, P)
    # rung 1 = [3, 5], cutoff 3.667: trial 1 (3.0) is promoted to rung 3
    sug = sched.suggest(2)
    assert not sug.spawn_new_trial_id and sug.checkpoint_trial_id == 1
    assert sug.config["epochs"] == 3
    report(t1, 2, 2.8, C)
    report(t1, 3, 2.0, P)
    # rung 3 = [2] (one value); rung 1: best paused is trial 0 (5 > 3.667)
    t2 = start(2)
    report(t2, 1, 4.0, P)  # rung 1 = [3, 4, 5]: cutoff 3.667, nobody promotable
    t3 = start(3)
    report(t3, 1, 1.0, P)  # rung 1 = [1, 3, 4, 5]: cutoff 3 -> trial 3
    sug = sched.suggest(4)
    assert (sug.spawn_new_trial_id, sug.checkpoint_trial_id, sug.config["epochs"]) == (False, 3, 3)
    report(t3, 2, 0.9, C)
    report(t3, 3, 1.0, P)  # rung 3 = [1, 2]: cutoff 1.333 -> trial 3 (top rung first)
    sug = sched.suggest(4)
    assert (sug.checkpoint_trial_id, sug.config["epochs"]) == (3, 9)
    for e in range(4, 9):
        report(t3, e, 1.0, C)
    report(t3, 9, 0.5, P)
    # A single value at rung 9: not promotable; rung 3 [1, 2]: trial 1 (2.0) >
    # cutoff; rung 1 [1, 3, 4, 5] cutoff 3: paused 0 (5), 2 (4): none
    sug = sched.suggest(4)
    assert sug.spawn_new_trial_id


def test_promotion_without_max_resource_attr_and_final_rung():
    sched = HyperbandScheduler(SPACE, metric="y", max_t=3, type="promotion", random_seed=1)
    assert sched.rung_levels == [1]
    t0 = trial(0)
    sched.suggest(0)
    assert sched.on_trial_result(t0, {"y": 1.0, "epoch": 1}) == P
    sched.on_trial_remove(t0)
    sched.suggest(1)
    t1 = trial(1)
    assert sched.on_trial_result(t1, {"y": 2.0, "epoch": 1}) == P
    sched.on_trial_remove(t1)
    sug = sched.suggest(2)
    assert not sug.spawn_new_trial_id and sug.checkpoint_trial_id == 0
    assert sug.config is None  # no max_resource_attr: config unchanged
    # Resumed without checkpoint: restarts from epoch 1 (ignored), then 2, 3
    assert sched.on_trial_result(t0, {"y": 1.0, "epoch": 1}) == C
    assert sched.on_trial_result(t0, {"y": 0.9, "epoch": 2}) == C
    # max_t reached; config epochs 27 > 3: stopped at max_t
    assert sched.on_trial_result(t0, {"y": 0.8, "epoch": 3}) == S


# -- searcher integration ---------------------------------------------------------------


def test_searcher_gets_rung_updates_and_pending_milestones():
    searcher = RecordingSearcher(SPACE, metric="y", random_seed=0)
    sched = HyperbandScheduler(SPACE, searcher=searcher, metric="y", max_resource_attr="epochs", random_seed=0)
    sug = sched.suggest(0)
    t0 = trial(0, sug.config)
    sched.on_trial_add(t0)
    for epoch in (1, 2, 3):
        sched.on_trial_result(t0, {"y": 1.0, "epoch": epoch})
    assert searcher.calls == [
        ("pending", 0, 1),  # new trial, first milestone
        ("pending", 0, 3),  # continues at rung 1 towards 3
        ("result", 0, 1, True),  # rung level: searcher learns
        ("result", 0, 2, False),  # between rungs: not used (searcher_data="rungs")
        ("pending", 0, 9),
        ("result", 0, 3, True),
    ]


def test_searcher_data_all_and_rungs_and_last():
    searcher = RecordingSearcher(SPACE, metric="y", random_seed=0)
    sched = HyperbandScheduler(
        SPACE, searcher=searcher, metric="y", max_resource_attr="epochs", random_seed=0, searcher_data="rungs_and_last"
    )
    sched.suggest(0)
    t0 = trial(0)
    for epoch in (1, 2, 3, 4):
        sched.on_trial_result(t0, {"y": 1.0, "epoch": epoch})
    updates = [(c[2], c[3]) for c in searcher.calls if c[0] == "result"]
    assert updates == [(1, True), (2, True), (3, True), (4, True)]
    # epoch 2 (not a rung) is removed once epoch 3 arrives; 1 and 3 are kept
    removes = [c[2] for c in searcher.calls if c[0] == "remove"]
    assert removes == [2]
    pendings = [c[2] for c in searcher.calls if c[0] == "pending"]
    assert pendings == [1, 2, 3, 4, 5, 6, 7, 8, 9]


# -- brackets ---------------------------------------------------------------------------


def test_bracket_sampling_and_first_milestones():
    sched = HyperbandScheduler(
        {"x": uniform(0, 1), "epochs": 81}, metric="y", max_resource_attr="epochs", brackets="all", random_seed=3
    )
    assert sched.brackets == 5
    probs = sched.bracket_manager.bracket_distribution()
    np.testing.assert_allclose(probs, np.array([81, 34, 15, 8, 5]) / 143)
    counts = np.zeros(5)
    firsts = {}
    n = 4000
    for tid in range(n):
        sched.suggest(tid)
        b = sched._trials[tid].bracket
        counts[b] += 1
        firsts.setdefault(b, set()).add(sched.bracket_manager.rung_systems[0]._tasks[tid].milestone)
    np.testing.assert_allclose(counts / n, probs, atol=0.03)
    # bracket b starts at rung level grace_period * eta**b (bracket 4: max_t)
    assert firsts == {0: {1}, 1: {3}, 2: {9}, 3: {27}, 4: {81}}


def test_bracket_trials_skip_lower_rungs():
    sched = HyperbandScheduler(SPACE, metric="y", max_resource_attr="epochs", brackets=3, random_seed=0)
    tid = 0
    while True:
        sched.suggest(tid)
        if sched._trials[tid].bracket == 1:
            break
        tid += 1
    t = trial(tid)
    # bracket 1: rung 1 is not a milestone, rung 3 is the first one
    assert sched.on_trial_result(t, {"y": 1.0, "epoch": 1}) == C
    assert tid not in sched.rung_system.rung_entries(1)
    assert sched.on_trial_result(t, {"y": 1.0, "epoch": 3}) == C
    assert sched.rung_system.rung_entries(3)[tid] == 1.0


def test_rung_system_per_bracket():
    sched = HyperbandScheduler(
        SPACE, metric="y", max_resource_attr="epochs", brackets=2, rung_system_per_bracket=True, random_seed=0
    )
    systems = sched.bracket_manager.rung_systems
    assert [s.rung_levels for s in systems] == [[1, 3, 9], [3, 9]]


# -- cost promotion --------------------------------------------------------------------


def test_cost_promotion_rule():
    sched = HyperbandScheduler(
        SPACE, metric="y", max_resource_attr="epochs", type="cost_promotion", cost_attr="cost", random_seed=0
    )
    for tid, y, cost in [(0, 1.0, 10.0), (1, 2.0, 1.0), (2, 3.0, 1.0)]:
        sched.suggest(tid)
        t = trial(tid)
        assert sched.on_trial_result(t, {"y": y, "epoch": 1, "cost": cost}) == P
        sched.on_trial_remove(t)
    # Best paused is trial 0; its cost 10 > 1/3 * 12: not promotable, so a new
    # trial starts although trial 0 is the best by value
    sug = sched.suggest(3)
    assert sug.spawn_new_trial_id
    t3 = trial(3)
    assert sched.on_trial_result(t3, {"y": 0.5, "epoch": 1, "cost": 0.5}) == P
    sched.on_trial_remove(t3)
    # trial 3 is best, cumulative cost 0.5 <= 12.5 / 3
    sug = sched.suggest(4)
    assert not sug.spawn_new_trial_id and sug.checkpoint_trial_id == 3


def test_cost_offset_summed_over_pause_and_resume():
    searcher = RecordingSearcher(SPACE, metric="y", random_seed=0)
    seen = []
    searcher.on_trial_result = lambda tid, cfg, res, update: seen.append(res.get("total_cost"))
    sched = HyperbandScheduler(
        SPACE, searcher=searcher, metric="y", max_resource_attr="epochs", type="promotion", cost_attr="cost", random_seed=0
    )
    assert sched._total_cost_attr() == "total_cost"
    sched.suggest(0)
    t0 = trial(0)
    sched.on_trial_result(t0, {"y": 1.0, "epoch": 1, "cost": 2.0})
    sched.on_trial_remove(t0)
    sched.suggest(1)
    t1 = trial(1)
    sched.on_trial_result(t1, {"y": 2.0, "epoch": 1, "cost": 2.0})
    sched.on_trial_remove(t1)
    assert sched.suggest(2).checkpoint_trial_id == 0
    sched.on_trial_result(t0, {"y": 1.0, "epoch": 2, "cost": 1.5})  # cost since resume
    assert seen == [2.0, 2.0, 3.5]


def test_invalid_arguments():
    with pytest.raises(ValueError, match="type"):
        make(type="bogus")
    with pytest.raises(ValueError, match="cost_attr"):
        make(type="cost_promotion")
    with pytest.raises(ValueError, match="max_t"):
        HyperbandScheduler({"x": uniform(0, 1)}, metric="y")
    with pytest.raises(ValueError, match="mode"):
        make(mode="maximize")
    with pytest.raises(ValueError, match="searcher_data"):
        make(searcher_data="some")
    with pytest.raises(TypeError):
        make(not_an_argument=1)


# -- rung reports ------------------------------------------------------------------------


def test_rung_reports_are_frozen_slotted_dataclasses():
    import dataclasses

    from syne_tune.optimizer.schedulers.multifidelity import RungReport, StoppingRungSystem

    rs = StoppingRungSystem([1, 3], [1 / 3, 1 / 3], metric="y", mode="min", resource_attr="epoch", max_t=9)
    rs.on_task_add(0)
    report = rs.on_task_report(0, {"y": 1.0, "epoch": 1})
    assert report == RungReport(task_continues=True, milestone_reached=True, next_milestone=3, ignore_data=False,
                                rung_level=1)
    between = rs.on_task_report(0, {"y": 1.0, "epoch": 2})
    assert between == RungReport(True, False, 3, False, None)
    assert dataclasses.is_dataclass(report) and not hasattr(report, "__dict__")
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.task_continues = False
    # immutable, so equal reports may be one object
    rs.on_task_add(1)
    rs.on_task_report(1, {"y": 0.5, "epoch": 1})
    assert rs.on_task_report(1, {"y": 0.5, "epoch": 2}) is between


def test_promotion_is_a_frozen_dataclass():
    import dataclasses

    from syne_tune.optimizer.schedulers.multifidelity import Promotion, PromotionRungSystem

    rs = PromotionRungSystem([1, 3], [1 / 3, 1 / 3], metric="y", mode="max", resource_attr="epoch", max_t=9)
    assert rs.on_task_schedule(0) is None
    for tid, y in [(0, 1.0), (1, 2.0)]:
        rs.on_task_add(tid)
        assert not rs.on_task_report(tid, {"y": y, "epoch": 1}).task_continues
        rs.on_task_remove(tid)
    promotion = rs.on_task_schedule(2)
    assert promotion == Promotion(trial_id=1, resume_from=1, milestone=3)  # mode max: 2.0 is best
    with pytest.raises(dataclasses.FrozenInstanceError):
        promotion.milestone = 9


# -- brackets default --------------------------------------------------------------------


def test_brackets_default_and_all(caplog):
    space = {"x": uniform(0, 1), "epochs": 81}
    # Syne Tune 0.13: brackets defaults to 1, also when None is passed
    for kwargs in ({}, {"brackets": None}, {"brackets": 1}):
        sched = HyperbandScheduler(space, metric="y", max_resource_attr="epochs", random_seed=0, **kwargs)
        assert sched.brackets == 1 and sched.bracket_manager.num_brackets == 1
    sched = HyperbandScheduler(space, metric="y", max_resource_attr="epochs", brackets="all", random_seed=0)
    assert sched.brackets == 5  # rung levels 1, 3, 9, 27 and max_t 81
    sched = HyperbandScheduler(space, metric="y", max_resource_attr="epochs", brackets=9, random_seed=0)
    assert sched.brackets == 5 and "more than the 5 brackets" in caplog.text
    with pytest.raises(ValueError, match="The 'brackets' parameter of HyperbandScheduler must be an int in the range"):
        HyperbandScheduler(space, metric="y", max_resource_attr="epochs", brackets="most")


# -- argument checks ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"grace_period": 0}, "The 'grace_period' parameter of HyperbandScheduler must be an int in the range [1, inf). Got 0 instead."),
        ({"reduction_factor": 1.5}, "The 'reduction_factor' parameter of HyperbandScheduler must be a float in the range [2, inf). Got 1.5 instead."),
        ({"rung_increment": 0}, "The 'rung_increment' parameter of HyperbandScheduler must be an int in the range [1, inf) or None. Got 0 instead."),
        ({"searcher_data": "some"}, "The 'searcher_data' parameter of HyperbandScheduler must be a str among"),
        ({"type": "bogus"}, "The 'type' parameter of HyperbandScheduler must be a str among {'cost_promotion', 'dyhpo', 'pasha', 'promotion', 'rush_promotion', 'rush_stopping', 'stopping'}. Got 'bogus' instead."),
        ({"resource_attr": ""}, "The 'resource_attr' parameter of HyperbandScheduler must be a non-empty str. Got '' instead."),
        ({"register_pending_myopic": "yes"}, "The 'register_pending_myopic' parameter of HyperbandScheduler must be a bool."),
        ({"rung_system_kwargs": [1]}, "The 'rung_system_kwargs' parameter of HyperbandScheduler must be a dict or None."),
        ({"type": "cost_promotion"}, "The 'cost_attr' parameter of HyperbandScheduler must be the name of the cost"),
    ],
)
def test_argument_errors_name_the_parameter(kwargs, message):
    from syne_tune.utils.validation import InvalidParameterError

    with pytest.raises(InvalidParameterError) as err:
        make(**kwargs)
    assert message in str(err.value)


def test_rung_system_kwargs_unknown_keys_raise_with_closest_names():
    from syne_tune.utils.validation import InvalidParameterError

    with pytest.raises(InvalidParameterError) as err:
        make(type="pasha", rung_system_kwargs={"ranking_critrion": "soft_ranking"})
    msg = str(err.value)
    assert "The 'rung_system_kwargs' parameter of HyperbandScheduler got unknown key 'ranking_critrion'" in msg
    assert "did you mean 'ranking_criterion'" in msg
    assert "Valid keys are: epsilon, epsilon_percentile, epsilon_scaling, ranking_criterion." in msg
    # a PASHA option with another type (no longer ignored)
    with pytest.raises(InvalidParameterError) as err:
        make(type="promotion", rung_system_kwargs={"epsilon": 0.1})
    msg = str(err.value)
    assert "must be empty or None for type='promotion'" in msg and "'epsilon' is an option of type 'pasha' only" in msg
    # valid options pass
    sched = make(type="pasha", rung_system_kwargs={"ranking_criterion": "soft_ranking", "epsilon": 0.2})
    assert sched.rung_system.epsilon == 0.2
    with pytest.raises(InvalidParameterError, match="The 'epsilon_percentile' parameter of PASHARungSystem"):
        make(type="pasha", rung_system_kwargs={"epsilon_percentile": 120})


def test_rung_system_option_names():
    from syne_tune.optimizer.schedulers.multifidelity import RUNG_SYSTEMS

    assert {name: sorted(cls.option_names()) for name, cls in RUNG_SYSTEMS.items()} == {
        "stopping": [],
        "promotion": [],
        "cost_promotion": [],
        "pasha": ["epsilon", "epsilon_percentile", "epsilon_scaling", "ranking_criterion"],
        "dyhpo": ["probability_sh"],
        "rush_stopping": ["num_threshold_candidates"],
        "rush_promotion": ["num_threshold_candidates"],
    }


def test_fifo_arguments_pass_through():
    from syne_tune.optimizer.schedulers.hyperband import fifo_arguments

    args = {"self": None, "config_space": {}, "metric": "y", "mode": "max", "grace_period": 3, "max_t": 9}
    assert fifo_arguments(args) == {"metric": "y", "mode": "max", "max_t": 9}
    sched = HyperbandScheduler(SPACE, metric="y", mode="max", random_seed=5, max_t=9, points_to_evaluate=[])
    assert (sched.metric, sched.mode, sched.random_seed, sched.max_t) == ("y", "max", 5, 9)


# -- early checkpoint removal -----------------------------------------------------------


def test_early_checkpoint_removal_kwargs_checked():
    from syne_tune.utils.validation import InvalidParameterError

    with pytest.raises(InvalidParameterError) as err:
        make(type="promotion", early_checkpoint_removal_kwargs={"max_num_checkpoint": 5})
    assert "did you mean 'max_num_checkpoints'" in str(err.value)
    with pytest.raises(InvalidParameterError, match="must contain 'max_num_checkpoints'"):
        make(type="promotion", early_checkpoint_removal_kwargs={"approx_steps": 5})
    with pytest.raises(InvalidParameterError, match="The 'max_num_checkpoints' parameter of HyperbandRemoveCheckpointsCallback"):
        make(type="promotion", early_checkpoint_removal_kwargs={"max_num_checkpoints": 0})


def test_callback_for_checkpoint_removal():
    from syne_tune import StoppingCriterion
    from syne_tune.callbacks import HyperbandRemoveCheckpointsCallback

    kwargs = {"max_num_checkpoints": 5, "approx_steps": 10}
    sched = make(type="promotion", mode="max", early_checkpoint_removal_kwargs=kwargs)
    callback = sched.callback_for_checkpoint_removal(StoppingCriterion(max_wallclock_time=60))
    assert isinstance(callback, HyperbandRemoveCheckpointsCallback)
    assert (callback.max_num_checkpoints, callback.approx_steps, callback.max_wallclock_time) == (5, 10, 60)
    assert (callback.metric, callback.resource_attr, callback.mode) == ("y", "epoch", "max")
    # the stop criterion's time budget wins over the one in the kwargs
    sched = make(type="promotion", early_checkpoint_removal_kwargs=dict(kwargs, max_wallclock_time=10))
    assert sched.callback_for_checkpoint_removal(StoppingCriterion(max_wallclock_time=60)).max_wallclock_time == 60
    assert sched.callback_for_checkpoint_removal(lambda status: False).max_wallclock_time == 10
    with pytest.raises(ValueError, match="max_wallclock_time"):
        make(type="promotion", early_checkpoint_removal_kwargs=kwargs).callback_for_checkpoint_removal(
            StoppingCriterion(max_num_trials_started=10)
        )
    # not configured, or a type that never pauses: no callback
    assert make(type="promotion").callback_for_checkpoint_removal(StoppingCriterion(max_wallclock_time=60)) is None
    assert make(type="stopping", early_checkpoint_removal_kwargs=kwargs).callback_for_checkpoint_removal(
        StoppingCriterion(max_wallclock_time=60)
    ) is None


def test_terminator_exposes_paused_trials_and_rungs():
    sched = make(type="promotion")
    for tid, y in [(0, 3.0), (1, 1.0), (2, 2.0)]:
        t = trial(tid, {"x": 0.5, "epochs": 1})
        sched.on_trial_add(t)
        assert sched.on_trial_result(t, {"y": y, "epoch": 1}) == P
        sched.on_trial_remove(t)
    terminator = sched.terminator
    assert terminator.support_early_checkpoint_removal()
    assert sorted(terminator.paused_trials()) == [(0, 2, 3.0, 1), (1, 0, 1.0, 1), (2, 1, 2.0, 1)]
    assert terminator.paused_trials(resource=3) == []
    assert terminator.information_for_rungs() == [(9, 0, 1 / 3), (3, 0, 1 / 3), (1, 3, 1 / 3)]
    assert not make(type="stopping").terminator.support_early_checkpoint_removal()
