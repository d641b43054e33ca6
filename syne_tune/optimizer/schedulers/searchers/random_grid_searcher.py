"""Random search and grid search.

:class:`RandomSearcher` suggests ``points_to_evaluate`` first, then
configurations drawn from each domain's sampler (via the searcher's
hyperparameter ranges), never the same one twice unless
``allow_duplicates``; ``None`` once a finite space is exhausted.

:class:`GridSearcher` suggests ``points_to_evaluate`` first, then the points
of a grid it has not suggested yet. The grid is the Cartesian product of
per-hyperparameter value lists (Syne Tune 0.13's rule):

* :class:`~syne_tune.config_space.Float`: ``n = num_samples.get(name, 5)``
  cell centres ``(i + 0.5) / n``, ``i = 0 .. n-1``, of the unit interval,
  decoded by the hyperparameter ranges (linear, log or reverse-log between
  the bounds; quantized domains snap to ``q``), duplicates removed. So
  ``uniform(0, 1)`` with ``n = 5`` gives ``0.1, 0.3, 0.5, 0.7, 0.9``, and the
  bounds are never grid points.
* :class:`~syne_tune.config_space.Integer`: the same with
  ``n = min(num_samples.get(name, 5), len(domain))`` on the widened interval
  ``[lower - 0.5, upper + 0.5]``, rounded; ``n = len(domain)`` gives every
  value.
* Categorical and ordinal domains, :class:`~syne_tune.config_space.FiniteRange`:
  every value (``num_samples`` is ignored for them).

Hyperparameters vary in config-space order, the last one fastest; with
``shuffle_config`` (default) the grid is visited in a random (seeded) order.
Once the grid is exhausted, :meth:`GridSearcher.get_config` returns ``None``,
unless ``allow_duplicates``: then it starts the grid again.

If the hyperparameter ranges of a searcher are replaced (a launcher that
changes the space of a loaded tuner, see
:func:`~syne_tune.optimizer.schedulers.searchers.utils.make_hyperparameter_ranges`),
random search draws from the new space, and grid search builds the grid of
the new space and skips its points that were suggested before.
"""

from __future__ import annotations

import copy
import logging
from numbers import Integral
from typing import Any

import numpy as np

from syne_tune.config_space import FiniteRange, Float, Integer, non_constant_hyperparameter_keys
from syne_tune.optimizer.schedulers.searchers.searcher_base import (
    StochasticAndFilterDuplicatesSearcher,
    StochasticSearcher,
)
from syne_tune.utils.validation import Interval, check_keys, check_parameter, validate_parameters

__all__ = ["RandomSearcher", "GridSearcher", "DEFAULT_NSAMPLE"]

logger = logging.getLogger(__name__)

#: Default number of grid values of a Float (and at most of an Integer) domain.
DEFAULT_NSAMPLE = 5


class RandomSearcher(StochasticAndFilterDuplicatesSearcher):
    """Samples configurations at random (see the module docstring).

    Parameters
    ----------
    config_space, metric, points_to_evaluate, mode, random_seed, allow_duplicates, restrict_configurations
        See :class:`~syne_tune.optimizer.schedulers.searchers.StochasticAndFilterDuplicatesSearcher`.
    resource_attr
        Resource attribute of results (for the debug log); taken from a
        multi-fidelity scheduler in :meth:`configure_scheduler`.
    debug_log
        If ``True``, suggestions and results are logged at INFO level.
    """

    _parameter_constraints = {"resource_attr": [str, None], "debug_log": ["boolean"]}

    def __init__(
        self,
        config_space: dict,
        metric: str | list[str],
        points_to_evaluate: list[dict] | None = None,
        mode: str | list[str] = "min",
        random_seed: int | None = None,
        allow_duplicates: bool | None = None,
        restrict_configurations: list[dict] | None = None,
        resource_attr: str | None = None,
        debug_log: bool = False,
    ):
        validate_parameters(self, locals())
        super().__init__(
            config_space,
            metric=metric,
            points_to_evaluate=points_to_evaluate,
            mode=mode,
            random_seed=random_seed,
            allow_duplicates=allow_duplicates,
            restrict_configurations=restrict_configurations,
        )
        self._resource_attr = resource_attr
        self._debug_log = bool(debug_log)

    def configure_scheduler(self, scheduler) -> None:
        super().configure_scheduler(scheduler)
        resource_attr = getattr(scheduler, "resource_attr", None)
        if isinstance(resource_attr, str):
            self._resource_attr = resource_attr

    def _get_config(self, **kwargs) -> dict | None:
        config = self._next_new_initial_config()
        if config is None:
            config = self._get_random_config()
        if self._debug_log:
            logger.info("RandomSearcher: trial_id %s gets %s", kwargs.get("trial_id"), config)
        return config

    def _update(self, trial_id: int, config: dict, result: dict) -> None:
        if self._debug_log:
            where = f":{result.get(self._resource_attr)}" if self._resource_attr else ""
            logger.info("RandomSearcher: update for trial_id %s%s: %s", trial_id, where, result.get(self._metric))


