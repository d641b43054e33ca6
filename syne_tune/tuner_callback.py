"""Hooks into the tuner loop.

Subclass :class:`TunerCallback` and override the hooks you need; pass
instances to ``Tuner(callbacks=[...])``. Callbacks store results, drive the
simulator's clock, log to dashboards, etc.
"""

from __future__ import annotations

from syne_tune.trial import Trial


class TunerCallback:
    """Base class of tuner callbacks; every hook does nothing by default."""

    def on_tuning_start(self, tuner) -> None:
        """Called once before the first loop iteration (also when resuming)."""

    def on_tuning_end(self) -> None:
        """Called once after the loop, also after an error or Ctrl-C."""

    def on_loop_start(self) -> None:
        """Called at the start of each loop iteration."""

    def on_loop_end(self) -> None:
        """Called at the end of each loop iteration."""

    def on_fetch_status_results(self, trial_status_dict: dict, new_results: list[tuple[int, dict]]) -> None:
        """Called after the backend returned statuses and new results."""

    def on_trial_complete(self, trial: Trial, result: dict) -> None:
        """Called when a trial completed, with its last result."""

    def on_trial_result(self, trial: Trial, status: str, result: dict, decision: str) -> None:
        """Called for each new result, with the scheduler's decision."""

    def on_tuning_sleep(self, sleep_time: float) -> None:
        """Called when an iteration made no progress, before the tuner waits."""

    def on_start_trial(self, trial: Trial) -> None:
        """Called when a new trial was started."""

    def on_resume_trial(self, trial: Trial) -> None:
        """Called when a paused trial was resumed."""
