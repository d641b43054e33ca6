"""Searchers: the part of a scheduler that picks configurations.

A scheduler (FIFO, Hyperband, ...) decides *when* trials run; its searcher
decides *what* they run. Every searcher derives from :class:`BaseSearcher`.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

from syne_tune.config_space import (
    Categorical,
    Domain,
    Float,
    Integer,
    check_config_in_space,
    config_space_size,
    config_to_match_string,
    is_log_space,
    non_constant_hyperparameter_keys,
    sample_configs,
)

logger = logging.getLogger(__name__)

MAX_SEED = 2**31 - 1
#: How often a duplicate-filtering searcher re-samples before giving up.
MAX_RETRIES_DUPLICATES = 100
#: Random configurations are drawn in batches of this size (one vectorised
#: draw per hyperparameter), which is much cheaper than one at a time.
SAMPLE_BATCH_SIZE = 64


def midpoint_value(domain: Domain):
    """The "default" value of a domain: the middle of its range (in log space
    for log domains), the first category of a categorical domain, or the
    middle value of an ordinal or finite-range domain."""
    from syne_tune.config_space import grid_values

    if type(domain) is Categorical:
        return domain.categories[0]
    if isinstance(domain, (Float, Integer)):
        lower, upper = float(domain.lower), float(domain.upper)
        if is_log_space(domain):
            mid = float(np.exp(0.5 * (np.log(lower) + np.log(upper))))
        else:
            mid = 0.5 * (lower + upper)
        if isinstance(domain, Integer):
            mid = int(round(mid))
        return domain.cast(mid)
    values = list(grid_values(domain, 3))
    return values[(len(values) - 1) // 2]


def impute_points_to_evaluate(points_to_evaluate: list[dict] | None, config_space: dict) -> list[dict]:
    """Complete and validate initial configurations.

    ``None`` means one configuration made of every domain's midpoint; ``[]``
    means none. Partial dicts are completed with midpoints; values must lie in
    the space.
    """
    if points_to_evaluate is None:
        points_to_evaluate = [{}]
    if not isinstance(points_to_evaluate, (list, tuple)):
        raise ValueError(f"points_to_evaluate must be a list of dicts, got {type(points_to_evaluate).__name__}")
    result = []
    for i, point in enumerate(points_to_evaluate):
        if not isinstance(point, dict):
            raise ValueError(f"points_to_evaluate[{i}] must be a dict, got {point!r}")
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
        check_config_in_space(config_space, config)
        result.append(config)
    return result


class BaseSearcher:
    """Abstract searcher.

    Parameters
    ----------
    config_space
        Configuration space.
    metric
        Name of the metric the searcher learns from.
    points_to_evaluate
        Configurations to suggest first (see :func:`impute_points_to_evaluate`).
    mode
        "min" or "max".
    """

    def __init__(
        self,
        config_space: dict,
        metric: str | list[str] | None = None,
        points_to_evaluate: list[dict] | None = None,
        mode: str | list[str] = "min",
    ):
        self.config_space = config_space
        self._metric = metric
        self._mode = mode
        self._points_to_evaluate = impute_points_to_evaluate(points_to_evaluate, config_space)

    def configure_scheduler(self, scheduler) -> None:
        """Called by the scheduler that owns this searcher (e.g. to read its
        metric, mode or resource attribute)."""

    def _next_initial_config(self) -> dict | None:
        if self._points_to_evaluate:
            return self._points_to_evaluate.pop(0)
        return None

    def get_config(self, **kwargs) -> dict | None:
        """Next configuration to evaluate, or ``None`` if there is none left."""
        raise NotImplementedError

    def on_trial_result(self, trial_id: int, config: dict, result: dict, update: bool) -> None:
        """A trial reported ``result``; ``update`` says whether to learn from it."""
        if update:
            self._update(trial_id, config, result)

    def _update(self, trial_id: int, config: dict, result: dict) -> None:
        """Learn from a result (model-based searchers)."""

    def register_pending(self, trial_id: int, config: dict | None = None, milestone=None) -> None:
        """A trial with ``config`` started (or will reach ``milestone``)."""

    def remove_case(self, trial_id: int, **kwargs) -> None:
        """Forget data of ``trial_id``."""

    def evaluation_failed(self, trial_id: int) -> None:
        """The evaluation of ``trial_id`` failed."""
        self.cleanup_pending(trial_id)

    def cleanup_pending(self, trial_id: int) -> None:
        """Drop pending evaluations of ``trial_id``."""

    def dataset_size(self) -> int:
        return 0

    def model_parameters(self) -> dict:
        return {}

    def get_state(self) -> dict[str, Any]:
        """Mutable state, for checkpointing the searcher."""
        return {"points_to_evaluate": list(self._points_to_evaluate)}

    def clone_from_state(self, state: dict[str, Any]) -> "BaseSearcher":
        raise NotImplementedError

    @property
    def debug_log(self):
        return None


class StochasticSearcher(BaseSearcher):
    """Searcher with its own seeded random state.

    Parameters
    ----------
    random_seed
        Seed of the random state; drawn at random if ``None``.
    """

    def __init__(self, config_space, metric=None, points_to_evaluate=None, mode="min", random_seed: int | None = None, **kwargs):
        super().__init__(config_space, metric=metric, points_to_evaluate=points_to_evaluate, mode=mode)
        if random_seed is None:
            random_seed = int(np.random.randint(0, MAX_SEED))
        if not isinstance(random_seed, (int, np.integer)) or random_seed < 0:
            raise ValueError(f"random_seed must be a non-negative integer, got {random_seed!r}")
        self.random_seed = int(random_seed)
        self.random_state = np.random.RandomState(self.random_seed)

    def get_state(self) -> dict[str, Any]:
        state = super().get_state()
        state["random_state"] = self.random_state.get_state()
        return state


class StochasticAndFilterDuplicatesSearcher(StochasticSearcher):
    """Stochastic searcher that never suggests the same configuration twice
    (unless ``allow_duplicates``), and can be restricted to a fixed list of
    configurations (``restrict_configurations``, e.g. the rows of a table).

    Returns ``None`` from :meth:`get_config` once a finite space is exhausted.
    """

    def __init__(
        self,
        config_space,
        metric=None,
        points_to_evaluate=None,
        mode="min",
        random_seed=None,
        allow_duplicates: bool = False,
        restrict_configurations: list[dict] | None = None,
        **kwargs,
    ):
        super().__init__(config_space, metric=metric, points_to_evaluate=points_to_evaluate, mode=mode, random_seed=random_seed)
        self.allow_duplicates = bool(allow_duplicates)
        self._hp_keys = non_constant_hyperparameter_keys(config_space)
        self._seen: set[str] = set()
        self._restrict = None
        if restrict_configurations is not None:
            if not restrict_configurations:
                raise ValueError("restrict_configurations must not be empty")
            self._restrict = [dict(c) for c in restrict_configurations]
            self._restrict_unused = list(range(len(self._restrict)))
            allowed = {self._match_string(c) for c in self._restrict}
            kept = [c for c in self._points_to_evaluate if self._match_string(c) in allowed]
            if points_to_evaluate is not None and len(kept) < len(self._points_to_evaluate):
                logger.warning(
                    "Dropping %d of points_to_evaluate: not among restrict_configurations",
                    len(self._points_to_evaluate) - len(kept),
                )
            self._points_to_evaluate = kept
        self._space_size = config_space_size(config_space)
        self._sample_buffer: list[dict] = []

    def _match_string(self, config: dict) -> str:
        return config_to_match_string(config, self.config_space, self._hp_keys)

    def _is_new(self, config: dict) -> bool:
        return self.allow_duplicates or self._match_string(config) not in self._seen

    def _remember_if_new(self, config: dict) -> bool:
        """Record ``config`` as suggested; ``False`` if it is a duplicate."""
        if self.allow_duplicates:
            return True
        key = self._match_string(config)
        if key in self._seen:
            return False
        self._seen.add(key)
        return True

    def _exhausted(self) -> bool:
        if self.allow_duplicates:
            return False
        if self._restrict is not None:
            return not self._restrict_unused
        return self._space_size is not None and len(self._seen) >= self._space_size

    def _sample(self) -> dict | None:
        """One random configuration (from the restricted list if given)."""
        if self._restrict is not None:
            if self.allow_duplicates:
                return dict(self._restrict[self.random_state.randint(len(self._restrict))])
            while self._restrict_unused:
                pos = self.random_state.randint(len(self._restrict_unused))
                idx = self._restrict_unused[pos]
                self._restrict_unused[pos] = self._restrict_unused[-1]
                self._restrict_unused.pop()
                config = self._restrict[idx]
                if self._is_new(config):
                    return dict(config)
            return None
        if not self._sample_buffer:
            self._sample_buffer = sample_configs(self.config_space, SAMPLE_BATCH_SIZE, self.random_state)
            self._sample_buffer.reverse()
        return self._sample_buffer.pop()

    def _next_config(self) -> dict | None:
        """Initial configs first, then new random ones; ``None`` if exhausted."""
        while True:
            config = self._next_initial_config()
            if config is None:
                break
            if self._remember_if_new(config):
                return config
        for _ in range(MAX_RETRIES_DUPLICATES):
            if self._exhausted():
                return None
            config = self._sample()
            if config is None:
                return None
            if self._remember_if_new(config):
                return config
        logger.warning("Could not find a new configuration after %d tries; the space seems exhausted", MAX_RETRIES_DUPLICATES)
        return None


class RandomSearcher(StochasticAndFilterDuplicatesSearcher):
    """Samples configurations uniformly at random from the space (after any
    ``points_to_evaluate``), without duplicates unless ``allow_duplicates``."""

    def __init__(self, config_space, metric=None, points_to_evaluate=None, mode="min", random_seed=None, allow_duplicates=False, restrict_configurations=None, resource_attr=None, debug_log=False, **kwargs):
        super().__init__(
            config_space,
            metric=metric,
            points_to_evaluate=points_to_evaluate,
            mode=mode,
            random_seed=random_seed,
            allow_duplicates=allow_duplicates,
            restrict_configurations=restrict_configurations,
        )
        self.resource_attr = resource_attr

    def get_config(self, **kwargs) -> dict | None:
        return self._next_config()


DEFAULT_GRID_SAMPLES = 5


class GridSearcher(StochasticSearcher):
    """Enumerates the grid of all configurations, after ``points_to_evaluate``.

    Parameters
    ----------
    num_samples
        For continuous (or very large) domains, the number of grid values per
        hyperparameter name (default 5, log-spaced for log domains). Finite
        domains use all their values.
    shuffle_config
        Visit the grid in a random (seeded) order instead of lexicographically.
    allow_duplicates
        If ``False``, grid points equal to an initial configuration are skipped.
    """

    def __init__(self, config_space, metric=None, points_to_evaluate=None, mode="min", num_samples: dict | None = None, shuffle_config: bool = True, allow_duplicates: bool = False, random_seed=None, **kwargs):
        super().__init__(config_space, metric=metric, points_to_evaluate=points_to_evaluate, mode=mode, random_seed=random_seed)
        from syne_tune.config_space import grid_values

        num_samples = dict(num_samples or {})
        unknown = [k for k in num_samples if k not in config_space]
        if unknown:
            raise ValueError(f"num_samples has keys not in the config space: {unknown}")
        for k, v in num_samples.items():
            if not isinstance(v, (int, np.integer)) or v < 1:
                raise ValueError(f"num_samples[{k!r}] must be a positive integer, got {v!r}")
        self._hp_keys = non_constant_hyperparameter_keys(config_space)
        self._values = [grid_values(config_space[k], num_samples.get(k, DEFAULT_GRID_SAMPLES)) for k in self._hp_keys]
        self._sizes = [len(v) for v in self._values]
        self._num_grid = int(np.prod(self._sizes)) if self._sizes else 1
        self._order = np.arange(self._num_grid)
        if shuffle_config:
            self.random_state.shuffle(self._order)
        self._next_index = 0
        self.allow_duplicates = bool(allow_duplicates)
        self._seen: set[str] = set()

    def _grid_point(self, flat_index: int) -> dict:
        config = {k: v for k, v in self.config_space.items() if not isinstance(v, Domain)}
        for key, values, size in zip(reversed(self._hp_keys), reversed(self._values), reversed(self._sizes)):
            flat_index, pos = divmod(flat_index, size)
            config[key] = values[pos]
        return config

    def get_config(self, **kwargs) -> dict | None:
        config = self._next_initial_config()
        if config is not None:
            self._seen.add(config_to_match_string(config, self.config_space, self._hp_keys))
            return config
        while self._next_index < self._num_grid:
            config = self._grid_point(int(self._order[self._next_index]))
            self._next_index += 1
            key = config_to_match_string(config, self.config_space, self._hp_keys)
            if self.allow_duplicates or key not in self._seen:
                self._seen.add(key)
                return config
        return None


#: Searcher name -> class (or factory); later issues register model-based ones.
SEARCHER_REGISTRY: dict[str, Any] = {
    "random": RandomSearcher,
    "random_search": RandomSearcher,
    "grid": GridSearcher,
}


#: Searchers registered when their (heavier) module is first needed.
_LAZY_SEARCHER_MODULES = {"bayesopt": "syne_tune.optimizer.schedulers.searchers.bayesopt"}


def register_searcher(name: str, factory) -> None:
    """Make a searcher available by name to :func:`searcher_factory`."""
    SEARCHER_REGISTRY[name] = factory


def searcher_factory(searcher_name: str, **kwargs) -> BaseSearcher:
    """Create a searcher from its name (``"random"``, ``"grid"``, ...)."""
    factory = SEARCHER_REGISTRY.get(searcher_name)
    if factory is None and searcher_name in _LAZY_SEARCHER_MODULES:
        import importlib

        importlib.import_module(_LAZY_SEARCHER_MODULES[searcher_name])  # registers itself
        factory = SEARCHER_REGISTRY.get(searcher_name)
    if factory is None:
        raise ValueError(f"Unknown searcher {searcher_name!r}; known searchers: {sorted(SEARCHER_REGISTRY)}")
    return factory(**kwargs)
