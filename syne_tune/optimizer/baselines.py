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


# --- model-based multi-fidelity baselines ---


def _searcher_must_be(kwargs: dict, name: str, allowed: tuple[str, ...]) -> str:
    searcher = kwargs.pop("searcher", allowed[0])
    if searcher not in allowed:
        raise ValueError(
            f"{name} uses searcher={' or '.join(repr(a) for a in allowed)}. Got searcher={searcher!r}; use "
            "HyperbandScheduler (or SynchronousGeometricHyperbandScheduler) to choose another one."
        )
    return searcher


class MOBSTER(HyperbandScheduler):
    """MOBSTER (Klein et al. 2020): asynchronous successive halving / Hyperband
    whose new configurations come from a Gaussian-process model of the
    learning curves (searcher ``"bayesopt"``,
    :class:`~syne_tune.optimizer.schedulers.searchers.bayesopt.gp_multifidelity_searcher.GPMultiFidelitySearcher`).

    Parameters
    ----------
    config_space, metric, resource_attr
        As for :class:`ASHA`.
    kwargs
        :class:`HyperbandScheduler` arguments; one of ``max_t`` and
        ``max_resource_attr`` is required. ``search_options["model"]`` is
        ``"gp_multitask"`` (default), ``"gp_independent"`` or
        ``"gp_expdecay"``. ``searcher="bayesopt_cost"`` (with ``cost_attr``,
        e.g. ``type="cost_promotion"``) gives cost-aware MOBSTER.
    """

    def __init__(self, config_space: dict, metric: str, resource_attr: str, **kwargs):
        searcher = _searcher_must_be(kwargs, "MOBSTER", ("bayesopt", "bayesopt_cost"))
        _need_one(kwargs, "MOBSTER")
        super().__init__(config_space, metric=metric, searcher=searcher, resource_attr=resource_attr, **kwargs)


class HyperTune(HyperbandScheduler):
    """Hyper-Tune (Li et al. 2022): MOBSTER with several brackets, whose
    bracket distribution and acquisition target (an ensemble over rung
    levels) are learned from how well each level's model predicts the
    ranking at the highest level (searcher ``"hypertune"``,
    :mod:`~syne_tune.optimizer.schedulers.searchers.bayesopt.hypertune`).

    Parameters
    ----------
    config_space, metric, resource_attr
        As for :class:`ASHA`.
    kwargs
        :class:`HyperbandScheduler` arguments; one of ``max_t`` and
        ``max_resource_attr`` is required. ``brackets`` defaults to all
        (``"all"``); ``search_options["model"]`` is ``"gp_independent"``
        (default) or ``"gp_multitask"``;
        ``search_options["hypertune_distribution_num_samples"]`` defaults to 50.
    """

    def __init__(self, config_space: dict, metric: str, resource_attr: str, **kwargs):
        _searcher_must_be(kwargs, "HyperTune", ("hypertune",))
        _need_one(kwargs, "HyperTune")
        # search_options (model, hypertune_distribution_num_samples) are
        # defaulted and checked by HyperTuneSearcher
        kwargs.setdefault("brackets", "all")
        super().__init__(config_space, metric=metric, searcher="hypertune", resource_attr=resource_attr, **kwargs)


