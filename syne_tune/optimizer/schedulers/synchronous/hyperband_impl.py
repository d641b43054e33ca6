"""Synchronous Hyperband schedulers with geometric brackets (Syne Tune's
module path).

:class:`SynchronousGeometricHyperbandScheduler` is defined in
:mod:`.hyperband` and re-exported here; this module defines
:class:`GeometricDifferentialEvolutionHyperbandScheduler`, DEHB (see
:mod:`.dehb`) whose first bracket is the first bracket of
:meth:`~.hyperband_rung_system.SynchronousHyperbandRungSystem.geometric`
(``r_min`` = ``grace_period``, ``eta`` = ``reduction_factor``, ``R`` = the
maximum resource) and whose number of brackets per iteration is the number of
brackets of that system (``brackets``, default all ``s_max + 1``). Rung levels
are those of synchronous Hyperband; later brackets keep the rung sizes of
the first one (DEHB's rule), where Hyperband recomputes them.
"""

from __future__ import annotations

from syne_tune.optimizer.schedulers.synchronous.dehb import DifferentialEvolutionHyperbandScheduler
from syne_tune.optimizer.schedulers.synchronous.hyperband import SynchronousGeometricHyperbandScheduler
from syne_tune.optimizer.schedulers.synchronous.hyperband_rung_system import SynchronousHyperbandRungSystem
from syne_tune.utils.validation import InvalidParameterError, validate_parameters

__all__ = ["SynchronousGeometricHyperbandScheduler", "GeometricDifferentialEvolutionHyperbandScheduler"]


class GeometricDifferentialEvolutionHyperbandScheduler(DifferentialEvolutionHyperbandScheduler):
    """DEHB with the geometric rung levels of Hyperband.

    Parameters
    ----------
    config_space
        Configuration space.
    grace_period
        Smallest rung level (default 1).
    reduction_factor
        ``eta >= 2`` (default 3).
    brackets
        Brackets per iteration (default: all, ``s_max + 1``).
    kwargs
        :class:`DifferentialEvolutionHyperbandScheduler` arguments except
        ``rungs_first_bracket`` and ``num_brackets_per_iteration``; the
        maximum resource is ``max_resource_level`` or ``max_t``, else inferred
        from ``config_space[max_resource_attr]`` (or ``"epochs"``, ...).

    Raises
    ------
    InvalidParameterError
        For an argument of the wrong type or out of range.
    ValueError
        If the maximum resource cannot be determined.
    """

    _parameter_constraints = SynchronousGeometricHyperbandScheduler._parameter_constraints

    def __init__(
        self,
        config_space: dict,
        grace_period: int = 1,
        reduction_factor: float = 3,
        brackets: int | None = None,
        **kwargs,
    ):
        validate_parameters(self, locals())
        for key in ("rungs_first_bracket", "num_brackets_per_iteration"):
            if key in kwargs:
                raise InvalidParameterError(
                    f"{type(self).__name__} computes {key} from grace_period, reduction_factor and brackets; "
                    f"use DifferentialEvolutionHyperbandScheduler to give it. Got {key}={kwargs[key]!r}."
                )
        self.grace_period = grace_period
        self.reduction_factor = reduction_factor
        self._num_brackets = brackets
        super().__init__(config_space, rungs_first_bracket=None, **kwargs)

    def _first_bracket(self) -> tuple[list, int | None]:
        if self.max_t is None:
            raise ValueError(
                f"{type(self).__name__} needs max_resource_level, or max_resource_attr naming a config space "
                "entry, or 'epochs' / 'max_t' / 'max_epochs' in the config space"
            )
        bracket_rungs = SynchronousHyperbandRungSystem.geometric(
            min_resource=self.grace_period,
            max_resource=self.max_t,
            reduction_factor=self.reduction_factor,
            num_brackets=self._num_brackets,
        )
        return bracket_rungs[0], len(bracket_rungs)
