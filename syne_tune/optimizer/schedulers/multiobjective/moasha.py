"""MOASHA: multi-objective asynchronous successive halving (stopping variant).

References: Schmucker et al. (2021), "Multi-objective multi-fidelity
hyperparameter optimization with application to fairness"; Salinas et al.
(2021), "A multi-objective perspective on jointly tuning hardware and
hyperparameters".

Algorithm. New trials get random configurations (the ``"random"`` searcher,
seeded by ``random_seed``). Rung levels are ASHA's
(:func:`~syne_tune.optimizer.schedulers.multifidelity.rung_levels.get_rung_levels`):
``r_k = round(grace_period * reduction_factor**k) < max_t``. When a trial's
resource ``time_attr`` reaches a rung level (or jumps over it: it is then
recorded at the highest level passed, as in ASHA), its objective vector
``y = (s_1 * metric_1, ..., s_m * metric_m)`` is recorded at that rung
(``s_j = +1`` for ``mode[j] == "min"``, ``-1`` for "max", so that every
objective is minimized). With ``n`` vectors now recorded at the rung
(including ``y``) and ``b`` the number of them whose priority
(``multiobjective_priority``, default
:class:`~syne_tune.optimizer.schedulers.multiobjective.multiobjective_priority.NonDominatedPriority`)
is strictly better than that of ``y``, the trial

* continues iff ``b <= n / reduction_factor``, i.e. ``b / n <= 1 / eta``:
  it is in the top ``1 / reduction_factor`` fraction (ties count in its
  favour; the first trial at a rung always continues),
* and is stopped otherwise.

Every result with ``time_attr >= max_t`` gets ``STOP``. Results with a NaN or
infinite objective rank after every finite vector (``b`` = number of finite
vectors at the rung; they are left out of the ranking of the others).

Brackets: ``brackets = B > 1`` samples a bracket ``b`` for each new trial
with ASHA's bracket distribution (proportional to synchronous Hyperband's
bracket sizes, seeded by ``random_seed``); bracket ``b`` has the rungs
``r_b, r_{b+1}, ...`` of its own (trials compete within their bracket, as in
Syne Tune's MOASHA).

Implementation: the rung bookkeeping of
:class:`~syne_tune.optimizer.schedulers.multifidelity.rung_system.StoppingRungSystem`
(reaching and skipping rungs, milestones, brackets through
:class:`~syne_tune.optimizer.schedulers.multifidelity.bracket_manager.HyperbandBracketManager`)
is reused; :class:`MultiObjectiveStoppingRungSystem` only stores the vectors
(an array per rung, grown by doubling) and replaces the quantile rule by the
rule above. The scalar rung data of the base class (``rung_entries``,
``information_for_rungs``) report the first metric. A decision costs one
:meth:`~syne_tune.optimizer.schedulers.multiobjective.multiobjective_priority.MOPriority.num_better`
call with ``limit = floor(n / reduction_factor)``.

Differences from Syne Tune 0.13 and why:

* rung levels are rounded to integers as in ASHA (Syne Tune keeps
  ``grace_period * eta**k`` as floats; equal for integer ``eta``), and a
  result jumping over rungs is recorded at the highest one only (Syne Tune
  records it there, then at the next lower unrecorded rung with the next
  result);
* random configurations and brackets are drawn from ``random_seed`` (Syne
  Tune draws from numpy's global generator and has no ``random_seed``,
  ``points_to_evaluate``); brackets follow ASHA's distribution (Syne Tune:
  probabilities proportional to ``exp(number of rungs of the bracket)``);
* the decision for a ``NonDominatedPriority`` ranks each row by its position
  (see :mod:`~syne_tune.optimizer.schedulers.multiobjective.multiobjective_priority`);
* arguments are validated with :class:`~syne_tune.utils.validation.InvalidParameterError`
  (Syne Tune asserts); ``grace_period == max_t`` is allowed (no rungs: every
  trial runs to ``max_t``), as in Syne Tune.
"""

from __future__ import annotations

import logging
import math
from numbers import Integral, Real
from typing import Any

import numpy as np

from syne_tune.optimizer.scheduler import SchedulerDecision, TrialSuggestion
from syne_tune.optimizer.schedulers.fifo import FIFOScheduler, check_metric_in_result
from syne_tune.optimizer.schedulers.hyperband import NonEmptyString, check_resource_in_result
from syne_tune.optimizer.schedulers.multifidelity.bracket_manager import HyperbandBracketManager
from syne_tune.optimizer.schedulers.multifidelity.rung_levels import get_rung_levels, max_num_brackets
from syne_tune.optimizer.schedulers.multifidelity.rung_system import Rung, StoppingRungSystem
from syne_tune.optimizer.schedulers.multiobjective.multiobjective_priority import (
    MOPriority,
    NonDominatedPriority,
)
from syne_tune.optimizer.schedulers.searchers.searcher_base import MAX_SEED
from syne_tune.trial import Trial
from syne_tune.utils.validation import Interval, InvalidParameterError, Options, validate_parameters

