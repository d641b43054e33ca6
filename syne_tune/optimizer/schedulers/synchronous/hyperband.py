"""Synchronous Hyperband (Li et al., 2018), scheduled asynchronously.

Trials fill the slots of a bracket's lowest rung; each is paused when it
reaches its slot's level. Once every slot of a rung holds a result, the best
trials are resumed into the next rung (up to the next level). Jobs never
wait: if all active brackets wait for results, a new bracket is opened (see
:mod:`~syne_tune.optimizer.schedulers.synchronous.hyperband_bracket_manager`).

Trials reaching the last level of their bracket (``max_resource_level``) are
done (CONTINUE if their script ends there, else STOP). A result beyond the
slot's level (skipped levels) counts as reaching it. Failed, or externally
stopped, pending trials fill their slot with NaN (ranked last), so that
brackets do not block.

Checkpoints: when a rung completes, the trials it does not promote will never
run again; :meth:`SynchronousHyperbandScheduler.trials_checkpoints_can_be_removed`
returns them (once each), and with a backend created with
``delete_checkpoints=True`` the tuner's
:class:`~syne_tune.callbacks.RemoveCheckpointsCallback` deletes their
checkpoints.

Bracket sizes of :class:`SynchronousGeometricHyperbandScheduler`: see
:mod:`~syne_tune.optimizer.schedulers.synchronous.hyperband_rung_system`.
"""

from __future__ import annotations

import logging
import math
from numbers import Integral, Real
from typing import Any

from syne_tune.callbacks.remove_checkpoints_callback import RemoveCheckpointsSchedulerMixin
from syne_tune.trial import Trial
from syne_tune.optimizer.scheduler import SchedulerDecision, TrialSuggestion
from syne_tune.optimizer.schedulers.fifo import FIFOScheduler, check_metric_in_result
from syne_tune.optimizer.schedulers.hyperband import NonEmptyString, check_resource_in_result, trial_end_decision
from syne_tune.optimizer.schedulers.synchronous.hyperband_bracket import SlotInRung
from syne_tune.optimizer.schedulers.synchronous.hyperband_bracket_manager import (
    SynchronousHyperbandBracketManager,
)
from syne_tune.optimizer.schedulers.synchronous.hyperband_rung_system import (
    SynchronousHyperbandRungSystem,
)
from syne_tune.utils.validation import InvalidParameterError, Interval, Options, validate_parameters

logger = logging.getLogger(__name__)

_SEARCHER_DATA = ("rungs", "all")


