"""Scalings between a numerical hyperparameter and its internal coordinate.

A scaling ``s`` maps a value ``x`` to the coordinate in which the domain is
sampled uniformly and encoded linearly:

* :class:`LinearScaling`: ``s(x) = x`` (``uniform``, ``randint``, ``finrange``);
* :class:`LogScaling`: ``s(x) = log(x)`` (``loguniform``, ``lograndint``,
  ``logfinrange``, ``logordinal``);
* :class:`ReverseLogScaling`: ``s(x) = -log(1 - x)`` (``reverseloguniform``).

The classes hold no state, so they pickle by reference and compare equal by
type.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from syne_tune.config_space import is_log_space, is_reverse_log_space

__all__ = ["Scaling", "LinearScaling", "LogScaling", "ReverseLogScaling", "get_scaling"]


class Scaling:
    """Base class: :meth:`to_internal` and its inverse :meth:`from_internal`,
    both elementwise on numbers or numpy arrays."""

    def to_internal(self, value):
        raise NotImplementedError

    def from_internal(self, value):
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other)

    def __hash__(self) -> int:
        return hash(type(self).__name__)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class LinearScaling(Scaling):
    """Identity."""

    def to_internal(self, value):
        return value

    def from_internal(self, value):
        return value


class LogScaling(Scaling):
    """``log(x)``, for positive values."""

    def to_internal(self, value):
        return np.log(value)

    def from_internal(self, value):
        return np.exp(value)


class ReverseLogScaling(Scaling):
    """``-log(1 - x)``, for values in ``[0, 1)``."""

    def to_internal(self, value):
        return -np.log1p(-np.asarray(value, dtype=float))

    def from_internal(self, value):
        return -np.expm1(-np.asarray(value, dtype=float))


def get_scaling(domain: Any) -> Scaling:
    """The scaling of a domain (see the module docstring)."""
    if is_log_space(domain):
        return LogScaling()
    if is_reverse_log_space(domain):
        return ReverseLogScaling()
    return LinearScaling()
