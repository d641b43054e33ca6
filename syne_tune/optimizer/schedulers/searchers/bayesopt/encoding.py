"""Encoding of configurations as vectors in the unit cube ``[0, 1]^d``.

* :class:`~syne_tune.config_space.Float` / :class:`~syne_tune.config_space.Integer`:
  one coordinate, linear between ``lower`` and ``upper`` (in log space for log
  domains, in ``-log(1 - x)`` space for reverse-log ones). Decoding rounds
  integers and snaps quantized values to their grid.
* :class:`~syne_tune.config_space.Categorical`: one-hot, one coordinate per
  category; decoding takes the arg-max.
* :class:`~syne_tune.config_space.Ordinal` (all kinds) and
  :class:`~syne_tune.config_space.FiniteRange`: one coordinate, the value's
  index divided by ``(number of values - 1)``.

Constants are not encoded; :meth:`ConfigEncoder.decode` puts them back.
"""

from __future__ import annotations

import numpy as np

from syne_tune.config_space import (
    Categorical,
    Domain,
    FiniteRange,
    Float,
    Integer,
    Ordinal,
    is_log_space,
    is_reverse_log_space,
)


class _NumericalBlock:
    """One coordinate for a Float or Integer domain."""

    size = 1

    def __init__(self, domain: Float | Integer):
        self.domain = domain
        if is_log_space(domain):
            self._fwd, self._inv = np.log, np.exp
        elif is_reverse_log_space(domain):
            self._fwd = lambda v: -np.log1p(-v)
            self._inv = lambda t: -np.expm1(-t)
        else:
            self._fwd = self._inv = lambda v: v
        self._lo = float(self._fwd(np.float64(domain.lower)))
        self._hi = float(self._fwd(np.float64(domain.upper)))
        self._width = self._hi - self._lo

    def to_unit(self, values: list) -> np.ndarray:
        v = np.asarray(values, dtype=float)
        if self._width == 0:
            return np.full((len(v), 1), 0.5)
        return ((self._fwd(v) - self._lo) / self._width).reshape(-1, 1)

    def _values(self, u: np.ndarray) -> np.ndarray:
        u = np.clip(u[:, 0], 0.0, 1.0)
        v = np.clip(self._inv(self._lo + u * self._width), self.domain.lower, self.domain.upper)
        q = self.domain.q
        if q is not None:
            v = np.clip(np.rint(v / q) * q, self.domain.lower, self.domain.upper)
        if isinstance(self.domain, Integer):
            v = np.rint(v)
        return v

    def from_unit(self, u: np.ndarray) -> list:
        return [self.domain.cast(x) for x in self._values(u).tolist()]

    def snap(self, u: np.ndarray) -> np.ndarray:
        if self._width == 0:
            return np.full_like(u, 0.5)
        if isinstance(self.domain, Integer) or self.domain.q is not None:
            return self.to_unit(self._values(u))
        return np.clip(u, 0.0, 1.0)

    def sample(self, n: int, rs: np.random.RandomState) -> np.ndarray:
        return rs.uniform(0.0, 1.0, size=(n, 1))


class _IndexBlock:
    """One coordinate holding ``index / (k - 1)`` (ordinals, finite ranges)."""

    size = 1

    def __init__(self, domain: Ordinal | FiniteRange):
        self.domain = domain
        self._k = len(domain)
        if isinstance(domain, FiniteRange):
            self._values, self._index = domain.values, domain._map_to_int
        else:
            self._values, self._index = domain.categories, domain.index_of

    def to_unit(self, values: list) -> np.ndarray:
        idx = np.asarray([self._index(v) for v in values], dtype=float)
        return (idx / max(self._k - 1, 1)).reshape(-1, 1)

    def _indices(self, u: np.ndarray) -> np.ndarray:
        return np.rint(np.clip(u[:, 0], 0.0, 1.0) * (self._k - 1)).astype(int)

    def from_unit(self, u: np.ndarray) -> list:
        return [self._values[i] for i in self._indices(u)]

    def snap(self, u: np.ndarray) -> np.ndarray:
        return (self._indices(u) / max(self._k - 1, 1)).reshape(-1, 1).astype(float)

    def sample(self, n: int, rs: np.random.RandomState) -> np.ndarray:
        return rs.randint(0, self._k, size=n).reshape(-1, 1) / max(self._k - 1, 1)


