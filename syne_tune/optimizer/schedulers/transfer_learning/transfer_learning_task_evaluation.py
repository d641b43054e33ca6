"""Evaluations of earlier tuning tasks, the input of every transfer-learning method.

:class:`TransferLearningTaskEvaluations` holds, for one earlier task, the
configurations evaluated (a DataFrame, one column per hyperparameter) and
their objective values, an array of shape ``(num_evals, num_seeds,
num_fidelities, num_objectives)`` (the layout of tabulated blackboxes; NaN
where a configuration was not evaluated at a seed or fidelity). Transfer
methods take a dict ``task name -> TransferLearningTaskEvaluations``.

Such a dict is built from

* a blackbox of the repository: :func:`transfer_learning_evaluations_from_blackbox`
  (all tasks but the held-out one), or one task with
  :meth:`TransferLearningTaskEvaluations.from_blackbox`;
* a finished tuning run: :meth:`TransferLearningTaskEvaluations.from_experiment`
  (every trial one evaluation, its last reported result, one seed, one fidelity).

"Best" configurations are ranked by an objective averaged over seeds at the
last fidelity with a value
(:meth:`~TransferLearningTaskEvaluations.final_objective_values`);
:meth:`~TransferLearningTaskEvaluations.objective_values` gives all values of
an objective, shape ``(num_evals, num_seeds, num_fidelities)``, as in Syne
Tune.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from syne_tune.utils.validation import InvalidParameterError, Options, check_parameter

__all__ = [
    "TransferLearningTaskEvaluations",
    "check_transfer_learning_evaluations",
    "transfer_learning_evaluations_from_blackbox",
    "top_k_hyperparameter_configurations_per_task",
]

_MODES = Options(str, {"min", "max"})


class TransferLearningTaskEvaluations:
    """Evaluations of one earlier task (see the module docstring).

    Parameters
    ----------
    configuration_space
        Configuration space of the task.
    hyperparameters
        One row per evaluated configuration, one column per hyperparameter.
    objectives_names
        Names of the objectives.
    objectives_evaluations
        Shape ``(num_evals, num_seeds, num_fidelities, num_objectives)``.

    Raises
    ------
    InvalidParameterError
        If the shapes do not match each other.
    """

    def __init__(
        self,
        configuration_space: dict,
        hyperparameters: pd.DataFrame,
        objectives_names: list[str],
        objectives_evaluations: np.ndarray,
    ):
        check_parameter(self, "configuration_space", configuration_space, [dict])
        check_parameter(self, "hyperparameters", hyperparameters, [pd.DataFrame])
        check_parameter(self, "objectives_names", objectives_names, [list, tuple])
        values = np.asarray(objectives_evaluations, dtype=float)
        if values.ndim != 4:
            raise InvalidParameterError(
                "The 'objectives_evaluations' parameter of TransferLearningTaskEvaluations must have shape "
                f"(num_evals, num_seeds, num_fidelities, num_objectives). Got shape {values.shape} instead."
            )
        if values.shape[0] != len(hyperparameters):
            raise InvalidParameterError(
                "The 'objectives_evaluations' parameter of TransferLearningTaskEvaluations must have one row per "
                f"row of hyperparameters ({len(hyperparameters)}). Got {values.shape[0]} instead."
            )
        if values.shape[3] != len(objectives_names):
            raise InvalidParameterError(
                "The 'objectives_names' parameter of TransferLearningTaskEvaluations must name the "
                f"{values.shape[3]} objectives of objectives_evaluations. Got {list(objectives_names)} instead."
            )
        self.configuration_space = configuration_space
        self.hyperparameters = hyperparameters.reset_index(drop=True)
        self.objectives_names = list(objectives_names)
        self.objectives_evaluations = values

    # -- access ------------------------------------------------------------------
    def objective_index(self, objective: str | None) -> int:
        """Position of ``objective`` (``None``: the first one).

        Raises
        ------
        InvalidParameterError
            If ``objective`` is not one of :attr:`objectives_names`.
        """
        if objective is None:
            return 0
        if objective not in self.objectives_names:
            raise InvalidParameterError(
                f"The 'objective' parameter of TransferLearningTaskEvaluations must be one of "
                f"{self.objectives_names}. Got {objective!r} instead."
            )
        return self.objectives_names.index(objective)

    def objective_values(self, objective_name: str | None = None) -> np.ndarray:
        """All values of one objective (as in Syne Tune).

        Returns
        -------
        numpy.ndarray
            Shape ``(num_evals, num_seeds, num_fidelities)``.
        """
        return self.objectives_evaluations[..., self.objective_index(objective_name)]

    def final_objective_values(self, objective: str | None = None) -> np.ndarray:
        """Per configuration: the objective averaged over seeds at the last
        fidelity where it has a value (NaN if it has none).

        Returns
        -------
        numpy.ndarray
            Shape ``(num_evals,)``.
        """
        values = self.objective_values(objective)
        counts = np.sum(~np.isnan(values), axis=1)
        per_fidelity = np.where(counts > 0, np.nansum(values, axis=1) / np.maximum(counts, 1), np.nan)
        # last fidelity with a value
        has = ~np.isnan(per_fidelity)
        last = np.where(has.any(axis=1), per_fidelity.shape[1] - 1 - np.argmax(has[:, ::-1], axis=1), 0)
        return per_fidelity[np.arange(len(per_fidelity)), last]

    def configurations(self) -> list[dict[str, Any]]:
        """The evaluated configurations as dicts (numpy scalars made plain)."""
        return [
            {k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()}
            for row in self.hyperparameters.to_dict("records")
        ]

    def top_k_hyperparameter_configurations(
        self, k: int, mode: str, objective: str | None = None
    ) -> list[dict[str, Any]]:
        """The ``k`` best configurations (best first) by :meth:`final_objective_values`.

        Parameters
        ----------
        k
            Number of configurations (at most the number evaluated).
        mode
            ``"min"`` or ``"max"``.
        objective
            Objective to rank by (default: the first).

        Raises
        ------
        InvalidParameterError
            If ``k < 1``, ``mode`` is invalid or ``objective`` unknown.
        """
        check_parameter(self, "mode", mode, [_MODES])
        if not isinstance(k, (int, np.integer)) or k < 1:
            raise InvalidParameterError(
                f"The 'k' parameter of top_k_hyperparameter_configurations must be an int >= 1. Got {k!r} instead."
            )
        values = self.final_objective_values(objective)
        signed = values if mode == "min" else -values
        order = np.argsort(np.where(np.isnan(signed), np.inf, signed), kind="stable")
        order = [i for i in order if not np.isnan(values[i])][: int(k)]
        configs = self.configurations()
        return [configs[i] for i in order]

    best_configs = top_k_hyperparameter_configurations

    # -- construction ------------------------------------------------------------
    @classmethod
    def from_blackbox(cls, blackbox) -> "TransferLearningTaskEvaluations":
        """The evaluations of one task of the repository (a tabulated
        blackbox; an offline one is converted with ``to_tabular()``)."""
        if not hasattr(blackbox, "hyperparameters") and hasattr(blackbox, "to_tabular"):
            blackbox = blackbox.to_tabular()
        return cls(
            configuration_space=dict(blackbox.configuration_space),
            hyperparameters=blackbox.hyperparameters,
            objectives_names=list(blackbox.objectives_names),
            objectives_evaluations=blackbox.objectives_evaluations,
        )

    @classmethod
    def from_experiment(cls, experiment, metrics: list[str] | None = None) -> "TransferLearningTaskEvaluations":
        """The evaluations of a finished run (an
        :class:`~syne_tune.experiments.ExperimentResult`): every trial is one
        evaluation, with the values of its last reported result.

        Parameters
        ----------
        experiment
            The run, e.g. ``load_experiment(name)``.
        metrics
            Objectives to keep (default: the run's metrics).

        Raises
        ------
        InvalidParameterError
            If the run has no results, no configuration columns, or lacks a metric.
        """
        df = experiment.results
        metrics = list(metrics) if metrics is not None else list(experiment.metric_names())
        if df is None or len(df) == 0:
            raise InvalidParameterError(f"The 'experiment' {experiment.name!r} has no results to transfer from.")
        missing = [m for m in metrics if m not in df.columns]
        if missing:
            raise InvalidParameterError(
                f"The 'metrics' parameter of TransferLearningTaskEvaluations.from_experiment names columns the run "
                f"did not report: {missing}. Reported: {sorted(c for c in df.columns if not c.startswith('config_'))}."
            )
        from syne_tune.config_space import config_space_from_json_dict

        stored = (experiment.metadata or {}).get("config_space")
        config_space = config_space_from_json_dict(stored) if stored else {}
        last = df.sort_values("st_tuner_time" if "st_tuner_time" in df.columns else "trial_id").groupby("trial_id").last()
        columns = [c for c in last.columns if c.startswith("config_")]
        if not columns:
            raise InvalidParameterError(f"The 'experiment' {experiment.name!r} has no config_* columns.")
        hyperparameters = last[columns].rename(columns=lambda c: c[len("config_"):]).reset_index(drop=True)
        values = last[metrics].to_numpy(dtype=float)[:, None, None, :]
        return cls(config_space, hyperparameters, metrics, values)

    def __repr__(self) -> str:
        n, s, f, m = self.objectives_evaluations.shape
        return (
            f"TransferLearningTaskEvaluations({n} configurations, {s} seeds, {f} fidelities, "
            f"objectives {self.objectives_names})"
        )


def check_transfer_learning_evaluations(
    owner: Any, transfer_learning_evaluations: Any, metric: str | None, allow_empty: bool = False
) -> None:
    """Check the ``transfer_learning_evaluations`` argument of a transfer method.

    Parameters
    ----------
    owner
        The class (or instance) the argument is passed to, named in messages.
    transfer_learning_evaluations
        Should be a non-empty dict task name -> :class:`TransferLearningTaskEvaluations`.
    metric
        Must be an objective of every task (``None``: not checked).
    allow_empty
        Whether an empty dict is accepted.

    Raises
    ------
    InvalidParameterError
        If the dict is empty, holds something else, or a task lacks ``metric``.
    """
    check_parameter(owner, "transfer_learning_evaluations", transfer_learning_evaluations, [dict])
    name = owner if isinstance(owner, str) else (owner.__name__ if isinstance(owner, type) else type(owner).__name__)
    if not transfer_learning_evaluations and not allow_empty:
        raise InvalidParameterError(
            f"The 'transfer_learning_evaluations' parameter of {name} must be a non-empty dict task name -> "
            "TransferLearningTaskEvaluations. Got {} instead."
        )
    for task, evaluations in transfer_learning_evaluations.items():
        if not isinstance(evaluations, TransferLearningTaskEvaluations):
            raise InvalidParameterError(
                f"The 'transfer_learning_evaluations' parameter of {name} must map task names to "
                f"TransferLearningTaskEvaluations. Got {type(evaluations).__name__} for task {task!r} instead."
            )
        if metric is not None and metric not in evaluations.objectives_names:
            raise InvalidParameterError(
                f"The 'metric' parameter of {name} must be an objective of every task of "
                f"transfer_learning_evaluations. Got {metric!r} instead; task {task!r} has "
                f"{evaluations.objectives_names}."
            )


def transfer_learning_evaluations_from_blackbox(
    blackbox_name: str, held_out_task: str | None = None, tasks: list[str] | None = None
) -> dict[str, TransferLearningTaskEvaluations]:
    """The evaluations of every task of a repository blackbox but ``held_out_task``.

    Parameters
    ----------
    blackbox_name
        Name in the blackbox repository (e.g. ``"lcbench"``, ``"icml-xgboost"``).
    held_out_task
        The task being tuned now (left out).
    tasks
        Only these tasks (default: all).

    Returns
    -------
    dict
        Task name -> its evaluations.

    Raises
    ------
    InvalidParameterError
        If ``held_out_task`` or an entry of ``tasks`` is not a task of the blackbox.
    """
    from syne_tune.blackbox_repository import load_blackbox

    blackboxes = load_blackbox(blackbox_name)
    names = list(blackboxes)
    for t in ([held_out_task] if held_out_task is not None else []) + list(tasks or []):
        if t not in names:
            raise InvalidParameterError(
                f"{t!r} is not a task of blackbox {blackbox_name!r}; its tasks: {', '.join(sorted(names))}."
            )
    chosen = [t for t in (tasks if tasks is not None else names) if t != held_out_task]
    return {t: TransferLearningTaskEvaluations.from_blackbox(blackboxes[t]) for t in chosen}


def top_k_hyperparameter_configurations_per_task(
    transfer_learning_evaluations: dict[str, TransferLearningTaskEvaluations],
    num_hyperparameters_per_task: int,
    mode: str,
    metric: str | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """The best ``num_hyperparameters_per_task`` configurations of every task."""
    return {
        task: evaluations.top_k_hyperparameter_configurations(num_hyperparameters_per_task, mode, metric)
        for task, evaluations in transfer_learning_evaluations.items()
    }
