"""Median stopping rule (Golovin et al., 2017, "Google Vizier"), as a wrapper
around any scheduler.

For each result at resource level ``r`` (e.g. epoch), the trial's value is its
running average up to ``r`` (``running_average=True``) or its latest value.
Values of all trials at level ``r`` are kept sorted. The trial is stopped iff

* at least ``grace_population`` values are recorded at ``r`` (including this
  one),
* ``r >= grace_time``, and
* the fraction of recorded values at ``r`` strictly better than its own is
  larger than ``rank_cutoff`` (0.5: it is worse than the median).

Otherwise the wrapped scheduler decides. New trials always come from the
wrapped scheduler.
"""

from __future__ import annotations

import logging
import math
from numbers import Integral, Real
from typing import Any

from syne_tune.trial import Trial
from syne_tune.optimizer.scheduler import SchedulerDecision, TrialScheduler
from syne_tune.optimizer.schedulers.fifo import check_metric_in_result
from syne_tune.optimizer.schedulers.hyperband import NonEmptyString, check_resource_in_result
from syne_tune.optimizer.schedulers.multifidelity.sorted_values import SortedValues
from syne_tune.optimizer.schedulers.wrapping_scheduler import WrappingSchedulerMixin
from syne_tune.utils.validation import Interval, validate_parameters

logger = logging.getLogger(__name__)


class MedianStoppingRule(WrappingSchedulerMixin, TrialScheduler):
    """Stops trials whose (running average) metric is worse than the median
    of the other trials at the same resource level.

    Parameters
    ----------
    scheduler
        Scheduler making all other decisions (suggestions, and the decision
        for trials the rule does not stop).
    resource_attr
        Resource key in results (e.g. ``"epoch"``).
    running_average
        Compare running averages of a trial's values (default) instead of its
        latest value.
    metric
        Metric to use; default: the wrapped scheduler's (first) metric.
    grace_time
        The rule applies only at resource levels ``>= grace_time``.
    grace_population
        The rule applies only once this many values are recorded at a level.
    rank_cutoff
        Stop if the fraction of better values exceeds this (0.5 = median).

    Raises
    ------
    InvalidParameterError
        (a ``ValueError`` and ``TypeError``) for an argument of the wrong type
        or out of range, e.g. ``rank_cutoff`` outside [0, 1].
    """

    _parameter_constraints = {
        "scheduler": [TrialScheduler],
        "resource_attr": [NonEmptyString()],
        "running_average": ["boolean"],
        "metric": [str, None],
        "grace_time": [Interval(Real, None, None), None],
        "grace_population": [Interval(Integral, 1, None, closed="left"), None],
        "rank_cutoff": [Interval(Real, 0, 1, closed="both")],
    }

    def __init__(
        self,
        scheduler: TrialScheduler,
        resource_attr: str,
        running_average: bool = True,
        metric: str | None = None,
        grace_time: float | None = 1,
        grace_population: int = 5,
        rank_cutoff: float = 0.5,
    ):
        validate_parameters(self, locals())
        super().__init__(scheduler.config_space)
        names = scheduler.metric_names()
        self.scheduler = scheduler
        self.metric = names[0] if metric is None else metric
        mode = scheduler.metric_mode()
        if not isinstance(mode, str):
            # several metrics: the mode of the one used (the first if the
            # rule watches a metric the scheduler does not optimize)
            mode = mode[names.index(self.metric)] if self.metric in names else mode[0]
        self.mode = mode
        self._sign = 1.0 if mode == "min" else -1.0
        self.resource_attr = resource_attr
        self.running_average = bool(running_average)
        self.grace_time = grace_time
        self.grace_population = grace_population
        self.rank_cutoff = float(rank_cutoff)
        # resource level -> sorted signed values
        self._sorted: dict[Any, SortedValues] = {}
        # trial_id -> (sum of signed values, count) for running averages
        self._sums: dict[Any, list] = {}

    # calls not overridden below go to the wrapped scheduler (WrappingSchedulerMixin)

    def metadata(self) -> dict[str, Any]:
        meta = self.scheduler.metadata()
        meta["scheduler_name"] = type(self).__name__
        meta["wrapped_scheduler_name"] = type(self.scheduler).__name__
        return meta

    # -- the rule -------------------------------------------------------------------
    def _grace(self, resource, num_values: int) -> bool:
        if self.grace_population is not None and num_values < self.grace_population:
            return True
        return self.grace_time is not None and resource < self.grace_time

    def on_trial_result(self, trial: Trial, result: dict) -> str:
        check_metric_in_result(result, [self.metric], trial.trial_id)
        resource = check_resource_in_result(result, self.resource_attr, trial.trial_id)
        value = float(result[self.metric])
        signed = math.inf if value != value else self._sign * value
        if self.running_average:
            acc = self._sums.get(trial.trial_id)
            if acc is None:
                acc = self._sums[trial.trial_id] = [0.0, 0]
            acc[0] += signed
            acc[1] += 1
            signed = acc[0] / acc[1]
        values = self._sorted.get(resource)
        if values is None:
            values = self._sorted[resource] = SortedValues()
        num_better = values.rank(signed)
        values.add(signed)
        n = len(values)
        if not self._grace(resource, n) and num_better / n > self.rank_cutoff:
            logger.debug(
                "Trial %s at %s = %s: %d of %d values are better, stopping (median stopping rule)",
                trial.trial_id, self.resource_attr, resource, num_better, n,
            )
            return SchedulerDecision.STOP
        return self.scheduler.on_trial_result(trial, result)
