"""PlateauStopper (Syne Tune's semantics) and StoppingCriterion argument checks."""

from datetime import datetime
from types import SimpleNamespace

import numpy as np
import pytest

from syne_tune.stopping_criterion import PlateauStopper, StoppingCriterion
from syne_tune.utils.validation import InvalidParameterError


def status(values, num_finished=1, metric="loss"):
    """Stand-in for TuningStatus: trial_rows with the last value of each trial."""
    rows = {}
    for tid, value in enumerate(values):
        row = {"trial_id": tid, "status": "Completed"}
        if value is not None:
            row[metric] = value
        rows[tid] = row
    return SimpleNamespace(num_trials_finished=num_finished, trial_rows=rows)


def test_best_so_far_trajectory():
    stopper = PlateauStopper("loss", num_trials=3)
    assert stopper.best_so_far(status([3.0, None, 1.0, 2.0, float("nan"), 0.5])) == [3.0, 1.0, 1.0, 0.5]
    assert PlateauStopper("acc", mode="max").best_so_far(status([0.1, 0.5, 0.3], metric="acc")) == [0.1, 0.5, 0.5]


def test_stops_when_last_num_trials_best_values_are_flat():
    stopper = PlateauStopper("loss", std=0.01, num_trials=3)
    assert not stopper(status([5.0, 4.0]))  # fewer than num_trials values
    assert not stopper(status([5.0, 4.0, 3.0]))  # std of [5, 4, 3] = 0.82
    # best so far: 5, 4, 3, 3, 3 -> last three [3, 3, 3], std 0
    assert stopper(status([5.0, 4.0, 3.0, 3.5, 6.0]))
    # improvements by less than std still count as a plateau
    values = [5.0, 1.0, 0.999, 0.998]
    assert np.std([1.0, 0.999, 0.998]) <= 0.01
    assert PlateauStopper("loss", std=0.01, num_trials=3)(status(values))


def test_no_stop_before_a_trial_finished():
    stopper = PlateauStopper("loss", num_trials=2)
    assert not stopper(status([1.0, 1.0, 1.0], num_finished=0))
    assert stopper(status([1.0, 1.0, 1.0], num_finished=1))


def test_patience_counts_consecutive_plateau_checks():
    flat, moving = status([3.0, 3.0, 3.0]), status([3.0, 2.0, 1.0])
    stopper = PlateauStopper("loss", num_trials=3, patience=3)
    assert [stopper(flat), stopper(flat)] == [False, False]
    assert not stopper(moving)  # resets the count
    assert [stopper(flat), stopper(flat), stopper(flat)] == [False, False, True]
    # Syne Tune: the count includes the current check, so patience 0 and 1
    # both stop at the first plateau
    assert PlateauStopper("loss", num_trials=3, patience=0)(flat)
    assert PlateauStopper("loss", num_trials=3, patience=1)(flat)
    assert not PlateauStopper("loss", num_trials=3, patience=2)(flat)


def test_mode_max():
    stopper = PlateauStopper("acc", mode="max", num_trials=2, std=0.001)
    assert not stopper(status([0.5, 0.9], metric="acc"))
    assert stopper(status([0.5, 0.9, 0.7], metric="acc"))  # best: 0.9, 0.9


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"std": 0}, "The 'std' parameter of PlateauStopper must be a float in the range (0, inf). Got 0 instead."),
        ({"num_trials": 1}, "The 'num_trials' parameter of PlateauStopper must be an int in the range [2, inf). Got 1 instead."),
        ({"mode": "maximize"}, "The 'mode' parameter of PlateauStopper must be a str among {'max', 'min'}. Got 'maximize' instead."),
        ({"patience": -1}, "The 'patience' parameter of PlateauStopper must be an int in the range [0, inf). Got -1 instead."),
        ({"metric": None}, "The 'metric' parameter of PlateauStopper must be a str. Got None instead."),
    ],
)
def test_plateau_stopper_argument_errors(kwargs, message):
    args = dict(metric="loss")
    args.update(kwargs)
    with pytest.raises(InvalidParameterError) as err:
        PlateauStopper(**args)
    assert message in str(err.value)


def test_with_the_real_tuning_status():
    from syne_tune.trial import Status, Trial
    from syne_tune.tuning_status import TuningStatus

    tuning_status = TuningStatus(["loss"])
    trials = {tid: Trial(tid, {"x": tid}, datetime(2024, 1, 1)) for tid in range(4)}
    tuning_status.update({tid: (t, Status.completed) for tid, t in trials.items()},
                         [(tid, {"loss": 1.0, "epoch": 1}) for tid in trials])
    if "loss" not in tuning_status.trial_rows[0]:
        pytest.skip("TuningStatus.trial_rows does not hold the last metric values yet")
    assert PlateauStopper("loss", num_trials=4)(tuning_status)


def test_stopping_criterion_argument_errors():
    with pytest.raises(InvalidParameterError, match="The 'max_num_trials_completed' parameter of StoppingCriterion"):
        StoppingCriterion(max_num_trials_completed=-3)
    with pytest.raises(InvalidParameterError, match="The 'max_wallclock_time' parameter of StoppingCriterion"):
        StoppingCriterion(max_wallclock_time="soon")
    with pytest.raises(InvalidParameterError, match="The 'min_metric_value' parameter of StoppingCriterion must be a dict"):
        StoppingCriterion(min_metric_value=0.5)
    assert StoppingCriterion(max_wallclock_time=10, max_num_trials_started=0).max_wallclock_time == 10