class SynchronousHyperbandScheduler(RemoveCheckpointsSchedulerMixin, FIFOScheduler):
    """Synchronous Hyperband with explicit bracket rungs.

    Parameters
    ----------
    config_space
        Configuration space.
    bracket_rungs
        One list of ``(size, level)`` per bracket (sizes non-increasing,
        levels increasing); brackets are used in turn.
    resource_attr
        Resource in results (default ``"epoch"``).
    searcher_data
        ``"rungs"`` (searcher learns from results at slot levels) or ``"all"``.
    max_resource_level
        Maximum resource (Syne Tune's name for ``max_t``, which is accepted
        too; give at most one of them). Inferred from the config space if
        neither is given; not needed with explicit ``bracket_rungs``.
    kwargs
        :class:`FIFOScheduler` arguments: ``searcher``, ``search_options``,
        ``metric``, ``mode``, ``points_to_evaluate``, ``random_seed``,
        ``time_keeper``, and ``max_resource_attr``, the config key receiving
        the level each trial runs to (recommended: trials then stop by
        themselves where they are paused).

    Raises
    ------
    InvalidParameterError
        (a ``ValueError`` and ``TypeError``) for an argument of the wrong type
        or out of range, or both ``max_resource_level`` and ``max_t``.
    """

    #: results come at several resource levels (single-fidelity model searchers refuse it)
    multi_fidelity = True

    _parameter_constraints = {
        "resource_attr": [NonEmptyString()],
        "searcher_data": [Options(str, _SEARCHER_DATA)],
        "max_resource_level": [Interval(Integral, 1, None, closed="left"), None],
    }

    def __init__(
        self,
        config_space: dict,
        bracket_rungs: list,
        resource_attr: str = "epoch",
        searcher_data: str = "rungs",
        max_resource_level: int | None = None,
        **kwargs,
    ):
        validate_parameters(self, locals())
        if max_resource_level is not None:
            if kwargs.get("max_t") is not None:
                raise InvalidParameterError(
                    f"The 'max_resource_level' parameter of {type(self).__name__} must be None when max_t is given "
                    f"(they are the same). Got {max_resource_level!r} instead."
                )
            kwargs["max_t"] = max_resource_level
        self._resource_attr = resource_attr
        self.searcher_data = searcher_data
        self._bracket_rungs = bracket_rungs
        super().__init__(config_space, **kwargs)
        if len(self._metrics) != 1:
            raise ValueError(f"{type(self).__name__} supports a single metric, got {self._metrics}")
        self.bracket_manager = SynchronousHyperbandBracketManager(self._make_bracket_rungs(bracket_rungs), self._modes[0])
        self.max_resource_level = max(rungs[-1][1] for rungs in self.bracket_manager.bracket_rungs)
        # Configured again now that the rung levels exist (model-based searchers use them)
        self.searcher.configure_scheduler(self)
        # trial_id -> (bracket_id, slot) of the job it is running
        self._pending: dict[Any, tuple[int, SlotInRung]] = {}
        #: slots failed without a trial (they get the ids -1, -2, ...)
        self._num_failed_slots = 0
        #: trials that ended (completed or failed) -> their last value; never resumed
        self._ended: dict[Any, float] = {}
        self._configs: dict[Any, dict] = {}
        # trial_id -> last decision (for results arriving after it)
        self._decisions: dict[Any, str] = {}
        self._last_value: dict[Any, float] = {}
        # paused trials that will never be resumed, not yet reported
        self._checkpoints_to_remove: list = []

    def _make_bracket_rungs(self, bracket_rungs):
        """Hook, called once ``max_t`` is known (from the FIFO constructor)."""
        return bracket_rungs

    def _searcher_kwargs(self) -> dict[str, Any]:
        kwargs = super()._searcher_kwargs()
        kwargs["resource_attr"] = self._resource_attr
        kwargs["scheduler"] = "hyperband_synchronous"
        return kwargs

    @property
    def resource_attr(self) -> str:
        return self._resource_attr

    def _suggest(self, trial_id: int) -> TrialSuggestion | None:
        # A slot that cannot be filled (no configuration left, or its promoted
        # trial was never started) counts as failed, so that its rung does not
        # wait for it forever, and the next job is tried; a promoted trial that
        # has ended (its script finished before the level, or it failed) keeps
        # its last value. After a round of every slot of every bracket, there
        # is nothing to suggest.
        for _ in range(self._slots_per_round()):
            bracket_id, slot = self.bracket_manager.next_job()
            if slot.trial_id is not None:
                if slot.trial_id in self._ended:
                    slot.metric_val = self._ended[slot.trial_id]
                    self._on_slot_result(bracket_id, slot)
                    continue
                if slot.trial_id in self._configs:
                    return self._resume_slot(bracket_id, slot)
                self._fail_slot(bracket_id, slot)
                continue
            suggestion = self._start_slot(bracket_id, slot, trial_id)
            if suggestion is not None:
                return suggestion
            self._fail_slot(bracket_id, slot)
        return None

    def _slots_per_round(self) -> int:
        """Slots of all brackets of one round (the most one suggestion may fail)."""
        return sum(int(n) for rungs in self.bracket_manager.bracket_rungs for n, _ in rungs) + 1

    def _resume_slot(self, bracket_id: int, slot: SlotInRung) -> TrialSuggestion:
        """Resume the trial promoted into ``slot`` at its level."""
        tid = slot.trial_id
        config = self._configs[tid]
        if self.max_resource_attr is not None:
            config = dict(config)
            config[self.max_resource_attr] = slot.level
        self._pending[tid] = (bracket_id, slot)
        self._decisions[tid] = SchedulerDecision.CONTINUE
        self.searcher.register_pending(tid, config=self._configs[tid], milestone=slot.level)
        return TrialSuggestion.resume_suggestion(tid, config)

    def _start_slot(self, bracket_id: int, slot: SlotInRung, trial_id: int) -> TrialSuggestion | None:
        """Start a new trial for ``slot`` (``None`` if there is no configuration left)."""
        config = self.searcher.get_config(trial_id=trial_id)
        if config is None:
            return None
        config = dict(config)
        if self.max_resource_attr is not None:
            config[self.max_resource_attr] = slot.level
        slot.trial_id = trial_id
        self._configs[trial_id] = dict(config)
        self._pending[trial_id] = (bracket_id, slot)
        self._decisions[trial_id] = SchedulerDecision.CONTINUE
        self.searcher.register_pending(trial_id, config=config, milestone=slot.level)
        return TrialSuggestion.start_suggestion(config)

    def _fail_slot(self, bracket_id: int, slot: SlotInRung) -> None:
        """Give ``slot`` a NaN result. A slot without a trial gets an id of its
        own, ``-1, -2, ...``: never a trial id of the tuner, never resumed."""
        if slot.trial_id is None:
            self._num_failed_slots += 1
            slot.trial_id = -self._num_failed_slots
        slot.metric_val = math.nan
        self._on_slot_result(bracket_id, slot)

    def _on_slot_result(self, bracket_id: int, slot: SlotInRung) -> None:
        not_promoted = self.bracket_manager.on_result(bracket_id, slot)
        if not_promoted:
            # ids of slots whose suggestion failed were never started
            self._checkpoints_to_remove.extend(tid for tid in not_promoted if tid in self._configs)

    def _fill_slot(self, trial_id, value: float) -> tuple[int, SlotInRung]:
        bracket_id, slot = self._pending.pop(trial_id)
        slot.metric_val = value
        self._on_slot_result(bracket_id, slot)
        return bracket_id, slot

    def trials_checkpoints_can_be_removed(self) -> list[int]:
        """Paused trials not promoted when their rung completed (they will
        never be resumed); each id is returned once.

        Returns
        -------
        list[int]
            Trial ids whose checkpoints can be deleted.
        """
        result, self._checkpoints_to_remove = self._checkpoints_to_remove, []
        return result

    def on_trial_result(self, trial: Trial, result: dict) -> str:
        trial_id = trial.trial_id
        check_metric_in_result(result, self._metrics, trial_id)
        resource = check_resource_in_result(result, self._resource_attr, trial_id)
        value = float(result[self._metrics[0]])
        job = self._pending.get(trial_id)
        if job is None:
            decision = self._decisions.get(trial_id, SchedulerDecision.STOP)
            self.searcher.on_trial_result(trial_id, trial.config, result, update=False)
            return decision
        bracket_id, slot = job
        self._last_value[trial_id] = value
        prev_level = self.bracket_manager.level_to_prev_level(bracket_id, slot.level)
        decision = SchedulerDecision.CONTINUE
        reached = resource >= slot.level
        if reached:
            self._fill_slot(trial_id, value)
            if self.bracket_manager.is_last_level(bracket_id, slot.level):
                decision = trial_end_decision(trial.config, resource, self.max_resource_attr)
            else:
                decision = SchedulerDecision.PAUSE
            self._decisions[trial_id] = decision
        if resource > prev_level:
            # A resumed trial without checkpoint re-reports levels <= prev_level
            update = self.searcher_data == "all" or reached
            self.searcher.on_trial_result(trial_id, self._configs.get(trial_id, trial.config), result, update=update)
        if reached and resource != slot.level:
            # jumped over the slot's level: its pending evaluation is never observed
            self.searcher.cleanup_pending(trial_id)
        return decision

    def _job_ends_early(self, trial_id) -> None:
        if trial_id in self._pending:
            self._fill_slot(trial_id, math.nan)
            self.searcher.cleanup_pending(trial_id)

    def on_trial_error(self, trial: Trial) -> None:
        super().on_trial_error(trial)
        self._job_ends_early(trial.trial_id)
        self._decisions[trial.trial_id] = SchedulerDecision.STOP
        self._ended[trial.trial_id] = math.nan

    def on_trial_complete(self, trial: Trial, result: dict) -> None:
        super().on_trial_complete(trial, result)
        trial_id = trial.trial_id
        value = float(result.get(self._metrics[0], self._last_value.get(trial_id, math.nan)))
        if trial_id in self._pending:
            # Script ended before the slot's level: its last value counts
            self._fill_slot(trial_id, value)
        self._ended[trial_id] = value
        self.searcher.cleanup_pending(trial_id)

    def on_trial_remove(self, trial: Trial) -> None:
        # Paused by us: nothing to do. Stopped by someone else while
        # pending: the slot counts as failed.
        self._job_ends_early(trial.trial_id)

    def metadata(self) -> dict[str, Any]:
        meta = super().metadata()
        meta.update(
            resource_attr=self._resource_attr,
            bracket_rungs=[list(map(list, r)) for r in self.bracket_manager.bracket_rungs],
        )
        return meta


