"""The tuning loop.

The :class:`Tuner` connects a scheduler (what to run, and whether to
continue) to a trial backend (where it runs). Each loop iteration:

1. fetch new results and statuses from the backend;
2. pass each result to the scheduler, and pause or stop the trial if it says so;
3. tell the scheduler about trials that completed or failed;
4. fill free workers with the scheduler's suggestions;
5. if nothing happened, wait (``sleep_time``; the simulator jumps to its
   next event instead).

The tuner saves its state regularly; :meth:`Tuner.load` restores it and
:meth:`Tuner.run` continues where it stopped.
"""

from __future__ import annotations

import logging
import os
import pickle
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Callable

from syne_tune.backend.time_keeper import RealTimeKeeper
from syne_tune.backend.trial_backend import TrialBackend
from syne_tune.trial import Status, Trial
from syne_tune.constants import (
    ST_METADATA_FILENAME,
    ST_TUNER_CREATION_TIMESTAMP,
    ST_TUNER_DILL_FILENAME,
    ST_TUNER_START_TIMESTAMP,
    TUNER_DEFAULT_SLEEP_TIME,
)
from syne_tune.optimizer.scheduler import SchedulerDecision, TrialScheduler
from syne_tune.results_callback import StoreResultsCallback
from syne_tune.tuner_callback import TunerCallback
from syne_tune.tuning_status import TuningStatus
from syne_tune.util import check_valid_tuner_name, dump_json, experiment_path, name_from_base

logger = logging.getLogger(__name__)

#: Lines of a failed trial's stderr shown in the log.
STDERR_TAIL_LINES = 20


