"""Speculative early checkpoint removal for promotion-type asynchronous
Hyperband (Syne Tune's "early checkpoint removal").

With pause-and-resume scheduling (``HyperbandScheduler(type="promotion")``,
PASHA, ...), every paused trial may be resumed later, so its checkpoint is
kept and the disk fills up. :class:`HyperbandRemoveCheckpointsCallback` keeps
the number of trials *with* a checkpoint (running, or paused with their
checkpoint) at most ``max_num_checkpoints``. At the end of every tuner loop
iteration, if there are ``K`` more, the checkpoints of the ``K`` paused trials
(with checkpoint) of smallest score are deleted
(``trial_backend.delete_checkpoint``). A trial resumed without its checkpoint
trains again from scratch, which costs about its rung level; the score is the
expected cost of removing the checkpoint::

    score = rung level * P(the trial is resumed before the experiment ends)

``P`` is computed as in
:mod:`~syne_tune.callbacks.hyperband_remove_checkpoints_score` from the
trial's rank in its rung, the rung size, the rung's promotion quantile, the
ratio ``beta`` of time left (``max_wallclock_time`` minus the tuner's
wallclock time) to time spent, and the probability ``p_r`` that a trial
arriving at rung ``r`` ranks better than a paused one there.

``p_r`` is estimated online. Whenever a result reaches rung level ``r``, it
gives one observation per paused trial with checkpoint at ``r`` (other than
the reporting trial): 1 if the new value is at least as good, else 0. Per
rung, and over all rungs, the observations update a Beta-Binomial estimator
with prior mean ``prior_beta_mean`` and prior size ``prior_beta_size``
(``a = mean * size``, ``b = size - a``; estimate: posterior mean ``(a + ones) /
(size + total)``). The rung's estimate is used once it has at least
``min_data_at_rung`` observations, the overall one before.

Trials already promotable (rank ``<= alpha * n``) have probability 1, so
their score is their full rung level. Trials resumed although their
checkpoint was removed are recorded (:meth:`~HyperbandRemoveCheckpointsCallback.trials_resumed_without_checkpoint`,
:meth:`~HyperbandRemoveCheckpointsCallback.extra_results`).
"""

from __future__ import annotations

import logging
import time
from numbers import Integral, Real
from typing import Any

import numpy as np

from syne_tune.callbacks.hyperband_remove_checkpoints_score import probabilities_of_getting_resumed
from syne_tune.optimizer.scheduler import SchedulerDecision
from syne_tune.trial import Trial
from syne_tune.tuner_callback import TunerCallback
from syne_tune.utils.validation import Interval, Options, validate_parameters

__all__ = [
    "BetaBinomialEstimator",
    "HyperbandRemoveCheckpointsCallback",
    "EARLY_CHECKPOINT_REMOVAL_OPTIONS",
]

logger = logging.getLogger(__name__)

#: Keys of ``HyperbandScheduler(early_checkpoint_removal_kwargs=...)``: the
#: callback's arguments other than those the scheduler supplies.
EARLY_CHECKPOINT_REMOVAL_OPTIONS = (
    "max_num_checkpoints",
    "max_wallclock_time",
    "approx_steps",
    "prior_beta_mean",
    "prior_beta_size",
    "min_data_at_rung",
)

# Status of a trial as far as checkpoints are concerned
_RUNNING = "running"
_PAUSED_WITH_CHECKPOINT = "paused-with-checkpoint"
_PAUSED_NO_CHECKPOINT = "paused-no-checkpoint"
_DONE = "done"
_HAS_CHECKPOINT = (_RUNNING, _PAUSED_WITH_CHECKPOINT)


