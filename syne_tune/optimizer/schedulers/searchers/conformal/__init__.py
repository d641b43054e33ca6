"""CQR: conformalized quantile regression as the surrogate of Bayesian
optimization (Salinas et al., ICML 2023).

* :class:`SurrogateSearcher`: single-fidelity searcher
  (``FIFOScheduler(searcher="cqr")``, baseline ``CQR``);
* :class:`MultiFidelitySurrogateSearcher`: fitted to the last observed value
  of every trial (``HyperbandScheduler(searcher="cqr")``, baseline ``ASHACQR``);
* :class:`QuantileRegression`, :class:`ConformalQuantileRegression`: the
  surrogate models; :class:`ThompsonSampling`: the acquisition function.
"""

from syne_tune.optimizer.schedulers.searchers.conformal.conformal_quantile_regression import (
    ConformalQuantileRegression,
    QuantileRegression,
    ThompsonSampling,
)
from syne_tune.optimizer.schedulers.searchers.conformal.multi_fidelity_surrogate_searcher import (
    MultiFidelitySurrogateSearcher,
)
from syne_tune.optimizer.schedulers.searchers.conformal.surrogate_searcher import SurrogateSearcher

__all__ = [
    "SurrogateSearcher",
    "MultiFidelitySurrogateSearcher",
    "QuantileRegression",
    "ConformalQuantileRegression",
    "ThompsonSampling",
]
