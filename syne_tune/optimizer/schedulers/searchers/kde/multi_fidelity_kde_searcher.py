"""BOHB's multi-fidelity kernel density searcher (``searcher="kde"`` with
``HyperbandScheduler``, baseline ``BOHB``, or the synchronous Hyperband
scheduler, baseline ``SyncBOHB``).

:class:`MultiFidelityKernelDensityEstimator` is the
:class:`~.kde_searcher.KernelDensityEstimator` (same model, options and
defaults) fed with results at several resource levels. Every result the
scheduler passes with ``update=True`` (with ``searcher_data="rungs"``: the
results at rung levels) is one observation keyed ``(trial_id, r)``, with
``r = int(result[resource_attr])``; a later result of a trial at the same
``r`` replaces the earlier one.

The densities are fitted to the observations at one level: as in BOHB
(Falkner et al. 2018, Sec. 3.1), the largest level that holds enough
observations for the model, here ``2 * num_min_data_points`` (both the good
and the bad set then hold at least ``num_min_data_points`` points; this is
also what BOHB's reference implementation needs in effect: ``d + 1`` points
in each set). The level is found by
:func:`~syne_tune.optimizer.schedulers.searchers.multi_fidelity.resource_for_acquisition_bohb`.
While no level has that many observations, suggestions are random.

The resource attribute comes from the scheduler (``resource_attr``,
passed to the searcher and taken again in :meth:`configure_scheduler`);
``max_epochs``, ``max_resource_attr`` and ``scheduler`` are accepted as
scheduler context (``scheduler`` must name a multi-fidelity scheduler,
``"hyperband_..."``).
"""

from __future__ import annotations

from typing import Any

from syne_tune.optimizer.schedulers.searchers.kde.kde_searcher import KernelDensityEstimator
from syne_tune.optimizer.schedulers.searchers.multi_fidelity import (
    MultiFidelitySearcherMixin,
    resource_for_acquisition_bohb,
)

__all__ = ["MultiFidelityKernelDensityEstimator"]


class MultiFidelityKernelDensityEstimator(MultiFidelitySearcherMixin, KernelDensityEstimator):
    """BOHB's searcher (see the module docstring).

    Parameters
    ----------
    config_space, metric
        See :class:`~.kde_searcher.KernelDensityEstimator`.
    resource_attr
        Name of the resource in results (set by the scheduler).
    max_epochs
        Maximum resource (scheduler context, kept as :attr:`max_t`).
    max_resource_attr
        Scheduler context (config key of the maximum resource).
    scheduler
        Scheduler context: ``"hyperband_..."``.
    kwargs
        Further arguments of :class:`~.kde_searcher.KernelDensityEstimator`
        (``points_to_evaluate``, ``mode``, ``random_seed``,
        ``allow_duplicates``, ``restrict_configurations``,
        ``num_min_data_points``, ``top_n_percent``, ``min_bandwidth``,
        ``num_candidates``, ``bandwidth_factor``, ``random_fraction``; same
        defaults).

    Raises
    ------
    InvalidParameterError
        If an argument is invalid, or ``scheduler`` is not a multi-fidelity one.
    """

    single_fidelity_alternative = "use KernelDensityEstimator (FIFOScheduler(searcher='kde'), the baseline KDE)"

    def __init__(
        self,
        config_space: dict,
        metric: str,
        resource_attr: str | None = None,
        max_epochs: int | None = None,
        max_resource_attr: str | None = None,
        scheduler: str | None = None,
        **kwargs: Any,
    ):
        self._set_multi_fidelity_context(resource_attr, max_epochs, max_resource_attr, scheduler)
        super().__init__(config_space, metric=metric, **kwargs)

    def resource_for_model(self) -> int | None:
        """The level the densities are fitted to: the largest with at least
        ``2 * num_min_data_points`` observations, ``None`` if there is none."""
        observations = super()._training_observations()
        threshold = 2 * self.num_min_data_points
        level = resource_for_acquisition_bohb([o.resource for o in observations], threshold)
        if level is None or sum(o.resource == level for o in observations) < threshold:
            return None
        return level

    def _training_observations(self) -> list:
        level = self.resource_for_model()
        if level is None:
            return []
        return [o for o in super()._training_observations() if o.resource == level]
