"""Multi-objective Bayesian optimization with random scalarizations.

After Paria, Kandasamy and Póczos (2019), "A Flexible Framework for
Multi-Objective Bayesian Optimization using Random Scalarizations" (UAI):
each objective has its own surrogate model, and every suggestion optimizes
a scalarization of the objectives under a weight vector drawn afresh, so
that successive suggestions aim at different parts of the Pareto front.

:class:`MultiObjectiveMultiSurrogateSearcher` (the name of Syne Tune's
searcher; also importable from
:mod:`~syne_tune.optimizer.schedulers.multiobjective.multi_surrogate_multi_objective_searcher`)
is a :class:`~syne_tune.optimizer.schedulers.searchers.bayesopt.model_based_searcher.ModelBasedSearcher`
with one output per metric ``k = 1..K``: the value signed so that smaller is
better (``-y_k`` for ``mode="max"``). Each output gets its own Gaussian
process (:class:`~syne_tune.optimizer.schedulers.searchers.bayesopt.surrogate.GPModel`
with the GP options of
:class:`~syne_tune.optimizer.schedulers.searchers.bayesopt.gp_searcher.GPSearcher`),
or a copy of the model given for it in ``estimators``. Initial and random
configurations come first, as in every model-based searcher (points to
evaluate, then ``num_init_random`` random ones, and random ones while fewer
than two observations hold all metrics). Then, per suggestion:

1. **Weights.** ``lambda ~ Dirichlet(1, ..., 1)``: uniform on the simplex
   ``{lambda >= 0, sum lambda = 1}``, drawn from the searcher's random state
   (Paria et al. leave the distribution ``p(lambda)`` to the user; this is
   the flat one). Syne Tune instead draws ``K`` independent ``U(0, 1)``
   weights, not normalized.
2. **Standardized optimistic predictions.** For output ``k`` with posterior
   mean ``mu_k(x)`` and standard deviation ``sigma_k(x)`` (in the model's
   target scale; for ``boxcox_transform`` the transformed one), the lower
   confidence bound ``l_k(x) = mu_k(x) - kappa sigma_k(x)`` (default
   ``kappa = 0.5``, as Syne Tune's) is standardized by the mean ``m_k`` and
   standard deviation ``d_k`` of the observed values of output ``k``:
   ``u_k(x) = (l_k(x) - m_k) / d_k`` (``d_k = 1`` for constant
   observations). The ideal point is ``z_k = min_i (y_ik - m_k) / d_k`` over
   the observations ``i`` holding all outputs.
3. **Scalarization** (``scalarization``):

   * ``"chebyshev"`` (default; Paria's Chebyshev scalarization written for
     minimization, augmented as in ParEGO, Knowles 2006):
     ``g(x) = max_k lambda_k (u_k(x) - z_k) + rho sum_k lambda_k (u_k(x) - z_k)``
     with ``rho = 0.05``. Every Pareto-optimal point minimizes ``g`` for
     some ``lambda``, also on non-convex parts of the front; the small
     linear term breaks ties in favour of non-dominated points.
   * ``"linear"``: ``g(x) = sum_k lambda_k u_k(x)``; reaches only the convex
     hull of the front.

   The acquisition score is ``-g(x)`` (higher is better). It is maximized
   by the project's
   :class:`~syne_tune.optimizer.schedulers.searchers.bayesopt.acquisition_optimizer.LocalSearchOptimizer`
   (Sobol candidates, local search, polishing of continuous coordinates),
   started also from the 5 observed configurations with the smallest
   ``g`` computed from their observed values; with
   ``restrict_configurations``, the best unused entry of the list is
   returned (inherited from ``ModelBasedSearcher``).

Pending evaluations are handled as by the other GP searchers: unless
``no_fantasizing``, each model holds fantasy samples of the pending
outcomes, and ``g`` is averaged over the samples (the scalarization is
applied per sample, then averaged). Syne Tune's
``MORandomScalarizationBayesOpt`` turns fantasizing off; the baseline of this
library does the same by default.

Differences to Syne Tune 0.13 besides those above: Syne Tune scores each
objective by LCB, replaces the scores by their ranks among the candidates
(divided by the largest rank), and sums ranks times weights over a fixed set
of random candidates without local optimization; here the (standardized)
bounds themselves are scalarized, so the score of a configuration does not
depend on the other candidates, which the local search needs. ``estimators``
take this library's
:class:`~syne_tune.optimizer.schedulers.searchers.bayesopt.surrogate.SurrogateModel`
objects (the GP stack replaces Syne Tune's scikit-learn style estimators).
``mode`` defaults to ``"min"`` for all metrics (Syne Tune: ``None``, with the
same meaning; ``None`` is rejected here, as by every searcher of the
library). The weights are drawn from the searcher's own random state, so
they are part of its saved state and a restored searcher draws the same
weights (Syne Tune's sampler has a separate generator that is not saved).
"""

