"""The abstract searcher and the initial configurations every searcher starts with.

A searcher is the part of a scheduler that picks configurations: the
scheduler (FIFO, Hyperband, ...) decides *when* trials run, its searcher
decides *what* they run. Every searcher derives from :class:`BaseSearcher`
and implements :meth:`BaseSearcher.get_config` and
:meth:`BaseSearcher._update`.

Initial configurations (``points_to_evaluate``, see
:func:`impute_points_to_evaluate`) are suggested first. ``None`` means one
configuration of "default" values; missing values of partial configurations
are filled with the same defaults, the midpoint rule of Syne Tune
(:func:`midpoint_value`):

* :class:`~syne_tune.config_space.Categorical`: the first category;
* :class:`~syne_tune.config_space.Ordinal` (kind ``"equal"``): the category at
  position ``len // 2`` (for an even number, the upper of the two middle ones);
* :class:`~syne_tune.config_space.Float`: ``(lower + upper) / 2``, the
  geometric mean for log domains, then cast (quantized domains snap to ``q``);
* :class:`~syne_tune.config_space.Integer`: the same, rounded with Python's
  ``round`` (half to even, as Syne Tune does);
* :class:`~syne_tune.config_space.FiniteRange` and
  :class:`~syne_tune.config_space.OrdinalNearestNeighbor`: the value nearest
  to the midpoint of the first and last value (geometric for log domains);
  when two values are equally near (an even number of equally spaced
  values), the upper one.

This module also keeps the old import path of the concrete searchers
(``from syne_tune.optimizer.schedulers.searchers.searcher import
RandomSearcher``); they live in :mod:`.random_grid_searcher` and
:mod:`.searcher_base`, the registry in :mod:`.searcher_factory`.
"""

from __future__ import annotations

import abc
import copy
import importlib
import logging
from typing import Any

import numpy as np

from syne_tune.config_space import (
    Categorical,
    Domain,
    FiniteRange,
    Float,
    Integer,
    Ordinal,
    OrdinalNearestNeighbor,
    check_config_in_space,
    is_log_space,
    non_constant_hyperparameter_keys,
)
from syne_tune.optimizer.schedulers.searchers.utils.hp_ranges import (
    HyperparameterRanges,
    make_hyperparameter_ranges,
)
from syne_tune.utils.validation import InvalidParameterError, Options, check_parameter, validate_parameters

__all__ = ["BaseSearcher", "impute_points_to_evaluate", "midpoint_value"]

logger = logging.getLogger(__name__)

_MODES = Options(str, {"min", "max"})


def _nearest_upper(internal_values: np.ndarray, target: float) -> int:
    """Index of the value nearest to ``target``; ties go to the larger index."""
    dist = np.abs(np.asarray(internal_values, dtype=float) - target)
    tol = 1e-9 * (1.0 + abs(target))
    return int(np.flatnonzero(dist <= dist.min() + tol)[-1])