class BetaBinomialEstimator:
    """Estimate of ``p = P(X = 1)`` for Bernoulli observations ``X``, with a
    Beta prior of mean ``beta_mean`` and effective size ``beta_size``
    (``a = beta_mean * beta_size``, ``a + b = beta_size``).

    Parameters
    ----------
    beta_mean
        Prior mean, in (0, 1).
    beta_size
        Prior size, > 0.
    """

    def __init__(self, beta_mean: float, beta_size: float):
        if not 0 < beta_mean < 1:
            raise ValueError(f"beta_mean must be in (0, 1), got {beta_mean!r}")
        if not beta_size > 0:
            raise ValueError(f"beta_size must be positive, got {beta_size!r}")
        self._a = beta_mean * beta_size
        self._size = beta_size
        self.num_one = 0
        self.num_total = 0

    def update(self, data: list[bool]) -> None:
        """Add observations (``True`` = 1)."""
        self.num_one += int(sum(data))
        self.num_total += len(data)

    def posterior_mean(self) -> float:
        """``(a + ones) / (a + b + total)``."""
        return (self._a + self.num_one) / (self._size + self.num_total)


class HyperbandRemoveCheckpointsCallback(TunerCallback):
    """Keeps at most ``max_num_checkpoints`` trials with checkpoints by
    removing the checkpoints of paused trials speculatively (see the module
    docstring for the rule).

    Normally created by
    :meth:`~syne_tune.optimizer.schedulers.HyperbandScheduler.callback_for_checkpoint_removal`
    from ``early_checkpoint_removal_kwargs`` and added to the tuner's
    callbacks when the backend has ``delete_checkpoints=True`` (see
    :func:`syne_tune.callbacks.default_callbacks`). The scheduler must expose
    its rungs as ``scheduler.terminator`` (``paused_trials``,
    ``information_for_rungs``), as :class:`HyperbandScheduler` does.

    Parameters
    ----------
    max_num_checkpoints
        Once more trials than this have checkpoints, some are removed. Should
        be larger than the number of workers (running trials always keep
        theirs).
    max_wallclock_time
        Time budget of the experiment in seconds (tuner time).
    metric
        Metric name in results.
    resource_attr
        Resource name in results.
    mode
        "min" or "max".
    approx_steps
        Number of steps ``R`` of the approximation of the resume probability
        (cost grows as ``R**3``).
    prior_beta_mean
        Prior mean of the estimators of ``p_r``; should be below 1/2.
    prior_beta_size
        Prior size of those estimators (smaller: weaker prior).
    min_data_at_rung
        Observations a rung needs before its own estimate of ``p_r`` is used.

    Raises
    ------
    InvalidParameterError
        For an argument of the wrong type or out of range, e.g. a
        ``prior_beta_mean`` outside (0, 1).
    """

    _parameter_constraints = {
        "max_num_checkpoints": [Interval(Integral, 1, None, closed="left")],
        "max_wallclock_time": [Interval(Real, 0, None, closed="neither")],
        "metric": [str],
        "resource_attr": [str],
        "mode": [Options(str, {"min", "max"})],
        "approx_steps": [Interval(Integral, 1, None, closed="left")],
        "prior_beta_mean": [Interval(Real, 0, 1, closed="neither")],
        "prior_beta_size": [Interval(Real, 0, None, closed="neither")],
        "min_data_at_rung": [Interval(Integral, 0, None, closed="left")],
    }

    def __init__(
        self,
        max_num_checkpoints: int,
        max_wallclock_time: float,
        metric: str,
        resource_attr: str,
        mode: str,
        approx_steps: int = 25,
        prior_beta_mean: float = 0.33,
        prior_beta_size: float = 2,
        min_data_at_rung: int = 5,
    ):
        validate_parameters(self, locals())
        self.max_num_checkpoints = int(max_num_checkpoints)
        self.max_wallclock_time = float(max_wallclock_time)
        self.metric = metric
        self.resource_attr = resource_attr
        self.mode = mode
        self._sign = 1.0 if mode == "min" else -1.0
        self.approx_steps = int(approx_steps)
        self.prior_beta_mean = float(prior_beta_mean)
        self.prior_beta_size = float(prior_beta_size)
        self.min_data_at_rung = int(min_data_at_rung)
        self._reset()

    def _reset(self) -> None:
        self._tuner = None
        self._start_time = time.perf_counter()
        #: trial_id -> one of the statuses above (set with _set_status)
        self._trial_status: dict[int, str] = {}
        self._num_with_checkpoint = 0
        #: paused trials whose checkpoint was removed: trial_id -> rung level
        self._removed: dict[int, int] = {}
        self._resumed_without_checkpoint: list[tuple[int, int]] = []
        self._num_checkpoints_removed = 0
        self._num_trials_resumed = 0
        self._estimator_for_rung: dict[int, BetaBinomialEstimator] = {}
        self._estimator_overall = self._new_estimator()

    def _new_estimator(self) -> BetaBinomialEstimator:
        return BetaBinomialEstimator(self.prior_beta_mean, self.prior_beta_size)

    # -- tuner hooks ----------------------------------------------------------------
    def on_tuning_start(self, tuner) -> None:
        terminator = getattr(tuner.scheduler, "terminator", None)
        if terminator is None or not hasattr(terminator, "paused_trials"):
            raise TypeError(
                f"{type(self).__name__} needs a HyperbandScheduler (a scheduler with a 'terminator' exposing "
                f"paused_trials), got {type(tuner.scheduler).__name__}"
            )
        n_workers = getattr(tuner, "n_workers", None)
        if n_workers is not None and self.max_num_checkpoints <= n_workers:
            logger.warning(
                "max_num_checkpoints = %d is not larger than n_workers = %d: running trials keep their "
                "checkpoints, so paused trials will lose theirs at once",
                self.max_num_checkpoints, n_workers,
            )
        self._start_time = time.perf_counter()  # only used if the tuner has no tuning_status
        self._tuner = tuner

    def _set_status(self, trial_id, status: str) -> None:
        old = self._trial_status.get(trial_id)
        self._num_with_checkpoint += (status in _HAS_CHECKPOINT) - (old in _HAS_CHECKPOINT)
        self._trial_status[trial_id] = status

    def on_start_trial(self, trial: Trial) -> None:
        self._set_status(trial.trial_id, _RUNNING)

    def on_resume_trial(self, trial: Trial) -> None:
        trial_id = trial.trial_id
        self._set_status(trial_id, _RUNNING)
        self._num_trials_resumed += 1
        level = self._removed.pop(trial_id, None)
        if level is not None:
            self._resumed_without_checkpoint.append((trial_id, level))

    def on_trial_result(self, trial: Trial, status: str, result: dict, decision: str) -> None:
        trial_id = trial.trial_id
        if decision == SchedulerDecision.CONTINUE:
            self._set_status(trial_id, _RUNNING)
        elif decision == SchedulerDecision.PAUSE:
            self._set_status(trial_id, _PAUSED_WITH_CHECKPOINT)
        else:
            self._set_status(trial_id, _DONE)
            self._removed.pop(trial_id, None)
        self._update_estimators(trial_id, result)

    def on_trial_complete(self, trial: Trial, result: dict) -> None:
        self._set_status(trial.trial_id, _DONE)
        self._removed.pop(trial.trial_id, None)

    def on_loop_end(self) -> None:
        num_to_remove = self.num_trials_with_checkpoints() - self.max_num_checkpoints
        if num_to_remove <= 0:
            return
        candidates = self._paused_with_checkpoint()
        if not candidates:
            return
        chosen = self.trials_to_remove(candidates, min(num_to_remove, len(candidates)))
        backend = self._tuner.trial_backend
        for trial_id, level, rank, rung_len, score in chosen:
            backend.delete_checkpoint(trial_id)
            self._set_status(trial_id, _PAUSED_NO_CHECKPOINT)
            self._removed[trial_id] = level
            self._num_checkpoints_removed += 1
            logger.info(
                "Removed the checkpoint of paused trial %s (rung level %s, rank %d of %d, score %.3g)",
                trial_id, level, rank, rung_len, score,
            )

    # -- the rule ---------------------------------------------------------------------
    def num_trials_with_checkpoints(self) -> int:
        """Trials running or paused with their checkpoint."""
        return self._num_with_checkpoint

    def _terminator(self):
        return self._tuner.scheduler.terminator

    def _paused_with_checkpoint(self, resource: int | None = None) -> list[tuple[Any, int, float, int]]:
        """Paused trials (``(trial_id, rank, metric value, level)``) whose
        checkpoint was not removed."""
        return [entry for entry in self._terminator().paused_trials(resource) if entry[0] not in self._removed]

    def probability_for_rung(self, level: int) -> float:
        """Current estimate of ``p_r`` at rung level ``level``."""
        estimator = self._estimator_for_rung.get(level)
        if estimator is None or estimator.num_total < self.min_data_at_rung:
            estimator = self._estimator_overall
        return estimator.posterior_mean()

    def time_ratio(self) -> float:
        """``beta``: time left over time spent (both at least 1 ms)."""
        status = getattr(self._tuner, "tuning_status", None)
        elapsed = getattr(status, "wallclock_time", None)
        if elapsed is None:
            elapsed = time.perf_counter() - self._start_time
        return max(self.max_wallclock_time - elapsed, 1e-3) / max(elapsed, 1e-3)

    def scores(self, candidates: list[tuple[Any, int, float, int]]) -> np.ndarray:
        """``level * P(resumed)`` for paused trials ``(trial_id, rank, metric
        value, level)`` (``rank`` 0 = best)."""
        rungs = {level: (size, quantile) for level, size, quantile in self._terminator().information_for_rungs()}
        levels = np.array([entry[3] for entry in candidates], dtype=float)
        probabilities = probabilities_of_getting_resumed(
            ranks=np.array([entry[1] + 1 for entry in candidates], dtype=float),
            rung_lens=np.array([rungs[entry[3]][0] for entry in candidates], dtype=float),
            prom_quants=np.array([rungs[entry[3]][1] for entry in candidates], dtype=float),
            p_vals=np.array([self.probability_for_rung(entry[3]) for entry in candidates]),
            time_ratio=self.time_ratio(),
            approx_steps=self.approx_steps,
        )
        return levels * probabilities

    def trials_to_remove(
        self, candidates: list[tuple[Any, int, float, int]], num_to_remove: int
    ) -> list[tuple[Any, int, int, int, float]]:
        """The ``num_to_remove`` candidates of smallest score, as ``(trial_id,
        level, rank, rung size, score)`` (ties: lower level, then worse
        rank)."""
        scores = self.scores(candidates)
        sizes = {level: size for level, size, _ in self._terminator().information_for_rungs()}
        order = sorted(range(len(candidates)), key=lambda i: (scores[i], candidates[i][3], -candidates[i][1]))
        return [
            (candidates[i][0], candidates[i][3], candidates[i][1], sizes[candidates[i][3]], float(scores[i]))
            for i in order[:num_to_remove]
        ]

    def _update_estimators(self, trial_id, result: dict) -> None:
        if self.metric not in result or self.resource_attr not in result:
            return
        level = int(result[self.resource_attr])
        paused = self._paused_with_checkpoint(resource=level)
        if not paused:
            return  # not a rung level, or nobody paused there
        value = self._sign * float(result[self.metric])
        data = [value <= self._sign * metric_value for tid, _, metric_value, _ in paused if tid != trial_id]
        if data:
            estimator = self._estimator_for_rung.get(level)
            if estimator is None:
                estimator = self._estimator_for_rung[level] = self._new_estimator()
            estimator.update(data)
            self._estimator_overall.update(data)

    # -- reporting ------------------------------------------------------------------------
    @property
    def num_checkpoints_removed(self) -> int:
        return self._num_checkpoints_removed

    def trials_resumed_without_checkpoint(self) -> list[tuple[int, int]]:
        """``(trial_id, level)`` of trials resumed after their checkpoint had
        been removed (they trained again from scratch)."""
        return list(self._resumed_without_checkpoint)

    def extra_results(self) -> dict[str, Any]:
        """Counters to store with the results: checkpoints removed, trials
        resumed, and the resource spent again on trials resumed without
        checkpoint (sum of their levels)."""
        return {
            "num_checkpoints_removed": self._num_checkpoints_removed,
            "num_trials_resumed": self._num_trials_resumed,
            "cost_resources": sum(level for _, level in self._resumed_without_checkpoint),
        }

    @staticmethod
    def extra_results_keys() -> list[str]:
        return ["num_checkpoints_removed", "num_trials_resumed", "cost_resources"]

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state["_tuner"] = None  # set again by on_tuning_start
        return state
