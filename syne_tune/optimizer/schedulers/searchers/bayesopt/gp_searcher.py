"""Gaussian-process searchers for FIFO scheduling: ``searcher="bayesopt"``,
``"bayesopt_constrained"`` and ``"bayesopt_cost"``.

All are :class:`~.model_based_searcher.ModelBasedSearcher` configurations:

* :class:`GPSearcher` holds the options every GP searcher shares (Syne
  Tune's ``search_options``) and builds the models from them: a
  :class:`~.surrogate.GPModel` per output, with the refit policy,
  fantasizing of pending evaluations, input warping and Box-Cox options
  described there, and a :class:`~.acquisition_optimizer.LocalSearchOptimizer`
  with ``num_init_candidates`` candidates, refined by local search unless
  ``skip_local_optimization``.
* :class:`GPFIFOSearcher` (``"bayesopt"``): one GP of the metric, observed
  when a trial completes; acquisition ``acq_function="ei"`` (expected
  improvement over the best observed value, scored as log EI) or
  ``"lcb"`` (``acq_function_kwargs={"kappa": ...}``, default 1).
* :class:`ConstrainedGPFIFOSearcher` (``"bayesopt_constrained"``, Gardner et
  al. 2014): a second GP of the constraint ``constraint_attr`` (feasible iff
  ``<= 0``); acquisition ``EI(best feasible) * P(feasible)``, or
  ``P(feasible)`` while nothing feasible has been observed.
* :class:`CostAwareGPFIFOSearcher` (``"bayesopt_cost"``): a second GP of
  ``log(cost)`` (``cost_attr``, default ``"elapsed_time"``); acquisition
  ``EI / cost^cost_exponent`` (EI per unit cost, Snoek et al. 2012).

Multi-fidelity schedulers refuse these searchers (they take each result as
a final observation); ``HyperbandScheduler(searcher="bayesopt")`` uses the
multi-fidelity searcher of
:mod:`~syne_tune.optimizer.schedulers.searchers.bayesopt.gp_multifidelity_searcher`
instead.
"""

from __future__ import annotations

import inspect
import logging
import math
from numbers import Integral, Real
from typing import Any


from syne_tune.optimizer.schedulers.searchers.bayesopt.acquisition import (
    AcquisitionFunction,
    ConstrainedExpectedImprovement,
    ExpectedImprovement,
    ExpectedImprovementPerUnitCost,
    LowerConfidenceBound,
)
from syne_tune.optimizer.schedulers.searchers.bayesopt.acquisition_optimizer import LocalSearchOptimizer
from syne_tune.optimizer.schedulers.searchers.bayesopt.model_based_searcher import ModelBasedSearcher
from syne_tune.optimizer.schedulers.searchers.bayesopt.surrogate import DEFAULT_MAX_SIZE_DATA_FOR_MODEL, GPModel, SurrogateModel
from syne_tune.utils.validation import Interval, Options, validate_parameters

__all__ = ["GPSearcher", "GPFIFOSearcher", "ConstrainedGPFIFOSearcher", "CostAwareMixin", "CostAwareGPFIFOSearcher"]

logger = logging.getLogger(__name__)

_POSITIVE = [Interval(Integral, 1, None, closed="left")]
_NON_NEGATIVE = [Interval(Integral, 0, None, closed="left")]

#: Syne Tune options accepted for compatibility, without effect here.
COMPATIBILITY_OPTIONS = ("opt_warmstart", "opt_verbose", "opt_debug_writer", "initial_scoring", "debug_log")


