"""The trial backend contract, and the bookkeeping backends share.

A backend runs trials somewhere (local subprocesses, a Python function in a
subprocess, SageMaker jobs, a Ray cluster, a simulator) and hands their
reported results back to the tuner. Three pieces:

* :class:`TrialBackend`: the abstract interface the :class:`~syne_tune.Tuner`
  relies on, and nothing more: start, resume, pause and stop trials, fetch
  their new results and statuses, tell which trials are busy, and own the
  clock (:attr:`TrialBackend.time_keeper`) and the waiting
  (:meth:`TrialBackend.wait_for_activity`). Every backend implements it.
* :class:`TrialBookkeepingMixin`: the trial table (ids, :class:`Trial`
  records, statuses) with its transitions checked in one place. A finished
  trial (completed, failed or stopped) keeps only a one-byte status code, so
  the table stays small over 100k-trial simulations.
* :class:`PollingBackend`: the template for backends whose trials run on
  their own (processes, remote jobs, tasks) and are polled for new results:
  a subclass implements :meth:`PollingBackend._schedule`,
  :meth:`PollingBackend._poll`, :meth:`PollingBackend._pause_trial` and
  :meth:`PollingBackend._stop_trial`. The simulator implements
  :class:`TrialBackend` directly on an event queue.

Status transitions (checked by :meth:`TrialBookkeepingMixin._set_status`)::

    start   -> InProgress
    InProgress -> Paused | Stopped | Completed | Failed   (pause, stop, exit)
    Paused  -> InProgress (resume) | Stopped | Completed | Failed

Results a trial reports after the tuner decided to pause or stop it are
never returned by :meth:`TrialBackend.fetch_status_results`, and a trial's
exit (completed, failed) is shown by the first fetch that returns no new
result of it: the tuner can still pause or stop a trial on its final result.

Crash recovery. The tuner journals every result before it acts on it, and
snapshots itself (with its backend) regularly. A backend declares how it is
resumed after a crash by :attr:`TrialBackend.reproduces_from_snapshot`:

* ``True`` (the simulator): the snapshot reproduces everything that happened
  after it, so the results journaled after the snapshot are dropped and
  simulated again;
* ``False`` (real backends): the journaled results after the snapshot are
  replayed to the scheduler, and :meth:`TrialBackend.recover` tells the
  backend how many results of each trial were replayed, so that it does not
  return them again, and lets it deal with the trials that were running
  (adopt them, or kill what is left of them and restart them).
"""

from __future__ import annotations

import abc
from pathlib import Path
from typing import Mapping, NamedTuple

from syne_tune.backend.time_keeper import RealTimeKeeper, TimeKeeper
from syne_tune.constants import ST_WORKER_TIMESTAMP
from syne_tune.trial import Status, Trial, TrialResult

BUSY_STATUS = (Status.in_progress, Status.stopping)

#: one-byte codes of finished statuses (0: the trial is not finished)
_FINISHED_CODE = {Status.completed: 1, Status.failed: 2, Status.stopped: 3}
_CODE_STATUS = (None, Status.completed, Status.failed, Status.stopped)

#: status -> statuses it may change to
_TRANSITIONS = {
    Status.in_progress: {Status.paused, Status.stopped, Status.completed, Status.failed, Status.stopping},
    Status.stopping: {Status.stopped, Status.completed, Status.failed},
    Status.paused: {Status.in_progress, Status.stopped, Status.completed, Status.failed},
}


def _timestamp_of(item: tuple[int, dict]) -> float:
    return item[1].get(ST_WORKER_TIMESTAMP, 0.0)


