"""NSGA-II as an asynchronous searcher (Deb, Pratap, Agarwal and Meyarivan
2002, "A fast and elitist multiobjective genetic algorithm: NSGA-II").

Every objective is turned into one to minimize (``"max"`` metrics are
negated). The *crowded comparison* of NSGA-II orders points by their
non-dominated rank (front index, smaller is better, see
:func:`~syne_tune.optimizer.schedulers.multiobjective.non_dominated.nondominated_ranks`)
and, within a rank, by crowding distance (larger is better), the crowding
distance of a point being computed among the points of its own front
(:func:`~syne_tune.optimizer.schedulers.multiobjective.non_dominated.crowding_distance`);
remaining ties go to the point that comes first (older, or drawn first).
:func:`rank_and_crowding`, :func:`crowded_order` and
:func:`crowded_tournament` implement it; the multi-objective regularized
evolution searcher uses them too.

Generations (asynchronous)
--------------------------
Results (``update=True``, every one taken as final) are collected in the
*offspring* list in the order they arrive. As soon as it holds
``population_size`` members, a generation is formed (elitist survival): the
population becomes the ``population_size`` best members of
``population + offspring`` in crowded-comparison order (the old population
first, so on a complete tie the older member survives), and the offspring
list is emptied. The first generation is thus made of the first
``population_size`` results: the ``points_to_evaluate``, then random
configurations. With several workers, trials still running when a
generation forms simply join the offspring list of the next one when their
results arrive; a trial whose result arrives again replaces its value in
place; :meth:`NSGA2Searcher.remove_case` drops a trial from both lists.

Suggestions
-----------
1. The remaining ``points_to_evaluate``.
2. Random configurations while there is no population yet (before the
   first ``population_size`` results have arrived).
3. Otherwise an offspring: two parents, each the winner of a binary
   tournament (two distinct members drawn uniformly without replacement,
   the better in crowded comparison wins; ranks and crowding distances are
   those of the current population), recombined and mutated:

   * *numerical* hyperparameters (``Float``, ``Integer``, ``FiniteRange``,
     ``Ordinal``, ``OrdinalNearestNeighbor``: one ordered coordinate ``y`` of
     the ``[0, 1]`` encoding of
     :class:`~syne_tune.optimizer.schedulers.searchers.utils.HyperparameterRanges`,
     log-scaled for log domains): with probability ``crossover_probability``
     simulated binary crossover (SBX, Deb and Agrawal 1995, bounded form of
     Deb's NSGA-II code, index ``crossover_eta``); each coordinate is crossed
     with probability 1/2 (if the parents differ by more than ``1e-14``): with
     ``y1 <= y2`` the parents' values, ``d = y2 - y1``, ``u ~ U(0, 1)``,
     ``e = crossover_eta + 1``, for each side
     ``beta = 1 + 2 (y1 - 0) / d`` (lower) or ``1 + 2 (1 - y2) / d`` (upper),
     ``alpha = 2 - beta^(-e)``,
     ``beta_q = (u alpha)^(1/e)`` if ``u <= 1/alpha`` else
     ``(1 / (2 - u alpha))^(1/e)``, children
     ``c1 = (y1 + y2 - beta_q,lower d) / 2``,
     ``c2 = (y1 + y2 + beta_q,upper d) / 2``, clipped to ``[0, 1]``; the child
     takes ``c1`` or ``c2`` with probability 1/2 each. Then, per coordinate
     with probability ``mutation_probability``, polynomial mutation (Deb and
     Goyal 1996, bounded form, index ``mutation_eta``): ``u ~ U(0, 1)``,
     ``e = mutation_eta + 1``,
     ``delta_q = (2u + (1 - 2u)(1 - y)^e)^(1/e) - 1`` if ``u < 1/2`` else
     ``1 - (2(1 - u) + 2(u - 1/2) y^e)^(1/e)``, ``y <- clip(y + delta_q, 0, 1)``.
     The coordinate is decoded by the encoding (rounded for integers and
     finite sets);
   * *categorical* hyperparameters (``Categorical`` that are not ordinal):
     with probability ``crossover_probability`` uniform crossover (the value
     of either parent with probability 1/2), then, with probability
     ``mutation_probability``, random reset to a uniformly chosen *different*
     category.

   Crossover happens (or not) for the whole offspring at once; the first
   parent supplies every value that is not crossed. ``mutation_probability``
   defaults to ``1 / d``, ``d`` the number of hyperparameters (Deb et al.).
   An offspring suggested before (unless ``allow_duplicates``) is drawn
   again, new parents included, up to :data:`MAX_OFFSPRING_TRIES` times; then
   a random configuration is suggested (``None`` once the space is
   exhausted).

With ``restrict_configurations``, an offspring is mapped to the nearest
restricted configuration not suggested before (any but those of failed
trials with ``allow_duplicates``), nearest in Euclidean distance of the
encodings (:class:`scipy.spatial.cKDTree`).

Differences
-----------
Syne Tune 0.13 wraps pymoo's NSGA-II with its mixed-variable operators; it is
generational (it raises if a configuration is asked for while a generation is
still pending) and ignores ``points_to_evaluate``. This searcher is
asynchronous as described above, starts with ``points_to_evaluate``,
implements its own operators (numpy only: SBX and polynomial mutation on the
encoded coordinates, which handles log domains and integers alike, instead
of pymoo's per-type operators in the original scale) and filters duplicates
with the library's match strings. Default indices: ``crossover_eta=15``,
``mutation_eta=20`` (pymoo's defaults; Deb et al. 2002 use 20 and 20), and
``crossover_probability=0.9`` (Deb et al.). ``population_size >= 2`` (a
tournament needs two members).

Results without a finite value for every metric are ignored (with a
warning). The searcher is single-fidelity (:attr:`single_fidelity_model`).
The population, the offspring list and the random state are part of
:meth:`~NSGA2Searcher.get_state`, so a clone or a pickled copy continues with
the same suggestions.
"""

