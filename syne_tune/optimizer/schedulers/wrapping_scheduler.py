"""Schedulers that wrap another one.

:class:`WrappingSchedulerMixin` passes every call of the
:class:`~syne_tune.optimizer.scheduler.TrialScheduler` interface on to the
wrapped scheduler, :attr:`scheduler`; a wrapper overrides only what it
changes (:class:`~syne_tune.optimizer.schedulers.median_stopping_rule.MedianStoppingRule`
its decisions, :class:`~syne_tune.optimizer.schedulers.transfer_learning.BoundingBox`
the space the wrapped scheduler searches and its metadata). The mixin comes
first among the bases: ``class MyWrapper(WrappingSchedulerMixin, TrialScheduler)``.
"""

from __future__ import annotations

from syne_tune.optimizer.scheduler import TrialSuggestion
from syne_tune.trial import Trial

__all__ = ["WrappingSchedulerMixin"]


class WrappingSchedulerMixin:
    """Every scheduler call goes to :attr:`scheduler` (set by the subclass)."""

    scheduler = None

    def suggest(self, trial_id: int) -> TrialSuggestion | None:
        return self.scheduler.suggest(trial_id)

    def _suggest(self, trial_id: int) -> TrialSuggestion | None:
        return self.scheduler._suggest(trial_id)

    def on_trial_add(self, trial: Trial) -> None:
        self.scheduler.on_trial_add(trial)

    def on_trial_error(self, trial: Trial) -> None:
        self.scheduler.on_trial_error(trial)

    def on_trial_result(self, trial: Trial, result: dict) -> str:
        return self.scheduler.on_trial_result(trial, result)

    def on_trial_complete(self, trial: Trial, result: dict) -> None:
        self.scheduler.on_trial_complete(trial, result)

    def on_trial_remove(self, trial: Trial) -> None:
        self.scheduler.on_trial_remove(trial)

    def metric_names(self) -> list[str]:
        return self.scheduler.metric_names()

    def metric_mode(self) -> str | list[str]:
        return self.scheduler.metric_mode()

    def is_multiobjective_scheduler(self) -> bool:
        return self.scheduler.is_multiobjective_scheduler()

    def trials_checkpoints_can_be_removed(self) -> list[int]:
        return self.scheduler.trials_checkpoints_can_be_removed()

    def set_time_keeper(self, time_keeper) -> None:
        super().set_time_keeper(time_keeper)
        self.scheduler.set_time_keeper(time_keeper)
