"""Multi-objective priorities: how MOASHA ranks the trials recorded at a rung.

A priority maps a matrix ``Y`` of objective values, shape ``(n, m)``, every
objective **minimized**, to one number per row; **lower priorities are
better** (picked first). Rows with equal priority are tied.

* :class:`FixedObjectivePriority` (``dim=0``): ``p_i = Y[i, dim]``, i.e.
  ASHA on one objective.
* :class:`LinearScalarizationPriority` (``weights`` default uniform):
  ``p_i = sum_j w_j * Y[i, j]``. Syne Tune divides the sum by ``m`` (a mean),
  which gives the same ranking.
* :class:`NonDominatedPriority` (``dim=0``): non-dominated sorting
  (:func:`~syne_tune.optimizer.schedulers.multiobjective.non_dominated.nondominated_ranks`),
  front 0 first, and inside each front an *epsilon-net* order (Salinas et
  al. 2021, "A multi-objective perspective on jointly tuning hardware and
  hyperparameters"; Clarkson 2006, greedy farthest-point traversal): the
  first point of a front is the one with the smallest objective ``dim`` (a
  random one, drawn from ``random_seed``, if ``dim is None``); every next
  point is the one whose Euclidean distance to the nearest point already
  taken is largest. Distances are computed after scaling each objective to
  ``[0, 1]`` by its minimum and maximum *within the front* (an objective
  constant on the front is left unscaled), so that the spread along the front
  does not depend on the units of the objectives (seconds against error
  rates, say). ``p_i`` is the position of row ``i`` in the resulting order
  (0, 1, ..., n - 1; no ties). With ``max_num_samples = k`` only the first
  ``k`` positions are computed and every other row gets priority ``k``
  (tied last). Ties of the traversal (equal distances, equal values of
  objective ``dim``) go to the lower row index, so the order is
  deterministic for ``dim`` not ``None``.

  The epsilon-net tie-break is used rather than NSGA-II's crowding distance
  because it is what Syne Tune's MOASHA uses and because it yields a strict
  order that spreads the selected points over the whole front: the first
  pick is an extreme point, the second the point farthest from it, and so
  on, whereas crowding distance ranks both extremes of every objective
  equally (infinite) and does not account for points picked before.

  Differences from Syne Tune 0.13: Syne Tune measures distances on the raw
  objective values (no scaling); and its ``NonDominatedPriority`` returns the
  sorted *indices* (``order``) instead of the position of each row
  (``argsort(order)``), so that its rung decisions do not follow the ranking
  it documents. Here ``p`` is the position of each row.

Besides :meth:`MOPriority.__call__`, every priority has
:meth:`MOPriority.num_better` (number of rows strictly better than one row,
with an optional early exit), which is all a rung decision needs;
:class:`NonDominatedPriority` computes it without sorting the whole rung (see
there).
"""

from __future__ import annotations

from numbers import Integral

import numpy as np

from syne_tune.optimizer.schedulers.multiobjective.non_dominated import (
    as_objective_matrix,
    nondominated_ranks,
    pareto_mask,
)
from syne_tune.utils.validation import Interval, validate_parameters

__all__ = [
    "MOPriority",
    "FixedObjectivePriority",
    "LinearScalarizationPriority",
    "NonDominatedPriority",
    "epsilon_net_order",
]


