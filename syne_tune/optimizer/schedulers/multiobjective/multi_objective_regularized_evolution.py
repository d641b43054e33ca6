"""Multi-objective regularized evolution (MOREA).

Regularized evolution (:class:`~syne_tune.optimizer.schedulers.searchers.regularized_evolution.RegularizedEvolution`,
Real et al. 2019) with a vector of metric values per member. Everything but
the choice of the parent is inherited unchanged: the population is a FIFO
queue of the ``population_size`` most recent results (the oldest dies,
whatever its values), suggestions are ``points_to_evaluate``, then random
configurations until the population is full, then children that differ from
their parent in exactly one hyperparameter (same mutation, duplicate
handling and ``restrict_configurations`` rule as the single-objective
searcher).

Parent selection: ``min(sample_size, population_size)`` members are drawn
uniformly without replacement; the parent is the best of them in NSGA-II's
crowded comparison (:func:`~syne_tune.optimizer.schedulers.multiobjective.nsga2_searcher.crowded_tournament`):
the smallest non-dominated rank, then the largest crowding distance, then
the first drawn. Ranks and crowding distances are those of the **whole
current population** (objectives to maximize negated; a member's crowding
distance is computed among the members of its front), so the sample is a
tournament of size ``sample_size`` between members scored globally, as in
NSGA-II's binary tournament.

Differences to Syne Tune 0.13: there, every member gets a scalar score from
a ``multiobjective_priority`` (non-dominated sorting by default) computed
over the population when a result arrives (and kept, so scores get stale as
the population changes), and the best-scored of a sample drawn *with*
replacement is the parent. Here scores are recomputed at every selection,
ties within a rank are broken by crowding distance (diversity along the
front), and the sample is drawn without replacement; there is no
``multiobjective_priority`` argument.

Results lacking a metric raise ``ValueError``; results with a non-finite
value for some metric are ignored (with a warning). The model is
single-fidelity; the population is part of the state.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from syne_tune.optimizer.schedulers.multiobjective.nsga2_searcher import (
    crowded_tournament,
    rank_and_crowding,
    read_objectives,
    signed_objectives,
)
from syne_tune.optimizer.schedulers.searchers.regularized_evolution import RegularizedEvolution
from syne_tune.optimizer.schedulers.searchers.searcher import _MODES

__all__ = ["MultiObjectiveRegularizedEvolution"]


class MultiObjectiveRegularizedEvolution(RegularizedEvolution):
    """Regularized evolution for several objectives (see the module docstring).

    Parameters
    ----------
    config_space
        Configuration space.
    metric
        Names of the metrics (objectives), a list.
    mode
        ``"min"`` or ``"max"`` for all metrics, or a list with one per metric.
    points_to_evaluate
        Configurations suggested first (``None``: one of midpoint values).
    population_size
        Number of most recent results forming the population (default 100).
    sample_size
        Members drawn (without replacement) to pick a parent from (default
        10); at most ``population_size``.
    random_seed
        Seed of the searcher's random state (drawn at random if ``None``).
    allow_duplicates
        If ``True``, a configuration may be suggested more than once.
    restrict_configurations
        If given, only these configurations are suggested.

    Raises
    ------
    InvalidParameterError
        If an argument has the wrong type or value.
    """

    _parameter_constraints = {
        "metric": [list],
        "mode": [_MODES, list],
    }

    def __init__(
        self,
        config_space: dict,
        metric: list[str],
        mode: str | list[str] = "min",
        points_to_evaluate: list[dict] | None = None,
        population_size: int = 100,
        sample_size: int = 10,
        random_seed: int | None = None,
        allow_duplicates: bool | None = None,
        restrict_configurations: list[dict] | None = None,
    ):
        super().__init__(
            config_space,
            metric=metric,
            points_to_evaluate=points_to_evaluate,
            mode=mode,
            population_size=population_size,
            sample_size=sample_size,
            random_seed=random_seed,
            allow_duplicates=allow_duplicates,
            restrict_configurations=restrict_configurations,
        )

    def _value_of(self, trial_id: int, result: dict) -> Any:
        """The metric values of ``result`` (a tuple), ``None`` if one is not finite."""
        return read_objectives(self, self._metric, trial_id, result)

    def _best_in_sample(self, sample: np.ndarray) -> int:
        """Position in ``sample`` of the best member in crowded comparison,
        ranks and crowding distances taken over the whole population."""
        Y = signed_objectives([m[2] for m in self._population], self._metric, self._mode)
        ranks, crowding = rank_and_crowding(Y)
        return crowded_tournament(ranks, crowding, sample)