class GPSearcher(ModelBasedSearcher):
    """Options and models shared by the Gaussian-process searchers.

    Parameters
    ----------
    config_space, metric, points_to_evaluate, mode, random_seed, allow_duplicates, restrict_configurations
        See :class:`~syne_tune.optimizer.schedulers.searchers.StochasticAndFilterDuplicatesSearcher`.
    num_init_random
        Random configurations (after ``points_to_evaluate``) before the model
        is used.
    num_init_candidates
        Candidates the acquisition optimizer scores first.
    num_local_starts, num_local_steps, num_local_neighbours
        Local search of the acquisition optimizer.
    skip_local_optimization
        Only score the candidates (no local search).
    opt_nstarts, opt_maxiter, opt_maxiter_warm, refit_fraction, opt_skip_init_length, opt_skip_period
        Refit policy of the GP hyperparameters (see :class:`~.surrogate.GPModel`).
    max_size_data_for_model, max_size_top_fraction
        Subsampling of large data sets (the top fraction applies to
        single-fidelity data; multi-fidelity data keep the trials that
        reached the highest levels, see :func:`~.surrogate.subsample_multi_fidelity`).
    normalize_targets, boxcox_transform
        Target transforms.
    gp_base_kernel
        ``"matern52-ard"``.
    acq_function, acq_function_kwargs
        ``"ei"`` or ``"lcb"`` (``{"kappa": 1.0}``); for the FIFO searcher.
    input_warping
        Kumaraswamy input warping of the configuration columns.
    num_fantasy_samples, no_fantasizing
        Fantasizing of pending evaluations.
    opt_warmstart, opt_verbose, opt_debug_writer, initial_scoring, debug_log
        Syne Tune options accepted without effect (candidates are always
        scored by the acquisition function).
    """

    _parameter_constraints = {
        "metric": [str],
        "mode": [Options(str, {"min", "max"})],
        "allow_duplicates": ["boolean", None],
        "num_init_random": _NON_NEGATIVE,
        "num_init_candidates": _POSITIVE,
        "num_local_starts": _POSITIVE,
        "num_local_steps": _POSITIVE,
        "num_local_neighbours": _POSITIVE,
        "skip_local_optimization": ["boolean"],
        "opt_maxiter": _POSITIVE,
        "opt_nstarts": _POSITIVE,
        "opt_maxiter_warm": _POSITIVE,
        "refit_fraction": [Interval(Real, 0, 1, closed="left")],
        "opt_skip_init_length": _NON_NEGATIVE,
        "opt_skip_period": _POSITIVE,
        "max_size_data_for_model": [Interval(Integral, 2, None, closed="left")],
        "max_size_top_fraction": [Interval(Real, 0, 1, closed="both")],
        "normalize_targets": ["boolean"],
        "boxcox_transform": ["boolean"],
        "gp_base_kernel": [Options(str, {"matern52-ard"})],
        "acq_function": [Options(str, {"ei", "lcb"})],
        "acq_function_kwargs": [dict, None],
        "input_warping": ["boolean"],
        "num_fantasy_samples": _POSITIVE,
        "no_fantasizing": ["boolean"],
        "opt_warmstart": ["boolean"],
        "opt_verbose": ["boolean"],
        "opt_debug_writer": ["boolean"],
        "initial_scoring": [Options(str, {"thompson_indep", "acq_func"})],
        "debug_log": ["boolean"],
    }

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
        num_init_candidates: int = 250,
        num_local_starts: int = 5,
        num_local_steps: int = 10,
        num_local_neighbours: int = 20,
        skip_local_optimization: bool = False,
        opt_maxiter: int = 50,
        opt_nstarts: int = 2,
        opt_maxiter_warm: int = 20,
        refit_fraction: float = 0.1,
        opt_skip_init_length: int = 150,
        opt_skip_period: int = 1,
        max_size_data_for_model: int = DEFAULT_MAX_SIZE_DATA_FOR_MODEL,
        max_size_top_fraction: float = 0.25,
        normalize_targets: bool = True,
        boxcox_transform: bool = False,
        gp_base_kernel: str = "matern52-ard",
        acq_function: str = "ei",
        acq_function_kwargs: dict | None = None,
        input_warping: bool = False,
        num_fantasy_samples: int = 20,
        no_fantasizing: bool = False,
        opt_warmstart: bool = False,
        opt_verbose: bool = False,
        opt_debug_writer: bool = False,
        initial_scoring: str = "thompson_indep",
        debug_log: bool = False,
    ):
        validate_parameters(self, locals())
        self._warn_about_compatibility_options(locals())
        super().__init__(
            config_space,
            metric=metric,
            points_to_evaluate=points_to_evaluate,
            mode=mode,
            random_seed=random_seed,
            allow_duplicates=allow_duplicates,
            restrict_configurations=restrict_configurations,
            num_init_random=num_init_random,
            acquisition_optimizer=LocalSearchOptimizer(
                num_init_candidates=num_init_candidates,
                num_local_starts=num_local_starts,
                num_local_steps=num_local_steps,
                num_local_neighbours=num_local_neighbours,
                skip_local_optimization=skip_local_optimization,
            ),
        )
        self.acq_function = acq_function
        self.acq_function_kwargs = dict(acq_function_kwargs or {})
        unknown = set(self.acq_function_kwargs) - ({"kappa"} if acq_function == "lcb" else set())
        if unknown:
            raise ValueError(
                f"The 'acq_function_kwargs' parameter of {type(self).__name__} has keys {sorted(unknown)} "
                f"that acq_function={acq_function!r} does not take" + (" (it takes 'kappa')" if acq_function == "lcb" else "")
            )
        self.model_options = dict(
            input_warping=input_warping,
            normalize_targets=normalize_targets,
            boxcox_transform=boxcox_transform,
            num_fantasy_samples=num_fantasy_samples,
            fantasize=not no_fantasizing,
            opt_nstarts=opt_nstarts,
            opt_maxiter=opt_maxiter,
            opt_maxiter_warm=opt_maxiter_warm,
            refit_fraction=refit_fraction,
            opt_skip_init_length=opt_skip_init_length,
            opt_skip_period=opt_skip_period,
            max_size_data_for_model=max_size_data_for_model,
            max_size_top_fraction=max_size_top_fraction,
        )

    @classmethod
    def _warn_about_compatibility_options(cls, params: dict) -> None:
        defaults = inspect.signature(GPSearcher.__init__).parameters
        changed = [k for k in COMPATIBILITY_OPTIONS if k in params and params[k] != defaults[k].default]
        if changed:
            logger.warning(
                "%s: the Syne Tune options %s have no effect in this implementation",
                cls.__name__,
                ", ".join(f"{k}={params[k]!r}" for k in changed),
            )

    def _make_model(self, output: str) -> SurrogateModel:
        return GPModel(**self.model_options)

    def _best_value(self, output: str | None = None) -> float:
        output = output or self._metric
        return float(min(o.outputs[output] for o in self._observations_kept(output)))

    def _metric_acquisition(self, model) -> AcquisitionFunction:
        if self.acq_function == "lcb":
            return LowerConfidenceBound(model, **self.acq_function_kwargs)
        return ExpectedImprovement(model, self._best_value())

    def model_parameters(self) -> dict:
        return {output: model.parameters() for output, model in self._models.items()} if len(self._models) > 1 else super().model_parameters()