class DyHPO(HyperbandScheduler):
    """DyHPO (Wistuba et al. 2022): promotion-based scheduling on linear rung
    levels where, whenever a worker is free, resuming each paused trial is
    compared with starting a new configuration by expected improvement of
    the multi-fidelity GP (``type="dyhpo"``, searcher ``"dyhpo"``; see
    :mod:`~syne_tune.optimizer.schedulers.multifidelity.dyhpo_rung_system`).

    Parameters
    ----------
    config_space, metric, resource_attr
        As for :class:`ASHA`.
    probability_sh
        Probability of trying the successive-halving promotion rule first
        (default 0.25; passed as ``rung_system_kwargs["probability_sh"]``).
    kwargs
        :class:`HyperbandScheduler` arguments; one of ``max_t`` and
        ``max_resource_attr`` is required (the latter recommended). Rung
        levels are linear: ``rung_increment`` defaults to 2 unless
        ``reduction_factor`` or ``rung_levels`` is given;
        ``search_options["opt_skip_period"]`` defaults to 3;
        ``search_options["model"]`` is ``"gp_multitask"`` (default) or
        ``"gp_expdecay"``.
    """

    def __init__(
        self, config_space: dict, metric: str, resource_attr: str, probability_sh: float | None = None, **kwargs
    ):
        _searcher_must_be(kwargs, "DyHPO", ("dyhpo",))
        _need_one(kwargs, "DyHPO")
        if kwargs.get("type", "dyhpo") != "dyhpo":
            raise ValueError(f"DyHPO has type='dyhpo'. Got type={kwargs['type']!r}.")
        kwargs["type"] = "dyhpo"
        if probability_sh is not None:
            rung_system_kwargs = dict(kwargs.pop("rung_system_kwargs", None) or {})
            rung_system_kwargs["probability_sh"] = probability_sh
            kwargs["rung_system_kwargs"] = rung_system_kwargs
        search_options = dict(kwargs.pop("search_options", None) or {})
        search_options.setdefault("opt_skip_period", 3)
        if all(kwargs.get(k) is None for k in ("reduction_factor", "rung_increment", "rung_levels")):
            kwargs["rung_increment"] = 2
        super().__init__(
            config_space,
            metric=metric,
            searcher="dyhpo",
            search_options=search_options,
            resource_attr=resource_attr,
            **kwargs,
        )


class SyncMOBSTER(SynchronousGeometricHyperbandScheduler):
    """Synchronous MOBSTER: synchronous Hyperband
    (:class:`SynchronousGeometricHyperbandScheduler`) whose new
    configurations come from the multi-fidelity GP searcher
    (``"bayesopt"``,
    :class:`~syne_tune.optimizer.schedulers.searchers.bayesopt.gp_multifidelity_searcher.GPMultiFidelitySearcher`).

    Parameters
    ----------
    config_space, metric, resource_attr
        As for :class:`ASHA`.
    kwargs
        :class:`SynchronousGeometricHyperbandScheduler` arguments; one of
        ``max_resource_level`` and ``max_resource_attr`` is required.
        ``search_options["model"]`` defaults to ``"gp_independent"`` (as in
        Syne Tune; unlike :class:`MOBSTER`).
    """

    def __init__(self, config_space: dict, metric: str, resource_attr: str, **kwargs):
        _searcher_must_be(kwargs, "SyncMOBSTER", ("bayesopt",))
        _need_one(kwargs, "SyncMOBSTER", need_one=("max_resource_level", "max_resource_attr", "max_t"))
        search_options = dict(kwargs.pop("search_options", None) or {})
        search_options.setdefault("model", "gp_independent")
        super().__init__(
            config_space,
            metric=metric,
            searcher="bayesopt",
            search_options=search_options,
            resource_attr=resource_attr,
            **kwargs,
        )


# --- model-based search beyond the GP (KDE / TPE, REA, BORE, CQR) ---


def _with_search_options(kwargs: dict, **options) -> dict:
    """``kwargs`` whose ``search_options`` also hold ``options`` (those not ``None``)."""
    search_options = dict(kwargs.pop("search_options", None) or {})
    search_options.update({k: v for k, v in options.items() if v is not None})
    kwargs["search_options"] = search_options
    return kwargs


class KDE(FIFOScheduler):
    """TPE-style search with kernel density estimators (searcher ``"kde"``,
    :class:`~syne_tune.optimizer.schedulers.searchers.kde.KernelDensityEstimator`):
    new configurations maximize the ratio of a density fitted to the best
    observations to one fitted to the others (BOHB's model).

    Parameters
    ----------
    config_space
        Configuration space.
    metric
        Metric to optimize.
    kwargs
        Further :class:`FIFOScheduler` arguments (``mode``, ``random_seed``,
        ``points_to_evaluate``, ``search_options``, e.g.
        ``{"top_n_percent": 15}``).
    """

    def __init__(self, config_space: dict, metric: str, **kwargs):
        _reject_searcher(kwargs, "KDE")
        super().__init__(config_space, metric=metric, searcher="kde", **kwargs)


