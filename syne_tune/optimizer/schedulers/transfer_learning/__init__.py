"""Transfer learning: tuning a new task with the evaluations of earlier ones.

Every method takes ``transfer_learning_evaluations``, a dict task name ->
:class:`TransferLearningTaskEvaluations`.
"""

from syne_tune.optimizer.schedulers.transfer_learning.transfer_learning_task_evaluation import (
    TransferLearningTaskEvaluations,
    top_k_hyperparameter_configurations_per_task,
    transfer_learning_evaluations_from_blackbox,
)

__all__ = [
    "TransferLearningTaskEvaluations",
    "top_k_hyperparameter_configurations_per_task",
    "transfer_learning_evaluations_from_blackbox",
]
