"""Syne Tune's import path of :class:`HyperTuneBracketDistribution`; it lives in
:mod:`syne_tune.optimizer.schedulers.searchers.bayesopt.hypertune`."""

from syne_tune.optimizer.schedulers.searchers.bayesopt.hypertune import HyperTuneBracketDistribution

__all__ = ["HyperTuneBracketDistribution"]
