"""Median stopping rule (Golovin et al., 2017) wrapped around random search."""

from datetime import datetime

import pytest

from syne_tune.trial import Trial
from syne_tune.config_space import uniform
from syne_tune.optimizer.baselines import MedianStoppingRule, RandomSearch
from syne_tune.optimizer.scheduler import SchedulerDecision

C, S = SchedulerDecision.CONTINUE, SchedulerDecision.STOP
SPACE = {"x": uniform(0, 1)}


def trial(tid):
    return Trial(tid, {"x": 0.5}, datetime(2024, 1, 1))


def make(mode="min", **kwargs):
    kwargs.setdefault("grace_population", 3)
    return MedianStoppingRule(RandomSearch(SPACE, metric="y", mode=mode, random_seed=0), resource_attr="epoch", **kwargs)


# (trial, epoch, y, expected): stop iff >= 3 values at the level and the
# fraction of strictly better values > 0.5
STREAM = [
    (0, 1, 1.0, C),  # 1 value: grace
    (1, 1, 2.0, C),  # 2 values: grace
    (2, 1, 3.0, S),  # 2 of 3 better
    (3, 1, 1.5, C),  # 1 of 4 better
    (4, 1, 2.0, C),  # 2 of 5 better (1, 1.5; 2 is not strictly better)
    (5, 1, 2.5, S),  # 4 of 6 better
]


@pytest.mark.parametrize("mode", ["min", "max"])
def test_median_rule_decisions(mode):
    sign = 1 if mode == "min" else -1
    msr = make(mode=mode, running_average=False)
    for tid, epoch, y, expected in STREAM:
        assert msr.on_trial_result(trial(tid), {"y": sign * y, "epoch": epoch}) == expected


def test_running_average_and_grace_time():
    msr = make(running_average=True, grace_time=2)
    # Level 1 is below grace_time: never stopped there
    for tid, y in [(0, 1.0), (1, 1.0), (2, 9.0)]:
        assert msr.on_trial_result(trial(tid), {"y": y, "epoch": 1}) == C
    # Level 2, running averages: 0 -> (1 + 3) / 2 = 2, 1 -> (1 + 1) / 2 = 1,
    # 2 -> (9 + 0) / 2 = 4.5: 2 of 3 better -> stop although its last value is best
    assert msr.on_trial_result(trial(0), {"y": 3.0, "epoch": 2}) == C
    assert msr.on_trial_result(trial(1), {"y": 1.0, "epoch": 2}) == C
    assert msr.on_trial_result(trial(2), {"y": 0.0, "epoch": 2}) == S


def test_delegation_and_errors():
    inner = RandomSearch(SPACE, metric="y", random_seed=0)
    msr = MedianStoppingRule(inner, resource_attr="epoch")
    assert msr.metric_names() == ["y"] and msr.metric_mode() == "min"
    assert msr.suggest(0).config == inner._postprocess_config({"x": 0.5})
    with pytest.raises(ValueError, match="'y'"):
        msr.on_trial_result(trial(0), {"loss": 1.0, "epoch": 1})
    with pytest.raises(ValueError, match="'epoch'"):
        msr.on_trial_result(trial(0), {"y": 1.0})
    with pytest.raises(ValueError, match="rank_cutoff"):
        MedianStoppingRule(inner, resource_attr="epoch", rank_cutoff=2)
    assert msr.metadata()["scheduler_name"] == "MedianStoppingRule"


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"rank_cutoff": 2}, "The 'rank_cutoff' parameter of MedianStoppingRule must be a float in the range [0, 1]. Got 2 instead."),
        ({"grace_population": 0}, "The 'grace_population' parameter of MedianStoppingRule must be an int in the range [1, inf) or None. Got 0 instead."),
        ({"resource_attr": ""}, "The 'resource_attr' parameter of MedianStoppingRule must be a non-empty str. Got '' instead."),
        ({"running_average": "yes"}, "The 'running_average' parameter of MedianStoppingRule must be a bool."),
        ({"grace_time": "1"}, "The 'grace_time' parameter of MedianStoppingRule must be a float in the range (-inf, inf) or None."),
    ],
)
def test_argument_errors_name_the_parameter(kwargs, message):
    from syne_tune.utils.validation import InvalidParameterError

    args = dict(resource_attr="epoch")
    args.update(kwargs)
    with pytest.raises(InvalidParameterError) as err:
        MedianStoppingRule(RandomSearch(SPACE, metric="y", random_seed=0), **args)
    assert message in str(err.value)
    with pytest.raises(InvalidParameterError, match="The 'scheduler' parameter of MedianStoppingRule must be an instance of 'TrialScheduler'"):
        MedianStoppingRule("ASHA", resource_attr="epoch")


def test_checkpoint_removal_ids_come_from_the_wrapped_scheduler():
    inner = RandomSearch(SPACE, metric="y", random_seed=0)
    inner.trials_checkpoints_can_be_removed = lambda: [3, 4]
    assert MedianStoppingRule(inner, resource_attr="epoch").trials_checkpoints_can_be_removed() == [3, 4]