__all__ = ["MOASHA", "MultiObjectiveStoppingRungSystem"]

logger = logging.getLogger(__name__)

_CONTINUE = SchedulerDecision.CONTINUE
_STOP = SchedulerDecision.STOP


class _ObjectiveRows:
    """Signed objective vectors recorded at one rung (rows appended in
    arrival order; capacity doubles)."""

    __slots__ = ("values", "size", "finite", "num_invalid")

    def __init__(self, num_objectives: int):
        self.values = np.empty((8, num_objectives))
        self.finite = np.empty(8, dtype=bool)
        self.size = 0
        self.num_invalid = 0

    def append(self, row: np.ndarray) -> None:
        if self.size == len(self.values):
            self.values = np.concatenate([self.values, np.empty_like(self.values)])
            self.finite = np.concatenate([self.finite, np.empty_like(self.finite)])
        ok = bool(np.all(np.isfinite(row)))
        self.values[self.size] = row
        self.finite[self.size] = ok
        self.num_invalid += not ok
        self.size += 1


class MultiObjectiveStoppingRungSystem(StoppingRungSystem):
    """Stopping rung system ranking objective vectors with a
    :class:`MOPriority` (see the module docstring for the rule).

    Parameters
    ----------
    rung_levels, metric, mode, resource_attr, max_t, cost_attr
        As for :class:`~syne_tune.optimizer.schedulers.multifidelity.rung_system.RungSystem`
        (``metric`` / ``mode``: the first objective, used for the scalar
        read access of the base class).
    promote_quantiles
        Ignored: the fraction kept is ``1 / reduction_factor`` at every rung.
    metrics, modes
        All objectives and their modes.
    multiobjective_priority
        Ranks the vectors at a rung.
    reduction_factor
        ``eta``: a trial continues iff ``b <= n / eta``.
    """

    def __init__(
        self,
        rung_levels: list[int],
        promote_quantiles: list[float],
        metric: str,
        mode: str,
        resource_attr: str,
        max_t: int,
        cost_attr: str | None = None,
        metrics: list[str] | None = None,
        modes: list[str] | None = None,
        multiobjective_priority: MOPriority | None = None,
        reduction_factor: float = 3,
    ):
        quantiles = [1.0 / reduction_factor] * len(rung_levels)
        super().__init__(rung_levels, quantiles, metric, mode, resource_attr, max_t, cost_attr)
        self._metrics = list(metrics) if metrics is not None else [metric]
        modes = list(modes) if modes is not None else [mode] * len(self._metrics)
        self._signs = np.array([1.0 if m == "min" else -1.0 for m in modes])
        self._priority = multiobjective_priority if multiobjective_priority is not None else NonDominatedPriority()
        self._reduction_factor = float(reduction_factor)
        self._rows = {rung.level: _ObjectiveRows(len(self._metrics)) for rung in self.rungs}

    def _record(self, trial_id, result: dict, rung: Rung, paused: bool) -> float:
        signed = super()._record(trial_id, result, rung, paused)
        row = np.array([float(result[name]) for name in self._metrics]) * self._signs
        self._rows[rung.level].append(row)
        return signed

    def _task_continues(self, trial_id, signed_value: float, rung: Rung) -> bool:
        rows = self._rows[rung.level]
        n = rows.size
        limit = math.floor(n / self._reduction_factor)
        if n == 1:
            return True
        last = n - 1
        if not rows.finite[last]:
            return n - rows.num_invalid <= limit
        if rows.num_invalid == 0:
            return self._priority.num_better(rows.values[:n], last, limit=limit) <= limit
        finite = rows.finite[:n]
        return self._priority.num_better(rows.values[:n][finite], int(finite.sum()) - 1, limit=limit) <= limit

    def rung_objectives(self, level: int) -> np.ndarray:
        """Signed objective vectors recorded at rung ``level`` (arrival order;
        every objective minimized), shape ``(n, m)``."""
        rows = self._rows.get(level)
        if rows is None:
            return np.zeros((0, len(self._metrics)))
        return rows.values[: rows.size].copy()


