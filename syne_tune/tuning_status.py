"""Running statistics of a tuning job, read by stop criteria and status prints.

Updated once per result, so every update is O(number of metrics).
"""

from __future__ import annotations

import math
from numbers import Number

from syne_tune.trial import Status, Trial


#: Per-result bookkeeping added by the Reporter; its statistics are never read.
_SKIPPED_KEYS = frozenset(("st_worker_timestamp", "st_worker_time", "st_worker_iter"))


class MetricsStatistics:
    """Count, min, max, sum and last value of each numeric metric (the
    Reporter's ``st_worker_*`` timestamps are left out)."""

    def __init__(self):
        self.count = 0
        self.min_metrics: dict[str, float] = {}
        self.max_metrics: dict[str, float] = {}
        self.sum_metrics: dict[str, float] = {}
        self.last_metrics: dict[str, float] = {}

    def add(self, result: dict) -> None:
        self.count += 1
        mins, maxs, sums, last = self.min_metrics, self.max_metrics, self.sum_metrics, self.last_metrics
        for key, value in result.items():
            kind = type(value)
            if kind is not float and kind is not int:
                if kind is bool or not isinstance(value, Number):
                    continue
            if key in _SKIPPED_KEYS:
                continue
            if key in mins:
                if value < mins[key]:
                    mins[key] = value
                elif value > maxs[key]:
                    maxs[key] = value
                sums[key] += value
            else:
                mins[key] = maxs[key] = sums[key] = value
            last[key] = value


class TuningStatus:
    """What the tuner knows about the trials so far.

    Parameters
    ----------
    metric_names
        Metrics of the scheduler (used for the status print).
    """

    def __init__(self, metric_names: list[str]):
        self.metric_names = list(metric_names)
        self.overall_metric_statistics = MetricsStatistics()
        # one small entry per trial: memory stays low over 100k-trial runs
        self._status: dict[int, str] = {}
        self._num_by_status: dict[str, int] = {}
        self.wallclock_time = 0.0
        self.user_time = 0.0
        self._last_cost: dict[int, float] = {}
        self.cost = 0.0

    # -- counts ----------------------------------------------------------------
    def _count(self, *statuses: str) -> int:
        return sum(self._num_by_status.get(s, 0) for s in statuses)

    @property
    def num_trials_started(self) -> int:
        return len(self._status)

    @property
    def num_trials_completed(self) -> int:
        return self._count(Status.completed)

    @property
    def num_trials_failed(self) -> int:
        return self._count(Status.failed)

    @property
    def num_trials_finished(self) -> int:
        return self._count(Status.completed, Status.stopped, Status.failed)

    @property
    def num_trials_running(self) -> int:
        return self._count(Status.in_progress, Status.stopping)

    # -- updates ---------------------------------------------------------------
    def set_status(self, trial: Trial, status: str) -> None:
        old = self._status.get(trial.trial_id)
        if old == status:
            return
        if old is not None:
            self._num_by_status[old] -= 1
        self._num_by_status[status] = self._num_by_status.get(status, 0) + 1
        self._status[trial.trial_id] = status

    @property
    def trial_rows(self) -> dict[int, dict]:
        """trial_id -> {"trial_id", "status"} for every trial seen."""
        return {tid: {"trial_id": tid, "status": st} for tid, st in self._status.items()}

    def update(self, trial_status_dict: dict[int, tuple[Trial, str]], new_results: list[tuple[int, dict]]) -> None:
        """Record statuses and new results, as returned by the backend."""
        for trial, status in trial_status_dict.values():
            self.set_status(trial, status)
        for trial_id, result in new_results:
            self.add_result(trial_id, result)

    def add_result(self, trial_id: int, result: dict) -> None:
        self.overall_metric_statistics.add(result)
        cost = result.get("st_worker_cost")
        if cost is not None:
            self.cost += cost - self._last_cost.get(trial_id, 0.0)
            self._last_cost[trial_id] = cost

    def mark_running_job_as_stopped(self) -> None:
        for trial_id, status in list(self._status.items()):
            if status in (Status.in_progress, Status.stopping):
                self._num_by_status[status] -= 1
                self._num_by_status[Status.stopped] = self._num_by_status.get(Status.stopped, 0) + 1
                self._status[trial_id] = Status.stopped

    def status_of(self, trial_id: int) -> str | None:
        return self._status.get(trial_id)

    # -- printing --------------------------------------------------------------
    def best_metric(self, metric: str, mode: str) -> float | None:
        stats = self.overall_metric_statistics
        table = stats.min_metrics if mode == "min" else stats.max_metrics
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
            if best is not None and math.isfinite(best):
                parts.append(f"best {metric}={best:.6g} ({mode})")
        return " | ".join(parts)

    def __str__(self) -> str:
        metric = self.metric_names[0] if self.metric_names else None
        return self.summary_line(metric)