#: The name Syne Tune uses for :class:`KDE` from version 0.14 on.
TPE = KDE


class REA(FIFOScheduler):
    """Regularized evolution (Real et al. 2019; searcher
    ``"regularized_evolution"``,
    :class:`~syne_tune.optimizer.schedulers.searchers.regularized_evolution.RegularizedEvolution`):
    the best of ``sample_size`` random members of the population (its
    ``population_size`` latest results) is mutated in one hyperparameter.

    Parameters
    ----------
    config_space
        Configuration space.
    metric
        Metric to optimize.
    population_size
        Number of latest results kept as the population (default 100).
    sample_size
        Members drawn to pick a parent from (default 10).
    kwargs
        Further :class:`FIFOScheduler` arguments.
    """

    def __init__(
        self, config_space: dict, metric: str, population_size: int = 100, sample_size: int = 10, **kwargs
    ):
        _reject_searcher(kwargs, "REA")
        kwargs = _with_search_options(kwargs, population_size=population_size, sample_size=sample_size)
        super().__init__(config_space, metric=metric, searcher="regularized_evolution", **kwargs)


class BORE(FIFOScheduler):
    """Bayesian optimization by density-ratio estimation (Tiao et al. 2021;
    searcher ``"bore"``, :class:`~syne_tune.optimizer.schedulers.searchers.bore.Bore`):
    a probabilistic classifier separating the best ``gamma`` fraction of the
    observations from the rest is the acquisition function.

    Parameters
    ----------
    config_space
        Configuration space.
    metric
        Metric to optimize.
    kwargs
        Further :class:`FIFOScheduler` arguments (``search_options`` may set
        ``gamma``, ``classifier``, ``calibrate``, ...).
    """

    def __init__(self, config_space: dict, metric: str, **kwargs):
        _reject_searcher(kwargs, "BORE")
        super().__init__(config_space, metric=metric, searcher="bore", **kwargs)


class CQR(FIFOScheduler):
    """Conformalized quantile regression (Salinas et al. 2023; searcher
    ``"cqr"``,
    :class:`~syne_tune.optimizer.schedulers.searchers.conformal.SurrogateSearcher`):
    gradient-boosted quantile regressors, calibrated by split conformal
    prediction, give the surrogate that Thompson sampling scores candidates
    with.

    Parameters
    ----------
    config_space
        Configuration space.
    metric
        Metric to optimize.
    kwargs
        Further :class:`FIFOScheduler` arguments.
    """

    def __init__(self, config_space: dict, metric: str, **kwargs):
        _reject_searcher(kwargs, "CQR")
        super().__init__(config_space, metric=metric, searcher="cqr", **kwargs)


class BOHB(HyperbandScheduler):
    """BOHB (Falkner et al. 2018), asynchronous: Hyperband scheduling
    (:class:`HyperbandScheduler` with all brackets) whose new configurations
    come from kernel density estimators fitted to the results of the highest
    rung level with enough of them (searcher ``"kde"``,
    :class:`~syne_tune.optimizer.schedulers.searchers.kde.MultiFidelityKernelDensityEstimator`).

    Parameters
    ----------
    config_space, metric, resource_attr
        As for :class:`ASHA`.
    brackets
        Number of Hyperband brackets, or ``"all"`` (default, the paper's
        Hyperband). Syne Tune 0.13 defaults to one bracket (successive
        halving with KDE): pass ``brackets=1`` for that.
    kwargs
        :class:`HyperbandScheduler` arguments; one of ``max_t`` and
        ``max_resource_attr`` is required.
    """

    def __init__(
        self, config_space: dict, metric: str, resource_attr: str, brackets: int | str | None = "all", **kwargs
    ):
        _reject_searcher(kwargs, "BOHB")
        _need_one(kwargs, "BOHB")
        super().__init__(
            config_space, metric=metric, searcher="kde", resource_attr=resource_attr, brackets=brackets, **kwargs
        )


