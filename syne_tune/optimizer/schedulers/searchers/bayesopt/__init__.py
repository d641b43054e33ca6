"""Gaussian-process search, as composable pieces (model, acquisition and
optimizer apart, in the spirit of BoTorch).

Layers, bottom up:

* :mod:`.gp` and :mod:`.kernels`: GP regression (Matern 5/2 ARD, the
  exponential-decay learning-curve kernel, input warping), the
  marginal-likelihood fit of its hyperparameters, posterior samples and
  fantasies;
* :mod:`.observations`: :class:`~.observations.ObservationStore`, the data
  keyed by ``(trial_id, resource)`` with several outputs (metric,
  constraint, cost) and the pending evaluations;
* :mod:`.surrogate`: the :class:`~.surrogate.SurrogateModel` interface and
  its GP implementations (refit policy, target transforms, fantasizing);
* :mod:`.acquisition`: EI / log-EI, LCB, constrained EI, EI per unit cost;
* :mod:`.acquisition_optimizer`: candidates plus local search over a mixed
  encoded space;
* :mod:`.model_based_searcher`: the thin searcher wiring these together;
* searchers: :mod:`.gp_searcher` (``"bayesopt"``,
  ``"bayesopt_constrained"``, ``"bayesopt_cost"``),
  :mod:`.gp_multifidelity_searcher` (MOBSTER), :mod:`.hypertune`,
  :mod:`.dyhpo`.

Configurations are encoded by the searcher's hyperparameter ranges
(:mod:`syne_tune.optimizer.schedulers.searchers.utils.hp_ranges`). Fitting a
model needs the ``gpsearchers`` extra (autograd, scipy); they are imported
only then. See ``docs/model_based.md`` for when to use which method.
"""

__all__ = ["GPFIFOSearcher"]


def __getattr__(name: str):
    # Lazy, so that the modules of this package import each other without a cycle
    if name == "GPFIFOSearcher":
        from syne_tune.optimizer.schedulers.searchers.bayesopt.gp_searcher import GPFIFOSearcher

        return GPFIFOSearcher
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