class TrialBackend(abc.ABC):
    """The interface between the tuner and where trials run.

    Subclasses implement the abstract methods; the others have defaults
    that suit most backends.

    Parameters
    ----------
    delete_checkpoints
        Delete a trial's checkpoint once it cannot be resumed anymore
        (completed or stopped), to save disk space.
    pass_args_as_json
        Pass the configuration to a training script as a JSON file
        (``--st_config_json_filename``) instead of one argument per key.
    """

    #: How a crashed tuner resumes this backend (see the module docstring).
    reproduces_from_snapshot: bool = False

    def __init__(self, delete_checkpoints: bool = False, pass_args_as_json: bool = False):
        from syne_tune.utils.validation import check_parameter

        check_parameter(self, "delete_checkpoints", delete_checkpoints, ["boolean"])
        check_parameter(self, "pass_args_as_json", pass_args_as_json, ["boolean"])
        self.delete_checkpoints = bool(delete_checkpoints)
        self.pass_args_as_json = bool(pass_args_as_json)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # A backend written for Syne Tune's template (hooks on TrialBackend)
        # gets a pointer to our template instead of a bare "abstract method".
        template = globals().get("PollingBackend")
        if (
            template is not None
            and "_schedule" in cls.__dict__
            and not issubclass(cls, template)
            and "fetch_status_results" not in cls.__dict__
        ):
            raise TypeError(
                f"{cls.__name__} implements _schedule: backends built on the _schedule / _poll / "
                "_pause_trial / _stop_trial hooks derive from syne_tune.backend.trial_backend.PollingBackend "
                "(TrialBackend is the bare interface)"
            )

    # -- the clock ---------------------------------------------------------------
    @property
    def time_keeper(self) -> TimeKeeper:
        """The clock of this backend: the tuner, the scheduler and the results
        read "now" from it. Real time unless a subclass says otherwise."""
        keeper = getattr(self, "_time_keeper", None)
        if keeper is None:
            keeper = self._time_keeper = RealTimeKeeper()
        return keeper

    def wait_for_activity(self, timeout: float) -> None:
        """Block until a trial may have news (a result, an exit) or ``timeout``
        seconds passed on this backend's clock. The tuner calls this whenever
        it has nothing to do. Default: sleep ``timeout`` seconds; backends
        that can watch their trials return early, and the simulator moves its
        clock to its next event."""
        if timeout > 0:
            self.time_keeper.advance(timeout)

    # -- trials ------------------------------------------------------------------
    @abc.abstractmethod
    def new_trial_id(self) -> int:
        """Id the next started trial gets (0, 1, 2, ...)."""

    @abc.abstractmethod
    def start_trial(self, config: dict, checkpoint_trial_id: int | None = None) -> TrialResult:
        """Start a new trial with ``config``; with ``checkpoint_trial_id``, it
        starts from a copy of that trial's checkpoint (e.g. PBT's exploit
        step). Returns the trial (status ``InProgress``, no metrics yet)."""

    @abc.abstractmethod
    def resume_trial(self, trial_id: int, new_config: dict | None = None) -> TrialResult:
        """Resume a paused trial from its checkpoint, with ``new_config`` if
        given."""

    @abc.abstractmethod
    def pause_trial(self, trial_id: int, result: dict | None = None) -> None:
        """Pause a running trial; it keeps its checkpoint and can be resumed.
        ``result`` is the result the decision was taken on."""

    @abc.abstractmethod
    def stop_trial(self, trial_id: int, result: dict | None = None) -> None:
        """Stop a running (or paused) trial for good."""

    @abc.abstractmethod
    def fetch_status_results(
        self, trial_ids: list[int]
    ) -> tuple[dict[int, tuple[Trial, str]], list[tuple[int, dict]]]:
        """Statuses of ``trial_ids`` and the results they reported since the
        last call.

        Returns
        -------
        trial_status_dict
            trial_id -> (trial, status)
        new_results
            ``(trial_id, result)`` pairs, in the order they were reported
            (sorted by ``st_worker_timestamp``).
        """

    @abc.abstractmethod
    def busy_trial_ids(self) -> list[tuple[int, str]]:
        """``(trial_id, status)`` of the trials that occupy a worker."""

    @abc.abstractmethod
    def get_trial(self, trial_id: int) -> Trial:
        """The trial with this id (for a finished trial, a record with its id
        and possibly an empty config)."""

    def stop_all(self) -> None:
        """Stop every trial that still occupies a worker."""
        for trial_id, _ in self.busy_trial_ids():
            self.stop_trial(trial_id)

    def interrupt_all(self) -> bool:
        """The tuner is interrupted (Ctrl-C, SIGTERM): end the runs of all busy
        trials now, but keep them busy, so that their results reported so far
        can still be fetched and a resumed tuner restarts them. Returns
        ``True`` if this was done; ``False`` (the default) if the backend
        cannot, and the tuner stops its trials instead."""
        return False

    # -- crash recovery ---------------------------------------------------------
    def recover(self, replayed: Mapping[int, int]) -> None:
        """Called once when a tuner restored from a snapshot resumes, before
        the results journaled after the snapshot are replayed (only for
        backends with ``reproduces_from_snapshot = False``).

        Parameters
        ----------
        replayed
            trial_id -> number of results of that trial journaled after the
            snapshot; the backend must not return these again. Trials that
            were running must be adopted, or killed (only processes verified
            to be theirs) and restarted, never run twice at once.
        """
        if any(replayed.values()):
            raise NotImplementedError(f"{type(self).__name__} cannot resume after a crash")

    # -- files, paths, checkpoints --------------------------------------------
    def set_path(self, results_root: str, tuner_name: str | None = None) -> None:
        """Tell the backend where the tuner writes this run's files."""
        self.results_root = Path(results_root)
        self.tuner_name = tuner_name

    def entrypoint_path(self) -> Path | None:
        """Training script of this backend, if any (stored in metadata)."""
        return None

    def set_entrypoint(self, entry_point: str) -> None:
        """Replace the training script."""
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
        runs (the simulator knows them), so that the tuner can check the
        scheduler's metric up front; ``None`` if unknown."""
        return None


