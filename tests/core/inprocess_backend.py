"""A tiny in-process backend for testing the Tuner loop on its own.

Each trial evaluates ``objective(config, epoch)`` for epochs 1..max_epochs,
one result per fetch, so the Tuner sees interleaved results from several
trials, as with real workers. Real backends have their own tests.
"""

from __future__ import annotations

from syne_tune.backend.trial_backend import TrialBackend
from syne_tune.trial import Status, TrialResult


def never_fail(config) -> bool:
    return False


class InProcessBackend(TrialBackend):
    def __init__(self, objective, max_epochs: int = 5, fail_if=None):
        super().__init__()
        self.objective = objective
        self.max_epochs = max_epochs
        self.fail_if = fail_if or never_fail
        self._results: dict[int, list[dict]] = {}
        self._epoch: dict[int, int] = {}
        self._clock = 0.0

    def _schedule(self, trial_id, config):
        self._results.setdefault(trial_id, [])
        self._epoch.setdefault(trial_id, 0)

    def _all_trial_results(self, trial_ids):
        out = []
        for tid in trial_ids:
            trial = self._trials[tid]
            status = self._status[tid]
            if status == Status.in_progress:
                if self.fail_if(trial.config):
                    status = Status.failed
                elif self._epoch[tid] < self.max_epochs:
                    self._epoch[tid] += 1
                    self._clock += 1.0
                    epoch = self._epoch[tid]
                    self._results[tid].append(
                        {"epoch": epoch, "loss": self.objective(trial.config, epoch), "st_worker_timestamp": self._clock}
                    )
                else:
                    status = Status.completed
            out.append(TrialResult(trial_id=tid, config=trial.config, creation_time=trial.creation_time, metrics=self._results[tid], status=status))
        return out

    def _pause_trial(self, trial_id, result):
        pass

    def _stop_trial(self, trial_id, result):
        pass

    def stderr(self, trial_id):
        return ["Traceback: boom\n"] if self.fail_if(self._trials[trial_id].config) else []
