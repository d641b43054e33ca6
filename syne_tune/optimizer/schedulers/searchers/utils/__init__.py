"""Helpers shared by searchers: hyperparameter ranges and scalings."""

from syne_tune.optimizer.schedulers.searchers.utils.hp_ranges import (
    HyperparameterRanges,
    make_hyperparameter_ranges,
)
from syne_tune.optimizer.schedulers.searchers.utils.scaling import (
    LinearScaling,
    LogScaling,
    ReverseLogScaling,
    Scaling,
    get_scaling,
)

#: Syne Tune's name of its implementation class.
HyperparameterRangesImpl = HyperparameterRanges

__all__ = [
    "HyperparameterRanges",
    "HyperparameterRangesImpl",
    "make_hyperparameter_ranges",
    "Scaling",
    "LinearScaling",
    "LogScaling",
    "ReverseLogScaling",
    "get_scaling",
]