class MOPriority:
    """Base class of multi-objective priorities (see the module docstring).

    Subclasses implement :meth:`priority_unsafe`.

    Parameters
    ----------
    metrics
        Names of the objectives (optional); if given, the number of columns
        of the objectives passed in must match.

    Raises
    ------
    InvalidParameterError
        If ``metrics`` is not a list of strings.
    """

    _parameter_constraints = {"metrics": [list, tuple, None]}

    def __init__(self, metrics: list[str] | None = None):
        validate_parameters(self, locals())
        self.metrics = None if metrics is None else list(metrics)

    def check_num_objectives(self, num_objectives: int) -> None:
        """Raise ``ValueError`` if this priority cannot rank ``num_objectives``
        objectives (a different number of ``metrics`` was given, say).

        Parameters
        ----------
        num_objectives
            Number of columns of the objectives to rank.

        Raises
        ------
        ValueError
            If the number does not fit.
        """
        if self.metrics is not None and len(self.metrics) != num_objectives:
            raise ValueError(
                f"{type(self).__name__} was created for the {len(self.metrics)} metrics {self.metrics}, "
                f"but got {num_objectives} objectives"
            )

    def __call__(self, objectives) -> np.ndarray:
        """Priorities of the rows of ``objectives`` (lower is better).

        Parameters
        ----------
        objectives
            Matrix of shape ``(n, m)``, all objectives minimized, finite.

        Returns
        -------
        numpy.ndarray
            Shape ``(n,)``.

        Raises
        ------
        ValueError
            If ``objectives`` is not a finite matrix with a valid number of
            columns.
        """
        Y = as_objective_matrix(objectives, name="objectives")
        self.check_num_objectives(Y.shape[1])
        if len(Y) == 0:
            return np.zeros(0)
        return np.asarray(self.priority_unsafe(Y), dtype=float)

    def priority_unsafe(self, objectives: np.ndarray) -> np.ndarray:
        """:meth:`__call__` without checks (``objectives`` non-empty and valid)."""
        raise NotImplementedError

    def num_better(self, objectives, index: int, limit: int | None = None) -> int:
        """Number ``b`` of rows whose priority is strictly lower than that of
        row ``index``.

        Parameters
        ----------
        objectives
            Matrix of shape ``(n, m)`` (see :meth:`__call__`).
        index
            The row of interest.
        limit
            If given, the computation may stop early: the value returned is
            then ``<= limit`` if and only if ``b <= limit`` (it is exact if
            ``limit`` is ``None``).

        Returns
        -------
        int
            ``b`` (see ``limit``).
        """
        priorities = self(objectives)
        return int(np.count_nonzero(priorities < priorities[index]))

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class FixedObjectivePriority(MOPriority):
    """ASHA on one objective: ``p_i = Y[i, dim]``.

    Parameters
    ----------
    metrics
        See :class:`MOPriority`.
    dim
        Column of the objective to optimize (``None``: 0, the first).

    Raises
    ------
    InvalidParameterError
        If ``dim`` is not a non-negative int.
    """

    _parameter_constraints = {"dim": [Interval(Integral, 0, None, closed="left"), None]}

    def __init__(self, metrics: list[str] | None = None, dim: int | None = None):
        super().__init__(metrics=metrics)
        validate_parameters(self, locals())
        self.dim = 0 if dim is None else int(dim)
        if self.metrics is not None:
            self.check_num_objectives(len(self.metrics))

    def check_num_objectives(self, num_objectives: int) -> None:
        super().check_num_objectives(num_objectives)
        if self.dim >= num_objectives:
            raise ValueError(f"FixedObjectivePriority(dim={self.dim}) needs more than {num_objectives} objectives")

    def priority_unsafe(self, objectives: np.ndarray) -> np.ndarray:
        return objectives[:, self.dim]

    def num_better(self, objectives, index: int, limit: int | None = None) -> int:
        column = np.asarray(objectives, dtype=float)[:, self.dim]
        return int(np.count_nonzero(column < column[index]))

    def __repr__(self) -> str:
        return f"FixedObjectivePriority(dim={self.dim})"


