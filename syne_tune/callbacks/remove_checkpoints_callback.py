"""Early removal of the checkpoints of paused trials that will not be resumed.

Pause-and-resume schedulers keep a paused trial's checkpoint, since it may be
resumed. Some know when a paused trial can no longer be resumed (synchronous
Hyperband: a trial that was not promoted when its rung completed) and report
it through
:meth:`~syne_tune.optimizer.scheduler.TrialScheduler.trials_checkpoints_can_be_removed`
(each id once). :class:`RemoveCheckpointsCallback` asks for these ids at the
end of every tuner loop iteration and deletes their checkpoints with
``trial_backend.delete_checkpoint(trial_id)``. Stopped and completed trials
are not its business: backends with ``delete_checkpoints=True`` remove their
checkpoints themselves.

Schedulers that support early checkpoint removal derive from
:class:`RemoveCheckpointsSchedulerMixin`; its
:meth:`~RemoveCheckpointsSchedulerMixin.callback_for_checkpoint_removal`
returns the callback to use (:class:`RemoveCheckpointsCallback` by default,
the speculative
:class:`~syne_tune.callbacks.hyperband_remove_checkpoints_callback.HyperbandRemoveCheckpointsCallback`
for promotion-type ``HyperbandScheduler``). :func:`default_callbacks` is what
the tuner calls: it returns that callback iff the backend was created with
``delete_checkpoints=True``.
"""

from __future__ import annotations

from typing import Any, Callable

from syne_tune.tuner_callback import TunerCallback

__all__ = [
    "RemoveCheckpointsCallback",
    "RemoveCheckpointsSchedulerMixin",
    "DefaultRemoveCheckpointsSchedulerMixin",
    "default_callbacks",
]


class RemoveCheckpointsCallback(TunerCallback):
    """Deletes the checkpoints of the paused trials that the scheduler reports
    through ``trials_checkpoints_can_be_removed()``, at the end of every loop
    iteration."""

    def __init__(self):
        self._scheduler = None
        self._trial_backend = None

    def on_tuning_start(self, tuner) -> None:
        if not callable(getattr(tuner.scheduler, "trials_checkpoints_can_be_removed", None)):
            raise TypeError(
                f"RemoveCheckpointsCallback needs a scheduler with a trials_checkpoints_can_be_removed() "
                f"method, got {type(tuner.scheduler).__name__}"
            )
        self._scheduler = tuner.scheduler
        self._trial_backend = tuner.trial_backend

    def on_loop_end(self) -> None:
        for trial_id in self._scheduler.trials_checkpoints_can_be_removed():
            self._trial_backend.delete_checkpoint(trial_id)

    def __getstate__(self) -> dict:
        # the tuner saves its callbacks; references are set again on start
        return {"_scheduler": None, "_trial_backend": None}


class RemoveCheckpointsSchedulerMixin:
    """Base of schedulers supporting early checkpoint removal.

    The default :meth:`callback_for_checkpoint_removal` returns a
    :class:`RemoveCheckpointsCallback`, which relies on the scheduler's
    ``trials_checkpoints_can_be_removed()``; schedulers with their own rule
    override it.
    """

    def callback_for_checkpoint_removal(self, stop_criterion: Callable | None) -> TunerCallback | None:
        """The callback removing checkpoints early for this scheduler.

        Parameters
        ----------
        stop_criterion
            The tuner's stop criterion (some rules need its time budget).

        Returns
        -------
        TunerCallback | None
            The callback, or ``None`` if early removal is not configured.
        """
        return RemoveCheckpointsCallback()


#: Syne Tune's name for the mixin of schedulers that implement
#: ``trials_checkpoints_can_be_removed`` (the general case).
DefaultRemoveCheckpointsSchedulerMixin = RemoveCheckpointsSchedulerMixin


def default_callbacks(trial_backend: Any, scheduler: Any, stop_criterion: Callable | None = None) -> list[TunerCallback]:
    """Callbacks the tuner adds to the user's ones for a (backend, scheduler)
    pair: the scheduler's checkpoint removal callback if the backend deletes
    checkpoints (``delete_checkpoints=True``) and the scheduler supports
    early removal (has ``callback_for_checkpoint_removal``).

    Parameters
    ----------
    trial_backend
        The tuner's backend.
    scheduler
        The tuner's scheduler.
    stop_criterion
        The tuner's stop criterion.

    Returns
    -------
    list[TunerCallback]
        Zero or one callback.
    """
    if not getattr(trial_backend, "delete_checkpoints", False):
        return []
    factory = getattr(scheduler, "callback_for_checkpoint_removal", None)
    if factory is None:
        return []
    callback = factory(stop_criterion)
    return [] if callback is None else [callback]
