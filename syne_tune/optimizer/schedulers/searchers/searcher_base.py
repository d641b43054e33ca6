"""Base classes of searchers that draw random configurations.

* :class:`StochasticSearcher`: owns a seeded :attr:`random_state` used for
  every random decision, so the same seed gives the same suggestions.
* :class:`StochasticAndFilterDuplicatesSearcher`: adds duplicate filtering
  and ``restrict_configurations``. :meth:`get_config` returns what the
  subclass's :meth:`_get_config` proposes and, unless ``allow_duplicates``,
  remembers it (by its match string, see
  :meth:`~syne_tune.optimizer.schedulers.searchers.utils.HyperparameterRanges.config_to_match_string`)
  so that :meth:`should_not_suggest` rejects it later. With
  ``allow_duplicates``, only configurations of failed trials are rejected.
  Random configurations come from :meth:`_get_random_config`: up to
  :data:`MAX_RETRIES` draws from the current hyperparameter ranges (drawn in
  batches of :data:`SAMPLE_BATCH_SIZE`) until one is not rejected; ``None``
  once a finite space (or the list ``restrict_configurations``) is exhausted.
"""

from __future__ import annotations

import abc
import copy
import logging
from numbers import Integral
from typing import Any

import numpy as np

from syne_tune.config_space import config_space_size
from syne_tune.optimizer.schedulers.searchers.searcher import BaseSearcher
from syne_tune.utils.validation import Interval, InvalidParameterError, validate_parameters

__all__ = ["StochasticSearcher", "StochasticAndFilterDuplicatesSearcher", "MAX_SEED", "MAX_RETRIES"]

logger = logging.getLogger(__name__)

#: Seeds drawn when none is given lie in ``[0, MAX_SEED)``.
MAX_SEED = 2**31 - 1
#: Largest seed numpy's ``RandomState`` accepts.
_SEED_UPPER = 2**32 - 1
#: Draws of a random configuration before the space counts as exhausted.
MAX_RETRIES = 100
#: Random configurations are drawn in batches of this size (one vectorised
#: draw per hyperparameter), which is much cheaper than one at a time.
SAMPLE_BATCH_SIZE = 64


class StochasticSearcher(BaseSearcher):
    """Searcher with its own seeded random state (:attr:`random_state`).

    Parameters
    ----------
    config_space, metric, points_to_evaluate, mode
        See :class:`~syne_tune.optimizer.schedulers.searchers.BaseSearcher`.
    random_seed
        Seed of :attr:`random_state`; drawn at random if ``None``.
    """

    _parameter_constraints = {"random_seed": [Interval(Integral, 0, _SEED_UPPER, closed="both"), None]}

    def __init__(
        self,
        config_space: dict,
        metric: str | list[str],
        points_to_evaluate: list[dict] | None = None,
        mode: str | list[str] = "min",
        random_seed: int | None = None,
    ):
        validate_parameters(self, locals())
        super().__init__(config_space, metric=metric, points_to_evaluate=points_to_evaluate, mode=mode)
        if random_seed is None:
            random_seed = int(np.random.randint(0, MAX_SEED))
        self.random_seed = int(random_seed)
        self.random_state = np.random.RandomState(self.random_seed)

    def set_random_state(self, random_state: np.random.RandomState) -> None:
        """Use ``random_state`` for all random decisions from now on."""
        self.random_state = random_state

    def get_state(self) -> dict[str, Any]:
        state = super().get_state()
        state["random_state"] = self.random_state.get_state()
        return state

    def _restore_from_state(self, state: dict[str, Any]) -> None:
        super()._restore_from_state(state)
        self.random_state = np.random.RandomState()
        self.random_state.set_state(state["random_state"])


