"""The rung system of DyHPO (Wistuba et al. 2022, "Supervising the
multi-fidelity race of hyperparameter configurations"):
``HyperbandScheduler(type="dyhpo", searcher="dyhpo")``, the
:class:`~syne_tune.optimizer.baselines.DyHPO` baseline.

DyHPO is promotion-based (trials pause at every rung level; the rung levels
should be linear, ``rung_increment``), but the choice made each time a worker
is free is model-based: in :meth:`DyHPORungSystem.on_task_schedule`, the
scheduler's searcher (a
:class:`~syne_tune.optimizer.schedulers.searchers.bayesopt.dyhpo.DynamicHPOSearcher`)
compares resuming each paused trial up to its next rung level with starting
a new configuration at the first rung level, by expected improvement at the
respective level (see that module), and the winner is resumed or started.

Hybrid with successive halving (Syne Tune's addition, not in the paper):
with probability ``probability_sh`` (``rung_system_kwargs``, default 0.25)
the rule of :class:`~.rung_system.PromotionRungSystem` is tried first; if it
promotes a trial, that trial is resumed, otherwise the DyHPO comparison
decides. This keeps DyHPO from only starting new trials early on, when paused
trials score poorly for lack of data at higher levels. With
``probability_sh = 1`` (allowed here, unlike in Syne Tune) the scheduler is
exactly promotion-based successive halving: when the SH rule promotes
nothing, a new trial is started (its configuration chosen by the searcher,
by EI at the first rung level).

The searcher is reached through the scheduler (:meth:`configure_scheduler`)
and duck-typed: it must have
``score_paused_trials_and_new_configs(paused_trials, min_resource, new_trial_id)``,
which returns the trial id to resume or ``None`` (start ``new_trial_id``,
with the configuration the searcher's ``get_config`` then returns).

Importing :mod:`syne_tune.optimizer.schedulers.multifidelity` registers the
type ``"dyhpo"`` (:func:`~.rung_system.register_rung_system`).
"""

from __future__ import annotations

import logging
from numbers import Real
from typing import Any

import numpy as np

from syne_tune.optimizer.schedulers.multifidelity.rung_system import (
    Promotion,
    PromotionRungSystem,
    register_rung_system,
)
from syne_tune.utils.validation import Interval, InvalidParameterError, validate_parameters

__all__ = ["DyHPORungSystem", "DEFAULT_SH_PROBABILITY", "ScheduleDecision"]

logger = logging.getLogger(__name__)

#: Default of ``probability_sh`` (as in Syne Tune).
DEFAULT_SH_PROBABILITY = 0.25


class ScheduleDecision:
    """Kinds of decisions recorded in :attr:`DyHPORungSystem.schedule_records`."""

    PROMOTE_SH = "promoted_by_sh"
    PROMOTE_DYHPO = "promoted_by_dyhpo"
    START_DYHPO = "started_by_dyhpo"
    START_SH = "started_by_sh"


class DyHPORungSystem(PromotionRungSystem):
    """DyHPO's decision rule (see the module docstring).

    Parameters (via ``rung_system_kwargs``)
    ---------------------------------------
    probability_sh
        Probability of trying the successive-halving promotion rule first,
        in ``[0, 1]`` (default 0.25).
    """

    _parameter_constraints = {"probability_sh": [Interval(Real, 0, 1, closed="both")]}

    def __init__(self, *args, probability_sh: float = DEFAULT_SH_PROBABILITY, **kwargs):
        validate_parameters(self, {"probability_sh": probability_sh})
        super().__init__(*args, **kwargs)
        if not self.rung_levels:
            raise ValueError(f"DyHPO needs at least one rung level below max_t = {self.max_t}")
        self.probability_sh = float(probability_sh)
        self._random_state = np.random.RandomState(0)
        #: ``(trial_id, decision, milestone)`` per worker assignment, in order
        #: (``decision`` a :class:`ScheduleDecision` value).
        self.schedule_records: list[tuple[Any, str, int]] = []
        self._check_rung_levels()

    def _check_rung_levels(self) -> None:
        levels = self.rung_levels
        if len(levels) > 1:
            step = levels[1] - levels[0]
            if levels != list(range(levels[0], levels[-1] + 1, step)):
                logger.warning(
                    "DyHPO is meant for linearly spaced rung levels (rung_increment), got %s", levels
                )

    def configure_scheduler(self, scheduler) -> None:
        super().configure_scheduler(scheduler)
        searcher = getattr(scheduler, "searcher", None)
        if not hasattr(searcher, "score_paused_trials_and_new_configs"):
            raise InvalidParameterError(
                "type='dyhpo' needs the DyHPO searcher (searcher='dyhpo'), which decides between resuming "
                f"and starting trials. Got {type(searcher).__name__}."
            )
        seed = int(getattr(scheduler, "random_seed", 0) or 0)
        self._random_state = np.random.RandomState((seed + 17) % (2**31 - 1))

    def support_early_checkpoint_removal(self) -> bool:
        """Paused trials may be resumed at any time: no speculative removal."""
        return False

    def paused_trials_and_milestones(self) -> list[tuple[Any, int, int]]:
        """Paused trials as ``(trial_id, level it is paused at, next level)``,
        rung by rung from the lowest, best first within a rung."""
        result = []
        max_level = self._effective_max_t()
        for pos, rung in enumerate(self.rungs):
            if rung.level >= max_level:
                continue
            next_level = self._next_level(pos)
            result.extend((tid, rung.level, next_level) for tid, _ in rung.iter_paused_sorted())
        return result

    def on_task_schedule(self, new_trial_id) -> Promotion | None:
        p = self.probability_sh
        if p > 0 and (p >= 1 or self._random_state.rand() < p):
            promotion = super().on_task_schedule(new_trial_id)
            if promotion is not None:
                self.schedule_records.append((promotion.trial_id, ScheduleDecision.PROMOTE_SH, promotion.milestone))
                return promotion
            if p >= 1:
                self.schedule_records.append((new_trial_id, ScheduleDecision.START_SH, self.rung_levels[0]))
                return None
        paused = self.paused_trials_and_milestones()
        chosen = self.scheduler.searcher.score_paused_trials_and_new_configs(
            paused, min_resource=self.rung_levels[0], new_trial_id=new_trial_id
        )
        if chosen is not None:
            for trial_id, level, milestone in paused:
                if trial_id == chosen:
                    self.rungs[self.rung_pos_for_level(level)].remove_paused(trial_id)
                    self.schedule_records.append((trial_id, ScheduleDecision.PROMOTE_DYHPO, milestone))
                    return Promotion(trial_id, level, milestone)
            raise RuntimeError(f"The DyHPO searcher chose trial {chosen!r}, which is not paused")
        self.schedule_records.append((new_trial_id, ScheduleDecision.START_DYHPO, self.rung_levels[0]))
        return None

    def summary_schedule_records(self) -> dict[str, int]:
        """How often each kind of decision was taken."""
        names = (
            ScheduleDecision.PROMOTE_SH,
            ScheduleDecision.PROMOTE_DYHPO,
            ScheduleDecision.START_DYHPO,
            ScheduleDecision.START_SH,
        )
        counts = {name: 0 for name in names}
        for _, decision, _ in self.schedule_records:
            counts[decision] += 1
        return counts


register_rung_system("dyhpo", DyHPORungSystem)
