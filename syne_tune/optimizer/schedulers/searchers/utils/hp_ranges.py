"""Hyperparameter ranges: a configuration space as searchers see it.

:class:`HyperparameterRanges` wraps the hyperparameters (the non-constant
entries) of a configuration space and offers what searchers need: random
configurations, match strings for duplicate detection, and an encoding of
configurations as vectors in ``[0, 1]^d`` for model-based searchers. Every
built-in searcher samples and encodes through its ``_hp_ranges`` attribute,
so replacing that attribute (as Syne Tune's resume-tuning example does with
:func:`make_hyperparameter_ranges`) changes the space later suggestions come
from.

Hyperparameters are ordered by name (``internal_keys``), except that
``prefix_keys`` come first and ``name_last_pos`` comes last. The encoding of
one hyperparameter, with ``s`` the scaling of its domain (identity, ``log`` or
``-log(1 - x)``, see :mod:`.scaling`) and ``EPS = 1e-8``:

* :class:`~syne_tune.config_space.Float` in ``[l, u]``: one coordinate
  ``(s(x) - s(l)) / (s(u) - s(l))`` (``0`` if ``l == u``); decoding inverts
  it, clips to ``[l, u]`` and casts (which snaps quantized values to ``q``).
* :class:`~syne_tune.config_space.Integer` in ``[l, u]``: the same on the
  widened interval ``[l - 0.5 + EPS, u + 0.5 - EPS]``, so that every integer
  owns a cell of the unit interval of equal width in internal coordinates;
  decoding rounds.
* :class:`~syne_tune.config_space.FiniteRange`,
  :class:`~syne_tune.config_space.Ordinal` (kind ``"equal"``) and
  :class:`~syne_tune.config_space.Categorical` with two categories: one
  coordinate, the value's index ``i`` among ``k`` values encoded like an
  integer in ``[0, k - 1]`` (about ``(i + 0.5) / k``).
* :class:`~syne_tune.config_space.OrdinalNearestNeighbor`: one coordinate,
  the value's internal (possibly log) coordinate on the interval the domain
  samples from (first to last value, widened by half the mean spacing);
  decoding picks the nearest value.
* Other :class:`~syne_tune.config_space.Categorical`: one-hot, one coordinate
  per category; decoding takes the arg-max.

Numerical values outside their range are clipped into ``[0, 1]`` when
encoded. Configurations returned by :meth:`~HyperparameterRanges.from_ndarray`
and :meth:`~HyperparameterRanges.random_config` hold the hyperparameters only
(as in Syne Tune); :attr:`~HyperparameterRanges.constants` holds the rest.
"""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from syne_tune.config_space import (
    Categorical,
    Domain,
    FiniteRange,
    Float,
    Integer,
    Ordinal,
    OrdinalNearestNeighbor,
    config_to_match_string,
    sample_configs,
    validate_config_space,
)
from syne_tune.optimizer.schedulers.searchers.utils.scaling import Scaling, get_scaling

__all__ = ["HyperparameterRanges", "make_hyperparameter_ranges", "EPS"]

#: Margin that keeps the bounds of an integer's widened interval inside it.
EPS = 1e-8


class _NumericalRange:
    """One coordinate for a Float or Integer domain."""

    size = 1

    def __init__(self, name: str, domain: Float | Integer):
        self.name = name
        self.domain = domain
        self.scaling: Scaling = get_scaling(domain)
        self.is_integer = isinstance(domain, Integer)
        lower, upper = float(domain.lower), float(domain.upper)
        if self.is_integer:
            lower, upper = lower - 0.5 + EPS, upper + 0.5 - EPS
        self._lo = float(self.scaling.to_internal(lower))
        self._hi = float(self.scaling.to_internal(upper))
        self._width = self._hi - self._lo

    def to_unit(self, values: list) -> np.ndarray:
        v = np.asarray(values, dtype=float)
        if self._width <= 0:
            return np.zeros((len(v), 1))
        lower, upper = float(self.domain.lower), float(self.domain.upper)
        internal = self.scaling.to_internal(np.clip(v, lower, upper))
        return np.clip((internal - self._lo) / self._width, 0.0, 1.0).reshape(-1, 1)

    def from_unit(self, u: np.ndarray) -> list:
        lower, upper = self.domain.lower, self.domain.upper
        if self._width <= 0:
            return [self.domain.cast(lower)] * len(u)
        internal = self._lo + np.clip(u[:, 0], 0.0, 1.0) * self._width
        v = np.clip(self.scaling.from_internal(internal), lower, upper)
        if self.is_integer:
            v = np.rint(v)
        return [self.domain.cast(x) for x in v.tolist()]


