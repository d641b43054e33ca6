"""TuningStatus: counts, best values (finite only), per-trial rows, print_best_metric_found."""

import math
import pickle

import pytest

from syne_tune.trial import Status, Trial
from syne_tune.tuning_status import MetricsStatistics, TuningStatus, print_best_metric_found
from syne_tune.utils.validation import InvalidParameterError


def _trial(trial_id, **config):
    return Trial(trial_id, config, None)


def _result(**metrics):
    return {**metrics, "st_worker_timestamp": 1e9, "st_worker_iter": 0}


@pytest.fixture
def status():
    s = TuningStatus(["loss"])
    s.set_status(_trial(0, lr=0.1, act="relu"), Status.in_progress)
    s.set_status(_trial(1, lr=0.01, act="tanh"), Status.in_progress)
    s.add_result(0, _result(epoch=1, loss=0.9, st_worker_time=1.5))
    s.add_result(1, _result(epoch=1, loss=0.7, st_worker_time=2.0))
    s.add_result(0, _result(epoch=2, loss=0.5, st_worker_time=3.0, st_worker_cost=0.25))
    return s


def test_trial_rows_hold_config_status_and_last_result(status):
    rows = status.trial_rows
    assert list(rows) == [0, 1]
    assert rows[0] == {
        "trial_id": 0, "status": Status.in_progress, "iter": 2, "lr": 0.1, "act": "relu",
        "epoch": 2, "loss": 0.5, "st_worker_time": 3.0, "st_worker_cost": 0.25,
        "st_worker_timestamp": 1e9, "st_worker_iter": 0, "worker-time": 3.0, "worker-cost": 0.25,
    }
    assert rows[1]["iter"] == 1 and rows[1]["loss"] == 0.7 and "worker-cost" not in rows[1]
    status.set_status(_trial(2, lr=0.5, act="relu"), Status.in_progress)
    assert status.trial_rows[2] == {"trial_id": 2, "status": Status.in_progress, "iter": 0, "lr": 0.5, "act": "relu"}


def test_results_are_kept_by_reference_not_copied():
    s = TuningStatus(["loss"])
    s.set_status(_trial(0), Status.in_progress)
    result = _result(loss=1.0)
    s.add_result(0, result)
    assert s.overall_metric_statistics.last_metrics is result
    assert s._results[0][1] is result


def test_get_dataframe(status):
    df = status.get_dataframe()
    assert list(df["trial_id"]) == [0, 1]
    for col in ["trial_id", "status", "iter", "lr", "act", "epoch", "loss", "worker-time"]:
        assert col in df.columns
    assert list(df["loss"]) == [0.5, 0.7]
    assert TuningStatus(["loss"]).get_dataframe().empty


def test_counts():
    s = TuningStatus(["loss"])
    for i, st in enumerate([Status.in_progress, Status.completed, Status.stopped, Status.failed,
                            Status.paused, Status.stopping, Status.in_progress]):
        s.set_status(_trial(i), st)
    assert s.num_trials_started == 7
    assert s.num_trials_running == 2
    assert s.num_trials_completed == 1 and s.num_trials_failed == 1
    assert s.num_trials_finished == 4  # completed, stopped, stopping, failed
    s.set_status(_trial(0), Status.completed)
    assert s.num_trials_completed == 2 and s.num_trials_running == 1
    s.mark_running_job_as_stopped()
    assert s.num_trials_running == 0
    assert s.status_of(6) == Status.stopped and s.status_of(5) == Status.stopped
    assert s.status_of(4) == Status.paused and s.status_of(99) is None
    assert s.trial_rows[6]["status"] == Status.stopped


def test_update_records_statuses_and_results():
    s = TuningStatus(["loss"])
    t0, t1 = _trial(0, x=1), _trial(1, x=2)
    s.update({0: (t0, Status.in_progress), 1: (t1, Status.completed)}, [(0, {"loss": 2.0}), (1, {"loss": 1.0})])
    assert s.num_trials_started == 2 and s.num_trials_completed == 1
    assert s.overall_metric_statistics.count == 2
    assert s.best_metric("loss", "min") == 1.0 and s.best_trial_id("loss", "min") == 1
    assert s.trial_rows[1]["x"] == 2


