"""Searchers: the part of a scheduler that picks configurations.

A scheduler (FIFO, Hyperband, ...) decides *when* trials run; its searcher
decides *what* they run. One module per family:

* :mod:`.searcher`: :class:`BaseSearcher` (abstract) and
  :func:`impute_points_to_evaluate`;
* :mod:`.searcher_base`: :class:`StochasticSearcher`,
  :class:`StochasticAndFilterDuplicatesSearcher`;
* :mod:`.random_grid_searcher`: :class:`RandomSearcher`, :class:`GridSearcher`;
* :mod:`.searcher_factory`: :func:`searcher_factory`, :func:`register_searcher`;
* :mod:`.bayesopt`: the Gaussian-process searchers, :class:`GPFIFOSearcher`
  (BO, also importable from :mod:`.gp_fifo_searcher` as in Syne Tune),
  constrained and cost-aware BO, :class:`GPMultiFidelitySearcher` (MOBSTER,
  also from :mod:`.gp_multifidelity_searcher`), Hyper-Tune and DyHPO (also
  from :mod:`.hypertune` and :mod:`.dyhpo`); they need the ``gpsearchers``
  extra when a model is fitted;
* :mod:`.utils`: hyperparameter ranges (sampling and encoding).
"""

from syne_tune.optimizer.schedulers.searchers.searcher import BaseSearcher, impute_points_to_evaluate
from syne_tune.optimizer.schedulers.searchers.searcher_base import (
    StochasticAndFilterDuplicatesSearcher,
    StochasticSearcher,
)
from syne_tune.optimizer.schedulers.searchers.random_grid_searcher import GridSearcher, RandomSearcher
from syne_tune.optimizer.schedulers.searchers.searcher_factory import register_searcher, searcher_factory

__all__ = [
    "BaseSearcher",
    "impute_points_to_evaluate",
    "StochasticSearcher",
    "StochasticAndFilterDuplicatesSearcher",
    "RandomSearcher",
    "GridSearcher",
    "searcher_factory",
    "register_searcher",
    "GPFIFOSearcher",
    "GPMultiFidelitySearcher",
]

#: Model-based searchers, imported on first access (they need the
#: ``gpsearchers`` extra only once a model is fitted).
_LAZY = {
    "GPFIFOSearcher": "syne_tune.optimizer.schedulers.searchers.bayesopt.gp_searcher",
    "GPMultiFidelitySearcher": "syne_tune.optimizer.schedulers.searchers.bayesopt.gp_multifidelity_searcher",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
