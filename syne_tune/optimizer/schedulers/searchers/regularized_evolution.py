"""Regularized evolution (REA; Real et al., AAAI 2019, "Regularized Evolution
for Image Classifier Architecture Search", Algorithm 1).

The *population* is a FIFO queue of the ``population_size`` most recent
results (configuration and metric value). A new result is appended; once the
queue holds more than ``population_size`` members, the *oldest* one is
removed, whatever its value ("aging": the regularization of the paper).
:meth:`RegularizedEvolution.get_config`:

1. the remaining ``points_to_evaluate``;
2. while the population has fewer than ``population_size`` members (fewer
   results than that have arrived): a random configuration. This is the
   initial loop of Algorithm 1 (random architectures until the population is
   full), also what Syne Tune does; suggestions made while results are still
   outstanding are random as well;
3. otherwise (*evolution*): draw ``min(sample_size, population_size)``
   members uniformly at random **without replacement** (Algorithm 1 and
   Syne Tune draw with replacement, so a member may appear twice; without
   replacement the sample holds ``sample_size`` distinct members, which is
   what "a sample of size S" suggests and makes the best-of-sample rule
   slightly more selective), take the best one (smallest value for
   ``mode="min"``, largest for ``"max"``; on ties the first drawn) as the
   *parent*, and mutate exactly one hyperparameter of it:

   * the hyperparameter is chosen uniformly among the *mutable* ones: those
     of the space with more than one value (constants and single-valued
     domains never change);
   * its new value is drawn from the domain's own sampler (uniform, or
     log-uniform for log domains; quantized domains stay on their grid),
     redrawn until its match string differs from the parent's value. For a
     categorical (and an ordinal, or finite-range) domain this is a uniformly
     chosen *different* value; for a float or an integer, a uniform resample
     of the range conditioned on being different. This is what Syne Tune
     does ("for integer and float parameters we sample a new value uniformly
     at random") and generalizes the paper's mutations (replace one
     operation by a random different one); no local perturbation in the
     encoded space is used.

   If the child was suggested before (and ``allow_duplicates`` is off), the
   mutation is drawn again (hyperparameter and value), up to
   :data:`MAX_MUTATION_TRIES` times per parent; then a new sample and parent
   are drawn, up to :data:`MAX_PARENT_TRIES` parents; after that a random
   configuration is suggested (``None`` once the space is exhausted).

With ``restrict_configurations``, only those configurations are suggested.
The child of a parent is then chosen among the *candidates*: the restricted
configurations not suggested before (all of them with ``allow_duplicates``,
except those of failed trials) that differ from the parent. If some
candidates differ from the parent in exactly one hyperparameter, a
hyperparameter is chosen uniformly among those in which such a candidate
differs, then one of these candidates uniformly (the restricted analogue of
the rule above). Otherwise the candidate nearest to the parent in the
encoded space (Euclidean distance between
:meth:`~syne_tune.optimizer.schedulers.searchers.utils.HyperparameterRanges.to_ndarray_matrix`
rows, found with :class:`scipy.spatial.cKDTree`) is the child. Two encoded
values count as different when they differ by more than ``1e-12``.

A result of a trial already in the population replaces that member's value
and configuration in place (its age is kept); :meth:`remove_case` removes the
trial's member. Results without a finite metric value are ignored (with a
warning). The population is part of :meth:`get_state`, so a clone or a
pickled copy continues with the same suggestions.

The model is single-fidelity (:attr:`single_fidelity_model`): every result
passed with ``update=True`` is taken as the final value of its
configuration, so multi-fidelity schedulers are refused.
"""

from __future__ import annotations

import copy
import logging
import math
from collections import deque
from numbers import Integral
from typing import Any

import numpy as np

from syne_tune.config_space import is_valid_config
from syne_tune.optimizer.schedulers.searchers.searcher import _MODES
from syne_tune.optimizer.schedulers.searchers.searcher_base import StochasticAndFilterDuplicatesSearcher
from syne_tune.utils.validation import Interval, InvalidParameterError, validate_parameters

__all__ = ["RegularizedEvolution", "MAX_MUTATION_TRIES", "MAX_PARENT_TRIES"]

logger = logging.getLogger(__name__)

#: Mutations of one parent tried before another parent is drawn.
MAX_MUTATION_TRIES = 20
#: Parents drawn before a random configuration is suggested instead.
MAX_PARENT_TRIES = 5
#: Values drawn at once when resampling a hyperparameter.
_RESAMPLE_BATCH = 16
#: Batches of resampled values before giving up on a hyperparameter.
_RESAMPLE_BATCHES = 8
#: Encoded values further apart than this differ.
_ENCODED_TOL = 1e-12