def test_best_values_ignore_nan_and_infinity():
    s = TuningStatus(["loss"])
    values = [math.nan, 3.0, math.inf, 1.0, -math.inf, math.nan, 2.0]
    for i, v in enumerate(values):
        s.add_result(i, {"loss": v})
    stats = s.overall_metric_statistics
    assert stats.count == len(values)
    assert s.best_metric("loss", "min") == 1.0 and s.best_trial_id("loss", "min") == 3
    assert s.best_metric("loss", "max") == 3.0 and s.best_trial_id("loss", "max") == 1
    assert "best loss=1 (min)" in s.summary_line("loss", "min")


def test_metric_reported_only_as_nan_has_no_best():
    s = TuningStatus(["loss"])
    s.add_result(0, {"loss": math.nan, "acc": float("inf")})
    assert s.best_metric("loss", "min") is None and s.best_metric("acc", "max") is None
    assert "best" not in s.summary_line("loss", "min")


def test_stop_criterion_ignores_non_finite_values():
    from syne_tune import StoppingCriterion

    s = TuningStatus(["loss"])
    below = StoppingCriterion(min_metric_value={"loss": 0.5})
    above = StoppingCriterion(max_metric_value={"loss": 10.0})
    s.add_result(0, {"loss": 1.0})
    s.add_result(0, {"loss": -math.inf})
    s.add_result(1, {"loss": math.inf})
    s.add_result(1, {"loss": math.nan})
    assert not below(s) and not above(s)
    s.add_result(2, {"loss": 0.25})
    assert below(s)


def test_statistics_skip_non_numbers_bools_and_worker_keys():
    stats = MetricsStatistics()
    stats.add({"loss": 2, "name": "a", "flag": True, "st_worker_time": 5.0, "st_worker_timestamp": 1e9}, trial_id=4)
    stats.add({"loss": 1.5}, trial_id=5)
    assert stats.metric_names == ["loss"]
    assert stats.min_metrics == {"loss": 1.5} and stats.max_metrics == {"loss": 2}
    assert stats.sum_metrics == {"loss": 3.5}
    assert stats.min_trial_ids == {"loss": 5} and stats.max_trial_ids == {"loss": 4}


def test_cost_and_user_time(status):
    assert status.cost == pytest.approx(0.25)
    status.add_result(0, _result(loss=0.4, st_worker_cost=0.5, st_worker_time=4.0))
    assert status.cost == pytest.approx(0.5)  # last cost of each trial, summed
    assert status.user_time == pytest.approx(4.0 + 2.0)
    assert "cost=$0.50" in status.summary_line("loss")


def test_pickle_round_trip_and_old_state(status):
    restored = pickle.loads(pickle.dumps(status))
    assert restored.trial_rows == status.trial_rows
    assert restored.best_trial_id("loss", "min") == 0
    old = TuningStatus.__new__(TuningStatus)
    state = pickle.loads(pickle.dumps(status)).__dict__
    del state["_trials"], state["_results"]
    old.__setstate__(state)
    assert old.trial_rows[0]["iter"] == 0 and old.num_trials_started == 2


def test_print_best_metric_found(status, capsys):
    assert print_best_metric_found(status, ["loss"]) == (0, 0.5)  # mode None: "min"
    out = capsys.readouterr().out
    assert out.startswith("-" * 20 + "\nResource summary (last result is reported):\n")
    assert "loss: best 0.5 for trial-id 0\n" in out and out.endswith("-" * 20 + "\n")
    assert print_best_metric_found(status, ["loss", "epoch"], mode=["max", "min"]) == (0, 0.9)
    assert "loss: best 0.9 for trial-id 0" in capsys.readouterr().out


def test_print_best_metric_found_without_results_or_finite_values(capsys):
    s = TuningStatus(["loss"])
    assert print_best_metric_found(s, ["loss"], "min") is None
    assert capsys.readouterr().out == ""
    s.add_result(0, {"loss": math.nan})
    assert print_best_metric_found(s, ["loss"], "min") is None
    assert "loss: no finite value reported" in capsys.readouterr().out


def test_print_best_metric_found_checks_arguments(status):
    with pytest.raises(InvalidParameterError, match=r"The 'mode' parameter of print_best_metric_found must be a str among \{'max', 'min'\}. Got 'best' instead"):
        print_best_metric_found(status, ["loss"], "best")
    with pytest.raises(InvalidParameterError, match="The 'metric_names' parameter of print_best_metric_found must be a non-empty list"):
        print_best_metric_found(status, [])
