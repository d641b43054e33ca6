"""BORE for multi-fidelity schedulers (``HyperbandScheduler`` /
synchronous Hyperband with ``searcher="bore"``; the baseline ``ASHABORE``),
following BOHB (Falkner et al., ICML 2018) in how levels are used.

:class:`MultiFidelityBore` is :class:`~.bore.Bore` (same options and
suggestion rule) except for the data the classifier is fitted to:

* every result the scheduler passes with ``update=True`` (the results at
  rung levels, or every epoch with ``searcher_data="all"``) is one
  observation keyed ``(trial_id, r)``, ``r = int(result[resource_attr])``
  (a later result of a trial at the same ``r`` replaces the earlier one);
* the classifier is fitted to the observations at one level only: the
  largest level holding at least ``n_min = max(2, int(1 / gamma))``
  observations (4 for the default ``gamma = 0.25``: on average one
  observation of the good class), found with
  :func:`~syne_tune.optimizer.schedulers.searchers.multi_fidelity.resource_for_acquisition_bohb`
  (:meth:`MultiFidelityBore.resource_level`). While no level has ``n_min``
  observations, suggestions are random. This is Syne Tune's rule
  (``int(1 / gamma)`` points at a level); as BOHB, the model moves up the
  levels as data arrives there, and the labels compare configurations
  evaluated at the same resource only.

As in Syne Tune, the default ``acq_optimizer`` is ``"rs_with_replacement"``
(``None`` selects it). ``resource_attr`` (and the maximum resource
``max_epochs``) come from the scheduler (:meth:`configure_scheduler`);
``max_resource_attr`` and ``scheduler`` are accepted as scheduler context.
"""

from __future__ import annotations

import numpy as np

from syne_tune.optimizer.schedulers.searchers.bayesopt.observations import ModelData
from syne_tune.optimizer.schedulers.searchers.bore.bore import ACQ_OPTIMIZERS, Bore
from syne_tune.optimizer.schedulers.searchers.multi_fidelity import (
    MultiFidelitySearcherMixin,
    resource_for_acquisition_bohb,
)
from syne_tune.utils.validation import Options, validate_parameters

__all__ = ["MultiFidelityBore"]


class MultiFidelityBore(MultiFidelitySearcherMixin, Bore):
    """BORE fitted to the highest level with enough observations (see the
    module docstring).

    Parameters
    ----------
    config_space, metric, points_to_evaluate, mode, gamma, calibrate, classifier, feval_acq, random_prob,
    init_random, classifier_kwargs, random_seed, allow_duplicates, restrict_configurations
        See :class:`~.bore.Bore`.
    acq_optimizer
        As for :class:`~.bore.Bore`; ``None`` (default) means
        ``"rs_with_replacement"``.
    resource_attr
        Name of the resource in results (set by the scheduler).
    max_epochs
        Maximum resource (default: the scheduler's ``max_t``).
    max_resource_attr, scheduler
        Scheduler context (``scheduler`` must name a multi-fidelity one,
        ``"hyperband_..."``).

    Raises
    ------
    InvalidParameterError
        If an argument has the wrong type or value, or ``scheduler`` is not
        a multi-fidelity scheduler.
    """

    single_fidelity_alternative = "use Bore (FIFOScheduler(searcher='bore'), the baseline BORE)"

    _parameter_constraints = {"acq_optimizer": [Options(str, ACQ_OPTIMIZERS), None]}

    def __init__(
        self,
        config_space: dict,
        metric: str,
        points_to_evaluate: list[dict] | None = None,
        mode: str = "min",
        gamma: float = 0.25,
        calibrate: bool = False,
        classifier: str = "xgboost",
        acq_optimizer: str | None = None,
        feval_acq: int = 500,
        random_prob: float = 0.0,
        init_random: int = 6,
        classifier_kwargs: dict | None = None,
        random_seed: int | None = None,
        allow_duplicates: bool | None = None,
        restrict_configurations: list[dict] | None = None,
        resource_attr: str | None = None,
        max_epochs: int | None = None,
        max_resource_attr: str | None = None,
        scheduler: str | None = None,
    ):
        validate_parameters(self, {"acq_optimizer": acq_optimizer})
        self._set_multi_fidelity_context(resource_attr, max_epochs, max_resource_attr, scheduler)
        super().__init__(
            config_space,
            metric=metric,
            points_to_evaluate=points_to_evaluate,
            mode=mode,
            gamma=gamma,
            calibrate=calibrate,
            classifier=classifier,
            acq_optimizer="rs_with_replacement" if acq_optimizer is None else acq_optimizer,
            feval_acq=feval_acq,
            random_prob=random_prob,
            init_random=init_random,
            classifier_kwargs=classifier_kwargs,
            random_seed=random_seed,
            allow_duplicates=allow_duplicates,
            restrict_configurations=restrict_configurations,
        )
        #: Observations a level needs before the classifier is fitted to it.
        self.min_level_observations = max(2, int(1.0 / self.gamma))

    def resource_level(self) -> int | None:
        """The level the classifier is fitted to: the largest one with at
        least :attr:`min_level_observations` observations; ``None`` if there
        is none."""
        resources = [o.resource for o in self._observations_kept()]
        level = resource_for_acquisition_bohb(resources, self.min_level_observations)
        if level is None or resources.count(level) < self.min_level_observations:
            return None
        return level

    def _model_data(self, output: str) -> ModelData:
        data = self._store.arrays(self._hp_ranges, output=output, with_resources=True, keep=self._keep)
        level = self.resource_level()
        rows = data.resources == level if level is not None else np.zeros(data.num_observations, dtype=bool)
        return ModelData(X=data.X[rows], y=data.y[rows])