class RegularizedEvolution(StochasticAndFilterDuplicatesSearcher):
    """Regularized evolution (see the module docstring for the algorithm).

    Parameters
    ----------
    config_space
        Configuration space.
    metric
        Name of the metric to optimize.
    points_to_evaluate
        Configurations suggested first (``None``: one of midpoint values).
    mode
        ``"min"`` or ``"max"``.
    population_size
        Number of most recent results forming the population (default 100).
    sample_size
        Members drawn (without replacement) to pick a parent from (default
        10); at most ``population_size``.
    random_seed
        Seed of the searcher's random state (drawn at random if ``None``).
    allow_duplicates
        If ``True``, a configuration may be suggested more than once.
    restrict_configurations
        If given, only these configurations are suggested.

    Raises
    ------
    InvalidParameterError
        If an argument has the wrong type or value (e.g.
        ``sample_size > population_size``).
    """

    single_fidelity_model = True

    _parameter_constraints = {
        "metric": [str],
        "mode": [_MODES],
        "population_size": [Interval(Integral, 1, None, closed="left")],
        "sample_size": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        config_space: dict,
        metric: str,
        points_to_evaluate: list[dict] | None = None,
        mode: str = "min",
        population_size: int = 100,
        sample_size: int = 10,
        random_seed: int | None = None,
        allow_duplicates: bool | None = None,
        restrict_configurations: list[dict] | None = None,
    ):
        validate_parameters(self, locals())
        if sample_size > population_size:
            raise InvalidParameterError(
                f"The 'sample_size' parameter of {type(self).__name__} must be at most population_size="
                f"{population_size}. Got {sample_size!r} instead."
            )
        super().__init__(
            config_space,
            metric=metric,
            points_to_evaluate=points_to_evaluate,
            mode=mode,
            random_seed=random_seed,
            allow_duplicates=allow_duplicates,
            restrict_configurations=restrict_configurations,
        )
        self.population_size = int(population_size)
        self.sample_size = int(sample_size)
        # members (trial_id, hyperparameters, raw metric value), oldest first
        self._population: deque = deque()
        self._restrict_X_for = None
        self._restrict_X = None

    # -- population ------------------------------------------------------------
    @property
    def population(self) -> list[tuple[Any, dict, float]]:
        """The members ``(trial_id, config, value)``, oldest first (a copy)."""
        return [(t, dict(c), v) for t, c, v in self._population]

    def _signed(self, value: float) -> float:
        return -value if self._mode == "max" else value

    def _value_of(self, trial_id: int, result: dict) -> Any:
        """The value a member of the population keeps for ``result``, or
        ``None`` if the result is to be ignored (non-finite metric).

        Raises
        ------
        ValueError
            If ``result`` lacks the metric.
        """
        if self._metric not in result:
            raise ValueError(
                f"{type(self).__name__}: the result of trial {trial_id} lacks the metric {self._metric!r}; "
                f"it reported {sorted(result)}"
            )
        value = float(result[self._metric])
        if not math.isfinite(value):
            logger.warning("%s: ignoring non-finite %s of trial %s", type(self).__name__, self._metric, trial_id)
            return None
        return value

    def _update(self, trial_id: int, config: dict, result: dict) -> None:
        value = self._value_of(trial_id, result)
        if value is None:
            return
        if not is_valid_config(self._hp_ranges.config_space, config):
            logger.warning(
                "%s: ignoring result of trial %s: config %s is not in the space", type(self).__name__, trial_id, config
            )
            return
        member = (trial_id, {k: config[k] for k in self._hp_ranges.internal_keys}, value)
        for pos, (other, _, _) in enumerate(self._population):
            if other == trial_id:
                self._population[pos] = member
                return
        self._population.append(member)
        while len(self._population) > self.population_size:
            self._population.popleft()

    def remove_case(self, trial_id: int, **kwargs) -> None:
        self._population = deque(m for m in self._population if m[0] != trial_id)

    def dataset_size(self) -> int:
        return len(self._population)

    # -- suggestions -------------------------------------------------------------
    def _get_config(self, **kwargs) -> dict | None:
        config = self._next_new_initial_config()
        if config is not None:
            return config
        if len(self._population) < self.population_size:
            return self._get_random_config()
        if self._exhausted():
            return None
        for _ in range(MAX_PARENT_TRIES):
            child = self._mutate(self._select_parent())
            if child is not None:
                return child
        return self._get_random_config()

    def _select_parent(self) -> dict:
        """The best of ``sample_size`` members drawn without replacement."""
        members = list(self._population)
        size = min(self.sample_size, len(members))
        sample = self.random_state.choice(len(members), size=size, replace=False)
        return dict(members[int(sample[self._best_in_sample(sample)])][1])

    def _best_in_sample(self, sample: np.ndarray) -> int:
        """Position in ``sample`` (indices into the population, in the order
        drawn) of the parent: the smallest signed value, the first on ties."""
        members = self._population
        scores = np.array([self._signed(members[int(i)][2]) for i in sample])
        return int(np.argmin(scores))

    def _mutable_keys(self) -> list[str]:
        """Hyperparameters with more than one value (``len`` 0: continuous)."""
        space = self._hp_ranges.config_space
        return [k for k in self._hp_ranges.internal_keys if len(space[k]) != 1]

    def _mutate(self, parent: dict) -> dict | None:
        """A child of ``parent`` not rejected by :meth:`should_not_suggest`,
        or ``None``."""
        if self._restrict is not None:
            return self._mutate_restricted(parent)
        keys = self._mutable_keys()
        if not keys:
            return None
        for _ in range(MAX_MUTATION_TRIES):
            key = keys[self.random_state.randint(len(keys))]
            value = self._new_value(key, parent[key])
            if value is None:
                continue
            child = dict(parent)
            child[key] = value
            if not self.should_not_suggest(child):
                return child
        return None

    def _new_value(self, key: str, current: Any) -> Any:
        """A value of ``key``'s domain (its sampler) whose match string
        differs from that of ``current``; ``None`` if none was drawn."""
        domain = self._hp_ranges.config_space[key]
        old = domain.match_string(current)
        for _ in range(_RESAMPLE_BATCHES):
            for value in domain.sample_array(_RESAMPLE_BATCH, self.random_state).tolist():
                if domain.match_string(value) != old:
                    return domain.cast(value)
        return None

    def _mutate_restricted(self, parent: dict) -> dict | None:
        """The child of ``parent`` among the restricted configurations (rule
        in the module docstring)."""
        if self._restrict_X_for is not self._hp_ranges:
            self._restrict_X_for = self._hp_ranges
            self._restrict_X = self._hp_ranges.to_ndarray_matrix(self._restrict)
        pool = np.arange(len(self._restrict)) if self._allow_duplicates else np.asarray(self._restrict_unused, int)
        if pool.size == 0:
            return None
        X = self._restrict_X[pool]
        p = self._hp_ranges.to_ndarray_matrix([parent])[0]
        differs = np.abs(X - p) > _ENCODED_TOL
        ranges = self._hp_ranges.encoded_ranges
        starts = np.array([ranges[k][0] for k in self._hp_ranges.internal_keys], dtype=int)
        per_key = np.logical_or.reduceat(differs, starts, axis=1) if X.shape[1] else np.zeros((len(X), 0), bool)
        num_diff = per_key.sum(axis=1)
        # Candidates are checked against should_not_suggest one at a time, as
        # they are drawn (checking the whole pool costs a match string per
        # restricted configuration and suggestion).
        single = np.flatnonzero(num_diff == 1)
        while single.size:
            changed = np.argmax(per_key[single], axis=1)  # the hyperparameter each one changes
            keys = np.unique(changed)
            key = keys[self.random_state.randint(len(keys))]
            options = single[changed == key]
            pos = int(options[self.random_state.randint(len(options))])
            if not self.should_not_suggest(self._restrict[int(pool[pos])]):
                break
            single = single[single != pos]
        else:
            others = np.flatnonzero(num_diff >= 1)
            if others.size == 0:
                return None
            from scipy.spatial import cKDTree

            _, nearest = cKDTree(X[others]).query(p, k=len(others))
            for k in np.atleast_1d(nearest):
                pos = int(others[int(k)])
                if not self.should_not_suggest(self._restrict[int(pool[pos])]):
                    break
            else:
                return None
        idx = int(pool[pos])
        if not self._allow_duplicates:
            self._restrict_unused.remove(idx)
        return dict(self._restrict[idx])

    # -- state ---------------------------------------------------------------------
    def get_state(self) -> dict[str, Any]:
        state = super().get_state()
        state["population"] = copy.deepcopy(list(self._population))
        return state

    def _restore_from_state(self, state: dict[str, Any]) -> None:
        super()._restore_from_state(state)
        self._population = deque(copy.deepcopy(state["population"]))
        self._restrict_X_for = None
