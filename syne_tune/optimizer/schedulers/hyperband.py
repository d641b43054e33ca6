"""Asynchronous successive halving (ASHA) and asynchronous Hyperband.

:class:`HyperbandScheduler` compares trials at rung levels (see
:mod:`syne_tune.optimizer.schedulers.multifidelity.rung_levels`) and either
stops under-performers (``type="stopping"``) or pauses every trial at each
rung and later resumes the best ones (``type="promotion"``), among other
variants. The rules are documented in
:mod:`syne_tune.optimizer.schedulers.multifidelity.rung_system`; the user
guide is ``docs/multifidelity.md``.

Brackets: ``brackets`` is the number of brackets (default 1, successive
halving; ``None`` also means 1, as in Syne Tune); ``brackets="all"`` uses
all ``len(rung_levels) + 1`` brackets.

Early checkpoint removal (promotion types only): with
``early_checkpoint_removal_kwargs`` (at least ``max_num_checkpoints``) and a
backend created with ``delete_checkpoints=True``,
:meth:`HyperbandScheduler.callback_for_checkpoint_removal` returns a
:class:`~syne_tune.callbacks.hyperband_remove_checkpoints_callback.HyperbandRemoveCheckpointsCallback`
that keeps the number of trials with checkpoints at most
``max_num_checkpoints`` (see that module for the rule).

References: Li et al. (2020), "A System for Massively Parallel Hyperparameter
Tuning" (ASHA); Li et al. (2018), "Hyperband"; Bohdal et al. (2023), "PASHA".
"""

from __future__ import annotations

import inspect
import logging
from numbers import Integral, Real
from typing import Any, Callable, Mapping

import numpy as np

from syne_tune.callbacks.hyperband_remove_checkpoints_callback import (
    EARLY_CHECKPOINT_REMOVAL_OPTIONS,
    HyperbandRemoveCheckpointsCallback,
)
from syne_tune.callbacks.remove_checkpoints_callback import RemoveCheckpointsSchedulerMixin
from syne_tune.trial import Trial
from syne_tune.optimizer.scheduler import SchedulerDecision, TrialSuggestion
from syne_tune.optimizer.schedulers.fifo import MAX_RESOURCE_KEYS, FIFOScheduler, check_metric_in_result
from syne_tune.optimizer.schedulers.multifidelity.bracket_manager import (
    BracketDistribution,
    HyperbandBracketManager,
)
from syne_tune.optimizer.schedulers.multifidelity.rung_levels import (
    get_rung_levels,
    max_num_brackets,
)
from syne_tune.optimizer.schedulers.multifidelity.rung_system import RUNG_SYSTEMS, Promotion, RungReport
# registers type="rush_stopping" and type="rush_promotion" (RUSH, transfer learning)
import syne_tune.optimizer.schedulers.multifidelity.rush_rung_system  # noqa: F401
from syne_tune.optimizer.schedulers.searchers.searcher import BaseSearcher
from syne_tune.utils.validation import (
    Constraint,
    Interval,
    InvalidParameterError,
    Options,
    check_keys,
    check_parameter,
    validate_parameters,
)

__all__ = ["HyperbandScheduler", "trial_end_decision", "ALL_BRACKETS"]

logger = logging.getLogger(__name__)

_SEARCHER_DATA = ("rungs", "all", "rungs_and_last")

#: Value of ``brackets`` that asks for all ``len(rung_levels) + 1`` brackets.
ALL_BRACKETS = "all"

_CONTINUE = SchedulerDecision.CONTINUE
_PAUSE = SchedulerDecision.PAUSE
_STOP = SchedulerDecision.STOP


class NonEmptyString(Constraint):
    """Constraint: a ``str`` that is not empty (names of result keys)."""

    def is_satisfied_by(self, value: Any) -> bool:
        return isinstance(value, str) and bool(value)

    def __str__(self) -> str:
        return "a non-empty str"


