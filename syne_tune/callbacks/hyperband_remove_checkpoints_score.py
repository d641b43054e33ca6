"""Probability that a paused trial of promotion-type ASHA is resumed later.

Used by speculative early checkpoint removal
(:mod:`syne_tune.callbacks.hyperband_remove_checkpoints_callback`), which
removes the checkpoints with the smallest expected cost of removal
``rung level * P(resumed)``.

Model. A trial is paused at a rung holding ``n`` values, where it has rank
``k`` (1 = best) and the promotion quantile is ``alpha``. Promotion-type ASHA
resumes it once it is in the top ``alpha`` fraction of the rung, i.e. once
``k' <= alpha * n'`` for the rank ``k'`` and size ``n'`` of the rung at that
time. Each trial arriving at the rung later increases ``n'`` by one, and, with
probability ``p`` (independently of the others), ranks better than our trial,
increasing ``k'`` by one. Let ``C = k - alpha * n``:

* if ``C <= 0`` the trial is promotable now: probability 1;
* else, after ``m`` further arrivals of which ``j`` ranked better, it is
  promotable iff ``m >= l_j = ceil((C + j) / alpha)``. The number ``J(m)`` of
  better arrivals only grows, so the condition first holds at a *checkpoint*
  ``m = l_i``, and it holds there iff ``J(l_i) <= i``.

Only ``N = ceil(n * beta)`` more arrivals are expected before the experiment
ends, ``beta`` being the ratio of time left to time spent (arrivals keep
their pace so far). Hence::

    P(resumed) = sum_{i = 0 .. R, l_i <= N} P(J(l_i) <= i and J(l_t) > t for all t < i)

with ``J(l_i) - J(l_{i-1}) ~ Binomial(l_i - l_{i-1}, p)`` (``l_{-1} = 0``)
independent. Only the first ``R + 1`` checkpoints are used (``R =
approx_steps``), so the value is a lower bound which grows with ``R``. It is
computed by dynamic programming over the distribution of ``J`` on the paths
that have not succeeded yet (``J`` beyond ``R`` can never succeed at these
checkpoints and is dropped): ``R`` steps, each a truncated convolution costing
``O(R^2)``, so ``O(R^3)`` per trial, vectorized over trials.
"""

from __future__ import annotations

import numpy as np

__all__ = ["probabilities_of_getting_resumed"]


def _binomial_pmf_head(num: np.ndarray, p: np.ndarray, size: int) -> np.ndarray:
    """``P(Binomial(num_t, p_t) = j)`` for ``j = 0 .. size - 1``, shape
    ``(len(num), size)``; ``0 < p < 1``."""
    j = np.arange(size, dtype=float)
    num = num.astype(float)[:, None]
    p = p[:, None]
    # log pmf(0) = num * log(1 - p); log pmf(j + 1) - log pmf(j)
    # = log(num - j) - log(j + 1) + log(p / (1 - p)) for j < num
    with np.errstate(divide="ignore"):
        steps = np.log(np.maximum(num - j[:-1], 0.0)) - np.log(j[1:]) + np.log(p) - np.log1p(-p)
    log_pmf = num * np.log1p(-p) + np.concatenate([np.zeros_like(num), np.cumsum(steps, axis=1)], axis=1)
    pmf = np.exp(log_pmf)
    pmf[j[None, :] > num] = 0.0
    return pmf


def probabilities_of_getting_resumed(
    ranks: np.ndarray,
    rung_lens: np.ndarray,
    prom_quants: np.ndarray,
    p_vals: np.ndarray,
    time_ratio: float,
    approx_steps: int,
) -> np.ndarray:
    """Probability that each paused trial is resumed before the experiment
    ends (see the module docstring for the model).

    Parameters
    ----------
    ranks
        Rank ``k`` of each trial in its rung, 1 = best.
    rung_lens
        Number ``n`` of values in each trial's rung.
    prom_quants
        Promotion quantile ``alpha`` of each trial's rung, in (0, 1].
    p_vals
        Probability ``p`` that a new arrival at the rung ranks better, in
        (0, 1).
    time_ratio
        ``beta``: time left divided by time spent (> 0).
    approx_steps
        ``R``: number of checkpoints used after the first (>= 1).

    Returns
    -------
    numpy.ndarray
        One probability per trial.

    Raises
    ------
    ValueError
        For inputs of different lengths or out of range.
    """
    ranks = np.asarray(ranks, dtype=float)
    rung_lens = np.asarray(rung_lens, dtype=float)
    prom_quants = np.asarray(prom_quants, dtype=float)
    p_vals = np.asarray(p_vals, dtype=float)
    if not ranks.shape == rung_lens.shape == prom_quants.shape == p_vals.shape or ranks.ndim != 1:
        raise ValueError("ranks, rung_lens, prom_quants and p_vals must be 1-d arrays of the same length")
    if not time_ratio > 0:
        raise ValueError(f"time_ratio must be positive, got {time_ratio!r}")
    if int(approx_steps) != approx_steps or approx_steps < 1:
        raise ValueError(f"approx_steps must be a positive integer, got {approx_steps!r}")
    if np.any((prom_quants <= 0) | (prom_quants > 1)) or np.any((p_vals <= 0) | (p_vals >= 1)):
        raise ValueError("prom_quants must lie in (0, 1] and p_vals in (0, 1)")
    steps = int(approx_steps)
    result = np.ones(ranks.shape)
    c_vals = ranks - prom_quants * rung_lens
    todo = np.flatnonzero(c_vals > 0)
    if todo.size == 0:
        return result
    c_vals, alpha, p = c_vals[todo], prom_quants[todo], p_vals[todo]
    horizon = np.ceil(rung_lens[todo] * time_ratio)
    # checkpoints l_i, shape (R + 1, trials); the small offset keeps exact
    # integers from being rounded up by floating point noise
    levels = np.ceil((c_vals[None, :] + np.arange(steps + 1)[:, None]) / alpha[None, :] - 1e-9)
    width = steps + 1  # J takes values 0 .. R on the paths that can still succeed
    alive = np.zeros((todo.size, width))
    alive[:, 0] = 1.0
    success = np.zeros(todo.size)
    previous = np.zeros(todo.size)
    for i in range(steps + 1):
        within = levels[i] <= horizon
        if not within.any():
            break
        pmf = _binomial_pmf_head(levels[i] - previous, p, width)
        previous = levels[i]
        mixed = np.zeros_like(alive)
        for m in range(i, width):  # alive is zero below i
            mixed[:, m:] += alive[:, m : m + 1] * pmf[:, : width - m]
        success += np.where(within, mixed[:, : i + 1].sum(axis=1), 0.0)
        mixed[:, : i + 1] = 0.0
        alive = np.where(within[:, None], mixed, 0.0)
    result[todo] = np.minimum(success, 1.0)
    return result
