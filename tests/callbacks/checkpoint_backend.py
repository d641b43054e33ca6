"""An in-process backend with checkpoints, for the checkpoint removal tests.

A trial runs ``objective(config, epoch)`` for epochs up to
``config[max_resource_attr]``, one epoch per fetch. Its checkpoint is the last
epoch done: a resumed trial continues after it, or starts from epoch 1 if the
checkpoint was deleted. ``delete_log`` records ``(trial_id, status)`` of every
``delete_checkpoint`` call, ``start_epochs`` the epoch each run of a trial
started from.

Written against the polling template of the backends
(``PollingBackend._poll``); falls back to the older template (``_schedule``
and ``_all_trial_results`` on ``TrialBackend``) where that one is not there.
"""

from __future__ import annotations

from syne_tune.trial import Status

try:
    from syne_tune.backend.trial_backend import PolledTrial, PollingBackend as _Base

    _POLLING = True
except ImportError:  # older backend template
    from syne_tune.backend.trial_backend import TrialBackend as _Base

    _POLLING = False


class CheckpointBackend(_Base):
    def __init__(self, objective, max_resource_attr: str = "epochs", delete_checkpoints: bool = True):
        super().__init__(delete_checkpoints=delete_checkpoints)
        self.objective = objective
        self.max_resource_attr = max_resource_attr
        #: trial_id -> last epoch stored
        self.checkpoints: dict[int, int] = {}
        self.delete_log: list[tuple[int, str]] = []
        self.start_epochs: dict[int, list[int]] = {}
        self._configs: dict[int, dict] = {}
        self._results: dict[int, list[dict]] = {}
        self._epoch: dict[int, int] = {}
        self._clock = 0.0

    def _schedule(self, trial_id, config):
        self._configs[trial_id] = dict(config)
        self._results.setdefault(trial_id, [])
        self._epoch[trial_id] = self.checkpoints.get(trial_id, 0)
        self.start_epochs.setdefault(trial_id, []).append(self._epoch[trial_id])

    def _step(self, trial_id) -> tuple[list[dict], str | None]:
        """One epoch of a busy trial: (new results, exit status)."""
        config = self._configs[trial_id]
        if self._epoch[trial_id] >= config[self.max_resource_attr]:
            return [], Status.completed
        self._epoch[trial_id] += 1
        self._clock += 1.0
        epoch = self._epoch[trial_id]
        self.checkpoints[trial_id] = epoch
        result = {"epoch": epoch, "loss": self.objective(config, epoch), "st_worker_timestamp": self._clock}
        self._results[trial_id].append(result)
        return [result], None

    if _POLLING:

        def _poll(self, trial_ids):
            return [PolledTrial(tid, *self._step(tid)) for tid in trial_ids]

    else:

        def _all_trial_results(self, trial_ids):
            out = []
            for tid in trial_ids:
                trial = self._trials[tid]
                status = self._status[tid]
                if status == Status.in_progress:
                    _, exit_status = self._step(tid)
                    status = exit_status or status
                out.append(trial.add_results(metrics=self._results[tid], status=status, training_end_time=None))
            return out

    def _pause_trial(self, trial_id, result):
        pass

    def _stop_trial(self, trial_id, result):
        pass

    def delete_checkpoint(self, trial_id: int) -> None:
        self.delete_log.append((trial_id, self.trial_status(trial_id)))
        self.checkpoints.pop(trial_id, None)


class RecordingBackend:
    """Stand-in backend for calling callback hooks directly: records the ids
    passed to ``delete_checkpoint``."""

    delete_checkpoints = True

    def __init__(self):
        self.deleted = []

    def delete_checkpoint(self, trial_id):
        self.deleted.append(trial_id)
