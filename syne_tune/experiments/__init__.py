"""Reading back finished (or running) experiments: results, metadata, plots."""

from syne_tune.experiments.experiment_result import (
    ExperimentResult,
    best_config_from_results,
    best_result_row,
    get_metadata,
    list_experiments,
    load_experiment,
    load_experiments_df,
)

from syne_tune.utils.logging_setup import install_default_handler

install_default_handler()

__all__ = [
    "ExperimentResult",
    "best_config_from_results",
    "best_result_row",
    "get_metadata",
    "list_experiments",
    "load_experiment",
    "load_experiments_df",
]