class LinearScalarizationPriority(MOPriority):
    """Weighted sum of the objectives: ``p_i = sum_j weights[j] * Y[i, j]``.

    Parameters
    ----------
    metrics
        See :class:`MOPriority`.
    weights
        One finite weight per objective; ``None``: all 1 (uniform).

    Raises
    ------
    InvalidParameterError
        If ``weights`` is not a one-dimensional sequence of finite numbers,
        or its length differs from that of ``metrics``.
    """

    def __init__(self, metrics: list[str] | None = None, weights=None):
        from syne_tune.utils.validation import InvalidParameterError

        super().__init__(metrics=metrics)
        if weights is not None:
            try:
                w = np.asarray(weights, dtype=float)
            except (TypeError, ValueError):
                w = None
            if w is None or w.ndim != 1 or len(w) == 0 or not np.all(np.isfinite(w)):
                raise InvalidParameterError(
                    "The 'weights' parameter of LinearScalarizationPriority must be None or a non-empty "
                    f"one-dimensional sequence of finite numbers. Got {weights!r} instead."
                )
            if self.metrics is not None and len(w) != len(self.metrics):
                raise InvalidParameterError(
                    "The 'weights' parameter of LinearScalarizationPriority must have one entry per metric "
                    f"{self.metrics}. Got {weights!r} instead."
                )
            weights = w
        self.weights = weights

    def check_num_objectives(self, num_objectives: int) -> None:
        super().check_num_objectives(num_objectives)
        if self.weights is not None and len(self.weights) != num_objectives:
            raise ValueError(
                f"LinearScalarizationPriority has {len(self.weights)} weights, but got {num_objectives} objectives"
            )

    def priority_unsafe(self, objectives: np.ndarray) -> np.ndarray:
        if self.weights is None:
            return objectives.sum(axis=1)
        return objectives @ self.weights

    def num_better(self, objectives, index: int, limit: int | None = None) -> int:
        scores = self.priority_unsafe(np.asarray(objectives, dtype=float))
        return int(np.count_nonzero(scores < scores[index]))

    def __repr__(self) -> str:
        weights = None if self.weights is None else self.weights.tolist()
        return f"LinearScalarizationPriority(weights={weights})"


def epsilon_net_order(
    front: np.ndarray, first: int, stop_at: int | None = None, max_steps: int | None = None
) -> np.ndarray:
    """Greedy farthest-point order of the rows of ``front`` (see the module
    docstring: objectives scaled to ``[0, 1]`` within ``front``).

    Parameters
    ----------
    front
        Matrix ``(k, m)`` (the points of one Pareto front).
    first
        Row taken first.
    stop_at
        Stop once this row has been taken.
    max_steps
        Stop once this many rows have been taken.

    Returns
    -------
    numpy.ndarray
        Row indices in the order taken (all ``k`` rows unless stopped).
    """
    k = len(front)
    lo = front.min(axis=0)
    span = front.max(axis=0) - lo
    span[span <= 0] = 1.0
    Z = (front - lo) / span
    # squared distance to the nearest row taken; -inf marks rows taken
    nearest = ((Z - Z[first]) ** 2).sum(axis=1)
    nearest[first] = -np.inf
    order = [first]
    last = k if max_steps is None else min(k, max_steps)
    while len(order) < last and order[-1] != stop_at:
        j = int(np.argmax(nearest))
        order.append(j)
        np.minimum(nearest, ((Z - Z[j]) ** 2).sum(axis=1), out=nearest)
        nearest[j] = -np.inf
    return np.asarray(order, dtype=int)