from __future__ import annotations

import copy
import logging
import math
from numbers import Integral, Real
from typing import Any, Sequence

import numpy as np

from syne_tune.config_space import Categorical, Ordinal, is_valid_config
from syne_tune.optimizer.schedulers.multiobjective.non_dominated import crowding_distance, nondominated_ranks
from syne_tune.optimizer.schedulers.searchers.searcher import _MODES
from syne_tune.optimizer.schedulers.searchers.searcher_base import StochasticAndFilterDuplicatesSearcher
from syne_tune.utils.validation import Interval, validate_parameters

__all__ = [
    "NSGA2Searcher",
    "MAX_OFFSPRING_TRIES",
    "metric_names",
    "objective_signs",
    "read_objectives",
    "signed_objectives",
    "rank_and_crowding",
    "crowded_order",
    "crowded_tournament",
    "sbx_crossover",
    "polynomial_mutation",
]

logger = logging.getLogger(__name__)

#: Offspring drawn before a random configuration is suggested instead.
MAX_OFFSPRING_TRIES = 20
#: Parents closer than this in a coordinate are not crossed (SBX).
_SBX_TOL = 1e-14


# -- objectives and the crowded comparison -------------------------------------------
def metric_names(metric: str | Sequence[str]) -> list[str]:
    """``metric`` as a list of names."""
    return [metric] if isinstance(metric, str) else list(metric)


def objective_signs(metric: str | Sequence[str], mode: str | Sequence[str]) -> np.ndarray:
    """``+1`` per metric to minimize, ``-1`` per metric to maximize.

    Parameters
    ----------
    metric
        Metric name or names.
    mode
        ``"min"``/``"max"`` for all metrics, or one per metric.

    Returns
    -------
    numpy.ndarray
        Shape ``(num_metrics,)``.
    """
    names = metric_names(metric)
    modes = [mode] * len(names) if isinstance(mode, str) else list(mode)
    return np.array([-1.0 if m == "max" else 1.0 for m in modes])


def read_objectives(owner: Any, metric: str | Sequence[str], trial_id: Any, result: dict) -> tuple | None:
    """The metric values of ``result`` as a tuple of floats (raw, not signed),
    or ``None`` (with a warning) if one of them is not finite.

    Raises
    ------
    ValueError
        If ``result`` lacks one of the metrics.
    """
    names = metric_names(metric)
    missing = [name for name in names if name not in result]
    if missing:
        raise ValueError(
            f"{type(owner).__name__}: the result of trial {trial_id} lacks the metric {missing[0]!r}; "
            f"it reported {sorted(result)}"
        )
    values = tuple(float(result[name]) for name in names)
    if not all(math.isfinite(v) for v in values):
        logger.warning("%s: ignoring non-finite metric values %s of trial %s", type(owner).__name__, values, trial_id)
        return None
    return values


def signed_objectives(values: Sequence[Sequence[float]], metric, mode) -> np.ndarray:
    """Matrix ``(n, num_metrics)`` of ``values``, every column to minimize."""
    signs = objective_signs(metric, mode)
    return np.asarray(values, dtype=float).reshape(-1, len(signs)) * signs


