"""Ready-made schedulers, named as in Syne Tune's baselines.

Each class is a thin configuration of a general scheduler: they exist so that
a launcher reads ``ASHA(config_space, metric=..., ...)`` instead of a long list
of scheduler arguments.
"""

from __future__ import annotations

from syne_tune.optimizer.schedulers.fifo import FIFOScheduler
from syne_tune.optimizer.schedulers.fifo import reject_searcher_argument as _reject_searcher


class RandomSearch(FIFOScheduler):
    """Random search: configurations sampled uniformly, each trial run to the end.

    Parameters
    ----------
    config_space
        Configuration space.
    metric
        Metric to optimize.
    kwargs
        Further :class:`FIFOScheduler` arguments (``mode``, ``random_seed``,
        ``points_to_evaluate``, ``search_options``, ...).
    """

    def __init__(self, config_space: dict, metric: str | list[str], **kwargs):
        _reject_searcher(kwargs, "RandomSearch")
        super().__init__(config_space, metric=metric, searcher="random", **kwargs)


class GridSearch(FIFOScheduler):
    """Grid search over the config space (finite domains: all values;
    continuous ones: ``search_options={"num_samples": {name: n}}`` values).
    Tuning ends once the grid is exhausted."""

    def __init__(self, config_space: dict, metric: str | list[str], **kwargs):
        _reject_searcher(kwargs, "GridSearch")
        super().__init__(config_space, metric=metric, searcher="grid", **kwargs)


# --- multi-fidelity baselines (Hyperband family) are added below ---

from syne_tune.optimizer.schedulers.hyperband import HyperbandScheduler  # noqa: E402
from syne_tune.optimizer.schedulers.median_stopping_rule import MedianStoppingRule  # noqa: E402,F401
from syne_tune.optimizer.schedulers.pbt import PopulationBasedTraining  # noqa: E402,F401
from syne_tune.optimizer.schedulers.synchronous.hyperband import (  # noqa: E402
    SynchronousGeometricHyperbandScheduler,
)


def _need_one(kwargs: dict, name: str, need_one=("max_t", "max_resource_attr")) -> None:
    if not any(kwargs.get(k) is not None for k in need_one):
        raise ValueError(f"{name} needs one of {list(need_one)} (the maximum resource of a trial)")


class ASHA(HyperbandScheduler):
    """Asynchronous successive halving with random search.

    Parameters
    ----------
    config_space
        Configuration space.
    metric
        Metric to optimize.
    resource_attr
        Resource reported with each result (e.g. ``"epoch"``).
    kwargs
        :class:`HyperbandScheduler` arguments; one of ``max_t`` and
        ``max_resource_attr`` is required. ``type`` defaults to
        ``"stopping"``; ``type="promotion"`` pauses and resumes trials.
    """

    def __init__(self, config_space: dict, metric: str, resource_attr: str, **kwargs):
        _reject_searcher(kwargs, "ASHA")
        _need_one(kwargs, "ASHA")
        super().__init__(config_space, metric=metric, searcher="random", resource_attr=resource_attr, **kwargs)


class Hyperband(HyperbandScheduler):
    """Asynchronous Hyperband with random search: like :class:`ASHA`, but new
    trials are spread over ``brackets`` brackets (default: all), bracket
    ``b`` starting at rung level ``grace_period * reduction_factor**b``, with
    probabilities proportional to Hyperband's bracket sizes.

    Parameters are those of :class:`ASHA`, plus ``brackets`` (a number, or
    ``"all"``, the default).
    """

    def __init__(self, config_space: dict, metric: str, resource_attr: str, brackets: int | str | None = "all", **kwargs):
        _reject_searcher(kwargs, "Hyperband")
        _need_one(kwargs, "Hyperband")
        super().__init__(
            config_space, metric=metric, searcher="random", resource_attr=resource_attr, brackets=brackets, **kwargs
        )