class TrialBookkeepingMixin:
    """The table of a backend's trials and their statuses.

    Trials that are not finished (running or paused) keep their
    :class:`Trial`; a finished trial keeps a one-byte status code only,
    after the tuner has been shown its final status (see
    :meth:`_release_finished`).
    """

    def _init_bookkeeping(self) -> None:
        self._trials: dict[int, Trial] = {}
        self._status: dict[int, str] = {}
        # busy trial ids, in the order they were started (an ordered set)
        self._busy: dict[int, None] = {}
        self._finished = bytearray()
        self._to_release: list[int] = []

    # -- reading -------------------------------------------------------------------
    @property
    def trial_ids(self) -> list[int]:
        """Ids of all trials started so far."""
        return list(range(len(self._finished)))

    def new_trial_id(self) -> int:
        return len(self._finished)

    def _check_known(self, trial_id: int) -> None:
        if (
            isinstance(trial_id, bool)
            or not isinstance(trial_id, int)
            or not 0 <= trial_id < len(self._finished)
        ):
            known = f"0..{len(self._finished) - 1}" if self._finished else "none yet"
            raise ValueError(f"Unknown trial_id {trial_id!r}; known ids are {known}")

    def trial_status(self, trial_id: int) -> str:
        """Status of a trial as the backend sees it."""
        status = self._status.get(trial_id)
        if status is not None:
            return status
        self._check_known(trial_id)
        return _CODE_STATUS[self._finished[trial_id]]

    def get_trial(self, trial_id: int) -> Trial:
        trial = self._trials.get(trial_id)
        if trial is not None:
            return trial
        self._check_known(trial_id)
        return Trial(trial_id=trial_id, config={}, creation_time=None)

    def busy_trial_ids(self) -> list[tuple[int, str]]:
        status = self._status
        return [(trial_id, status[trial_id]) for trial_id in self._busy]

    # -- changing ------------------------------------------------------------------
    def _add_trial(self, trial: Trial) -> None:
        """Register a new trial (its id must be :meth:`new_trial_id`), busy."""
        if trial.trial_id != len(self._finished):
            raise ValueError(f"trial id {trial.trial_id} is not the next id {len(self._finished)}")
        self._finished.append(0)
        self._trials[trial.trial_id] = trial
        self._status[trial.trial_id] = Status.in_progress
        self._busy[trial.trial_id] = None

    def _remove_last_trial(self, trial_id: int) -> None:
        """Undo :meth:`_add_trial` of the latest trial (it could not start)."""
        if trial_id != len(self._finished) - 1:
            raise ValueError(f"trial {trial_id} is not the latest trial")
        self._finished.pop()
        for table in (self._trials, self._status, self._busy):
            table.pop(trial_id, None)

    def _set_status(self, trial_id: int, status: str) -> None:
        """Change a trial's status (checked against the allowed transitions)."""
        old = self.trial_status(trial_id)
        if status == old:
            return
        if status not in _TRANSITIONS.get(old, ()):
            raise ValueError(f"Trial {trial_id} cannot change from {old} to {status}")
        if status in BUSY_STATUS:
            self._busy[trial_id] = None
        else:
            self._busy.pop(trial_id, None)
        self._status[trial_id] = status
        if status in _FINISHED_CODE:
            self._finished[trial_id] = _FINISHED_CODE[status]
            self._to_release.append(trial_id)

    def _resume_in_table(self, trial_id: int, new_config: dict | None, start_run) -> Trial:
        """Resume a paused trial: check it is paused, take ``new_config``,
        mark it busy and call ``start_run()``; if that raises, the trial is
        paused with its old config again. Returns the trial."""
        status = self.trial_status(trial_id)
        if status != Status.paused:
            raise ValueError(f"Trial {trial_id} cannot be resumed: its status is {status}, not {Status.paused}")
        if new_config is not None and not isinstance(new_config, dict):
            raise TypeError(f"new_config must be a dict, got {type(new_config).__name__}")
        trial = self._trials[trial_id]
        old_config = trial.config
        if new_config is not None:
            trial.config = dict(new_config)
        self._set_status(trial_id, Status.in_progress)
        try:
            start_run()
        except BaseException:
            self._set_status(trial_id, Status.paused)
            trial.config = old_config
            raise
        return trial

    def _release_finished(self) -> None:
        """Finished trials whose final status the tuner has seen keep only
        their status code."""
        for trial_id in self._to_release:
            self._status.pop(trial_id, None)
            self._trials.pop(trial_id, None)
        self._to_release = []