_FIFO_PARAMETERS = tuple(
    name
    for name, param in inspect.signature(FIFOScheduler.__init__).parameters.items()
    if name not in ("self", "config_space") and param.kind not in (param.VAR_POSITIONAL, param.VAR_KEYWORD)
)


def fifo_arguments(arguments: Mapping[str, Any]) -> dict[str, Any]:
    """The entries of ``arguments`` that are :class:`FIFOScheduler` parameters
    (other than ``config_space``).

    Schedulers deriving from :class:`FIFOScheduler` declare its parameters in
    their own signature (for documentation and checking) and pass them on
    with ``super().__init__(config_space, **fifo_arguments(locals()))``.

    Parameters
    ----------
    arguments
        Name -> value, typically ``locals()`` of a constructor.

    Returns
    -------
    dict[str, Any]
        The FIFO parameters found in ``arguments``.
    """
    return {name: arguments[name] for name in _FIFO_PARAMETERS if name in arguments}


def check_rung_system_kwargs(owner: Any, scheduler_type: str, rung_system_kwargs: Mapping[str, Any]) -> None:
    """Raise :class:`InvalidParameterError` if ``rung_system_kwargs`` has a
    key that the rung system of ``scheduler_type`` does not accept (see
    :meth:`~syne_tune.optimizer.schedulers.multifidelity.rung_system.RungSystem.option_names`),
    naming the closest valid keys and the types that accept the key.

    Parameters
    ----------
    owner
        Class (or instance, or name) the dictionary is passed to.
    scheduler_type
        A key of ``RUNG_SYSTEMS``.
    rung_system_kwargs
        The options given.
    """
    valid = RUNG_SYSTEMS[scheduler_type].option_names()
    unknown = [key for key in rung_system_kwargs if key not in valid]
    if not unknown:
        return
    hints = []
    for key in unknown:
        types = sorted(name for name, cls in RUNG_SYSTEMS.items() if key in cls.option_names())
        if types:
            hints.append(f"{key!r} is an option of type {' and '.join(repr(t) for t in types)} only.")
    hint = (" " + " ".join(hints)) if hints else ""
    if valid:
        try:
            check_keys(owner, "rung_system_kwargs", rung_system_kwargs, valid)
        except InvalidParameterError as err:
            raise InvalidParameterError(f"{err}{hint}") from None
    name = owner if isinstance(owner, str) else getattr(owner, "__name__", type(owner).__name__)
    raise InvalidParameterError(
        f"The 'rung_system_kwargs' parameter of {name} must be empty or None for type={scheduler_type!r}, "
        f"whose rung system has no options. Got {dict(rung_system_kwargs)!r} instead.{hint}"
    )


def check_resource_in_result(result: dict, resource_attr: str, trial_id) -> float:
    """The resource reported in ``result`` (a number), or ``ValueError``."""
    try:
        resource = result[resource_attr]
    except KeyError:
        reported = sorted(k for k in result if not k.startswith("st_"))
        raise ValueError(
            f"Trial {trial_id} reported a result without the resource attribute '{resource_attr}' "
            f"(reported keys: {reported}). Check the scheduler's resource_attr argument."
        ) from None
    if isinstance(resource, bool) or not isinstance(resource, (int, float, np.integer, np.floating)) or resource != resource:
        raise ValueError(f"Trial {trial_id} reported a non-numeric value {resource!r} for '{resource_attr}'")
    return resource


def trial_end_decision(config: dict, resource, max_resource_attr: str | None) -> str:
    """Decision for a trial that reached ``max_t``: CONTINUE if it will end by
    itself at ``resource`` (its configured maximum resource is not larger),
    STOP if its config says it would train further."""
    keys = (max_resource_attr,) if max_resource_attr else MAX_RESOURCE_KEYS
    for key in keys:
        value = config.get(key)
        if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
            return _STOP if value > resource else _CONTINUE
    return _CONTINUE


