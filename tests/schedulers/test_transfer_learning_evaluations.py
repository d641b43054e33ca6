"""TransferLearningTaskEvaluations: construction, objective values, top-k, from an experiment."""

import numpy as np
import pandas as pd
import pytest

from syne_tune.config_space import randint, uniform
from syne_tune.optimizer.schedulers.transfer_learning import (
    TransferLearningTaskEvaluations,
    top_k_hyperparameter_configurations_per_task,
)
from syne_tune.utils.validation import InvalidParameterError

SPACE = {"x": uniform(0, 1), "n": randint(1, 3)}


def _task(values, seeds=1, fidelities=1):
    hp = pd.DataFrame({"x": [0.1, 0.2, 0.3, 0.4], "n": [1, 2, 3, 1]})
    y = np.asarray(values, dtype=float).reshape(4, seeds, fidelities, 1)
    return TransferLearningTaskEvaluations(SPACE, hp, ["loss"], y)


def test_objective_values_average_seeds_at_the_last_fidelity_with_a_value():
    y = np.array(
        [
            [[5.0, 4.0], [7.0, 2.0]],  # seeds x fidelities: last fidelity mean (4 + 2) / 2
            [[1.0, np.nan], [3.0, np.nan]],  # no value at fidelity 2: fidelity 1, mean 2
            [[np.nan, np.nan], [np.nan, np.nan]],  # never evaluated
            [[9.0, 8.0], [9.0, np.nan]],  # mean over the seeds with a value: 8
        ]
    )
    task = _task(y, seeds=2, fidelities=2)
    values = task.final_objective_values("loss")
    assert values[:2].tolist() == [3.0, 2.0] and np.isnan(values[2]) and values[3] == 8.0


def test_top_k_is_mode_aware_and_skips_missing_values():
    task = _task([3.0, 1.0, np.nan, 2.0])
    assert [c["x"] for c in task.top_k_hyperparameter_configurations(2, "min", "loss")] == [0.2, 0.4]
    assert [c["x"] for c in task.top_k_hyperparameter_configurations(5, "max")] == [0.1, 0.4, 0.2]
    assert task.best_configs(1, "min") == [{"x": 0.2, "n": 2}]
    per_task = top_k_hyperparameter_configurations_per_task({"a": task, "b": _task([0, 5, 5, 5])}, 1, "min", "loss")
    assert per_task == {"a": [{"x": 0.2, "n": 2}], "b": [{"x": 0.1, "n": 1}]}


def test_bad_arguments_name_the_parameter():
    hp = pd.DataFrame({"x": [0.1], "n": [1]})
    with pytest.raises(InvalidParameterError, match="'objectives_evaluations' parameter .* shape"):
        TransferLearningTaskEvaluations(SPACE, hp, ["loss"], np.zeros((1, 1)))
    with pytest.raises(InvalidParameterError, match="one row per row of hyperparameters"):
        TransferLearningTaskEvaluations(SPACE, hp, ["loss"], np.zeros((2, 1, 1, 1)))
    with pytest.raises(InvalidParameterError, match="'objectives_names' parameter"):
        TransferLearningTaskEvaluations(SPACE, hp, ["loss", "time"], np.zeros((1, 1, 1, 1)))
    task = _task([1, 2, 3, 4])
    with pytest.raises(InvalidParameterError, match="'objective' parameter .* \\['loss'\\]"):
        task.final_objective_values("accuracy")
    with pytest.raises(InvalidParameterError, match="'k' parameter"):
        task.top_k_hyperparameter_configurations(0, "min")
    with pytest.raises(InvalidParameterError, match="'mode' parameter"):
        task.top_k_hyperparameter_configurations(1, "minimize")


def test_from_experiment_takes_the_last_result_of_every_trial(tmp_path):
    from syne_tune.config_space import config_space_to_json_dict
    from syne_tune.experiments import ExperimentResult

    df = pd.DataFrame(
        {
            "trial_id": [0, 0, 1, 1, 2],
            "st_tuner_time": [1.0, 2.0, 1.5, 2.5, 3.0],
            "loss": [5.0, 4.0, 3.0, 2.0, 9.0],
            "config_x": [0.1, 0.1, 0.5, 0.5, 0.9],
            "config_n": [1, 1, 2, 2, 3],
        }
    )
    meta = {"metric_names": ["loss"], "metric_mode": "min", "config_space": config_space_to_json_dict(SPACE)}
    exp = ExperimentResult(name="run", results=df, metadata=meta, tuner=None, path=tmp_path)
    task = TransferLearningTaskEvaluations.from_experiment(exp)
    assert task.objectives_evaluations.shape == (3, 1, 1, 1)
    assert task.final_objective_values().tolist() == [4.0, 2.0, 9.0]
    assert task.top_k_hyperparameter_configurations(1, "min") == [{"x": 0.5, "n": 2}]
    assert set(task.configuration_space) == {"x", "n"}
    with pytest.raises(InvalidParameterError, match="did not report"):
        TransferLearningTaskEvaluations.from_experiment(exp, metrics=["accuracy"])


def test_from_blackbox_of_the_repository():
    from syne_tune.blackbox_repository import BlackboxTabular

    bb = BlackboxTabular(
        hyperparameters=pd.DataFrame({"x": [0.1, 0.6], "n": [1, 2]}),
        configuration_space=SPACE,
        fidelity_space={"epoch": randint(1, 3)},
        objectives_evaluations=np.arange(12, dtype=float).reshape(2, 1, 3, 2),
        objectives_names=["loss", "time"],
    )
    task = TransferLearningTaskEvaluations.from_blackbox(bb)
    assert task.objectives_names == ["loss", "time"] and task.objectives_evaluations.shape == (2, 1, 3, 2)
    assert task.final_objective_values("time").tolist() == [5.0, 11.0]


def test_objective_values_are_all_values_of_an_objective_as_in_syne_tune():
    y = np.arange(8, dtype=float).reshape(4, 2, 1, 1)
    task = _task(y, seeds=2)
    assert task.objective_values("loss").shape == (4, 2, 1)
    assert task.objective_values("loss")[:, 0, 0].tolist() == [0.0, 2.0, 4.0, 6.0]
