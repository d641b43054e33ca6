"""Rung systems: the decision rules of asynchronous successive halving.

Terminology. Trials report results at increasing resource levels (epochs,
say). Some levels are *rung levels*: there, the trial's metric is recorded in
the *rung* and compared with the other trials recorded there. The next rung
level a running trial will reach (or ``max_t``) is its *milestone*.

All rules work on "signed" values: the metric for ``mode="min"``, minus the
metric for ``mode="max"``, so that smaller is always better. NaN metric values
count as the worst possible value.

Rules (``q_j`` = promotion quantile of rung ``j``, ``1 / reduction_factor`` for
geometric rungs; ``cutoff_j`` = ``numpy.quantile(signed values at rung j,
q_j)``, linear interpolation, including the value just recorded):

* :class:`StoppingRungSystem` (ASHA, stopping variant): when a trial reaches
  rung ``j`` its value ``v`` is recorded; it continues iff fewer than two
  values are recorded at ``j`` or ``v <= cutoff_j``, else it is stopped.
* :class:`PromotionRungSystem` (ASHA, promotion variant, Li et al. 2020): a
  trial reaching rung ``j`` is paused there. When a worker is free, rungs are
  scanned from the top; at rung ``j`` the best paused, not yet promoted trial
  is promoted (resumed up to rung ``j + 1``) iff at least two values are
  recorded at ``j`` and its value is ``<= cutoff_j``. If no rung has a
  promotable trial, a new trial is started.
* :class:`CostPromotionRungSystem`: as promotion, but a trial is promotable
  iff the summed cost of all trials at the rung ranked at or above it is at
  most ``q_j`` times the summed cost of all trials at the rung.
* :class:`PASHARungSystem` (Bohdal et al. 2023): promotion, but trials are
  only promoted up to a current maximum rung, which starts at the second
  rung and grows by one rung each time the ranking of the trials in the top
  two rungs is not stable (soft ranking with tolerance epsilon).

Results that jump over rung levels (e.g. epochs 2 then 4 with rungs 1, 3, 9)
are recorded at the highest rung level passed (3); rungs below it are left
out for that trial. Results at or beyond ``max_t`` end the trial's rung
decisions (see :class:`~syne_tune.optimizer.schedulers.HyperbandScheduler`).

Hooks for model-based variants (MOBSTER, Hyper-Tune, DyHPO, BOHB), so that
they reuse this bookkeeping instead of copying it:

* :meth:`RungSystem.configure_scheduler` -- called once with the owning
  scheduler (gives access to its searcher).
* :meth:`RungSystem.on_task_schedule` -- decides between resuming a paused
  trial (returns a :class:`Promotion`) and starting a new one (returns
  ``None``); DyHPO overrides it to ask its searcher.
* :meth:`RungSystem.on_task_report` -- returns a :class:`RungReport` (the
  decision on one result).
* :meth:`StoppingRungSystem._task_continues`,
  :meth:`PromotionRungSystem._find_promotable_trial`,
  :meth:`PromotionRungSystem._is_promotable_trial`,
  :meth:`RungSystem._record` -- the individual rules.
* :meth:`RungSystem.paused_trials`, :meth:`RungSystem.information_for_rungs`,
  :meth:`RungSystem.rung_entries`, :meth:`RungSystem.snapshot_rungs` -- read
  access to the rung data.
* :func:`register_rung_system` -- new ``type`` values for
  :class:`~syne_tune.optimizer.schedulers.HyperbandScheduler`.

Options. The keyword arguments of a rung system class beyond those the
scheduler supplies (rung levels, quantiles, metric, mode, resource, ``max_t``,
``cost_attr``) are its *options*, set through the scheduler's
``rung_system_kwargs``; :meth:`RungSystem.option_names` lists them (PASHA:
``ranking_criterion``, ``epsilon``, ``epsilon_scaling``,
``epsilon_percentile``; the other built-in types have none). Subclasses pass
unknown keyword arguments on to their base class, which rejects them.
"""