class StochasticAndFilterDuplicatesSearcher(StochasticSearcher):
    """Stochastic searcher that filters duplicates (see the module docstring).

    Subclasses implement :meth:`_get_config` instead of :meth:`get_config`.

    Parameters
    ----------
    config_space, metric, points_to_evaluate, mode, random_seed
        See :class:`StochasticSearcher`.
    allow_duplicates
        If ``True``, a configuration may be suggested more than once (except
        configurations of failed trials). ``None`` means ``False``.
    restrict_configurations
        If given, only these configurations are suggested (after
        ``points_to_evaluate``, which are kept only if they are in the list).
    """

    _parameter_constraints = {
        "allow_duplicates": ["boolean", None],
        "restrict_configurations": [list, None],
    }

    def __init__(
        self,
        config_space: dict,
        metric: str | list[str],
        points_to_evaluate: list[dict] | None = None,
        mode: str | list[str] = "min",
        random_seed: int | None = None,
        allow_duplicates: bool | None = None,
        restrict_configurations: list[dict] | None = None,
    ):
        validate_parameters(self, locals())
        super().__init__(
            config_space, metric=metric, points_to_evaluate=points_to_evaluate, mode=mode, random_seed=random_seed
        )
        self._allow_duplicates = bool(allow_duplicates)
        # Match strings of configurations not to suggest again
        self._seen: set[str] = set()
        self._last_match: tuple | None = None  # (config, ranges, key) of the latest key
        # trial_id -> config (only with allow_duplicates: to block failed ones)
        self._config_for_trial_id: dict = {}
        self._restrict = None
        self._restrict_unused: list[int] = []
        if restrict_configurations is not None:
            self._set_restrict_configurations(restrict_configurations, points_to_evaluate is not None)
        # Random configurations drawn ahead, and the ranges they come from
        self._sample_buffer: list[dict] = []
        self._buffer_for = None
        self._size_for = None
        self._space_size = None

    def _set_restrict_configurations(self, configs: list[dict], warn: bool) -> None:
        if not configs:
            raise InvalidParameterError(
                f"The 'restrict_configurations' parameter of {type(self).__name__} must be a non-empty "
                "list of configurations. Got [] instead."
            )
        self._restrict = [dict(c) for c in configs]
        self._restrict_unused = list(range(len(self._restrict)))
        allowed = {self._match_string(c) for c in self._restrict}
        kept = [c for c in self._points_to_evaluate if self._match_string(c) in allowed]
        if warn and len(kept) < len(self._points_to_evaluate):
            logger.warning(
                "Dropping %d of points_to_evaluate: not among restrict_configurations",
                len(self._points_to_evaluate) - len(kept),
            )
        self._points_to_evaluate = kept

    @property
    def allow_duplicates(self) -> bool:
        """Whether a configuration may be suggested more than once."""
        return self._allow_duplicates

    # -- duplicate filtering --------------------------------------------------
    def _match_string(self, config: dict) -> str:
        # the configuration just checked by should_not_suggest is usually the
        # one suggested next: its key is computed once
        ranges = self._hp_ranges
        last = self._last_match
        if last is not None and last[0] is config and last[1] is ranges:
            return last[2]
        key = ranges.config_to_match_string(config)
        self._last_match = (config, ranges, key)
        return key

    def should_not_suggest(self, config: dict) -> bool:
        """Whether ``config`` was suggested before (or, with
        ``allow_duplicates``, belongs to a failed trial)."""
        return self._match_string(config) in self._seen

    def get_config(self, **kwargs) -> dict | None:
        """The configuration proposed by :meth:`_get_config` (completed with
        the constants of the space), remembered unless ``allow_duplicates``."""
        config = self._get_config(**kwargs)
        if config is None:
            return None
        if not self._allow_duplicates:
            self._seen.add(self._match_string(config))
        return self._with_constants(config)

    @abc.abstractmethod
    def _get_config(self, **kwargs) -> dict | None:
        """The next configuration (hyperparameters at least), or ``None``; it
        must not be one that :meth:`should_not_suggest` rejects."""

    def _next_new_initial_config(self) -> dict | None:
        """The next initial configuration not rejected by :meth:`should_not_suggest`."""
        while True:
            config = self._next_initial_config()
            if config is None or not self.should_not_suggest(config):
                return config

    def _exhausted(self) -> bool:
        """Whether every configuration has been suggested (never with
        ``allow_duplicates``)."""
        if self._allow_duplicates:
            return False
        if self._restrict is not None:
            return not self._restrict_unused
        if self._size_for is not self._hp_ranges:
            self._size_for = self._hp_ranges
            self._space_size = config_space_size(self._hp_ranges.config_space)
        return self._space_size is not None and len(self._seen) >= self._space_size

    def _draw(self) -> dict | None:
        """One random configuration (from ``restrict_configurations`` if given),
        ``None`` if that list is used up."""
        if self._restrict is not None:
            if self._allow_duplicates:
                return dict(self._restrict[self.random_state.randint(len(self._restrict))])
            while self._restrict_unused:
                pos = self.random_state.randint(len(self._restrict_unused))
                idx = self._restrict_unused[pos]
                self._restrict_unused[pos] = self._restrict_unused[-1]
                self._restrict_unused.pop()
                config = self._restrict[idx]
                if not self.should_not_suggest(config):
                    return dict(config)
            return None
        if self._buffer_for is not self._hp_ranges or not self._sample_buffer:
            self._buffer_for = self._hp_ranges
            self._sample_buffer = self._hp_ranges.random_configs(self.random_state, SAMPLE_BATCH_SIZE)
            self._sample_buffer.reverse()
        return self._sample_buffer.pop()

    def _get_random_config(self) -> dict | None:
        """A random configuration that :meth:`should_not_suggest` accepts, or
        ``None`` if the space seems exhausted."""
        for _ in range(MAX_RETRIES):
            if self._exhausted():
                return None
            config = self._draw()
            if config is None:
                return None
            if not self.should_not_suggest(config):
                return config
        logger.warning(
            "%s: no new configuration after %d random draws; the space seems exhausted",
            type(self).__name__,
            MAX_RETRIES,
        )
        return None

    # -- events -----------------------------------------------------------------
    def register_pending(self, trial_id: int, config: dict | None = None, milestone=None) -> None:
        if self._allow_duplicates and config is not None:
            self._config_for_trial_id.setdefault(trial_id, config)

    def evaluation_failed(self, trial_id: int) -> None:
        super().evaluation_failed(trial_id)
        if self._allow_duplicates and trial_id in self._config_for_trial_id:
            self._seen.add(self._match_string(self._config_for_trial_id[trial_id]))

    # -- state ------------------------------------------------------------------
    def get_state(self) -> dict[str, Any]:
        state = super().get_state()
        state.update(
            seen=set(self._seen),
            config_for_trial_id=copy.deepcopy(self._config_for_trial_id),
            restrict_unused=list(self._restrict_unused),
            sample_buffer=copy.deepcopy(self._sample_buffer),
        )
        return state

    def _restore_from_state(self, state: dict[str, Any]) -> None:
        super()._restore_from_state(state)
        self._seen = set(state["seen"])
        self._config_for_trial_id = copy.deepcopy(state["config_for_trial_id"])
        self._restrict_unused = list(state["restrict_unused"])
        self._sample_buffer = copy.deepcopy(state["sample_buffer"])