class NonDominatedPriority(MOPriority):
    """Non-dominated sorting with an epsilon-net order inside each front (see
    the module docstring).

    Parameters
    ----------
    metrics
        See :class:`MOPriority`.
    dim
        Objective whose smallest value is taken first in each front
        (default 0); ``None``: a random point of the front, drawn from
        ``random_seed``.
    max_num_samples
        Compute only the first ``max_num_samples`` positions; the other rows
        tie at priority ``max_num_samples`` (``None``: rank all rows).
    random_seed
        Seed for ``dim=None`` (not a Syne Tune argument; Syne Tune draws from
        numpy's global generator).

    Raises
    ------
    InvalidParameterError
        If ``dim`` or ``random_seed`` is not a non-negative int or None, or
        ``max_num_samples`` is not a positive int or None.

    Notes
    -----
    :meth:`num_better` for row ``x`` uses that the front index of ``x`` is
    larger than that of every point dominating ``x``: if more than ``limit``
    points dominate ``x`` it returns at once. Otherwise it peels fronts
    (:func:`~syne_tune.optimizer.schedulers.multiobjective.non_dominated.pareto_mask`)
    only until the front of ``x``, stopping as soon as more than ``limit``
    points were peeled or when even the last position in the front of ``x``
    would be within ``limit``, and walks the epsilon-net of that front only up
    to ``x``. With two objectives each peel costs ``O(n log n)``.
    """

    _parameter_constraints = {
        "dim": [Interval(Integral, 0, None, closed="left"), None],
        "max_num_samples": [Interval(Integral, 1, None, closed="left"), None],
        "random_seed": [Interval(Integral, 0, 2**32 - 1, closed="both"), None],
    }

    def __init__(
        self,
        metrics: list[str] | None = None,
        dim: int | None = 0,
        max_num_samples: int | None = None,
        random_seed: int | None = None,
    ):
        super().__init__(metrics=metrics)
        validate_parameters(self, locals())
        self.dim = None if dim is None else int(dim)
        self.max_num_samples = None if max_num_samples is None else int(max_num_samples)
        self.random_seed = random_seed
        self._rng = np.random.default_rng(random_seed)
        if self.metrics is not None:
            self.check_num_objectives(len(self.metrics))

    def check_num_objectives(self, num_objectives: int) -> None:
        super().check_num_objectives(num_objectives)
        if self.dim is not None and self.dim >= num_objectives:
            raise ValueError(f"NonDominatedPriority(dim={self.dim}) needs more than {num_objectives} objectives")

    def _first(self, front: np.ndarray) -> int:
        if self.dim is None:
            return int(self._rng.integers(len(front)))
        return int(np.argmin(front[:, self.dim]))

    def priority_unsafe(self, objectives: np.ndarray) -> np.ndarray:
        n = len(objectives)
        cap = n if self.max_num_samples is None else min(n, self.max_num_samples)
        priorities = np.full(n, float(cap))
        ranks = nondominated_ranks(objectives)
        by_front = np.argsort(ranks, kind="stable")
        bounds = np.flatnonzero(np.diff(ranks[by_front])) + 1
        position = 0
        for members in np.split(by_front, bounds):
            if position >= cap:
                break
            front = objectives[members]
            order = members[epsilon_net_order(front, self._first(front), max_steps=cap - position)]
            priorities[order] = position + np.arange(len(order))
            position += len(order)
        return priorities

    def num_better(self, objectives, index: int, limit: int | None = None) -> int:
        b = self._num_better(as_objective_matrix(objectives, name="objectives"), index, limit)
        return b if self.max_num_samples is None else min(b, self.max_num_samples)

    def _num_better(self, Y: np.ndarray, index: int, limit: int | None) -> int:
        y = Y[index]
        if limit is not None:
            num_dominating = int(np.count_nonzero(np.all(Y <= y, axis=1) & np.any(Y < y, axis=1)))
            if num_dominating > limit:
                return num_dominating
        found = self._front_of(Y, index, limit)
        if found is None:
            return limit + 1
        count, members = found
        if limit is not None and count + len(members) - 1 <= limit:
            # wherever x lies in its front, b <= limit
            return count + len(members) - 1
        front = Y[members]
        target = int(np.searchsorted(members, index))
        # b <= limit iff x is among the first limit - count + 1 rows taken
        max_steps = None if limit is None else limit - count + 1
        order = epsilon_net_order(front, self._first(front), stop_at=target, max_steps=max_steps)
        if order[-1] != target:
            return count + len(order)  # = limit + 1
        return count + len(order) - 1

    @staticmethod
    def _front_of(Y: np.ndarray, index: int, limit: int | None) -> tuple[int, np.ndarray] | None:
        """``(number of rows in earlier fronts, sorted rows of the front of
        row index)``, or ``None`` once more than ``limit`` rows are known to
        lie in earlier fronts."""
        if Y.shape[1] == 2:
            # Rows dominated by x are left out: they lie in later fronts,
            # and no dominator of a row not dominated by x is dominated by x
            # (transitivity), so the other ranks do not change.
            y = Y[index]
            keep = ~(np.all(y <= Y, axis=1) & np.any(y < Y, axis=1))
            rows = np.flatnonzero(keep)
            ranks = nondominated_ranks(Y[rows])
            rank_x = ranks[np.searchsorted(rows, index)]
            count = int(np.count_nonzero(ranks < rank_x))
            if limit is not None and count > limit:
                return None
            return count, rows[ranks == rank_x]
        remaining = np.arange(len(Y))
        count = 0
        while True:
            mask = pareto_mask(Y[remaining])
            if mask[np.searchsorted(remaining, index)]:
                return count, remaining[mask]
            count += int(np.count_nonzero(mask))
            if limit is not None and count > limit:
                return None
            remaining = remaining[~mask]

    def __repr__(self) -> str:
        return f"NonDominatedPriority(dim={self.dim}, max_num_samples={self.max_num_samples})"
