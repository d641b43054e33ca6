"""Gaussian-process searchers for multi-fidelity schedulers: MOBSTER
(``HyperbandScheduler(searcher="bayesopt")``) and its cost-aware variant
(``searcher="bayesopt_cost"``).

MOBSTER (Klein et al. 2020, "Model-based asynchronous hyperparameter and
neural architecture search") is asynchronous successive halving (or
Hyperband) whose new configurations come from Bayesian optimization with a
surrogate model of the learning curves ``f(x, r)`` (configuration ``x``,
resource ``r``). :class:`GPMultiFidelitySearcher` is a
:class:`~.gp_searcher.GPSearcher` (same ``search_options``) that

* learns from every result the scheduler passes with ``update=True``
  (``searcher_data="rungs"``: the results at rung levels; ``"all"``: every
  epoch), one observation per ``(trial_id, r)`` with
  ``r = int(result[resource_attr])`` (a later result of the same trial at
  the same ``r`` replaces the earlier one);
* enters pending evaluations ``(trial_id, milestone)`` that the scheduler
  registers (``register_pending(trial_id, config, milestone=r)``) as
  fantasy outcomes of the model; a pending entry is removed when its result
  arrives, when the trial fails or completes (``cleanup_pending``) or when
  the scheduler removes the case;
* fits one model of the metric, chosen by ``model``:

  - ``"gp_multitask"`` (default): one GP over ``(x, r / max_t)``, Matern 5/2
    ARD kernel on the joint input (:class:`~.surrogate.GPModel`);
  - ``"gp_expdecay"``: one GP over ``(x, r)`` with the exponential-decay
    learning-curve kernel (:class:`~.kernels.ExponentialDecayResourceKernel`,
    the additive "exp-decay-sum" form);
  - ``"gp_independent"``: one GP per resource level
    (:class:`~.surrogate.IndependentGPModel`);
  - ``"gp_issm"`` (Syne Tune's ISSM learning-curve model) is not
    implemented: asking for it raises an error naming the alternatives.

  ``gp_resource_kernel`` (Syne Tune's option) may override the kernel of
  ``gp_multitask``: ``"matern52"`` (the default here) or ``"exp-decay-sum"``
  (the exponential-decay kernel); Syne Tune's default for this option is
  ``"exp-decay-sum"``;
* suggests the configuration maximizing expected improvement (log EI) at
  one resource level ``r_acq``, the *resource for acquisition*
  (``resource_acq``):

  - ``"bohb"`` (default, the rule of the BOHB paper used by Syne Tune):
    ``r_acq`` is the largest resource level holding at least
    ``resource_acq_bohb_threshold`` observations (default 3); if no level
    has that many, the smallest level with observations;
  - ``"first"``: the first rung level (the first milestone of a new trial);
  - ``"final"``: ``max_t``.

  The incumbent of EI is the best (smallest signed) metric value observed
  at ``r_acq``; if there is none there (``"first"`` / ``"final"`` early on),
  the best observed at any level. With pending evaluations, EI is averaged
  over the fantasy samples.

The GP hyperparameters follow the refit policy of
:class:`~.surrogate.GPModel` (a full optimization once the data grew by
``refit_fraction``, only a Cholesky update in between; ``opt_skip_*``), and
above ``max_size_data_for_model`` observations the model is fitted to a
subsample that keeps the trials which reached the highest resource levels
with all their observations and drops observations of trials stopped early,
lowest levels first (:func:`~.surrogate.subsample_multi_fidelity`, Syne
Tune's rule; ``max_size_top_fraction`` applies to single-fidelity data
only). As in Syne Tune's multi-fidelity defaults, ``num_init_random`` is 6.

:class:`CostAwareGPMultiFidelitySearcher` (``searcher="bayesopt_cost"``)
adds a second model (of the same kind) of ``log(cost)``, where the cost is
``result[cost_attr]`` (the scheduler passes ``cost_attr``: for
pause-and-resume types such as ``type="cost_promotion"`` it is
``"total_" + cost_attr``, the cost summed over a trial's resumptions), and
scores candidates by EI per unit cost at ``r_acq``::

    log EIpu(x) = log EI(x, r_acq) - cost_exponent * mu_logcost(x, r_acq)

(Syne Tune models the cost with a separate cost model; here it is a GP of
the log cost, as for :class:`~.gp_searcher.CostAwareGPFIFOSearcher`).

These searchers need the scheduler's resource attribute (``resource_attr``,
passed by the scheduler) and take the maximum resource ``max_t`` from the
scheduler (:meth:`configure_scheduler`), or from ``max_epochs`` if given.
"""

