"""Rewrite a configuration space into an equivalent one that suits model-based
searchers better (:func:`streamline_config_space`).

Two rules, applied to each hyperparameter (see :func:`convert_domain`):

* a :func:`~syne_tune.config_space.choice` (or ``ordinal``) over more than two
  numbers becomes a numerical finite domain. Its sorted values ``x[0..n-1]``
  (or their logarithms, if all are positive and that fits better) are compared
  with the straight line through the first and last value, ``x[0] + j * a``
  with ``a = (x[n-1] - x[0]) / (n - 1)``: with ``u[j] = x[j] - j * a``, the
  fit quality is ``R2 = 1 - var(u) / var(x)``. If ``R2 >= 0.995`` the values
  are (nearly) equally spaced and the domain becomes
  :func:`~syne_tune.config_space.finrange` (or ``logfinrange``) from the
  smallest to the largest value, else
  :func:`~syne_tune.config_space.ordinal` with ``kind="nn"`` (or
  ``logordinal``) over the sorted values;
* a linear :func:`~syne_tune.config_space.uniform` /
  :func:`~syne_tune.config_space.randint` domain with ``lower > 0`` and
  ``upper > 100 * lower`` becomes log-scaled (``loguniform`` /
  ``lograndint``; quantized domains keep their ``q``).

Anything else is left as it is.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Sequence
from typing import Any

from syne_tune.config_space import (
    Categorical,
    Domain,
    Float,
    Integer,
    finrange,
    is_uniform_space,
    logfinrange,
    lograndint,
    logordinal,
    loguniform,
    ordinal,
    qloguniform,
    qlograndint,
)

from syne_tune.utils.logging_setup import install_default_handler

install_default_handler()

__all__ = [
    "POSITIVE_EPS",
    "R2_THRESHOLD",
    "UPPER_LOWER_RATIO_THRESHOLD",
    "fit_to_regular_grid",
    "convert_choice_domain",
    "convert_linear_to_log_domain",
    "convert_domain",
    "streamline_config_space",
]

logger = logging.getLogger(__name__)

#: Values at least this large count as positive (a log scale is possible).
POSITIVE_EPS = 1e-20

#: Fit quality from which the values of a choice count as equally spaced.
R2_THRESHOLD = 0.995

#: A linear numerical range becomes log-scaled if ``upper / lower`` exceeds this.
UPPER_LOWER_RATIO_THRESHOLD = 100


def _variance(values: Sequence[float]) -> float:
    mean = sum(values) / len(values)
    return sum((v - mean) ** 2 for v in values) / len(values)


def fit_to_regular_grid(x: Sequence[float]) -> dict[str, float]:
    """How close the increasing values ``x`` are to an equally spaced grid.

    Parameters
    ----------
    x
        Strictly increasing values, at least two.

    Returns
    -------
    dict
        ``"a"``: grid step ``(x[-1] - x[0]) / (n - 1)``; ``"b"``: offset of the
        grid ``b + a * j`` closest to ``x`` in the least-squares sense (mean
        of ``x[j] - a * j``); ``"r2"``: ``1 - var(x[j] - a * j) / var(x)``,
        1 for an exact grid.

    Raises
    ------
    ValueError
        If ``x`` has fewer than two values or is not strictly increasing.
    """
    x = [float(v) for v in x]
    n = len(x)
    if n < 2 or any(b <= a for a, b in zip(x, x[1:])):
        raise ValueError(
            f"The 'x' parameter of fit_to_regular_grid must be at least two strictly increasing values. "
            f"Got {x!r} instead."
        )
    step = (x[-1] - x[0]) / (n - 1)
    residual = [v - step * j for j, v in enumerate(x)]
    return {"a": step, "b": sum(residual) / n, "r2": 1.0 - _variance(residual) / _variance(x)}


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def convert_choice_domain(domain: Categorical, name: str | None = None) -> Domain:
    """Numerical finite domain equivalent to a choice over more than two numbers.

    See the module docstring for the rule. Choices over two or fewer values,
    or over non-numbers, are returned unchanged. The values' type is kept:
    a choice over ints gives a domain of ints.

    Parameters
    ----------
    domain
        A :class:`~syne_tune.config_space.Categorical` (``choice`` or ``ordinal``).
    name
        Hyperparameter name; if given, the conversion is logged.

    Returns
    -------
    Domain
        ``finrange``, ``logfinrange``, ``ordinal`` (``kind="nn"``),
        ``logordinal`` or ``domain`` itself.
    """
    values = list(domain.categories)
    if len(values) <= 2 or not all(_is_number(v) for v in values):
        return domain
    values = sorted(values)
    cast_int = all(isinstance(v, int) for v in values)
    fit = fit_to_regular_grid(values)
    use_log = False
    if values[0] >= POSITIVE_EPS:
        log_fit = fit_to_regular_grid([math.log(v) for v in values])
        if log_fit["r2"] > fit["r2"]:
            use_log, fit = True, log_fit
    result: Domain | None = None
    if fit["r2"] >= R2_THRESHOLD:
        make_range = logfinrange if use_log else finrange
        try:
            result = make_range(values[0], values[-1], len(values), cast_int=cast_int)
        except ValueError:
            # e.g. rounding to int merges two grid points: keep the exact values
            result = None
    if result is None:
        result = logordinal(values) if use_log else ordinal(values, kind="nn")
    if name is not None:
        logger.info("%s: log scale = %s, R2 = %.4f: %s -> %s", name, use_log, fit["r2"], domain, result)
    return result


def convert_linear_to_log_domain(domain: Float | Integer, name: str | None = None) -> Domain:
    """Log-scaled version of a linear numerical range spanning more than two
    orders of magnitude (``lower > 0``, ``upper > 100 * lower``).

    Parameters
    ----------
    domain
        A :class:`~syne_tune.config_space.Float` or
        :class:`~syne_tune.config_space.Integer` domain.
    name
        Hyperparameter name; if given, the conversion is logged.

    Returns
    -------
    Domain
        ``loguniform`` / ``lograndint`` (``qloguniform`` / ``qlograndint`` if
        ``domain`` is quantized) over the same range, or ``domain`` itself
        (already log-scaled, reverse-log, ``lower`` not positive, or a small
        ratio).
    """
    if not is_uniform_space(domain) or domain.lower < POSITIVE_EPS:
        return domain
    if domain.upper <= domain.lower * UPPER_LOWER_RATIO_THRESHOLD:
        return domain
    q = domain.q
    if isinstance(domain, Float):
        result = loguniform(domain.lower, domain.upper) if q is None else qloguniform(domain.lower, domain.upper, q)
    else:
        result = lograndint(domain.lower, domain.upper) if q is None else qlograndint(domain.lower, domain.upper, q)
    if name is not None:
        logger.info("%s: %s -> %s", name, domain, result)
    return result


def convert_domain(domain: Domain, name: str | None = None) -> Domain:
    """Apply the rule of the module docstring that fits ``domain``, if any.

    Parameters
    ----------
    domain
        A domain of a configuration space.
    name
        Hyperparameter name; if given, conversions are logged.

    Returns
    -------
    Domain
        The converted domain, or ``domain`` itself.
    """
    if isinstance(domain, Categorical):
        return convert_choice_domain(domain, name)
    if isinstance(domain, (Float, Integer)):
        return convert_linear_to_log_domain(domain, name)
    return domain


def streamline_config_space(
    config_space: dict[str, Any],
    exclude_names: Iterable[str] | None = None,
    verbose: bool = False,
) -> dict[str, Any]:
    """Configuration space with some domains replaced by equivalent ones that
    model-based (e.g. Bayesian optimization) searchers handle better.

    Parameters
    ----------
    config_space
        Original configuration space (not modified).
    exclude_names
        Hyperparameters left unchanged.
    verbose
        Log each replacement (at INFO level).

    Returns
    -------
    dict
        New configuration space: same keys, constants unchanged, domains
        converted by :func:`convert_domain`.

    Raises
    ------
    InvalidParameterError
        If ``config_space`` is not a dict or ``verbose`` not a bool.
        (Names in ``exclude_names`` that are not in ``config_space`` are only
        warned about.)
    """
    from syne_tune.utils.validation import check_parameter, closest_names

    check_parameter("streamline_config_space", "config_space", config_space, [dict])
    check_parameter("streamline_config_space", "verbose", verbose, ["boolean"])
    if isinstance(exclude_names, str):
        exclude_names = [exclude_names]
    excluded = set() if exclude_names is None else set(exclude_names)
    for unknown in sorted(excluded - set(config_space), key=str):
        close = closest_names(unknown, config_space)
        hint = f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""
        logger.warning(
            "streamline_config_space: exclude_names entry %r is not in the configuration space%s", unknown, hint
        )
    return {
        name: convert_domain(value, name if verbose else None)
        if isinstance(value, Domain) and name not in excluded
        else value
        for name, value in config_space.items()
    }
