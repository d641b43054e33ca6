"""RUSH: asynchronous successive halving warm-started and pruned by the best
configurations of earlier tasks (Zappella, Salinas and Archambeau, 2021, "A
resource-efficient method for repeated HPO and NAS problems", AutoML
workshop at ICML 2021).

Algorithm. :class:`RUSHScheduler` is a
:class:`~syne_tune.optimizer.schedulers.HyperbandScheduler` of type
``"rush_stopping"`` (``type="stopping"``) or ``"rush_promotion"``
(``type="promotion"``) whose initial configurations are, in this order:

1. the ``num_hyperparameters_per_task`` best configurations of every task of
   ``transfer_learning_evaluations`` (in the order of the dict; per task best
   first, ranked by
   :meth:`~syne_tune.optimizer.schedulers.transfer_learning.TransferLearningTaskEvaluations.top_k_hyperparameter_configurations`
   with ``metric`` and ``mode``: the metric averaged over seeds at the last
   fidelity with a value);
2. ``custom_rush_points``;
3. the user's ``points_to_evaluate`` (``None``: none; unlike a plain
   scheduler, no default configuration is added).

Each configuration is completed like ``points_to_evaluate`` (hyperparameters
of the space that it lacks get their midpoint default, constants are added;
keys of the earlier tasks that are not in ``config_space`` are dropped) and
duplicates are removed, keeping the first occurrence. The configurations of
1. and 2. that remain are the ``num_threshold_candidates`` threshold
candidates: they run first (trial ids ``0, ..., num_threshold_candidates -
1``), and their results at each rung level set a threshold, the best of
their values there; a later trial must be at least as good as the threshold
to continue (stopping) or to be promoted (promotion), in addition to ASHA's
rule; the candidates themselves are judged by ASHA's rule only. The exact
rule is in :mod:`syne_tune.optimizer.schedulers.multifidelity.rush_rung_system`.
The user's ``points_to_evaluate`` are evaluated first too, but set no
threshold.

Differences to Syne Tune: see
:mod:`~syne_tune.optimizer.schedulers.multifidelity.rush_rung_system` (which
candidates set thresholds, promotion past a failing trial). The threshold
candidates are deduplicated after completion here, so that their number is
the number of trials the searcher really starts with them.

Assumption: as in Syne Tune, the candidates are recognised by their trial ids,
so the tuner must number trials from 0 in the order of suggestion (it does),
and the searcher must propose ``points_to_evaluate`` first, none dropped (the
default random searcher does, unless ``restrict_configurations`` excludes
some).
"""

from __future__ import annotations

from numbers import Integral
from typing import Any

from syne_tune.optimizer.schedulers.hyperband import HyperbandScheduler
from syne_tune.optimizer.schedulers.searchers.searcher import impute_points_to_evaluate
from syne_tune.optimizer.schedulers.transfer_learning.transfer_learning_task_evaluation import (
    TransferLearningTaskEvaluations,
    check_transfer_learning_evaluations,
    top_k_hyperparameter_configurations_per_task,
)
from syne_tune.utils.validation import InvalidParameterError, Interval, Options, check_parameter, validate_parameters

__all__ = ["RUSHScheduler", "RUSH_TYPES"]

#: ``type`` of :class:`RUSHScheduler` -> ``type`` of :class:`HyperbandScheduler`.
RUSH_TYPES = {"stopping": "rush_stopping", "promotion": "rush_promotion"}


#: Constraints of the arguments RUSHScheduler adds. Not the class attribute
#: ``_parameter_constraints``, which HyperbandScheduler would merge into its own
#: check of ``type`` (there ``"rush_stopping"``, not ``"stopping"``).
_RUSH_CONSTRAINTS = {
    "transfer_learning_evaluations": [dict],
    "metric": [str],
    "type": [Options(str, RUSH_TYPES)],
    "custom_rush_points": [list, None],
    "num_hyperparameters_per_task": [Interval(Integral, 1, None, closed="left")],
}