from __future__ import annotations

import functools
import heapq
import inspect
import logging
import math
from bisect import bisect_left, bisect_right, insort
from dataclasses import dataclass
from numbers import Real
from typing import Any

import numpy as np

from syne_tune.optimizer.schedulers.multifidelity.sorted_values import SortedValues
from syne_tune.utils.validation import Interval, Options, validate_parameters

logger = logging.getLogger(__name__)


class Rung:
    """Values recorded at one rung level.

    Parameters
    ----------
    level
        Rung level ``r_j``.
    prom_quant
        Promotion quantile ``q_j`` in (0, 1).
    """

    __slots__ = ("level", "prom_quant", "values", "entries", "_candidates", "_paused", "_seq")

    def __init__(self, level: int, prom_quant: float):
        if not 0 < prom_quant <= 1:
            raise ValueError(f"prom_quant must be in (0, 1], got {prom_quant}")
        self.level = level
        self.prom_quant = prom_quant
        #: Sorted signed values of all trials recorded here.
        self.values = SortedValues()
        #: trial_id -> signed value.
        self.entries: dict[Any, float] = {}
        # Heap of (signed value, seq, trial_id) of paused trials not yet
        # promoted; entries whose trial_id is not in _paused are stale.
        self._candidates: list = []
        self._paused: set = set()
        self._seq = 0

    def __len__(self) -> int:
        return len(self.entries)

    def __contains__(self, trial_id) -> bool:
        return trial_id in self.entries

    def add(self, trial_id, signed_value: float, paused: bool = False) -> None:
        """Record ``trial_id`` with ``signed_value``; ``paused``: it waits here
        for promotion."""
        if trial_id in self.entries:
            raise ValueError(f"Trial {trial_id} is already recorded at rung level {self.level}")
        self.values.add(signed_value)
        self.entries[trial_id] = signed_value
        if paused:
            self._seq += 1
            heapq.heappush(self._candidates, (signed_value, self._seq, trial_id))
            self._paused.add(trial_id)

    def cutoff(self) -> float | None:
        """``numpy.quantile(signed values, prom_quant)``; ``None`` if fewer than
        two values are recorded."""
        if len(self.entries) < 2:
            return None
        return self.values.quantile(self.prom_quant)

    def rank(self, signed_value: float) -> int:
        """Number of recorded values strictly better than ``signed_value``."""
        return self.values.rank(signed_value)

    def is_paused(self, trial_id) -> bool:
        return trial_id in self._paused

    def paused_ids(self) -> list:
        return list(self._paused)

    def best_paused(self):
        """``(trial_id, signed_value)`` of the best paused trial, or ``None``."""
        heap = self._candidates
        while heap:
            value, _, trial_id = heap[0]
            if trial_id in self._paused:
                return trial_id, value
            heapq.heappop(heap)
        return None

    def remove_paused(self, trial_id) -> None:
        """``trial_id`` is no longer waiting here (promoted, or gone)."""
        self._paused.discard(trial_id)

    def iter_paused_sorted(self):
        """Paused trials, best first (copy of the heap; O(p log p))."""
        return [(tid, v) for v, _, tid in sorted(self._candidates) if tid in self._paused]


class _Task:
    """A running trial, as seen by a rung system."""

    __slots__ = ("next_rung", "milestone", "resume_from", "skip_rungs")

    def __init__(self, next_rung: int, milestone: int, resume_from, skip_rungs: int):
        self.next_rung = next_rung
        self.milestone = milestone
        self.resume_from = resume_from
        self.skip_rungs = skip_rungs


