"""Multi-objective schedulers and searchers, and the Pareto utilities they share.

=================================  ==============================================
module                             what it holds
=================================  ==============================================
``non_dominated``                  Pareto masks, non-dominated sorting, crowding
``hypervolume``                    exact (any number of objectives) and Monte
                                   Carlo hypervolume, contributions, indicator
``moasha``                         :class:`MOASHA`
``multiobjective_priority``        the rankings MOASHA uses at its rungs
``nsga2_searcher``                 :class:`NSGA2Searcher`
``multi_objective_regularized_evolution``  :class:`MultiObjectiveRegularizedEvolution`
``linear_scalarizer``              :class:`LinearScalarizedScheduler`
``random_scalarization``           :class:`MultiObjectiveMultiSurrogateSearcher`
=================================  ==============================================

The names below are imported from their modules on first use, so importing
this package (or one of its modules) does not import all of them. The
function ``hypervolume`` is imported from its module
(``from syne_tune.optimizer.schedulers.multiobjective.hypervolume import
hypervolume``): the package attribute of that name is the module.
"""

from __future__ import annotations

import importlib

#: name -> module of this package that defines it
_EXPORTS = {
    "MOASHA": "moasha",
    "MOPriority": "multiobjective_priority",
    "NonDominatedPriority": "multiobjective_priority",
    "LinearScalarizationPriority": "multiobjective_priority",
    "FixedObjectivePriority": "multiobjective_priority",
    "crowding_distance": "non_dominated",
    "nondominated_ranks": "non_dominated",
    "pareto_mask": "non_dominated",
    "default_reference_point": "hypervolume",
    "hypervolume_contributions": "hypervolume",
    "hypervolume_indicator": "hypervolume",
    "hypervolume_monte_carlo": "hypervolume",
    "NSGA2Searcher": "nsga2_searcher",
    "MultiObjectiveRegularizedEvolution": "multi_objective_regularized_evolution",
    "LinearScalarizedScheduler": "linear_scalarizer",
    "MultiObjectiveMultiSurrogateSearcher": "random_scalarization",
    "RandomScalarizationLCB": "random_scalarization",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
