"""Running statistics of a tuning job, read by stop criteria and status prints.

Updated once per result at a cost independent of the number of trials: a
result is counted into the overall statistics (O(number of metrics)) and
remembered by reference as its trial's last result (nothing is copied). The
per-trial table (:attr:`TuningStatus.trial_rows`,
:meth:`TuningStatus.get_dataframe`) is built from those references only when
asked for.
"""

from __future__ import annotations

from numbers import Real
from typing import Any

from syne_tune.constants import ST_WORKER_COST, ST_WORKER_ITER, ST_WORKER_TIME, ST_WORKER_TIMESTAMP
from syne_tune.trial import Status, Trial

__all__ = ["MetricsStatistics", "TuningStatus", "print_best_metric_found"]

#: Per-result bookkeeping added by the Reporter; no statistics are kept for it.
_SKIPPED_KEYS = frozenset((ST_WORKER_TIMESTAMP, ST_WORKER_TIME, ST_WORKER_ITER))

#: A trial that reports no more (unless resumed) and is not paused.
_FINISHED = (Status.completed, Status.stopped, Status.stopping, Status.failed)


class MetricsStatistics:
    """Count of results, and minimum, maximum and sum of each numeric metric.

    Only finite values enter ``min_metrics`` and ``max_metrics``: NaN and
    infinite values never become the best value (a metric reported only as
    NaN has no entry). ``sum_metrics`` adds up every value after the first
    finite one (so it is NaN once a NaN was reported). ``bool`` values and
    the Reporter's ``st_worker_timestamp`` / ``st_worker_time`` /
    ``st_worker_iter`` are not metrics.

    Attributes
    ----------
    count
        Number of results added.
    min_metrics, max_metrics
        Metric name -> smallest, largest finite value.
    sum_metrics
        Metric name -> sum of its values.
    min_trial_ids, max_trial_ids
        Metric name -> trial that reported the smallest (largest) value
        first (only for results added with a ``trial_id``).
    last_metrics
        The last result added (the dictionary itself, not a copy).
    """

    def __init__(self):
        self.count = 0
        self.min_metrics: dict[str, float] = {}
        self.max_metrics: dict[str, float] = {}
        self.sum_metrics: dict[str, float] = {}
        self.min_trial_ids: dict[str, int] = {}
        self.max_trial_ids: dict[str, int] = {}
        self.last_metrics: dict[str, Any] = {}

    @property
    def metric_names(self) -> list[str]:
        """Metrics with at least one finite value so far."""
        return list(self.min_metrics)

    def add(self, result: dict, trial_id: int | None = None) -> None:
        """Count ``result`` (a reported result) into the statistics.

        Parameters
        ----------
        result
            Metric name -> value; non-numeric values are skipped.
        trial_id
            Trial that reported it (recorded for the best values).
        """
        self.count += 1
        self.last_metrics = result
        mins, maxs, sums = self.min_metrics, self.max_metrics, self.sum_metrics
        for key, value in result.items():
            kind = type(value)
            if kind is not float and kind is not int:
                if kind is bool or not isinstance(value, Real):
                    continue
            # ``value - value == 0`` is False exactly for NaN and +-inf; NaN
            # never compares smaller or larger, so only candidates are checked
            if key in mins:
                if value < mins[key]:
                    if value - value == 0:
                        mins[key] = value
                        self.min_trial_ids[key] = trial_id
                elif value > maxs[key]:
                    if value - value == 0:
                        maxs[key] = value
                        self.max_trial_ids[key] = trial_id
                sums[key] += value
            elif key not in _SKIPPED_KEYS and value - value == 0:
                mins[key] = maxs[key] = sums[key] = value
                self.min_trial_ids[key] = self.max_trial_ids[key] = trial_id

    def __setstate__(self, state: dict) -> None:
        # objects pickled before the best trial ids were tracked
        state.setdefault("min_trial_ids", {})
        state.setdefault("max_trial_ids", {})
        self.__dict__.update(state)