class ASHABORE(HyperbandScheduler):
    """ASHA whose new configurations come from BORE fitted to the results
    of the highest rung level with enough of them (searcher ``"bore"``,
    :class:`~syne_tune.optimizer.schedulers.searchers.bore.MultiFidelityBore`).

    Parameters
    ----------
    config_space, metric, resource_attr
        As for :class:`ASHA`.
    kwargs
        :class:`HyperbandScheduler` arguments; one of ``max_t`` and
        ``max_resource_attr`` is required.
    """

    def __init__(self, config_space: dict, metric: str, resource_attr: str, **kwargs):
        _reject_searcher(kwargs, "ASHABORE")
        _need_one(kwargs, "ASHABORE")
        super().__init__(config_space, metric=metric, searcher="bore", resource_attr=resource_attr, **kwargs)


class ASHACQR(HyperbandScheduler):
    """ASHA whose new configurations come from the conformalized quantile
    regression surrogate (searcher ``"cqr"``; multi-fidelity variant
    :class:`~syne_tune.optimizer.schedulers.searchers.conformal.MultiFidelitySurrogateSearcher`).

    Parameters
    ----------
    config_space, metric, resource_attr
        As for :class:`ASHA`.
    kwargs
        :class:`HyperbandScheduler` arguments; one of ``max_t`` and
        ``max_resource_attr`` is required.
    """

    def __init__(self, config_space: dict, metric: str, resource_attr: str, **kwargs):
        _reject_searcher(kwargs, "ASHACQR")
        _need_one(kwargs, "ASHACQR")
        super().__init__(config_space, metric=metric, searcher="cqr", resource_attr=resource_attr, **kwargs)


class SyncBOHB(SynchronousGeometricHyperbandScheduler):
    """Synchronous BOHB (Falkner et al. 2018): synchronous Hyperband
    (:class:`SynchronousGeometricHyperbandScheduler`) whose new
    configurations come from the multi-fidelity kernel density estimator
    (searcher ``"kde"``).

    Parameters
    ----------
    config_space, metric, resource_attr
        As for :class:`ASHA`.
    kwargs
        :class:`SynchronousGeometricHyperbandScheduler` arguments; one of
        ``max_resource_level`` and ``max_resource_attr`` is required.
    """

    def __init__(self, config_space: dict, metric: str, resource_attr: str, **kwargs):
        _reject_searcher(kwargs, "SyncBOHB")
        _need_one(kwargs, "SyncBOHB", need_one=("max_resource_level", "max_resource_attr", "max_t"))
        super().__init__(config_space, metric=metric, searcher="kde", resource_attr=resource_attr, **kwargs)


# --- differential evolution Hyperband (DEHB) ---

from syne_tune.optimizer.schedulers.synchronous.hyperband_impl import (  # noqa: E402
    GeometricDifferentialEvolutionHyperbandScheduler,
)


class DEHB(GeometricDifferentialEvolutionHyperbandScheduler):
    """Differential evolution Hyperband (Awad et al. 2021): synchronous
    Hyperband brackets whose configurations, after the first bracket, come
    from differential evolution on per-level subpopulations of encoded
    configurations (searcher ``"random_encoded"`` for the initial ones; see
    :mod:`~syne_tune.optimizer.schedulers.synchronous.dehb`).

    Parameters
    ----------
    config_space, metric, resource_attr
        As for :class:`ASHA`.
    kwargs
        :class:`GeometricDifferentialEvolutionHyperbandScheduler` arguments
        (``grace_period``, ``reduction_factor``, ``brackets``,
        ``mutation_factor``, ``crossover_probability``, ``search_options``,
        ...); one of ``max_resource_level``, ``max_resource_attr`` and
        ``max_t`` is required.
    """

    def __init__(self, config_space: dict, metric: str, resource_attr: str, **kwargs):
        _reject_searcher(kwargs, "DEHB")
        _need_one(kwargs, "DEHB", need_one=("max_resource_level", "max_resource_attr", "max_t"))
        super().__init__(
            config_space, metric=metric, resource_attr=resource_attr, searcher="random_encoded", **kwargs
        )