class _IndexRange:
    """One coordinate for ``k`` ordered values (finite ranges, ordinals,
    binary categoricals): index ``i`` encoded like an integer in ``[0, k-1]``."""

    size = 1

    def __init__(self, name: str, domain: FiniteRange | Categorical):
        self.name = name
        self.domain = domain
        if isinstance(domain, FiniteRange):
            self._values = domain.values
        else:
            self._values = domain.categories
        self._k = len(self._values)
        self._lo = -0.5 + EPS
        self._width = self._k - 1.0 + 1.0 - 2 * EPS

    def _index(self, value) -> int:
        if isinstance(self.domain, FiniteRange):
            return self.domain._map_to_int(value)
        return self.domain.index_of(value)

    def to_unit(self, values: list) -> np.ndarray:
        idx = np.asarray([self._index(v) for v in values], dtype=float)
        return ((idx - self._lo) / self._width).reshape(-1, 1)

    def from_unit(self, u: np.ndarray) -> list:
        idx = np.rint(self._lo + np.clip(u[:, 0], 0.0, 1.0) * self._width)
        idx = np.clip(idx, 0, self._k - 1).astype(int)
        return [self._values[i] for i in idx.tolist()]


class _NearestNeighborRange:
    """One coordinate for :class:`OrdinalNearestNeighbor`: the internal
    coordinate of the value on the interval the domain samples from."""

    size = 1

    def __init__(self, name: str, domain: OrdinalNearestNeighbor):
        self.name = name
        self.domain = domain
        self._lo = float(domain.lower_int)
        self._width = float(domain.upper_int) - self._lo

    def to_unit(self, values: list) -> np.ndarray:
        if self._width <= 0:
            return np.zeros((len(values), 1))
        cats = self.domain.categories
        internal = self.domain.categories_int
        pos = [cats.index(self.domain.cast(v)) for v in values]
        return ((internal[pos] - self._lo) / self._width).reshape(-1, 1)

    def from_unit(self, u: np.ndarray) -> list:
        internal = self._lo + np.clip(u[:, 0], 0.0, 1.0) * self._width
        return [self.domain.cast_int(x) for x in internal.tolist()]


class _OneHotRange:
    """One coordinate per category (unordered categoricals, not binary)."""

    def __init__(self, name: str, domain: Categorical):
        self.name = name
        self.domain = domain
        self.size = len(domain)

    def to_unit(self, values: list) -> np.ndarray:
        out = np.zeros((len(values), self.size))
        out[np.arange(len(values)), [self.domain.index_of(v) for v in values]] = 1.0
        return out

    def from_unit(self, u: np.ndarray) -> list:
        return [self.domain.categories[i] for i in np.argmax(u, axis=1).tolist()]


def _make_range(name: str, domain: Domain):
    if isinstance(domain, OrdinalNearestNeighbor):
        return _NearestNeighborRange(name, domain)
    if isinstance(domain, (FiniteRange, Ordinal)):
        return _IndexRange(name, domain)
    if isinstance(domain, Categorical):
        return _IndexRange(name, domain) if len(domain) == 2 else _OneHotRange(name, domain)
    if isinstance(domain, (Float, Integer)):
        return _NumericalRange(name, domain)
    raise TypeError(f"Hyperparameter '{name}': domain type {type(domain).__name__} cannot be encoded")


