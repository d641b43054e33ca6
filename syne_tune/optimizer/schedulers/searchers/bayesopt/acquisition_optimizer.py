"""Maximizing an acquisition function over a mixed configuration space.

An :class:`AcquisitionOptimizer` gets a vectorized score (encoded rows of
shape ``(n, d)`` in ``[0, 1]^d`` -> ``n`` scores, *higher is better*, e.g.
expected improvement of a Gaussian process), the
:class:`~syne_tune.optimizer.schedulers.searchers.utils.HyperparameterRanges`
that define the encoding, and a random state, and returns the best
configurations it finds. Every row passed to ``score`` is the exact encoding
of a valid configuration (discrete coordinates snapped to a value, one-hot
blocks set to one category, continuous coordinates in ``[0, 1]``), so the
score of a returned configuration is the score that was computed for it.

Algorithm of :meth:`LocalSearchOptimizer.optimize`:

1. **Candidates.** ``num_init_candidates`` points of a scrambled Sobol
   sequence in the encoded space (:class:`scipy.stats.qmc.Sobol`, seeded by
   an integer drawn from ``random_state``; the first ``num_init_candidates``
   of ``2^m >= num_init_candidates`` points), each snapped to the encoding of
   a valid configuration; random configurations
   (:meth:`HyperparameterRanges.random_configs`) instead if ``sobol=False``,
   if the space is purely categorical, or if it has more than 21201 encoded
   columns. ``initial_configs`` are added. All are scored in one ``score``
   call.
2. **Local search** (unless ``skip_local_optimization``) from the
   ``num_local_starts`` best distinct candidates (``initial_configs``
   included: they compete by score like the others). Each of at most
   ``num_local_steps`` rounds scores, in one ``score`` call,
   ``num_local_neighbours`` neighbours of every active start. A neighbour changes one coordinate (probability 0.6),
   two (0.3) or three (0.1), chosen at random among the hyperparameters that
   are not fixed:

   * ``Float`` (not quantized): a Gaussian step of standard deviation
     ``sigma`` (the start's step size, initially 0.1) in its encoded
     coordinate, clipped to ``[0, 1]``;
   * ordered discrete (``Integer``, quantized ``Float``, ``FiniteRange``,
     ``Ordinal``, ``OrdinalNearestNeighbor``): with probability 0.7 the
     adjacent value (one step up or down, inwards at a bound), otherwise a
     Gaussian jump of standard deviation ``sigma`` in the encoded coordinate
     snapped to the nearest value (the adjacent value if that is the
     current one);
   * ``Categorical``: a different category, uniformly.

   A start moves to its best neighbour if that scores higher; otherwise its
   ``sigma`` is halved. A start stops once ``sigma < 1e-3`` (seven rounds
   without improvement); the search stops when no start is active.
3. **Refinement** (if ``refine_continuous``, local search is not skipped
   and the space has ``Float`` coordinates): the continuous coordinates of
   the best 3 distinct points the local search ended at are polished, the
   discrete coordinates fixed, by a batched projected quasi-Newton ascent
   within ``[0, 1]``. Derivatives are finite differences with step ``1e-4``
   (central; one-sided at a bound), so one evaluation of all points is one
   ``score`` call on ``3 * (1 + 2 k)`` rows (``k`` continuous coordinates),
   giving the score, its gradient ``g`` and the diagonal of its Hessian.
   Per point: coordinates at a bound whose gradient points outwards are
   held; the direction is ``H g`` restricted to the free coordinates, ``H``
   a BFGS approximation of the inverse Hessian of ``-score``, started (and
   reset whenever ``H g`` is not an ascent direction) as the diagonal
   matrix of the inverse curvatures ``1 / (-d^2 score / dz_j^2)`` where
   these are positive, else ``0.02 / |g|``. A step changes no coordinate by
   more than 0.1 and is accepted if the score increases by at least
   ``1e-4 g.s`` (Armijo), else shortened 4-fold. A point stops when its
   largest free gradient entry is at most ``1e-6`` times its absolute
   starting score, a step gains at most ``1e-12`` times it, or steps fall
   below ``1e-9``; the refinement stops when all points stopped or after 30
   ``score`` calls (the first evaluates the starting points).
4. **Selection.** All scored rows are ranked by score (ties: in the order
   scored); configurations are decoded in that order and returned best
   first, skipping duplicates (equal
   :meth:`HyperparameterRanges.config_to_match_string`) and those for which
   ``exclude`` is true, until ``num_results`` are found. If fewer are found,
   up to 3 batches of 100 fresh random configurations are scored (one call
   each) and ranked the same way to fill the rest; if still none is left,
   the result is ``[]``.

Randomness comes from ``random_state`` only: the same state gives the same
result. With the defaults, ``optimize`` makes at most
``1 + 20 + 30 + 3 = 54`` ``score`` calls (for expected improvement on a
6-d mixed space typically about 35: 1 + 20 + 5 to 15, with at most 150
rows each; the fallback calls happen only when nearly everything found is
excluded).

The refinement does not use scipy's L-BFGS-B: that optimizes one point per
run (or a coupled sum of points, sharing one line search), and its
per-iteration cost rose to about 5 ms (from microseconds) in our
measurements when the BLAS threads competed with other processes for the
cores, as they do next to a tuner's training workers. The arithmetic here is
numpy on arrays of a few entries; scipy is needed only for the Sobol
sequence and is imported when used.
"""