class PolledTrial(NamedTuple):
    """What :meth:`PollingBackend._poll` reports for one trial."""

    trial_id: int
    #: results reported since the previous poll, in order
    results: list[dict]
    #: ``Completed`` or ``Failed`` once the trial ended by itself, else ``None``
    exit_status: str | None = None


class PollingBackend(TrialBookkeepingMixin, TrialBackend):
    """Template of backends whose trials run on their own and are polled.

    Subclasses implement:

    * :meth:`_schedule` -- start running a trial (new, or resumed from its
      checkpoint);
    * :meth:`_poll` -- new results and exits of busy trials since the last
      poll; results reported after a pause or stop decision must never be
      returned (a resumed trial's results start after the last result the
      tuner was given), and a trial that ended is reported as ended at every
      poll until it is no longer busy;
    * :meth:`_pause_trial`, :meth:`_stop_trial` -- end a trial's run;
    * optionally :meth:`_resume_trial` (prepare a paused trial for
      :meth:`_schedule`) and :meth:`recover` (crash recovery).

    Parameters
    ----------
    delete_checkpoints, pass_args_as_json
        See :class:`TrialBackend`.
    """

    def __init__(self, delete_checkpoints: bool = False, pass_args_as_json: bool = False):
        super().__init__(delete_checkpoints=delete_checkpoints, pass_args_as_json=pass_args_as_json)
        self._init_bookkeeping()
        # trial_id -> results still to drop (replayed from the journal)
        self._skip: dict[int, int] = {}

    # -- TrialBackend API ----------------------------------------------------------
    def start_trial(self, config: dict, checkpoint_trial_id: int | None = None) -> TrialResult:
        if not isinstance(config, dict):
            raise TypeError(f"config must be a dict, got {type(config).__name__}")
        trial_id = self.new_trial_id()
        if checkpoint_trial_id is not None:
            self._check_known(checkpoint_trial_id)
        time_keeper = self.time_keeper
        time_keeper.start_of_time()  # no-op once started (a backend may be used without a tuner)
        trial = Trial(trial_id=trial_id, config=dict(config), creation_time=time_keeper.time_stamp())
        self._add_trial(trial)
        try:
            if checkpoint_trial_id is not None:
                self.copy_checkpoint(checkpoint_trial_id, trial_id)
            self._schedule(trial_id, trial.config)
        except BaseException:
            # the trial could not start: leave no trace of it
            self._remove_last_trial(trial_id)
            raise
        return trial.add_results(metrics=[], status=Status.in_progress, training_end_time=None)

    def resume_trial(self, trial_id: int, new_config: dict | None = None) -> TrialResult:
        def start_run():
            self._resume_trial(trial_id)
            self._schedule(trial_id, self._trials[trial_id].config)

        trial = self._resume_in_table(trial_id, new_config, start_run)
        return trial.add_results(metrics=[], status=Status.in_progress, training_end_time=None)

    def pause_trial(self, trial_id: int, result: dict | None = None) -> None:
        self._end_run(trial_id, result, Status.paused)

    def stop_trial(self, trial_id: int, result: dict | None = None) -> None:
        self._end_run(trial_id, result, Status.stopped)

    def _end_run(self, trial_id: int, result: dict | None, new_status: str) -> None:
        status = self.trial_status(trial_id)
        if status not in BUSY_STATUS and not (new_status == Status.stopped and status == Status.paused):
            raise ValueError(f"Trial {trial_id} cannot be {new_status.lower()}: its status is {status}, not running")
        if status in BUSY_STATUS:
            if new_status == Status.paused:
                self._pause_trial(trial_id, result)
            else:
                self._stop_trial(trial_id, result)
        self._skip.pop(trial_id, None)
        self._set_status(trial_id, new_status)
        if new_status == Status.stopped and self.delete_checkpoints:
            self.delete_checkpoint(trial_id)

    def fetch_status_results(
        self, trial_ids: list[int]
    ) -> tuple[dict[int, tuple[Trial, str]], list[tuple[int, dict]]]:
        self._release_finished()
        busy = [tid for tid in trial_ids if self.trial_status(tid) in BUSY_STATUS]
        new_results: list[tuple[int, dict]] = []
        for polled in self._poll(busy):
            trial_id = polled.trial_id
            results = polled.results
            skip = self._skip.get(trial_id)
            if skip:
                dropped = min(skip, len(results))
                results = results[dropped:]
                if skip > dropped:
                    self._skip[trial_id] = skip - dropped
                else:
                    del self._skip[trial_id]
            if results:
                new_results.extend((trial_id, r) for r in results)
            elif polled.exit_status is not None and self.trial_status(trial_id) in BUSY_STATUS:
                # an exit is shown only by a fetch without new results of the
                # trial, so that the tuner can still pause or stop it on its
                # final result (as the simulator does)
                self._set_status(trial_id, polled.exit_status)
                self._skip.pop(trial_id, None)
                if self.delete_checkpoints and polled.exit_status == Status.completed:
                    self.delete_checkpoint(trial_id)
        trial_status_dict = {tid: (self.get_trial(tid), self.trial_status(tid)) for tid in trial_ids}
        if len(new_results) > 1:
            new_results.sort(key=_timestamp_of)
        return trial_status_dict, new_results

    def recover(self, replayed: Mapping[int, int]) -> None:
        for trial_id, count in replayed.items():
            if count:
                self._check_known(trial_id)
                self._skip[trial_id] = self._skip.get(trial_id, 0) + int(count)

    # -- hooks -----------------------------------------------------------------------
    @abc.abstractmethod
    def _schedule(self, trial_id: int, config: dict) -> None:
        """Start running ``trial_id`` with ``config`` (a new trial, or a
        paused one resumed from its checkpoint)."""

    @abc.abstractmethod
    def _poll(self, trial_ids: list[int]) -> list[PolledTrial]:
        """New results and exits of the busy trials ``trial_ids`` (called on
        every fetch, also with no busy trial: a chance to tidy up)."""

    @abc.abstractmethod
    def _pause_trial(self, trial_id: int, result: dict | None) -> None:
        """End the run of a trial being paused (keep its checkpoint)."""

    @abc.abstractmethod
    def _stop_trial(self, trial_id: int, result: dict | None) -> None:
        """End the run of a trial being stopped."""

    def _resume_trial(self, trial_id: int) -> None:
        """Prepare a paused trial for :meth:`_schedule` (default: nothing)."""
