"""Syne Tune's module path of the random-scalarization searcher; the class is
defined in :mod:`~syne_tune.optimizer.schedulers.multiobjective.random_scalarization`."""

from syne_tune.optimizer.schedulers.multiobjective.random_scalarization import (  # noqa: F401
    MultiObjectiveMultiSurrogateSearcher,
)

__all__ = ["MultiObjectiveMultiSurrogateSearcher"]
