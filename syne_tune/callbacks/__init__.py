"""Tuner callbacks: TensorBoard logging and early checkpoint removal.

* :class:`TensorboardCallback` -- results, configurations and the best value
  so far, for TensorBoard (needs the ``tensorboard`` extra).
* :class:`RemoveCheckpointsCallback` -- deletes the checkpoints of paused
  trials the scheduler reports as never to be resumed.
* :class:`~syne_tune.callbacks.hyperband_remove_checkpoints_callback.HyperbandRemoveCheckpointsCallback`
  -- speculative checkpoint removal for promotion-type Hyperband.
* :func:`default_callbacks` -- the callbacks the tuner adds for a backend and
  scheduler (checkpoint removal when the backend deletes checkpoints).
"""

from syne_tune.callbacks.hyperband_remove_checkpoints_callback import HyperbandRemoveCheckpointsCallback
from syne_tune.callbacks.remove_checkpoints_callback import (
    RemoveCheckpointsCallback,
    RemoveCheckpointsSchedulerMixin,
    default_callbacks,
)
from syne_tune.callbacks.tensorboard_callback import TensorboardCallback

from syne_tune.utils.logging_setup import install_default_handler

install_default_handler()

__all__ = [
    "TensorboardCallback",
    "RemoveCheckpointsCallback",
    "RemoveCheckpointsSchedulerMixin",
    "HyperbandRemoveCheckpointsCallback",
    "default_callbacks",
]
