"""The tuning loop.

The :class:`Tuner` connects a scheduler (what to run, and whether to
continue) to a trial backend (where it runs). Each loop iteration:

1. fetch new results and statuses from the backend;
2. pass each result to the scheduler, store it (journaled before anything
   is done about it), then pause or stop the trial if the scheduler says so;
3. tell the scheduler about trials that completed or failed;
4. fill free workers with the scheduler's suggestions;
5. if nothing happened, wait for the backend (``wait_for_activity``: it
   returns as soon as a trial has news; the simulator moves its clock to the
   next event).

Time is the backend's: the tuner, the stop criterion, the scheduler and the
stored ``st_tuner_time`` all read ``trial_backend.time_keeper``.

Crash safety. Every result reaches the results journal before its decision
is acted on, and the tuner saves a snapshot of itself (``tuner.dill``: the
scheduler, the backend, the status) when tuning starts, after every trial it
starts or resumes, and every ``results_update_interval`` seconds. So whenever
the tuner is killed, ``Tuner.load(path).run()`` continues it: the snapshot
is restored, the results journaled after it are replayed to the scheduler in
order (each is seen once), and the backend adopts or restarts the trials
that were running (see :meth:`~syne_tune.backend.trial_backend.TrialBackend.recover`;
a simulation is simulated again from the snapshot instead). Ctrl-C, SIGTERM
and SIGHUP stop tuning cleanly at the next loop iteration (a second signal
stops at once): trials are killed, results and state are saved, and the
exception raised is the conventional one for the signal (``KeyboardInterrupt``,
exit status 130; ``SystemExit(128 + signal number)`` for the others).
"""

from __future__ import annotations

import logging
import math
import os
import pickle
import signal
import sys
import threading
import time
from collections import Counter
from datetime import datetime
from numbers import Integral, Real
from pathlib import Path
from typing import Callable

from syne_tune.backend.trial_backend import TrialBackend
from syne_tune.constants import (
    ST_DECISION,
    ST_INVALID,
    ST_METADATA_FILENAME,
    ST_STATUS,
    ST_TRIAL_ID,
    ST_TUNER_CREATION_TIMESTAMP,
    ST_TUNER_DILL_FILENAME,
    ST_TUNER_START_TIMESTAMP,
    ST_TUNER_TIME,
    TUNER_DEFAULT_SLEEP_TIME,
)
from syne_tune.optimizer.scheduler import SchedulerDecision, TrialScheduler
from syne_tune.results_callback import StoreResultsCallback
from syne_tune.results_table import best_config_from_results
from syne_tune.trial import Status, Trial
from syne_tune.tuner_callback import TunerCallback
from syne_tune.tuning_status import TuningStatus
from syne_tune.util import check_valid_tuner_name, dump_json, experiment_path, name_from_base
from syne_tune.utils.validation import Interval, validate_parameters

from syne_tune.utils.logging_setup import install_default_handler

install_default_handler()

logger = logging.getLogger(__name__)

#: Start of the warning logged when tuning ends because the scheduler has
#: nothing left to suggest and no trial runs (before the stop criterion).
ENDS_EARLY_MESSAGE = "Tuning ends before its stop criterion is met"

#: Lines of a failed trial's stderr shown in the log.
STDERR_TAIL_LINES = 20
#: The tuner looks at its stop criterion at least this often (seconds).
MAX_WAIT = 1.0

_CONTINUE = SchedulerDecision.CONTINUE
_PAUSE = SchedulerDecision.PAUSE
_STOP = SchedulerDecision.STOP
_HANDLED_SIGNALS = tuple(s for s in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", None)) if s is not None)


class _Interrupted(KeyboardInterrupt):
    """Raised in the tuning loop when a handled signal arrived."""

    def __init__(self, signum: int, immediate: bool = False):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum
        self.immediate = immediate


def _is_number(value) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool)


def _why_unusable(key: str, value) -> str | None:
    """Why ``value`` of metric ``key`` cannot be given to the scheduler
    (not a number, or not finite), or ``None``."""
    if not _is_number(value):
        return f"metric {key!r} = {value!r} is not a number"
    if not math.isfinite(value):
        return f"metric {key!r} = {value!r} is not a finite number"
    return None