@dataclass(frozen=True, slots=True)
class RungReport:
    """Decision of a rung system on one reported result
    (:meth:`RungSystem.on_task_report`).

    Attributes
    ----------
    task_continues
        The trial keeps running; ``False``: it is stopped (stopping types) or
        paused (promotion types).
    milestone_reached
        The result was recorded at a rung.
    next_milestone
        Milestone the trial runs to if it continues (the next rung level or
        ``max_t``), else ``None``.
    ignore_data
        A resumed trial re-reported a resource it had already reached before
        its pause (it restarted without a checkpoint).
    rung_level
        Rung level the result was recorded at (``None`` if none).
    """

    task_continues: bool
    milestone_reached: bool
    next_milestone: int | None
    ignore_data: bool
    rung_level: int | None = None


#: Reports are immutable, so equal ones can be shared: building a frozen
#: dataclass costs about 0.5 us, a cache hit about 0.1 us (less than the
#: dict reports used to be), and this runs for every result. The keys are two
#: flags and rung levels, so the cache stays small.
_rung_report = functools.lru_cache(maxsize=1024)(RungReport)


@dataclass(frozen=True, slots=True)
class Promotion:
    """A paused trial to resume (:meth:`RungSystem.on_task_schedule`).

    Attributes
    ----------
    trial_id
        The trial to resume.
    resume_from
        Rung level it is paused at.
    milestone
        Level it is resumed up to (the next rung level or ``max_t``).
    """

    trial_id: Any
    resume_from: int
    milestone: int


#: Constructor arguments that the scheduler passes to every rung system; the
#: other keyword arguments are options (``rung_system_kwargs``).
_SCHEDULER_SUPPLIED_ARGUMENTS = frozenset(
    ("self", "rung_levels", "promote_quantiles", "metric", "mode", "resource_attr", "max_t", "cost_attr")
)