from __future__ import annotations

import abc
import math
from numbers import Integral
from typing import Callable

import numpy as np

from syne_tune.config_space import Categorical, FiniteRange, Float, Integer, Ordinal
from syne_tune.utils.validation import Interval, validate_parameters

__all__ = ["AcquisitionOptimizer", "LocalSearchOptimizer"]

ScoreFunction = Callable[[np.ndarray], np.ndarray]

#: Initial step size ``sigma`` of the local search (encoded space).
INITIAL_STEP = 0.1
#: Factor applied to ``sigma`` after a round without improvement.
STEP_SHRINK = 0.5
#: A start stops once its ``sigma`` falls below this.
MIN_STEP = 1e-3
#: Probabilities that a neighbour changes one, two or three coordinates.
NUM_MOVES_PROBS = (0.6, 0.3, 0.1)
#: Probability that an ordered discrete move goes to the adjacent value.
ADJACENT_PROB = 0.7
#: Number of points whose continuous coordinates are polished.
NUM_REFINE = 3
#: Most ``score`` calls of the refinement.
REFINE_MAX_EVALS = 30
#: Length (encoded space) of the refinement's first step from a point where
#: the score has no positive curvature.
REFINE_FIRST_STEP = 0.02
#: Largest change of a coordinate in one refinement step (encoded space).
REFINE_MAX_STEP = 0.1
#: Sufficient-increase constant of the refinement's backtracking.
REFINE_ARMIJO = 1e-4
#: A refined point stops when its projected gradient (largest entry) is at
#: most this times its absolute score, or a step gains at most
#: ``REFINE_FTOL`` times its absolute score.
REFINE_GTOL = 1e-6
REFINE_FTOL = 1e-12
#: Finite-difference step of the refinement (encoded space).
FD_STEP = 1e-4
#: Fallback: batches of random configurations, and their size.
FALLBACK_BATCHES = 3
FALLBACK_SIZE = 100
#: Ordered discrete hyperparameters with more values than this have no table
#: of encoded values; their moves go through decoding and encoding.
MAX_TABLE_SIZE = 4096
#: Largest dimension of scipy's Sobol sequence.
MAX_SOBOL_DIM = 21201

_FIXED, _FLOAT, _ORDERED, _CATEGORICAL = "fixed", "float", "ordered", "categorical"


