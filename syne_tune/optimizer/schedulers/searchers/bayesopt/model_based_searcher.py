"""The thin model-based searcher: observation store + surrogate models +
acquisition function + acquisition optimizer.

:class:`ModelBasedSearcher` owns no modelling logic. On each result passed
with ``update=True`` it adds an observation to its
:class:`~.observations.ObservationStore` (one value per output: the metric,
signed so that smaller is better, and the extra outputs of a subclass such
as a constraint or the log cost); on ``register_pending`` it adds a pending
evaluation, removed when the observation arrives, the trial fails or the
scheduler cleans it up. :meth:`ModelBasedSearcher.get_config`:

1. remaining ``points_to_evaluate``;
2. a random configuration while ``num_init_random`` of them are left, or
   while fewer than two observations of the metric exist;
3. otherwise: fit one model per output (:meth:`_make_model`, fitted to
   :meth:`_model_data`), build the acquisition function
   (:meth:`_acquisition`), and return the best configuration not suggested
   before: the best-scoring unused entry of ``restrict_configurations`` if
   given, else the result of the acquisition optimizer, started from its
   own candidates plus the ``num_top_starts`` best observed configurations.

Subclasses choose the outputs (:meth:`_output_names`), how a result maps to
outputs (:meth:`_outputs_from_result`) and to a resource level
(:meth:`_resource_of`), the models and the acquisition function.
The state (:meth:`get_state`) is the store, the fitted models, the random
state and the counters, so a restored searcher continues with the same
data and model.

If the hyperparameter ranges are replaced (a launcher that changes the
space of a loaded tuner), observations whose configuration is not in the
new space are left out of the models, and the models start afresh.
"""

from __future__ import annotations

import abc
import copy
import logging
import math
from typing import Any

import numpy as np

from syne_tune.config_space import is_valid_config
from syne_tune.optimizer.schedulers.searchers.bayesopt.acquisition import AcquisitionFunction
from syne_tune.optimizer.schedulers.searchers.bayesopt.acquisition_optimizer import (
    AcquisitionOptimizer,
    LocalSearchOptimizer,
)
from syne_tune.optimizer.schedulers.searchers.bayesopt.observations import ModelData, ObservationStore
from syne_tune.optimizer.schedulers.searchers.bayesopt.surrogate import SurrogateModel
from syne_tune.optimizer.schedulers.searchers.bayesopt.threads import single_threaded_blas
from syne_tune.optimizer.schedulers.searchers.searcher_base import StochasticAndFilterDuplicatesSearcher

__all__ = ["ModelBasedSearcher"]

logger = logging.getLogger(__name__)

#: Best observed configurations added to the acquisition optimizer's starts.
NUM_TOP_STARTS = 5


