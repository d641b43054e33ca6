"""Syne Tune's import path of DyHPO; the searcher lives in
:mod:`syne_tune.optimizer.schedulers.searchers.bayesopt.dyhpo`, the rung
system in :mod:`syne_tune.optimizer.schedulers.multifidelity.dyhpo_rung_system`."""

from syne_tune.optimizer.schedulers.multifidelity.dyhpo_rung_system import DyHPORungSystem
from syne_tune.optimizer.schedulers.searchers.bayesopt.dyhpo import DynamicHPOSearcher

__all__ = ["DynamicHPOSearcher", "DyHPORungSystem"]