def rank_and_crowding(Y) -> tuple[np.ndarray, np.ndarray]:
    """Non-dominated rank of every row of ``Y`` (minimized) and its crowding
    distance within its front.

    Parameters
    ----------
    Y
        Objective values, shape ``(n, m)``.

    Returns
    -------
    tuple[numpy.ndarray, numpy.ndarray]
        Ranks (0: Pareto front) and crowding distances (``inf`` at the
        extremes of a front), each of shape ``(n,)``.
    """
    Y = np.asarray(Y, dtype=float)
    ranks = nondominated_ranks(Y)
    crowding = np.zeros(len(Y))
    for front in range(int(ranks.max()) + 1 if len(Y) else 0):
        members = np.flatnonzero(ranks == front)
        crowding[members] = crowding_distance(Y[members])
    return ranks, crowding


def crowded_order(Y) -> np.ndarray:
    """Row indices of ``Y`` (minimized) from best to worst in crowded
    comparison: rank ascending, crowding distance descending, index
    ascending. The first ``k`` are the survivors of NSGA-II's elitist
    selection of ``k`` points."""
    ranks, crowding = rank_and_crowding(Y)
    return np.lexsort((np.arange(len(ranks)), -crowding, ranks))


def crowded_tournament(ranks: np.ndarray, crowding: np.ndarray, candidates: Sequence[int]) -> int:
    """Position in ``candidates`` (indices into ``ranks``/``crowding``) of the
    best one in crowded comparison; the first of equal ones."""
    candidates = np.asarray(candidates, dtype=int)
    order = np.lexsort((np.arange(len(candidates)), -crowding[candidates], ranks[candidates]))
    return int(order[0])


# -- variation operators on the encoding -----------------------------------------------
def sbx_crossover(
    a: np.ndarray, b: np.ndarray, eta: float, random_state: np.random.RandomState
) -> np.ndarray:
    """One child of simulated binary crossover of ``a`` and ``b`` in ``[0, 1]^k``
    (formulas in the module docstring; each coordinate crossed with
    probability 1/2).

    Parameters
    ----------
    a, b
        Parents, shape ``(k,)``, values in ``[0, 1]``.
    eta
        Distribution index (larger: children nearer to the parents).
    random_state
        Source of randomness.

    Returns
    -------
    numpy.ndarray
        The child, shape ``(k,)``, in ``[0, 1]``.
    """
    k = len(a)
    cross = random_state.rand(k) < 0.5
    u = random_state.rand(k)
    take_upper = random_state.rand(k) < 0.5
    y1, y2 = np.minimum(a, b), np.maximum(a, b)
    d = y2 - y1
    cross &= d > _SBX_TOL
    child = np.array(a, dtype=float)
    if not cross.any():
        return child
    y1, y2, d, u = y1[cross], y2[cross], d[cross], u[cross]
    e = eta + 1.0

    def spread(beta: np.ndarray) -> np.ndarray:
        alpha = 2.0 - beta ** (-e)
        ua = u * alpha
        return np.where(u <= 1.0 / alpha, ua ** (1.0 / e), (1.0 / (2.0 - ua)) ** (1.0 / e))

    c1 = 0.5 * (y1 + y2 - spread(1.0 + 2.0 * y1 / d) * d)
    c2 = 0.5 * (y1 + y2 + spread(1.0 + 2.0 * (1.0 - y2) / d) * d)
    child[cross] = np.clip(np.where(take_upper[cross], c2, c1), 0.0, 1.0)
    return child


def polynomial_mutation(
    y: np.ndarray, probability: float, eta: float, random_state: np.random.RandomState
) -> np.ndarray:
    """Bounded polynomial mutation of ``y`` in ``[0, 1]^k``, each coordinate
    with probability ``probability`` (formula in the module docstring).

    Returns
    -------
    numpy.ndarray
        The mutated copy, in ``[0, 1]``.
    """
    k = len(y)
    mutate = random_state.rand(k) < probability
    u = random_state.rand(k)
    e = eta + 1.0
    y = np.clip(np.array(y, dtype=float), 0.0, 1.0)
    low = (2.0 * u + (1.0 - 2.0 * u) * (1.0 - y) ** e) ** (1.0 / e) - 1.0
    high = 1.0 - (2.0 * (1.0 - u) + 2.0 * (u - 0.5) * y**e) ** (1.0 / e)
    delta = np.where(u < 0.5, low, high)
    return np.where(mutate, np.clip(y + delta, 0.0, 1.0), y)


def _is_categorical(domain) -> bool:
    """Unordered categorical (ordinals count as numerical)."""
    return isinstance(domain, Categorical) and not isinstance(domain, Ordinal)