# --- multi-objective baselines ---

import numpy as np  # noqa: E402

from syne_tune.optimizer.schedulers.multiobjective.linear_scalarizer import LinearScalarizedScheduler  # noqa: E402
from syne_tune.optimizer.schedulers.multiobjective.moasha import MOASHA  # noqa: E402,F401  (the scheduler itself, as in Syne Tune)
from syne_tune.optimizer.schedulers.searchers.searcher_base import MAX_SEED  # noqa: E402


class NSGA2(FIFOScheduler):
    """NSGA-II (Deb et al. 2002; searcher ``"nsga2"``,
    :class:`~syne_tune.optimizer.schedulers.multiobjective.NSGA2Searcher`),
    asynchronous: offspring of parents chosen by binary tournament (rank,
    then crowding distance), SBX and polynomial mutation on the encoded
    numerical hyperparameters, uniform crossover and random reset on the
    categorical ones; every ``population_size`` results form a generation
    (elitist survival).

    Parameters
    ----------
    config_space
        Configuration space.
    metric
        Names of the metrics to optimize (a list).
    mode
        ``"min"`` or ``"max"`` for all metrics, or a list with one per metric.
    population_size
        Size of the population and of a generation (default 20).
    kwargs
        Further :class:`FIFOScheduler` arguments (``random_seed``,
        ``points_to_evaluate``, ``search_options``, e.g.
        ``{"crossover_probability": 0.9, "mutation_probability": None}``).
    """

    def __init__(
        self,
        config_space: dict,
        metric: list[str],
        mode: str | list[str] = "min",
        population_size: int = 20,
        **kwargs,
    ):
        _reject_searcher(kwargs, "NSGA2")
        kwargs = _with_search_options(kwargs, population_size=population_size)
        super().__init__(config_space, metric=metric, mode=mode, searcher="nsga2", **kwargs)


class MOREA(FIFOScheduler):
    """Multi-objective regularized evolution (searcher
    ``"moregularized_evolution"``,
    :class:`~syne_tune.optimizer.schedulers.multiobjective.MultiObjectiveRegularizedEvolution`):
    REA whose parent is the best of ``sample_size`` random members of the
    population (its ``population_size`` latest results) by non-dominated
    rank, then crowding distance; it is mutated in one hyperparameter.

    Parameters
    ----------
    config_space
        Configuration space.
    metric
        Names of the metrics to optimize (a list).
    mode
        ``"min"`` or ``"max"`` for all metrics, or a list with one per metric.
    population_size
        Number of latest results kept as the population (default 100).
    sample_size
        Members drawn to pick a parent from (default 10).
    kwargs
        Further :class:`FIFOScheduler` arguments.
    """

    def __init__(
        self,
        config_space: dict,
        metric: list[str],
        mode: str | list[str] = "min",
        population_size: int = 100,
        sample_size: int = 10,
        **kwargs,
    ):
        _reject_searcher(kwargs, "MOREA")
        kwargs = _with_search_options(kwargs, population_size=population_size, sample_size=sample_size)
        super().__init__(config_space, metric=metric, mode=mode, searcher="moregularized_evolution", **kwargs)