from __future__ import annotations

import copy
from numbers import Integral, Real
from typing import Any

import numpy as np

from syne_tune.optimizer.schedulers.searchers.bayesopt.acquisition import AcquisitionFunction
from syne_tune.optimizer.schedulers.searchers.bayesopt.gp import normalization
from syne_tune.optimizer.schedulers.fifo import _constructor_parameters
from syne_tune.optimizer.schedulers.searchers.bayesopt.gp_searcher import GPSearcher
from syne_tune.optimizer.schedulers.searchers.bayesopt.surrogate import SurrogateModel
from syne_tune.utils.validation import Interval, InvalidParameterError, Options, check_keys, validate_parameters

__all__ = [
    "MultiObjectiveMultiSurrogateSearcher",
    "RandomScalarizationLCB",
    "sample_simplex_weights",
    "SCALARIZATIONS",
    "CHEBYSHEV_AUGMENTATION",
]

#: Scalarizations ``g`` of the standardized bounds (see the module docstring).
SCALARIZATIONS = ("chebyshev", "linear")
#: Weight ``rho`` of the linear term of the augmented Chebyshev scalarization.
CHEBYSHEV_AUGMENTATION = 0.05


def sample_simplex_weights(random_state: np.random.RandomState, num_objectives: int) -> np.ndarray:
    """A weight vector uniform on the probability simplex (``Dirichlet(1, ..., 1)``).

    Parameters
    ----------
    random_state
        Source of randomness.
    num_objectives
        Length ``K`` of the vector.

    Returns
    -------
    np.ndarray
        Shape ``(K,)``, entries ``>= 0`` summing to 1.
    """
    return random_state.dirichlet(np.ones(int(num_objectives)))


def _scalarize(U: np.ndarray, weights: np.ndarray, ideal: np.ndarray, scalarization: str) -> np.ndarray:
    """``g`` of the standardized values ``U`` (objectives on axis 0).

    ``U`` has shape ``(K, ...)``; ``weights`` and ``ideal`` shape ``(K,)``.
    Returns the shape of ``U[0]``.
    """
    shape = (-1,) + (1,) * (U.ndim - 1)
    w = weights.reshape(shape)
    if scalarization == "linear":
        return np.sum(w * U, axis=0)
    gaps = w * (U - ideal.reshape(shape))
    return np.max(gaps, axis=0) + CHEBYSHEV_AUGMENTATION * np.sum(gaps, axis=0)


class RandomScalarizationLCB(AcquisitionFunction):
    """``-g(x)``: the scalarized, standardized lower confidence bounds of
    several models for one weight vector (steps 2 and 3 of the module
    docstring).

    Parameters
    ----------
    models
        Fitted models, one per objective (anything with
        ``predict(X) -> (mean, std)``; ``mean`` may hold fantasy samples,
        shape ``(m, S)``).
    weights
        Weight of each objective, shape ``(K,)``.
    means, stds
        Standardization constants ``m_k``, ``d_k`` of the objectives.
    ideal
        Ideal point ``z_k`` (standardized); used by ``"chebyshev"``.
    kappa
        Exploration weight of the bounds (``>= 0``).
    scalarization
        ``"chebyshev"`` or ``"linear"``.
    """

    def __init__(
        self,
        models: list,
        weights: np.ndarray,
        means: np.ndarray,
        stds: np.ndarray,
        ideal: np.ndarray,
        kappa: float = 0.5,
        scalarization: str = "chebyshev",
    ):
        if scalarization not in SCALARIZATIONS:
            raise ValueError(f"scalarization must be one of {SCALARIZATIONS}, got {scalarization!r}")
        self.models = list(models)
        self.weights = np.asarray(weights, dtype=float)
        self.means = np.asarray(means, dtype=float)
        self.stds = np.asarray(stds, dtype=float)
        self.ideal = np.asarray(ideal, dtype=float)
        self.kappa = float(kappa)
        self.scalarization = scalarization

    def standardized_bounds(self, X: np.ndarray) -> np.ndarray:
        """``u_k(x)`` for the rows of ``X``: shape ``(K, m, S)`` (``S = 1``
        without fantasy samples; models with different sample counts are
        averaged over their samples first)."""
        bounds = []
        for k, model in enumerate(self.models):
            mean, std = model.predict(X)
            mean = np.asarray(mean, dtype=float)
            std = np.asarray(std, dtype=float).reshape(-1, 1)
            mean = mean.reshape(mean.shape[0], -1)
            bounds.append((mean - self.kappa * std - self.means[k]) / self.stds[k])
        counts = {b.shape[1] for b in bounds} - {1}
        if len(counts) > 1:
            bounds = [b.mean(axis=1, keepdims=True) for b in bounds]
        return np.stack(np.broadcast_arrays(*bounds))

    def _evaluate(self, X: np.ndarray) -> np.ndarray:
        g = _scalarize(self.standardized_bounds(X), self.weights, self.ideal, self.scalarization)
        return -g.mean(axis=1)