class GridSearcher(StochasticSearcher):
    """Grid search (see the module docstring for the grid).

    Parameters
    ----------
    config_space, metric, points_to_evaluate, mode, random_seed
        See :class:`~syne_tune.optimizer.schedulers.searchers.StochasticSearcher`.
    num_samples
        Hyperparameter name -> number of grid values, for Float and Integer
        domains (default :data:`DEFAULT_NSAMPLE`; an Integer gets at most all
        its values). Ignored for other domains.
    shuffle_config
        Visit the grid in a random (seeded) order instead of the order of the
        Cartesian product.
    allow_duplicates
        Start the grid again once it is exhausted, instead of returning ``None``.

    Raises
    ------
    InvalidParameterError
        If ``num_samples`` names a key that is not in the space or gives a
        value that is not a positive int.
    """

    _parameter_constraints = {
        "num_samples": [dict, None],
        "shuffle_config": ["boolean"],
        "allow_duplicates": ["boolean"],
    }

    def __init__(
        self,
        config_space: dict,
        metric: str | list[str],
        points_to_evaluate: list[dict] | None = None,
        mode: str | list[str] = "min",
        random_seed: int | None = None,
        num_samples: dict[str, int] | None = None,
        shuffle_config: bool = True,
        allow_duplicates: bool = False,
    ):
        validate_parameters(self, locals())
        super().__init__(
            config_space, metric=metric, points_to_evaluate=points_to_evaluate, mode=mode, random_seed=random_seed
        )
        num_samples = dict(num_samples or {})
        check_keys(self, "num_samples", num_samples, config_space)
        for key, value in num_samples.items():
            check_parameter(self, f"num_samples[{key!r}]", value, [Interval(Integral, 1, None, closed="left")])
        self.num_samples = num_samples
        self._shuffle_config = bool(shuffle_config)
        self._allow_duplicates = bool(allow_duplicates)
        self._seen: set[str] = set()
        self._build_grid()

    # -- the grid ---------------------------------------------------------------
    def _values_of(self, name: str) -> list:
        """Grid values of one hyperparameter (the rule of the module docstring)."""
        hp_ranges = self._hp_ranges
        domain = hp_ranges.config_space[name]
        if not isinstance(domain, (Float, Integer)):
            if name in self.num_samples:
                logger.info("GridSearcher: num_samples of '%s' is ignored: all its values are used", name)
            return list(domain.values if isinstance(domain, FiniteRange) else domain.categories)
        n = self.num_samples.get(name, DEFAULT_NSAMPLE)
        if isinstance(domain, Integer):
            n = min(n, len(domain))
        start, _ = hp_ranges.encoded_ranges[name]
        X = np.zeros((n, hp_ranges.ndarray_size))
        X[:, start] = (np.arange(n) + 0.5) / n
        values = []
        for config in hp_ranges.from_ndarray_matrix(X):
            if config[name] not in values:
                values.append(config[name])
        return values

    def _build_grid(self) -> None:
        """Grid of the current hyperparameter ranges; restarts at its first point."""
        self._grid_for = self._hp_ranges
        self._grid_keys = non_constant_hyperparameter_keys(self.config_space)
        self._grid_values = [self._values_of(k) for k in self._grid_keys]
        self._grid_sizes = [len(v) for v in self._grid_values]
        self._num_grid = int(np.prod(self._grid_sizes)) if self._grid_sizes else 1
        self._order = np.arange(self._num_grid)
        if self._shuffle_config:
            self.random_state.shuffle(self._order)
        self._next_index = 0

    def _grid_point(self, flat_index: int) -> dict:
        config = {}
        for key, values, size in zip(reversed(self._grid_keys), reversed(self._grid_values), reversed(self._grid_sizes)):
            flat_index, pos = divmod(flat_index, size)
            config[key] = values[pos]
        return config

    @property
    def allow_duplicates(self) -> bool:
        return self._allow_duplicates

    def get_config(self, **kwargs) -> dict | None:
        """The next initial configuration, else the next grid point not
        suggested before; ``None`` once the grid is exhausted (unless
        ``allow_duplicates``)."""
        if self._grid_for is not self._hp_ranges:
            self._build_grid()
        config = self._next_initial_config()
        if config is None:
            config = self._next_grid_point()
        if config is None:
            logger.info("GridSearcher: all %d grid points have been suggested", self._num_grid)
            return None
        self._seen.add(self._hp_ranges.config_to_match_string(config))
        return self._with_constants(config)

    def _next_grid_point(self) -> dict | None:
        for _ in range(2):
            while self._next_index < self._num_grid:
                config = self._grid_point(int(self._order[self._next_index]))
                self._next_index += 1
                if self._hp_ranges.config_to_match_string(config) not in self._seen:
                    return config
            if not self._allow_duplicates:
                return None
            # Another round through the grid, the initial configs included
            self._next_index = 0
            self._seen = set()
        return None

    def _update(self, trial_id: int, config: dict, result: dict) -> None:
        pass

    # -- state ------------------------------------------------------------------
    def get_state(self) -> dict[str, Any]:
        state = super().get_state()
        state.update(
            next_index=self._next_index,
            seen=set(self._seen),
            grid=copy.deepcopy((self._grid_keys, self._grid_values, self._grid_sizes, self._num_grid, self._order)),
        )
        return state

    def _restore_from_state(self, state: dict[str, Any]) -> None:
        super()._restore_from_state(state)
        self._next_index = state["next_index"]
        self._seen = set(state["seen"])
        grid = copy.deepcopy(state["grid"])
        self._grid_keys, self._grid_values, self._grid_sizes, self._num_grid, self._order = grid
