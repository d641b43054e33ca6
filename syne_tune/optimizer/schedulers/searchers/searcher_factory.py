"""Searchers by name: the registry behind ``FIFOScheduler(searcher="random")``.

:func:`searcher_factory` looks a name up in :data:`SEARCHER_REGISTRY` and
calls the registered class (or factory function) with the keyword arguments
given. The arguments are checked against the factory's signature: an unknown
one raises :class:`~syne_tune.utils.validation.InvalidParameterError` naming
the closest valid names. Arguments that schedulers pass to every searcher
(:data:`SCHEDULER_CONTEXT_KEYS`, e.g. ``resource_attr`` from Hyperband) are
dropped when the factory does not take them; a factory with ``**kwargs``
takes everything.

A multi-fidelity scheduler announces itself with ``scheduler="hyperband_..."``;
a searcher class with
:attr:`~syne_tune.optimizer.schedulers.searchers.BaseSearcher.single_fidelity_model`
refuses it.

Entries may be a class, a callable, or a ``"module:attribute"`` string
imported on first use (model-based searchers, so that importing the registry
stays cheap).
"""

from __future__ import annotations

import importlib
import inspect
from typing import Any, Callable

from syne_tune.optimizer.schedulers.searchers.random_grid_searcher import GridSearcher, RandomSearcher
from syne_tune.optimizer.schedulers.searchers.searcher import BaseSearcher, single_fidelity_error
from syne_tune.utils.validation import InvalidParameterError, check_keys, check_parameter, closest_names

__all__ = [
    "SEARCHER_REGISTRY",
    "SCHEDULER_CONTEXT_KEYS",
    "searcher_factory",
    "register_searcher",
    "searcher_argument_names",
]

#: Searcher name -> class, factory, or "module:attribute" imported on first use.
SEARCHER_REGISTRY: dict[str, Any] = {
    "random": RandomSearcher,
    "random_search": RandomSearcher,
    "grid": GridSearcher,
    "bayesopt": "syne_tune.optimizer.schedulers.searchers.bayesopt.gp_searcher:GPFIFOSearcher",
    "bayesopt_constrained": "syne_tune.optimizer.schedulers.searchers.bayesopt.gp_searcher:ConstrainedGPFIFOSearcher",
    "bayesopt_cost": "syne_tune.optimizer.schedulers.searchers.bayesopt.gp_searcher:CostAwareGPFIFOSearcher",
    "kde": "syne_tune.optimizer.schedulers.searchers.kde.kde_searcher:KernelDensityEstimator",
    "regularized_evolution": "syne_tune.optimizer.schedulers.searchers.regularized_evolution:RegularizedEvolution",
    "bore": "syne_tune.optimizer.schedulers.searchers.bore.bore:Bore",
    "cqr": "syne_tune.optimizer.schedulers.searchers.conformal.surrogate_searcher:SurrogateSearcher",
    # random vectors of the encoded unit cube, decoded (DEHB's initial configurations)
    "random_encoded": "syne_tune.optimizer.schedulers.synchronous.dehb:EncodedRandomSearcher",
    # transfer learning (needs transfer_learning_evaluations)
    "zero_shot": "syne_tune.optimizer.schedulers.transfer_learning.zero_shot:ZeroShotTransfer",
    # multi-objective (metric is a list)
    "nsga2": "syne_tune.optimizer.schedulers.multiobjective.nsga2_searcher:NSGA2Searcher",
    "moregularized_evolution": (
        "syne_tune.optimizer.schedulers.multiobjective.multi_objective_regularized_evolution:"
        "MultiObjectiveRegularizedEvolution"
    ),
}

