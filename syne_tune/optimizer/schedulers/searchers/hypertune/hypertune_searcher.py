"""Syne Tune's import path of :class:`HyperTuneSearcher`; it lives in
:mod:`syne_tune.optimizer.schedulers.searchers.bayesopt.hypertune`."""

from syne_tune.optimizer.schedulers.searchers.bayesopt.hypertune import HyperTuneSearcher

__all__ = ["HyperTuneSearcher"]