class ModelBasedSearcher(StochasticAndFilterDuplicatesSearcher):
    """Base class of model-based searchers (see the module docstring).

    Parameters
    ----------
    config_space, metric, points_to_evaluate, mode, random_seed, allow_duplicates, restrict_configurations
        See :class:`~syne_tune.optimizer.schedulers.searchers.StochasticAndFilterDuplicatesSearcher`.
    num_init_random
        Random configurations suggested (after ``points_to_evaluate``)
        before the model is used.
    acquisition_optimizer
        Optimizer of the acquisition function (default:
        :class:`~.acquisition_optimizer.LocalSearchOptimizer`).
    """

    def __init__(
        self,
        config_space: dict,
        metric: str,
        points_to_evaluate: list[dict] | None = None,
        mode: str = "min",
        random_seed: int | None = None,
        allow_duplicates: bool | None = False,
        restrict_configurations: list[dict] | None = None,
        num_init_random: int = 3,
        acquisition_optimizer: AcquisitionOptimizer | None = None,
    ):
        super().__init__(
            config_space,
            metric=metric,
            points_to_evaluate=points_to_evaluate,
            mode=mode,
            random_seed=random_seed,
            allow_duplicates=allow_duplicates,
            restrict_configurations=restrict_configurations,
        )
        self.num_init_random = int(num_init_random)
        self.acquisition_optimizer = acquisition_optimizer or LocalSearchOptimizer()
        self._store = ObservationStore(self._output_names())
        self._num_random_left = self.num_init_random
        self._models: dict[str, SurrogateModel] = {}
        self._models_stale = True
        self._store_for = self._hp_ranges  # ranges the models were built for
        self._keep = None  # keys valid in the current ranges (None: all)
        self._restrict_X_for = None
        self._restrict_X = None

    def configure_scheduler(self, scheduler) -> None:
        super().configure_scheduler(scheduler)
        names = self._output_names()
        if names != self._store.output_names:
            if len(self._store) or self._store.num_pending():
                raise ValueError(
                    f"{type(self).__name__}: the scheduler's metric {self._metric!r} differs from the one the "
                    f"searcher has data for ({self._store.output_names[0]!r})"
                )
            self._store = ObservationStore(names)

    # -- hooks for subclasses --------------------------------------------------------
    def _output_names(self) -> list[str]:
        """Outputs of an observation, the metric first."""
        return [self._metric]

    def _outputs_from_result(self, trial_id, result: dict) -> dict[str, float]:
        """The outputs of ``result`` (metric signed so that smaller is better)."""
        if self._metric not in result:
            raise ValueError(
                f"{type(self).__name__}: the result of trial {trial_id} lacks the metric {self._metric!r}; "
                f"it reported {sorted(result)}"
            )
        value = float(result[self._metric])
        return {self._metric: -value if self._mode == "max" else value}

    def _resource_of(self, result: dict) -> int | None:
        """Resource level of ``result`` (``None``: single fidelity)."""
        return None

    @abc.abstractmethod
    def _make_model(self, output: str) -> SurrogateModel:
        """A new (unfitted) model of ``output``."""

    def _model_data(self, output: str) -> ModelData:
        """Data the model of ``output`` is fitted to."""
        return self._store.arrays(self._hp_ranges, output=output, keep=self._keep)

    @abc.abstractmethod
    def _acquisition(self, models: dict[str, SurrogateModel]) -> AcquisitionFunction:
        """The acquisition function over the fitted ``models``."""

    # -- data --------------------------------------------------------------------------
    def _sync_ranges(self) -> None:
        """Adapt to replaced hyperparameter ranges (see the module docstring)."""
        if self._store_for is self._hp_ranges:
            return
        self._store_for = self._hp_ranges
        space = self._hp_ranges.config_space
        observations = self._store.observations()
        valid = [(o.trial_id, o.resource) for o in observations if is_valid_config(space, o.config)]
        if len(valid) < len(observations):
            logger.info(
                "%s: %d of %d observations are not in the current space and are left out of the model",
                type(self).__name__,
                len(observations) - len(valid),
                len(observations),
            )
        self._keep = None if len(valid) == len(observations) else valid
        self._models = {}
        self._models_stale = True
        self._restrict_X_for = None

    def _update(self, trial_id: int, config: dict, result: dict) -> None:
        outputs = self._outputs_from_result(trial_id, result)
        bad = [name for name, value in outputs.items() if not math.isfinite(value)]
        if bad:
            logger.warning(
                "%s: ignoring non-finite %s of trial %s: %s",
                type(self).__name__,
                ", ".join(bad),
                trial_id,
                {name: outputs[name] for name in bad},
            )
        self._sync_ranges()
        if not is_valid_config(self._hp_ranges.config_space, config):
            logger.warning(
                "%s: ignoring result of trial %s: config %s is not in the space", type(self).__name__, trial_id, config
            )
            return
        resource = self._resource_of(result)
        if self._store.add(trial_id, config, outputs, resource=resource):
            if self._keep is not None:
                self._keep.append((trial_id, resource))
            self._models_stale = True

    def register_pending(self, trial_id: int, config: dict | None = None, milestone=None) -> None:
        super().register_pending(trial_id, config=config, milestone=milestone)
        if config is not None:
            self._store.add_pending(trial_id, config, resource=self._pending_resource(milestone))
            self._models_stale = True

    def _pending_resource(self, milestone) -> int | None:
        """Resource level of a pending evaluation announced with ``milestone``."""
        return None

    def cleanup_pending(self, trial_id: int) -> None:
        if any(p[0] == trial_id for p in self._store.pending()):
            self._store.remove_pending(trial_id)
            self._models_stale = True

    def remove_case(self, trial_id: int, **kwargs) -> None:
        resource = self._resource_of(kwargs) if kwargs else None
        removed = self._store.remove(trial_id, resource=resource, all_resources=not kwargs)
        if removed:
            self._models_stale = True

    def dataset_size(self) -> int:
        self._sync_ranges()
        if self._keep is not None:
            return len(self._keep)
        return len(self._store)

    def model_parameters(self) -> dict:
        model = self._models.get(self._metric)
        return model.parameters() if model is not None else {}

    @property
    def observations(self) -> ObservationStore:
        """The observation store (read it, do not modify it)."""
        return self._store

    def _observations_kept(self, output: str | None = None) -> list:
        """Observations holding ``output`` (default: the metric) that are
        valid in the current hyperparameter ranges."""
        observations = self._store.observations(output or self._metric)
        if self._keep is not None:
            keep = set(self._keep)
            observations = [o for o in observations if (o.trial_id, o.resource) in keep]
        return observations

    def _num_metric_observations(self) -> int:
        if self._keep is None:
            return self._store.count(self._metric)
        return len(self._observations_kept())

    # -- models --------------------------------------------------------------------------
    def _fit_models(self) -> dict[str, SurrogateModel]:
        if not self._models_stale and self._models:
            return self._models
        for output in self._store.output_names:
            data = self._model_data(output)
            if data.num_observations == 0:
                self._models.pop(output, None)
                continue
            model = self._models.get(output)
            if model is None:
                model = self._make_model(output)
                self._models[output] = model
            model.fit(data, self.random_state)
        self._models_stale = False
        return self._models

    def _top_configs(self, k: int) -> list[dict]:
        """The ``k`` best observed configurations (by metric)."""
        observations = self._observations_kept()
        observations.sort(key=lambda o: o.outputs[self._metric])
        return [dict(o.config) for o in observations[:k]]

    # -- suggestions -----------------------------------------------------------------------
    def _get_config(self, **kwargs) -> dict | None:
        self._sync_ranges()
        config = self._next_new_initial_config()
        if config is not None:
            return config
        if self._num_random_left > 0 or self._num_metric_observations() < 2:
            self._num_random_left = max(self._num_random_left - 1, 0)
            return self._get_random_config()
        if self._exhausted():
            return None
        with single_threaded_blas():
            return self._config_from_model()

    def _config_from_model(self) -> dict | None:
        models = self._fit_models()
        acquisition = self._acquisition(models)
        if self._restrict is not None:
            return self._config_from_restricted(acquisition)
        configs = self.acquisition_optimizer.optimize(
            acquisition,
            self._hp_ranges,
            self.random_state,
            exclude=self.should_not_suggest,
            num_results=1,
            initial_configs=self._top_configs(NUM_TOP_STARTS),
        )
        if configs:
            return configs[0]
        return self._get_random_config()

    def _config_from_restricted(self, acquisition: AcquisitionFunction) -> dict | None:
        if self._restrict_X_for is not self._hp_ranges:
            self._restrict_X_for = self._hp_ranges
            self._restrict_X = self._hp_ranges.to_ndarray_matrix(self._restrict)
        candidates = np.asarray(range(len(self._restrict)) if self._allow_duplicates else self._restrict_unused, dtype=int)
        if candidates.size == 0:
            return None
        scores = np.asarray(acquisition(self._restrict_X[candidates]), dtype=float)
        scores = np.where(np.isfinite(scores), scores, -np.inf)
        for pos in np.argsort(-scores, kind="stable"):
            idx = int(candidates[pos])
            config = dict(self._restrict[idx])
            if not self.should_not_suggest(config):
                if not self._allow_duplicates:
                    self._restrict_unused.remove(idx)
                return config
        return None

    # -- state -------------------------------------------------------------------------------
    def get_state(self) -> dict[str, Any]:
        state = super().get_state()
        state.update(
            observations=self._store.get_state(),
            num_random_left=self._num_random_left,
            models=copy.deepcopy(self._models),
            models_stale=self._models_stale,
            keep=None if self._keep is None else list(self._keep),
        )
        return state

    def _restore_from_state(self, state: dict[str, Any]) -> None:
        super()._restore_from_state(state)
        self._store = ObservationStore.from_state(state["observations"])
        self._num_random_left = state["num_random_left"]
        self._models = copy.deepcopy(state["models"])
        self._models_stale = state["models_stale"]
        self._keep = None if state["keep"] is None else list(state["keep"])
        self._store_for = self._hp_ranges
        self._restrict_X_for = None
