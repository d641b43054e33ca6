"""Rung systems (one list of ``(size, level)`` per bracket) for synchronous
Hyperband, as Syne Tune computes them.

:meth:`SynchronousHyperbandRungSystem.geometric` (``r_min`` = ``min_resource``,
``R`` = ``max_resource``, ``eta`` = ``reduction_factor``)::

    s_max = ceil((log(R) - log(r_min)) / log(eta))
    bracket b = 0 .. B - 1 (B = num_brackets, at most s_max + 1):
        s = s_max - b,  c = (s_max + 1) / (s + 1)
        rung i = 0 .. s - 1:  ( ceil(c * eta**(s - i)),  round(r_min * eta**(b + i)) )
        last rung:            ( ceil(c),                 R )

(``s_max`` is computed with a tolerance of ``1e-9``, so that exact powers
such as ``R = 125``, ``eta = 5`` give ``s_max = 3``.) Every rung size is
rounded up on its own (not derived from the bracket's first rung). For ``r_min = 1``, ``R = 81``, ``eta = 3``::

    bracket 0: 81@1, 27@3, 9@9, 3@27, 1@81
    bracket 1: 34@3, 12@9, 4@27, 2@81     (c = 5/4)
    bracket 2: 15@9, 5@27, 2@81           (c = 5/3)
    bracket 3: 8@27, 3@81                 (c = 5/2)
    bracket 4: 5@81                       (c = 5)

``R`` need not be a power of ``eta`` times ``r_min``: for ``R = 100`` the
levels are 1, 3, 9, 27, 81 and then 100 (``s_max = 5``, bracket 0 starts 243
trials).
"""

from __future__ import annotations

import logging
import math

logger = logging.getLogger(__name__)

RungSystemsPerBracket = list  # list[list[tuple[int, int]]]


def _check_positive_int(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value) or value < 1:
        raise ValueError(f"The {name!r} parameter of SynchronousHyperbandRungSystem.geometric must be a positive int. Got {value!r} instead.")
    return int(value)


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
        """Brackets of Hyperband (Li et al., 2018) with Syne Tune's rounding
        (see the module docstring).

        Parameters
        ----------
        min_resource
            Smallest rung level (``grace_period``).
        max_resource
            Largest level, ``> min_resource``.
        reduction_factor
            ``eta >= 2``.
        num_brackets
            Number of brackets; default and maximum ``s_max + 1`` (larger
            values are reduced, with a warning). 1 is synchronous successive
            halving.

        Returns
        -------
        list[list[tuple[int, int]]]
            ``(size, level)`` per rung, per bracket.

        Raises
        ------
        ValueError
            For invalid arguments, or when rounding makes the highest rung
            level equal to ``max_resource``.
        """
        min_resource = _check_positive_int("min_resource", min_resource)
        max_resource = _check_positive_int("max_resource", max_resource)
        if min_resource >= max_resource:
            raise ValueError(
                f"The 'min_resource' (grace_period) parameter of SynchronousHyperbandRungSystem.geometric must be "
                f"smaller than max_resource = {max_resource}. Got {min_resource!r} instead."
            )
        if isinstance(reduction_factor, bool) or not isinstance(reduction_factor, (int, float)) or not reduction_factor >= 2:
            raise ValueError(
                "The 'reduction_factor' parameter of SynchronousHyperbandRungSystem.geometric must be a float in "
                f"the range [2, inf). Got {reduction_factor!r} instead."
            )
        eta = float(reduction_factor)
        # The tolerance only matters where max_resource = min_resource *
        # eta**k exactly and floating point puts the ratio of logs just above
        # k (e.g. 125 = 5**3): Syne Tune then gets a rung level equal to
        # max_resource and fails; here the ratio counts as k.
        s_max = int(math.ceil((math.log(max_resource) - math.log(min_resource)) / math.log(eta) - 1e-9))
        if num_brackets is None:
            num_brackets = s_max + 1
        num_brackets = _check_positive_int("num_brackets", num_brackets)
        if num_brackets > s_max + 1:
            logger.warning(
                "min_resource = %d, max_resource = %d, reduction_factor = %s allow at most %d brackets, "
                "not num_brackets = %d: using %d",
                min_resource, max_resource, reduction_factor, s_max + 1, num_brackets, s_max + 1,
            )
            num_brackets = s_max + 1
        top_level = int(round(min_resource * eta ** (s_max - 1)))
        if top_level >= max_resource:
            raise ValueError(
                f"With min_resource = {min_resource} and reduction_factor = {reduction_factor}, the highest rung "
                f"level below max_resource = {max_resource} rounds to {top_level}: choose another grace_period, "
                "reduction_factor or maximum resource"
            )
        brackets = []
        for bracket in range(num_brackets):
            s = s_max - bracket
            factor = (s_max + 1) / (s + 1)
            rungs = [
                (int(math.ceil(factor * eta ** (s - i))), int(round(min_resource * eta ** (bracket + i))))
                for i in range(s)
            ]
            rungs.append((int(math.ceil(factor)), max_resource))
            brackets.append(rungs)
        return brackets
