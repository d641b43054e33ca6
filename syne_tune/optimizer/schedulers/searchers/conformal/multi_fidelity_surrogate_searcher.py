"""CQR for multi-fidelity schedulers: ``HyperbandScheduler(searcher="cqr")``,
the baseline :class:`~syne_tune.optimizer.baselines.ASHACQR` (Salinas et al.,
ICML 2023, Section 5: "ASHA-CQR").

The paper turns the single-fidelity surrogate into a multi-fidelity one by
aggregating the results of each trial into its *last observed value*: the
metric at the largest resource level the trial has reported so far (for
ASHA, the highest rung it reached; a trial stopped early contributes its
value at the rung where it was stopped). The surrogate is fitted to one row
per trial, ``(x_trial, y_trial(r_last))``, without the resource as an input:
stopped (poor) trials then look poor, and promoted trials are represented
by their most informative value. New configurations come from Thompson
sampling of that surrogate, exactly as in the single-fidelity searcher
(:class:`~.surrogate_searcher.SurrogateSearcher`, same options); the
scheduler then decides how far they are trained.

:class:`MultiFidelitySurrogateSearcher` stores every result the scheduler
passes with ``update=True`` (``searcher_data="rungs"``: the results at rung
levels; ``"all"``: every epoch) as an observation keyed
``(trial_id, r)``, ``r = int(result[resource_attr])``, and fits the
surrogate to the observation of each trial at its largest ``r``. Every new
observation, also a further rung of a known trial, counts for
``update_frequency`` (Syne Tune counts new trials only), and
``num_init_random_draws`` counts trials with at least one observation.

Option beyond the paper: ``resource_as_input=True`` adds ``r_last / max_t``
as one more input column of the surrogate, and candidates are scored at
``r = max_t`` (column 1). It needs ``max_t`` (from the scheduler, or
``max_epochs``). The default (``False``) is the paper's method.

The searcher needs the scheduler's resource attribute (``resource_attr``,
passed by the scheduler, or taken from it in :meth:`configure_scheduler`,
as for :class:`~syne_tune.optimizer.schedulers.searchers.bayesopt.gp_multifidelity_searcher.GPMultiFidelitySearcher`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from syne_tune.optimizer.schedulers.searchers.bayesopt.acquisition import AcquisitionFunction
from syne_tune.optimizer.schedulers.searchers.bayesopt.observations import ModelData, Observation
from syne_tune.optimizer.schedulers.searchers.bayesopt.surrogate import SurrogateModel
from syne_tune.optimizer.schedulers.searchers.conformal.conformal_quantile_regression import ThompsonSampling
from syne_tune.optimizer.schedulers.searchers.conformal.surrogate_searcher import SurrogateSearcher
from syne_tune.optimizer.schedulers.searchers.multi_fidelity import MultiFidelitySearcherMixin
from syne_tune.utils.validation import validate_parameters

__all__ = ["MultiFidelitySurrogateSearcher"]


class _AtFullResource:
    """``predict_quantiles(X)`` of a model with a resource column, at ``r = max_t``."""

    def __init__(self, model: SurrogateModel):
        self.model = model

    def predict_quantiles(self, X: np.ndarray) -> np.ndarray:
        X = np.atleast_2d(np.asarray(X, dtype=float))
        return self.model.predict_quantiles(np.hstack([X, np.ones((X.shape[0], 1))]))


class MultiFidelitySurrogateSearcher(MultiFidelitySearcherMixin, SurrogateSearcher):
    """CQR fitted to the last observed value of every trial (see the module
    docstring).

    Parameters
    ----------
    config_space, metric
        See :class:`~.surrogate_searcher.SurrogateSearcher`.
    resource_attr
        Name of the resource in results (set by the scheduler).
    max_epochs
        Maximum resource ``max_t`` (default: the scheduler's).
    max_resource_attr, scheduler
        Scheduler context (``scheduler`` must name a multi-fidelity one,
        ``"hyperband_..."``).
    resource_as_input
        Add ``r_last / max_t`` as an input of the surrogate (default
        ``False``, the paper's method).
    kwargs
        Options of :class:`~.surrogate_searcher.SurrogateSearcher`
        (``points_to_evaluate``, ``mode``, ``random_seed``, ``surrogate``,
        ``num_init_random_draws``, ``update_frequency``, ...).

    Raises
    ------
    InvalidParameterError
        If an argument has the wrong type or value.
    """

    single_fidelity_alternative = "use SurrogateSearcher (FIFOScheduler(searcher='cqr'), the baseline CQR)"

    _parameter_constraints = {"resource_as_input": ["boolean"]}

    def __init__(
        self,
        config_space: dict,
        metric: str,
        resource_attr: str | None = None,
        max_epochs: int | None = None,
        max_resource_attr: str | None = None,
        scheduler: str | None = None,
        resource_as_input: bool = False,
        **kwargs: Any,
    ):
        validate_parameters(self, {"resource_as_input": resource_as_input})
        self._set_multi_fidelity_context(resource_attr, max_epochs, max_resource_attr, scheduler)
        super().__init__(config_space, metric=metric, **kwargs)
        self.resource_as_input = bool(resource_as_input)

    # -- data ------------------------------------------------------------------------------
    def _last_observations(self) -> list[Observation]:
        """For every trial, its observation (valid in the current space) at
        the largest resource level, in order of first observation."""
        last: dict[Any, Observation] = {}
        for obs in self._observations_kept():
            if obs.trial_id not in last or obs.resource >= last[obs.trial_id].resource:
                last[obs.trial_id] = obs
        return list(last.values())

    def _model_data(self, output: str) -> ModelData:
        rows = self._last_observations()
        d = self._hp_ranges.ndarray_size
        X = self._hp_ranges.to_ndarray_matrix([o.config for o in rows]) if rows else np.zeros((0, d))
        resources = np.array([o.resource for o in rows], dtype=float)
        if self.resource_as_input:
            if self.max_t is None:
                raise ValueError(
                    f"{type(self).__name__}: resource_as_input needs the maximum resource: pass max_epochs, or "
                    "use it with a multi-fidelity scheduler"
                )
            X = np.hstack([X, (resources / self.max_t).reshape(-1, 1)])
        return ModelData(
            X=X,
            y=np.array([o.outputs[output] for o in rows], dtype=float),
            resources=resources,
            trial_ids=[o.trial_id for o in rows],
        )

    def _num_fit_rows(self) -> int:
        return len({o.trial_id for o in self._observations_kept()})

    def _acquisition(self, models: dict[str, SurrogateModel]) -> AcquisitionFunction:
        model = models[self._metric]
        return ThompsonSampling(_AtFullResource(model) if self.resource_as_input else model, self.random_state)
