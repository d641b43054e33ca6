"""Trials and their statuses: the types shared by the tuner, the backends and
the schedulers.

They sit below every layer (nothing here imports another part of the
library), so a scheduler can be written without importing a backend and the
other way round. ``syne_tune.backend.trial_status`` is the old import path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


class Status:
    """Status strings of a trial (the values stored in the ``st_status`` column)."""

    completed = "Completed"
    in_progress = "InProgress"
    failed = "Failed"
    paused = "Paused"
    stopped = "Stopped"
    stopping = "Stopping"

    #: Statuses after which a trial will not report again unless resumed.
    finished = (completed, failed, stopped)


@dataclass
class Trial:
    """A configuration being (or having been) evaluated.

    Parameters
    ----------
    trial_id
        Unique integer id, assigned by the backend (0, 1, 2, ...).
    config
        Hyperparameter configuration passed to the training script.
    creation_time
        When the trial was created (wall-clock, or simulated for the simulator).
    """

    trial_id: int
    config: dict[str, Any]
    creation_time: datetime

    def add_results(self, metrics: dict, status: str, training_end_time: datetime | None):
        return TrialResult(
            trial_id=self.trial_id,
            config=self.config,
            creation_time=self.creation_time,
            metrics=metrics,
            status=status,
            training_end_time=training_end_time,
        )


@dataclass
class TrialResult(Trial):
    """A trial together with its reported metrics and current status."""

    metrics: list[dict] = field(default_factory=list)
    status: str = Status.in_progress
    training_end_time: datetime | None = None

    @property
    def seconds(self) -> int:
        end = self.training_end_time or datetime.now()
        return int((end - self.creation_time).seconds)

    @property
    def cost(self) -> float | None:
        from syne_tune.constants import ST_WORKER_COST

        if self.metrics and ST_WORKER_COST in self.metrics[-1]:
            return self.metrics[-1][ST_WORKER_COST]
        return None