class TuningStatus:
    """What the tuner knows about the trials so far.

    The Tuner reports status changes with :meth:`set_status` and results
    with :meth:`add_result` (or both at once with :meth:`update`), and sets
    :attr:`wallclock_time`.

    Parameters
    ----------
    metric_names
        Metrics of the scheduler (the first is used for the status print).

    Attributes
    ----------
    overall_metric_statistics
        :class:`MetricsStatistics` over all results (used by the stop
        criteria and the "best found" lines).
    wallclock_time
        Seconds since the start of tuning (set by the Tuner; simulated time
        in simulations).
    cost
        Sum over trials of their last reported ``st_worker_cost``.
    """

    def __init__(self, metric_names: list[str]):
        self.metric_names = list(metric_names)
        self.overall_metric_statistics = MetricsStatistics()
        self.wallclock_time = 0.0
        self.cost = 0.0
        # per trial, small entries holding references only: memory and
        # per-result time stay low over 100k-trial simulations
        self._status: dict[int, str] = {}
        self._num_by_status: dict[str, int] = {}
        self._trials: dict[int, Trial] = {}
        # trial_id -> [number of results, last result]
        self._results: dict[int, list] = {}
        self._last_cost: dict[int, float] = {}

    def __setstate__(self, state: dict) -> None:
        # a TuningStatus pickled (tuner.dill) before trials and results were kept
        state.setdefault("_trials", {})
        state.setdefault("_results", {})
        state.pop("user_time", None)
        self.__dict__.update(state)

    # -- counts ----------------------------------------------------------------
    def _count(self, *statuses: str) -> int:
        by_status = self._num_by_status
        return sum(by_status.get(s, 0) for s in statuses)

    @property
    def num_trials_started(self) -> int:
        """Trials started so far (whatever their status now)."""
        return len(self._status)

    @property
    def num_trials_completed(self) -> int:
        """Trials that ran to their end."""
        return self._count(Status.completed)

    @property
    def num_trials_failed(self) -> int:
        """Trials that failed."""
        return self._count(Status.failed)

    @property
    def num_trials_stopped(self) -> int:
        """Trials stopped by the scheduler (or the user) before their end."""
        return self._count(Status.stopped, Status.stopping)

    @property
    def num_trials_finished(self) -> int:
        """Trials completed, stopped, stopping or failed."""
        return self._count(*_FINISHED)

    @property
    def num_trials_running(self) -> int:
        """Trials in progress."""
        return self._count(Status.in_progress)

    @property
    def user_time(self) -> float:
        """Sum over trials of the ``st_worker_time`` of their last result
        (seconds spent in the training scripts)."""
        total = 0.0
        for _, last in self._results.values():
            value = last.get(ST_WORKER_TIME)
            if value is not None:
                total += value
        return total

    # -- updates ---------------------------------------------------------------
    def set_status(self, trial: Trial, status: str) -> None:
        """Record the current status of ``trial`` (a :class:`Status` string)."""
        trial_id = trial.trial_id
        self._trials[trial_id] = trial
        old = self._status.get(trial_id)
        if old == status:
            return
        if old is not None:
            self._num_by_status[old] -= 1
        self._num_by_status[status] = self._num_by_status.get(status, 0) + 1
        self._status[trial_id] = status

    def add_result(self, trial_id: int, result: dict) -> None:
        """Count a new result of trial ``trial_id``; ``result`` is kept by
        reference as the trial's last result (do not modify it afterwards)."""
        self.overall_metric_statistics.add(result, trial_id)
        entry = self._results.get(trial_id)
        if entry is None:
            self._results[trial_id] = [1, result]
        else:
            entry[0] += 1
            entry[1] = result
        cost = result.get(ST_WORKER_COST)
        if cost is not None:
            self.cost += cost - self._last_cost.get(trial_id, 0.0)
            self._last_cost[trial_id] = cost

    def update(self, trial_status_dict: dict[int, tuple[Trial, str]], new_results: list[tuple[int, dict]]) -> None:
        """Record statuses and new results, as returned by the backend's
        ``fetch_status_results``."""
        for trial, status in trial_status_dict.values():
            self.set_status(trial, status)
        for trial_id, result in new_results:
            self.add_result(trial_id, result)

    def mark_running_job_as_stopped(self) -> None:
        """Mark the trials still in progress (or stopping) as stopped."""
        for trial_id, status in list(self._status.items()):
            if status in (Status.in_progress, Status.stopping):
                self._num_by_status[status] -= 1
                self._num_by_status[Status.stopped] = self._num_by_status.get(Status.stopped, 0) + 1
                self._status[trial_id] = Status.stopped

    def status_of(self, trial_id: int) -> str | None:
        """Current status of ``trial_id`` (``None`` if never seen)."""
        return self._status.get(trial_id)

    # -- per-trial table -------------------------------------------------------
    def _row(self, trial_id: int, status: str | None) -> dict[str, Any]:
        num_results, last = self._results.get(trial_id, (0, None))
        row: dict[str, Any] = {"trial_id": trial_id, "status": status, "iter": num_results}
        trial = self._trials.get(trial_id)
        if trial is not None:
            row.update(trial.config)
        if last is not None:
            row.update(last)
            if ST_WORKER_TIME in last:
                row["worker-time"] = last[ST_WORKER_TIME]
            if ST_WORKER_COST in last:
                row["worker-cost"] = last[ST_WORKER_COST]
        return row

    @property
    def trial_rows(self) -> dict[int, dict[str, Any]]:
        """One row per trial, in the order trials were started.

        ``trial_id -> {"trial_id", "status", "iter" (number of results),
        <config values>, <keys of the last result>, "worker-time",
        "worker-cost"}``; the last two (the last result's ``st_worker_time``
        and ``st_worker_cost``) only if reported. Built on each access: the
        rows are new dictionaries.
        """
        rows = {tid: self._row(tid, status) for tid, status in self._status.items()}
        for tid in self._results:
            if tid not in rows:  # results of a trial whose status was never set
                rows[tid] = self._row(tid, None)
        return rows

    def get_dataframe(self):
        """:attr:`trial_rows` as a pandas DataFrame (one row per trial)."""
        import pandas as pd

        return pd.DataFrame(list(self.trial_rows.values()))

    # -- printing --------------------------------------------------------------
    def best_metric(self, metric: str, mode: str) -> float | None:
        """Best finite value of ``metric`` so far (``mode`` "min" or "max"),
        ``None`` if there is none."""
        stats = self.overall_metric_statistics
        table = stats.min_metrics if mode == "min" else stats.max_metrics
        return table.get(metric)

    def best_trial_id(self, metric: str, mode: str) -> int | None:
        """Trial that first reported :meth:`best_metric` (``None`` if none)."""
        stats = self.overall_metric_statistics
        table = stats.min_trial_ids if mode == "min" else stats.max_trial_ids
        return table.get(metric)

    def summary_line(self, metric: str | None = None, mode: str = "min") -> str:
        """One compact line: trials running / done / failed, results, best so far."""
        parts = [
            f"{self.wallclock_time:8.1f}s",
            f"trials started={self.num_trials_started}",
            f"running={self.num_trials_running}",
            f"completed={self.num_trials_completed}",
            f"stopped={self._count(Status.stopped)}",
            f"paused={self._count(Status.paused)}",
            f"failed={self.num_trials_failed}",
            f"results={self.overall_metric_statistics.count}",
        ]
        if metric is not None:
            best = self.best_metric(metric, mode)
            if best is not None:
                parts.append(f"best {metric}={best:.6g} ({mode})")
        if self.cost > 0.0:
            parts.append(f"cost=${self.cost:.2f}")
        return " | ".join(parts)

    def __str__(self) -> str:
        metric = self.metric_names[0] if self.metric_names else None
        return self.summary_line(metric)


