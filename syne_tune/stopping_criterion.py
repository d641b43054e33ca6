"""When to stop tuning."""

from __future__ import annotations

import math
from dataclasses import dataclass

from syne_tune.tuning_status import TuningStatus


def _check_positive(name: str, value, allow_zero: bool = True):
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        raise ValueError(f"StoppingCriterion: {name} must be a number, got {value!r}")
    if value < 0 or (value == 0 and not allow_zero):
        raise ValueError(f"StoppingCriterion: {name} must be positive, got {value!r}")


@dataclass
class StoppingCriterion:
    """Stop tuning as soon as any of the given limits is exceeded.

    All limits are optional and combined with OR. Tuning stops as soon as a
    quantity reaches its limit (e.g. ``max_num_trials_completed=10`` stops
    once 10 trials have completed). ``max_wallclock_time`` is in seconds of
    tuner time (simulated time in the simulator).

    Parameters
    ----------
    max_wallclock_time
        Seconds since tuning started.
    max_num_evaluations
        Number of results reported (over all trials).
    max_num_trials_started, max_num_trials_completed, max_num_trials_finished
        Trial counts (finished = completed + stopped + failed).
    max_cost
        Total cost reported by trials (``st_worker_cost``).
    min_metric_value, max_metric_value
        ``{metric: threshold}``: stop once a reported value goes below
        (above) the threshold.
    """

    max_wallclock_time: float | None = None
    max_num_evaluations: int | None = None
    max_num_trials_started: int | None = None
    max_num_trials_completed: int | None = None
    max_cost: float | None = None
    max_num_trials_finished: int | None = None
    min_metric_value: dict[str, float] | None = None
    max_metric_value: dict[str, float] | None = None

    def __post_init__(self):
        _check_positive("max_wallclock_time", self.max_wallclock_time)
        _check_positive("max_cost", self.max_cost)
        for name in ("max_num_evaluations", "max_num_trials_started", "max_num_trials_completed", "max_num_trials_finished"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
                raise ValueError(f"StoppingCriterion: {name} must be a non-negative integer, got {value!r}")
        for name in ("min_metric_value", "max_metric_value"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, dict):
                raise ValueError(f"StoppingCriterion: {name} must be a dict metric -> threshold, got {value!r}")

    def __call__(self, status: TuningStatus) -> bool:
        if self.max_wallclock_time is not None and status.wallclock_time >= self.max_wallclock_time:
            return True
        if self.max_num_evaluations is not None and status.overall_metric_statistics.count >= self.max_num_evaluations:
            return True
        if self.max_num_trials_started is not None and status.num_trials_started >= self.max_num_trials_started:
            return True
        if self.max_num_trials_completed is not None and status.num_trials_completed >= self.max_num_trials_completed:
            return True
        if self.max_num_trials_finished is not None and status.num_trials_finished >= self.max_num_trials_finished:
            return True
        if self.max_cost is not None and status.cost >= self.max_cost:
            return True
        stats = status.overall_metric_statistics
        if self.min_metric_value:
            for metric, threshold in self.min_metric_value.items():
                if metric in stats.min_metrics and stats.min_metrics[metric] < threshold:
                    return True
        if self.max_metric_value:
            for metric, threshold in self.max_metric_value.items():
                if metric in stats.max_metrics and stats.max_metrics[metric] > threshold:
                    return True
        return False
