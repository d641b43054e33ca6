"""CQR: Bayesian optimization with a conformalized quantile-regression
surrogate and Thompson sampling (Salinas, Golebiowski, Klein, Seeger,
Archambeau, ICML 2023); ``FIFOScheduler(searcher="cqr")``, the baseline
:class:`~syne_tune.optimizer.baselines.CQR`.

:class:`SurrogateSearcher` is a
:class:`~syne_tune.optimizer.schedulers.searchers.bayesopt.model_based_searcher.ModelBasedSearcher`
(observation store, ``restrict_configurations``, state) whose
:meth:`~SurrogateSearcher.get_config` returns

1. the remaining ``points_to_evaluate``;
2. a random configuration while fewer than ``max(num_init_random_draws, 2)``
   observations exist (default ``num_init_random_draws = 5``; Syne Tune's
   rule: it counts observations, not suggestions, so with several workers
   more than that many random configurations may be suggested);
3. otherwise the Thompson-sampling choice of the surrogate
   (:mod:`.conformal_quantile_regression`): the surrogate is fitted to the
   observations (metric signed so that smaller is better; pending
   evaluations are ignored, the randomness of Thompson sampling spreads
   concurrent suggestions), one of the predicted quantiles is drawn
   uniformly for every candidate, and the candidate with the smallest draw
   is suggested. Candidates are ``num_candidates`` random configurations
   (default 1000, drawn from the searcher's random state, duplicates and
   configurations suggested before left out), or all unused entries of
   ``restrict_configurations`` if given (scored in one vectorized call).
   If every candidate is excluded, up to 3 batches of 100 more random
   configurations are scored
   (:class:`~syne_tune.optimizer.schedulers.searchers.bayesopt.acquisition_optimizer.LocalSearchOptimizer`
   with ``skip_local_optimization=True`` and ``sobol=False``).

The surrogate is refitted when at least ``update_frequency`` observations
(default 1) were added, replaced or removed since the last fit, and
otherwise reused; above ``max_fit_samples`` observations a random subset of
that size is fitted. ``surrogate`` selects the model:

* ``"QuantileRegression"`` (default, CQR):
  :class:`~.conformal_quantile_regression.ConformalQuantileRegression`
  (split-conformal corrections from ``min_samples_to_conformalize = 32``
  observations on, calibration fraction ``valid_fraction = 0.1``);
* ``"QuantileRegressionNoConformal"``: the same quantile regressors without
  conformal correction
  (:class:`~.conformal_quantile_regression.QuantileRegression`; the
  paper's "QR" ablation).

Syne Tune's other surrogate names (scikit-learn regressors such as random
forests or Gaussian processes, chosen by ``surrogate``) are not implemented.
Further options: ``quantiles`` (default 5 levels ``j / 6``),
``regressor_kwargs`` (options of scikit-learn's
``HistGradientBoostingRegressor``, default
:data:`~.conformal_quantile_regression.DEFAULT_REGRESSOR_KWARGS`).

Cost per suggestion (defaults, 6-d mixed space of 11 encoded columns,
measured single-threaded on a loaded 2-core machine): 175 to 255 ms when the
surrogate is refitted (25, 100 and 200 observations alike: the fit of the 5
boosters dominates), 16 to 18 ms when it is reused (scoring 1000
candidates). ``update_frequency > 1`` trades freshness for the refits.

The state (:meth:`get_state`) holds the observations, the fitted surrogate,
the random state and the count of observations since the last fit, so a
clone or a pickled copy continues with identical suggestions.
"""

from __future__ import annotations

from numbers import Integral
from typing import Any, Sequence

from syne_tune.optimizer.schedulers.searchers.bayesopt.acquisition import AcquisitionFunction
from syne_tune.optimizer.schedulers.searchers.bayesopt.acquisition_optimizer import LocalSearchOptimizer
from syne_tune.optimizer.schedulers.searchers.bayesopt.model_based_searcher import ModelBasedSearcher
from syne_tune.optimizer.schedulers.searchers.bayesopt.observations import ModelData
from syne_tune.optimizer.schedulers.searchers.bayesopt.surrogate import SurrogateModel
from syne_tune.optimizer.schedulers.searchers.bayesopt.threads import single_threaded_blas
from syne_tune.optimizer.schedulers.searchers.conformal.conformal_quantile_regression import (
    ConformalQuantileRegression,
    QuantileRegression,
    ThompsonSampling,
)
from syne_tune.utils.validation import Interval, Options, validate_parameters

__all__ = ["SurrogateSearcher", "SURROGATES"]

#: Values of ``surrogate``.
SURROGATES = ("QuantileRegression", "QuantileRegressionNoConformal")