from __future__ import annotations

import logging
from numbers import Integral
from typing import Any

from syne_tune.optimizer.schedulers.searchers.bayesopt.acquisition import (
    AcquisitionFunction,
    ExpectedImprovement,
    ExpectedImprovementPerUnitCost,
)
from syne_tune.optimizer.schedulers.searchers.bayesopt.gp_searcher import CostAwareMixin, GPSearcher
from syne_tune.optimizer.schedulers.searchers.bayesopt.observations import ModelData
from syne_tune.optimizer.schedulers.searchers.bayesopt.surrogate import (
    AtResource,
    GPModel,
    IndependentGPModel,
    SurrogateModel,
)
from syne_tune.optimizer.schedulers.searchers.multi_fidelity import (
    MultiFidelitySearcherMixin,
    resource_for_acquisition_bohb,
)
from syne_tune.utils.validation import Interval, InvalidParameterError, Options, validate_parameters

__all__ = [
    "GPMultiFidelitySearcher",
    "CostAwareGPMultiFidelitySearcher",
    "MULTI_FIDELITY_MODELS",
    "RESOURCE_FOR_ACQUISITION",
    "resource_for_acquisition_bohb",
]

logger = logging.getLogger(__name__)

#: Values of the ``model`` option.
MULTI_FIDELITY_MODELS = ("gp_multitask", "gp_independent", "gp_expdecay")
#: Syne Tune's models that are not implemented here.
NOT_IMPLEMENTED_MODELS = ("gp_issm",)
#: Values of the ``resource_acq`` option.
RESOURCE_FOR_ACQUISITION = ("bohb", "first", "final")
#: Values of ``gp_resource_kernel`` (Syne Tune's names) and the kernel used.
RESOURCE_KERNELS = {"matern52": "matern52-ard", "exp-decay-sum": "expdecay"}
#: Syne Tune's resource kernels that are not implemented here.
NOT_IMPLEMENTED_RESOURCE_KERNELS = (
    "exp-decay-combined",
    "exp-decay-delta1",
    "freeze-thaw",
    "matern52-res-warp",
    "cross-validation",
)