def midpoint_value(domain: Domain) -> Any:
    """The default value of ``domain`` (the midpoint rule of the module docstring).

    Parameters
    ----------
    domain
        A hyperparameter domain.

    Returns
    -------
    Any
        A value of ``domain``.
    """
    if isinstance(domain, OrdinalNearestNeighbor):
        values = domain.categories
        internal = np.log(values) if domain.log_scale else np.asarray(values, dtype=float)
        return values[_nearest_upper(internal, 0.5 * (internal[0] + internal[-1]))]
    if isinstance(domain, Ordinal):
        return domain.categories[len(domain.categories) // 2]
    if isinstance(domain, Categorical):
        return domain.categories[0]
    if isinstance(domain, FiniteRange):
        values = domain.values
        internal = np.log(values) if domain.log_scale else np.asarray(values, dtype=float)
        return values[_nearest_upper(internal, 0.5 * (internal[0] + internal[-1]))]
    if isinstance(domain, (Float, Integer)):
        lower, upper = float(domain.lower), float(domain.upper)
        if is_log_space(domain):
            mid = float(np.exp(0.5 * (np.log(lower) + np.log(upper))))
        else:
            mid = 0.5 * (lower + upper)
        return domain.cast(min(max(domain.cast(mid), domain.lower), domain.upper))
    raise TypeError(f"midpoint_value: unsupported domain {domain!r}")


def impute_points_to_evaluate(points_to_evaluate: list[dict] | None, config_space: dict) -> list[dict]:
    """Complete and validate initial configurations.

    Parameters
    ----------
    points_to_evaluate
        ``None`` means one configuration of defaults (``[{}]``), ``[]`` none.
        Each dict may give some hyperparameters; the others get their
        :func:`midpoint_value`. Duplicates (after completion) are dropped.
    config_space
        Configuration space.

    Returns
    -------
    list[dict]
        Complete configurations (constants included).

    Raises
    ------
    ValueError
        If ``points_to_evaluate`` is not a list of dicts, names a key that is
        not in the space, or gives a value outside its domain.
    """
    if points_to_evaluate is None:
        points_to_evaluate = [{}]
    if not isinstance(points_to_evaluate, (list, tuple)):
        raise ValueError(
            f"points_to_evaluate must be a list of dicts. Got {type(points_to_evaluate).__name__} instead."
        )
    keys = non_constant_hyperparameter_keys(config_space)
    result, seen = [], set()
    for i, point in enumerate(points_to_evaluate):
        if not isinstance(point, dict):
            raise ValueError(f"points_to_evaluate[{i}] must be a dict. Got {point!r} instead.")
        unknown = [k for k in point if k not in config_space]
        if unknown:
            raise ValueError(f"points_to_evaluate[{i}] has keys not in the config space: {unknown}")
        config = {}
        for name, domain in config_space.items():
            if not isinstance(domain, Domain):
                config[name] = domain
            elif name in point:
                config[name] = domain.cast(point[name])
            else:
                config[name] = midpoint_value(domain)
        try:
            check_config_in_space(config_space, config)
        except ValueError as ex:
            raise ValueError(f"points_to_evaluate[{i}]: {ex}") from None
        key = tuple(config[k] for k in keys)
        if key not in seen:
            seen.add(key)
            result.append(config)
    return result


def _is_multi_fidelity_scheduler(scheduler) -> bool:
    """Schedulers that report results at several resource levels say so
    with ``multi_fidelity = True`` (the searchers need not know them)."""
    return bool(getattr(scheduler, "multi_fidelity", False))


def single_fidelity_error(searcher: str, scheduler: str) -> InvalidParameterError:
    """The error raised when a multi-fidelity scheduler is given a searcher
    whose model is single-fidelity (see :attr:`BaseSearcher.single_fidelity_model`)."""
    return InvalidParameterError(
        f"The searcher {searcher} fits a single-fidelity model, but {scheduler} is a multi-fidelity "
        "scheduler: it reports results at several resource levels, which that model would mix up "
        "as if they were final results. With multi-fidelity schedulers, give the searcher by name: "
        "searcher='bayesopt' is then the multi-fidelity GP searcher (MOBSTER; also 'bayesopt_cost', "
        "'hypertune', 'dyhpo'), or use 'random' or 'grid'; or use FIFOScheduler / "
        "BayesianOptimization for single-fidelity Gaussian-process search."
    )


class BaseSearcher(abc.ABC):
    """Abstract searcher.

    Subclasses implement :meth:`get_config` (the next configuration, after
    the remaining initial ones from :meth:`_next_initial_config`) and
    :meth:`_update` (learn from a result). To be saved and resumed with a
    tuner, a subclass adds its mutable state to :meth:`get_state` and
    :meth:`_restore_from_state`; :meth:`clone_from_state` and pickling then
    work without further code.

    The configuration space is held by :attr:`_hp_ranges`
    (:class:`~syne_tune.optimizer.schedulers.searchers.utils.HyperparameterRanges`);
    :attr:`config_space` reads it, and assigning either attribute changes the
    space later suggestions come from.

    Parameters
    ----------
    config_space
        Configuration space.
    metric
        Name of the metric the searcher learns from (a list for
        multi-objective searchers).
    points_to_evaluate
        Configurations to suggest first (see :func:`impute_points_to_evaluate`).
    mode
        "min" or "max" (a list, one per metric, for several metrics).

    Raises
    ------
    InvalidParameterError
        If an argument has the wrong type or value.
    """

    _parameter_constraints = {
        "config_space": [dict],
        "metric": [str, list],
        "points_to_evaluate": [list, None],
        "mode": [_MODES, list],
    }

    #: ``True`` for searchers whose model takes every result with
    #: ``update=True`` as a final observation of its configuration; such
    #: searchers refuse multi-fidelity schedulers (which report results at
    #: several resource levels). Random and grid search learn nothing and
    #: work with any scheduler.
    single_fidelity_model: bool = False

    def __init__(
        self,
        config_space: dict,
        metric: str | list[str],
        points_to_evaluate: list[dict] | None = None,
        mode: str | list[str] = "min",
    ):
        validate_parameters(self, locals())
        self._check_metric_and_mode(metric, mode)
        self.config_space = config_space
        self._metric = metric
        self._mode = mode
        self._points_to_evaluate = impute_points_to_evaluate(points_to_evaluate, config_space)

    def _check_metric_and_mode(self, metric, mode) -> None:
        names = metric if isinstance(metric, list) else [metric]
        for i, name in enumerate(names):
            where = f"metric[{i}]" if isinstance(metric, list) else "metric"
            check_parameter(self, where, name, [str])
            if not name:
                raise InvalidParameterError(
                    f"The {where!r} parameter of {type(self).__name__} must be a non-empty str. Got '' instead."
                )
        if not names:
            raise InvalidParameterError(
                f"The 'metric' parameter of {type(self).__name__} must be a str or a non-empty list. Got [] instead."
            )
        if isinstance(mode, list):
            for i, m in enumerate(mode):
                check_parameter(self, f"mode[{i}]", m, [_MODES])
            if not isinstance(metric, list) or len(mode) != len(metric):
                raise InvalidParameterError(
                    f"The 'mode' parameter of {type(self).__name__} must be a str or a list with one "
                    f"entry per metric {metric!r}. Got {mode!r} instead."
                )

    # -- configuration space ---------------------------------------------------
    @property
    def config_space(self) -> dict:
        """The configuration space (of :attr:`_hp_ranges`)."""
        return self._hp_ranges.full_config_space

    @config_space.setter
    def config_space(self, config_space: dict) -> None:
        self._hp_ranges: HyperparameterRanges = make_hyperparameter_ranges(config_space)

    def _with_constants(self, config: dict) -> dict:
        """``config`` completed with the constants of the current space, in
        config-space order."""
        space = self.config_space
        return {
            k: config[k] if k in config else v
            for k, v in space.items()
            if k in config or not isinstance(v, Domain)
        }

    # -- scheduler ---------------------------------------------------------------
    def configure_scheduler(self, scheduler) -> None:
        """Called by the scheduler that owns this searcher: takes over its
        ``metric`` and ``mode``.

        Raises
        ------
        InvalidParameterError
            If :attr:`single_fidelity_model` and ``scheduler`` is a
            multi-fidelity scheduler.
        """
        if self.single_fidelity_model and _is_multi_fidelity_scheduler(scheduler):
            raise single_fidelity_error(type(self).__name__, type(scheduler).__name__)
        if hasattr(scheduler, "metric"):
            self._metric = scheduler.metric
        if hasattr(scheduler, "mode"):
            self._mode = scheduler.mode

    # -- suggestions -------------------------------------------------------------
    def _next_initial_config(self) -> dict | None:
        """The next remaining initial configuration (popped), or ``None``."""
        if self._points_to_evaluate:
            return self._points_to_evaluate.pop(0)
        return None

    @abc.abstractmethod
    def get_config(self, **kwargs) -> dict | None:
        """The next configuration to evaluate, or ``None`` if there is none
        left (a finite space is exhausted); initial configurations come first.

        Parameters
        ----------
        kwargs
            Extra information from the scheduler (e.g. ``trial_id``).
        """

    # -- results -----------------------------------------------------------------
    def on_trial_result(self, trial_id: int, config: dict, result: dict, update: bool) -> None:
        """A trial reported ``result``; calls :meth:`_update` if ``update``
        (the scheduler's choice of which results the searcher learns from)."""
        if update:
            self._update(trial_id, config, result)

    @abc.abstractmethod
    def _update(self, trial_id: int, config: dict, result: dict) -> None:
        """Learn from ``result`` of ``trial_id`` (``pass`` if nothing is learned)."""

    def register_pending(self, trial_id: int, config: dict | None = None, milestone=None) -> None:
        """A trial with ``config`` started (or will reach ``milestone``)."""

    def remove_case(self, trial_id: int, **kwargs) -> None:
        """Forget data of ``trial_id`` passed to :meth:`_update`."""

    def evaluation_failed(self, trial_id: int) -> None:
        """The evaluation of ``trial_id`` failed."""
        self.cleanup_pending(trial_id)

    def cleanup_pending(self, trial_id: int) -> None:
        """Drop pending evaluations of ``trial_id``."""

    def dataset_size(self) -> int:
        """Number of observations a model is fitted to (0 without a model)."""
        return 0

    def model_parameters(self) -> dict:
        """Current model (hyper)parameters, if any."""
        return {}

    # -- state -------------------------------------------------------------------
    def get_state(self) -> dict[str, Any]:
        """The mutable state of the searcher (picklable): together with the
        immutable part of a searcher, enough to continue exactly where this one
        is (see :meth:`clone_from_state`)."""
        return {"points_to_evaluate": copy.deepcopy(self._points_to_evaluate)}

    def _restore_from_state(self, state: dict[str, Any]) -> None:
        """Set the mutable state from ``state`` (as made by :meth:`get_state`)."""
        self._points_to_evaluate = copy.deepcopy(state["points_to_evaluate"])

    def clone_from_state(self, state: dict[str, Any]) -> "BaseSearcher":
        """A searcher with the immutable part of this one and the mutable state
        ``state`` (from :meth:`get_state`); it continues with the same
        suggestions as the searcher whose state was taken. ``self`` should not
        be used afterwards."""
        clone = copy.copy(self)
        clone._restore_from_state(state)
        return clone

    @property
    def debug_log(self):
        """Debug log printer (not supported: ``None``)."""
        return None


#: Old home of these names (kept for ``from ...searchers.searcher import X``).
_MOVED = {
    "StochasticSearcher": "syne_tune.optimizer.schedulers.searchers.searcher_base",
    "StochasticAndFilterDuplicatesSearcher": "syne_tune.optimizer.schedulers.searchers.searcher_base",
    "MAX_SEED": "syne_tune.optimizer.schedulers.searchers.searcher_base",
    "RandomSearcher": "syne_tune.optimizer.schedulers.searchers.random_grid_searcher",
    "GridSearcher": "syne_tune.optimizer.schedulers.searchers.random_grid_searcher",
    "searcher_factory": "syne_tune.optimizer.schedulers.searchers.searcher_factory",
    "register_searcher": "syne_tune.optimizer.schedulers.searchers.searcher_factory",
    "SEARCHER_REGISTRY": "syne_tune.optimizer.schedulers.searchers.searcher_factory",
}


def __getattr__(name: str):
    if name in _MOVED:
        return getattr(importlib.import_module(_MOVED[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
