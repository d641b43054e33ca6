"""The ``BayesianOptimization`` baseline (re-exported by
:mod:`syne_tune.optimizer.baselines`)."""

from __future__ import annotations

from syne_tune.optimizer.schedulers.fifo import FIFOScheduler, reject_searcher_argument


class BayesianOptimization(FIFOScheduler):
    """Gaussian-process Bayesian optimization: :class:`FIFOScheduler` with
    searcher ``"bayesopt"`` (:class:`GPFIFOSearcher`; tune it with
    ``search_options``, e.g. ``{"num_init_random": 5}``). Needs the extra
    ``gpsearchers`` (autograd, scipy).

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

    def __init__(self, config_space: dict, metric: str, **kwargs):
        reject_searcher_argument(kwargs, "BayesianOptimization")
        super().__init__(config_space, metric=metric, searcher="bayesopt", **kwargs)
