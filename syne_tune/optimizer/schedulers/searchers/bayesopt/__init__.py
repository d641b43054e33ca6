"""Gaussian-process Bayesian optimization (``searcher="bayesopt"``).

* :mod:`.gp_searcher`: :class:`GPFIFOSearcher`, the searcher;
* :mod:`.gp`: GP regression and the fit of its hyperparameters;
* :mod:`.acquisition`: expected improvement.

Configurations are encoded by the searcher's hyperparameter ranges
(:mod:`syne_tune.optimizer.schedulers.searchers.utils.hp_ranges`). Fitting a
model needs the ``gpsearchers`` extra (autograd, scipy); they are imported
only then.
"""

from syne_tune.optimizer.schedulers.searchers.bayesopt.gp_searcher import GPFIFOSearcher

__all__ = ["GPFIFOSearcher"]