class RungSystem:
    """Base class: rung bookkeeping shared by all variants.

    Parameters
    ----------
    rung_levels
        Rung levels, strictly increasing, all ``< max_t`` (may be empty).
    promote_quantiles
        Promotion quantile per rung level.
    metric, mode
        Metric name and "min" / "max".
    resource_attr
        Name of the resource in results.
    max_t
        Maximum resource.
    cost_attr
        Name of a cost value in results (only used by cost-aware variants).

    Raises
    ------
    ValueError
        For inconsistent rung levels, quantiles or mode.
    TypeError
        For an unknown keyword argument (see :meth:`option_names`).
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
    ):
        if len(promote_quantiles) != len(rung_levels):
            raise ValueError("promote_quantiles must have one entry per rung level")
        if rung_levels and rung_levels[-1] >= max_t:
            raise ValueError(f"All rung levels must be < max_t = {max_t}, got {rung_levels}")
        if mode not in ("min", "max"):
            raise ValueError(f"mode must be 'min' or 'max', got {mode!r}")
        self.rung_levels = [int(x) for x in rung_levels]
        self.num_rungs = len(self.rung_levels)
        self.rungs = [Rung(level, q) for level, q in zip(self.rung_levels, promote_quantiles)]
        self.max_t = max_t
        self._metric = metric
        self._mode = mode
        self._sign = 1.0 if mode == "min" else -1.0
        self._resource_attr = resource_attr
        self._cost_attr = cost_attr
        self._tasks: dict[Any, _Task] = {}
        self.scheduler = None

    @classmethod
    def option_names(cls) -> frozenset[str]:
        """Names of the options of this class (the keys ``rung_system_kwargs``
        may have): keyword arguments of the constructors from ``cls`` up to
        :class:`RungSystem`, without those the scheduler supplies.

        Returns
        -------
        frozenset[str]
            Option names (empty for stopping and promotion).
        """
        names = set()
        for klass in cls.__mro__:
            init = klass.__dict__.get("__init__")
            if init is not None:
                for param in inspect.signature(init).parameters.values():
                    if param.kind not in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
                        names.add(param.name)
            if klass is RungSystem:
                break
        return frozenset(names - _SCHEDULER_SUPPLIED_ARGUMENTS)

    # -- hooks -------------------------------------------------------------------
    def configure_scheduler(self, scheduler) -> None:
        """Called once by the owning scheduler (e.g. to reach its searcher)."""
        self.scheduler = scheduler

    @staticmethod
    def does_pause_resume() -> bool:
        """Do trials pause at rung levels (and get resumed later)?"""
        raise NotImplementedError

    def support_early_checkpoint_removal(self) -> bool:
        """Can the checkpoints of paused trials be removed speculatively
        (:class:`~syne_tune.callbacks.hyperband_remove_checkpoints_callback.HyperbandRemoveCheckpointsCallback`)?
        True for the pause-and-resume types, which expose their paused trials
        through :meth:`paused_trials`."""
        return self.does_pause_resume()

    def on_task_schedule(self, new_trial_id) -> Promotion | None:
        """A worker is free: the paused trial to resume, or ``None`` to start
        a new trial (``new_trial_id``)."""
        return None

    def on_task_add(self, trial_id, skip_rungs: int = 0, new_config: bool = True, milestone=None, resume_from=None, **kwargs) -> None:
        """A trial starts (``new_config=True``, its first milestone is the
        rung ``skip_rungs``) or is resumed from ``resume_from`` up to
        ``milestone``."""
        if new_config:
            next_rung = skip_rungs
            milestone = self.get_first_milestone(skip_rungs)
            resume_from = None
        else:
            next_rung = bisect_right(self.rung_levels, resume_from)
            if milestone is None:
                milestone = self.rung_levels[next_rung] if next_rung < self.num_rungs else self.max_t
        self._tasks[trial_id] = _Task(next_rung, milestone, resume_from, skip_rungs)

    def on_task_report(self, trial_id, result: dict) -> RungReport:
        """A running trial reported ``result``: record it at a rung if it
        reached one, and decide.

        Parameters
        ----------
        trial_id
            The reporting trial.
        result
            Its result (with the metric and the resource).

        Returns
        -------
        RungReport
            The decision (see its attributes).
        """
        task = self._task(trial_id)
        resource = result[self._resource_attr]
        ignore = task.resume_from is not None and resource <= task.resume_from
        k = self._reached_rung(trial_id, task, resource)
        if k is None:
            return _rung_report(True, False, task.milestone, ignore, None)
        rung = self.rungs[k]
        continues, next_milestone = self._on_rung_reached(trial_id, result, rung, task)
        return _rung_report(continues, True, next_milestone, ignore, rung.level)

    def _on_rung_reached(self, trial_id, result: dict, rung: Rung, task: _Task) -> tuple[bool, Any]:
        """Record ``result`` at ``rung`` and decide: returns whether the task
        continues and the milestone to report."""
        raise NotImplementedError

    def on_task_remove(self, trial_id) -> None:
        """The trial stopped running (paused, stopped, failed or done)."""
        self._tasks.pop(trial_id, None)

    def forget_trial(self, trial_id) -> None:
        """The trial will never run again (failed or completed): it can no
        longer be promoted."""
        self._tasks.pop(trial_id, None)
        for rung in self.rungs:
            rung.remove_paused(trial_id)

    # -- helpers -----------------------------------------------------------------
    def _task(self, trial_id) -> _Task:
        task = self._tasks.get(trial_id)
        if task is None:
            # A result from a trial this rung system has not seen start (e.g.
            # an experiment continued from a checkpoint): treat it as new.
            self.on_task_add(trial_id, skip_rungs=0, new_config=True)
            task = self._tasks[trial_id]
        return task

    def _signed(self, value) -> float:
        value = float(value)
        if value != value:
            return math.inf
        return self._sign * value

    def _record(self, trial_id, result: dict, rung: Rung, paused: bool) -> float:
        """Record the trial's metric at ``rung``; returns the signed value."""
        signed = self._signed(result[self._metric])
        rung.add(trial_id, signed, paused=paused)
        return signed

    def _reached_rung(self, trial_id, task: _Task, resource) -> int | None:
        """Index of the rung where a result at ``resource`` is recorded (the
        highest rung level passed, normally the task's milestone), or
        ``None`` if it reaches none. Moves the task on to the next milestone."""
        pos = task.next_rung
        levels = self.rung_levels
        if pos >= self.num_rungs or resource < levels[pos]:
            return None
        k = bisect_right(levels, resource) - 1
        if k > pos:
            logger.warning(
                "Trial %s reported %s = %s, skipping rung level(s) %s; recorded at rung level %s",
                trial_id, self._resource_attr, resource, levels[pos:k], levels[k],
            )
        task.next_rung = k + 1
        task.milestone = self._next_level(k)
        return k

    def _next_level(self, rung_pos: int) -> int:
        return self.rung_levels[rung_pos + 1] if rung_pos + 1 < self.num_rungs else self.max_t

    def get_first_milestone(self, skip_rungs: int) -> int:
        return self.rung_levels[skip_rungs] if skip_rungs < self.num_rungs else self.max_t

    def get_milestones(self, skip_rungs: int) -> list[int]:
        """Milestones a new trial would pass, decreasing, without ``max_t``."""
        return list(reversed(self.rung_levels[skip_rungs:]))

    def rung_pos_for_level(self, level) -> int | None:
        pos = bisect_right(self.rung_levels, level) - 1
        if pos >= 0 and self.rung_levels[pos] == level:
            return pos
        return None

    # -- read access ---------------------------------------------------------------
    def information_for_rungs(self) -> list[tuple[int, int, float]]:
        """``(level, number of entries, promotion quantile)`` per rung, top first."""
        return [(r.level, len(r), r.prom_quant) for r in reversed(self.rungs)]

    def rung_entries(self, level: int) -> dict[Any, float]:
        """trial_id -> metric value (not signed) of the trials recorded at ``level``."""
        pos = self.rung_pos_for_level(level)
        if pos is None:
            return {}
        return {tid: self._sign * v for tid, v in self.rungs[pos].entries.items()}

    def snapshot_rungs(self, skip_rungs: int = 0) -> list[tuple[int, dict]]:
        """``(level, {trial_id: metric value})`` per rung, top first."""
        return [(r.level, self.rung_entries(r.level)) for r in reversed(self.rungs[skip_rungs:])]

    def paused_trials(self, resource: int | None = None) -> list[tuple[Any, int, float, int]]:
        """Paused (promotable in principle) trials as ``(trial_id, rank,
        metric value, level)``; ``rank`` 0 is the best value at the rung. Only
        those at ``resource`` if given."""
        result = []
        for rung in self.rungs:
            if resource is not None and rung.level != resource:
                continue
            for tid in rung.paused_ids():
                value = rung.entries[tid]
                result.append((tid, rung.rank(value), self._sign * value, rung.level))
        return result

    def num_running(self) -> int:
        return len(self._tasks)