class _Coordinate:
    """How one hyperparameter's encoded columns ``[start, end)`` move.

    ``kind`` is ``"fixed"`` (``fixed`` holds the columns' value),
    ``"float"`` (one continuous column), ``"ordered"`` (one column; ``table``
    holds the sorted encodings of all values, or is ``None`` for a large
    ``Integer`` / quantized ``Float`` range handled by decoding and encoding)
    or ``"categorical"`` (``table`` holds one row per category).
    """

    def __init__(self, name: str, start: int, end: int, kind: str):
        self.name = name
        self.start = start
        self.end = end
        self.kind = kind
        self.table: np.ndarray | None = None
        self.fixed: np.ndarray | None = None
        self.midpoints: np.ndarray | None = None  # tables of one column
        self.order: np.ndarray | None = None
        self.one_hot = False
        self.step = None  # value step of a large ordered range

    def set_table(self, table: np.ndarray) -> None:
        """Set ``table`` and the data :meth:`nearest` uses."""
        self.table = table
        if table.shape[1] == 1:
            self.order = np.argsort(table[:, 0], kind="stable")
            column = table[self.order, 0]
            self.midpoints = 0.5 * (column[:-1] + column[1:])
        else:
            self.one_hot = table.shape[0] == table.shape[1] and np.array_equal(table, np.eye(len(table)))

    def nearest(self, block: np.ndarray) -> np.ndarray:
        """Index in ``table`` of the entry nearest to each row of ``block``
        (the encoded columns of this hyperparameter)."""
        if self.midpoints is not None:
            return self.order[np.searchsorted(self.midpoints, block[:, 0])]
        if self.one_hot:
            return np.argmax(block, axis=1)
        # no matrix product: it would go through (threaded) BLAS
        diff = block[:, None, :] - self.table[None, :, :]
        return np.argmin((diff * diff).sum(axis=2), axis=1)


