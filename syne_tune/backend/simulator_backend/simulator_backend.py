"""Simulating a tuning run on simulated time.

A :class:`SimulatorBackend` never waits for training: it knows (from a
training script run to completion, or from a tabulated or surrogate blackbox)
when each result of a trial would be reported, and places these results on a
simulated time line. The tuner sees results, completions, pauses and stops in
the order they would happen on a real cluster with the same number of
workers, but an experiment of many hours runs in seconds.

Time line of a trial (all delays from :class:`SimulatorConfig`)::

    start_trial / resume_trial called at time T (worker free)
    T + delay_start                  worker starts training ("run start" S)
    S + e_i                          worker reports result i (st_worker_timestamp)
    S + e_i + delay_on_trial_result  result i is visible to the tuner
    S + e_last + delay_complete_after_final_report
                                     trial is seen as completed

where ``e_i`` is the elapsed time from the run start until result ``i``
(``elapsed_time_attr``; a resumed trial pays only the time after its
checkpoint). A trial paused or stopped at time T keeps its worker busy until
``T + delay_stop + delay_complete_after_stop``: a trial started on that worker
does not start training earlier. Results a trial reports after the tuner's
decision to pause or stop it are never shown to the tuner. A completion is
shown by the ``fetch_status_results`` call after the one that returned the
trial's final result, so that the tuner can still pause the trial on that
result (promotion-based schedulers cap a trial at a rung and pause it there;
it is then resumed from that rung).

The backend owns the simulated clock (:attr:`SimulatorBackend.time_keeper`):
the tuner, the scheduler and the results read simulated time from it, and
whenever the tuner has nothing to do it calls
:meth:`SimulatorBackend.wait_for_activity`, which moves the clock to the next
event (a simulated tuner never waits idle). ``Tuner(...,
callbacks=[SimulatorCallback()])`` stores the results as simulations need.

A snapshot of the backend (the tuner saves it with its state) reproduces
everything that follows it: a tuner killed in the middle of a simulation
resumes from its last snapshot and simulates the rest again, which with
``add_real_time=False`` gives exactly the run it would have had.

Implementation notes: each busy trial has exactly one pending event in a
priority queue (its next result, or its completion), so the queue stays as
small as the number of workers; pausing or stopping only marks the run
inactive. :meth:`SimulatorBackend.fetch_status_results` costs O(number of new
events), and no history of results is kept once it has been handed to the
tuner.
"""

from __future__ import annotations

import heapq
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from syne_tune.backend.simulator_backend.events import EventQueue, TrialRun
from syne_tune.backend.time_keeper import SimulatedTimeKeeper
from syne_tune.backend.trial_backend import TrialBackend, TrialBookkeepingMixin
from syne_tune.trial import Status, Trial, TrialResult
from syne_tune.utils.json_io import json_default
from syne_tune.constants import (
    ST_CHECKPOINT_DIR,
    ST_CONFIG_JSON_FNAME_ARG,
    ST_WORKER_TIMESTAMP,
    TUNER_DEFAULT_SLEEP_TIME,
)

logger = logging.getLogger(__name__)

DEFAULT_DELAY = 0.05

_BUSY = (Status.in_progress, Status.stopping)


@dataclass
class SimulatorConfig:
    """Delays (simulated seconds) of the simulated cluster.

    Parameters
    ----------
    delay_on_trial_result
        From a worker reporting a result to the result being visible to the
        tuner.
    delay_complete_after_final_report
        From a worker reporting its final result to the trial being seen as
        completed. Must be ``>= delay_on_trial_result``.
    delay_complete_after_stop
        From a worker receiving the stop (or pause) signal to the worker
        being free again.
    delay_start
        From the tuner starting (or resuming) a trial on a free worker to the
        worker starting training.
    delay_stop
        From the tuner stopping (or pausing) a trial to the worker receiving
        the signal.
    """

    delay_on_trial_result: float = DEFAULT_DELAY
    delay_complete_after_final_report: float = DEFAULT_DELAY
    delay_complete_after_stop: float = DEFAULT_DELAY
    delay_start: float = DEFAULT_DELAY
    delay_stop: float = DEFAULT_DELAY

    def __post_init__(self):
        for name in (
            "delay_on_trial_result",
            "delay_complete_after_final_report",
            "delay_complete_after_stop",
            "delay_start",
            "delay_stop",
        ):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
                raise ValueError(f"SimulatorConfig: {name} must be a number >= 0, got {value!r}")
            if value == float("inf"):
                raise ValueError(f"SimulatorConfig: {name} must be finite, got {value!r}")
            setattr(self, name, float(value))
        if self.delay_on_trial_result > self.delay_complete_after_final_report:
            raise ValueError(
                "SimulatorConfig: delay_on_trial_result "
                f"({self.delay_on_trial_result}) must not exceed delay_complete_after_final_report "
                f"({self.delay_complete_after_final_report}), or a trial would be seen as completed "
                "before its final result"
            )