class MOLinearScalarizationBayesOpt(LinearScalarizedScheduler):
    """Linear scalarization with Gaussian-process Bayesian optimization:
    :class:`~syne_tune.optimizer.schedulers.multiobjective.LinearScalarizedScheduler`
    whose base scheduler is :class:`FIFOScheduler` with searcher ``"bayesopt"``
    (:class:`~syne_tune.optimizer.schedulers.searchers.bayesopt.GPFIFOSearcher`),
    minimizing ``sum_i w_i s_i y_i`` (``s_i = -1`` for metrics to maximize).

    Parameters
    ----------
    config_space
        Configuration space.
    metric
        Names of the metrics (at least two).
    scalarization_weights
        Non-negative weight per metric, not all zero (default: all 1).
    kwargs
        ``mode`` (``"min"``, ``"max"`` or one per metric) and further
        :class:`FIFOScheduler` arguments of the base scheduler
        (``random_seed``, ``points_to_evaluate``, ``search_options`` of the GP
        searcher, ...).
    """

    def __init__(
        self,
        config_space: dict,
        metric: list[str],
        scalarization_weights: list[float] | None = None,
        **kwargs,
    ):
        _reject_searcher(kwargs, "MOLinearScalarizationBayesOpt")
        super().__init__(
            config_space,
            metric=metric,
            scalarization_weights=scalarization_weights,
            searcher="bayesopt",
            **kwargs,
        )


class MORandomScalarizationBayesOpt(FIFOScheduler):
    """Multi-objective Bayesian optimization with random scalarizations
    (Paria et al. 2019): :class:`FIFOScheduler` with
    :class:`~syne_tune.optimizer.schedulers.multiobjective.MultiObjectiveMultiSurrogateSearcher`,
    one GP per metric; each suggestion minimizes the Chebyshev scalarization
    of the standardized lower confidence bounds under fresh weights drawn
    uniformly from the simplex (see
    :mod:`~syne_tune.optimizer.schedulers.multiobjective.random_scalarization`).

    As in Syne Tune, pending trials are not fantasized unless
    ``search_options={"no_fantasizing": False}``.

    Parameters
    ----------
    config_space
        Configuration space.
    metric
        Names of the metrics.
    mode
        ``"min"``, ``"max"`` or one per metric.
    random_seed
        Seed of the scheduler and its searcher (drawn if ``None``).
    estimators
        Optional ``{metric: SurrogateModel}`` (this library's models, e.g.
        ``GPModel``; Syne Tune's scikit-learn style estimators are not
        supported): used instead of the default GP for those metrics.
    kwargs
        Further :class:`FIFOScheduler` arguments; ``search_options`` holds
        the searcher's options (``scalarization``, ``kappa``, GP and
        acquisition-optimizer options such as ``num_init_random``,
        ``num_initial_candidates``, ``opt_maxiter``, ``no_fantasizing``).
    """

    def __init__(
        self,
        config_space: dict,
        metric: list[str],
        mode: str | list[str] = "min",
        random_seed: int | None = None,
        estimators: dict | None = None,
        **kwargs,
    ):
        from syne_tune.optimizer.schedulers.multiobjective.random_scalarization import (
            MultiObjectiveMultiSurrogateSearcher,
        )

        _reject_searcher(kwargs, "MORandomScalarizationBayesOpt")
        search_options = dict(kwargs.pop("search_options", None) or {})
        search_options.setdefault("no_fantasizing", True)
        if random_seed is None:
            random_seed = int(np.random.randint(0, MAX_SEED))
        searcher = MultiObjectiveMultiSurrogateSearcher(
            config_space,
            metric=metric,
            mode=mode,
            estimators=estimators,
            random_seed=random_seed,
            points_to_evaluate=kwargs.pop("points_to_evaluate", None),
            **search_options,
        )
        super().__init__(config_space, metric=metric, mode=mode, searcher=searcher, random_seed=random_seed, **kwargs)


# --- transfer learning ---

from syne_tune.optimizer.schedulers.transfer_learning.bounding_box import BoundingBox  # noqa: E402
from syne_tune.optimizer.schedulers.transfer_learning.rush import RUSHScheduler  # noqa: E402