class _Space:
    """Per-``HyperparameterRanges`` data the optimizer needs (built once)."""

    def __init__(self, hp_ranges):
        self.hp_ranges = hp_ranges
        self.dim = int(hp_ranges.ndarray_size)
        keys = list(hp_ranges.internal_keys)
        ranges = hp_ranges.encoded_ranges
        bounds = hp_ranges.get_ndarray_bounds()
        self.template = hp_ranges.random_configs(np.random.RandomState(0), 1)[0] if keys else {}
        self.template_row = hp_ranges.to_ndarray_matrix([self.template])[0]
        self.coords: list[_Coordinate] = []
        for key in keys:
            start, end = ranges[key]
            domain = hp_ranges.config_space[key]
            if all(bounds[j][0] == bounds[j][1] for j in range(start, end)):
                coord = _Coordinate(key, start, end, _FIXED)
                coord.fixed = np.array([bounds[j][0] for j in range(start, end)], dtype=float)
            else:
                coord = self._make_coordinate(key, start, end, domain)
            self.coords.append(coord)
        self.movable = [c for c in self.coords if c.kind != _FIXED]
        self.float_columns = np.array([c.start for c in self.coords if c.kind == _FLOAT], dtype=int)
        self.all_categorical = bool(self.movable) and all(c.kind == _CATEGORICAL for c in self.movable)

    # -- encoding one hyperparameter through the public API ------------------
    def encode_values(self, key: str, values: list) -> np.ndarray:
        """Encoded columns of ``key`` for each value (other keys: template)."""
        start, end = self.hp_ranges.encoded_ranges[key]
        configs = [{**self.template, key: v} for v in values]
        return self.hp_ranges.to_ndarray_matrix(configs)[:, start:end]

    def decode_values(self, coord: _Coordinate, block: np.ndarray) -> list:
        """Values of ``coord``'s hyperparameter decoded from its columns."""
        matrix = np.tile(self.template_row, (len(block), 1))
        matrix[:, coord.start : coord.end] = block
        return [c[coord.name] for c in self.hp_ranges.from_ndarray_matrix(matrix)]

    def _make_coordinate(self, key: str, start: int, end: int, domain) -> _Coordinate:
        values = None
        if isinstance(domain, Categorical) and not isinstance(domain, Ordinal):
            kind, values = _CATEGORICAL, list(domain.categories)
        elif isinstance(domain, Float) and domain.q is None:
            if domain.lower == domain.upper:
                kind, values = _FIXED, [domain.lower]
            else:
                return _Coordinate(key, start, end, _FLOAT)
        else:
            kind = _ORDERED
            if isinstance(domain, FiniteRange):
                values = list(domain.values)
            elif isinstance(domain, Categorical):  # Ordinal, OrdinalNearestNeighbor
                values = list(domain.categories)
            elif isinstance(domain, (Integer, Float)) and len(domain) <= MAX_TABLE_SIZE:
                q = domain.q
                if isinstance(domain, Integer):
                    values = list(range(domain.lower, domain.upper + 1, q or 1))
                else:
                    first, last = int(round(domain.lower / q)), int(round(domain.upper / q))
                    values = [domain.cast(i * q) for i in range(first, last + 1)]
            elif isinstance(domain, (Integer, Float)):
                coord = _Coordinate(key, start, end, _ORDERED)
                coord.step = domain.q or 1
                return coord
            else:  # pragma: no cover - HyperparameterRanges rejects other domains
                raise TypeError(f"Hyperparameter '{key}': unsupported domain {domain!r}")
        if len(values) == 1:
            kind = _FIXED
        table = self.encode_values(key, values)
        coord = _Coordinate(key, start, end, kind)
        if kind == _FIXED:
            coord.fixed = table[0]
        elif kind == _ORDERED:
            # sorted, so that adjacent entries are adjacent values
            column = np.unique(table[:, 0])
            if len(column) == 1:
                coord.kind, coord.fixed = _FIXED, column.copy()
            else:
                coord.set_table(column.reshape(-1, 1))
        else:
            coord.set_table(table)
        return coord

    # -- snapping and moves ----------------------------------------------------
    def snap(self, X: np.ndarray) -> np.ndarray:
        """Rows of ``X`` (in place) set to encodings of valid configurations."""
        for c in self.coords:
            s, e = c.start, c.end
            if c.kind == _FIXED:
                X[:, s:e] = c.fixed
            elif c.kind == _FLOAT:
                np.clip(X[:, s], 0.0, 1.0, out=X[:, s])
            elif c.table is not None:
                X[:, s:e] = c.table[c.nearest(X[:, s:e])]
            elif len(X):
                X[:, s:e] = self.encode_values(c.name, self.decode_values(c, X[:, s:e]))
        return X

    def move(self, c: _Coordinate, X: np.ndarray, rows: np.ndarray, sigma: np.ndarray, rs) -> None:
        """Change hyperparameter ``c`` in ``X[rows]`` (in place); ``sigma``
        are the step sizes of those rows."""
        s, e = c.start, c.end
        n = len(rows)
        if c.kind == _FLOAT:
            X[rows, s] = np.clip(X[rows, s] + sigma * rs.normal(size=n), 0.0, 1.0)
        elif c.kind == _CATEGORICAL:
            k = len(c.table)
            index = c.nearest(X[rows, s:e])
            X[rows, s:e] = c.table[(index + rs.randint(1, k, size=n)) % k]
        elif c.table is not None:
            m = len(c.table)
            index = c.nearest(X[rows, s:e])
            adjacent = rs.rand(n) < ADJACENT_PROB
            sign = np.where(rs.rand(n) < 0.5, -1, 1)
            jump = c.nearest((X[rows, s] + sigma * rs.normal(size=n)).reshape(-1, 1))
            step = index + sign
            step = np.where((step < 0) | (step >= m), index - sign, step)
            new = np.where(adjacent | (jump == index), step, jump)
            X[rows, s] = c.table[new, 0]
        else:
            self._move_large(c, X, rows, sigma, rs)

    def _move_large(self, c: _Coordinate, X: np.ndarray, rows: np.ndarray, sigma: np.ndarray, rs) -> None:
        """:meth:`move` for an ordered range without a table."""
        s = c.start
        n = len(rows)
        domain = self.hp_ranges.config_space[c.name]
        current = self.decode_values(c, X[rows, s : s + 1])
        adjacent = rs.rand(n) < ADJACENT_PROB
        sign = np.where(rs.rand(n) < 0.5, -1, 1)
        jumped = self.decode_values(c, np.clip(X[rows, s] + sigma * rs.normal(size=n), 0.0, 1.0).reshape(-1, 1))
        new = []
        for i in range(n):
            value = jumped[i]
            if adjacent[i] or value == current[i]:
                value = current[i] + sign[i] * c.step
                if not domain.lower <= value <= domain.upper:
                    value = current[i] - sign[i] * c.step
                value = domain.cast(min(max(value, domain.lower), domain.upper))
            new.append(value)
        X[rows, s : s + 1] = self.encode_values(c.name, new)


