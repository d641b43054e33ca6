"""When to stop tuning.

* :class:`StoppingCriterion`: limits on time, trial counts, cost or metric
  values, combined with OR.
* :class:`PlateauStopper`: stops once the best value found has stopped
  moving. The trials that reported the metric, in the order of their ids,
  give the trajectory of the best value so far (one entry per trial: the best
  of the last reported values of it and all earlier trials, for ``mode``).
  The experiment has *plateaued* when the last ``num_trials`` entries exist
  and their (population) standard deviation is at most ``std``. The stopper
  counts consecutive checks (the tuner checks once per loop iteration) that
  find a plateau, and stops tuning when that count, this check included, is
  at least ``patience`` (so ``patience`` 0 and 1 both stop at the first
  plateau, as in Syne Tune); never before a trial has finished. Per-trial
  values come from ``TuningStatus.trial_rows`` (trial_id -> row with the
  trial's last reported metrics, in the order trials were first seen); rows
  without the metric, or with NaN, are skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np

from syne_tune.tuning_status import TuningStatus
from syne_tune.utils.validation import Interval, Options, validate_parameters

_NON_NEGATIVE_NUMBER = [Interval(Real, 0, None, closed="left"), None]
_NON_NEGATIVE_INT = [Interval(Integral, 0, None, closed="left"), None]


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

    Raises
    ------
    InvalidParameterError
        (a ``ValueError`` and ``TypeError``) for a negative limit or a value
        of the wrong type.
    """

    _parameter_constraints = {
        "max_wallclock_time": _NON_NEGATIVE_NUMBER,
        "max_num_evaluations": _NON_NEGATIVE_INT,
        "max_num_trials_started": _NON_NEGATIVE_INT,
        "max_num_trials_completed": _NON_NEGATIVE_INT,
        "max_cost": _NON_NEGATIVE_NUMBER,
        "max_num_trials_finished": _NON_NEGATIVE_INT,
        "min_metric_value": [dict, None],
        "max_metric_value": [dict, None],
    }

    max_wallclock_time: float | None = None
    max_num_evaluations: int | None = None
    max_num_trials_started: int | None = None
    max_num_trials_completed: int | None = None
    max_cost: float | None = None
    max_num_trials_finished: int | None = None
    min_metric_value: dict[str, float] | None = None
    max_metric_value: dict[str, float] | None = None

    def __post_init__(self):
        # (by field name: reading vars(self) would slow every later attribute access)
        validate_parameters(self, {name: getattr(self, name) for name in self._parameter_constraints})

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


class PlateauStopper:
    """Stops tuning once the best value of ``metric`` has plateaued over the
    last ``num_trials`` trials (see the module docstring for the rule).

    Parameters
    ----------
    metric
        Metric to watch.
    std
        Largest standard deviation of the last ``num_trials`` best-so-far
        values that counts as a plateau.
    num_trials
        Number of trials (at least 2) the plateau must span.
    mode
        "min" or "max": what "best" means.
    patience
        Number of consecutive checks that must find a plateau before tuning
        stops (0 or 1: stop at the first).

    Raises
    ------
    InvalidParameterError
        (a ``ValueError`` and ``TypeError``) for an argument of the wrong type
        or out of range, e.g. ``num_trials`` below 2.
    """

    _parameter_constraints = {
        "metric": [str],
        "std": [Interval(Real, 0, None, closed="neither")],
        "num_trials": [Interval(Integral, 2, None, closed="left")],
        "mode": [Options(str, {"min", "max"})],
        "patience": [Interval(Integral, 0, None, closed="left")],
    }

    def __init__(self, metric: str, std: float = 0.001, num_trials: int = 10, mode: str = "min", patience: int = 0):
        validate_parameters(self, locals())
        self.metric = metric
        self.std = float(std)
        self.num_trials = int(num_trials)
        self.mode = mode
        self.patience = int(patience)
        self._sign = 1.0 if mode == "min" else -1.0
        #: Consecutive checks that found a plateau.
        self.num_plateau_checks = 0

    def best_so_far(self, status: TuningStatus) -> list[float]:
        """Best value so far after each trial that reported ``metric`` (in the
        order of ``status.trial_rows``), in the metric's own sign.

        Parameters
        ----------
        status
            The tuning status (only ``trial_rows`` is read).

        Returns
        -------
        list[float]
            One value per trial with the metric.
        """
        trajectory = []
        best = None
        for row in status.trial_rows.values():
            value = row.get(self.metric)
            if value is None or value != value:
                continue
            signed = self._sign * float(value)
            if best is None or signed < best:
                best = signed
            trajectory.append(self._sign * best)
        return trajectory

    def __call__(self, status: TuningStatus) -> bool:
        """``True`` if tuning has to stop."""
        if status.num_trials_finished == 0:
            return False
        last = self.best_so_far(status)[-self.num_trials :]
        plateaued = len(last) == self.num_trials and float(np.std(last)) <= self.std
        self.num_plateau_checks = self.num_plateau_checks + 1 if plateaued else 0
        return plateaued and self.num_plateau_checks >= self.patience