class RUSH(RUSHScheduler):
    """RUSH (Zappella et al., 2021): ASHA whose first trials are the best
    configurations of earlier tasks, whose results at each rung level are
    thresholds later trials must meet
    (:class:`~syne_tune.optimizer.schedulers.transfer_learning.RUSHScheduler`).

    Parameters
    ----------
    config_space
        Configuration space.
    metric
        Metric to optimize (an objective of every earlier task).
    resource_attr
        Resource reported with each result (e.g. ``"epoch"``).
    transfer_learning_evaluations
        Task name -> :class:`~syne_tune.optimizer.schedulers.transfer_learning.TransferLearningTaskEvaluations`.
    mode
        ``"min"`` (default) or ``"max"``.
    num_hyperparameters_per_task
        Best configurations taken from each earlier task (default 1).
    type
        ``"stopping"`` (default) or ``"promotion"``.
    hyperband_kwargs
        Further :class:`RUSHScheduler` / :class:`HyperbandScheduler` arguments
        (``custom_rush_points``, ``points_to_evaluate``, ...); one of ``max_t``
        and ``max_resource_attr`` is required.
    """

    def __init__(
        self,
        config_space: dict,
        metric: str,
        resource_attr: str,
        transfer_learning_evaluations: dict,
        mode: str = "min",
        num_hyperparameters_per_task: int = 1,
        type: str = "stopping",
        **hyperband_kwargs,
    ):
        _need_one(hyperband_kwargs, "RUSH")
        super().__init__(
            config_space,
            transfer_learning_evaluations=transfer_learning_evaluations,
            metric=metric,
            type=type,
            num_hyperparameters_per_task=num_hyperparameters_per_task,
            mode=mode,
            resource_attr=resource_attr,
            **hyperband_kwargs,
        )


class ZeroShotTransfer(FIFOScheduler):
    """Zero-shot transfer (Wistuba et al., 2015): a greedy portfolio of the
    configurations of earlier tasks with the best average normalized rank,
    then random search (searcher ``"zero_shot"``,
    :class:`~syne_tune.optimizer.schedulers.transfer_learning.ZeroShotTransfer`).

    Parameters
    ----------
    config_space
        Configuration space.
    transfer_learning_evaluations
        Task name -> its evaluations
        (:class:`~syne_tune.optimizer.schedulers.transfer_learning.TransferLearningTaskEvaluations`).
    metric
        Metric to optimize; an objective of every task.
    mode
        ``"min"`` or ``"max"``.
    sort_transfer_learning_evaluations
        ``True``: align tasks by configuration; ``False``: their rows are
        already aligned by position.
    use_surrogates
        Predict the values of configurations a task did not evaluate with a
        k-NN surrogate per task (needed when tasks were evaluated on
        different configurations, e.g. ``icml-xgboost``, ``lcbench``).
    random_seed
        Seed of the random configurations after the portfolio.
    kwargs
        Further :class:`FIFOScheduler` arguments (``points_to_evaluate``:
        ``None`` suggests one midpoint configuration before the portfolio,
        ``[]`` starts with it; ``search_options``, e.g.
        ``{"restrict_configurations": [...]}``).
    """

    def __init__(
        self,
        config_space: dict,
        transfer_learning_evaluations: dict,
        metric: str,
        mode: str = "min",
        sort_transfer_learning_evaluations: bool = True,
        use_surrogates: bool = False,
        random_seed: int | None = None,
        **kwargs,
    ):
        _reject_searcher(kwargs, "ZeroShotTransfer")
        kwargs = _with_search_options(
            kwargs,
            transfer_learning_evaluations=transfer_learning_evaluations,
            sort_transfer_learning_evaluations=sort_transfer_learning_evaluations,
            use_surrogates=use_surrogates,
        )
        super().__init__(
            config_space, metric=metric, mode=mode, searcher="zero_shot", random_seed=random_seed, **kwargs
        )


