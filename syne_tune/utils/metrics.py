"""Selecting one metric of a (possibly multi-objective) scheduler.

Standard library only.
"""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral

__all__ = ["metric_name_mode"]


def metric_name_mode(
    metric_names: Sequence[str],
    metric_mode: str | Sequence[str],
    metric: str | int,
    *,
    owner: str = "metric_name_mode",
) -> tuple[str, str]:
    """Name and mode of a metric given by name or by position.

    Parameters
    ----------
    metric_names
        Metrics of the scheduler, e.g. ``["loss", "latency"]``.
    metric_mode
        ``"min"`` / ``"max"`` for all metrics, or one mode per metric.
    metric
        Name of one of ``metric_names``, or its position in it.
    owner
        Named in error messages (the public function or class called).

    Returns
    -------
    tuple of str
        ``(name, mode)``.

    Raises
    ------
    ValueError
        If ``metric`` is neither one of ``metric_names`` nor a valid position
        in it, or if there are not as many modes as metrics.
    """
    from syne_tune.utils.validation import InvalidParameterError, Options, check_parameter

    names = list(metric_names)
    check_parameter(owner, "metric", metric, [str, Integral])
    if isinstance(metric, str):
        check_parameter(owner, "metric", metric, [Options(str, names)])
        index = names.index(metric)
    else:
        if not 0 <= metric < len(names):
            raise InvalidParameterError(
                f"The 'metric' parameter of {owner} must be a metric name among {names} or a position "
                f"in the range [0, {len(names) - 1}]. Got {metric!r} instead."
            )
        index = int(metric)
    if isinstance(metric_mode, str):
        mode = metric_mode
    else:
        modes = list(metric_mode)
        if len(modes) != len(names):
            raise ValueError(
                f"{owner}: {len(modes)} metric modes {modes} for {len(names)} metrics {names}; "
                "expected one mode per metric"
            )
        mode = modes[index]
    return names[index], mode
