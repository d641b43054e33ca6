"""Rung levels and promotion quantiles of successive halving / Hyperband.

Rung levels are the resource values (e.g. epochs) at which a multi-fidelity
scheduler compares trials. They are always strictly below ``max_t``; reaching
``max_t`` ends a trial.

* Geometric (default): ``r_k = round(grace_period * reduction_factor**k)``
  for ``k = 0, 1, ...`` while ``r_k < max_t``.
* Linear (``rung_increment``): ``r_k = grace_period + k * rung_increment``.
* Explicit (``rung_levels``): any strictly increasing positive integers;
  entries ``>= max_t`` are dropped.

The promotion quantile of rung ``j`` is ``q_j = r_j / r_{j+1}`` (with
``r_{J} = max_t`` after the last rung): on average a fraction ``q_j`` of the
trials reaching ``r_j`` go on to ``r_{j+1}``. For geometric levels this is
``1 / reduction_factor`` (up to rounding).

Example: ``grace_period=1, reduction_factor=3, max_t=81`` gives rung levels
``[1, 3, 9, 27]`` (81 is ``max_t``), quantiles ``[1/3, 1/3, 1/3, 1/3]``.
"""

from __future__ import annotations

import math
from numbers import Real


def _is_positive_int(x) -> bool:
    if isinstance(x, bool) or not isinstance(x, Real):
        return False
    return float(x).is_integer() and x >= 1


def get_rung_levels(
    max_t: int,
    grace_period: int = 1,
    reduction_factor: float | None = 3,
    rung_increment: int | None = None,
    rung_levels: list[int] | None = None,
) -> list[int]:
    """Rung levels (strictly increasing, all ``< max_t``).

    ``rung_levels`` overrides the other arguments, ``rung_increment`` (linear
    spacing) overrides ``reduction_factor``. Raises :class:`ValueError` for
    invalid arguments, naming them.
    """
    if not _is_positive_int(max_t):
        raise ValueError(f"max_t must be a positive integer, got {max_t!r}")
    max_t = int(max_t)
    if rung_levels is not None:
        if not isinstance(rung_levels, (list, tuple)) or not rung_levels:
            raise ValueError(f"rung_levels must be a non-empty list of positive integers, got {rung_levels!r}")
        if not all(_is_positive_int(x) for x in rung_levels):
            raise ValueError(f"rung_levels must contain positive integers only, got {rung_levels!r}")
        levels = [int(x) for x in rung_levels]
        if any(x >= y for x, y in zip(levels, levels[1:])):
            raise ValueError(f"rung_levels must be strictly increasing, got {rung_levels!r}")
        if levels[-1] > max_t:
            raise ValueError(f"The last entry of rung_levels ({levels[-1]}) must be <= max_t ({max_t})")
        levels = [x for x in levels if x < max_t]
        if not levels:
            raise ValueError(f"rung_levels {rung_levels!r} has no level below max_t = {max_t}")
        return levels
    if not _is_positive_int(grace_period):
        raise ValueError(f"grace_period must be a positive integer, got {grace_period!r}")
    grace_period = int(grace_period)
    if grace_period >= max_t:
        raise ValueError(
            f"grace_period ({grace_period}) must be smaller than max_t ({max_t}): otherwise there is "
            "no rung level at which trials could be compared"
        )
    if rung_increment is not None:
        if not _is_positive_int(rung_increment):
            raise ValueError(f"rung_increment must be a positive integer, got {rung_increment!r}")
        return list(range(grace_period, max_t, int(rung_increment)))
    if (
        isinstance(reduction_factor, bool)
        or not isinstance(reduction_factor, Real)
        or not math.isfinite(reduction_factor)
        or reduction_factor < 2
    ):
        raise ValueError(f"reduction_factor must be a number >= 2, got {reduction_factor!r}")
    levels = []
    k = 0
    while True:
        level = int(round(grace_period * reduction_factor**k))
        if level >= max_t:
            break
        if not levels or level > levels[-1]:
            levels.append(level)
        k += 1
    return levels


def get_promotion_quantiles(rung_levels: list[int], max_t: int) -> list[float]:
    """``q_j = r_j / r_{j+1}`` with ``r_J = max_t``."""
    nxt = list(rung_levels[1:]) + [max_t]
    return [r / s for r, s in zip(rung_levels, nxt)]


def hyperband_bracket_sizes(rung_levels: list[int], max_t: int, num_brackets: int) -> list[int]:
    """Number of configurations Hyperband starts in each bracket.

    Bracket ``b`` starts at rung level ``r_b`` (bracket ``len(rung_levels)``
    starts at ``max_t``: plain full-budget evaluation). With
    ``s_max = len(rung_levels)``, synchronous Hyperband starts
    ``n_b = ceil((s_max + 1) / (s_max + 1 - b) * max_t / r_b)`` configurations
    in bracket ``b`` (Li et al., 2018). For ``max_t = 81``, ``eta = 3`` this
    is ``[81, 34, 15, 8, 5]``.
    """
    s_max = len(rung_levels)
    levels = list(rung_levels) + [max_t]
    sizes = []
    for b in range(num_brackets):
        sizes.append(int(math.ceil((s_max + 1) / (s_max + 1 - b) * max_t / levels[b] - 1e-9)))
    return sizes


def max_num_brackets(rung_levels: list[int]) -> int:
    """Brackets start at each rung level or at ``max_t``."""
    return len(rung_levels) + 1