class ASHABB(BoundingBox):
    """ASHA (random search with successive halving) inside the bounding box of
    the best configurations of earlier tasks
    (:class:`~syne_tune.optimizer.schedulers.transfer_learning.BoundingBox`).

    Parameters
    ----------
    config_space
        Configuration space.
    metric
        Metric to optimize; an objective of every task.
    resource_attr
        Resource reported with each result (e.g. ``"epoch"``).
    transfer_learning_evaluations
        Task name -> its evaluations.
    mode
        ``"min"`` or ``"max"``.
    num_hyperparameters_per_task
        Best configurations of every task spanning the box.
    asha_kwargs
        Further :class:`ASHA` arguments (one of ``max_t`` and
        ``max_resource_attr`` is required; ``random_seed``, ``type``, ...).
    """

    def __init__(
        self,
        config_space: dict,
        metric: str,
        resource_attr: str,
        transfer_learning_evaluations: dict,
        mode: str = "min",
        num_hyperparameters_per_task: int = 1,
        **asha_kwargs,
    ):
        _reject_searcher(asha_kwargs, "ASHABB")
        super().__init__(
            # called once, in the constructor, and not kept: a lambda pickles fine
            scheduler_fun=lambda box, mode, metric: ASHA(
                box, metric=metric, mode=mode, resource_attr=resource_attr, **asha_kwargs
            ),
            config_space=config_space,
            metric=metric,
            transfer_learning_evaluations=transfer_learning_evaluations,
            mode=mode,
            num_hyperparameters_per_task=num_hyperparameters_per_task,
        )


class ASHACTS(HyperbandScheduler):
    """ASHA whose new configurations come from Copula Thompson sampling over
    a surrogate fitted to earlier tasks (Salinas, Shen, Perrone, ICML 2020;
    :class:`~syne_tune.optimizer.schedulers.transfer_learning.quantile_based.QuantileBasedSurrogateSearcher`).
    The searcher does not learn from the task tuned now; ASHA's early
    stopping does.

    Parameters
    ----------
    config_space
        Configuration space.
    metric
        Metric to optimize (the objective of that name is transferred).
    resource_attr
        Resource reported with each result (e.g. ``"epoch"``).
    transfer_learning_evaluations
        Task name -> evaluations of an earlier task
        (:class:`~syne_tune.optimizer.schedulers.transfer_learning.TransferLearningTaskEvaluations`).
    mode
        ``"min"`` (default) or ``"max"``.
    random_seed
        Seed of the scheduler and of the searcher (drawn once if ``None``).
    kwargs
        :class:`HyperbandScheduler` arguments; one of ``max_t`` and
        ``max_resource_attr`` is required. ``search_options`` go to the
        searcher (e.g. ``{"max_fit_samples": 20000, "normalization":
        "standard", "num_candidates": 5000}``).
    """

    def __init__(
        self,
        config_space: dict,
        metric: str,
        resource_attr: str,
        transfer_learning_evaluations: dict,
        mode: str = "min",
        random_seed: int | None = None,
        **kwargs,
    ):
        import inspect

        from syne_tune.optimizer.schedulers.transfer_learning.quantile_based.quantile_based_searcher import (
            QuantileBasedSurrogateSearcher,
        )
        from syne_tune.utils.validation import check_keys

        _reject_searcher(kwargs, "ASHACTS")
        _need_one(kwargs, "ASHACTS")
        search_options = dict(kwargs.pop("search_options", None) or {})
        fixed = {"config_space", "metric", "transfer_learning_evaluations", "mode", "random_seed"}
        check_keys(
            "ASHACTS",
            "search_options",
            search_options,
            set(inspect.signature(QuantileBasedSurrogateSearcher).parameters) - fixed,
        )
        if random_seed is None:
            random_seed = int(np.random.randint(0, MAX_SEED))
        searcher = QuantileBasedSurrogateSearcher(
            config_space,
            metric=metric,
            transfer_learning_evaluations=transfer_learning_evaluations,
            mode=mode,
            random_seed=random_seed,
            **search_options,
        )
        super().__init__(
            config_space,
            metric=metric,
            mode=mode,
            searcher=searcher,
            resource_attr=resource_attr,
            random_seed=random_seed,
            **kwargs,
        )
