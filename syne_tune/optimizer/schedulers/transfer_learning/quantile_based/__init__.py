"""Quantile-based transfer learning (Salinas, Shen, Perrone, ICML 2020):
the Copula Thompson sampling searcher and its normalizations."""

from syne_tune.optimizer.schedulers.transfer_learning.quantile_based.normalization_transforms import (
    GaussianTransform,
    StandardTransform,
)
from syne_tune.optimizer.schedulers.transfer_learning.quantile_based.quantile_based_searcher import (
    QuantileBasedSurrogateSearcher,
)

__all__ = ["QuantileBasedSurrogateSearcher", "GaussianTransform", "StandardTransform"]