class SynchronousGeometricHyperbandScheduler(SynchronousHyperbandScheduler):
    """Synchronous Hyperband with the geometric brackets of the Hyperband
    paper, sized as in Syne Tune (see
    :meth:`SynchronousHyperbandRungSystem.geometric`).

    Parameters
    ----------
    grace_period
        Smallest rung level.
    reduction_factor
        ``eta``.
    brackets
        Number of brackets (default: all, ``s_max + 1``; 1 is synchronous
        successive halving).
    kwargs
        :class:`SynchronousHyperbandScheduler` arguments (the maximum level is
        ``max_resource_level`` or ``max_t``, else inferred like ``max_t`` of
        :class:`FIFOScheduler` from ``config_space[max_resource_attr]`` or
        ``"epochs"``, ...).

    Raises
    ------
    InvalidParameterError
        For an argument of the wrong type or out of range (``grace_period``
        below 1, ``reduction_factor`` below 2, ...), or ``bracket_rungs``.
    """

    _parameter_constraints = {
        "grace_period": [Interval(Integral, 1, None, closed="left")],
        "reduction_factor": [Interval(Real, 2, None, closed="left")],
        "brackets": [Interval(Integral, 1, None, closed="left"), None],
    }

    def __init__(
        self,
        config_space: dict,
        grace_period: int = 1,
        reduction_factor: float = 3,
        brackets: int | None = None,
        **kwargs,
    ):
        validate_parameters(self, locals())
        if "bracket_rungs" in kwargs:
            raise InvalidParameterError(
                "SynchronousGeometricHyperbandScheduler computes bracket_rungs from grace_period, "
                "reduction_factor and brackets; use SynchronousHyperbandScheduler to give them explicitly"
            )
        self.grace_period = grace_period
        self.reduction_factor = reduction_factor
        self._num_brackets = brackets
        super().__init__(config_space, bracket_rungs=None, **kwargs)

    def _make_bracket_rungs(self, bracket_rungs):
        if self.max_t is None:
            raise ValueError(
                "SynchronousGeometricHyperbandScheduler needs max_resource_level, or max_resource_attr "
                "naming a config space entry, or 'epochs' / 'max_t' / 'max_epochs' in the config space"
            )
        return SynchronousHyperbandRungSystem.geometric(
            min_resource=self.grace_period,
            max_resource=self.max_t,
            reduction_factor=self.reduction_factor,
            num_brackets=self._num_brackets,
        )