class AcquisitionOptimizer(abc.ABC):
    """Finds configurations that maximize a vectorized score."""

    @abc.abstractmethod
    def optimize(
        self,
        score: ScoreFunction,
        hp_ranges,
        random_state: np.random.RandomState,
        exclude: Callable[[dict], bool] | None = None,
        num_results: int = 1,
        initial_configs: list[dict] | None = None,
    ) -> list[dict]:
        """Configurations with high ``score``, best first.

        Parameters
        ----------
        score
            Encoded rows ``(n, d)`` -> ``(n,)`` scores, higher is better;
            called on batches.
        hp_ranges
            :class:`~syne_tune.optimizer.schedulers.searchers.utils.HyperparameterRanges`
            of the space (defines the encoding).
        random_state
            The only source of randomness.
        exclude
            Configurations for which it returns ``True`` are not returned
            (already suggested, pending or observed).
        num_results
            Number of configurations wanted.
        initial_configs
            Extra starting candidates (e.g. the best observed configurations).

        Returns
        -------
        list[dict]
            Up to ``num_results`` distinct configurations (hyperparameters
            only, no constants), best first; ``[]`` only if every candidate
            tried is excluded.
        """

    def score_configs(self, score: ScoreFunction, hp_ranges, configs: list[dict]) -> np.ndarray:
        """Scores of a finite list of configurations (one ``score`` call).

        Parameters
        ----------
        score
            As in :meth:`optimize`.
        hp_ranges
            Hyperparameter ranges used to encode ``configs``.
        configs
            Configurations to score.

        Returns
        -------
        np.ndarray
            One score per configuration (``NaN`` replaced by ``-inf``); empty
            (without calling ``score``) if ``configs`` is empty.

        Raises
        ------
        ValueError
            If ``score`` does not return one value per row, or a
            configuration cannot be encoded.
        """
        configs = list(configs)
        if not configs:
            return np.zeros(0)
        return _call_score(score, hp_ranges.to_ndarray_matrix(configs))


def _call_score(score: ScoreFunction, X: np.ndarray) -> np.ndarray:
    """``score(X)`` as a float vector of length ``len(X)``, NaN -> ``-inf``."""
    values = np.asarray(score(X), dtype=float).reshape(-1)
    if values.shape[0] != X.shape[0]:
        raise ValueError(f"score returned {values.shape[0]} values for {X.shape[0]} rows (must be one per row)")
    return np.where(np.isnan(values), -np.inf, values)


def _sobol(dim: int, num: int, random_state: np.random.RandomState) -> np.ndarray:
    """First ``num`` points of a scrambled Sobol sequence of ``2^m >= num``
    points, seeded from ``random_state``."""
    from scipy.stats import qmc

    seed = int(random_state.randint(0, 2**31 - 1))
    try:
        engine = qmc.Sobol(dim, scramble=True, rng=np.random.default_rng(seed))
    except TypeError:  # scipy < 1.15
        engine = qmc.Sobol(dim, scramble=True, seed=np.random.default_rng(seed))
    m = max(int(math.ceil(math.log2(max(num, 1)))), 0)
    return engine.random_base2(m)[:num]


def _first_distinct(X: np.ndarray, order: np.ndarray, num: int) -> np.ndarray:
    """The first ``num`` entries of ``order`` whose rows of ``X`` differ."""
    chosen: list[int] = []
    seen: set[bytes] = set()
    for i in order:
        key = X[i].tobytes()
        if key not in seen:
            seen.add(key)
            chosen.append(int(i))
            if len(chosen) == num:
                break
    return np.array(chosen, dtype=int)