class StoppingRungSystem(RungSystem):
    """ASHA, stopping variant: a trial continues at a rung iff it is in the
    top ``q_j`` quantile of the values recorded there (see module doc)."""

    @staticmethod
    def does_pause_resume() -> bool:
        return False

    def _task_continues(self, trial_id, signed_value: float, rung: Rung) -> bool:
        """Continue iff ``signed_value <= cutoff`` (or fewer than two values)."""
        cutoff = rung.cutoff()
        return cutoff is None or signed_value <= cutoff

    def _on_rung_reached(self, trial_id, result: dict, rung: Rung, task: _Task) -> tuple[bool, Any]:
        signed = self._record(trial_id, result, rung, paused=False)
        continues = self._task_continues(trial_id, signed, rung)
        return continues, (task.milestone if continues else None)


class PromotionRungSystem(RungSystem):
    """ASHA, promotion variant: trials pause at rungs and are promoted later
    (see module doc)."""

    @staticmethod
    def does_pause_resume() -> bool:
        return True

    def _effective_max_t(self) -> int:
        """Trials paused at rung levels ``>=`` this are not promoted (PASHA
        lowers it)."""
        return self.max_t

    def _is_promotable_trial(self, trial_id, signed_value: float, rung: Rung) -> bool:
        """Filter on top of the quantile rule (subclasses may sharpen it)."""
        return True

    def _find_promotable_trial(self, rung: Rung):
        """trial_id of the trial to promote from ``rung``, or ``None``: the best
        paused trial, if its value is within the rung's cutoff."""
        best = rung.best_paused()
        if best is None:
            return None
        cutoff = rung.cutoff()
        if cutoff is None:
            return None
        trial_id, value = best
        if value <= cutoff and self._is_promotable_trial(trial_id, value, rung):
            return trial_id
        return None

    def on_task_schedule(self, new_trial_id) -> Promotion | None:
        max_level = self._effective_max_t()
        for pos in range(self.num_rungs - 1, -1, -1):
            rung = self.rungs[pos]
            if rung.level >= max_level:
                continue
            trial_id = self._find_promotable_trial(rung)
            if trial_id is not None:
                rung.remove_paused(trial_id)
                return Promotion(trial_id, rung.level, self._next_level(pos))
        return None

    def _on_rung_reached(self, trial_id, result: dict, rung: Rung, task: _Task) -> tuple[bool, Any]:
        # the trial pauses here; it is resumed once promoted
        self._record(trial_id, result, rung, paused=True)
        return False, task.milestone