class GPFIFOSearcher(GPSearcher):
    """Gaussian-process Bayesian optimization (``searcher="bayesopt"``); see
    the module docstring and :class:`GPSearcher` for the options."""

    single_fidelity_model = True

    def _acquisition(self, models: dict[str, SurrogateModel]) -> AcquisitionFunction:
        return self._metric_acquisition(models[self._metric])


class ConstrainedGPFIFOSearcher(GPSearcher):
    """Constrained Bayesian optimization (``searcher="bayesopt_constrained"``).

    Parameters
    ----------
    constraint_attr
        Name of the constraint in results; a configuration is feasible iff
        its value is ``<= 0``.
    kwargs
        Options of :class:`GPSearcher`.
    """

    single_fidelity_model = True
    _parameter_constraints = {"constraint_attr": [str]}

    def __init__(self, config_space: dict, metric: str, constraint_attr: str, **kwargs: Any):
        validate_parameters(self, {"constraint_attr": constraint_attr})
        self.constraint_attr = constraint_attr
        super().__init__(config_space, metric=metric, **kwargs)

    def _output_names(self) -> list[str]:
        if self.constraint_attr == self._metric:
            raise ValueError(
                f"The 'constraint_attr' parameter of {type(self).__name__} must differ from the metric. "
                f"Got {self.constraint_attr!r} for both."
            )
        return [self._metric, self.constraint_attr]

    def _outputs_from_result(self, trial_id, result: dict) -> dict[str, float]:
        outputs = super()._outputs_from_result(trial_id, result)
        if self.constraint_attr not in result:
            raise ValueError(
                f"{type(self).__name__}: the result of trial {trial_id} lacks the constraint "
                f"{self.constraint_attr!r} (constraint_attr); it reported {sorted(result)}"
            )
        outputs[self.constraint_attr] = float(result[self.constraint_attr])
        return outputs

    def _best_feasible(self) -> float | None:
        values = [
            o.outputs[self._metric]
            for o in self._observations_kept()
            if o.outputs.get(self.constraint_attr, math.inf) <= 0
        ]
        return float(min(values)) if values else None

    def _acquisition(self, models: dict[str, SurrogateModel]) -> AcquisitionFunction:
        constraint_model = models.get(self.constraint_attr)
        if constraint_model is None:
            return self._metric_acquisition(models[self._metric])
        return ConstrainedExpectedImprovement(models[self._metric], constraint_model, self._best_feasible())


