"""Syne Tune's import path of DyHPO's rung system; it lives in
:mod:`syne_tune.optimizer.schedulers.multifidelity.dyhpo_rung_system`."""

from syne_tune.optimizer.schedulers.multifidelity.dyhpo_rung_system import (
    DEFAULT_SH_PROBABILITY,
    DyHPORungSystem,
    ScheduleDecision,
)

__all__ = ["DyHPORungSystem", "DEFAULT_SH_PROBABILITY", "ScheduleDecision"]
