"""Transfer learning: tuning a new task with the evaluations of earlier ones.

Every method takes ``transfer_learning_evaluations``, a dict task name ->
:class:`TransferLearningTaskEvaluations`.
"""

from syne_tune.optimizer.schedulers.transfer_learning.transfer_learning_task_evaluation import (
    TransferLearningTaskEvaluations,
    top_k_hyperparameter_configurations_per_task,
    transfer_learning_evaluations_from_blackbox,
)
from syne_tune.optimizer.schedulers.transfer_learning.bounding_box import (
    BoundingBox,
    bounding_box_of,
    in_bounding_box,
)
from syne_tune.optimizer.schedulers.transfer_learning.zero_shot import ZeroShotTransfer

from syne_tune.optimizer.schedulers.transfer_learning.rush import RUSHScheduler

__all__ = [
    "QuantileBasedSurrogateSearcher",
    "RUSHScheduler",
    "TransferLearningTaskEvaluations",
    "top_k_hyperparameter_configurations_per_task",
    "transfer_learning_evaluations_from_blackbox",
    "BoundingBox",
    "bounding_box_of",
    "in_bounding_box",
    "ZeroShotTransfer",
]


# loaded on first use (it imports the model-based searcher stack)
_LAZY = {
    "QuantileBasedSurrogateSearcher": (
        "syne_tune.optimizer.schedulers.transfer_learning.quantile_based.quantile_based_searcher"
    ),
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