class CostPromotionRungSystem(PromotionRungSystem):
    """Cost-aware promotion: the best paused trial at a rung is promotable iff
    the summed cost of the trials ranked at or above it is at most ``q_j``
    times the total cost at the rung. Needs ``cost_attr`` in results (total
    cost of the trial up to the rung level; the scheduler adds up the costs of
    the segments of a paused and resumed trial)."""

    def __init__(self, *args, cost_attr: str | None = None, **kwargs):
        super().__init__(*args, cost_attr=cost_attr, **kwargs)
        if cost_attr is None:
            raise ValueError("type='cost_promotion' needs cost_attr")
        # Per rung: list of (signed value, seq, cost, trial_id) sorted best
        # first, and lazily computed prefix sums of the costs
        self._sorted: list[list] = [[] for _ in self.rungs]
        self._prefix: list[list[float] | None] = [None for _ in self.rungs]
        self._seq = 0

    def _record(self, trial_id, result, rung, paused):
        if self._cost_attr not in result:
            raise ValueError(
                f"Trial {trial_id} reported a result without the cost '{self._cost_attr}' that "
                "type='cost_promotion' needs"
            )
        cost = float(result[self._cost_attr])
        signed = super()._record(trial_id, result, rung, paused)
        pos = self.rung_pos_for_level(rung.level)
        self._seq += 1
        insort(self._sorted[pos], (signed, self._seq, cost, trial_id))
        self._prefix[pos] = None
        return signed

    def _find_promotable_trial(self, rung: Rung):
        if len(rung) < 2:
            return None
        best = rung.best_paused()
        if best is None:
            return None
        trial_id, value = best
        pos = self.rung_pos_for_level(rung.level)
        entries = self._sorted[pos]
        prefix = self._prefix[pos]
        if prefix is None:
            prefix = np.cumsum([e[2] for e in entries]).tolist()
            self._prefix[pos] = prefix
        i = bisect_left(entries, (value,))
        while entries[i][3] != trial_id:
            i += 1
        threshold = rung.prom_quant * prefix[-1]
        if prefix[i] <= threshold and self._is_promotable_trial(trial_id, value, rung):
            return trial_id
        return None


#: Ranking criteria of PASHA (how its tolerance epsilon is chosen).
PASHA_RANKING_CRITERIA = (
    "soft_ranking",
    "soft_ranking_std",
    "soft_ranking_median_dst",
    "soft_ranking_mean_dst",
    "soft_ranking_auto",
)