class NSGA2Searcher(StochasticAndFilterDuplicatesSearcher):
    """Asynchronous NSGA-II (see the module docstring for the algorithm).

    Parameters
    ----------
    config_space
        Configuration space.
    metric
        Names of the metrics (objectives), a list.
    mode
        ``"min"`` or ``"max"`` for all metrics, or a list with one per metric.
    points_to_evaluate
        Configurations suggested first (``None``: one of midpoint values);
        they belong to the first generation.
    population_size
        Size of the population, and number of results forming a generation
        (default 20, at least 2).
    random_seed
        Seed of the searcher's random state (drawn at random if ``None``).
    allow_duplicates
        If ``True``, a configuration may be suggested more than once.
    restrict_configurations
        If given, only these configurations are suggested.
    crossover_probability
        Probability that an offspring is recombined from both parents
        (default 0.9).
    mutation_probability
        Probability that a hyperparameter of an offspring is mutated
        (default ``None``: 1 / number of hyperparameters).
    crossover_eta
        Distribution index of SBX (default 15).
    mutation_eta
        Distribution index of polynomial mutation (default 20).

    Raises
    ------
    InvalidParameterError
        If an argument has the wrong type or value.
    """

    single_fidelity_model = True

    _parameter_constraints = {
        "metric": [list],
        "mode": [_MODES, list],
        "population_size": [Interval(Integral, 2, None, closed="left")],
        "crossover_probability": [Interval(Real, 0, 1, closed="both")],
        "mutation_probability": [Interval(Real, 0, 1, closed="both"), None],
        "crossover_eta": [Interval(Real, 0, None, closed="left")],
        "mutation_eta": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(
        self,
        config_space: dict,
        metric: list[str],
        mode: str | list[str] = "min",
        points_to_evaluate: list[dict] | None = None,
        population_size: int = 20,
        random_seed: int | None = None,
        allow_duplicates: bool | None = None,
        restrict_configurations: list[dict] | None = None,
        crossover_probability: float = 0.9,
        mutation_probability: float | None = None,
        crossover_eta: float = 15.0,
        mutation_eta: float = 20.0,
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
        self.population_size = int(population_size)
        self.crossover_probability = float(crossover_probability)
        self.mutation_probability = None if mutation_probability is None else float(mutation_probability)
        self.crossover_eta = float(crossover_eta)
        self.mutation_eta = float(mutation_eta)
        # members (trial_id, hyperparameters, raw metric values)
        self._population: list[tuple[Any, dict, tuple]] = []
        self._offspring: list[tuple[Any, dict, tuple]] = []
        self._num_generations = 0
        self._restrict_X_for = None
        self._restrict_X = None

    # -- population ------------------------------------------------------------------
    @property
    def population(self) -> list[tuple[Any, dict, tuple]]:
        """Members ``(trial_id, config, values)`` of the current population."""
        return [(t, dict(c), v) for t, c, v in self._population]

    @property
    def offspring(self) -> list[tuple[Any, dict, tuple]]:
        """Members ``(trial_id, config, values)`` collected for the next generation."""
        return [(t, dict(c), v) for t, c, v in self._offspring]

    @property
    def num_generations(self) -> int:
        """Number of generations formed so far."""
        return self._num_generations

    def _signed(self, members: list) -> np.ndarray:
        return signed_objectives([m[2] for m in members], self._metric, self._mode)

    def _update(self, trial_id: int, config: dict, result: dict) -> None:
        values = read_objectives(self, self._metric, trial_id, result)
        if values is None:
            return
        if not is_valid_config(self._hp_ranges.config_space, config):
            logger.warning(
                "%s: ignoring result of trial %s: config %s is not in the space", type(self).__name__, trial_id, config
            )
            return
        member = (trial_id, {k: config[k] for k in self._hp_ranges.internal_keys}, values)
        for members in (self._population, self._offspring):
            for pos, other in enumerate(members):
                if other[0] == trial_id:
                    members[pos] = member
                    return
        self._offspring.append(member)
        if len(self._offspring) >= self.population_size:
            self._survive()

    def _survive(self) -> None:
        """Elitist survival: the best ``population_size`` of population and offspring."""
        union = self._population + self._offspring
        keep = crowded_order(self._signed(union))[: self.population_size]
        self._population = [union[int(i)] for i in keep]
        self._offspring = []
        self._num_generations += 1

    def remove_case(self, trial_id: int, **kwargs) -> None:
        self._population = [m for m in self._population if m[0] != trial_id]
        self._offspring = [m for m in self._offspring if m[0] != trial_id]

    def dataset_size(self) -> int:
        return len(self._population) + len(self._offspring)

    # -- suggestions -----------------------------------------------------------------
    def _get_config(self, **kwargs) -> dict | None:
        config = self._next_new_initial_config()
        if config is not None:
            return config
        if not self._population:
            return self._get_random_config()
        if self._exhausted():
            return None
        ranks, crowding = rank_and_crowding(self._signed(self._population))
        for _ in range(MAX_OFFSPRING_TRIES):
            first = self._tournament(ranks, crowding)
            second = self._tournament(ranks, crowding)
            child = self._make_offspring(self._population[first][1], self._population[second][1])
            if self._restrict is not None:
                child = self._nearest_restricted(child)
                if child is None:
                    return None
            if not self.should_not_suggest(child):
                return child
        return self._get_random_config()

    def _tournament(self, ranks: np.ndarray, crowding: np.ndarray) -> int:
        """Index of the winner of a binary tournament in the population."""
        n = len(ranks)
        if n == 1:
            return 0
        candidates = self.random_state.choice(n, size=2, replace=False)
        return int(candidates[crowded_tournament(ranks, crowding, candidates)])

    def _variables(self) -> tuple[np.ndarray, list[str]]:
        """Encoded columns of the numerical hyperparameters, and the names
        of the categorical ones."""
        space = self._hp_ranges.config_space
        ranges = self._hp_ranges.encoded_ranges
        columns, categorical = [], []
        for key in self._hp_ranges.internal_keys:
            if _is_categorical(space[key]):
                categorical.append(key)
            else:
                columns.append(ranges[key][0])
        return np.array(columns, dtype=int), categorical

    def _make_offspring(self, first: dict, second: dict) -> dict:
        """Crossover and mutation of two parents (see the module docstring)."""
        space = self._hp_ranges.config_space
        columns, categorical = self._variables()
        num_vars = max(len(self._hp_ranges.internal_keys), 1)
        p_mut = self.mutation_probability if self.mutation_probability is not None else 1.0 / num_vars
        rs = self.random_state
        crossover = rs.rand() < self.crossover_probability
        X = self._hp_ranges.to_ndarray_matrix([first, second])
        y = X[0, columns]
        if crossover:
            y = sbx_crossover(y, X[1, columns], self.crossover_eta, rs)
        y = polynomial_mutation(y, p_mut, self.mutation_eta, rs)
        encoded = X[0].copy()
        encoded[columns] = y
        child = self._hp_ranges.from_ndarray(encoded)
        if categorical:
            from_second = (rs.rand(len(categorical)) < 0.5) & crossover
            mutate = rs.rand(len(categorical)) < p_mut
            picks = rs.rand(len(categorical))
            for key, swap, mut, pick in zip(categorical, from_second, mutate, picks):
                value = second[key] if swap else first[key]
                if mut and len(space[key]) > 1:
                    others = [c for c in space[key].categories if c != value]
                    value = others[min(int(pick * len(others)), len(others) - 1)]
                child[key] = value
        return child

    def _nearest_restricted(self, config: dict) -> dict | None:
        """The restricted configuration nearest to ``config`` in the encoding
        among those still allowed (removed from the unused ones), or ``None``."""
        from scipy.spatial import cKDTree

        if self._restrict_X_for is not self._hp_ranges:
            self._restrict_X_for = self._hp_ranges
            self._restrict_X = self._hp_ranges.to_ndarray_matrix(self._restrict)
        candidates = range(len(self._restrict)) if self._allow_duplicates else self._restrict_unused
        pool = np.array([i for i in candidates if not self.should_not_suggest(self._restrict[i])], dtype=int)
        if pool.size == 0:
            return None
        _, nearest = cKDTree(self._restrict_X[pool]).query(self._hp_ranges.to_ndarray(config), k=1)
        idx = int(pool[int(nearest)])
        if not self._allow_duplicates:
            self._restrict_unused.remove(idx)
        return dict(self._restrict[idx])

    # -- state -----------------------------------------------------------------------
    def get_state(self) -> dict[str, Any]:
        state = super().get_state()
        state.update(
            population=copy.deepcopy(self._population),
            offspring=copy.deepcopy(self._offspring),
            num_generations=self._num_generations,
        )
        return state

    def _restore_from_state(self, state: dict[str, Any]) -> None:
        super()._restore_from_state(state)
        self._population = copy.deepcopy(state["population"])
        self._offspring = copy.deepcopy(state["offspring"])
        self._num_generations = int(state["num_generations"])
        self._restrict_X_for = None