class Tuner:
    """Runs a tuning job.

    Parameters
    ----------
    trial_backend
        Where trials run (:class:`~syne_tune.backend.LocalBackend`, simulator, ...).
    scheduler
        Decides which configurations run and for how long.
    stop_criterion
        Called with the :class:`~syne_tune.tuning_status.TuningStatus` after
        each iteration; tuning ends when it returns ``True``
        (usually a :class:`~syne_tune.StoppingCriterion`).
    n_workers
        Number of trials run in parallel.
    sleep_time
        Longest wait (seconds) when an iteration made no progress; the
        backend returns earlier as soon as a trial has news, and the tuner
        looks at its stop criterion at least once a second.
    results_update_interval
        Seconds between writes of the results' parquet parts and of the
        tuner state (results are journaled as they arrive in any case).
    print_update_interval
        Seconds between status lines in the log.
    max_failures
        Tuning stops with an error once more than this many trials failed.
    tuner_name
        Name of the run's folder (under ``$SYNETUNE_FOLDER``, default
        ``~/syne-tune``); default: the training script's name.
    asynchronous_scheduling
        ``True``: start a trial as soon as a worker is free. ``False``: wait
        until all workers are free, then start a batch.
    wait_trial_completion_when_stopping
        ``True``: when the stop criterion fires, let running trials finish.
    callbacks
        :class:`~syne_tune.tuner_callback.TunerCallback` objects; a
        :class:`~syne_tune.results_callback.StoreResultsCallback` is added
        unless one is given.
    metadata
        Extra entries for ``metadata.json``.
    suffix_tuner_name
        Append a timestamp to ``tuner_name`` (a new folder per run). With
        ``False``, a folder that holds an earlier run is an error (resume it
        with :meth:`load` instead).
    save_tuner
        Save the tuner state (needed for :meth:`load` and resuming).
    start_jobs_without_delay
        ``True``: count free workers from the tuner's own bookkeeping.
        ``False``: ask the backend which trials still occupy a worker.
    trial_backend_path
        Folder for trial files (default: the run's folder).

    Raises
    ------
    InvalidParameterError
        (a ``ValueError`` and ``TypeError``) for an argument of the wrong type
        or out of range.
    """

    _parameter_constraints = {
        "trial_backend": [TrialBackend],
        "scheduler": [TrialScheduler],
        "stop_criterion": ["callable"],
        "n_workers": [Interval(Integral, 1, None, closed="left")],
        "sleep_time": [Interval(Real, 0, None, closed="left")],
        "results_update_interval": [Interval(Real, 0, None, closed="left")],
        "print_update_interval": [Interval(Real, 0, None, closed="left")],
        "max_failures": [Interval(Integral, 0, None, closed="left")],
        "tuner_name": [str, None],
        "asynchronous_scheduling": ["boolean"],
        "wait_trial_completion_when_stopping": ["boolean"],
        "callbacks": [list, tuple, None],
        "metadata": [dict, None],
        "suffix_tuner_name": ["boolean"],
        "save_tuner": ["boolean"],
        "start_jobs_without_delay": ["boolean"],
        "trial_backend_path": [str, os.PathLike, None],
    }

    def __init__(
        self,
        trial_backend: TrialBackend,
        scheduler: TrialScheduler,
        stop_criterion: Callable[[TuningStatus], bool],
        n_workers: int,
        sleep_time: float = TUNER_DEFAULT_SLEEP_TIME,
        results_update_interval: float = 10.0,
        print_update_interval: float = 30.0,
        max_failures: int = 1,
        tuner_name: str | None = None,
        asynchronous_scheduling: bool = True,
        wait_trial_completion_when_stopping: bool = False,
        callbacks: list[TunerCallback] | None = None,
        metadata: dict | None = None,
        suffix_tuner_name: bool = True,
        save_tuner: bool = True,
        start_jobs_without_delay: bool = True,
        trial_backend_path: str | None = None,
    ):
        validate_parameters(self, locals())
        callbacks = list(callbacks or [])
        for i, cb in enumerate(callbacks):
            if not isinstance(cb, TunerCallback):
                from syne_tune.utils.validation import check_parameter

                check_parameter(self, f"callbacks[{i}]", cb, [TunerCallback])
        if not any(isinstance(cb, StoreResultsCallback) for cb in callbacks):
            callbacks.append(StoreResultsCallback())
        from syne_tune.callbacks import default_callbacks

        # e.g. early removal of checkpoints, when the backend deletes them
        # and the scheduler supports it (as Syne Tune's Tuner does)
        callbacks.extend(default_callbacks(trial_backend, scheduler, stop_criterion))

        self.trial_backend = trial_backend
        self.scheduler = scheduler
        self.stop_criterion = stop_criterion
        self.n_workers = int(n_workers)
        self.sleep_time = sleep_time
        self.results_update_interval = results_update_interval
        self.print_update_interval = print_update_interval
        self.max_failures = int(max_failures)
        self.asynchronous_scheduling = asynchronous_scheduling
        self.wait_trial_completion_when_stopping = wait_trial_completion_when_stopping
        self.callbacks = callbacks
        self.metadata = dict(metadata or {})
        self.suffix_tuner_name = suffix_tuner_name
        self.save_tuner = save_tuner
        self.start_jobs_without_delay = start_jobs_without_delay

        if tuner_name is None:
            entry_point = trial_backend.entrypoint_path()
            tuner_name = Path(entry_point).stem.replace("_", "-") if entry_point else "st-tuner"
            tuner_name = tuner_name.lstrip("-_") or "st-tuner"
        check_valid_tuner_name(tuner_name)
        self._base_name = tuner_name
        # no length limit: a local folder name (SageMaker limits job names, not ours)
        self.name = name_from_base(tuner_name, max_length=None, suffix=suffix_tuner_name)
        self.tuner_path = experiment_path(self.name)
        self.trial_backend_path = trial_backend_path
        self.tuning_status = TuningStatus(metric_names=scheduler.metric_names())
        self._creation_time = datetime.now().timestamp()
        # bookkeeping that survives save/load
        self._running: set[int] = set()
        self._last_result: dict[int, dict] = {}
        self._failed_trials: list[int] = []
        self._num_runs = 0
        self._finished = False
        self._stop_fired = False
        self._exhausted = False
        self._pickler = "pickle"

    # -- public API --------------------------------------------------------------
    @property
    def time_keeper(self):
        """The clock of the run: the backend's (simulated time in a simulation)."""
        return self.trial_backend.time_keeper

    def run(self) -> None:
        """Run (or continue) tuning until the stop criterion fires.

        Raises
        ------
        KeyboardInterrupt
            After Ctrl-C, once trials are stopped and state is saved.
        SystemExit
            After SIGTERM or SIGHUP (code ``128 + signal number``), likewise.
        ValueError
            If more than ``max_failures`` trials failed.
        FileExistsError
            If the run's folder holds an earlier run (``suffix_tuner_name=False``).
        """
        resumed = self._num_runs > 0
        if not resumed:
            self._claim_folder()
        self._num_runs += 1
        self._finished = False
        self._interrupt_signal = None
        # looked at again: a resumed tuner may have a new stop criterion or space
        self._stop_fired = False
        self._exhausted = False
        interrupted: _Interrupted | None = None
        error = None
        previous_handlers = self._install_signal_handlers()
        try:
            self.tuner_path.mkdir(parents=True, exist_ok=True)
            if self.save_tuner and not resumed:
                self._write_snapshot()  # from now on, a killed run can be resumed
            self.trial_backend.set_path(
                results_root=str(self.trial_backend_path or self.tuner_path), tuner_name=self.name
            )
            replay = self._results_callback().open(self, resumed)
            for cb in self.callbacks:
                cb.on_tuning_start(self)
            self.time_keeper.start_of_time()
            self.scheduler.set_time_keeper(self.time_keeper)
            self._check_metrics_known()
            self._write_metadata()
            self._build_hooks()
            if resumed:
                self._recover(replay)
                if self.save_tuner:
                    self._write_snapshot()  # the replayed results need no replay again
            self._loop()
        except _Interrupted as ex:
            interrupted = ex
        except KeyboardInterrupt:
            interrupted = _Interrupted(signal.SIGINT, immediate=True)
        except BaseException as ex:
            error = ex
            raise
        finally:
            try:
                self._shutdown(interrupted=interrupted, error=error)
            finally:
                self._restore_signal_handlers(previous_handlers)
        if interrupted is not None:
            logger.warning(
                "Tuning interrupted (%s): trials stopped, results and state saved; resume with "
                "Tuner.load(%r).run()",
                signal.Signals(interrupted.signum).name,
                str(self.tuner_path),
            )
            if interrupted.signum == signal.SIGINT:
                raise KeyboardInterrupt
            raise SystemExit(128 + interrupted.signum)

    def best_config(self, metric: str | int = 0) -> tuple[int, dict]:
        """``(trial_id, config)`` of the best result reported so far for ``metric``
        (a name or the index into the scheduler's metrics)."""
        metric_names = self.scheduler.metric_names()
        mode = self.scheduler.metric_mode()
        if isinstance(metric, int):
            if not 0 <= metric < len(metric_names):
                raise ValueError(f"metric index {metric} out of range for metrics {metric_names}")
            index, metric = metric, metric_names[metric]
        else:
            if metric not in metric_names:
                raise ValueError(f"Unknown metric {metric!r}; the scheduler's metrics are {metric_names}")
            index = metric_names.index(metric)
        mode = mode if isinstance(mode, str) else mode[index]
        return best_config_from_results(self.results_dataframe(), metric, mode)

    def results_dataframe(self):
        """All results stored so far, as a pandas DataFrame."""
        return self._results_callback().dataframe()

    def save(self, folder: str | None = None) -> None:
        """Write the results held in memory as a parquet part, then save the
        tuner state (``tuner.dill``)."""
        self._results_callback().flush()
        self._write_snapshot(folder)

    @staticmethod
    def load(tuner_path: str | Path) -> "Tuner":
        """Restore a tuner saved by :meth:`save` (or by a run that was killed);
        call :meth:`run` to continue it."""
        import dill

        tuner_path = Path(tuner_path)
        path = tuner_path / ST_TUNER_DILL_FILENAME if tuner_path.is_dir() else tuner_path
        if not path.exists():
            raise FileNotFoundError(f"No saved tuner at {path}")
        try:
            with open(path, "rb") as f:
                tuner = dill.load(f)
        except Exception as ex:
            raise ValueError(f"Saved tuner {path} cannot be read ({ex}); it may be corrupt") from ex
        if not isinstance(tuner, Tuner):
            raise ValueError(f"{path} does not hold a Tuner")
        tuner.tuner_path = path.parent
        if tuner._num_runs == 0:
            tuner._num_runs = 1  # saved before its first loop: treat as resumed
        return tuner

    # -- the loop ----------------------------------------------------------------
    def _hooks(self, name: str) -> list:
        """Bound ``name`` hooks of the callbacks that override it (calling
        the base class's no-ops on every event would cost measurable time)."""
        base = getattr(TunerCallback, name)
        return [getattr(cb, name) for cb in self.callbacks if getattr(type(cb), name, base) is not base]

    def _build_hooks(self) -> None:
        self._cb = {
            name: self._hooks(name)
            for name in (
                "on_loop_start", "on_loop_end", "on_fetch_status_results", "on_trial_result",
                "on_trial_complete", "on_tuning_sleep", "on_start_trial", "on_resume_trial",
            )
        }
        self._numeric_keys = self._result_keys_to_check()
        store = self._results_callback()
        # hooks that see replayed results: everything but the store (it has them)
        self._cb["replay_trial_result"] = [h for h in self._cb["on_trial_result"] if getattr(h, "__self__", None) is not store]

    def _loop(self) -> None:
        cb_loop_start, cb_loop_end, cb_sleep = self._cb["on_loop_start"], self._cb["on_loop_end"], self._cb["on_tuning_sleep"]
        status = self.tuning_status
        time_keeper = self.time_keeper
        backend = self.trial_backend
        now = time.perf_counter()
        self._next_print = now + self.print_update_interval
        self._next_save = now + self.results_update_interval
        limit = getattr(self.stop_criterion, "max_wallclock_time", None)
        self._time_limit = float(limit) if _is_number(limit) else None
        new_since_save = False
        while True:
            if self._interrupt_signal is not None:
                raise _Interrupted(self._interrupt_signal)
            status.wallclock_time = time_keeper.time()
            if not self._stop_fired and self.stop_criterion(status):
                self._stop_fired = True
                logger.info("Stop criterion reached after %.1fs", status.wallclock_time)
            if len(self._failed_trials) > self.max_failures:
                break
            if self._stop_fired and not (self.wait_trial_completion_when_stopping and self._running):
                break
            if self._exhausted and not self._running:
                self._warn_exhausted(status)
                break
            for hook in cb_loop_start:
                hook()

            progress = self._process_backend()
            if progress:
                # a pause or completion can make a resumable trial available
                # to a scheduler that had nothing to suggest before
                self._exhausted = False
            if not self._stop_fired and not self._exhausted:
                progress |= self._schedule_new_trials()
            if progress:
                new_since_save = True
                # news may be due at once (a simulator moves its clock to
                # its next event here): no idle iteration in between
                backend.wait_for_activity(0.0)
            else:
                for hook in cb_sleep:
                    hook(self.sleep_time)
                backend.wait_for_activity(self._wait_timeout())

            now = time.perf_counter()
            if now >= self._next_print:
                self._next_print = now + self.print_update_interval
                status.wallclock_time = time_keeper.time()
                self._print_status()
            if now >= self._next_save and new_since_save:
                self._next_save = now + self.results_update_interval
                new_since_save = False
                if self.save_tuner:
                    self.save()
                else:
                    self._results_callback().flush()
            for hook in cb_loop_end:
                hook()

    def _wait_timeout(self) -> float:
        """How long to wait for the backend: ``sleep_time``, but never past the
        stop criterion's time limit, the next status line or save, and at
        most :data:`MAX_WAIT` (a stop criterion of any kind is looked at
        once a second)."""
        timeout = min(self.sleep_time, MAX_WAIT)
        now = time.perf_counter()
        timeout = min(timeout, self._next_print - now, self._next_save - now)
        if self._time_limit is not None:
            timeout = min(timeout, self._time_limit - self.time_keeper.time())
        return timeout if timeout > 0.0 else 0.0

    def _process_backend(self) -> bool:
        """Fetch results and statuses; pass them to the scheduler. Returns
        ``True`` if anything new happened."""
        if not self._running:
            return False
        trial_status_dict, new_results = self.trial_backend.fetch_status_results(list(self._running))
        for hook in self._cb["on_fetch_status_results"]:
            hook(trial_status_dict, new_results)
        decided: set[int] = set()
        for trial_id, result in new_results:
            if trial_id in decided:
                continue  # paused, stopped or failed on an earlier result of this batch
            trial, trial_status = trial_status_dict[trial_id]
            if self._on_result(trial, trial_status, result):
                decided.add(trial_id)
        changed = bool(new_results)
        status = self.tuning_status
        scheduler = self.scheduler
        for trial_id, (trial, trial_status) in trial_status_dict.items():
            if trial_status == Status.in_progress or trial_id in decided or trial_id not in self._running:
                continue
            if trial_status == Status.completed:
                changed = True
                self._running.discard(trial_id)
                status.set_status(trial, Status.completed)
                last = self._last_result.pop(trial_id, None)
                if last is None:
                    logger.error("Trial %d completed without reporting any result; counted as failed", trial_id)
                    self._mark_failed(trial)
                    continue
                scheduler.on_trial_complete(trial, last)
                for hook in self._cb["on_trial_complete"]:
                    hook(trial, last)
            elif trial_status in (Status.failed, Status.stopped):
                changed = True
                self._running.discard(trial_id)
                self._last_result.pop(trial_id, None)
                if trial_status == Status.failed:
                    self._mark_failed(trial)
                else:
                    status.set_status(trial, Status.stopped)
                    scheduler.on_trial_error(trial)
        return changed

    def _on_result(
        self, trial: Trial, trial_status: str, result: dict, journaled_decision: str | None = None
    ) -> bool:
        """Process one result: check it, ask the scheduler, store it (before
        acting), act on the decision. With ``journaled_decision`` the result
        is replayed from the journal (it is stored already). Returns ``True``
        if the trial stopped running (paused, stopped or failed)."""
        trial_id = trial.trial_id
        replay = journaled_decision is not None
        hooks = self._cb["replay_trial_result" if replay else "on_trial_result"]
        # the scheduler's metrics and resource must be finite numbers (a
        # missing metric is the scheduler's to report: it names what was
        # reported); other non-finite values are kept and never count as best
        why = None
        for key in self._numeric_keys:
            value = result.get(key)
            kind = type(value)
            # plain finite floats and ints pass at once (nan - nan and inf - inf are nan)
            if not (kind is int or (kind is float and value - value == 0.0) or value is None):
                why = _why_unusable(key, value)
                if why is not None:
                    break
        if why is not None:
            # stored as invalid: the value only if it is a number (NaN, inf)
            marked = dict(result)
            if not _is_number(marked[key]):
                marked[key] = math.nan
            marked[ST_INVALID] = why
            for hook in hooks:
                hook(trial, Status.failed, marked, _STOP)
            self._fail_trial(trial, why)
            return True
        decision = self.scheduler.on_trial_result(trial, result)
        if decision not in SchedulerDecision.ALL:
            raise ValueError(
                f"Scheduler {type(self.scheduler).__name__} returned an invalid decision {decision!r}; "
                f"expected one of {[d.value for d in SchedulerDecision]}"
            )
        self.tuning_status.add_result(trial_id, result)
        self._last_result[trial_id] = result
        if replay:
            decision = self._replayed_decision(trial_id, decision, journaled_decision)
        for hook in hooks:
            hook(trial, trial_status, result, decision)
        if decision == _CONTINUE:
            return False
        self._remove_trial(trial, Status.stopped if decision == _STOP else Status.paused, result)
        return True

    def _result_keys_to_check(self) -> tuple:
        """The scheduler's metrics and resource: they must be finite numbers."""
        names = list(self.scheduler.metric_names())
        resource = getattr(self.scheduler, "resource_attr", None)
        if isinstance(resource, str) and resource not in names:
            names.append(resource)
        return tuple(names)

    def _replayed_decision(self, trial_id: int, decision: str, journaled: str) -> str:
        """The decision to act on when a journaled result is replayed: the
        journaled one if it paused or stopped the trial (that was done)."""
        if decision != journaled:
            logger.warning(
                "Replaying trial %d's result: the scheduler decided %s, the journal says %s "
                "(the scheduler is not deterministic); acting on %s",
                trial_id, decision, journaled, journaled if journaled != _CONTINUE else decision,
            )
            if journaled != _CONTINUE:
                return SchedulerDecision.parse(journaled)
        return decision

    def _remove_trial(self, trial: Trial, new_status: str, result: dict) -> None:
        if new_status == Status.stopped:
            self.trial_backend.stop_trial(trial.trial_id, result)
        else:
            self.trial_backend.pause_trial(trial.trial_id, result)
        self.scheduler.on_trial_remove(trial)
        self._running.discard(trial.trial_id)
        if new_status == Status.stopped:
            self._last_result.pop(trial.trial_id, None)
        # a paused trial keeps its last result: if it is resumed and ends
        # without reporting again, that result is its final one
        self.tuning_status.set_status(trial, new_status)

    def _fail_trial(self, trial: Trial, why: str) -> None:
        """A running trial reported an unusable result: stop it, count it as failed."""
        logger.warning("Trial %d failed: it reported an invalid result (%s)", trial.trial_id, why)
        self.trial_backend.stop_trial(trial.trial_id)
        self._running.discard(trial.trial_id)
        self._last_result.pop(trial.trial_id, None)
        self._mark_failed(trial)

    def _mark_failed(self, trial: Trial) -> None:
        self.tuning_status.set_status(trial, Status.failed)
        self._failed_trials.append(trial.trial_id)
        self.scheduler.on_trial_error(trial)
        logger.warning(
            "Trial %d failed (%d of at most %d failures); its stderr: %s",
            trial.trial_id,
            len(self._failed_trials),
            self.max_failures,
            self.trial_backend.stderr_path(trial.trial_id) or "not available",
        )

    @staticmethod
    def _warn_exhausted(status: TuningStatus) -> None:
        """Tuning ends early: nothing to suggest and nothing running."""
        stopped = status.num_trials_stopped
        hint = (
            f" {stopped} of the {status.num_trials_started} trials were stopped early and cannot be resumed; a "
            "pause-and-resume scheduler (for example HyperbandScheduler(type='promotion')) would resume the best "
            "of them."
            if stopped
            else ""
        )
        logger.warning(
            ENDS_EARLY_MESSAGE + " after %.1fs: the scheduler has no more configurations "
            "to suggest (a finite configuration space, or restrict_configurations, is used up) and no trial is "
            "running.%s",
            status.wallclock_time,
            hint,
        )

    def _num_busy_workers(self) -> int:
        if self.start_jobs_without_delay:
            return len(self._running)
        return len(self.trial_backend.busy_trial_ids())

    def _schedule_new_trials(self) -> bool:
        busy = self._num_busy_workers()
        if not self.asynchronous_scheduling and busy > 0:
            return False
        started = False
        for _ in range(self.n_workers - busy):
            if started and self.stop_criterion(self.tuning_status):
                break  # e.g. max_num_trials_started reached within this batch
            suggestion = self.scheduler.suggest(self.trial_backend.new_trial_id())
            if suggestion is None:
                self._exhausted = True
                break
            if suggestion.spawn_new_trial_id:
                trial = self.trial_backend.start_trial(suggestion.config, checkpoint_trial_id=suggestion.checkpoint_trial_id)
                self.scheduler.on_trial_add(trial)
                hook = "on_start_trial"
            else:
                trial = self.trial_backend.resume_trial(suggestion.checkpoint_trial_id, new_config=suggestion.config)
                hook = "on_resume_trial"
            self._running.add(trial.trial_id)
            self.tuning_status.set_status(trial, Status.in_progress)
            for callback_hook in self._cb[hook]:
                callback_hook(trial)
            started = True
            if self.save_tuner and not self.trial_backend.reproduces_from_snapshot:
                # no result is fetched between a start and this snapshot, so a
                # resumed tuner knows every trial whose results it replays
                self._write_snapshot()
        return started

    # -- resuming ------------------------------------------------------------------
    def _recover(self, replay: list[tuple[dict, dict | None]]) -> None:
        """After :meth:`load`: replay the results journaled after the
        snapshot, and let the backend deal with the trials that were running."""
        backend = self.trial_backend
        if backend.reproduces_from_snapshot:
            return  # the simulation is simulated again from the snapshot
        counts = Counter(int(row[ST_TRIAL_ID]) for row, _ in replay)
        backend.recover(counts)
        if replay:
            logger.info("Replaying %d results stored after the tuner's last snapshot", len(replay))
        extra_keys = self._extra_result_keys()
        for row, _ in replay:
            trial_id = int(row[ST_TRIAL_ID])
            if trial_id not in self._running:
                logger.warning("Journaled result of trial %d, which is not running, is skipped", trial_id)
                continue
            result = {k: v for k, v in row.items() if k not in extra_keys}
            decision = row.get(ST_DECISION) or _CONTINUE
            self._on_result(backend.get_trial(trial_id), row.get(ST_STATUS, Status.in_progress), result, decision)
        # trials the backend no longer has as busy (e.g. they ended with the
        # old tuner) are found by the next fetch

    def _extra_result_keys(self) -> set[str]:
        keys = {ST_DECISION, ST_STATUS, ST_TRIAL_ID, ST_TUNER_TIME, ST_INVALID}
        composer = self._results_callback().extra_results_composer
        if composer is not None:
            try:
                keys.update(composer.keys())
            except Exception:  # pragma: no cover - a composer without keys()
                pass
        return keys

    def _claim_folder(self) -> None:
        """A new run must not write into the folder of an earlier one."""
        path = self.tuner_path
        if not self._folder_in_use(path):
            return
        if self.suffix_tuner_name:
            # two tuners named in the same millisecond: make the name unique
            count = 2
            while self._folder_in_use(experiment_path(f"{self.name}-{count}")):
                count += 1
            self.name = f"{self.name}-{count}"
            self.tuner_path = experiment_path(self.name)
            return
        raise FileExistsError(
            f"{path} holds an earlier tuning run. Resume it with Tuner.load({str(path)!r}).run(), "
            "or choose another tuner_name (or keep suffix_tuner_name=True for a new folder per run)"
        )

    @staticmethod
    def _folder_in_use(path: Path) -> bool:
        return (path / ST_METADATA_FILENAME).exists() or (path / ST_TUNER_DILL_FILENAME).exists() or (
            path / "results"
        ).is_dir()

    # -- signals -----------------------------------------------------------------
    def _install_signal_handlers(self) -> dict:
        """Ctrl-C, SIGTERM and SIGHUP stop tuning at the next loop iteration
        (a second one at once). Handlers the launcher installed itself are
        left alone; only in the main thread."""
        previous = {}
        if threading.current_thread() is not threading.main_thread():
            return previous
        for signum in _HANDLED_SIGNALS:
            current = signal.getsignal(signum)
            default = signal.default_int_handler if signum == signal.SIGINT else signal.SIG_DFL
            if current is default:
                previous[signum] = current
                signal.signal(signum, self._on_signal)
        return previous

    def _on_signal(self, signum, frame) -> None:
        if self._interrupt_signal is not None or self._finished:
            raise _Interrupted(signum, immediate=True)
        self._interrupt_signal = signum

    @staticmethod
    def _restore_signal_handlers(previous: dict) -> None:
        for signum, handler in previous.items():
            try:
                signal.signal(signum, handler)
            except (ValueError, OSError):  # pragma: no cover - not the main thread
                pass

    # -- start and end -----------------------------------------------------------
    def _check_metrics_known(self) -> None:
        known = self.trial_backend.reported_metric_names()
        if known is None:
            return
        missing = [m for m in self.scheduler.metric_names() if m not in known]
        if missing:
            raise ValueError(
                f"The scheduler optimizes {missing}, which the trials do not report "
                f"(they report {sorted(known)}). Check the scheduler's metric argument."
            )

    def _write_metadata(self) -> None:
        metadata = {
            ST_TUNER_CREATION_TIMESTAMP: self._creation_time,
            ST_TUNER_START_TIMESTAMP: datetime.now().timestamp(),
            "tuner_name": self.name,
            "n_workers": self.n_workers,
            "entrypoint": str(self.trial_backend.entrypoint_path() or ""),
            "backend": type(self.trial_backend).__name__,
            "launch_command": " ".join(sys.argv),
        }
        metadata.update(self.scheduler.metadata())
        metadata.update(self.metadata)
        dump_json(metadata, self.tuner_path / ST_METADATA_FILENAME)

    def _primary_metric_and_mode(self) -> tuple[str, str]:
        """The scheduler's first metric and its mode (for logs)."""
        mode = self.scheduler.metric_mode()
        return self.scheduler.metric_names()[0], mode if isinstance(mode, str) else mode[0]

    def _print_status(self) -> None:
        logger.info(self.tuning_status.summary_line(*self._primary_metric_and_mode()))

    def _shutdown(self, interrupted: _Interrupted | None, error: BaseException | None) -> None:
        """End of :meth:`run`, however it ends. Every step runs even if an
        earlier one fails; a failure is logged and never hides ``error``.

        After a clean interruption the state is saved before the trials are
        killed, so that a resumed tuner restarts them (from their
        checkpoints) instead of treating them as stopped. After an error or
        an immediate interruption the state may be half-updated and is not
        saved: a resumed tuner starts from the last snapshot and the journal."""
        self._finished = True
        clean = interrupted is not None and not interrupted.immediate
        steps = []
        if clean:
            steps.append(("interrupt the running trials", self._interrupt_running_trials))
        steps.append(("stop the running trials", self._stop_running_trials))
        steps.append(("finish the callbacks", self._end_callbacks))
        if interrupted is None and error is None and self.save_tuner:
            steps.append(("save the tuner state", self._write_snapshot))
        steps.append(("log the final status", self._log_final))
        first_failure = None
        for what, step in steps:
            try:
                step()
            except BaseException as ex:  # keep going: trials must die, results must be kept
                logger.error("Could not %s: %s: %s", what, type(ex).__name__, ex)
                first_failure = first_failure or ex
        if error is None and interrupted is None:
            if first_failure is not None:
                raise first_failure
            if len(self._failed_trials) > self.max_failures:
                first = self._failed_trials[0]
                tail = "".join(self.trial_backend.stderr(first)[-STDERR_TAIL_LINES:])
                raise ValueError(
                    f"Tuning stopped: {len(self._failed_trials)} trials failed (max_failures={self.max_failures}). "
                    f"Trial {first} failed" + (f"; end of its stderr:\n{tail}" if tail else "")
                )

    def _interrupt_running_trials(self) -> None:
        """Clean interruption: end the running trials' processes but keep
        them running in the saved state, so that a resumed tuner restarts
        them (from their checkpoints). What they reported before they ended
        is processed and stored first."""
        if self.trial_backend.interrupt_all():
            self._process_backend()
        if self.save_tuner:
            self.save()

    def _stop_running_trials(self) -> None:
        if not self._running and not self.trial_backend.busy_trial_ids():
            return
        self.trial_backend.stop_all()
        if self._interrupt_signal is None:
            for trial_id in list(self._running):
                if self.tuning_status.status_of(trial_id) in (Status.in_progress, Status.stopping):
                    self.tuning_status.set_status(Trial(trial_id, {}, None), Status.stopped)
            self._running.clear()

    def _end_callbacks(self) -> None:
        for cb in self.callbacks:
            try:
                cb.on_tuning_end()
            except Exception as ex:  # one broken callback must not lose results
                logger.error("Callback %s failed in on_tuning_end: %s", type(cb).__name__, ex)

    def _log_final(self) -> None:
        self.tuning_status.wallclock_time = self.time_keeper.time()
        self._print_status()
        metric, mode = self._primary_metric_and_mode()
        best = self.tuning_status.best_metric(metric, mode)
        if best is not None:
            logger.info("Best %s found (%s): %s; results in %s", metric, mode, best, self.tuner_path)

    def _write_snapshot(self, folder: str | Path | None = None) -> None:
        """Save the tuner state to ``tuner.dill`` atomically: with the
        standard pickler when possible (fast), else with dill (lambdas and
        closures in user code)."""
        folder = Path(folder) if folder else self.tuner_path
        folder.mkdir(parents=True, exist_ok=True)
        self.trial_backend.on_tuner_save()
        path = folder / ST_TUNER_DILL_FILENAME
        data = None
        if self._pickler == "pickle":
            try:
                data = pickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL)
            except (pickle.PicklingError, TypeError, AttributeError):
                self._pickler = "dill"
        if data is None and self._pickler == "dill":
            import dill

            try:
                data = dill.dumps(self, protocol=pickle.HIGHEST_PROTOCOL)
            except Exception as ex:
                self._pickler = "none"
                logger.warning("Could not save the tuner state to %s (%s); resuming this run will not be possible", path, ex)
        if data is None:
            return
        tmp = path.with_name(path.name + ".tmp")
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, path)

    def _results_callback(self) -> StoreResultsCallback:
        for cb in self.callbacks:
            if isinstance(cb, StoreResultsCallback):
                return cb
        raise RuntimeError("Tuner has no StoreResultsCallback")

    def __getstate__(self):
        state = dict(self.__dict__)
        for name in ("_cb", "_numeric_keys", "_interrupt_signal"):
            state.pop(name, None)  # rebuilt by run()
        return state