class _OneHotBlock:
    """One coordinate per category (unordered categorical domains)."""

    def __init__(self, domain: Categorical):
        self.domain = domain
        self.size = len(domain)

    def to_unit(self, values: list) -> np.ndarray:
        out = np.zeros((len(values), self.size))
        out[np.arange(len(values)), [self.domain.index_of(v) for v in values]] = 1.0
        return out

    def from_unit(self, u: np.ndarray) -> list:
        return [self.domain.categories[i] for i in np.argmax(u, axis=1)]

    def snap(self, u: np.ndarray) -> np.ndarray:
        out = np.zeros_like(u)
        out[np.arange(len(u)), np.argmax(u, axis=1)] = 1.0
        return out

    def sample(self, n: int, rs: np.random.RandomState) -> np.ndarray:
        out = np.zeros((n, self.size))
        out[np.arange(n), rs.randint(0, self.size, size=n)] = 1.0
        return out


def _make_block(name: str, domain: Domain):
    if isinstance(domain, (Ordinal, FiniteRange)):
        return _IndexBlock(domain)
    if isinstance(domain, Categorical):
        return _OneHotBlock(domain)
    if isinstance(domain, (Float, Integer)):
        return _NumericalBlock(domain)
    raise TypeError(f"Hyperparameter '{name}': domain type {type(domain).__name__} cannot be encoded")


class ConfigEncoder:
    """Maps configurations of ``config_space`` to rows of a matrix in
    ``[0, 1]^d`` and back (see the module docstring for the per-domain rules).

    Parameters
    ----------
    config_space
        Configuration space; constants are kept aside and restored on decoding.
    """

    def __init__(self, config_space: dict):
        if not isinstance(config_space, dict):
            raise TypeError(f"config_space must be a dict, got {type(config_space).__name__}")
        self.config_space = config_space
        self._keys = [k for k, v in config_space.items() if isinstance(v, Domain)]
        self._blocks = [_make_block(k, config_space[k]) for k in self._keys]
        self._slices = []
        start = 0
        for block in self._blocks:
            self._slices.append(slice(start, start + block.size))
            start += block.size
        self.dimension = start
        #: Column indices of one-hot blocks (each a list), for local search.
        self.groups = [list(range(s.start, s.stop)) for s in self._slices]
        self.onehot = [isinstance(b, _OneHotBlock) for b in self._blocks]

    def encode(self, configs: list[dict]) -> np.ndarray:
        """Matrix with one row per configuration."""
        out = np.zeros((len(configs), self.dimension))
        for key, block, sl in zip(self._keys, self._blocks, self._slices):
            out[:, sl] = block.to_unit([c[key] for c in configs])
        return out

    def decode(self, X: np.ndarray) -> list[dict]:
        """Configurations for the rows of ``X`` (values snapped to the domains)."""
        X = np.atleast_2d(np.asarray(X, dtype=float))
        if X.shape[1] != self.dimension:
            raise ValueError(f"Encoded matrix must have {self.dimension} columns, got {X.shape[1]}")
        columns = {key: block.from_unit(X[:, sl]) for key, block, sl in zip(self._keys, self._blocks, self._slices)}
        configs = []
        for i in range(len(X)):
            config = {}
            for name, domain in self.config_space.items():
                config[name] = columns[name][i] if name in columns else domain
            configs.append(config)
        return configs

    def snap(self, X: np.ndarray) -> np.ndarray:
        """Rows of ``X`` replaced by the encodings of the configs they decode to
        (vectorised, without building dicts)."""
        out = np.empty_like(X)
        for block, sl in zip(self._blocks, self._slices):
            out[:, sl] = block.snap(X[:, sl])
        return out

    def sample(self, n: int, random_state: np.random.RandomState) -> np.ndarray:
        """``n`` random encoded configurations (uniform in the encoded space,
        i.e. log-uniform for log domains), already snapped."""
        out = np.empty((n, self.dimension))
        for block, sl in zip(self._blocks, self._slices):
            out[:, sl] = block.sample(n, random_state)
        return self.snap(out)

    def perturb(self, X: np.ndarray, scale: float, random_state: np.random.RandomState) -> np.ndarray:
        """Copy of ``X`` with one randomly chosen hyperparameter per row changed:
        a Gaussian step of size ``scale`` for one coordinate, a different
        category for one-hot blocks. The result is snapped."""
        n = len(X)
        out = X.copy()
        which = random_state.randint(0, len(self._blocks), size=n)
        for b, (block, sl) in enumerate(zip(self._blocks, self._slices)):
            rows = np.flatnonzero(which == b)
            if rows.size == 0:
                continue
            if self.onehot[b]:
                out[rows, sl] = block.sample(rows.size, random_state)
            else:
                step = random_state.normal(0.0, scale, size=rows.size)
                out[rows, sl.start] = np.clip(out[rows, sl.start] + step, 0.0, 1.0)
        return self.snap(out)
