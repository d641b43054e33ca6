"""What every searcher of a multi-fidelity scheduler shares: the scheduler context.

A searcher used by :class:`~syne_tune.optimizer.schedulers.HyperbandScheduler`
or the synchronous Hyperband schedulers receives results at several resource
levels. :class:`MultiFidelitySearcherMixin` gives such a searcher

* the scheduler context arguments (``resource_attr``, ``max_epochs``,
  ``max_resource_attr``, ``scheduler``), checked in one place by
  :meth:`~MultiFidelitySearcherMixin._set_multi_fidelity_context`; a
  ``scheduler`` string that does not name a multi-fidelity scheduler
  (``"hyperband_..."``) is refused;
* :meth:`~MultiFidelitySearcherMixin.configure_scheduler`, which refuses a
  scheduler that is not multi-fidelity and takes ``resource_attr`` and the
  maximum resource ``max_t`` from the one that owns the searcher;
* :meth:`~MultiFidelitySearcherMixin._resource_of`, the resource level of a
  result, with errors naming what is missing.

:func:`resource_for_acquisition_bohb` is BOHB's rule for the level a model is
fitted to (or its acquisition function evaluated at).

The mixin comes first among the bases:
``class MyMultiFidelitySearcher(MultiFidelitySearcherMixin, MySearcher)``.
"""

from __future__ import annotations

from collections import Counter
from numbers import Integral

from syne_tune.utils.validation import Interval, InvalidParameterError, validate_parameters

__all__ = ["MultiFidelitySearcherMixin", "resource_for_acquisition_bohb"]


def resource_for_acquisition_bohb(resources, threshold: int) -> int | None:
    """The BOHB rule: the largest level among ``resources`` (one entry per
    observation) that occurs at least ``threshold`` times; the smallest level
    if none does; ``None`` if ``resources`` is empty.

    Parameters
    ----------
    resources
        Resource level of each observation.
    threshold
        Minimum number of observations at the level.

    Returns
    -------
    int | None
        The level.
    """
    histogram = Counter(int(r) for r in resources)
    if not histogram:
        return None
    supported = [r for r, count in histogram.items() if count >= threshold]
    return max(supported) if supported else min(histogram)


class MultiFidelitySearcherMixin:
    """Scheduler context of a multi-fidelity searcher (see the module docstring).

    Subclasses call :meth:`_set_multi_fidelity_context` in their constructor
    and may name, in :attr:`single_fidelity_alternative`, what to use with a
    single-fidelity scheduler instead (shown in the error of
    :meth:`configure_scheduler`).
    """

    single_fidelity_model = False

    #: Named in the error raised for a scheduler that is not multi-fidelity.
    single_fidelity_alternative: str = ""

    _parameter_constraints = {
        "resource_attr": [str, None],
        "max_epochs": [Interval(Integral, 1, None, closed="left"), None],
        "max_resource_attr": [str, None],
        "scheduler": [str, None],
    }

    def _set_multi_fidelity_context(
        self,
        resource_attr: str | None,
        max_epochs: int | None,
        max_resource_attr: str | None,
        scheduler: str | None,
    ) -> None:
        """Check and store the scheduler context.

        Raises
        ------
        InvalidParameterError
            If an argument has the wrong type, ``max_epochs < 1``, or
            ``scheduler`` does not name a multi-fidelity scheduler.
        """
        validate_parameters(
            self,
            dict(
                resource_attr=resource_attr,
                max_epochs=max_epochs,
                max_resource_attr=max_resource_attr,
                scheduler=scheduler,
            ),
        )
        if scheduler is not None and not scheduler.startswith("hyperband"):
            raise InvalidParameterError(
                f"The 'scheduler' parameter of {type(self).__name__} must name a multi-fidelity scheduler "
                f"('hyperband_...'). Got {scheduler!r} instead."
            )
        self.resource_attr = resource_attr
        self.max_t = None if max_epochs is None else int(max_epochs)
        self.max_resource_attr = max_resource_attr

    def configure_scheduler(self, scheduler) -> None:
        """Takes ``metric``, ``mode``, ``resource_attr`` and ``max_t`` from
        ``scheduler``.

        Raises
        ------
        InvalidParameterError
            If ``scheduler`` is not a multi-fidelity scheduler.
        """
        if not getattr(scheduler, "multi_fidelity", False):
            alternative = f"; {self.single_fidelity_alternative}" if self.single_fidelity_alternative else ""
            raise InvalidParameterError(
                f"{type(self).__name__} needs a multi-fidelity scheduler (HyperbandScheduler or the "
                f"synchronous Hyperband schedulers){alternative}. Got {type(scheduler).__name__}."
            )
        super().configure_scheduler(scheduler)
        if getattr(scheduler, "resource_attr", None) is not None:
            self.resource_attr = scheduler.resource_attr
        if getattr(scheduler, "max_t", None) is not None:
            self.max_t = int(scheduler.max_t)

    def _resource_of(self, result: dict) -> int:
        """``int(result[resource_attr])``.

        Raises
        ------
        ValueError
            If the resource attribute is not known yet, or ``result`` lacks it.
        """
        if self.resource_attr is None:
            raise ValueError(
                f"{type(self).__name__} does not know the resource attribute: pass resource_attr, or use it "
                "with a multi-fidelity scheduler"
            )
        if self.resource_attr not in result:
            raise ValueError(
                f"{type(self).__name__}: a result lacks the resource attribute {self.resource_attr!r}; it "
                f"reported {sorted(result)}"
            )
        return int(result[self.resource_attr])
