"""Syne Tune's import path of the multi-fidelity GP searchers; they live in
:mod:`syne_tune.optimizer.schedulers.searchers.bayesopt.gp_multifidelity_searcher`."""

from syne_tune.optimizer.schedulers.searchers.bayesopt.gp_multifidelity_searcher import (
    CostAwareGPMultiFidelitySearcher,
    GPMultiFidelitySearcher,
)

__all__ = ["GPMultiFidelitySearcher", "CostAwareGPMultiFidelitySearcher"]