class MOASHA(FIFOScheduler):
    """Multi-objective asynchronous successive halving (see the module
    docstring for the algorithm).

    Parameters
    ----------
    config_space
        Configuration space.
    metrics
        Names of the objectives (a str for a single one).
    mode
        "min" or "max" for all objectives, or a list with one entry per
        metric; ``None``: "min".
    time_attr
        Resource reported in results (increasing: epochs, iterations, ...).
    multiobjective_priority
        Ranking of the trials at a rung;
        ``None``: :class:`~syne_tune.optimizer.schedulers.multiobjective.multiobjective_priority.NonDominatedPriority`.
    max_t
        Maximum resource: a result with ``time_attr >= max_t`` stops the
        trial.
    grace_period
        Lowest rung level.
    reduction_factor
        ``eta``: rung levels ``round(grace_period * eta**k)``; a fraction
        ``1 / eta`` of the trials continue at each rung.
    brackets
        Number of brackets (at most ``len(rung_levels) + 1``; larger values
        are reduced, with a warning).
    points_to_evaluate
        Configurations to evaluate first (``None``: none, all random, as in
        Syne Tune).
    random_seed
        Seed of the random configurations and brackets (``None``: drawn
        from numpy's global generator).
    search_options
        Options of the random searcher (``allow_duplicates``,
        ``restrict_configurations``; an addition to Syne Tune's arguments).

    Raises
    ------
    InvalidParameterError
        For invalid arguments (empty or duplicate ``metrics``, a ``mode``
        other than "min" / "max" or of the wrong length, ``reduction_factor
        < 2``, ``grace_period > max_t``, a priority for another number of
        objectives, ...), naming the parameter.
    """

    multi_fidelity = True

    _parameter_constraints = {
        "metrics": [str, list, tuple],
        "mode": [Options(str, {"min", "max"}), list, tuple, None],
        "time_attr": [NonEmptyString()],
        "multiobjective_priority": [MOPriority, None],
        "max_t": [Interval(Integral, 1, None, closed="left")],
        "grace_period": [Interval(Integral, 1, None, closed="left")],
        "reduction_factor": [Interval(Real, 2, None, closed="left")],
        "brackets": [Interval(Integral, 1, None, closed="left")],
        "points_to_evaluate": [list, None],
        "random_seed": [Interval(Integral, 0, 2**32 - 1, closed="both"), None],
        "search_options": [dict, None],
    }

    def __init__(
        self,
        config_space: dict,
        metrics: list[str],
        mode: str | list[str] | None = None,
        time_attr: str = "training_iteration",
        multiobjective_priority: MOPriority | None = None,
        max_t: int = 100,
        grace_period: int = 1,
        reduction_factor: float = 3,
        brackets: int = 1,
        points_to_evaluate: list[dict] | None = None,
        random_seed: int | None = None,
        search_options: dict | None = None,
    ):
        validate_parameters(self, locals())
        metric_list = self._check_metrics(metrics)
        mode = "min" if mode is None else mode
        modes = self._check_mode(mode, metric_list)
        if grace_period > max_t:
            raise InvalidParameterError(
                f"The 'grace_period' parameter of MOASHA must be <= max_t = {max_t}. Got {grace_period!r} instead."
            )
        if multiobjective_priority is None:
            multiobjective_priority = NonDominatedPriority()
        try:
            multiobjective_priority.check_num_objectives(len(metric_list))
        except ValueError as err:
            raise InvalidParameterError(
                f"The 'multiobjective_priority' parameter of MOASHA must rank the {len(metric_list)} metrics "
                f"{metric_list}. Got {multiobjective_priority!r} instead: {err}"
            ) from None
        if random_seed is None:
            random_seed = int(np.random.randint(0, MAX_SEED))
        self.metrics = metric_list
        self.time_attr = time_attr
        self.multiobjective_priority = multiobjective_priority
        self.grace_period = int(grace_period)
        self.reduction_factor = reduction_factor
        super().__init__(
            config_space,
            searcher="random",
            metric=list(metric_list),
            mode=mode if isinstance(mode, str) else list(mode),
            points_to_evaluate=[] if points_to_evaluate is None else points_to_evaluate,
            random_seed=random_seed,
            max_t=max_t,
            search_options=search_options,
        )
        self._modes = modes
        self.rung_levels = (
            get_rung_levels(self.max_t, grace_period=self.grace_period, reduction_factor=reduction_factor)
            if self.grace_period < self.max_t
            else []
        )
        self.brackets = min(int(brackets), max_num_brackets(self.rung_levels))
        if self.brackets < brackets:
            logger.warning(
                "brackets = %d is more than the %d brackets rung levels %s and max_t = %d allow; using %d",
                brackets, self.brackets, self.rung_levels, self.max_t, self.brackets,
            )
        self.bracket_manager = HyperbandBracketManager(
            MultiObjectiveStoppingRungSystem,
            self.rung_levels,
            self.max_t,
            self.brackets,
            rung_system_per_bracket=True,
            random_seed=(self.random_seed + 1) % (2**31 - 1),
            rung_system_kwargs=dict(
                metric=metric_list[0],
                mode=modes[0],
                resource_attr=time_attr,
                metrics=metric_list,
                modes=modes,
                multiobjective_priority=multiobjective_priority,
                reduction_factor=reduction_factor,
            ),
        )
        self.bracket_manager.configure_scheduler(self)
        #: trial_id -> CONTINUE (running) or STOP (stopped, removed, done)
        self._decisions: dict[Any, SchedulerDecision] = {}

    # -- argument checks ------------------------------------------------------------
    @staticmethod
    def _check_metrics(metrics) -> list[str]:
        metric_list = [metrics] if isinstance(metrics, str) else list(metrics)
        if not metric_list or not all(isinstance(m, str) and m for m in metric_list):
            raise InvalidParameterError(
                "The 'metrics' parameter of MOASHA must be a non-empty list of non-empty str. "
                f"Got {metrics!r} instead."
            )
        if len(set(metric_list)) != len(metric_list):
            raise InvalidParameterError(
                f"The 'metrics' parameter of MOASHA must not repeat a name. Got {metrics!r} instead."
            )
        return metric_list

    @staticmethod
    def _check_mode(mode, metric_list: list[str]) -> list[str]:
        modes = [mode] * len(metric_list) if isinstance(mode, str) else list(mode)
        if len(modes) != len(metric_list) or any(m not in ("min", "max") for m in modes):
            raise InvalidParameterError(
                "The 'mode' parameter of MOASHA must be 'min', 'max' or a list of them with one entry per "
                f"metric {metric_list}. Got {mode!r} instead."
            )
        return modes

    # -- suggestions ----------------------------------------------------------------
    def _suggest(self, trial_id: int) -> TrialSuggestion | None:
        bracket, _ = self.bracket_manager.on_task_schedule(trial_id)
        config = self.searcher.get_config(trial_id=trial_id)
        if config is None:
            return None
        self.bracket_manager.on_task_add(trial_id, bracket, new_config=True)
        self._decisions[trial_id] = _CONTINUE
        return TrialSuggestion.start_suggestion(config)

    # -- events -----------------------------------------------------------------------
    def _register(self, trial_id) -> None:
        """A trial not started through :meth:`suggest` (e.g. an experiment
        continued from a checkpoint): it joins bracket 0."""
        self.bracket_manager.on_task_add(trial_id, 0, new_config=True)
        self._decisions[trial_id] = _CONTINUE

    def on_trial_add(self, trial: Trial) -> None:
        if trial.trial_id not in self._decisions:
            self._register(trial.trial_id)

    def on_trial_result(self, trial: Trial, result: dict) -> str:
        trial_id = trial.trial_id
        check_metric_in_result(result, self._metrics, trial_id)
        resource = check_resource_in_result(result, self.time_attr, trial_id)
        decision = self._decisions.get(trial_id)
        if decision is None:
            self._register(trial_id)
        elif decision is not _CONTINUE:
            return decision  # late result of a stopped trial
        if resource >= self.max_t or not self.bracket_manager.on_task_report(trial_id, result).task_continues:
            self._decisions[trial_id] = _STOP
            self.bracket_manager.on_task_remove(trial_id)
            return _STOP
        return _CONTINUE

    def on_trial_complete(self, trial: Trial, result: dict) -> None:
        super().on_trial_complete(trial, result)
        self._decisions[trial.trial_id] = _STOP
        self.bracket_manager.forget_trial(trial.trial_id)

    def on_trial_error(self, trial: Trial) -> None:
        super().on_trial_error(trial)
        self._decisions[trial.trial_id] = _STOP
        self.bracket_manager.forget_trial(trial.trial_id)

    def on_trial_remove(self, trial: Trial) -> None:
        self._decisions[trial.trial_id] = _STOP
        self.bracket_manager.on_task_remove(trial.trial_id)

    # -- description --------------------------------------------------------------------
    def is_multiobjective_scheduler(self) -> bool:
        """``True`` for two or more metrics (Syne Tune: always ``True``; the
        project's scheduler contract asks ``False`` for a single metric)."""
        return len(self._metrics) > 1

    def metadata(self) -> dict[str, Any]:
        meta = super().metadata()
        meta.update(
            time_attr=self.time_attr,
            max_t=self.max_t,
            grace_period=self.grace_period,
            reduction_factor=self.reduction_factor,
            rung_levels=list(self.rung_levels),
            brackets=self.brackets,
            multiobjective_priority=repr(self.multiobjective_priority),
        )
        return meta

    def rung_objectives(self, level: int, bracket: int = 0) -> np.ndarray:
        """Signed objective vectors (every objective minimized) recorded at
        rung ``level`` of ``bracket``, in arrival order."""
        return self.bracket_manager.rung_systems[bracket].rung_objectives(level)
