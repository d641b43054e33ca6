"""DyHPO's searcher (Wistuba et al. 2022, "Supervising the multi-fidelity race
of hyperparameter configurations"): ``HyperbandScheduler(searcher="dyhpo",
type="dyhpo")``, the :class:`~syne_tune.optimizer.baselines.DyHPO` baseline.

:class:`DynamicHPOSearcher` is MOBSTER's searcher
(:class:`~.gp_multifidelity_searcher.GPMultiFidelitySearcher`, same
``search_options`` and models, except ``"gp_independent"``, which cannot
extrapolate to levels without data) whose main decision is made when a
worker is free: the rung system
(:class:`~syne_tune.optimizer.schedulers.multifidelity.dyhpo_rung_system.DyHPORungSystem`)
calls :meth:`DynamicHPOSearcher.score_paused_trials_and_new_configs`, which

1. returns "start a new trial" while the searcher is in its initial phase
   (``points_to_evaluate`` left, ``num_init_random`` random configurations
   left, or fewer than two observations); ``get_config`` then proposes the
   configuration as MOBSTER would;
2. otherwise fits the model (data and pending evaluations as for MOBSTER)
   and scores

   - every paused trial ``i`` (configuration ``x_i``, paused at ``r_i``) at
     its next rung level ``r_i'``: ``log EI(x_i | r_i')``,
   - ``max(num_init_candidates, number of paused trials)`` random new
     configurations ``x`` (not suggested before) at the first rung level
     ``r_0``: ``log EI(x | r_0)``,

   where ``EI(x | r)`` is expected improvement under the model's posterior
   of ``f(x, r)`` over the incumbent at level ``r``: the best signed metric
   value observed at ``r``, or the best observed at any level if there is
   none at ``r`` (with pending evaluations, EI is averaged over the fantasy
   samples);
3. resumes the best-scoring paused trial, or starts the best-scoring new
   configuration (ties go to paused trials, then to the earlier candidate).

A configuration chosen in step 2 is remembered for the new trial id and
returned by the next ``get_config(trial_id=...)``. When the rung system
asks for a new configuration without a comparison (``probability_sh = 1``),
``get_config`` maximizes EI at ``r_0`` with the acquisition optimizer, as
MOBSTER does at its resource for acquisition.

The :class:`~syne_tune.optimizer.baselines.DyHPO` baseline sets
``opt_skip_period=3`` (the model is used for every free worker, so its
hyperparameters are refitted less often than MOBSTER's).
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

from syne_tune.optimizer.schedulers.searchers.bayesopt.acquisition import AcquisitionFunction, ExpectedImprovement
from syne_tune.optimizer.schedulers.searchers.bayesopt.gp_multifidelity_searcher import GPMultiFidelitySearcher
from syne_tune.optimizer.schedulers.searchers.bayesopt.surrogate import AtResource, SurrogateModel
from syne_tune.utils.validation import InvalidParameterError

__all__ = ["DynamicHPOSearcher"]

logger = logging.getLogger(__name__)


class DynamicHPOSearcher(GPMultiFidelitySearcher):
    """DyHPO's searcher (see the module docstring).

    Parameters
    ----------
    config_space, metric
        See :class:`~.gp_multifidelity_searcher.GPMultiFidelitySearcher`.
    model
        ``"gp_multitask"`` (default) or ``"gp_expdecay"``.
    kwargs
        Options of :class:`~.gp_multifidelity_searcher.GPMultiFidelitySearcher`
        (``resource_acq`` has no effect).
    """

    supported_models = ("gp_multitask", "gp_expdecay")
    default_model = "gp_multitask"

    def __init__(self, config_space: dict, metric: str, **kwargs: Any):
        if kwargs.get("model") == "gp_independent":
            raise InvalidParameterError(
                "The 'model' parameter of DynamicHPOSearcher must not be 'gp_independent': DyHPO scores trials "
                "at levels without data, which independent per-level GPs cannot predict. Use 'gp_multitask' "
                "or 'gp_expdecay'."
            )
        super().__init__(config_space, metric=metric, **kwargs)
        self._decided: tuple[Any, dict] | None = None
        #: ``(num_paused, num_new, winner)`` of the last comparison
        #: (``winner``: trial id to resume, or ``None`` for a new trial).
        self.last_comparison: tuple[int, int, Any] | None = None

    def configure_scheduler(self, scheduler) -> None:
        super().configure_scheduler(scheduler)
        if getattr(scheduler, "scheduler_type", None) != "dyhpo":
            raise InvalidParameterError(
                "DynamicHPOSearcher (searcher='dyhpo') needs HyperbandScheduler with type='dyhpo' (the DyHPO "
                f"baseline). Got {type(scheduler).__name__} with type={getattr(scheduler, 'scheduler_type', None)!r}."
            )

    # -- the decision ------------------------------------------------------------------
    def _in_initial_phase(self) -> bool:
        pending_initial = any(not self.should_not_suggest(c) for c in self._points_to_evaluate)
        return pending_initial or self._num_random_left > 0 or self._num_metric_observations() < 2

    @property
    def _latest_configs(self) -> dict:
        return {tid: obs.config for tid, obs in self._store.latest_per_trial(self._metric).items()}

    def _scores(self, model: SurrogateModel, configs: list[dict], resources: list[int]) -> np.ndarray:
        scores = np.full(len(configs), -np.inf)
        if not configs:
            return scores
        X = self._hp_ranges.to_ndarray_matrix(configs)
        resources = np.asarray(resources, dtype=int)
        for level in sorted(set(resources.tolist())):
            rows = np.flatnonzero(resources == level)
            acquisition = ExpectedImprovement(AtResource(model, int(level)), self.best_value_at(int(level)))
            values = np.asarray(acquisition(X[rows]), dtype=float)
            scores[rows] = np.where(np.isfinite(values), values, -np.inf)
        return scores

    def score_paused_trials_and_new_configs(
        self, paused_trials: list[tuple[Any, int, int]], min_resource: int, new_trial_id
    ) -> Any | None:
        """Compare resuming the paused trials with starting a new one (module
        docstring).

        Parameters
        ----------
        paused_trials
            ``(trial_id, level paused at, next level)`` per paused trial.
        min_resource
            First rung level (where a new trial is compared).
        new_trial_id
            Id of the trial started if a new configuration wins.

        Returns
        -------
        Any | None
            The trial id to resume, or ``None`` to start ``new_trial_id``
            (``get_config(trial_id=new_trial_id)`` then returns the winner).
        """
        self._sync_ranges()
        self._decided = None
        if self._in_initial_phase():
            self.last_comparison = (len(paused_trials), 0, None)
            return None
        model = self._fit_models()[self._metric]
        latest = self._latest_configs
        paused = [(tid, latest[tid], milestone) for tid, _, milestone in paused_trials if tid in latest]
        num_new = max(self.acquisition_optimizer.num_init_candidates, len(paused))
        new_configs, seen = [], set()
        for config in self._hp_ranges.random_configs(self.random_state, num_new):
            key = self._hp_ranges.config_to_match_string(config)
            if key not in seen and not self.should_not_suggest(config):
                seen.add(key)
                new_configs.append(config)
        configs = [dict(c) for _, c, _ in paused] + new_configs
        resources = [m for _, _, m in paused] + [int(min_resource)] * len(new_configs)
        scores = self._scores(model, configs, resources)
        if len(scores) == 0 or not np.any(np.isfinite(scores)):
            self.last_comparison = (len(paused), len(new_configs), None)
            return None
        winner = int(np.argmax(scores))
        if winner < len(paused):
            trial_id = paused[winner][0]
            self.last_comparison = (len(paused), len(new_configs), trial_id)
            return trial_id
        self._decided = (new_trial_id, new_configs[winner - len(paused)])
        self.last_comparison = (len(paused), len(new_configs), None)
        return None

    def _get_config(self, **kwargs) -> dict | None:
        decided, self._decided = self._decided, None
        if decided is not None and decided[0] == kwargs.get("trial_id") and not self.should_not_suggest(decided[1]):
            return dict(decided[1])
        return super()._get_config(**kwargs)

    def _acquisition(self, models: dict[str, SurrogateModel]) -> AcquisitionFunction:
        resource = int(self.rung_levels[0]) if self.rung_levels else self.resource_for_acquisition()
        return ExpectedImprovement(AtResource(models[self._metric], resource), self.best_value_at(resource))

    # -- state -------------------------------------------------------------------------
    def get_state(self) -> dict[str, Any]:
        state = super().get_state()
        state["decided"] = None if self._decided is None else (self._decided[0], dict(self._decided[1]))
        return state

    def _restore_from_state(self, state: dict[str, Any]) -> None:
        super()._restore_from_state(state)
        decided = state["decided"]
        self._decided = None if decided is None else (decided[0], dict(decided[1]))