class SimulatorBackend(TrialBookkeepingMixin, TrialBackend):
    """Backend that runs trials on simulated time.

    This class runs a training script (``entry_point``) to completion when a
    trial starts, reads all results it reported, and releases them to the
    tuner on simulated time. Each result must contain ``elapsed_time_attr``:
    the seconds since the script started (a resumed script, which continues
    from its checkpoint in ``st_checkpoint_dir``, reports the seconds since
    it was resumed). Simulations of tabulated or surrogate benchmarks do not
    need a script: see
    :class:`~syne_tune.blackbox_repository.BlackboxRepositoryBackend` and
    :class:`~syne_tune.blackbox_repository.UserBlackboxBackend`, which derive
    from this class.

    Parameters
    ----------
    entry_point
        Training script (``None`` only in subclasses that produce results
        themselves).
    elapsed_time_attr
        Name of the result entry holding the elapsed training time.
    simulator_config
        Delays of the simulated cluster (default: :class:`SimulatorConfig()`).
    tuner_sleep_time
        Kept for API compatibility; the simulated tuner never sleeps (it
        moves the clock to the next event).
    debug_resource_attr
        If given, debug log lines show this result entry (e.g. the epoch).
    add_real_time
        If ``True`` (default), the real time the tuner and scheduler spend
        between calls to the backend is added to the simulated time, so that
        slow decisions cost time as they would on a real cluster. ``False``
        makes simulations exactly reproducible.
    delete_checkpoints, pass_args_as_json
        See :class:`~syne_tune.backend.trial_backend.TrialBackend`.
    """

    reproduces_from_snapshot = True

    def __init__(
        self,
        entry_point: str | None,
        elapsed_time_attr: str,
        simulator_config: SimulatorConfig | None = None,
        tuner_sleep_time: float = TUNER_DEFAULT_SLEEP_TIME,
        debug_resource_attr: str | None = None,
        add_real_time: bool = True,
        delete_checkpoints: bool = False,
        pass_args_as_json: bool = False,
    ):
        super().__init__(delete_checkpoints=delete_checkpoints, pass_args_as_json=pass_args_as_json)
        if not isinstance(elapsed_time_attr, str) or not elapsed_time_attr:
            raise ValueError(f"elapsed_time_attr must be a non-empty string, got {elapsed_time_attr!r}")
        if simulator_config is None:
            simulator_config = SimulatorConfig()
        elif not isinstance(simulator_config, SimulatorConfig):
            raise TypeError(
                f"simulator_config must be a SimulatorConfig, got {type(simulator_config).__name__}"
            )
        if entry_point is not None:
            entry_point = str(entry_point)
            if not Path(entry_point).is_file():
                raise FileNotFoundError(f"SimulatorBackend: entry_point {entry_point} does not exist")
        elif type(self)._new_run is SimulatorBackend._new_run:
            raise ValueError("SimulatorBackend needs an entry_point (the training script to simulate)")
        if debug_resource_attr is not None and not isinstance(debug_resource_attr, str):
            raise TypeError(f"debug_resource_attr must be a string, got {debug_resource_attr!r}")
        self.entry_point = entry_point
        self.elapsed_time_attr = elapsed_time_attr
        self.simulator_config = simulator_config
        self.tuner_sleep_time = tuner_sleep_time
        self._debug_resource_attr = debug_resource_attr
        self._time_keeper = SimulatedTimeKeeper(add_real_time=add_real_time)
        self._init_bookkeeping()
        self._queue = EventQueue()
        # current run of every busy trial
        self._runs: dict[int, TrialRun] = {}
        # results processed but not yet handed to the tuner
        self._new_results: list[tuple[int, dict]] = []
        # number of times results were handed to the tuner
        self._batch = 0
        # finished runs whose completion the tuner has not been shown yet
        self._deferred: list[tuple[float, TrialRun]] = []
        # times at which workers freed by a pause or stop are free again
        self._free_slots: list[float] = []
        # per trial (indexed by trial id): last result index reached (the
        # checkpoint) and seed; a finished trial costs a few bytes
        self._last_index: list[int] = []
        self._seeds: list = []
        self._tmp_dir: str | None = None
        # script runs only: trial id -> (config, rows, elapsed, base) of the
        # results a paused trial's script reported beyond the pause
        self._script_rest: dict[int, tuple] = {}

    # -- clock ---------------------------------------------------------------
    @property
    def time_keeper(self) -> SimulatedTimeKeeper:
        """The simulated clock; the tuner reads time from it."""
        return self._time_keeper

    def _enter(self) -> float:
        """Entering the backend: charge the time spent outside, then process
        all events up to now. Returns the current simulated time."""
        now = self._time_keeper.advance_by_outside_time()
        heap = self._queue.heap
        if heap and heap[0][0] <= now:
            self._process_until(now)
        return now

    def _exit(self) -> None:
        self._time_keeper.mark_exit()

    def next_event_time(self) -> float | None:
        """Simulated time of the next pending event (``None`` if none)."""
        return self._queue.next_time()

    def advance_to_next_event(self, only_if_idle: bool = False) -> bool:
        """Move the clock to the next pending event. With ``only_if_idle``,
        nothing happens while results or completions are waiting to be
        fetched by the tuner. Returns ``True`` if the clock was moved."""
        if only_if_idle and (self._new_results or self._deferred):
            return False
        next_time = self._queue.next_time()
        if next_time is None:
            return False
        # the real time spent since the backend was left (deciding on the
        # latest events) is charged before the jump, at the time it was spent
        return self._time_keeper.jump_to(next_time)

    def wait_for_activity(self, timeout: float) -> bool:
        """Move the clock to the next event, unless results or completions
        are already waiting to be fetched (whatever ``timeout``: a simulated
        tuner never waits idle). Returns ``True`` if the clock moved."""
        if self._new_results or self._deferred:
            return False
        heap = self._queue.heap
        while heap and not heap[0][2].active:
            heapq.heappop(heap)  # an event of a run paused or stopped meanwhile
        return bool(heap) and self._time_keeper.jump_to(heap[0][0])

    # -- event processing -------------------------------------------------------
    def _process_until(self, now: float) -> None:
        """Process all pending events with time ``<= now``, in time order."""
        queue = self._queue
        heap = queue.heap
        seq = queue.counter
        push = heapq.heappush
        pop = heapq.heappop
        new_results = self._new_results
        cfg = self.simulator_config
        delay_result = cfg.delay_on_trial_result
        delay_complete = cfg.delay_complete_after_final_report
        batch = self._batch
        make_result = self._make_result
        debug = logger.isEnabledFor(logging.DEBUG)
        while heap and heap[0][0] <= now:
            event_time, _, run = pop(heap)
            if not run.active:
                continue
            i = run.next_index
            if i < run.end_index:
                report_time = run.last_report_time
                result = make_result(run, i)
                result[ST_WORKER_TIMESTAMP] = report_time
                new_results.append((run.trial_id, result))
                run.batch = batch
                if debug:
                    self._debug("result", event_time, run, result)
                i += 1
                run.next_index = i
                seq += 1
                if i < run.end_index:
                    next_report = run.start_time + (float(run.elapsed[i]) - run.base_elapsed)
                    if next_report < report_time:
                        next_report = report_time
                    run.last_report_time = next_report
                    push(heap, (next_report + delay_result, seq, run))
                else:
                    push(heap, (report_time + delay_complete, seq, run))
            else:
                # the run is done; the tuner learns it at the next
                # fetch_status_results (see _publish_completions)
                run.active = False
                if debug:
                    self._debug("complete", event_time, run)
                self._deferred.append((event_time, run))
        queue.counter = seq

    def _debug(self, what: str, event_time: float, run: TrialRun, result: dict | None = None):
        msg = f"[{what}] time = {event_time:.3f}, trial_id = {run.trial_id}"
        if result is not None and self._debug_resource_attr is not None:
            msg += f", {self._debug_resource_attr} = {result.get(self._debug_resource_attr)}"
        logger.debug(msg)

    def _publish_completions(self) -> None:
        """Turn finished runs into status changes the tuner sees, except for
        runs whose final result the tuner has not seen yet: it must first be
        able to decide on that result (e.g. pause the trial, which a
        promotion-based scheduler does at the end of a capped run), so their
        completion is shown by the next call. Runs paused or stopped in the
        meantime are dropped."""
        keep = []
        runs = self._runs
        batch = self._batch
        for event_time, run in self._deferred:
            if runs.get(run.trial_id) is not run:
                continue
            if run.batch == batch:
                keep.append((event_time, run))
            else:
                self._finish(run, event_time)
        self._deferred = keep

    def _finish(self, run: TrialRun, event_time: float) -> None:
        trial_id = run.trial_id
        del self._runs[trial_id]
        self._set_status(trial_id, run.final_status)
        self._last_index[trial_id] = run.offset + run.next_index - 1
        if self.delete_checkpoints and run.final_status == Status.completed:
            self.delete_checkpoint(trial_id)

    def _schedule(self, trial_id: int, config: dict) -> None:
        """Create the run of ``trial_id`` (new or resumed) and push its first
        event."""
        first_index = self._last_index[trial_id] + 1
        run = self._new_run(trial_id, config, first_index)
        start = self._time_keeper.time()
        if self._free_slots:
            free_at = heapq.heappop(self._free_slots)
            if free_at > start:
                start = free_at
        start += self.simulator_config.delay_start
        run.start_time = start
        run.last_report_time = start
        self._runs[trial_id] = run
        i = run.next_index
        if i < run.end_index:
            report_time = start + (float(run.elapsed[i]) - run.base_elapsed)
            if report_time < start:
                report_time = start
            run.last_report_time = report_time
            self._queue.push(report_time + self.simulator_config.delay_on_trial_result, run)
        else:
            self._queue.push(start + self.simulator_config.delay_complete_after_final_report, run)

    # -- hooks for subclasses -------------------------------------------------
    def _new_run(self, trial_id: int, config: dict, first_index: int) -> TrialRun:
        """Results of a trial that starts (``first_index == 0``) or resumes
        after result ``first_index - 1`` (indices count all results of the
        trial). This class runs the script; a paused trial resumed with the
        same config continues with the results its script had already
        reported beyond the pause, else the script is run again (and
        continues from its checkpoint)."""
        rest = self._script_rest.pop(trial_id, None)
        if rest is not None and rest[0] == config:
            _, rows, elapsed, base = rest
            return TrialRun(trial_id, rows=rows, elapsed=elapsed, base_elapsed=base, offset=first_index)
        run = self._run_script(trial_id, config)
        run.offset = first_index
        return run

    def _keep_rest_of_run(self, run: TrialRun, checkpoint_index: int) -> None:
        """A script run paused after result ``checkpoint_index`` (of the
        trial): keep the results it reported beyond that, for a resume."""
        start = checkpoint_index + 1 - run.offset
        if self.entry_point is None or start >= len(run.rows):
            return
        base = run.elapsed[start - 1] if start > 0 else run.base_elapsed
        config = dict(self._trials[run.trial_id].config)
        self._script_rest[run.trial_id] = (config, run.rows[start:], run.elapsed[start:], base)

    def _make_result(self, run: TrialRun, index: int) -> dict:
        """Result ``index`` of ``run`` as a new dict (the timestamp is added
        by the caller)."""
        result = dict(run.rows[index])
        if run.base_elapsed:
            result[self.elapsed_time_attr] = run.elapsed[index] - run.base_elapsed
        return result

    def _checkpoint_index(self, run: TrialRun, result: dict | None, last_delivered: int) -> int:
        """Index of the last result covered by the checkpoint when ``run`` is
        paused after the tuner saw result ``last_delivered`` (``result``:
        what the tuner passed to ``pause_trial``)."""
        return last_delivered

    def _trial_seed(self, trial_id: int):
        """Seed of a new trial (subclasses: seed of the blackbox)."""
        return None

    # -- public API -------------------------------------------------------------
    def start_trial(self, config: dict, checkpoint_trial_id: int | None = None) -> TrialResult:
        if not isinstance(config, dict):
            raise TypeError(f"config must be a dict, got {type(config).__name__}")
        self._enter()
        trial_id = self.new_trial_id()
        if checkpoint_trial_id is not None:
            self._check_known(checkpoint_trial_id)
        trial = Trial(trial_id=trial_id, config=dict(config), creation_time=self._time_keeper.time_stamp())
        self._add_trial(trial)
        self._last_index.append(-1)
        self._seeds.append(self._trial_seed(trial_id))
        try:
            if checkpoint_trial_id is not None:
                self.copy_checkpoint(checkpoint_trial_id, trial_id)
            self._schedule(trial_id, trial.config)
        except BaseException:
            # the trial could not start (e.g. its config is not in the
            # table): leave no trace of it
            self._remove_last_trial(trial_id)
            self._last_index.pop()
            self._seeds.pop()
            raise
        finally:
            self._exit()
        return trial.add_results(metrics=[], status=Status.in_progress, training_end_time=None)

    def resume_trial(self, trial_id: int, new_config: dict | None = None) -> TrialResult:
        self._enter()
        try:
            trial = self._resume_in_table(
                trial_id, new_config, lambda: self._schedule(trial_id, self._trials[trial_id].config)
            )
        finally:
            self._exit()
        return trial.add_results(metrics=[], status=Status.in_progress, training_end_time=None)

    def pause_trial(self, trial_id: int, result: dict | None = None) -> None:
        self._pause_or_stop(trial_id, result, Status.paused)

    def stop_trial(self, trial_id: int, result: dict | None = None) -> None:
        self._pause_or_stop(trial_id, result, Status.stopped)

    def _pause_or_stop(self, trial_id: int, result: dict | None, new_status: str) -> None:
        now = self._enter()
        status = self.trial_status(trial_id)
        if status not in _BUSY:
            raise ValueError(
                f"Trial {trial_id} cannot be {new_status.lower()}: its status is {status}, not running"
            )
        self._cancel_run(trial_id, result)
        self._set_status(trial_id, new_status)
        cfg = self.simulator_config
        heapq.heappush(self._free_slots, now + cfg.delay_stop + cfg.delay_complete_after_stop)
        if new_status == Status.stopped:
            self._script_rest.pop(trial_id, None)
            if self.delete_checkpoints:
                self.delete_checkpoint(trial_id)
        self._exit()

    def _delivered_index(self, trial_id: int, run: TrialRun, drop_pending: bool) -> int:
        """Index of the latest result of ``run`` that the tuner has seen; with
        ``drop_pending``, results it has not seen are discarded."""
        pending = 0
        if self._new_results:
            kept = [r for r in self._new_results if r[0] != trial_id]
            pending = len(self._new_results) - len(kept)
            if drop_pending and pending:
                self._new_results[:] = kept
        return run.offset + run.next_index - 1 - pending

    def _cancel_run(self, trial_id: int, result: dict | None) -> None:
        run = self._runs.pop(trial_id)
        run.active = False
        delivered = self._delivered_index(trial_id, run, drop_pending=True)
        index = self._checkpoint_index(run, result, delivered)
        self._last_index[trial_id] = index
        if self.entry_point is not None:
            self._keep_rest_of_run(run, index)

    def fetch_status_results(
        self, trial_ids: list[int]
    ) -> tuple[dict[int, tuple[Trial, str]], list[tuple[int, dict]]]:
        """Statuses of ``trial_ids`` and their results since the last call
        (in the order they were reported; O(number of new events))."""
        if self._to_release:
            self._release_finished()
        tk = self._time_keeper
        now = tk.advance_by_outside_time()
        heap = self._queue.heap
        if heap and heap[0][0] <= now:
            self._process_until(now)
        if self._deferred:
            self._publish_completions()
        results = self._new_results
        if results:
            self._new_results = []
            self._batch += 1
            wanted = trial_ids if len(trial_ids) <= 8 else set(trial_ids)
            for trial_id, _ in results:
                if trial_id not in wanted:
                    self._keep_unwanted_results(results, wanted)
                    results = [r for r in results if r[0] in wanted]
                    break
        trials = self._trials
        status = self._status
        try:
            trial_status_dict = {tid: (trials[tid], status[tid]) for tid in trial_ids}
        except KeyError:
            trial_status_dict = {tid: (self.get_trial(tid), self.trial_status(tid)) for tid in trial_ids}
        tk.mark_exit()
        return trial_status_dict, results

    def _keep_unwanted_results(self, results: list, wanted) -> None:
        """Results of trials the tuner did not ask for are kept for a later call."""
        self._new_results = [r for r in results if r[0] not in wanted]
        for trial_id, _ in self._new_results:
            run = self._runs.get(trial_id)
            if run is not None:
                run.batch = self._batch

    # -- checkpoints ------------------------------------------------------------
    def copy_checkpoint(self, src_trial_id: int, tgt_trial_id: int) -> None:
        """The target trial continues from where the source trial is now (the
        last result of the source the tuner has seen)."""
        self._check_known(src_trial_id)
        self._check_known(tgt_trial_id)
        run = self._runs.get(src_trial_id)
        if run is not None:
            index = self._delivered_index(src_trial_id, run, drop_pending=False)
        else:
            index = self._last_index[src_trial_id]
        self._last_index[tgt_trial_id] = index
        if self.entry_point is not None:
            src = self._checkpoint_dir(src_trial_id)
            tgt = self._checkpoint_dir(tgt_trial_id)
            if src.is_dir():
                shutil.rmtree(tgt, ignore_errors=True)
                shutil.copytree(src, tgt)

    def delete_checkpoint(self, trial_id: int) -> None:
        if self.entry_point is not None:
            shutil.rmtree(self._checkpoint_dir(trial_id), ignore_errors=True)

    # -- running a script ---------------------------------------------------------
    def _trial_path(self, trial_id: int) -> Path:
        root = getattr(self, "results_root", None)
        if root is None:
            if self._tmp_dir is None:
                self._tmp_dir = tempfile.mkdtemp(prefix="st-simulator-")
            root = Path(self._tmp_dir)
        return Path(root) / str(trial_id)

    def _checkpoint_dir(self, trial_id: int) -> Path:
        return self._trial_path(trial_id) / "checkpoints"

    def stdout(self, trial_id: int) -> list[str]:
        return self._read_lines(trial_id, "std.out")

    def stderr(self, trial_id: int) -> list[str]:
        return self._read_lines(trial_id, "std.err")

    def _read_lines(self, trial_id: int, name: str) -> list[str]:
        self._check_known(trial_id)
        if self.entry_point is None:
            return []
        path = self._trial_path(trial_id) / name
        if not path.is_file():
            return []
        return path.read_text().splitlines()

    def entrypoint_path(self) -> Path | None:
        return Path(self.entry_point) if self.entry_point is not None else None

    def set_entrypoint(self, entry_point: str) -> None:
        if self.entry_point is None:
            raise NotImplementedError(f"{type(self).__name__} has no entry point")
        if not Path(entry_point).is_file():
            raise FileNotFoundError(f"entry_point {entry_point} does not exist")
        self.entry_point = str(entry_point)

    def _run_script(self, trial_id: int, config: dict) -> TrialRun:
        """Run the training script to completion and collect its results."""
        path = self._trial_path(trial_id)
        path.mkdir(parents=True, exist_ok=True)
        config = dict(config)
        config[ST_CHECKPOINT_DIR] = str(path / "checkpoints")
        cmd = [sys.executable, self.entry_point]
        if self.pass_args_as_json:
            json_path = path / "config.json"
            json_path.write_text(json.dumps(config, default=json_default))
            cmd += [f"--{ST_CONFIG_JSON_FNAME_ARG}", str(json_path)]
        else:
            for key, value in config.items():
                cmd += [f"--{key}", str(value)]
        proc = subprocess.run(cmd, capture_output=True, text=True, env=dict(os.environ))
        with open(path / "std.out", "a") as f:
            f.write(proc.stdout)
        with open(path / "std.err", "a") as f:
            f.write(proc.stderr)
        from syne_tune.report import retrieve

        results = retrieve(proc.stdout.splitlines())
        elapsed = []
        for i, result in enumerate(results):
            value = result.get(self.elapsed_time_attr)
            if value is None:
                raise ValueError(
                    f"Trial {trial_id}: result {i} of {self.entry_point} has no '{self.elapsed_time_attr}' "
                    f"entry (reported keys: {sorted(result)}). The script must report the elapsed time "
                    "since it started, under the name given as elapsed_time_attr."
                )
            elapsed.append(float(value))
        status = Status.completed if proc.returncode == 0 else Status.failed
        return TrialRun(trial_id, rows=results, elapsed=elapsed, final_status=status)

    # -- metadata -----------------------------------------------------------------
    def reported_metric_names(self) -> list[str] | None:
        return None