def _check_number(name: str, value, minimum: float = 0.0, integer: bool = False):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (integer and not isinstance(value, int)):
        kind = "an integer" if integer else "a number"
        raise ValueError(f"Tuner: {name} must be {kind}, got {value!r}")
    if value < minimum:
        raise ValueError(f"Tuner: {name} must be >= {minimum}, got {value!r}")


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
        Seconds to wait when an iteration made no progress (0 in simulation).
    results_update_interval
        Seconds between saves of results and tuner state.
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
        Append a timestamp to ``tuner_name`` (unique folder per run).
    save_tuner
        Save the tuner state (needed for :meth:`load` and resuming).
    start_jobs_without_delay
        ``True``: count free workers from the tuner's own bookkeeping.
        ``False``: ask the backend which trials still occupy a worker.
    trial_backend_path
        Folder for trial files (default: the run's folder).
    """

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
        if not isinstance(trial_backend, TrialBackend):
            raise TypeError(f"Tuner: trial_backend must be a TrialBackend, got {type(trial_backend).__name__}")
        if not isinstance(scheduler, TrialScheduler):
            raise TypeError(f"Tuner: scheduler must be a TrialScheduler, got {type(scheduler).__name__}")
        if not callable(stop_criterion):
            raise TypeError("Tuner: stop_criterion must be callable (e.g. a StoppingCriterion)")
        _check_number("n_workers", n_workers, 1, integer=True)
        _check_number("sleep_time", sleep_time)
        _check_number("results_update_interval", results_update_interval)
        _check_number("print_update_interval", print_update_interval)
        _check_number("max_failures", max_failures, 0, integer=True)
        if metadata is not None and not isinstance(metadata, dict):
            raise TypeError("Tuner: metadata must be a dict")
        callbacks = list(callbacks or [])
        for cb in callbacks:
            if not isinstance(cb, TunerCallback):
                raise TypeError(f"Tuner: callbacks must be TunerCallback objects, got {type(cb).__name__}")
        if not any(isinstance(cb, StoreResultsCallback) for cb in callbacks):
            callbacks.append(StoreResultsCallback())

        self.trial_backend = trial_backend
        self.scheduler = scheduler
        self.stop_criterion = stop_criterion
        self.n_workers = n_workers
        self.sleep_time = sleep_time
        self.results_update_interval = results_update_interval
        self.print_update_interval = print_update_interval
        self.max_failures = max_failures
        self.asynchronous_scheduling = asynchronous_scheduling
        self.wait_trial_completion_when_stopping = wait_trial_completion_when_stopping
        self.callbacks = callbacks
        self.metadata = dict(metadata or {})
        self.save_tuner = save_tuner
        self.start_jobs_without_delay = start_jobs_without_delay

        if tuner_name is None:
            entry_point = trial_backend.entrypoint_path()
            tuner_name = Path(entry_point).stem.replace("_", "-") if entry_point else "st-tuner"
            tuner_name = tuner_name.lstrip("-_") or "st-tuner"
        check_valid_tuner_name(tuner_name)
        self.name = name_from_base(tuner_name, suffix=suffix_tuner_name)
        self.tuner_path = experiment_path(self.name)
        self.trial_backend_path = trial_backend_path
        self.time_keeper = RealTimeKeeper()
        self.tuning_status = TuningStatus(metric_names=scheduler.metric_names())
        self._creation_time = datetime.now().timestamp()
        # bookkeeping that survives save/load
        self._running: set[int] = set()
        self._last_result: dict[int, dict] = {}
        self._failed_trials: list[int] = []
        self._num_runs = 0
        self._finished = False

    # -- public API --------------------------------------------------------------
    def run(self) -> None:
        """Run (or continue) tuning until the stop criterion fires."""
        resumed = self._num_runs > 0
        self._num_runs += 1
        self._finished = False
        interrupted = False
        error = None
        self.tuner_path.mkdir(parents=True, exist_ok=True)
        self.trial_backend.set_path(
            results_root=str(self.trial_backend_path or self.tuner_path), tuner_name=self.name
        )
        try:
            for cb in self.callbacks:
                cb.on_tuning_start(self)
            self.time_keeper.start_of_time()
            self.scheduler.set_time_keeper(self.time_keeper)
            self.trial_backend.set_time_keeper(self.time_keeper)
            self._check_metrics_known()
            self._write_metadata()
            if resumed:
                self._restart_interrupted_trials()
            self._loop()
        except KeyboardInterrupt:
            interrupted = True
            logger.warning("Tuning interrupted (Ctrl-C): stopping running trials and saving results")
        except BaseException as ex:
            error = ex
            raise
        finally:
            self._shutdown(interrupted=interrupted, error=error)

    def best_config(self, metric: str | int = 0) -> tuple[int, dict]:
        """``(trial_id, config)`` of the best result reported so far for ``metric``
        (a name or the index into the scheduler's metrics)."""
        from syne_tune.experiments import best_config_from_results

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
        """Save the tuner state (results are flushed first)."""
        folder = Path(folder) if folder else self.tuner_path
        folder.mkdir(parents=True, exist_ok=True)
        for cb in self.callbacks:
            if isinstance(cb, StoreResultsCallback):
                cb.flush()
        self.trial_backend.on_tuner_save()
        path = folder / ST_TUNER_DILL_FILENAME
        tmp = path.with_name(path.name + ".tmp")
        try:
            with open(tmp, "wb") as f:
                pickle.dump(self, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except (pickle.PicklingError, TypeError, AttributeError) as ex:
            tmp.unlink(missing_ok=True)
            logger.warning("Could not save the tuner state to %s (%s); resuming this run will not be possible", path, ex)

    @staticmethod
    def load(tuner_path: str | Path) -> "Tuner":
        """Restore a tuner saved by :meth:`save`; call :meth:`run` to continue it."""
        tuner_path = Path(tuner_path)
        path = tuner_path / ST_TUNER_DILL_FILENAME if tuner_path.is_dir() else tuner_path
        if not path.exists():
            raise FileNotFoundError(f"No saved tuner at {path}")
        try:
            with open(path, "rb") as f:
                tuner = pickle.load(f)
        except Exception as ex:
            raise ValueError(f"Saved tuner {path} cannot be read ({ex}); it may be corrupt") from ex
        if not isinstance(tuner, Tuner):
            raise ValueError(f"{path} does not hold a Tuner")
        tuner.tuner_path = path.parent
        if tuner._num_runs == 0:
            tuner._num_runs = 1  # saved before its first loop: treat as resumed
        return tuner

    # -- loop --------------------------------------------------------------------
    def _hooks(self, name: str) -> list:
        """Bound ``name`` hooks of the callbacks that override it (calling
        the base class's no-ops on every event would cost measurable time)."""
        base = getattr(TunerCallback, name)
        return [getattr(cb, name) for cb in self.callbacks if getattr(type(cb), name, base) is not base]

    def _loop(self) -> None:
        self._cb = {
            name: self._hooks(name)
            for name in (
                "on_loop_start", "on_loop_end", "on_fetch_status_results", "on_trial_result",
                "on_trial_complete", "on_tuning_sleep", "on_start_trial", "on_resume_trial",
            )
        }
        cb_loop_start, cb_loop_end, cb_sleep = self._cb["on_loop_start"], self._cb["on_loop_end"], self._cb["on_tuning_sleep"]
        status = self.tuning_status
        last_print = last_save = time.perf_counter()
        new_since_save = False
        self._exhausted = False
        stop_fired = False
        while True:
            status.wallclock_time = self.time_keeper.time()
            if not stop_fired and self.stop_criterion(status):
                stop_fired = True
                logger.info("Stop criterion reached after %.1fs", status.wallclock_time)
            if len(self._failed_trials) > self.max_failures:
                break
            if stop_fired and not (self.wait_trial_completion_when_stopping and self._running):
                break
            if self._exhausted and not self._running:
                logger.info("The scheduler has no more configurations to suggest and no trial is running")
                break
            for hook in cb_loop_start:
                hook()

            progress = self._process_backend()
            if progress:
                # a pause or completion can make a resumable trial available
                # to a scheduler that had nothing to suggest before
                self._exhausted = False
            if not stop_fired and not self._exhausted:
                progress |= self._schedule_new_trials()
            if progress:
                new_since_save = True
            else:
                for hook in cb_sleep:
                    hook(self.sleep_time)
                if isinstance(self.time_keeper, RealTimeKeeper):
                    self.trial_backend.wait_for_activity(self.sleep_time)
                else:
                    self.time_keeper.advance(self.sleep_time)

            now = time.perf_counter()
            if now - last_print >= self.print_update_interval:
                last_print = now
                self._print_status()
            if self.save_tuner and new_since_save and now - last_save >= self.results_update_interval:
                last_save = now
                new_since_save = False
                self.save()
            for hook in cb_loop_end:
                hook()

    def _process_backend(self) -> bool:
        """Fetch results and statuses; pass them to the scheduler. Returns
        ``True`` if anything new happened."""
        if not self._running:
            return False
        trial_status_dict, new_results = self.trial_backend.fetch_status_results(list(self._running))
        for hook in self._cb["on_fetch_status_results"]:
            hook(trial_status_dict, new_results)
        status = self.tuning_status
        scheduler = self.scheduler
        decided: set[int] = set()
        for trial_id, result in new_results:
            if trial_id in decided:
                continue  # paused or stopped by an earlier result of this batch
            trial, trial_status = trial_status_dict[trial_id]
            decision = scheduler.on_trial_result(trial, result)
            status.add_result(trial_id, result)
            self._last_result[trial_id] = result
            if decision == SchedulerDecision.CONTINUE:
                pass
            elif decision == SchedulerDecision.STOP:
                decided.add(trial_id)
                self._remove_trial(trial, Status.stopped, result)
            elif decision == SchedulerDecision.PAUSE:
                decided.add(trial_id)
                self._remove_trial(trial, Status.paused, result)
            else:
                raise ValueError(f"Scheduler {type(scheduler).__name__} returned an invalid decision {decision!r}")
            for hook in self._cb["on_trial_result"]:
                hook(trial, trial_status, result, decision)
        changed = bool(new_results)
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
        return started

    def _restart_interrupted_trials(self) -> None:
        """After :meth:`load`, restart the trials that were running at the last save."""
        for trial_id in self.trial_backend.trials_to_restart():
            self.trial_backend.prepare_restart(trial_id)
            trial = self.trial_backend.resume_trial(trial_id)
            self._running.add(trial_id)
            self.tuning_status.set_status(trial, Status.in_progress)
            logger.info("Restarting trial %d, which was running when the tuner stopped", trial_id)
            for cb in self.callbacks:
                cb.on_resume_trial(trial)
        # trials we thought running but the backend does not: forget them
        busy = {tid for tid, _ in self.trial_backend.busy_trial_ids()}
        self._running &= busy

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

    def _shutdown(self, interrupted: bool, error: BaseException | None) -> None:
        self._finished = True
        try:
            if self._running:
                self.trial_backend.stop_all()
                for trial_id in list(self._running):
                    status = self.tuning_status.status_of(trial_id)
                    if status in (Status.in_progress, Status.stopping):
                        self.tuning_status.set_status(Trial(trial_id, {}, None), Status.stopped)
                self._running.clear()
        finally:
            for cb in self.callbacks:
                try:
                    cb.on_tuning_end()
                except Exception as ex:  # one broken callback must not lose results
                    logger.error("Callback %s failed in on_tuning_end: %s", type(cb).__name__, ex)
            if self.save_tuner:
                self.save()
            self._print_status()
            self._print_best()
        if error is None and len(self._failed_trials) > self.max_failures:
            first = self._failed_trials[0]
            tail = "".join(self.trial_backend.stderr(first)[-STDERR_TAIL_LINES:])
            raise ValueError(
                f"Tuning stopped: {len(self._failed_trials)} trials failed (max_failures={self.max_failures}). "
                f"Trial {first} failed" + (f"; end of its stderr:\n{tail}" if tail else "")
            )

    def _print_best(self) -> None:
        metric, mode = self._primary_metric_and_mode()
        best = self.tuning_status.best_metric(metric, mode)
        if best is not None:
            logger.info("Best %s found (%s): %s; results in %s", metric, mode, best, self.tuner_path)

    def _results_callback(self) -> StoreResultsCallback:
        for cb in self.callbacks:
            if isinstance(cb, StoreResultsCallback):
                return cb
        raise RuntimeError("Tuner has no StoreResultsCallback")

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("_cb", None)  # bound hooks, rebuilt by run()
        return state
