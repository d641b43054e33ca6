"""Gaussian-process Bayesian optimization (needs the ``gpsearchers`` extra:
autograd and scipy, imported only when a model is fitted).

Importing this package registers the searcher name ``"bayesopt"``.
"""

from syne_tune.optimizer.schedulers.searchers.bayesopt.gp_searcher import GPFIFOSearcher
from syne_tune.optimizer.schedulers.searchers.searcher import register_searcher

register_searcher("bayesopt", GPFIFOSearcher)

__all__ = ["GPFIFOSearcher"]