class PASHA(HyperbandScheduler):
    """Progressive ASHA (Bohdal et al., 2023): promotion-based ASHA whose
    maximum resource starts at the second rung level and grows only while the
    ranking of the trials in the top two rungs keeps changing.

    Parameters are those of :class:`ASHA` (one of ``max_t`` /
    ``max_resource_attr`` required, the latter recommended);
    ``rung_system_kwargs`` may set ``ranking_criterion``, ``epsilon``,
    ``epsilon_scaling``, ``epsilon_percentile``.
    """

    def __init__(self, config_space: dict, metric: str, resource_attr: str, **kwargs):
        _need_one(kwargs, "PASHA")
        if kwargs.get("type", "pasha") != "pasha":
            raise ValueError("PASHA has type='pasha'")
        kwargs["type"] = "pasha"
        kwargs.setdefault("searcher", "random")
        super().__init__(config_space, metric=metric, resource_attr=resource_attr, **kwargs)


class SyncHyperband(SynchronousGeometricHyperbandScheduler):
    """Synchronous Hyperband with random search.

    Parameters
    ----------
    config_space, metric, resource_attr
        As for :class:`ASHA`.
    kwargs
        :class:`SynchronousGeometricHyperbandScheduler` arguments
        (``grace_period``, ``reduction_factor``, ``brackets``, ...); one of
        ``max_resource_level`` and ``max_resource_attr`` is required.
    """

    def __init__(self, config_space: dict, metric: str, resource_attr: str, **kwargs):
        _reject_searcher(kwargs, "SyncHyperband")
        _need_one(kwargs, "SyncHyperband", need_one=("max_resource_level", "max_resource_attr", "max_t"))
        super().__init__(config_space, metric=metric, searcher="random", resource_attr=resource_attr, **kwargs)


# --- model-based baselines ---


class BayesianOptimization(FIFOScheduler):
    """Gaussian-process Bayesian optimization: :class:`FIFOScheduler` with
    searcher ``"bayesopt"``
    (:class:`~syne_tune.optimizer.schedulers.searchers.bayesopt.GPFIFOSearcher`,
    tuned with ``search_options``, e.g. ``{"num_init_random": 5}``). Fitting
    the model needs the extra ``gpsearchers`` (autograd, scipy), imported
    only then.

    Parameters
    ----------
    config_space
        Configuration space.
    metric
        Metric to optimize.
    kwargs
        Further :class:`FIFOScheduler` arguments (``mode``, ``random_seed``,
        ``points_to_evaluate``, ``search_options``, ...).
    """

    def __init__(self, config_space: dict, metric: str, **kwargs):
        _reject_searcher(kwargs, "BayesianOptimization")
        super().__init__(config_space, metric=metric, searcher="bayesopt", **kwargs)


class ConstrainedBayesianOptimization(FIFOScheduler):
    """Constrained Bayesian optimization: :class:`FIFOScheduler` with searcher
    ``"bayesopt_constrained"``
    (:class:`~syne_tune.optimizer.schedulers.searchers.bayesopt.gp_searcher.ConstrainedGPFIFOSearcher`):
    a second GP models the constraint ``constraint_attr`` (feasible iff
    ``<= 0``), and candidates are scored by ``EI * P(feasible)``.

    Parameters
    ----------
    config_space
        Configuration space.
    metric
        Metric to optimize.
    constraint_attr
        Name of the constraint metric reported by the training script.
    kwargs
        Further :class:`FIFOScheduler` arguments (``mode``, ``random_seed``,
        ``points_to_evaluate``, ``search_options``, ...).
    """

    def __init__(self, config_space: dict, metric: str, constraint_attr: str, **kwargs):
        _reject_searcher(kwargs, "ConstrainedBayesianOptimization")
        search_options = dict(kwargs.pop("search_options", None) or {})
        search_options["constraint_attr"] = constraint_attr
        super().__init__(
            config_space, metric=metric, searcher="bayesopt_constrained", search_options=search_options, **kwargs
        )
