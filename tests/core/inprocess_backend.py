"""A tiny in-process backend for testing the Tuner loop on its own.

Each trial evaluates ``objective(config, epoch)`` for epochs 1..max_epochs
(or ``config["epochs"]``),
one result per poll, so the Tuner sees interleaved results from several
trials, as with real workers. Real backends have their own tests.
"""

from __future__ import annotations

from syne_tune.backend.trial_backend import PolledTrial, PollingBackend
from syne_tune.trial import Status


def never_fail(config) -> bool:
    return False


class InProcessBackend(PollingBackend):
    def __init__(self, objective, max_epochs: int = 5, fail_if=None):
        super().__init__()
        self.objective = objective
        self.max_epochs = max_epochs
        self.fail_if = fail_if or never_fail
        self._epoch: dict[int, int] = {}
        self._clock = 0.0

    def _schedule(self, trial_id, config):
        self._epoch.setdefault(trial_id, 0)

    def _poll(self, trial_ids):
        out = []
        for tid in trial_ids:
            config = self.get_trial(tid).config
            if self.fail_if(config):
                out.append(PolledTrial(tid, [], Status.failed))
            elif self._epoch[tid] < config.get("epochs", self.max_epochs):
                self._epoch[tid] += 1
                self._clock += 1.0
                epoch = self._epoch[tid]
                result = {"epoch": epoch, "loss": self.objective(config, epoch), "st_worker_timestamp": self._clock}
                out.append(PolledTrial(tid, [result]))
            else:
                out.append(PolledTrial(tid, [], Status.completed))
        return out

    def _pause_trial(self, trial_id, result):
        pass

    def _stop_trial(self, trial_id, result):
        pass

    def stderr(self, trial_id):
        return ["Traceback: boom\n"] if self.fail_if(self.get_trial(trial_id).config) else []
