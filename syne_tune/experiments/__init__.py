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

#: Exported from :mod:`syne_tune.experiments.multiobjective`, imported on first
#: use so that importing this package does not load the multi-objective schedulers.
_MULTIOBJECTIVE = ("hypervolume_indicator_column_generator", "pareto_set", "plot_pareto_front")


def __getattr__(name: str):
    if name in _MULTIOBJECTIVE:
        from syne_tune.experiments import multiobjective

        return getattr(multiobjective, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = [
    "ExperimentResult",
    "best_config_from_results",
    "best_result_row",
    "get_metadata",
    "hypervolume_indicator_column_generator",
    "list_experiments",
    "load_experiment",
    "load_experiments_df",
    "pareto_set",
    "plot_pareto_front",
]
