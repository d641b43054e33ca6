"""Pareto dominance: non-dominated sorting and crowding distance.

All functions take a matrix ``Y`` of shape ``(n, m)``: ``n`` points, ``m``
objectives, **every objective minimized** (negate the columns of objectives
to maximize before calling). Point ``a`` *dominates* ``b`` if
``a_j <= b_j`` for all ``j`` and ``a_j < b_j`` for some ``j``; equal points
do not dominate each other.

* :func:`pareto_mask`: which points no other point dominates (duplicates of
  a non-dominated point are all non-dominated).
* :func:`nondominated_ranks`: the front index of each point (Deb et al.
  2002, "A fast and elitist multiobjective genetic algorithm: NSGA-II"):
  front 0 is the Pareto front, front ``k`` the Pareto front of the points
  left once fronts ``0 .. k-1`` are removed.
* :func:`crowding_distance`: NSGA-II's crowding distance within one front:
  per objective, the points are sorted, the two extremes get infinity and
  every other point the gap between its two neighbours divided by the
  objective's range; the distances are summed over the objectives.

Cost: with two objectives, :func:`pareto_mask` and
:func:`nondominated_ranks` sort once and sweep (``O(n log n)``); with more,
points are visited by increasing sum of objectives and compared with the
front found so far, ``O(n F m)`` for a front of ``F`` points (per front for
:func:`nondominated_ranks`).
"""

from __future__ import annotations

from bisect import bisect_right

import numpy as np

__all__ = ["pareto_mask", "nondominated_ranks", "crowding_distance", "as_objective_matrix"]

def as_objective_matrix(Y, name: str = "Y") -> np.ndarray:
    """``Y`` as a finite float matrix of shape ``(n, m)``.

    Raises
    ------
    ValueError
        If ``Y`` is not two-dimensional or holds non-finite values.
    """
    Y = np.asarray(Y, dtype=float)
    if Y.ndim != 2:
        raise ValueError(f"{name} must be a matrix of shape (num_points, num_objectives). Got shape {Y.shape}.")
    if not np.all(np.isfinite(Y)):
        raise ValueError(f"{name} must hold finite values only. Got {Y[~np.isfinite(Y).all(axis=1)][:3].tolist()}.")
    return Y


def _pareto_mask_sum_ordered(Y: np.ndarray) -> np.ndarray:
    # A point can only be dominated by a point of strictly smaller sum, and if
    # it is dominated at all, then by a non-dominated one (dominance is
    # transitive). So the points are visited by increasing sum and each is
    # compared with the front found so far: O(n F m) for a front of F points.
    order = np.argsort(Y.sum(axis=1), kind="stable")
    mask = np.zeros(len(Y), dtype=bool)
    front = np.empty((0, Y.shape[1]))
    for i in order:
        y = Y[i]
        if len(front):
            le = np.all(front <= y, axis=1)
            if np.any(le & np.any(front < y, axis=1)):
                continue
        mask[i] = True
        front = np.vstack([front, y])
    return mask


def _pareto_mask_2d(Y: np.ndarray) -> np.ndarray:
    # Sorted by the first objective (ties by the second), the first point of
    # a run of equal points is non-dominated iff its second objective is
    # below that of every earlier point; the others of the run share its fate.
    order = np.lexsort((Y[:, 1], Y[:, 0]))
    y0, y1 = Y[order, 0], Y[order, 1]
    earlier_min = np.concatenate(([np.inf], np.minimum.accumulate(y1)[:-1]))
    first_of_run = np.concatenate(([True], (y0[1:] != y0[:-1]) | (y1[1:] != y1[:-1])))
    run = np.cumsum(first_of_run) - 1
    mask = np.empty(len(Y), dtype=bool)
    mask[order] = (y1 < earlier_min)[first_of_run][run]
    return mask


def pareto_mask(Y) -> np.ndarray:
    """Boolean mask of the non-dominated rows of ``Y`` (see the module docstring).

    Parameters
    ----------
    Y
        Objective values, shape ``(n, m)``, minimized.

    Returns
    -------
    numpy.ndarray
        Shape ``(n,)``, ``True`` for the Pareto-optimal rows.
    """
    Y = as_objective_matrix(Y)
    if len(Y) == 0:
        return np.zeros(0, dtype=bool)
    if Y.shape[1] == 1:
        return Y[:, 0] == Y[:, 0].min()
    if Y.shape[1] == 2:
        return _pareto_mask_2d(Y)
    return _pareto_mask_sum_ordered(Y)


def _nondominated_ranks_2d(Y: np.ndarray) -> np.ndarray:
    """Front index of every row of a two-objective matrix in one sweep,
    ``O(n log n)``.

    Rows are visited in lexicographic order. Within a front, rows visited
    later have a strictly smaller second objective, so front ``k`` is
    summarised by ``tail[k]``, the second objective of its last row, and
    ``tail`` is non-decreasing in ``k``. A visited row ``(a, b)`` is dominated
    by a member of front ``k`` iff ``tail[k] <= b``; its front is therefore
    the first ``k`` with ``tail[k] > b`` (a binary search), unless it equals
    the previous row, whose front it shares.

    Parameters
    ----------
    Y
        Objective values, shape ``(n, 2)``, minimized, finite.

    Returns
    -------
    numpy.ndarray
        Integer ranks, shape ``(n,)``.
    """
    n = len(Y)
    order = np.lexsort((Y[:, 1], Y[:, 0]))
    first = Y[order, 0].tolist()
    second = Y[order, 1].tolist()
    sorted_ranks = [0] * n
    tails: list[float] = []
    for i in range(n):
        b = second[i]
        if i and b == second[i - 1] and first[i] == first[i - 1]:
            sorted_ranks[i] = sorted_ranks[i - 1]
            continue
        k = bisect_right(tails, b)
        if k == len(tails):
            tails.append(b)
        else:
            tails[k] = b
        sorted_ranks[i] = k
    ranks = np.empty(n, dtype=int)
    ranks[order] = sorted_ranks
    return ranks


def nondominated_ranks(Y) -> np.ndarray:
    """Front index of every row of ``Y`` (0: the Pareto front).

    Parameters
    ----------
    Y
        Objective values, shape ``(n, m)``, minimized.

    Returns
    -------
    numpy.ndarray
        Integer ranks, shape ``(n,)``.
    """
    Y = as_objective_matrix(Y)
    if Y.shape[1] == 2:
        return _nondominated_ranks_2d(Y)
    ranks = np.full(len(Y), -1, dtype=int)
    remaining = np.arange(len(Y))
    front = 0
    while len(remaining):
        mask = pareto_mask(Y[remaining])
        ranks[remaining[mask]] = front
        remaining = remaining[~mask]
        front += 1
    return ranks


def crowding_distance(Y) -> np.ndarray:
    """NSGA-II crowding distance of the rows of ``Y`` (one front).

    Parameters
    ----------
    Y
        Objective values of the points of one front, shape ``(n, m)``.

    Returns
    -------
    numpy.ndarray
        Shape ``(n,)``; ``inf`` for the extreme points of every objective
        (all points if ``n <= 2``), larger is less crowded.
    """
    Y = as_objective_matrix(Y)
    n, m = Y.shape
    distance = np.zeros(n)
    if n <= 2:
        distance[:] = np.inf
        return distance
    for j in range(m):
        order = np.argsort(Y[:, j], kind="stable")
        values = Y[order, j]
        span = values[-1] - values[0]
        distance[order[0]] = distance[order[-1]] = np.inf
        if span > 0:
            distance[order[1:-1]] += (values[2:] - values[:-2]) / span
    return distance
