"""Syne Tune's import path of Hyper-Tune; it lives in
:mod:`syne_tune.optimizer.schedulers.searchers.bayesopt.hypertune`."""

from syne_tune.optimizer.schedulers.searchers.bayesopt.hypertune import (
    HyperTuneBracketDistribution,
    HyperTuneSearcher,
)

__all__ = ["HyperTuneSearcher", "HyperTuneBracketDistribution"]