class HyperparameterRanges:
    """The hyperparameters of a configuration space, with sampling, match
    strings and the ``[0, 1]^d`` encoding described in the module docstring.

    Parameters
    ----------
    config_space
        Configuration space; constants are kept aside (:attr:`constants`).
    name_last_pos
        Hyperparameter placed last in :attr:`internal_keys` (and in the
        encoding), e.g. a resource attribute.
    value_for_last_pos
        If given (with ``name_last_pos``), :meth:`random_config` sets
        ``name_last_pos`` to this value and :meth:`get_ndarray_bounds` fixes
        its coordinate.
    active_config_space
        Not supported (Syne Tune uses it for transfer learning); must be
        ``None`` or empty.
    prefix_keys
        Hyperparameters placed first in :attr:`internal_keys`.

    Raises
    ------
    ValueError
        If ``config_space`` is not a valid configuration space, a key of
        ``prefix_keys`` / ``name_last_pos`` is not a hyperparameter, or
        ``active_config_space`` is given.
    """

    def __init__(
        self,
        config_space: dict,
        name_last_pos: str | None = None,
        value_for_last_pos: Any = None,
        active_config_space: dict | None = None,
        prefix_keys: list[str] | None = None,
    ):
        validate_config_space(config_space)
        if active_config_space:
            raise ValueError(
                "make_hyperparameter_ranges: active_config_space is not supported "
                f"(got keys {sorted(active_config_space)})"
            )
        self._full_config_space = config_space
        self.config_space = {k: v for k, v in config_space.items() if isinstance(v, Domain)}
        self.name_last_pos = name_last_pos
        self.value_for_last_pos = value_for_last_pos
        self._internal_keys = self._ordered_keys(prefix_keys)
        self._ranges = [_make_range(k, self.config_space[k]) for k in self._internal_keys]
        self._encoded_ranges: dict[str, tuple[int, int]] = {}
        start = 0
        for r in self._ranges:
            self._encoded_ranges[r.name] = (start, start + r.size)
            start += r.size
        self._ndarray_size = start

    def _ordered_keys(self, prefix_keys: list[str] | None) -> list[str]:
        keys = sorted(self.config_space)
        for key in list(prefix_keys or []) + ([self.name_last_pos] if self.name_last_pos else []):
            if key not in self.config_space:
                raise ValueError(
                    f"make_hyperparameter_ranges: '{key}' is not a hyperparameter of the "
                    f"config space (hyperparameters: {keys})"
                )
        if prefix_keys:
            keys = list(prefix_keys) + [k for k in keys if k not in set(prefix_keys)]
        if self.name_last_pos is not None:
            keys = [k for k in keys if k != self.name_last_pos] + [self.name_last_pos]
        return keys

    # -- description ----------------------------------------------------------
    @property
    def internal_keys(self) -> list[str]:
        """Hyperparameter names in encoding order."""
        return self._internal_keys

    @property
    def full_config_space(self) -> dict:
        """The configuration space given, constants included."""
        return self._full_config_space

    @property
    def constants(self) -> dict:
        """The constant entries of the configuration space."""
        return {k: v for k, v in self._full_config_space.items() if not isinstance(v, Domain)}

    @property
    def config_space_for_sampling(self) -> dict:
        """Hyperparameters random configurations are drawn from."""
        return self.config_space

    @property
    def active_config_space(self) -> dict:
        return {}

    @property
    def ndarray_size(self) -> int:
        """Number of columns of the encoding."""
        return self._ndarray_size

    @property
    def encoded_ranges(self) -> dict[str, tuple[int, int]]:
        """Hyperparameter name -> ``(start, end)`` columns of its encoding."""
        return dict(self._encoded_ranges)

    def get_ndarray_bounds(self) -> list[tuple[float, float]]:
        """``(lower, upper)`` per encoded column: ``(0, 1)``, or ``(a, a)`` for
        the columns of a fixed ``name_last_pos``."""
        bounds = [(0.0, 1.0)] * self._ndarray_size
        if self.is_attribute_fixed():
            start, end = self._encoded_ranges[self.name_last_pos]
            fixed = self._ranges[-1].to_unit([self.value_for_last_pos])[0]
            bounds[start:end] = [(float(a), float(a)) for a in fixed]
        return bounds

    def is_attribute_fixed(self) -> bool:
        """Whether ``name_last_pos`` has a fixed ``value_for_last_pos``."""
        return self.name_last_pos is not None and self.value_for_last_pos is not None

    def filter_for_last_pos_value(self, configs: list[dict]) -> list[dict]:
        """``configs`` whose ``name_last_pos`` equals ``value_for_last_pos`` (all
        of them if the attribute is not fixed)."""
        if not self.is_attribute_fixed():
            return configs
        return [c for c in configs if c[self.name_last_pos] == self.value_for_last_pos]

    # -- encoding --------------------------------------------------------------
    def to_ndarray(self, config: dict) -> np.ndarray:
        """Encoding of one configuration (a vector of size :attr:`ndarray_size`)."""
        return self.to_ndarray_matrix([config])[0]

    def to_ndarray_matrix(self, configs: Iterable[dict]) -> np.ndarray:
        """Encodings of ``configs``, one row each.

        Raises
        ------
        KeyError
            If a configuration lacks a hyperparameter.
        ValueError
            If a value is not one of a categorical domain's categories.
        """
        configs = list(configs)
        out = np.zeros((len(configs), self._ndarray_size))
        for r in self._ranges:
            start, end = self._encoded_ranges[r.name]
            if configs:
                out[:, start:end] = r.to_unit([c[r.name] for c in configs])
        return out

    def from_ndarray(self, enc_config: np.ndarray) -> dict:
        """Configuration (hyperparameters only) of an encoded vector; any vector
        of size :attr:`ndarray_size` is allowed (values are clipped, rounded)."""
        return self.from_ndarray_matrix(np.asarray(enc_config, dtype=float).reshape(1, -1))[0]

    def from_ndarray_matrix(self, matrix: np.ndarray) -> list[dict]:
        """:meth:`from_ndarray` for every row of ``matrix``.

        Raises
        ------
        ValueError
            If ``matrix`` does not have :attr:`ndarray_size` columns.
        """
        X = np.atleast_2d(np.asarray(matrix, dtype=float))
        if X.shape[1] != self._ndarray_size:
            raise ValueError(
                f"Encoded matrix must have {self._ndarray_size} columns (ndarray_size), got {X.shape[1]}"
            )
        columns = {}
        for r in self._ranges:
            start, end = self._encoded_ranges[r.name]
            columns[r.name] = r.from_unit(X[:, start:end])
        return [{k: columns[k][i] for k in self._internal_keys} for i in range(len(X))]

    # -- sampling and matching -------------------------------------------------
    def random_config(self, random_state: np.random.RandomState) -> dict:
        """One random configuration (hyperparameters only), drawn with each
        domain's sampler."""
        return self.random_configs(random_state, 1)[0]

    def random_configs(self, random_state: np.random.RandomState, num_configs: int) -> list[dict]:
        """``num_configs`` random configurations (one vectorised draw per
        hyperparameter)."""
        configs = sample_configs(self.config_space, num_configs, random_state)
        if self.is_attribute_fixed():
            for config in configs:
                config[self.name_last_pos] = self.value_for_last_pos
        return configs

    def _keys(self, keys: list[str] | None, skip_last: bool) -> list[str]:
        if keys is not None:
            return keys
        if skip_last and self.name_last_pos is not None:
            return self._internal_keys[:-1]
        return self._internal_keys

    def config_to_tuple(self, config: dict, keys: list[str] | None = None, skip_last: bool = False) -> tuple:
        """Values of ``config`` in the order of ``keys`` (default :attr:`internal_keys`)."""
        return tuple(config[k] for k in self._keys(keys, skip_last))

    def tuple_to_config(self, config_tpl: tuple, keys: list[str] | None = None, skip_last: bool = False) -> dict:
        """Inverse of :meth:`config_to_tuple`."""
        return dict(zip(self._keys(keys, skip_last), config_tpl))

    def config_to_match_string(self, config: dict, keys: list[str] | None = None, skip_last: bool = False) -> str:
        """String equal for (approximately) equal configurations on ``keys``
        (default :attr:`internal_keys`); used for duplicate detection."""
        return config_to_match_string(config, self.config_space, self._keys(keys, skip_last))

    def __len__(self) -> int:
        return len(self.config_space)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, HyperparameterRanges)
            and self._internal_keys == other._internal_keys
            and all(self.config_space[k] == other.config_space[k] for k in self._internal_keys)
            and self.name_last_pos == other.name_last_pos
            and self.value_for_last_pos == other.value_for_last_pos
        )

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}: {self.config_space[k]!r}" for k in self._internal_keys)
        return f"{type(self).__name__}({{{inner}}})"


def make_hyperparameter_ranges(
    config_space: dict,
    name_last_pos: str | None = None,
    value_for_last_pos: Any = None,
    active_config_space: dict | None = None,
    prefix_keys: list[str] | None = None,
) -> HyperparameterRanges:
    """Build the :class:`HyperparameterRanges` of ``config_space`` (Syne Tune's
    factory; the arguments are those of the class).

    Returns
    -------
    HyperparameterRanges
        A new object.
    """
    return HyperparameterRanges(
        config_space,
        name_last_pos=name_last_pos,
        value_for_last_pos=value_for_last_pos,
        active_config_space=active_config_space,
        prefix_keys=prefix_keys,
    )