class CostAwareMixin:
    """The cost output shared by the cost-aware GP searchers: a model of
    ``log(result[cost_attr])`` next to the metric's.

    Parameters
    ----------
    cost_attr
        Name of the (positive) cost in results, e.g. ``"elapsed_time"``.
    cost_exponent
        Exponent of the cost in ``EI / cost^cost_exponent``.
    kwargs
        Options of the GP searcher it is mixed into.
    """

    _parameter_constraints = {"cost_attr": [str], "cost_exponent": [Interval(Real, 0, None, closed="left")]}

    def __init__(self, config_space: dict, metric: str, cost_attr: str = "elapsed_time", cost_exponent: float = 1.0, **kwargs: Any):
        validate_parameters(self, {"cost_attr": cost_attr, "cost_exponent": cost_exponent})
        self.cost_attr = cost_attr
        self.cost_exponent = float(cost_exponent)
        super().__init__(config_space, metric=metric, **kwargs)

    @property
    def _cost_output(self) -> str:
        return "log_" + self.cost_attr

    def _output_names(self) -> list[str]:
        return [self._metric, self._cost_output]

    def _outputs_from_result(self, trial_id, result: dict) -> dict[str, float]:
        outputs = super()._outputs_from_result(trial_id, result)
        cost = result.get(self.cost_attr)
        if cost is None:
            raise ValueError(
                f"{type(self).__name__}: the result of trial {trial_id} lacks the cost {self.cost_attr!r} "
                f"(cost_attr); it reported {sorted(result)}"
            )
        cost = float(cost)
        outputs[self._cost_output] = math.log(max(cost, 1e-12)) if math.isfinite(cost) else math.nan
        return outputs


class CostAwareGPFIFOSearcher(CostAwareMixin, GPSearcher):
    """Cost-aware Bayesian optimization (``searcher="bayesopt_cost"``); the
    arguments ``cost_attr`` (default ``"elapsed_time"``) and
    ``cost_exponent`` are those of :class:`CostAwareMixin`, the others those
    of :class:`GPSearcher`."""

    single_fidelity_model = True

    def _acquisition(self, models: dict[str, SurrogateModel]) -> AcquisitionFunction:
        cost_model = models.get(self._cost_output)
        if cost_model is None:
            return self._metric_acquisition(models[self._metric])
        return ExpectedImprovementPerUnitCost(
            models[self._metric], cost_model, self._best_value(), exponent=self.cost_exponent
        )