#: Searchers used instead of a registered name when a multi-fidelity
#: scheduler (``scheduler="hyperband_..."``) asks for it; a name found only
#: here needs a multi-fidelity scheduler.
MULTI_FIDELITY_REGISTRY: dict[str, Any] = {
    "bayesopt": "syne_tune.optimizer.schedulers.searchers.bayesopt.gp_multifidelity_searcher:GPMultiFidelitySearcher",
    "bayesopt_cost": (
        "syne_tune.optimizer.schedulers.searchers.bayesopt.gp_multifidelity_searcher:CostAwareGPMultiFidelitySearcher"
    ),
    "hypertune": "syne_tune.optimizer.schedulers.searchers.bayesopt.hypertune:HyperTuneSearcher",
    "dyhpo": "syne_tune.optimizer.schedulers.searchers.bayesopt.dyhpo:DynamicHPOSearcher",
    "kde": "syne_tune.optimizer.schedulers.searchers.kde.multi_fidelity_kde_searcher:MultiFidelityKernelDensityEstimator",
    "bore": "syne_tune.optimizer.schedulers.searchers.bore.multi_fidelity_bore:MultiFidelityBore",
    "cqr": (
        "syne_tune.optimizer.schedulers.searchers.conformal.multi_fidelity_surrogate_searcher:"
        "MultiFidelitySurrogateSearcher"
    ),
}

#: Names Syne Tune 0.13 knows that this library does not implement.
SYNE_TUNE_ONLY_SEARCHERS = ("botorch",)

#: Arguments schedulers pass to every searcher; dropped if a searcher does not take them.
SCHEDULER_CONTEXT_KEYS = frozenset({"scheduler", "resource_attr", "cost_attr", "max_epochs", "max_resource_attr"})


def register_searcher(name: str, factory: type | Callable | str, overwrite: bool = False) -> None:
    """Make a searcher available by name to :func:`searcher_factory` (and so
    to ``FIFOScheduler(searcher=name)``).

    Parameters
    ----------
    name
        Searcher name.
    factory
        A :class:`~syne_tune.optimizer.schedulers.searchers.BaseSearcher`
        subclass, a callable returning a searcher, or ``"module:attribute"``.
    overwrite
        Replace an existing entry of the same name.

    Raises
    ------
    InvalidParameterError
        If ``name`` is empty or taken (without ``overwrite``), or ``factory``
        is neither callable nor a ``"module:attribute"`` string.
    """
    check_parameter("register_searcher", "name", name, [str])
    if not name:
        raise InvalidParameterError("The 'name' parameter of register_searcher must be a non-empty str. Got '' instead.")
    if isinstance(factory, str):
        if factory.count(":") != 1:
            raise InvalidParameterError(
                "The 'factory' parameter of register_searcher must be callable or a 'module:attribute' "
                f"string. Got {factory!r} instead."
            )
    else:
        check_parameter("register_searcher", "factory", factory, ["callable"])
    if name in SEARCHER_REGISTRY and SEARCHER_REGISTRY[name] is not factory and not overwrite:
        raise InvalidParameterError(
            f"The 'name' parameter of register_searcher must not be taken (use overwrite=True to "
            f"replace it). Got {name!r} instead, registered as {SEARCHER_REGISTRY[name]!r}."
        )
    SEARCHER_REGISTRY[name] = factory


def _import(registry: dict, name: str):
    factory = registry[name]
    if isinstance(factory, str):
        module, attribute = factory.split(":")
        factory = getattr(importlib.import_module(module), attribute)
        registry[name] = factory
    return factory