class GPMultiFidelitySearcher(MultiFidelitySearcherMixin, GPSearcher):
    """MOBSTER's searcher (see the module docstring).

    Parameters
    ----------
    config_space, metric
        See :class:`~.gp_searcher.GPSearcher`.
    resource_attr
        Name of the resource in results (set by the scheduler).
    model
        ``"gp_multitask"`` (default), ``"gp_independent"`` or ``"gp_expdecay"``.
    resource_acq
        ``"bohb"`` (default), ``"first"`` or ``"final"``: the resource level
        at which the acquisition function is evaluated.
    resource_acq_bohb_threshold
        Observations a level needs for the ``"bohb"`` rule (default 3).
    gp_resource_kernel
        Kernel of ``gp_multitask``: ``"matern52"`` (default here) or
        ``"exp-decay-sum"``.
    max_epochs
        Maximum resource (default: the scheduler's ``max_t``).
    max_resource_attr, scheduler
        Scheduler context (``scheduler`` must be a multi-fidelity one,
        ``"hyperband_..."``).
    num_init_random
        Random configurations before the model is used (default 6).
    kwargs
        Further arguments of :class:`~.gp_searcher.GPSearcher`:
        ``points_to_evaluate``, ``mode``, ``random_seed``,
        ``allow_duplicates``, ``restrict_configurations`` and its options
        (``opt_skip_period``, ``max_size_data_for_model``, ...).
    """

    single_fidelity_alternative = "e.g. the baselines MOBSTER, HyperTune, DyHPO, SyncMOBSTER"

    _parameter_constraints = {
        "model": [str],
        "resource_acq": [Options(str, set(RESOURCE_FOR_ACQUISITION))],
        "resource_acq_bohb_threshold": [Interval(Integral, 1, None, closed="left")],
        "gp_resource_kernel": [str, None],
    }
    #: Models this searcher accepts (subclasses restrict it).
    supported_models = MULTI_FIDELITY_MODELS
    #: Default of ``model``.
    default_model = "gp_multitask"

    def __init__(
        self,
        config_space: dict,
        metric: str,
        resource_attr: str | None = None,
        model: str | None = None,
        resource_acq: str = "bohb",
        resource_acq_bohb_threshold: int = 3,
        gp_resource_kernel: str | None = None,
        max_epochs: int | None = None,
        max_resource_attr: str | None = None,
        scheduler: str | None = None,
        num_init_random: int = 6,
        **kwargs: Any,
    ):
        if model is None:
            model = self.default_model
        self._set_multi_fidelity_context(resource_attr, max_epochs, max_resource_attr, scheduler)
        validate_parameters(
            self,
            dict(
                model=model,
                resource_acq=resource_acq,
                resource_acq_bohb_threshold=resource_acq_bohb_threshold,
                gp_resource_kernel=gp_resource_kernel,
            ),
        )
        self._check_model(model)
        self.kernel = self._kernel_for(model, gp_resource_kernel)
        super().__init__(config_space, metric=metric, num_init_random=num_init_random, **kwargs)
        self.model = model
        self.resource_acq = resource_acq
        self.resource_acq_bohb_threshold = int(resource_acq_bohb_threshold)
        self.gp_resource_kernel = gp_resource_kernel
        #: Rung levels of the scheduler (smallest first), if it has any.
        self.rung_levels: list[int] | None = None

    # -- options ---------------------------------------------------------------------
    @classmethod
    def _check_model(cls, model: str) -> None:
        if model in NOT_IMPLEMENTED_MODELS:
            raise InvalidParameterError(
                f"The 'model' parameter of {cls.__name__}: {model!r} (Syne Tune's ISSM learning-curve model) "
                f"is not implemented in this library. Use one of {', '.join(repr(m) for m in cls.supported_models)} "
                "('gp_expdecay' is the closest: a GP with an exponential-decay learning-curve kernel)."
            )
        if model not in cls.supported_models:
            raise InvalidParameterError(
                f"The 'model' parameter of {cls.__name__} must be one of "
                f"{', '.join(repr(m) for m in cls.supported_models)}. Got {model!r} instead."
            )

    @classmethod
    def _kernel_for(cls, model: str, gp_resource_kernel: str | None) -> str:
        if gp_resource_kernel is not None:
            if gp_resource_kernel in NOT_IMPLEMENTED_RESOURCE_KERNELS:
                raise InvalidParameterError(
                    f"The 'gp_resource_kernel' parameter of {cls.__name__}: {gp_resource_kernel!r} is a Syne Tune "
                    "kernel that is not implemented in this library. Use one of "
                    f"{', '.join(map(repr, RESOURCE_KERNELS))}."
                )
            if gp_resource_kernel not in RESOURCE_KERNELS:
                raise InvalidParameterError(
                    f"The 'gp_resource_kernel' parameter of {cls.__name__} must be one of "
                    f"{', '.join(map(repr, RESOURCE_KERNELS))}. Got {gp_resource_kernel!r} instead."
                )
            if model != "gp_multitask":
                raise InvalidParameterError(
                    f"The 'gp_resource_kernel' parameter of {cls.__name__} is used with model='gp_multitask' "
                    f"only. Got gp_resource_kernel={gp_resource_kernel!r} with model={model!r}."
                )
            return RESOURCE_KERNELS[gp_resource_kernel]
        return "expdecay" if model == "gp_expdecay" else "matern52-ard"

    # -- scheduler -------------------------------------------------------------------
    def configure_scheduler(self, scheduler) -> None:
        """As :meth:`MultiFidelitySearcherMixin.configure_scheduler`; also takes
        the rung levels of ``scheduler``."""
        super().configure_scheduler(scheduler)
        levels = getattr(scheduler, "rung_levels", None)
        if levels is None:
            manager = getattr(scheduler, "bracket_manager", None)
            bracket_rungs = getattr(manager, "bracket_rungs", None)
            if bracket_rungs:
                levels = sorted({int(level) for rungs in bracket_rungs for _, level in rungs})
                levels = [r for r in levels if self.max_t is None or r < self.max_t]
        if levels is not None:
            self.rung_levels = [int(r) for r in levels]

    # -- hooks of ModelBasedSearcher ---------------------------------------------------
    def _pending_resource(self, milestone) -> int:
        if milestone is not None:
            return int(milestone)
        return int(self.max_t) if self.max_t is not None else 1

    def _model_data(self, output: str) -> ModelData:
        return self._store.arrays(self._hp_ranges, output=output, with_resources=True, keep=self._keep)

    def _make_model(self, output: str) -> SurrogateModel:
        if self.model == "gp_independent":
            return IndependentGPModel(**self.model_options)
        return GPModel(kernel=self.kernel, resource_scale=float(self.max_t) if self.max_t else None, **self.model_options)

    # -- acquisition -------------------------------------------------------------------
    def resource_for_acquisition(self) -> int:
        """The resource level ``r_acq`` at which candidates are scored (see
        the module docstring)."""
        observations = self._observations_kept()
        if self.resource_acq == "final" and self.max_t is not None:
            return int(self.max_t)
        if self.resource_acq == "first":
            if self.rung_levels:
                return int(self.rung_levels[0])
            if observations:
                return int(min(o.resource for o in observations))
        level = resource_for_acquisition_bohb([o.resource for o in observations], self.resource_acq_bohb_threshold)
        if level is None:
            return int(self.rung_levels[0]) if self.rung_levels else 1
        return level

    def best_value_at(self, resource: int | None, output: str | None = None) -> float:
        """Best (smallest signed) value of ``output`` (default: the metric)
        observed at ``resource``; the best at any level if there is none
        there."""
        output = output or self._metric
        observations = self._observations_kept(output)
        values = [o.outputs[output] for o in observations if o.resource == resource]
        if not values:
            values = [o.outputs[output] for o in observations]
        return float(min(values))

    def _acquisition(self, models: dict[str, SurrogateModel]) -> AcquisitionFunction:
        resource = self.resource_for_acquisition()
        return ExpectedImprovement(AtResource(models[self._metric], resource), self.best_value_at(resource))


class CostAwareGPMultiFidelitySearcher(CostAwareMixin, GPMultiFidelitySearcher):
    """Cost-aware MOBSTER (``searcher="bayesopt_cost"`` with a multi-fidelity
    scheduler); see the module docstring.

    Parameters
    ----------
    config_space, metric
        See :class:`GPMultiFidelitySearcher`.
    cost_attr
        Name of the (positive) cost in results, set by the scheduler
        (``"total_" + cost_attr`` for pause-and-resume types).
    cost_exponent
        Exponent of the cost in ``EI / cost^cost_exponent``.
    kwargs
        Options of :class:`GPMultiFidelitySearcher`.
    """

    def _acquisition(self, models: dict[str, SurrogateModel]) -> AcquisitionFunction:
        resource = self.resource_for_acquisition()
        metric_model = AtResource(models[self._metric], resource)
        best = self.best_value_at(resource)
        cost_model = models.get(self._cost_output)
        if cost_model is None:
            return ExpectedImprovement(metric_model, best)
        return ExpectedImprovementPerUnitCost(
            metric_model, AtResource(cost_model, resource), best, exponent=self.cost_exponent
        )