class LocalSearchOptimizer(AcquisitionOptimizer):
    """Sobol candidates, local search, and quasi-Newton polishing of the
    continuous coordinates (the algorithm is in the module docstring).

    Parameters
    ----------
    num_init_candidates
        Candidates scored first (Sobol or random configurations).
    num_local_starts
        Best distinct candidates the local search starts from.
    num_local_steps
        Most rounds of the local search.
    num_local_neighbours
        Neighbours scored per start and round.
    sobol
        Draw the candidates from a scrambled Sobol sequence (else random
        configurations).
    refine_continuous
        Polish the continuous coordinates of the best points (quasi-Newton
        ascent with finite-difference gradients).
    skip_local_optimization
        Return the best candidates, without local search or refinement.

    Raises
    ------
    InvalidParameterError
        If an argument has the wrong type or value.
    """

    _parameter_constraints = {
        "num_init_candidates": [Interval(Integral, 1, None, closed="left")],
        "num_local_starts": [Interval(Integral, 1, None, closed="left")],
        "num_local_steps": [Interval(Integral, 0, None, closed="left")],
        "num_local_neighbours": [Interval(Integral, 1, None, closed="left")],
        "sobol": ["boolean"],
        "refine_continuous": ["boolean"],
        "skip_local_optimization": ["boolean"],
    }

    def __init__(
        self,
        num_init_candidates: int = 250,
        num_local_starts: int = 5,
        num_local_steps: int = 20,
        num_local_neighbours: int = 30,
        sobol: bool = True,
        refine_continuous: bool = True,
        skip_local_optimization: bool = False,
    ):
        validate_parameters(self, locals())
        self.num_init_candidates = int(num_init_candidates)
        self.num_local_starts = int(num_local_starts)
        self.num_local_steps = int(num_local_steps)
        self.num_local_neighbours = int(num_local_neighbours)
        self.sobol = bool(sobol)
        self.refine_continuous = bool(refine_continuous)
        self.skip_local_optimization = bool(skip_local_optimization)
        self._space: _Space | None = None

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(num_init_candidates={self.num_init_candidates}, "
            f"num_local_starts={self.num_local_starts}, num_local_steps={self.num_local_steps}, "
            f"num_local_neighbours={self.num_local_neighbours}, sobol={self.sobol}, "
            f"refine_continuous={self.refine_continuous}, "
            f"skip_local_optimization={self.skip_local_optimization})"
        )

    def _space_for(self, hp_ranges) -> _Space:
        if self._space is None or self._space.hp_ranges is not hp_ranges:
            self._space = _Space(hp_ranges)
        return self._space

    def optimize(
        self,
        score: ScoreFunction,
        hp_ranges,
        random_state: np.random.RandomState,
        exclude: Callable[[dict], bool] | None = None,
        num_results: int = 1,
        initial_configs: list[dict] | None = None,
    ) -> list[dict]:
        """See :meth:`AcquisitionOptimizer.optimize` (algorithm: module docstring).

        Raises
        ------
        ValueError
            If ``num_results < 1``, ``score`` does not return one value per
            row, or an initial configuration cannot be encoded.
        """
        if isinstance(num_results, bool) or not isinstance(num_results, Integral) or num_results < 1:
            raise ValueError(f"optimize: num_results must be an int >= 1, got {num_results!r}")
        space = self._space_for(hp_ranges)
        X = self._candidates(space, random_state)
        if initial_configs:
            try:
                extra = hp_ranges.to_ndarray_matrix(list(initial_configs))
            except (KeyError, TypeError, ValueError) as ex:
                raise ValueError(f"optimize: an entry of initial_configs cannot be encoded: {ex!r}") from ex
            X = np.concatenate([X, space.snap(extra)])
        scores = _call_score(score, X)
        pool_X, pool_scores = [X], [scores]
        if not self.skip_local_optimization and space.movable:
            order = np.argsort(-scores, kind="stable")
            starts = _first_distinct(X, order, self.num_local_starts)
            current, current_scores = self._local_search(
                space, score, X[starts].copy(), scores[starts].copy(), random_state, pool_X, pool_scores
            )
            if self.refine_continuous and len(space.float_columns):
                self._refine(space, score, current, current_scores, pool_X, pool_scores)
        results = self._select(hp_ranges, np.concatenate(pool_X), np.concatenate(pool_scores), exclude, num_results)
        for _ in range(FALLBACK_BATCHES):
            if len(results) >= num_results:
                break
            configs = hp_ranges.random_configs(random_state, FALLBACK_SIZE)
            X = space.snap(hp_ranges.to_ndarray_matrix(configs))
            seen = {hp_ranges.config_to_match_string(c) for c in results}
            results += self._select(
                hp_ranges, X, _call_score(score, X), exclude, num_results - len(results), seen=seen
            )
        return results

    # -- steps -------------------------------------------------------------------
    def _candidates(self, space: _Space, random_state: np.random.RandomState) -> np.ndarray:
        """Step 1 without ``initial_configs``: the snapped candidate rows."""
        hp_ranges = space.hp_ranges
        n = self.num_init_candidates
        if self.sobol and not space.all_categorical and 0 < space.dim <= MAX_SOBOL_DIM:
            return space.snap(_sobol(space.dim, n, random_state))
        return space.snap(hp_ranges.to_ndarray_matrix(hp_ranges.random_configs(random_state, n)))

    def _neighbours(self, space: _Space, current: np.ndarray, sigma: np.ndarray, rs) -> np.ndarray:
        """``num_local_neighbours`` neighbours of each row of ``current``
        (grouped by row)."""
        k = self.num_local_neighbours
        P = np.repeat(current, k, axis=0)
        sig = np.repeat(sigma, k)
        num_movable = len(space.movable)
        probs = np.array(NUM_MOVES_PROBS[:num_movable])
        num_moves = 1 + rs.choice(len(probs), size=len(P), p=probs / probs.sum())
        # a random ranking of the coordinates per row; move those ranked first
        ranks = np.argsort(np.argsort(rs.rand(len(P), num_movable), axis=1), axis=1)
        chosen = ranks < num_moves[:, None]
        for h, coord in enumerate(space.movable):
            rows = np.flatnonzero(chosen[:, h])
            if rows.size:
                space.move(coord, P, rows, sig[rows], rs)
        return P

    def _local_search(
        self,
        space: _Space,
        score: ScoreFunction,
        current: np.ndarray,
        current_scores: np.ndarray,
        rs: np.random.RandomState,
        pool_X: list[np.ndarray],
        pool_scores: list[np.ndarray],
    ) -> tuple[np.ndarray, np.ndarray]:
        """Step 2 from the rows of ``current``; every scored row is appended
        to ``pool_X`` / ``pool_scores``. Returns the final points and scores."""
        sigma = np.full(len(current), INITIAL_STEP)
        k = self.num_local_neighbours
        for _ in range(self.num_local_steps):
            active = np.flatnonzero(sigma >= MIN_STEP)
            if active.size == 0:
                break
            P = self._neighbours(space, current[active], sigma[active], rs)
            values = _call_score(score, P)
            pool_X.append(P)
            pool_scores.append(values)
            values = values.reshape(len(active), k)
            arg = np.argmax(values, axis=1)
            best = values[np.arange(len(active)), arg]
            improved = best > current_scores[active]
            for j in np.flatnonzero(improved):
                i = active[j]
                current[i] = P[j * k + arg[j]]
                current_scores[i] = best[j]
            sigma[active[~improved]] *= STEP_SHRINK
        return current, current_scores

    def _refine(
        self,
        space: _Space,
        score: ScoreFunction,
        current: np.ndarray,
        current_scores: np.ndarray,
        pool_X: list[np.ndarray],
        pool_scores: list[np.ndarray],
    ) -> None:
        """Step 3: polish the continuous coordinates of the best distinct rows
        of ``current`` (in place, with their scores); every scored row is
        appended to ``pool_X`` / ``pool_scores``."""
        order = np.argsort(-current_scores, kind="stable")
        order = order[np.isfinite(current_scores[order])]
        chosen = _first_distinct(current, order, NUM_REFINE)
        if chosen.size == 0:
            return
        base = current[chosen].copy()
        cols = space.float_columns
        num_points, k = len(base), len(cols)

        def evaluate(Z: np.ndarray, points: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            """Scores, central-difference gradients and curvatures
            (``-d^2 score / dz_j^2``, NaN at a bound) at rows ``points`` of
            ``base`` with continuous coordinates ``Z`` (one ``score`` call)."""
            upper = np.minimum(Z + FD_STEP, 1.0)
            lower = np.maximum(Z - FD_STEP, 0.0)
            # rows: the points, then per coordinate j the +step and -step rows
            block = np.repeat(base[points][None], 1 + 2 * k, axis=0)
            block[:, :, cols] = Z[None]
            for j in range(k):
                block[1 + 2 * j, :, cols[j]] = upper[:, j]
                block[2 + 2 * j, :, cols[j]] = lower[:, j]
            rows = block.reshape(-1, space.dim)
            values = _call_score(score, rows)
            pool_X.append(rows)
            pool_scores.append(values)
            values = values.reshape(1 + 2 * k, len(points))
            center, plus, minus = values[0], values[1::2].T, values[2::2].T
            a, b = upper - Z, Z - lower
            with np.errstate(invalid="ignore", divide="ignore"):
                grad = (plus - minus) / (a + b)
                curvature = -2.0 * ((plus - center[:, None]) / a - (center[:, None] - minus) / b) / (a + b)
            grad = np.where(np.isfinite(grad), grad, 0.0)
            curvature = np.where(np.isfinite(curvature) & (a > 0) & (b > 0), curvature, np.nan)
            return center.copy(), grad, curvature

        x = base[:, cols].copy()
        f, g, c = evaluate(x, np.arange(num_points))
        calls = 1
        scale = np.abs(f)
        scale = np.where(np.isfinite(scale) & (scale > 0), scale, 1.0)
        H = np.zeros((num_points, k, k))  # inverse Hessians of -f; zero: reset
        t = np.ones(num_points)
        active = np.isfinite(f)
        eye = np.eye(k)
        while calls < REFINE_MAX_EVALS and active.any():
            # bound constraints: coordinates held at a bound by the gradient stay
            free = ~(((x <= 0.0) & (g < 0.0)) | ((x >= 1.0) & (g > 0.0)))
            gf = g * free
            gnorm = np.sqrt((gf * gf).sum(axis=1))
            active &= np.abs(gf).max(axis=1) > REFINE_GTOL * scale
            # the quasi-Newton step in the subspace of the free coordinates
            d = np.einsum("pij,pj->pi", H * (free[:, :, None] & free[:, None, :]), gf)
            reset = (d * gf).sum(axis=1) <= 0.0
            if reset.any():
                # diagonal Newton where the curvature is positive, else a short gradient step
                first = (REFINE_FIRST_STEP / np.maximum(gnorm[reset], 1e-300))[:, None]
                with np.errstate(invalid="ignore", divide="ignore"):
                    diagonal = np.where(c[reset] > 0.0, 1.0 / c[reset], first)
                H[reset] = diagonal[:, :, None] * eye
                d[reset] = diagonal * gf[reset]
            points = np.flatnonzero(active)
            if points.size == 0:
                break
            step = t[points, None] * d[points]
            length = np.abs(step).max(axis=1)
            step *= np.minimum(1.0, REFINE_MAX_STEP / np.maximum(length, 1e-300))[:, None]
            x_new = np.clip(x[points] + step, 0.0, 1.0)
            f_new, g_new, c_new = evaluate(x_new, points)
            calls += 1
            for j, p in enumerate(points):
                step = x_new[j] - x[p]
                gain = f_new[j] - f[p]
                if np.isfinite(f_new[j]) and gain > 0.0 and gain >= REFINE_ARMIJO * float(g[p] @ step):
                    y = (g[p] - g_new[j]) * free[p]
                    sy = float(step @ y)
                    if sy > 1e-300:
                        rho = 1.0 / sy
                        V = eye - rho * np.outer(step, y)
                        H[p] = V @ H[p] @ V.T + rho * np.outer(step, step)
                    else:
                        H[p] = 0.0
                    x[p], f[p], g[p], c[p], t[p] = x_new[j], f_new[j], g_new[j], c_new[j], 1.0
                    if gain <= REFINE_FTOL * scale[p]:
                        active[p] = False
                else:
                    t[p] = 0.25 * min(t[p], REFINE_MAX_STEP / max(float(np.abs(d[p]).max()), 1e-300))
                    if t[p] * np.abs(d[p]).max() < 1e-9:
                        active[p] = False
        base[:, cols] = x
        current[chosen] = base
        current_scores[chosen] = f

    @staticmethod
    def _select(
        hp_ranges,
        X: np.ndarray,
        scores: np.ndarray,
        exclude: Callable[[dict], bool] | None,
        num: int,
        seen: set | None = None,
    ) -> list[dict]:
        """The first ``num`` distinct, not excluded configurations of the
        rows of ``X`` in decreasing order of score."""
        order = np.argsort(-scores, kind="stable")
        seen_rows: set[bytes] = set()
        seen = set() if seen is None else set(seen)
        results: list[dict] = []
        chunk = max(4 * num, 16)
        position = 0
        while position < len(order) and len(results) < num:
            indices = []
            while position < len(order) and len(indices) < chunk:
                i = order[position]
                position += 1
                key = X[i].tobytes()
                if key not in seen_rows:
                    seen_rows.add(key)
                    indices.append(i)
            if not indices:
                break
            for config in hp_ranges.from_ndarray_matrix(X[indices]):
                match = hp_ranges.config_to_match_string(config)
                if match in seen:
                    continue
                seen.add(match)
                if exclude is not None and exclude(config):
                    continue
                results.append(config)
                if len(results) == num:
                    break
        return results
