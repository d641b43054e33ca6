"""Reading back finished (or running) experiments: results, metadata, plots."""

from syne_tune.experiments.experiment_result import (
    ExperimentResult,
    best_config_from_results,
    get_metadata,
    list_experiments,
    load_experiment,
)

__all__ = [
    "ExperimentResult",
    "best_config_from_results",
    "get_metadata",
    "list_experiments",
    "load_experiment",
]