def _resolve(
    searcher_name: str, owner: Any = "searcher_factory", param: str = "searcher_name", multi_fidelity: bool = False
):
    """The registered factory of ``searcher_name`` (imported if given as a
    string); the multi-fidelity variant if ``multi_fidelity`` and there is one."""
    check_parameter(owner, param, searcher_name, [str])
    if multi_fidelity and searcher_name in MULTI_FIDELITY_REGISTRY:
        return _import(MULTI_FIDELITY_REGISTRY, searcher_name)
    if searcher_name in MULTI_FIDELITY_REGISTRY and searcher_name not in SEARCHER_REGISTRY:
        owner_name = owner if isinstance(owner, str) else type(owner).__name__
        raise InvalidParameterError(
            f"The {param!r} parameter of {owner_name} names the multi-fidelity searcher {searcher_name!r}, which "
            "needs a multi-fidelity scheduler (HyperbandScheduler, e.g. the baselines MOBSTER, HyperTune, DyHPO). "
            f"Searchers for this scheduler: {', '.join(sorted(SEARCHER_REGISTRY))}."
        )
    if searcher_name not in SEARCHER_REGISTRY:
        known = sorted(set(SEARCHER_REGISTRY) | set(MULTI_FIDELITY_REGISTRY))
        owner_name = owner if isinstance(owner, str) else type(owner).__name__
        if searcher_name in SYNE_TUNE_ONLY_SEARCHERS:
            raise InvalidParameterError(
                f"The {param!r} parameter of {owner_name} names the searcher {searcher_name!r} of Syne Tune, "
                f"which is not implemented in this library. Available searchers: {', '.join(known)}."
            )
        close = closest_names(searcher_name, known)
        hint = f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""
        raise InvalidParameterError(
            f"The {param!r} parameter of {owner_name} must be one of {', '.join(known)}. "
            f"Got {searcher_name!r} instead{hint}."
        )
    return _import(SEARCHER_REGISTRY, searcher_name)


def _argument_names(factory) -> frozenset[str] | None:
    """Keyword arguments ``factory`` takes; for a class whose constructor has
    ``**kwargs``, those of the base-class constructors they are passed to
    (``None`` if that chain ends in ``**kwargs``)."""
    keyword_kinds = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    names: set[str] = set()
    classes = [k for k in factory.__mro__ if "__init__" in k.__dict__] if isinstance(factory, type) else [factory]
    for klass in classes:
        function = klass.__init__ if isinstance(factory, type) else klass
        parameters = list(inspect.signature(function).parameters.values())
        names.update(p.name for p in parameters if p.kind in keyword_kinds and p.name != "self")
        if not any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
            return frozenset(names)
    return None


def searcher_argument_names(
    searcher_name: str, owner: Any = "searcher_factory", multi_fidelity: bool = False
) -> frozenset[str] | None:
    """Keyword arguments the searcher registered as ``searcher_name`` takes
    (its constructor's parameters), or ``None`` if it takes any (``**kwargs``).

    Parameters
    ----------
    searcher_name
        Registered name.
    owner
        Who asks (a scheduler), named in the error message.

    Raises
    ------
    InvalidParameterError
        If ``searcher_name`` is not registered.
    """
    factory = _resolve(
        searcher_name, owner, "searcher" if owner != "searcher_factory" else "searcher_name", multi_fidelity
    )
    return _argument_names(factory)


def searcher_factory(searcher_name: str, **kwargs) -> BaseSearcher:
    """Create the searcher registered as ``searcher_name``.

    Parameters
    ----------
    searcher_name
        ``"random"``, ``"grid"``, ``"bayesopt"`` or a name registered with
        :func:`register_searcher`.
    kwargs
        Arguments of the searcher (``config_space``, ``metric``, ...), plus
        scheduler context (:data:`SCHEDULER_CONTEXT_KEYS`).

    Returns
    -------
    BaseSearcher
        The new searcher.

    Raises
    ------
    InvalidParameterError
        If the name is unknown, an argument is not one the searcher takes, or
        a single-fidelity model searcher is asked for by a multi-fidelity
        scheduler (``scheduler="hyperband_..."``).
    """
    scheduler = kwargs.get("scheduler")
    multi_fidelity = isinstance(scheduler, str) and scheduler.startswith("hyperband")
    factory = _resolve(searcher_name, multi_fidelity=multi_fidelity)
    if multi_fidelity and getattr(factory, "single_fidelity_model", False):
        raise single_fidelity_error(f"{searcher_name!r} ({getattr(factory, '__name__', factory)})", f"'{scheduler}'")
    names = _argument_names(factory)
    if names is not None:
        kwargs = {k: v for k, v in kwargs.items() if k in names or k not in SCHEDULER_CONTEXT_KEYS}
        check_keys(getattr(factory, "__name__", searcher_name), "search_options", kwargs, names)
    return factory(**kwargs)