def print_best_metric_found(
    tuning_status: TuningStatus,
    metric_names: list[str],
    mode: str | list[str] | None = None,
) -> tuple[int, float] | None:
    """Print a summary of the tuning job and the best value of the first metric.

    Parameters
    ----------
    tuning_status
        Status of the tuning job.
    metric_names
        Metrics; the first one is reported.
    mode
        ``"min"`` or ``"max"`` (or one mode per metric, of which the first is
        used); ``None``: ``"min"``.

    Returns
    -------
    tuple or None
        ``(trial_id, best value)``; ``None`` if there are no results yet, or
        no finite value of the metric.

    Raises
    ------
    InvalidParameterError
        If ``metric_names`` is empty or ``mode`` is not "min" / "max".
    """
    from syne_tune.utils.validation import InvalidParameterError, Options, check_parameter

    if isinstance(metric_names, str) or not metric_names:
        raise InvalidParameterError(
            f"The 'metric_names' parameter of print_best_metric_found must be a non-empty list of metric names. "
            f"Got {metric_names!r} instead."
        )
    if mode is None:
        mode = "min"
    elif not isinstance(mode, str) and mode:
        mode = list(mode)[0]
    check_parameter("print_best_metric_found", "mode", mode, [Options(str, {"min", "max"})])
    if tuning_status.overall_metric_statistics.count == 0:
        return None
    metric = metric_names[0]
    print("-" * 20)
    print(f"Resource summary (last result is reported):\n{tuning_status}")
    best = tuning_status.best_metric(metric, mode)
    if best is None:
        print(f"{metric}: no finite value reported")
        print("-" * 20)
        return None
    trial_id = tuning_status.best_trial_id(metric, mode)
    print(f"{metric}: best {best} for trial-id {trial_id}")
    print("-" * 20)
    return trial_id, best