class RUSHScheduler(HyperbandScheduler):
    """RUSH: ASHA whose best configurations of earlier tasks run first and set
    thresholds (see the module docstring).

    Parameters
    ----------
    config_space
        Configuration space of the new task.
    transfer_learning_evaluations
        Task name -> :class:`TransferLearningTaskEvaluations` of the earlier
        tasks; each must have ``metric`` among its objectives.
    metric
        Metric to optimize (reported by trials, and ranked in the earlier
        tasks).
    type
        ``"stopping"`` (default) or ``"promotion"``: the ASHA variant.
    points_to_evaluate
        Configurations evaluated after the threshold candidates; they set no
        threshold. Default ``None``: none.
    custom_rush_points
        Further threshold candidates, evaluated after the configurations of
        the earlier tasks. Default ``None``: none.
    num_hyperparameters_per_task
        Best configurations taken from each earlier task (``>= 1``, default 1).
    hyperband_kwargs
        Further :class:`HyperbandScheduler` arguments (``mode`` default
        ``"min"``, ``resource_attr``, ``max_resource_attr`` or ``max_t``,
        ``searcher``, ``random_seed``, ...). ``rung_system_kwargs`` must not
        set ``num_threshold_candidates``, which RUSH sets.

    Attributes
    ----------
    threshold_candidates
        The completed, deduplicated threshold candidates, in order.
    num_threshold_candidates
        Their number.

    Raises
    ------
    InvalidParameterError
        If ``metric`` is not a string that is an objective of every earlier
        task, ``transfer_learning_evaluations`` is not a dict of
        :class:`TransferLearningTaskEvaluations`, ``type`` is not
        ``"stopping"`` or ``"promotion"``, ``num_hyperparameters_per_task <
        1``, ``custom_rush_points`` is not a list of dicts, a configuration of
        an earlier task lies outside ``config_space``, or for any invalid
        :class:`HyperbandScheduler` argument.
    """

    def __init__(
        self,
        config_space: dict,
        transfer_learning_evaluations: dict[str, TransferLearningTaskEvaluations],
        metric: str,
        type: str = "stopping",
        points_to_evaluate: list[dict] | None = None,
        custom_rush_points: list[dict] | None = None,
        num_hyperparameters_per_task: int = 1,
        **hyperband_kwargs: Any,
    ):
        validate_parameters(self, locals(), _RUSH_CONSTRAINTS)
        mode = hyperband_kwargs.get("mode", "min")
        check_parameter(self, "mode", mode, [Options(str, {"min", "max"})])
        check_transfer_learning_evaluations(self, transfer_learning_evaluations, metric, allow_empty=True)
        candidates = self._threshold_candidates(
            config_space, transfer_learning_evaluations, metric, mode, custom_rush_points, num_hyperparameters_per_task
        )
        user_points = self._impute(points_to_evaluate or [], config_space, "points_to_evaluate")
        rung_system_kwargs = dict(hyperband_kwargs.pop("rung_system_kwargs", None) or {})
        if "num_threshold_candidates" in rung_system_kwargs:
            raise InvalidParameterError(
                "The 'rung_system_kwargs' parameter of RUSHScheduler must not contain 'num_threshold_candidates', "
                f"which RUSH sets to the number of threshold candidates. Got {rung_system_kwargs!r} instead."
            )
        rung_system_kwargs["num_threshold_candidates"] = len(candidates)
        self.threshold_candidates: list[dict] = candidates
        self.num_threshold_candidates = len(candidates)
        self.num_hyperparameters_per_task = int(num_hyperparameters_per_task)
        self.rush_type = type
        super().__init__(
            config_space,
            metric=metric,
            type=RUSH_TYPES[type],
            # completed and deduplicated: candidates first, then new user points
            points_to_evaluate=impute_points_to_evaluate(candidates + user_points, config_space),
            rung_system_kwargs=rung_system_kwargs,
            **hyperband_kwargs,
        )

    # -- construction helpers ---------------------------------------------------------
    @staticmethod
    def _impute(points: list, config_space: dict, name: str) -> list[dict]:
        """``impute_points_to_evaluate`` with errors naming the parameter ``name``."""
        try:
            return impute_points_to_evaluate(points, config_space)
        except ValueError as ex:
            raise InvalidParameterError(f"The {name!r} parameter of RUSHScheduler is invalid: {ex}") from None

    def _threshold_candidates(
        self,
        config_space: dict,
        evaluations: dict[str, TransferLearningTaskEvaluations],
        metric: str,
        mode: str,
        custom_rush_points: list[dict] | None,
        num_hyperparameters_per_task: int,
    ) -> list[dict]:
        """Best configurations per task, then ``custom_rush_points``; completed
        and deduplicated (first occurrence kept)."""
        per_task = top_k_hyperparameter_configurations_per_task(
            evaluations, num_hyperparameters_per_task, mode, metric
        )
        from_tasks = [
            {key: value for key, value in config.items() if key in config_space}
            for configs in per_task.values()
            for config in configs
        ]
        from_tasks = self._impute(from_tasks, config_space, "transfer_learning_evaluations")
        custom = self._impute(list(custom_rush_points or []), config_space, "custom_rush_points")
        return impute_points_to_evaluate(from_tasks + custom, config_space)

    # -- read access --------------------------------------------------------------------
    def thresholds(self) -> dict[int, float]:
        """rung level -> current threshold (metric units) of the rung system
        of bracket 0, for the rungs where a threshold candidate has a value."""
        return self.rung_system.thresholds()

    def metadata(self) -> dict[str, Any]:
        meta = super().metadata()
        meta.update(num_threshold_candidates=self.num_threshold_candidates, rush_type=self.rush_type)
        return meta
