"""Kernel density estimator searchers: TPE-style search (:class:`KernelDensityEstimator`,
baselines ``KDE`` / ``TPE``) and its multi-fidelity variant for BOHB
(:class:`MultiFidelityKernelDensityEstimator`, baselines ``BOHB`` / ``SyncBOHB``)."""

from syne_tune.optimizer.schedulers.searchers.kde.kde_searcher import KernelDensityEstimator
from syne_tune.optimizer.schedulers.searchers.kde.multi_fidelity_kde_searcher import (
    MultiFidelityKernelDensityEstimator,
)

__all__ = ["KernelDensityEstimator", "MultiFidelityKernelDensityEstimator"]
