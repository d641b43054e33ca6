"""Brackets of asynchronous Hyperband: which rung system a trial belongs to.

With ``brackets = B > 1``, each new trial is assigned a bracket ``b`` in
``0 .. B-1``, sampled with probabilities proportional to the number of
configurations synchronous Hyperband starts in each bracket (see
:func:`~syne_tune.optimizer.schedulers.multifidelity.rung_levels.hyperband_bracket_sizes`).
A trial in bracket ``b`` has its first milestone at rung level ``r_b``: it is
never compared at the ``b`` lowest rungs (bracket ``len(rung_levels)`` runs
straight to ``max_t``).

``rung_system_per_bracket=False`` (default): one rung system shared by all
brackets, so trials of all brackets are compared with each other at the rungs
they pass. ``True``: one rung system per bracket, trials only compete with
trials of their own bracket (stronger hedging).
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from syne_tune.optimizer.schedulers.multifidelity.rung_levels import (
    get_promotion_quantiles,
    hyperband_bracket_sizes,
)
from syne_tune.optimizer.schedulers.multifidelity.rung_system import Promotion, RungReport, RungSystem


class BracketDistribution:
    """Distribution over brackets for new trials. Hyper-Tune replaces it by a
    model-based one; :meth:`configure` is called once with the scheduler."""

    def configure(self, scheduler) -> None:
        self.scheduler = scheduler

    def __call__(self) -> np.ndarray:
        """Probabilities over brackets ``0 .. num_brackets - 1``."""
        raise NotImplementedError


class DefaultHyperbandBracketDistribution(BracketDistribution):
    """Probabilities proportional to the bracket sizes of synchronous
    Hyperband (Li et al., 2018)."""

    def __init__(self, rung_levels: list[int] | None = None, max_t: int | None = None, num_brackets: int | None = None):
        self._probs = None
        if rung_levels is not None:
            self._set(rung_levels, max_t, num_brackets)

    def _set(self, rung_levels, max_t, num_brackets):
        sizes = np.asarray(hyperband_bracket_sizes(rung_levels, max_t, num_brackets), dtype=float)
        self._probs = sizes / sizes.sum()

    def configure(self, scheduler) -> None:
        super().configure(scheduler)
        manager = scheduler.bracket_manager
        self._set(manager.rung_levels, manager.max_t, manager.num_brackets)

    def __call__(self) -> np.ndarray:
        return self._probs


class HyperbandBracketManager:
    """Rung system(s) of :class:`~syne_tune.optimizer.schedulers.HyperbandScheduler`
    and the bracket of each trial.

    Parameters
    ----------
    rung_system_factory
        Class (or factory) of the rung system, called like :class:`RungSystem`.
    rung_levels
        All rung levels (< ``max_t``).
    max_t
        Maximum resource.
    num_brackets
        Number of brackets (at most ``len(rung_levels) + 1``).
    rung_system_per_bracket
        One rung system per bracket (``True``) or a shared one.
    random_seed
        Seed for sampling brackets.
    rung_system_kwargs
        metric, mode, resource_attr, cost_attr and extra arguments of the
        rung system.
    """

    def __init__(
        self,
        rung_system_factory: Callable[..., RungSystem],
        rung_levels: list[int],
        max_t: int,
        num_brackets: int,
        rung_system_per_bracket: bool,
        random_seed: int,
        rung_system_kwargs: dict[str, Any],
        bracket_distribution: BracketDistribution | None = None,
    ):
        self.rung_levels = list(rung_levels)
        self.max_t = max_t
        self.num_brackets = int(num_brackets)
        self.rung_system_per_bracket = bool(rung_system_per_bracket)
        quantiles = get_promotion_quantiles(self.rung_levels, max_t)
        num_systems = self.num_brackets if self.rung_system_per_bracket else 1
        self.rung_systems: list[RungSystem] = [
            rung_system_factory(self.rung_levels[s:], quantiles[s:], max_t=max_t, **rung_system_kwargs)
            for s in range(num_systems)
        ]
        self.random_state = np.random.RandomState(random_seed)
        if bracket_distribution is None:
            bracket_distribution = DefaultHyperbandBracketDistribution(self.rung_levels, max_t, self.num_brackets)
        self.bracket_distribution = bracket_distribution
        #: trial_id -> bracket
        self.trial_bracket: dict[Any, int] = {}

    def rung_system_for_bracket(self, bracket: int) -> tuple[RungSystem, int]:
        """(rung system, number of rungs skipped) for ``bracket``."""
        if self.rung_system_per_bracket:
            return self.rung_systems[bracket], 0
        return self.rung_systems[0], bracket

    def rung_system_for_trial(self, trial_id) -> tuple[RungSystem, int]:
        return self.rung_system_for_bracket(self.trial_bracket.get(trial_id, 0))

    def sample_bracket(self) -> int:
        if self.num_brackets == 1:
            return 0
        probs = self.bracket_distribution()
        return int(self.random_state.choice(len(probs), p=probs))

    def on_task_schedule(self, new_trial_id) -> tuple[int, Promotion | None]:
        """Samples a bracket and asks its rung system for a trial to resume.

        Parameters
        ----------
        new_trial_id
            Id a new trial would get.

        Returns
        -------
        tuple[int, Promotion | None]
            ``(bracket, promotion)``: the trial to resume and its bracket, or
            ``None`` and the bracket sampled for a new trial.
        """
        bracket = self.sample_bracket()
        system, _ = self.rung_system_for_bracket(bracket)
        promotion = system.on_task_schedule(new_trial_id)
        if promotion is not None:
            bracket = self.trial_bracket.get(promotion.trial_id, bracket)
        return bracket, promotion

    def on_task_add(self, trial_id, bracket: int, new_config: bool = True, **kwargs) -> int:
        """Registers a started / resumed trial; returns its next milestone."""
        self.trial_bracket[trial_id] = bracket
        system, skip = self.rung_system_for_bracket(bracket)
        system.on_task_add(trial_id, skip_rungs=skip, new_config=new_config, **kwargs)
        return system._tasks[trial_id].milestone

    def on_task_report(self, trial_id, result: dict) -> RungReport:
        system, _ = self.rung_system_for_trial(trial_id)
        return system.on_task_report(trial_id, result)

    def on_task_remove(self, trial_id) -> None:
        system, _ = self.rung_system_for_trial(trial_id)
        system.on_task_remove(trial_id)

    def forget_trial(self, trial_id) -> None:
        system, _ = self.rung_system_for_trial(trial_id)
        system.forget_trial(trial_id)

    def does_pause_resume(self) -> bool:
        return self.rung_systems[0].does_pause_resume()

    def support_early_checkpoint_removal(self) -> bool:
        """See :meth:`RungSystem.support_early_checkpoint_removal`."""
        return self.rung_systems[0].support_early_checkpoint_removal()

    def paused_trials(self, resource: int | None = None) -> list[tuple[Any, int, float, int]]:
        """Paused trials of all rung systems as ``(trial_id, rank, metric
        value, level)`` (see :meth:`RungSystem.paused_trials`); only those at
        rung level ``resource`` if given."""
        return [entry for system in self.rung_systems for entry in system.paused_trials(resource)]

    def information_for_rungs(self) -> list[tuple[int, int, float]]:
        """``(level, number of entries, promotion quantile)`` per rung, top
        first, of the shared rung system (or the one of bracket 0)."""
        return self.rung_systems[0].information_for_rungs()

    def configure_scheduler(self, scheduler) -> None:
        for system in self.rung_systems:
            system.configure_scheduler(scheduler)
        self.bracket_distribution.configure(scheduler)