class PASHARungSystem(PromotionRungSystem):
    """PASHA (Bohdal et al., 2023): promotion-based ASHA with a growing
    maximum resource.

    Trials are promoted only up to the current top rung, which starts as the
    second rung level (so the first maximum resource is ``r_1``). Each time a
    trial is recorded at the current top rung, the ranking of the trials in
    the top rung is compared with their ranking one rung below, with a
    tolerance ``epsilon`` ("soft ranking"): sort the top-rung trials by their
    top-rung values, take their values at the rung below in that order,
    ``v_0, v_1, ...``, and the same values sorted, ``w_0 <= w_1 <= ...``; the
    ranking is consistent iff ``|v_i - w_i| <= epsilon`` for all ``i``. If it
    is not, the top rung moves up by one level (the maximum resource grows);
    after the last rung level trials can be promoted up to ``max_t``.

    Parameters (via ``rung_system_kwargs``)
    ---------------------------------------
    ranking_criterion
        How epsilon is chosen:

        * ``"soft_ranking_auto"`` (default): estimated from the noise in the
          learning curves. When a trial enters the top rung, its learning
          curve (every reported resource level) is compared with those of its
          neighbours in the top rung's order: wherever two curves cross
          between consecutive resource levels, the mean of the absolute gaps
          just before and after the crossing is collected. ``epsilon`` is the
          ``epsilon_percentile``-th percentile of all gaps collected so far
          (0 while there are none).
        * ``"soft_ranking"``: fixed ``epsilon`` (metric units).
        * ``"soft_ranking_std"``: standard deviation of the lower-rung values
          of the top-rung trials, times ``epsilon_scaling``.
        * ``"soft_ranking_median_dst"`` / ``"soft_ranking_mean_dst"``: median /
          mean pairwise distance of those values, times ``epsilon_scaling``.
    epsilon
        Fixed tolerance for ``"soft_ranking"``; default 0 (exact ranking).
    epsilon_scaling
        Factor for the data-dependent criteria; default 1.
    epsilon_percentile
        Percentile for ``"soft_ranking_auto"``; default 90.
    """

    _parameter_constraints = {
        "ranking_criterion": [Options(str, PASHA_RANKING_CRITERIA)],
        "epsilon": [Interval(Real, 0, None, closed="left")],
        "epsilon_scaling": [Interval(Real, 0, None, closed="left")],
        "epsilon_percentile": [Interval(Real, 0, 100, closed="both")],
    }

    def __init__(
        self,
        *args,
        ranking_criterion: str = "soft_ranking_auto",
        epsilon: float = 0.0,
        epsilon_scaling: float = 1.0,
        epsilon_percentile: float = 90.0,
        **kwargs,
    ):
        validate_parameters(self, locals())
        super().__init__(*args, **kwargs)
        if self.num_rungs < 2:
            raise ValueError(
                f"PASHA needs at least two rung levels below max_t, got {self.rung_levels} (max_t = {self.max_t})"
            )
        self.ranking_criterion = ranking_criterion
        self.epsilon = float(epsilon)
        self.epsilon_scaling = float(epsilon_scaling)
        self.epsilon_percentile = float(epsilon_percentile)
        #: Index (into ``rungs``) of the current top rung.
        self.current_rung_idx = 1
        #: Current maximum resource: trials are not promoted beyond it.
        self.current_max_t = self.rung_levels[1]
        #: Number of times the maximum resource was increased.
        self.num_increases = 0
        self._auto = ranking_criterion == "soft_ranking_auto"
        # soft_ranking_auto: learning curves (trial_id -> {resource: signed
        # value}), pairs compared so far, gaps at crossings
        self._curves: dict[Any, dict] = {}
        self._pairs_done: set = set()
        self._gaps: list[float] = []

    def _effective_max_t(self) -> int:
        return self.current_max_t

    def current_epsilon(self, lower_values: list[float] | None = None) -> float:
        crit = self.ranking_criterion
        if crit == "soft_ranking":
            return self.epsilon
        if crit == "soft_ranking_auto":
            if not self._gaps:
                return 0.0
            return float(np.percentile(self._gaps, self.epsilon_percentile))
        if lower_values is None or len(lower_values) < 2:
            return 0.0
        if crit == "soft_ranking_std":
            return float(np.std(lower_values)) * self.epsilon_scaling
        arr = np.asarray(lower_values, dtype=float)
        dists = np.abs(arr[:, None] - arr[None, :])[~np.eye(len(arr), dtype=bool)]
        if crit == "soft_ranking_mean_dst":
            return float(np.mean(dists)) * self.epsilon_scaling
        return float(np.median(dists)) * self.epsilon_scaling

    def _collect_crossings(self, a, b, up_to: int) -> None:
        key = (a, b) if str(a) <= str(b) else (b, a)
        if key in self._pairs_done:
            return
        self._pairs_done.add(key)
        ca = self._curves.get(a, {})
        cb = self._curves.get(b, {})
        common = sorted(r for r in ca if r in cb and r <= up_to)
        prev = None
        for r in common:
            d = ca[r] - cb[r]
            if prev is not None and prev * d < 0:
                self._gaps.append(0.5 * (abs(prev) + abs(d)))
            if d != 0:
                prev = d

    def ranking_is_consistent(self, new_trial_id=None) -> bool:
        """Soft-ranking test on the current top two rungs (see class doc)."""
        top = self.rungs[self.current_rung_idx]
        low = self.rungs[self.current_rung_idx - 1]
        # Top-rung trials (with a value one rung below), best first at the top
        order = sorted((v, i, t) for i, (t, v) in enumerate(top.entries.items()) if t in low.entries)
        if len(order) < 2:
            return True
        ids = [t for _, _, t in order]
        if self._auto and new_trial_id is not None and new_trial_id in top.entries:
            try:
                pos = ids.index(new_trial_id)
            except ValueError:
                pos = None
            if pos is not None:
                for other in (pos - 1, pos + 1):
                    if 0 <= other < len(ids):
                        self._collect_crossings(new_trial_id, ids[other], top.level)
        lower = [low.entries[t] for t in ids]
        eps = self.current_epsilon(lower)
        return all(abs(v - w) <= eps for v, w in zip(lower, sorted(lower)))

    def on_task_report(self, trial_id, result: dict) -> RungReport:
        if self._auto:
            curve = self._curves.get(trial_id)
            if curve is None:
                curve = self._curves[trial_id] = {}
            curve[result[self._resource_attr]] = self._signed(result[self._metric])
        report = super().on_task_report(trial_id, result)
        if (
            report.milestone_reached
            and report.rung_level == self.current_max_t
            and not self.ranking_is_consistent(trial_id)
        ):
            self._increase_resource()
        return report

    def _increase_resource(self) -> None:
        self.num_increases += 1
        if self.current_rung_idx + 1 < self.num_rungs:
            self.current_rung_idx += 1
            self.current_max_t = self.rung_levels[self.current_rung_idx]
        else:
            self.current_max_t = self.max_t
        logger.info("PASHA: ranking changed, maximum resource increased to %s", self.current_max_t)


#: ``type`` of :class:`HyperbandScheduler` -> rung system class.
RUNG_SYSTEMS: dict[str, type[RungSystem]] = {
    "stopping": StoppingRungSystem,
    "promotion": PromotionRungSystem,
    "cost_promotion": CostPromotionRungSystem,
    "pasha": PASHARungSystem,
}


def register_rung_system(type_name: str, rung_system_cls: type[RungSystem]) -> None:
    """Make a new ``type`` available to
    :class:`~syne_tune.optimizer.schedulers.HyperbandScheduler`;
    ``rung_system_cls`` is a :class:`RungSystem` subclass, constructed like it."""
    if not (isinstance(rung_system_cls, type) and issubclass(rung_system_cls, RungSystem)):
        raise TypeError(f"rung_system_cls must be a RungSystem subclass, got {rung_system_cls!r}")
    RUNG_SYSTEMS[type_name] = rung_system_cls