class SurrogateSearcher(ModelBasedSearcher):
    """Conformalized quantile regression with Thompson sampling (see the
    module docstring).

    Parameters
    ----------
    config_space
        Configuration space.
    metric
        Name of the metric to optimize.
    points_to_evaluate
        Configurations suggested first (``None``: the midpoint configuration).
    mode
        ``"min"`` (default) or ``"max"``.
    random_seed
        Seed of the searcher's random state (drawn at random if ``None``).
    allow_duplicates
        Whether a configuration may be suggested again (``None``: no).
    restrict_configurations
        If given, only these configurations are suggested; the surrogate
        scores the unused ones.
    surrogate
        ``"QuantileRegression"`` (default, conformalized) or
        ``"QuantileRegressionNoConformal"``.
    num_init_random_draws
        Random configurations are suggested until this many observations
        exist (default 5; at least 2 are always needed).
    update_frequency
        Refit the surrogate once this many observations were added since
        the last fit (default 1: on every new observation).
    max_fit_samples
        Fit the surrogate to a random subset of this size when there are
        more observations (default ``None``: all).
    num_candidates
        Random candidates scored per suggestion (default 1000).
    quantiles
        Number of quantile levels ``j / (m + 1)`` (default 5) or the levels.
    valid_fraction
        Calibration fraction of the conformal correction (default 0.1).
    min_samples_to_conformalize
        Observations needed for the conformal correction (default 32).
    regressor_kwargs
        Options of the quantile regressors (``HistGradientBoostingRegressor``).

    Raises
    ------
    InvalidParameterError
        If an argument has the wrong type or value.
    """

    single_fidelity_model = True

    _parameter_constraints = {
        "metric": [str],
        "mode": [Options(str, {"min", "max"})],
        "surrogate": [Options(str, set(SURROGATES))],
        "num_init_random_draws": [Interval(Integral, 0, None, closed="left")],
        "update_frequency": [Interval(Integral, 1, None, closed="left")],
        "max_fit_samples": [Interval(Integral, 2, None, closed="left"), None],
        "num_candidates": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        config_space: dict,
        metric: str,
        points_to_evaluate: list[dict] | None = None,
        mode: str = "min",
        random_seed: int | None = None,
        allow_duplicates: bool | None = None,
        restrict_configurations: list[dict] | None = None,
        surrogate: str = "QuantileRegression",
        num_init_random_draws: int = 5,
        update_frequency: int = 1,
        max_fit_samples: int | None = None,
        num_candidates: int = 1000,
        quantiles: int | Sequence[float] = 5,
        valid_fraction: float = 0.1,
        min_samples_to_conformalize: int = 32,
        regressor_kwargs: dict | None = None,
    ):
        validate_parameters(self, locals())
        model_kwargs = dict(quantiles=quantiles, max_fit_samples=max_fit_samples, regressor_kwargs=regressor_kwargs)
        conformal_kwargs = dict(valid_fraction=valid_fraction, min_samples_to_conformalize=min_samples_to_conformalize)
        # checks every option of the model now rather than at the first fit
        ConformalQuantileRegression(**model_kwargs, **conformal_kwargs)
        if surrogate == "QuantileRegression":
            self._model_class, self._model_kwargs = ConformalQuantileRegression, {**model_kwargs, **conformal_kwargs}
        else:
            self._model_class, self._model_kwargs = QuantileRegression, model_kwargs
        super().__init__(
            config_space,
            metric=metric,
            points_to_evaluate=points_to_evaluate,
            mode=mode,
            random_seed=random_seed,
            allow_duplicates=allow_duplicates,
            restrict_configurations=restrict_configurations,
            num_init_random=0,
            acquisition_optimizer=LocalSearchOptimizer(
                num_init_candidates=num_candidates, sobol=False, skip_local_optimization=True
            ),
        )
        self.surrogate = surrogate
        self.num_init_random_draws = int(num_init_random_draws)
        self.update_frequency = int(update_frequency)
        self.max_fit_samples = max_fit_samples
        self.num_candidates = int(num_candidates)
        # observations added, replaced or removed since the last fit
        self._num_changes = 0

    # -- data ------------------------------------------------------------------------------
    def _counting_changes(self, method, *args, **kwargs) -> None:
        """Call ``method``; count it as a change of the data if it marked the
        models stale (the base class does so when an observation is stored
        or removed)."""
        stale = self._models_stale
        self._models_stale = False
        method(*args, **kwargs)
        if self._models_stale:
            self._num_changes += 1
        self._models_stale = self._models_stale or stale

    def _update(self, trial_id: int, config: dict, result: dict) -> None:
        self._counting_changes(super()._update, trial_id, config, result)

    def remove_case(self, trial_id: int, **kwargs) -> None:
        self._counting_changes(super().remove_case, trial_id, **kwargs)

    def _model_data(self, output: str) -> ModelData:
        return self._store.arrays(self._hp_ranges, output=output, with_pending=False, keep=self._keep)

    def _num_fit_rows(self) -> int:
        """Number of rows the surrogate is fitted to (before subsampling)."""
        return self._num_metric_observations()

    # -- model -----------------------------------------------------------------------------
    def _make_model(self, output: str) -> SurrogateModel:
        return self._model_class(**self._model_kwargs)

    def _fit_models(self) -> dict[str, SurrogateModel]:
        model = self._models.get(self._metric)
        if model is not None and self._num_changes < self.update_frequency:
            return self._models
        model = self._make_model(self._metric)
        model.fit(self._model_data(self._metric), self.random_state)
        self._models = {self._metric: model}
        self._num_changes = 0
        self._models_stale = False
        return self._models

    def _acquisition(self, models: dict[str, SurrogateModel]) -> AcquisitionFunction:
        return ThompsonSampling(models[self._metric], self.random_state)

    def _top_configs(self, k: int) -> list[dict]:
        # candidates are random configurations only (no observed ones added)
        return []

    # -- suggestions -----------------------------------------------------------------------
    def _get_config(self, **kwargs) -> dict | None:
        self._sync_ranges()
        config = self._next_new_initial_config()
        if config is not None:
            return config
        if self._num_fit_rows() < max(self.num_init_random_draws, 2):
            return self._get_random_config()
        if self._exhausted():
            return None
        with single_threaded_blas():
            return self._config_from_model()

    # -- state -----------------------------------------------------------------------------
    def get_state(self) -> dict[str, Any]:
        state = super().get_state()
        state["num_changes"] = self._num_changes
        return state

    def _restore_from_state(self, state: dict[str, Any]) -> None:
        super()._restore_from_state(state)
        self._num_changes = state["num_changes"]
