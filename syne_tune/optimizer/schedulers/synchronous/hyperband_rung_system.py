"""Rung systems (one list of ``(size, level)`` per bracket) for synchronous
Hyperband."""

from __future__ import annotations

import math

from syne_tune.optimizer.schedulers.multifidelity.rung_levels import get_rung_levels

RungSystemsPerBracket = list  # list[list[tuple[int, int]]]


class SynchronousHyperbandRungSystem:
    """Factory methods for the ``bracket_rungs`` argument of
    :class:`~syne_tune.optimizer.schedulers.synchronous.SynchronousHyperbandScheduler`."""

    @staticmethod
    def geometric(
        min_resource: int,
        max_resource: int,
        reduction_factor: float,
        num_brackets: int | None = None,
    ) -> RungSystemsPerBracket:
        """Brackets of Hyperband (Li et al., 2018).

        Rung levels ``r_k = round(min_resource * eta**k) < max_resource``;
        ``s_max`` = their number. Bracket ``b`` (``0 <= b <= s_max``) starts
        ``n = ceil((s_max + 1) / (s_max + 1 - b) * eta**(s_max - b))`` trials at
        ``r_b``; its ``i``-th rung (level ``r_{b+i}``, then ``max_resource``)
        has ``max(1, floor(n / eta**i))`` slots. For ``min_resource=1``,
        ``max_resource=81``, ``eta=3``: bracket 0 is 81@1, 27@3, 9@9, 3@27,
        1@81; bracket 1 is 34@3, 11@9, 3@27, 1@81; ...; bracket 4 is 5@81.
        ``num_brackets`` (default ``s_max + 1``) brackets are used.
        """
        levels = get_rung_levels(max_resource, grace_period=min_resource, reduction_factor=reduction_factor)
        s_max = len(levels)
        if num_brackets is None:
            num_brackets = s_max + 1
        if isinstance(num_brackets, bool) or not isinstance(num_brackets, int) or num_brackets < 1:
            raise ValueError(f"brackets must be a positive integer, got {num_brackets!r}")
        num_brackets = min(num_brackets, s_max + 1)
        all_levels = levels + [int(max_resource)]
        eta = float(reduction_factor)
        result = []
        for b in range(num_brackets):
            s = s_max - b
            n = int(math.ceil((s_max + 1) / (s + 1) * eta**s - 1e-9))
            rungs = []
            for i, level in enumerate(all_levels[b:]):
                rungs.append((max(1, int(math.floor(n / eta**i + 1e-9))), level))
            result.append(rungs)
        return result
