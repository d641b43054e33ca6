"""Syne Tune's import path of :class:`DynamicHPOSearcher`; it lives in
:mod:`syne_tune.optimizer.schedulers.searchers.bayesopt.dyhpo`."""

from syne_tune.optimizer.schedulers.searchers.bayesopt.dyhpo import DynamicHPOSearcher

__all__ = ["DynamicHPOSearcher"]
