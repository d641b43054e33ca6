"""Syne Tune's import path of :class:`GPFIFOSearcher`; the searcher lives in
:mod:`syne_tune.optimizer.schedulers.searchers.bayesopt.gp_searcher`."""

from syne_tune.optimizer.schedulers.searchers.bayesopt.gp_searcher import GPFIFOSearcher

__all__ = ["GPFIFOSearcher"]