class _TrialInfo:
    __slots__ = ("config", "bracket", "decision", "largest_update", "last_result", "keep_case", "done")

    def __init__(self, config: dict, bracket: int):
        self.config = config
        self.bracket = bracket
        self.decision = _CONTINUE
        # Largest resource for which the searcher got update=True
        self.largest_update = None
        # (metric, resource) of the last result passed with update=True but
        # not at a rung (searcher_data="rungs_and_last")
        self.last_result = None
        self.keep_case = False
        # Reached max_t: no more rung decisions
        self.done = False


class HyperbandScheduler(RemoveCheckpointsSchedulerMixin, FIFOScheduler):
    """Asynchronous Hyperband / successive halving (ASHA) and variants.

    Parameters
    ----------
    config_space
        Configuration space.
    searcher
        Searcher name (``"random"``, ``"grid"``, or a registered model-based
        one) or a :class:`BaseSearcher`.
    search_options
        Arguments for the searcher when given by name.
    metric, mode
        Metric to optimize, "min" or "max".
    points_to_evaluate
        Configurations to evaluate first.
    random_seed
        Master seed (searcher and bracket sampling).
    max_resource_attr
        Config key with the maximum resource of a trial (e.g. ``"epochs"``).
        For pause-and-resume types, new and resumed trials get their next
        milestone written there, so they stop by themselves where they will be
        paused anyway. Also used to infer ``max_t``.
    max_t
        Maximum resource; inferred from ``config_space[max_resource_attr]`` or
        ``config_space["epochs" | "max_t" | "max_epochs"]`` if not given.
    time_keeper
        Clock (set by the tuner).
    resource_attr
        Name of the resource in reported results (default ``"epoch"``); values
        count from 1 (1 = one epoch done).
    grace_period
        Lowest rung level (minimum resource before a trial can be stopped).
    reduction_factor
        ``eta``: rung levels ``round(grace_period * eta**k)``; about
        ``1 / eta`` of the trials continue at each rung.
    rung_increment
        Linear rung levels ``grace_period + k * rung_increment`` instead.
    rung_levels
        Explicit rung levels (overrides the three arguments above).
    brackets
        Number of Hyperband brackets: 1 (default, also for ``None``):
        successive halving; ``"all"`` (:const:`ALL_BRACKETS`): all
        ``len(rung_levels) + 1`` brackets. Larger numbers are reduced to that
        maximum (with a warning).
    type
        ``"stopping"`` (default), ``"promotion"``, ``"cost_promotion"``,
        ``"pasha"``, ``"dyhpo"`` (with ``searcher="dyhpo"``, see
        :mod:`~syne_tune.optimizer.schedulers.multifidelity.dyhpo_rung_system`),
        ``"rush_stopping"``, ``"rush_promotion"`` (RUSH: the first
        ``rung_system_kwargs["num_threshold_candidates"]`` trials set
        thresholds, see
        :mod:`~syne_tune.optimizer.schedulers.multifidelity.rush_rung_system`),
        or a type registered with
        :func:`~syne_tune.optimizer.schedulers.multifidelity.rung_system.register_rung_system`.
    searcher_data
        Which results update the searcher: ``"rungs"`` (only rung levels),
        ``"all"``, or ``"rungs_and_last"`` (rungs plus the latest result).
    cost_attr
        Name of a cost reported in results (needed by ``"cost_promotion"``
        and cost-aware searchers). For pause-and-resume types the scheduler
        adds up the costs of a trial's segments under ``"total_" + cost_attr``.
    register_pending_myopic
        With ``searcher_data != "rungs"``: register only the next resource as
        pending instead of all up to the next milestone.
    rung_system_per_bracket
        One rung system per bracket (trials compete within their bracket).
    rung_system_kwargs
        Options of the rung system of ``type`` (PASHA: ``ranking_criterion``,
        ``epsilon``, ``epsilon_scaling``, ``epsilon_percentile``; DyHPO:
        ``probability_sh``; RUSH: ``num_threshold_candidates``; the other
        built-in types have none). Unknown
        keys raise, naming the closest valid ones.
    early_checkpoint_removal_kwargs
        Speculative removal of checkpoints of paused trials (promotion types;
        needs a backend with ``delete_checkpoints=True``): arguments of
        :class:`~syne_tune.callbacks.hyperband_remove_checkpoints_callback.HyperbandRemoveCheckpointsCallback`
        other than ``metric``, ``resource_attr``, ``mode`` (which come from
        this scheduler). ``max_num_checkpoints`` is required;
        ``max_wallclock_time`` is taken from the tuner's
        :class:`~syne_tune.StoppingCriterion` if it has one.
    bracket_distribution
        Distribution over brackets for new trials (default: proportional to
        synchronous Hyperband's bracket sizes).

    Raises
    ------
    InvalidParameterError
        (a ``ValueError`` and ``TypeError``) for an argument of the wrong type
        or out of range, or an unknown key in ``rung_system_kwargs`` or
        ``early_checkpoint_removal_kwargs``.
    """

    #: results come at several resource levels (single-fidelity model searchers refuse it)
    multi_fidelity = True

    _parameter_constraints = {
        "resource_attr": [NonEmptyString()],
        "grace_period": [Interval(Integral, 1, None, closed="left")],
        "reduction_factor": [Interval(Real, 2, None, closed="left")],
        "rung_increment": [Interval(Integral, 1, None, closed="left"), None],
        "rung_levels": [list, tuple, None],
        "brackets": [Interval(Integral, 1, None, closed="left"), Options(str, {ALL_BRACKETS}), None],
        "searcher_data": [Options(str, _SEARCHER_DATA)],
        "cost_attr": [str, None],
        "register_pending_myopic": ["boolean"],
        "rung_system_per_bracket": ["boolean"],
        "rung_system_kwargs": [dict, None],
        "early_checkpoint_removal_kwargs": [dict, None],
        "bracket_distribution": [BracketDistribution, None],
    }

    def __init__(
        self,
        config_space: dict,
        searcher: str | BaseSearcher = "random",
        search_options: dict | None = None,
        metric: str | None = None,
        mode: str = "min",
        points_to_evaluate: list[dict] | None = None,
        random_seed: int | None = None,
        max_resource_attr: str | None = None,
        max_t: int | None = None,
        time_keeper=None,
        resource_attr: str = "epoch",
        grace_period: int = 1,
        reduction_factor: float = 3,
        rung_increment: int | None = None,
        rung_levels: list[int] | None = None,
        brackets: int | str | None = 1,
        type: str = "stopping",
        searcher_data: str = "rungs",
        cost_attr: str | None = None,
        register_pending_myopic: bool = False,
        rung_system_per_bracket: bool = False,
        rung_system_kwargs: dict | None = None,
        early_checkpoint_removal_kwargs: dict | None = None,
        bracket_distribution: BracketDistribution | None = None,
        **kwargs,
    ):
        validate_parameters(self, locals())
        check_parameter(self, "type", type, [Options(str, RUNG_SYSTEMS)])
        if type == "cost_promotion" and cost_attr is None:
            raise InvalidParameterError(
                f"The 'cost_attr' parameter of {self.__class__.__name__} must be the name of the cost reported "
                "in results for type='cost_promotion'. Got None instead."
            )
        rung_system_kwargs = dict(rung_system_kwargs or {})
        check_rung_system_kwargs(self, type, rung_system_kwargs)
        self._early_checkpoint_removal_kwargs = self._check_early_checkpoint_removal_kwargs(
            early_checkpoint_removal_kwargs, type
        )
        self.scheduler_type = type
        self._pause_resume = bool(RUNG_SYSTEMS[type].does_pause_resume())
        self._resource_attr = resource_attr
        self._cost_attr = cost_attr
        self.searcher_data = searcher_data
        self._register_pending_myopic = bool(register_pending_myopic)
        # Everything that needs max_t is built in _make_searcher (called by
        # the FIFOScheduler constructor once max_t is known, right before the
        # searcher is created), so the searcher sees a complete scheduler.
        self._mf_args = dict(
            grace_period=grace_period,
            reduction_factor=reduction_factor,
            rung_increment=rung_increment,
            rung_levels=rung_levels,
            brackets=brackets,
            rung_system_per_bracket=rung_system_per_bracket,
            rung_system_kwargs=rung_system_kwargs,
            bracket_distribution=bracket_distribution,
        )
        self._trials: dict[Any, _TrialInfo] = {}
        self._cost_offset: dict[Any, float] = {}
        super().__init__(config_space, **fifo_arguments(locals()), **kwargs)
        self.bracket_manager.configure_scheduler(self)

    def _check_early_checkpoint_removal_kwargs(self, callback_kwargs: dict | None, scheduler_type: str) -> dict | None:
        """Validated copy of ``early_checkpoint_removal_kwargs`` (``None`` if
        not given)."""
        if callback_kwargs is None:
            return None
        check_keys(self, "early_checkpoint_removal_kwargs", callback_kwargs, EARLY_CHECKPOINT_REMOVAL_OPTIONS)
        if "max_num_checkpoints" not in callback_kwargs:
            raise InvalidParameterError(
                f"The 'early_checkpoint_removal_kwargs' parameter of {self.__class__.__name__} must contain "
                f"'max_num_checkpoints'. Got {callback_kwargs!r} instead."
            )
        validate_parameters(HyperbandRemoveCheckpointsCallback, callback_kwargs)
        if not RUNG_SYSTEMS[scheduler_type].does_pause_resume():
            logger.warning(
                "early_checkpoint_removal_kwargs is ignored for type=%r: trials are never paused", scheduler_type
            )
        return dict(callback_kwargs)

    # -- construction -----------------------------------------------------------
    def _build_multifidelity(self) -> None:
        if self.max_t is None:
            raise ValueError(
                f"{type(self).__name__} needs max_t: pass max_t, or max_resource_attr naming a config "
                f"space entry, or have one of {list(MAX_RESOURCE_KEYS)} in the config space"
            )
        if len(self._metrics) != 1:
            raise ValueError(f"{type(self).__name__} supports a single metric, got {self._metrics}")
        args = self._mf_args
        max_t = self.max_t
        if not (isinstance(max_t, (int, np.integer)) or float(max_t).is_integer()):
            raise ValueError(f"max_t must be an integer for {type(self).__name__}, got {max_t!r}")
        self.max_t = int(max_t)
        self.rung_levels = get_rung_levels(
            self.max_t,
            grace_period=args["grace_period"],
            reduction_factor=args["reduction_factor"],
            rung_increment=args["rung_increment"],
            rung_levels=args["rung_levels"],
        )
        self.grace_period = self.rung_levels[0]
        self.reduction_factor = args["reduction_factor"]
        max_brackets = max_num_brackets(self.rung_levels)
        brackets = args["brackets"]
        if brackets == ALL_BRACKETS:
            num_brackets = max_brackets
        else:
            num_brackets = 1 if brackets is None else int(brackets)
        if num_brackets > max_brackets:
            logger.warning(
                "brackets = %d is more than the %d brackets rung levels %s and max_t = %d allow; using %d",
                num_brackets, max_brackets, self.rung_levels, self.max_t, max_brackets,
            )
            num_brackets = max_brackets
        self.brackets = num_brackets
        rs_kwargs = dict(args["rung_system_kwargs"])
        rs_kwargs.update(
            metric=self._metrics[0],
            mode=self._modes[0],
            resource_attr=self._resource_attr,
            cost_attr=self._total_cost_attr(),
        )
        self.bracket_manager = HyperbandBracketManager(
            RUNG_SYSTEMS[self.scheduler_type],
            self.rung_levels,
            self.max_t,
            num_brackets,
            args["rung_system_per_bracket"],
            random_seed=(self.random_seed + 1) % (2**31 - 1),
            rung_system_kwargs=rs_kwargs,
            bracket_distribution=args["bracket_distribution"],
        )
        # Syne Tune's name for the bracket manager
        self.terminator = self.bracket_manager

    def _make_searcher(self, searcher, search_options, points_to_evaluate) -> BaseSearcher:
        self._build_multifidelity()
        return super()._make_searcher(searcher, search_options, points_to_evaluate)

    def _searcher_kwargs(self) -> dict[str, Any]:
        kwargs = super()._searcher_kwargs()
        kwargs["resource_attr"] = self._resource_attr
        kwargs["scheduler"] = "hyperband_" + self.scheduler_type
        if self._total_cost_attr() is not None:
            kwargs["cost_attr"] = self._total_cost_attr()
        return kwargs

    # -- properties ---------------------------------------------------------------
    @property
    def resource_attr(self) -> str:
        return self._resource_attr

    def does_pause_resume(self) -> bool:
        """Are trials paused at rung levels and resumed later?"""
        return self._pause_resume

    def _total_cost_attr(self) -> str | None:
        if self._cost_attr is None:
            return None
        if self._pause_resume:
            return "total_" + self._cost_attr
        return self._cost_attr

    # -- suggestions ----------------------------------------------------------------
    def _register_pending(self, trial_id, config, resume_from, milestone) -> None:
        if self.searcher_data == "rungs":
            resources = [milestone]
        elif self._register_pending_myopic:
            resources = [resume_from + 1]
        else:
            resources = range(resume_from + 1, milestone + 1)
        for resource in resources:
            self.searcher.register_pending(trial_id, config=config, milestone=resource)

    def _suggest(self, trial_id: int) -> TrialSuggestion | None:
        bracket, promotion = self.bracket_manager.on_task_schedule(trial_id)
        if promotion is not None:
            return self._resume_trial(promotion, bracket)
        config = self.searcher.get_config(trial_id=trial_id)
        if config is None:
            return None
        config = dict(config)
        milestone = self.bracket_manager.on_task_add(trial_id, bracket, new_config=True)
        self._register_pending(trial_id, config, 0, milestone)
        if self._pause_resume and self.max_resource_attr is not None:
            # The trial runs only up to its first milestone, where it is paused
            config[self.max_resource_attr] = milestone
        self._trials[trial_id] = _TrialInfo(dict(config), bracket)
        return TrialSuggestion.start_suggestion(config)

    def _resume_trial(self, promotion: Promotion, bracket: int) -> TrialSuggestion:
        trial_id = promotion.trial_id
        record = self._trials.get(trial_id)
        milestone = promotion.milestone
        resume_from = promotion.resume_from
        self.bracket_manager.on_task_add(
            trial_id, bracket, new_config=False, milestone=milestone, resume_from=resume_from
        )
        if record is None:
            raise RuntimeError(f"Trial {trial_id} was chosen for promotion but is unknown to the scheduler")
        record.decision = _CONTINUE
        record.last_result = None
        record.keep_case = False
        self._register_pending(trial_id, record.config, resume_from, milestone)
        config = None
        if self.max_resource_attr is not None:
            config = dict(record.config)
            config[self.max_resource_attr] = milestone
        return TrialSuggestion.resume_suggestion(trial_id, config)

    # -- results ----------------------------------------------------------------------
    def _trial_info(self, trial: Trial) -> _TrialInfo:
        record = self._trials.get(trial.trial_id)
        if record is None:
            # Trial not started through suggest (e.g. restored experiment)
            record = _TrialInfo(dict(trial.config), 0)
            self._trials[trial.trial_id] = record
            self.bracket_manager.on_task_add(trial.trial_id, 0, new_config=True)
        return record

    def on_trial_add(self, trial: Trial) -> None:
        self._trial_info(trial)

    def _with_total_cost(self, trial_id, result: dict) -> dict:
        """``result`` plus ``"total_" + cost_attr``, the cost summed over the
        trial's resumptions (pause-and-resume types with ``cost_attr``)."""
        if self._cost_attr is None or not self._pause_resume or self._cost_attr not in result:
            return result
        result = dict(result)
        result["total_" + self._cost_attr] = result[self._cost_attr] + self._cost_offset.get(trial_id, 0.0)
        return result

    def on_trial_result(self, trial: Trial, result: dict) -> str:
        trial_id = trial.trial_id
        check_metric_in_result(result, self._metrics, trial_id)
        resource = check_resource_in_result(result, self._resource_attr, trial_id)
        record = self._trials.get(trial_id)
        if record is None:
            record = self._trial_info(trial)
        if record.decision != _CONTINUE:
            # Result after a pause or stop decision: ignored
            logger.debug("Trial %s: %s, ignoring a late result %s", trial_id, record.decision, result)
            self.searcher.on_trial_result(trial_id, record.config, result, update=False)
            return record.decision
        result = self._with_total_cost(trial_id, result)

        if record.done or resource >= self.max_t:
            decision = self._on_max_t_reached(trial, record, resource)
            do_update = record.largest_update is None or resource > record.largest_update
            if do_update:
                record.largest_update = resource
            self.searcher.on_trial_result(trial_id, record.config, result, update=do_update)
            return decision

        info = self.bracket_manager.on_task_report(trial_id, result)
        continues = info.task_continues
        if self._cost_attr is not None and self._pause_resume and self._cost_attr in result:
            if info.milestone_reached:
                self._cost_offset[trial_id] = result["total_" + self._cost_attr]
            elif info.ignore_data and self._cost_offset.get(trial_id, 0.0) > 0:
                # Resumed trial restarted from scratch: its costs need no offset
                self._cost_offset[trial_id] = 0.0
        do_update = self._update_searcher(trial_id, record, result, resource, info)
        if continues:
            decision = _CONTINUE
        else:
            decision = _PAUSE if self._pause_resume else _STOP
            record.decision = decision
            self.bracket_manager.on_task_remove(trial_id)
        self.searcher.on_trial_result(trial_id, record.config, result, update=do_update)
        return decision

    def _on_max_t_reached(self, trial: Trial, record: _TrialInfo, resource) -> str:
        if not record.done:
            record.done = True
            self.bracket_manager.on_task_remove(trial.trial_id)
        decision = trial_end_decision(trial.config, resource, self.max_resource_attr)
        if decision != _CONTINUE:
            record.decision = decision
        return decision

    def _update_searcher(self, trial_id, record: _TrialInfo, result: dict, resource, info: RungReport) -> bool:
        """Decides whether the searcher learns from ``result``; registers
        pending evaluations."""
        milestone_reached = info.milestone_reached
        continues = info.task_continues
        next_milestone = info.next_milestone
        do_update = False
        pending_from = None
        if milestone_reached and resource != info.rung_level:
            # The result jumped over its milestone: the pending evaluation
            # there will never be observed
            self.searcher.cleanup_pending(trial_id)
        if self.searcher_data == "rungs":
            if milestone_reached:
                do_update = True
                if continues and next_milestone is not None:
                    self.searcher.register_pending(trial_id, config=record.config, milestone=next_milestone)
        elif not info.ignore_data:
            do_update = True
            if continues:
                if self._register_pending_myopic or next_milestone is None:
                    self.searcher.register_pending(trial_id, config=record.config, milestone=int(resource) + 1)
                elif milestone_reached:
                    pending_from = int(resource)
            if self.searcher_data == "rungs_and_last":
                if record.last_result is not None and not record.keep_case:
                    self.searcher.remove_case(trial_id, **record.last_result)
                record.last_result = {self._metrics[0]: result[self._metrics[0]], self._resource_attr: resource}
                record.keep_case = milestone_reached
        if pending_from is not None:
            for r in range(pending_from + 1, int(next_milestone) + 1):
                self.searcher.register_pending(trial_id, config=record.config, milestone=r)
        if do_update:
            if record.largest_update is not None and resource <= record.largest_update:
                do_update = False
            else:
                record.largest_update = resource
        return do_update

    def on_trial_complete(self, trial: Trial, result: dict) -> None:
        trial_id = trial.trial_id
        check_metric_in_result(result, self._metrics, trial_id)
        record = self._trials.get(trial_id)
        if record is None:
            record = self._trial_info(trial)
        resource = result.get(self._resource_attr)
        if resource is not None and (record.largest_update is None or resource > record.largest_update):
            record.largest_update = resource
            self.searcher.on_trial_result(trial_id, record.config, self._with_total_cost(trial_id, result), update=True)
        self.searcher.cleanup_pending(trial_id)
        if record.decision == _PAUSE:
            # The trial was paused at a rung level and its script ended there
            # (max_resource_attr): it stays promotable.
            self.bracket_manager.on_task_remove(trial_id)
        else:
            record.decision = _STOP
            self.bracket_manager.forget_trial(trial_id)

    def on_trial_error(self, trial: Trial) -> None:
        super().on_trial_error(trial)
        record = self._trials.get(trial.trial_id)
        if record is not None:
            record.decision = _STOP
        self.bracket_manager.forget_trial(trial.trial_id)

    def on_trial_remove(self, trial: Trial) -> None:
        record = self._trials.get(trial.trial_id)
        if record is not None and record.decision == _CONTINUE:
            # Paused or stopped by someone else than this scheduler
            record.decision = _PAUSE
        self.bracket_manager.on_task_remove(trial.trial_id)

    # -- description ------------------------------------------------------------------
    def metadata(self) -> dict[str, Any]:
        meta = super().metadata()
        meta.update(
            scheduler_type=self.scheduler_type,
            resource_attr=self._resource_attr,
            max_t=self.max_t,
            rung_levels=list(self.rung_levels),
            brackets=self.brackets,
        )
        return meta

    def information_for_rungs(self) -> list[tuple[int, int, float]]:
        """``(level, entries, promotion quantile)`` per rung, top first (shared
        rung system, or the one of bracket 0)."""
        return self.bracket_manager.rung_systems[0].information_for_rungs()

    @property
    def rung_system(self):
        """The rung system of bracket 0."""
        return self.bracket_manager.rung_systems[0]

    # -- checkpoint removal -------------------------------------------------------------
    def callback_for_checkpoint_removal(self, stop_criterion: Callable | None) -> HyperbandRemoveCheckpointsCallback | None:
        """The callback removing checkpoints of paused trials speculatively,
        if ``early_checkpoint_removal_kwargs`` was given and ``type`` pauses
        trials; else ``None``.

        Parameters
        ----------
        stop_criterion
            The tuner's stop criterion: its ``max_wallclock_time`` (if it has
            one, e.g. a :class:`~syne_tune.StoppingCriterion`) is the time
            budget the removal rule plans with, and takes precedence over
            ``early_checkpoint_removal_kwargs["max_wallclock_time"]``.

        Returns
        -------
        HyperbandRemoveCheckpointsCallback | None
            See above.

        Raises
        ------
        ValueError
            If neither gives a ``max_wallclock_time``.
        """
        if self._early_checkpoint_removal_kwargs is None or not self.bracket_manager.support_early_checkpoint_removal():
            return None
        callback_kwargs = dict(self._early_checkpoint_removal_kwargs)
        max_wallclock_time = getattr(stop_criterion, "max_wallclock_time", None)
        if max_wallclock_time is not None:
            callback_kwargs["max_wallclock_time"] = max_wallclock_time
        if callback_kwargs.get("max_wallclock_time") is None:
            raise ValueError(
                "Early checkpoint removal plans with the time budget of the experiment: use a "
                "StoppingCriterion with max_wallclock_time, or put max_wallclock_time into "
                "early_checkpoint_removal_kwargs of HyperbandScheduler"
            )
        return HyperbandRemoveCheckpointsCallback(
            metric=self._metrics[0], resource_attr=self._resource_attr, mode=self._modes[0], **callback_kwargs
        )