#: GP-searcher options the multi-objective searcher does not take (the
#: acquisition is its own) or sets itself.
_NOT_FORWARDED = frozenset(
    {
        "config_space",
        "metric",
        "mode",
        "points_to_evaluate",
        "random_seed",
        "allow_duplicates",
        "restrict_configurations",
        "acq_function",
        "acq_function_kwargs",
    }
)


class MultiObjectiveMultiSurrogateSearcher(GPSearcher):
    """Random-scalarization Bayesian optimization with one surrogate model per
    metric (see the module docstring).

    Parameters
    ----------
    config_space
        Configuration space.
    metric
        Names of the metrics (a list; a single name is one objective).
    estimators
        Optional ``{metric: SurrogateModel}``: a (copy of the) given model is
        used for that metric instead of the default GP; the others get the
        default GP.
    mode
        ``"min"`` or ``"max"`` for all metrics, or one per metric.
    points_to_evaluate
        Configurations to suggest first (``None``: one midpoint
        configuration).
    num_initial_candidates
        Candidates the acquisition optimizer scores first (Syne Tune's name
        of ``num_init_candidates``; default 250).
    num_initial_random_choices
        Random configurations before the models are used (Syne Tune's name
        of ``num_init_random``; default 3).
    allow_duplicates, restrict_configurations
        See :class:`~syne_tune.optimizer.schedulers.searchers.StochasticAndFilterDuplicatesSearcher`.
    random_seed
        Seed of the searcher's random state (weights, random configurations,
        model fits).
    scalarization
        ``"chebyshev"`` (default) or ``"linear"``.
    kappa
        Exploration weight of the lower confidence bounds (default 0.5).
    kwargs
        Options of :class:`~syne_tune.optimizer.schedulers.searchers.bayesopt.gp_searcher.GPSearcher`
        for the GPs and the acquisition optimizer (``num_local_starts``,
        ``skip_local_optimization``, ``opt_maxiter``, ``no_fantasizing``,
        ``num_fantasy_samples``, ...; ``num_init_candidates`` and
        ``num_init_random`` too, instead of the Syne Tune names).

    Raises
    ------
    InvalidParameterError
        If an argument is invalid, e.g. an unknown option in ``kwargs``, an
        estimator for a metric that is not optimized or one that is not a
        ``SurrogateModel``, or both names of the same option.

    Attributes
    ----------
    last_weights
        The weight vector of the latest model-based suggestion (``None``
        before the first).
    """

    single_fidelity_model = True

    _parameter_constraints = {
        "metric": [list, str],
        "mode": [Options(str, {"min", "max"}), list],
        "estimators": [dict, None],
        "num_initial_candidates": [Interval(Integral, 1, None, closed="left"), None],
        "num_initial_random_choices": [Interval(Integral, 0, None, closed="left"), None],
        "scalarization": [Options(str, set(SCALARIZATIONS))],
        "kappa": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(
        self,
        config_space: dict,
        metric: list[str] | str,
        estimators: dict[str, SurrogateModel] | None = None,
        mode: str | list[str] = "min",
        points_to_evaluate: list[dict] | None = None,
        num_initial_candidates: int | None = None,
        num_initial_random_choices: int | None = None,
        allow_duplicates: bool | None = False,
        restrict_configurations: list[dict] | None = None,
        random_seed: int | None = None,
        scalarization: str = "chebyshev",
        kappa: float = 0.5,
        **kwargs: Any,
    ):
        validate_parameters(self, locals())
        check_keys(self, "**kwargs", kwargs, _constructor_parameters(GPSearcher, GPSearcher) - _NOT_FORWARDED)
        metrics = [metric] if isinstance(metric, str) else list(metric)
        self.estimators = self._check_estimators(estimators, metrics)
        self.scalarization = scalarization
        self.kappa = float(kappa)
        self.last_weights: np.ndarray | None = None
        self._top_scores: np.ndarray | None = None  # of the latest acquisition
        kwargs["num_init_candidates"] = self._alias(
            "num_initial_candidates", num_initial_candidates, "num_init_candidates", kwargs, 250
        )
        kwargs["num_init_random"] = self._alias(
            "num_initial_random_choices", num_initial_random_choices, "num_init_random", kwargs, 3
        )
        super().__init__(
            config_space,
            metric=metric,
            points_to_evaluate=points_to_evaluate,
            mode=mode,
            random_seed=random_seed,
            allow_duplicates=allow_duplicates,
            restrict_configurations=restrict_configurations,
            **kwargs,
        )

    def _alias(self, name: str, value, other: str, kwargs: dict, default: int) -> int:
        """The value of an option with a Syne Tune name and a GPSearcher name."""
        if value is not None and other in kwargs and kwargs[other] != value:
            raise InvalidParameterError(
                f"The {name!r} parameter of {type(self).__name__} and its alias {other!r} were both given, "
                f"with different values. Got {name}={value!r} and {other}={kwargs[other]!r}; give one of them."
            )
        if value is not None:
            return value
        return kwargs.get(other, default)

    def _check_estimators(self, estimators, metrics: list[str]) -> dict[str, SurrogateModel]:
        estimators = dict(estimators or {})
        for name, model in estimators.items():
            if name not in metrics:
                raise InvalidParameterError(
                    f"The 'estimators' parameter of {type(self).__name__} must map metric names {metrics} to "
                    f"models. Got the key {name!r} instead."
                )
            if not isinstance(model, SurrogateModel):
                raise InvalidParameterError(
                    f"The 'estimators' parameter of {type(self).__name__} must hold SurrogateModel objects "
                    f"(syne_tune.optimizer.schedulers.searchers.bayesopt.surrogate; e.g. GPModel). "
                    f"Got a {type(model).__name__} for {name!r} instead."
                )
        return estimators

    # -- metrics and outputs -------------------------------------------------------------
    @property
    def _metrics(self) -> list[str]:
        return [self._metric] if isinstance(self._metric, str) else list(self._metric)

    @property
    def _modes(self) -> list[str]:
        return [self._mode] * len(self._metrics) if isinstance(self._mode, str) else list(self._mode)

    def _output_names(self) -> list[str]:
        return self._metrics

    def _outputs_from_result(self, trial_id, result: dict) -> dict[str, float]:
        outputs = {}
        for name, mode in zip(self._metrics, self._modes):
            if name not in result:
                raise ValueError(
                    f"{type(self).__name__}: the result of trial {trial_id} lacks the metric {name!r}; "
                    f"it reported {sorted(result)}"
                )
            value = float(result[name])
            outputs[name] = -value if mode == "max" else value
        return outputs

    def _complete_observations(self) -> list:
        """Kept observations that hold every output."""
        metrics = self._metrics
        return [o for o in self._observations_kept(metrics[0]) if all(m in o.outputs for m in metrics)]

    def _num_metric_observations(self) -> int:
        return len(self._complete_observations())

    def _make_model(self, output: str) -> SurrogateModel:
        if output in self.estimators:
            return copy.deepcopy(self.estimators[output])
        return super()._make_model(output)

    def model_parameters(self) -> dict:
        return {output: model.parameters() for output, model in self._models.items()}

    # -- acquisition ---------------------------------------------------------------------
    def _sample_weights(self) -> np.ndarray:
        """A fresh weight vector (step 1 of the module docstring)."""
        return sample_simplex_weights(self.random_state, len(self._metrics))

    def _observed_matrix(self, models: dict[str, SurrogateModel]) -> np.ndarray:
        """Observed outputs of the complete observations, shape ``(n, K)``,
        in each model's target scale."""
        observations = self._complete_observations()
        Y = np.array([[o.outputs[m] for m in self._metrics] for o in observations], dtype=float).reshape(
            len(observations), len(self._metrics)
        )
        for k, name in enumerate(self._metrics):
            transform = getattr(models.get(name), "transform_targets", None)
            if transform is not None and len(Y):
                Y[:, k] = transform(Y[:, k])
        return Y

    def _acquisition(self, models: dict[str, SurrogateModel]) -> AcquisitionFunction:
        missing = [m for m in self._metrics if m not in models]
        if missing:  # pragma: no cover - _get_config waits for complete observations
            raise RuntimeError(f"{type(self).__name__}: no model for {missing}")
        weights = self._sample_weights()
        self.last_weights = weights
        Y = self._observed_matrix(models)
        constants = [normalization(Y[:, k]) for k in range(Y.shape[1])]
        means = np.array([c[0] for c in constants])
        stds = np.array([c[1] for c in constants])
        standardized = (Y - means) / stds
        ideal = standardized.min(axis=0)
        self._top_scores = _scalarize(standardized.T, weights, ideal, self.scalarization)
        return RandomScalarizationLCB(
            [models[m] for m in self._metrics],
            weights,
            means,
            stds,
            ideal,
            kappa=self.kappa,
            scalarization=self.scalarization,
        )

    def _top_configs(self, k: int) -> list[dict]:
        """The ``k`` observed configurations with the smallest scalarized
        observed values under the current weights."""
        observations = self._complete_observations()
        scores = self._top_scores
        if scores is None or len(scores) != len(observations):
            return []
        order = np.argsort(scores, kind="stable")[:k]
        return [dict(observations[i].config) for i in order]
