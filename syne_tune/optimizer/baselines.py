"""Ready-made schedulers, named as in Syne Tune's baselines.

Each class is a thin configuration of a general scheduler: they exist so that
a launcher reads ``ASHA(config_space, metric=..., ...)`` instead of a long list
of scheduler arguments.
"""

from __future__ import annotations

from syne_tune.optimizer.schedulers.fifo import FIFOScheduler


def _reject_searcher(kwargs: dict, name: str):
    if "searcher" in kwargs:
        raise ValueError(f"{name} fixes its searcher; use FIFOScheduler to choose another one")


class RandomSearch(FIFOScheduler):
    """Random search: configurations sampled uniformly, each trial run to the end.

    Parameters
    ----------
    config_space
        Configuration space.
    metric
        Metric to optimize.
    kwargs
        Further :class:`FIFOScheduler` arguments (``mode``, ``random_seed``,
        ``points_to_evaluate``, ``search_options``, ...).
    """

    def __init__(self, config_space: dict, metric: str | list[str], **kwargs):
        _reject_searcher(kwargs, "RandomSearch")
        super().__init__(config_space, metric=metric, searcher="random", **kwargs)


class GridSearch(FIFOScheduler):
    """Grid search over the config space (finite domains: all values;
    continuous ones: ``search_options={"num_samples": {name: n}}`` values).
    Tuning ends once the grid is exhausted."""

    def __init__(self, config_space: dict, metric: str | list[str], **kwargs):
        _reject_searcher(kwargs, "GridSearch")
        super().__init__(config_space, metric=metric, searcher="grid", **kwargs)


# --- multi-fidelity baselines (Hyperband family) are added below ---
