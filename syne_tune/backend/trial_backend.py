"""The one abstract base for every trial backend.

A backend runs trials somewhere (local subprocesses, a Python function in a
subprocess, SageMaker jobs, a Ray cluster, or a simulator) and hands their
reported results back to the tuner. This base class keeps the bookkeeping that
all of them share: the trial table, which results the tuner has already seen,
and the rule that results reported after a pause or stop decision are dropped.
Subclasses implement the ``_schedule`` / ``_pause_trial`` / ``_resume_trial`` /
``_stop_trial`` / ``_all_trial_results`` hooks.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime
from pathlib import Path

from syne_tune.trial import Status, Trial, TrialResult
from syne_tune.constants import ST_WORKER_TIMESTAMP

logger = logging.getLogger(__name__)

BUSY_STATUS = (Status.in_progress, Status.stopping)


class TrialBackend:
    """Abstract trial backend.

    Parameters
    ----------
    delete_checkpoints
        Delete a trial's checkpoint folder once it has finished (and cannot be
        resumed anymore), to save disk space.
    pass_args_as_json
        Pass the configuration to the script as a JSON file
        (``--st_config_json_filename``) instead of one argument per key.
    """

    def __init__(self, delete_checkpoints: bool = False, pass_args_as_json: bool = False):
        self.delete_checkpoints = bool(delete_checkpoints)
        self.pass_args_as_json = bool(pass_args_as_json)
        self.trial_ids: list[int] = []
        self._trials: dict[int, Trial] = {}
        self._status: dict[int, str] = {}
        self._training_end_time: dict[int, datetime | None] = {}
        # number of results of each trial already returned to the tuner
        self._last_metric_seen_index: dict[int, int] = {}
        # after a pause/stop decision, later results are hidden from the tuner
        self._hide_results_after: dict[int, int] = {}

    # -- clock ---------------------------------------------------------------
    def _now(self) -> datetime:
        """Current time; the simulator overrides this with simulated time."""
        return datetime.now()

    # -- public API used by the Tuner ------------------------------------------
    def new_trial_id(self) -> int:
        """Id the next started trial gets."""
        return len(self.trial_ids)

    def start_trial(self, config: dict, checkpoint_trial_id: int | None = None) -> TrialResult:
        """Start a new trial with ``config``; if ``checkpoint_trial_id`` is
        given, its checkpoint is copied first (e.g. PBT's exploit step)."""
        trial_id = self.new_trial_id()
        if checkpoint_trial_id is not None:
            if checkpoint_trial_id not in self._trials:
                raise ValueError(f"checkpoint_trial_id {checkpoint_trial_id} is not a known trial")
            self.copy_checkpoint(checkpoint_trial_id, trial_id)
        trial = Trial(trial_id=trial_id, config=dict(config), creation_time=self._now())
        self.trial_ids.append(trial_id)
        self._trials[trial_id] = trial
        self._status[trial_id] = Status.in_progress
        self._training_end_time[trial_id] = None
        self._last_metric_seen_index[trial_id] = 0
        self._schedule(trial_id, trial.config)
        return trial.add_results(metrics=[], status=Status.in_progress, training_end_time=None)

    def resume_trial(self, trial_id: int, new_config: dict | None = None) -> TrialResult:
        """Resume a paused trial (from its checkpoint), optionally with a new config."""
        self._check_known(trial_id)
        status = self._status[trial_id]
        if status != Status.paused:
            raise ValueError(f"Trial {trial_id} cannot be resumed: its status is {status}, not {Status.paused}")
        trial = self._trials[trial_id]
        if new_config is not None:
            trial.config = dict(new_config)
        self._status[trial_id] = Status.in_progress
        self._training_end_time[trial_id] = None
        self._hide_results_after.pop(trial_id, None)
        self._resume_trial(trial_id)
        self._schedule(trial_id, trial.config)
        return trial.add_results(metrics=[], status=Status.in_progress, training_end_time=None)

    def pause_trial(self, trial_id: int, result: dict | None = None) -> None:
        """Pause a running trial; it keeps its checkpoint and can be resumed."""
        self._check_known(trial_id)
        self._hide_later_results(trial_id)
        self._pause_trial(trial_id, result)
        self._status[trial_id] = Status.paused
        self._training_end_time[trial_id] = self._now()

    def stop_trial(self, trial_id: int, result: dict | None = None) -> None:
        """Stop a running trial for good."""
        self._check_known(trial_id)
        self._hide_later_results(trial_id)
        self._stop_trial(trial_id, result)
        self._status[trial_id] = Status.stopped
        self._training_end_time[trial_id] = self._now()
        if self.delete_checkpoints:
            self.delete_checkpoint(trial_id)

    def stop_all(self) -> None:
        """Stop every trial that is still running."""
        for trial_id, _ in self.busy_trial_ids():
            self.stop_trial(trial_id)

    def busy_trial_ids(self) -> list[tuple[int, str]]:
        """``(trial_id, status)`` of the trials that occupy a worker."""
        return [(tid, st) for tid, st in self._status.items() if st in BUSY_STATUS]

    def fetch_status_results(
        self, trial_ids: list[int]
    ) -> tuple[dict[int, tuple[Trial, str]], list[tuple[int, dict]]]:
        """Statuses of ``trial_ids`` and the results they reported since the last call.

        Returns
        -------
        trial_status_dict
            trial_id -> (trial, status)
        new_results
            list of (trial_id, result), sorted by worker timestamp
        """
        all_results = self._all_trial_results(trial_ids)
        trial_status_dict: dict[int, tuple[Trial, str]] = {}
        new_results: list[tuple[int, dict]] = []
        for trial_result in all_results:
            trial_id = trial_result.trial_id
            metrics = trial_result.metrics
            start = self._last_metric_seen_index.get(trial_id, 0)
            end = min(len(metrics), self._hide_results_after.get(trial_id, len(metrics)))
            if end > start:
                new_results.extend((trial_id, metrics[i]) for i in range(start, end))
                self._last_metric_seen_index[trial_id] = end
            status = self._status[trial_id]
            if status in BUSY_STATUS and trial_result.status in Status.finished:
                # the trial ended by itself (completed or failed)
                status = trial_result.status
                self._status[trial_id] = status
                self._training_end_time[trial_id] = trial_result.training_end_time or self._now()
                if self.delete_checkpoints and status == Status.completed:
                    self.delete_checkpoint(trial_id)
            trial_status_dict[trial_id] = (self._trials[trial_id], status)
        if len(new_results) > 1:
            new_results.sort(key=lambda r: r[1].get(ST_WORKER_TIMESTAMP, 0.0))
        return trial_status_dict, new_results

    # -- helpers ------------------------------------------------------------
    def _check_known(self, trial_id: int):
        if trial_id not in self._trials:
            raise ValueError(f"Unknown trial_id {trial_id}; known ids are 0..{len(self.trial_ids) - 1}")

    def _hide_later_results(self, trial_id: int):
        self._hide_results_after[trial_id] = self._last_metric_seen_index.get(trial_id, 0)

    def trial_status(self, trial_id: int) -> str:
        """Status of a trial as the backend last saw it."""
        self._check_known(trial_id)
        return self._status[trial_id]

    def trials_to_restart(self) -> list[int]:
        """Trials that were running when a saved tuner stopped (e.g. a crash):
        a resumed tuner restarts them. Backends whose trials survive the tuner
        (e.g. remote jobs) return an empty list."""
        return [tid for tid, _ in self.busy_trial_ids()]

    def prepare_restart(self, trial_id: int) -> None:
        """Mark a trial found running in a restored state as paused, so that
        :meth:`resume_trial` restarts it from its checkpoint."""
        self._check_known(trial_id)
        self._status[trial_id] = Status.paused
        self._hide_results_after.pop(trial_id, None)

    # -- files, paths, checkpoints --------------------------------------------
    def set_path(self, results_root: str, tuner_name: str | None = None) -> None:
        """Tell the backend where the tuner writes this run's files."""
        self.results_root = Path(results_root)
        self.tuner_name = tuner_name

    def entrypoint_path(self) -> Path | None:
        """Training script of this backend, if any (stored in metadata)."""
        return None

    def set_entrypoint(self, entry_point: str) -> None:
        raise NotImplementedError(f"{type(self).__name__} has no entry point")

    def stdout(self, trial_id: int) -> list[str]:
        """Lines the trial printed to stdout (empty if the backend has none)."""
        return []

    def stderr(self, trial_id: int) -> list[str]:
        """Lines the trial printed to stderr (empty if the backend has none)."""
        return []

    def stderr_path(self, trial_id: int) -> str | None:
        """File holding the trial's stderr, if the backend writes one."""
        return None

    def copy_checkpoint(self, src_trial_id: int, tgt_trial_id: int) -> None:
        """Copy the checkpoint of ``src_trial_id`` to ``tgt_trial_id``."""
        raise NotImplementedError(f"{type(self).__name__} does not support checkpoint copying")

    def delete_checkpoint(self, trial_id: int) -> None:
        """Delete the checkpoint of ``trial_id`` (no-op if it has none)."""

    def on_tuner_save(self) -> None:
        """Called whenever the tuner saves its state."""

    def reported_metric_names(self) -> list[str] | None:
        """Metric names this backend's trials report, if known before any trial
        runs (the simulator knows them); lets the tuner check the scheduler's
        metric up front. ``None`` if unknown."""
        return None

    def set_time_keeper(self, time_keeper) -> None:
        """Receive the tuner's clock (the simulator shares its own)."""

    def wait_for_activity(self, timeout: float) -> None:
        """Block until a trial may have news (output, exit) or ``timeout``
        seconds passed. The tuner calls this instead of sleeping in real
        time; backends that can watch their trials return early."""
        if timeout > 0:
            time.sleep(timeout)

    # -- hooks for subclasses -------------------------------------------------
    def _schedule(self, trial_id: int, config: dict) -> None:
        """Start (or restart, after a resume) running ``trial_id`` with ``config``."""
        raise NotImplementedError

    def _all_trial_results(self, trial_ids: list[int]) -> list[TrialResult]:
        """All results reported so far by ``trial_ids``, with their current status."""
        raise NotImplementedError

    def _pause_trial(self, trial_id: int, result: dict | None) -> None:
        raise NotImplementedError

    def _resume_trial(self, trial_id: int) -> None:
        """Prepare a paused trial for :meth:`_schedule` (default: nothing)."""

    def _stop_trial(self, trial_id: int, result: dict | None) -> None:
        raise NotImplementedError
