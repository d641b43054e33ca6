"""Configuration spaces: hyperparameter domains, sampling, validation and JSON.

A configuration space is a plain ``dict`` mapping hyperparameter names to
either a :class:`Domain` (a range to search over) or any other value, which is
a constant passed unchanged to every trial::

    from syne_tune.config_space import choice, loguniform, randint

    config_space = {
        "lr": loguniform(1e-5, 1e-1),
        "num_layers": randint(1, 8),        # 1 and 8 both included
        "activation": choice(["relu", "tanh"]),
        "epochs": 100,                      # constant
    }

Domains
-------
* ``uniform(l, u)``, ``loguniform(l, u)``, ``reverseloguniform(l, u)``,
  ``quniform(l, u, q)``, ``qloguniform(l, u, q)``: :class:`Float`
  (``len`` 0; 1 if ``l == u``; the number of grid points if quantized).
* ``randint(l, u)``, ``lograndint(l, u)``, ``qrandint(l, u, q)``,
  ``qlograndint(l, u, q)``: :class:`Integer` (``len`` = number of values).
* ``choice(cats)``: :class:`Categorical`; ``ordinal(cats, kind)``:
  :class:`Ordinal` (kind ``"equal"``) or :class:`OrdinalNearestNeighbor`
  (kind ``"nn"`` / ``"nn-log"``); ``logordinal(cats)``: the latter in log scale.
* ``finrange(l, u, size)``, ``logfinrange(l, u, size)``: :class:`FiniteRange`.

Choices made here (all raise :class:`ValueError` with the offending value).
Where Syne Tune 0.13 is lenient we are too, unless its leniency hides a bug:

* Bounds must be finite real numbers (``bool``, NaN and infinity are refused)
  with ``lower <= upper``.
* :class:`Float` allows ``lower == upper``: a one-value range (``len`` 1)
  that samples, casts and encodes to that value.
* :class:`Integer` bounds may be floats; they are rounded with Python's
  ``round`` (half to even), as Syne Tune does: ``randint(0.6, 3.2)`` is
  ``randint(1, 3)``. ``lower <= upper`` is checked on the bounds as given.
  ``randint(3, 3)`` is a valid one-value domain.
* Log domains need ``lower > 0`` (``lograndint``: ``lower >= 1`` after
  rounding); ``reverseloguniform`` needs ``0 <= lower <= upper < 1``.
* Categories: non-empty, no duplicates, all of one type among ``str``,
  ``int``, ``float``, ``bool`` (``[1, 0.5]`` mixes int and float and is
  refused), floats finite. numpy scalars are converted to Python values.
* ``finrange`` / ``logfinrange``: ``size >= 1``. ``size == 1`` is the single
  value ``lower`` (as in Syne Tune; a warning is logged if ``upper`` differs,
  since it is then ignored). ``size >= 2`` needs ``lower < upper`` (Syne Tune
  would repeat one value ``size`` times); with ``cast_int=True`` the rounded
  values must be distinct.
* Quantized domains: ``q > 0`` (integer for :class:`Integer`) and both bounds
  multiples of ``q``. Sampling gives every grid point (multiple of ``q``) in
  ``[lower, upper]`` the same mass in linear / log space, so bounds are never
  left.

Sampling
--------
:meth:`Domain.sample` (``size=1`` gives a scalar, otherwise a list) and the
vectorised fast path :meth:`Domain.sample_array` (a numpy array of ``size``
values) share one random stream: for the same seed, ``sample(size=n)`` equals
``sample_array(n).tolist()``. :func:`sample_configs` draws many full
configurations at once (one vectorised draw per hyperparameter), and
:func:`sample_config` draws one. ``random_state`` may be a
:class:`numpy.random.RandomState`, a :class:`numpy.random.Generator`, an
``int`` seed or ``None`` (numpy's global random state). Values returned by
``sample``, ``sample_config`` and ``sample_configs`` are plain Python
``float`` / ``int`` / ``str`` / ``bool``.

Log-uniform floats are uniform in log space. Integers are uniform over
``[lower, upper]`` with both ends included; log-uniform integers draw ``x``
log-uniformly from ``[lower - 0.5, upper + 0.5]`` and round, so every integer
gets the mass of its own log-interval and the result stays within bounds.

Serialization
-------------
:func:`to_dict` / :func:`from_dict` use Syne Tune's format, for instance
``{"domain_cls": "Integer", "domain_kwargs": {"lower": 1, "upper": 20},
"sampler_cls": "Uniform", "sampler_kwargs": {}}``. :class:`FiniteRange` and
:class:`OrdinalNearestNeighbor` have no sampler entries. Quantized domains use
``"sampler_cls": "Quantized"`` with ``sampler_kwargs`` ``{"q": q,
"sampler_cls": <inner>, "sampler_kwargs": {...}}``.
:func:`config_space_to_json_dict` / :func:`config_space_from_json_dict` (and
the ``*_json_string`` variants) convert whole spaces; constants stay as they
are.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
from copy import copy
from decimal import Decimal
from typing import Any, Dict, Iterable, List, Optional, Sequence, Union

import numpy as np

from syne_tune.utils.logging_setup import install_default_handler

install_default_handler()

logger = logging.getLogger(__name__)

__all__ = [
    "Domain",
    "Sampler",
    "Uniform",
    "LogUniform",
    "ReverseLogUniform",
    "Quantized",
    "Float",
    "Integer",
    "Categorical",
    "Ordinal",
    "OrdinalNearestNeighbor",
    "FiniteRange",
    "uniform",
    "loguniform",
    "reverseloguniform",
    "quniform",
    "qloguniform",
    "randint",
    "lograndint",
    "qrandint",
    "qlograndint",
    "choice",
    "ordinal",
    "logordinal",
    "finrange",
    "logfinrange",
    "is_log_space",
    "is_reverse_log_space",
    "is_uniform_space",
    "add_to_argparse",
    "cast_config_values",
    "non_constant_hyperparameter_keys",
    "config_space_size",
    "config_to_match_string",
    "restrict_domain",
    "is_valid_config",
    "check_config_in_space",
    "validate_config_space",
    "sample_config",
    "sample_configs",
    "to_dict",
    "from_dict",
    "config_space_to_json_dict",
    "config_space_from_json_dict",
    "config_space_to_json_string",
    "config_space_from_json_string",
]

RandomStateLike = Union[np.random.RandomState, np.random.Generator, int, None]

_CATEGORY_TYPES = (str, bool, int, float)


# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------


def _to_python(value: Any) -> Any:
    """numpy scalars (and 0-d arrays) become the equivalent Python scalar."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return value.item()
    return value


def _is_real(value: Any) -> bool:
    """True for int / float values (numpy included), False for bool and others."""
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_)
    )


def _real_bound(value: Any, name: str, what: str) -> float:
    value = _to_python(value)
    if not _is_real(value):
        raise ValueError(f"{what}: {name} must be a real number, got {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{what}: {name} must be finite, got {value!r}")
    return value


def _int_bound(value: Any, name: str, what: str) -> int:
    """A finite real bound rounded to ``int`` with Python's ``round`` (half
    to even), as Syne Tune's ``Integer`` does."""
    return int(round(_real_bound(value, name, what)))


def _str_to_bool(value: Any) -> bool:
    """Parses a bool from a bool, 0/1 or a string such as ``"True"``/``"false"``."""
    value = _to_python(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        low = value.strip().lower()
        if low in ("true", "1", "yes", "y", "t"):
            return True
        if low in ("false", "0", "no", "n", "f"):
            return False
    raise ValueError(f"cannot interpret {value!r} as a bool")


_str_to_bool.__name__ = "bool"


def _lenient_int(value: Any) -> int:
    """``int`` that also accepts integral floats and strings like ``"3.0"``."""
    value = _to_python(value)
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            value = float(text)
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"cannot convert {value!r} to int")
    return int(round(value))


_lenient_int.__name__ = "int"


def _json_or_str(value: str) -> Any:
    try:
        return json.loads(value)
    except (TypeError, ValueError):
        return value


_json_or_str.__name__ = "json"


def _as_random_state(random_state: RandomStateLike):
    if random_state is None:
        return np.random  # the module-level functions use numpy's global state
    if isinstance(random_state, (np.random.RandomState, np.random.Generator)):
        return random_state
    if isinstance(random_state, (int, np.integer)) and not isinstance(random_state, bool):
        return np.random.RandomState(int(random_state))
    raise TypeError(
        "random_state must be a numpy RandomState, a numpy Generator, an int "
        f"seed or None, got {type(random_state).__name__}"
    )


def _integers(rs, low: int, high_exclusive: int, size: int) -> np.ndarray:
    if isinstance(rs, np.random.Generator):
        return rs.integers(low, high_exclusive, size=size, dtype=np.int64)
    return rs.randint(low, high_exclusive, size=size, dtype=np.int64)


def _check_size(size: Any) -> int:
    size = _to_python(size)
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise ValueError(f"size must be a non-negative int, got {size!r}")
    return size


def _decimals_of(q: float) -> Optional[int]:
    """Number of decimal places of ``q`` as written (0.25 -> 2), None if integral."""
    if float(q).is_integer():
        return None
    exponent = Decimal(repr(float(q))).as_tuple().exponent
    return max(0, -int(exponent))


def _is_multiple(value: float, q: float) -> bool:
    ratio = value / q
    return math.isclose(ratio, round(ratio), rel_tol=1e-9, abs_tol=1e-9)


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


# ---------------------------------------------------------------------------
# Samplers
# ---------------------------------------------------------------------------


class Sampler:
    """How values of a :class:`Domain` are drawn. ``str(sampler)`` is its
    serialization name, :meth:`kwargs` its constructor arguments."""

    name = "Base"

    def kwargs(self) -> Dict[str, Any]:
        return {}

    def draw(self, domain: "Domain", size: int, rs) -> np.ndarray:
        raise NotImplementedError

    def sample(
        self,
        domain: "Domain",
        spec: Optional[Union[List[dict], dict]] = None,
        size: int = 1,
        random_state: RandomStateLike = None,
    ):
        """Same contract as :meth:`Domain.sample`."""
        values = self.draw(domain, _check_size(size), _as_random_state(random_state))
        values = values.tolist()
        return values[0] if size == 1 else values

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"{self.name}({self.kwargs()})"

    def __eq__(self, other) -> bool:
        return (
            isinstance(other, Sampler)
            and str(self) == str(other)
            and self.kwargs() == other.kwargs()
        )

    def __hash__(self) -> int:
        return hash(self.name)


class Uniform(Sampler):
    """Uniform sampling (in linear space)."""

    name = "Uniform"


class LogUniform(Sampler):
    """Uniform sampling in log space. ``base`` is kept for compatibility with
    Ray Tune / Syne Tune files; it does not change the distribution."""

    name = "LogUniform"

    def __init__(self, base: float = math.e):
        base = _to_python(base)
        if not _is_real(base) or not base > 0:
            raise ValueError(f"LogUniform: base must be positive, got {base!r}")
        self.base = float(base)

    def kwargs(self) -> Dict[str, Any]:
        return {"base": self.base}

    def __eq__(self, other) -> bool:
        # ``base`` has no effect on the distribution
        return isinstance(other, Sampler) and str(self) == str(other)

    def __hash__(self) -> int:
        return hash(self.name)


class ReverseLogUniform(Sampler):
    """Values ``0 <= x < 1`` sampled uniformly in ``-log(1 - x)``."""

    name = "ReverseLogUniform"


class Quantized(Sampler):
    """Wraps a sampler so that values are multiples of ``q``."""

    name = "Quantized"

    def __init__(self, sampler: Sampler, q: Union[int, float]):
        if not isinstance(sampler, Sampler) or isinstance(sampler, Quantized):
            raise ValueError(f"Quantized needs a plain sampler, got {sampler!r}")
        self.sampler = sampler
        self.q = q

    def get_sampler(self) -> Sampler:
        return self.sampler

    def kwargs(self) -> Dict[str, Any]:
        return {
            "q": self.q,
            "sampler_cls": str(self.sampler),
            "sampler_kwargs": self.sampler.kwargs(),
        }

    def draw(self, domain: "Domain", size: int, rs) -> np.ndarray:
        return self.sampler.draw_quantized(domain, size, rs, self.q)

    def __eq__(self, other) -> bool:
        return (
            isinstance(other, Quantized)
            and self.q == other.q
            and self.sampler == other.sampler
        )

    def __hash__(self) -> int:
        return hash((self.name, self.q))


def _snap_to_grid(domain, x: np.ndarray, q, integer: bool) -> np.ndarray:
    """Rounds ``x`` to multiples of ``q`` inside ``[domain.lower, domain.upper]``."""
    k_lo = int(round(domain.lower / q))
    k_hi = int(round(domain.upper / q))
    k = np.clip(np.rint(np.asarray(x, dtype=float) / q), k_lo, k_hi)
    if integer:
        return k.astype(np.int64) * int(q)
    values = k * q
    decimals = _decimals_of(q)
    if decimals is not None:
        values = np.round(values, decimals)
    return values


# ---------------------------------------------------------------------------
# Domains
# ---------------------------------------------------------------------------


class Domain:
    """Abstract base of all hyperparameter types.

    A domain knows its value type, which values are valid, how to cast foreign
    values (command-line strings, numpy scalars) into it and how to sample.
    """

    sampler: Optional[Sampler] = None
    default_sampler_cls = None

    # --- type and sampler -------------------------------------------------

    @property
    def value_type(self) -> type:
        raise NotImplementedError

    def cast(self, value: Any) -> Any:
        """Converts ``value`` (e.g. a string from the command line, a numpy
        scalar) to this domain's value type."""
        return self.value_type(_to_python(value))

    def set_sampler(self, sampler: Sampler, allow_override: bool = False):
        if self.sampler is not None and not allow_override:
            raise ValueError(
                f"{type(self).__name__} already has sampler {self.sampler}; "
                f"cannot also set {sampler}"
            )
        self.sampler = sampler

    def get_sampler(self) -> Optional[Sampler]:
        if self.sampler is not None:
            return self.sampler
        if self.default_sampler_cls is not None:
            return self.default_sampler_cls()
        return None

    # --- sampling -------------------------------------------------------------

    def sample(
        self,
        spec: Optional[Union[List[dict], dict]] = None,
        size: int = 1,
        random_state: RandomStateLike = None,
    ):
        """Draws ``size`` values.

        :param spec: Ignored (kept for compatibility)
        :param size: Number of values
        :param random_state: numpy ``RandomState`` / ``Generator``, int seed or
            None (numpy's global state)
        :return: One plain Python value if ``size == 1``, else a list
        """
        size = _check_size(size)
        values = self.sample_array(size, random_state).tolist()
        return values[0] if size == 1 else values

    def sample_array(self, size: int, random_state: RandomStateLike = None) -> np.ndarray:
        """Vectorised sampling: numpy array of ``size`` values (``float64`` for
        floats, ``int64`` for integers, the categories' dtype otherwise).
        ``.tolist()`` turns it into plain Python values."""
        size = _check_size(size)
        return self._draw(size, _as_random_state(random_state))

    def _draw(self, size: int, rs) -> np.ndarray:
        return self.get_sampler().draw(self, size, rs)

    # --- membership and description ------------------------------------------

    def is_valid(self, value: Any) -> bool:
        """True if ``value`` is one of the values of this domain."""
        raise NotImplementedError

    def is_grid(self) -> bool:
        return False

    def is_function(self) -> bool:
        return False

    @property
    def domain_str(self) -> str:
        return "(unknown)"

    def __len__(self) -> int:
        """Number of distinct values; 0 if infinite (continuous)."""
        raise NotImplementedError

    def match_string(self, value: Any) -> str:
        """String for matching configurations (duplicate detection): equal for
        equal values (approximately equal for floats)."""
        raise NotImplementedError

    def validate(self):
        """Re-checks this domain's invariants; raises :class:`ValueError`."""
        self._validate()

    def _validate(self):
        pass

    def _init_kwargs(self) -> Dict[str, Any]:
        """Constructor arguments, as written by :func:`to_dict`."""
        raise NotImplementedError

    def _key(self) -> tuple:
        return tuple(self._init_kwargs().items())

    def __eq__(self, other) -> bool:
        if not isinstance(other, Domain):
            return NotImplemented
        return (
            type(self) is type(other)
            and self.get_sampler() == other.get_sampler()
            and self._key_equal(other)
        )

    def _key_equal(self, other: "Domain") -> bool:
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash((type(self).__name__, str(self.get_sampler())))


class Float(Domain):
    """Real-valued range ``[lower, upper]`` (``lower <= upper``, both finite;
    ``lower == upper`` is a one-value range)."""

    class _Uniform(Uniform):
        def draw(self, domain, size, rs):
            return np.asarray(rs.uniform(domain.lower, domain.upper, size=size), dtype=float)

        def draw_quantized(self, domain, size, rs, q):
            x = rs.uniform(domain.lower - 0.5 * q, domain.upper + 0.5 * q, size=size)
            return _snap_to_grid(domain, x, q, integer=False)

    class _LogUniform(LogUniform):
        def draw(self, domain, size, rs):
            x = np.exp(rs.uniform(math.log(domain.lower), math.log(domain.upper), size=size))
            return np.clip(x, domain.lower, domain.upper)

        def draw_quantized(self, domain, size, rs, q):
            lo = math.log(domain.lower - 0.5 * q)
            hi = math.log(domain.upper + 0.5 * q)
            x = np.exp(rs.uniform(lo, hi, size=size))
            return _snap_to_grid(domain, x, q, integer=False)

    class _ReverseLogUniform(ReverseLogUniform):
        def draw(self, domain, size, rs):
            lo = -math.log1p(-domain.lower)
            hi = -math.log1p(-domain.upper)
            x = -np.expm1(-rs.uniform(lo, hi, size=size))
            return np.clip(x, domain.lower, domain.upper)

        def draw_quantized(self, domain, size, rs, q):
            raise ValueError("reverse log-uniform domains cannot be quantized")

    default_sampler_cls = _Uniform

    def __init__(self, lower: float, upper: float):
        self.lower = _real_bound(lower, "lower", "Float")
        self.upper = _real_bound(upper, "upper", "Float")
        self._validate()

    def _validate(self):
        lower = _real_bound(self.lower, "lower", "Float")
        upper = _real_bound(self.upper, "upper", "Float")
        if lower > upper:
            raise ValueError(f"Float: need lower <= upper, got lower={lower}, upper={upper}")
        sampler = self.get_sampler()
        base = sampler.get_sampler() if isinstance(sampler, Quantized) else sampler
        if isinstance(base, LogUniform) and not lower > 0:
            raise ValueError(
                f"loguniform: bounds must be positive, got lower={lower}, upper={upper}"
            )
        if isinstance(base, ReverseLogUniform) and not (0 <= lower and upper < 1):
            raise ValueError(
                "reverseloguniform: need 0 <= lower <= upper < 1, got "
                f"lower={lower}, upper={upper}"
            )
        if isinstance(sampler, Quantized):
            self._check_quantization(sampler.q)

    def _check_quantization(self, q):
        q = _to_python(q)
        if not _is_real(q) or not math.isfinite(q) or not q > 0:
            raise ValueError(f"quantization q must be a positive number, got {q!r}")
        for name, bound in (("lower", self.lower), ("upper", self.upper)):
            if not _is_multiple(bound, q):
                raise ValueError(f"{name} bound {bound} is not a multiple of q={q}")

    @property
    def value_type(self) -> type:
        return float

    @property
    def q(self) -> Optional[float]:
        """Quantization step, None if not quantized."""
        sampler = self.sampler
        return sampler.q if isinstance(sampler, Quantized) else None

    def _with_sampler(self, sampler: Sampler) -> "Float":
        new = copy(self)
        new.sampler = sampler
        new._validate()
        return new

    def uniform(self) -> "Float":
        return self._with_sampler(self._Uniform())

    def loguniform(self) -> "Float":
        return self._with_sampler(self._LogUniform())

    def reverseloguniform(self) -> "Float":
        return self._with_sampler(self._ReverseLogUniform())

    def quantized(self, q: float) -> "Float":
        base = self.get_sampler()
        if isinstance(base, Quantized):
            base = base.get_sampler()
        if isinstance(base, ReverseLogUniform):
            raise ValueError("reverse log-uniform domains cannot be quantized")
        q = _to_python(q)
        self._check_quantization(q)
        return self._with_sampler(Quantized(base, q))

    def cast(self, value: Any) -> float:
        value = float(_to_python(value))
        q = self.q
        if q is not None and math.isfinite(value):
            value = round(value / q) * q
            decimals = _decimals_of(q)
            if decimals is not None:
                value = round(value, decimals)
            value = float(value)
        return value

    def is_valid(self, value: Any) -> bool:
        value = _to_python(value)
        if not _is_real(value):
            return False
        value = float(value)
        if not self.lower <= value <= self.upper:
            return False
        q = self.q
        return q is None or _is_multiple(value, q)

    @property
    def domain_str(self) -> str:
        return f"({self.lower}, {self.upper})"

    def __len__(self) -> int:
        """Number of values: 0 (infinite) for a proper range, 1 if
        ``lower == upper``, the number of grid points if quantized."""
        q = self.q
        if q is None:
            return 1 if self.lower == self.upper else 0
        return int(round(self.upper / q)) - int(round(self.lower / q)) + 1

    def match_string(self, value: Any) -> str:
        return f"{float(_to_python(value)):.7e}"

    def _init_kwargs(self) -> Dict[str, Any]:
        return {"lower": self.lower, "upper": self.upper}

    def _key_equal(self, other) -> bool:
        return _close(self.lower, other.lower) and _close(self.upper, other.upper)

    def __repr__(self) -> str:
        sampler = self.get_sampler()
        q = self.q
        base = sampler.get_sampler() if q is not None else sampler
        if isinstance(base, LogUniform):
            name = "loguniform"
        elif isinstance(base, ReverseLogUniform):
            name = "reverseloguniform"
        else:
            name = "uniform"
        if q is not None:
            return f"q{name}({self.lower}, {self.upper}, {q})"
        return f"{name}({self.lower}, {self.upper})"


class Integer(Domain):
    """Integer range ``[lower, upper]``, both ends included."""

    class _Uniform(Uniform):
        def draw(self, domain, size, rs):
            return _integers(rs, domain.lower, domain.upper + 1, size)

        def draw_quantized(self, domain, size, rs, q):
            k = _integers(rs, domain.lower // q, domain.upper // q + 1, size)
            return k * q

    class _LogUniform(LogUniform):
        def draw(self, domain, size, rs):
            return self.draw_quantized(domain, size, rs, 1)

        def draw_quantized(self, domain, size, rs, q):
            lo = math.log(domain.lower - 0.5 * q)
            hi = math.log(domain.upper + 0.5 * q)
            x = np.exp(rs.uniform(lo, hi, size=size))
            return _snap_to_grid(domain, x, q, integer=True)

    default_sampler_cls = _Uniform

    def __init__(self, lower: int, upper: int):
        raw_lower = _real_bound(lower, "lower", "Integer")
        raw_upper = _real_bound(upper, "upper", "Integer")
        if raw_lower > raw_upper:
            raise ValueError(f"Integer: need lower <= upper, got lower={lower!r}, upper={upper!r}")
        self.lower = _int_bound(raw_lower, "lower", "Integer")
        self.upper = _int_bound(raw_upper, "upper", "Integer")
        self._validate()

    def _validate(self):
        lower = _int_bound(self.lower, "lower", "Integer")
        upper = _int_bound(self.upper, "upper", "Integer")
        if lower > upper:
            raise ValueError(
                f"Integer: need lower <= upper, got lower={lower}, upper={upper}"
            )
        sampler = self.get_sampler()
        base = sampler.get_sampler() if isinstance(sampler, Quantized) else sampler
        if isinstance(base, LogUniform) and not lower >= 1:
            raise ValueError(
                f"lograndint: need lower >= 1, got lower={lower}, upper={upper}"
            )
        if isinstance(base, ReverseLogUniform):
            raise ValueError("Integer domains do not support reverse log-uniform")
        if isinstance(sampler, Quantized):
            self._check_quantization(sampler.q)

    def _check_quantization(self, q):
        q = _to_python(q)
        if not isinstance(q, int) or isinstance(q, bool) or q < 1:
            raise ValueError(f"quantization q must be a positive int, got {q!r}")
        for name, bound in (("lower", self.lower), ("upper", self.upper)):
            if bound % q != 0:
                raise ValueError(f"{name} bound {bound} is not a multiple of q={q}")

    @property
    def value_type(self) -> type:
        return int

    @property
    def q(self) -> Optional[int]:
        sampler = self.sampler
        return sampler.q if isinstance(sampler, Quantized) else None

    def _with_sampler(self, sampler: Sampler) -> "Integer":
        new = copy(self)
        new.sampler = sampler
        new._validate()
        return new

    def uniform(self) -> "Integer":
        return self._with_sampler(self._Uniform())

    def loguniform(self) -> "Integer":
        return self._with_sampler(self._LogUniform())

    def quantized(self, q: int) -> "Integer":
        base = self.get_sampler()
        if isinstance(base, Quantized):
            base = base.get_sampler()
        q = _to_python(q)
        self._check_quantization(q)
        return self._with_sampler(Quantized(base, q))

    def cast(self, value: Any) -> int:
        value = _lenient_int(value)
        q = self.q
        if q is not None:
            value = int(round(value / q)) * q
        return value

    def is_valid(self, value: Any) -> bool:
        value = _to_python(value)
        if not _is_real(value):
            return False
        if isinstance(value, float):
            if not value.is_integer():
                return False
            value = int(value)
        if not self.lower <= value <= self.upper:
            return False
        q = self.q
        return q is None or value % q == 0

    @property
    def domain_str(self) -> str:
        return f"({self.lower}, {self.upper})"

    def __len__(self) -> int:
        q = self.q or 1
        return (self.upper - self.lower) // q + 1

    def match_string(self, value: Any) -> str:
        return str(_lenient_int(value))

    def _init_kwargs(self) -> Dict[str, Any]:
        return {"lower": self.lower, "upper": self.upper}

    def __repr__(self) -> str:
        q = self.q
        sampler = self.get_sampler()
        base = sampler.get_sampler() if q is not None else sampler
        name = "lograndint" if isinstance(base, LogUniform) else "randint"
        if q is not None:
            return f"q{name}({self.lower}, {self.upper}, {q})"
        return f"{name}({self.lower}, {self.upper})"


def _check_categories(categories: Any, what: str) -> List[Any]:
    if isinstance(categories, (str, bytes, dict)) or not isinstance(categories, Iterable):
        raise ValueError(f"{what}: categories must be a list, got {categories!r}")
    cats = [_to_python(x) for x in categories]
    if not cats:
        raise ValueError(f"{what}: categories must not be empty")
    first_type = type(cats[0])
    for x in cats:
        if type(x) not in _CATEGORY_TYPES:
            raise ValueError(
                f"{what}: category {x!r} has unsupported type {type(x).__name__} "
                "(use str, int, float or bool)"
            )
        if type(x) is not first_type:
            raise ValueError(
                f"{what}: all categories must have the same type, got "
                f"{first_type.__name__} and {type(x).__name__} in {cats!r}"
            )
        if isinstance(x, float) and not math.isfinite(x):
            raise ValueError(f"{what}: category {x!r} is not finite")
    seen = set()
    for x in cats:
        if x in seen:
            raise ValueError(f"{what}: duplicate category {x!r} in {cats!r}")
        seen.add(x)
    return cats


class Categorical(Domain):
    """Finite, unordered set of values of one type (str, int, float or bool)."""

    class _Uniform(Uniform):
        def draw(self, domain, size, rs):
            index = _integers(rs, 0, len(domain.categories), size)
            return domain._categories_array()[index]

    default_sampler_cls = _Uniform

    def __init__(self, categories: Sequence):
        self.categories = _check_categories(categories, type(self).__name__)
        self._cat_array = None

    def _validate(self):
        _check_categories(self.categories, type(self).__name__)

    def _categories_array(self) -> np.ndarray:
        arr = self._cat_array
        if arr is None or len(arr) != len(self.categories):
            arr = np.asarray(self.categories)
            if arr.dtype == object or arr.ndim != 1:
                arr = np.empty(len(self.categories), dtype=object)
                arr[:] = self.categories
            self._cat_array = arr
        return arr

    def uniform(self) -> "Categorical":
        new = copy(self)
        new.sampler = self._Uniform()
        return new

    def __getitem__(self, item):
        return self.categories[item]

    @property
    def value_type(self) -> type:
        return type(self.categories[0])

    def _convert(self, value: Any) -> Any:
        value = _to_python(value)
        vt = self.value_type
        if vt is bool:
            return _str_to_bool(value)
        if vt is int:
            return _lenient_int(value)
        if vt is float:
            return float(value)
        return str(value)

    def cast(self, value: Any) -> Any:
        """Converts ``value`` to the category type; float values are matched to
        the nearest category (within 1% relative distance) to absorb round-off.
        Raises :class:`ValueError` if the result is not a category."""
        try:
            converted = self._convert(value)
        except (TypeError, ValueError) as ex:
            raise ValueError(f"{value!r} is not a value of {self!r}") from ex
        if converted in self.categories:
            return self.categories[self.categories.index(converted)]
        if self.value_type is float:
            cats = np.asarray(self.categories, dtype=float)
            dist = np.abs(cats - converted)
            pos = int(np.argmin(dist))
            if dist[pos] <= 0.01 * abs(cats[pos]):
                return self.categories[pos]
        raise ValueError(f"{value!r} is not a value of {self!r}")

    def is_valid(self, value: Any) -> bool:
        value = _to_python(value)
        vt = self.value_type
        if vt is str:
            return isinstance(value, str) and value in self.categories
        if vt is bool:
            return isinstance(value, bool) and value in self.categories
        if not _is_real(value):
            return False
        return value in self.categories

    @property
    def domain_str(self) -> str:
        return f"{self.categories}"

    def __len__(self) -> int:
        return len(self.categories)

    def index_of(self, value: Any) -> int:
        """Position of ``value`` (cast first) in ``categories``."""
        return self.categories.index(self.cast(value))

    def match_string(self, value: Any) -> str:
        if type(value) is self.value_type:
            # the common case (a sampled value): no cast needed
            try:
                return str(self.categories.index(value))
            except ValueError:
                pass
        return str(self.index_of(value))

    def _init_kwargs(self) -> Dict[str, Any]:
        return {"categories": list(self.categories)}

    def _key_equal(self, other) -> bool:
        return self.value_type is other.value_type and self.categories == other.categories

    def __repr__(self) -> str:
        return f"choice({self.categories!r})"


class Ordinal(Categorical):
    """Ordered finite set. Sampled like :class:`Categorical`, but encoders may
    use the order (first value encodes to 0, second to 1, ...)."""

    def __repr__(self) -> str:
        return f"ordinal({self.categories!r}, kind='equal')"


class OrdinalNearestNeighbor(Ordinal):
    """Ordered set of numbers (strictly increasing int or float values).

    The set is represented by the interval from the first to the last value
    (widened by half the mean spacing on each side), in log space if
    ``log_scale``. Sampling draws uniformly from that interval and rounds to
    the nearest value; :meth:`cast` also maps any number to the nearest value.
    """

    def __init__(self, categories: Sequence, log_scale: bool = False):
        super().__init__(categories)
        self.log_scale = bool(log_scale)
        self._validate()
        self._initialize()

    def _validate(self):
        cats = _check_categories(self.categories, type(self).__name__)
        if type(cats[0]) not in (int, float):
            raise ValueError(
                f"OrdinalNearestNeighbor: categories must be int or float, got {cats!r}"
            )
        if any(b <= a for a, b in zip(cats[:-1], cats[1:])):
            raise ValueError(
                f"OrdinalNearestNeighbor: categories must be strictly increasing, got {cats!r}"
            )
        if self.log_scale and not cats[0] > 0:
            raise ValueError(
                f"logordinal: categories must be positive, got {cats!r}"
            )

    def _initialize(self):
        values = np.asarray(self.categories, dtype=float)
        self._categories_int = np.log(values) if self.log_scale else values
        if len(values) > 1:
            c = self._categories_int
            half = 0.5 * float(np.mean(c[1:] - c[:-1]))
            self._lower_int = float(c[0] - half)
            self._upper_int = float(c[-1] + half)
            self._midpoints = 0.5 * (c[1:] + c[:-1])
        else:
            self._lower_int = self._upper_int = float(self._categories_int[0])
            self._midpoints = np.zeros(0)

    @property
    def lower_int(self) -> float:
        """Lower end of the internal (possibly log) interval."""
        return self._lower_int

    @property
    def upper_int(self) -> float:
        return self._upper_int

    @property
    def categories_int(self) -> np.ndarray:
        """Categories in internal (possibly log) coordinates."""
        return self._categories_int

    def _nearest_index(self, value_int) -> np.ndarray:
        return np.searchsorted(self._midpoints, value_int)

    def cast_int(self, value_int: float):
        """Nearest category to an internal (possibly log) coordinate."""
        return self.categories[int(self._nearest_index(float(value_int)))]

    def cast(self, value: Any):
        value = _to_python(value)
        if isinstance(value, str):
            value = value.strip()
        try:
            value = float(value)
        except (TypeError, ValueError) as ex:
            raise ValueError(f"{value!r} is not a value of {self!r}") from ex
        if math.isnan(value):
            raise ValueError(f"{value!r} is not a value of {self!r}")
        if self.log_scale:
            if value <= 0:
                return self.categories[0]
            value = math.log(value)
        return self.cast_int(value)

    def set_sampler(self, sampler, allow_override=False):
        raise ValueError("OrdinalNearestNeighbor has no sampler to set")

    def get_sampler(self):
        return None

    def _draw(self, size: int, rs) -> np.ndarray:
        x = rs.uniform(self._lower_int, self._upper_int, size=size)
        return self._categories_array()[self._nearest_index(x)]

    def uniform(self):
        return copy(self)

    def _init_kwargs(self) -> Dict[str, Any]:
        return {"categories": list(self.categories), "log_scale": self.log_scale}

    def _key_equal(self, other) -> bool:
        return super()._key_equal(other) and self.log_scale == other.log_scale

    def __repr__(self) -> str:
        if self.log_scale:
            return f"logordinal({self.categories!r})"
        return f"ordinal({self.categories!r}, kind='nn')"


class FiniteRange(Domain):
    """``size`` values equally spaced from ``lower`` to ``upper`` (both
    included), in log space if ``log_scale``. With ``cast_int`` the values are
    rounded to ``int``.
    """

    def __init__(
        self,
        lower: float,
        upper: float,
        size: int,
        log_scale: bool = False,
        cast_int: bool = False,
    ):
        self.lower = _to_python(lower)
        self.upper = _to_python(upper)
        self.log_scale = bool(log_scale)
        self.cast_int = bool(cast_int)
        self.size = _to_python(size)
        self._validate_bounds()
        if self.size == 1 and self.lower != self.upper:
            logger.warning(
                "FiniteRange(lower=%s, upper=%s, size=1) has the single value lower=%s; upper is ignored",
                self.lower, self.upper, self.lower,
            )
        self._compute_values()
        if self.cast_int and len(set(self._values)) < self.size:
            raise ValueError(
                f"FiniteRange: with cast_int=True, {self.size} values between "
                f"{self.lower} and {self.upper} are not distinct integers "
                f"({self._values}); use a smaller size"
            )

    def _validate_bounds(self):
        lower = _real_bound(self.lower, "lower", "FiniteRange")
        upper = _real_bound(self.upper, "upper", "FiniteRange")
        size = self.size
        if not isinstance(size, int) or isinstance(size, bool) or size < 1:
            raise ValueError(f"FiniteRange: size must be a positive int, got {size!r}")
        if lower > upper:
            raise ValueError(
                f"FiniteRange: need lower <= upper, got lower={lower}, upper={upper}"
            )
        if size > 1 and lower == upper:
            raise ValueError(
                f"FiniteRange: need lower < upper for size={size} distinct values, got "
                f"lower={lower}, upper={upper} (use size=1 for a single value)"
            )
        if self.log_scale and not lower > 0:
            raise ValueError(
                f"logfinrange: bounds must be positive, got lower={lower}, upper={upper}"
            )

    def _validate(self):
        self._validate_bounds()

    def _compute_values(self):
        lower, upper, size = float(self.lower), float(self.upper), self.size
        if self.log_scale:
            lo, hi = math.log(lower), math.log(upper)
        else:
            lo, hi = lower, upper
        self._lower_internal = lo
        self._step_internal = (hi - lo) / (size - 1) if size > 1 else 0.0
        raw = lo + self._step_internal * np.arange(size, dtype=float)
        if self.log_scale:
            raw = np.exp(raw)
        raw = np.clip(raw, lower, upper)
        raw[0] = lower
        if size > 1:
            raw[-1] = upper
        self._raw_values = raw  # before rounding to int
        if self.cast_int:
            self._values_array = np.rint(raw).astype(np.int64)
        else:
            self._values_array = raw
        self._values = self._values_array.tolist()

    @property
    def values(self) -> list:
        return self._values

    @property
    def value_type(self) -> type:
        return int if self.cast_int else float

    def _map_from_int(self, x: int):
        return self._values[x]

    def _map_to_int(self, value: Any) -> int:
        """Index of the value nearest to ``value`` (in log space if log_scale)."""
        if self._step_internal == 0:
            return 0
        value = min(max(float(_to_python(value)), float(self.lower)), float(self.upper))
        if self.log_scale:
            value = math.log(value)
        pos = round((value - self._lower_internal) / self._step_internal)
        return int(min(max(pos, 0), self.size - 1))

    def cast(self, value: Any):
        value = _to_python(value)
        if isinstance(value, str):
            value = float(value.strip())
        return self._values[self._map_to_int(value)]

    def set_sampler(self, sampler, allow_override=False):
        raise ValueError("FiniteRange has no sampler to set")

    def get_sampler(self):
        return None

    def _draw(self, size: int, rs) -> np.ndarray:
        return self._values_array[_integers(rs, 0, self.size, size)]

    def is_valid(self, value: Any) -> bool:
        value = _to_python(value)
        if not _is_real(value):
            return False
        value = float(value)
        if not math.isfinite(value):
            return False
        return _close(float(self._values[self._map_to_int(value)]), value)

    @property
    def domain_str(self) -> str:
        return f"({self.lower}, {self.upper}, {self.size})"

    def __len__(self) -> int:
        return self.size

    def match_string(self, value: Any) -> str:
        return str(self._map_to_int(value))

    def _init_kwargs(self) -> Dict[str, Any]:
        return {
            "lower": self.lower,
            "upper": self.upper,
            "log_scale": self.log_scale,
            "cast_int": self.cast_int,
            "size": self.size,
        }

    def _key_equal(self, other) -> bool:
        return (
            _close(float(self.lower), float(other.lower))
            and _close(float(self.upper), float(other.upper))
            and self.size == other.size
            and self.log_scale == other.log_scale
            and self.cast_int == other.cast_int
        )

    def __repr__(self) -> str:
        name = "logfinrange" if self.log_scale else "finrange"
        extra = ", cast_int=True" if self.cast_int else ""
        return f"{name}({self.lower}, {self.upper}, {self.size}{extra})"


# ---------------------------------------------------------------------------
# Factories
# ---------------------------------------------------------------------------


def uniform(lower: float, upper: float) -> Float:
    """Float drawn uniformly from ``[lower, upper]``."""
    return Float(lower, upper).uniform()


def loguniform(lower: float, upper: float) -> Float:
    """Float drawn uniformly in log space from ``[lower, upper]`` (both positive)."""
    return Float(lower, upper).loguniform()


def reverseloguniform(lower: float, upper: float) -> Float:
    """Float ``0 <= lower <= x <= upper < 1`` drawn uniformly in ``-log(1 - x)``
    (for values close to 1, such as momentum 0.99 .. 0.9999)."""
    return Float(lower, upper).reverseloguniform()


def quniform(lower: float, upper: float, q: float) -> Float:
    """Multiple of ``q`` in ``[lower, upper]`` (bounds multiples of ``q``)."""
    return Float(lower, upper).uniform().quantized(q)


def qloguniform(lower: float, upper: float, q: float) -> Float:
    """Like :func:`quniform`, drawn in log space."""
    return Float(lower, upper).loguniform().quantized(q)


def randint(lower: int, upper: int) -> Integer:
    """Integer drawn uniformly from ``lower, ..., upper`` (**upper included**,
    unlike Ray Tune)."""
    return Integer(lower, upper).uniform()


def lograndint(lower: int, upper: int) -> Integer:
    """Integer from ``lower, ..., upper`` (``lower >= 1``), drawn in log space."""
    return Integer(lower, upper).loguniform()


def qrandint(lower: int, upper: int, q: int = 1) -> Integer:
    """Multiple of ``q`` in ``[lower, upper]``, both included."""
    return Integer(lower, upper).uniform().quantized(q)


def qlograndint(lower: int, upper: int, q: int) -> Integer:
    """Multiple of ``q`` in ``[lower, upper]``, drawn in log space."""
    return Integer(lower, upper).loguniform().quantized(q)


def choice(categories: Sequence) -> Categorical:
    """One of ``categories`` (same type, no duplicates), uniformly."""
    return Categorical(categories).uniform()


def _is_increasing(values: Sequence) -> bool:
    return all(b > a for a, b in zip(values[:-1], values[1:]))


def ordinal(categories: Sequence, kind: Optional[str] = None) -> Ordinal:
    """Ordered set of values.

    :param categories: Values, all of one type
    :param kind: ``"equal"`` (sampled like :func:`choice`, encoded by position),
        ``"nn"`` (numbers; sampled uniformly on the interval they span and
        rounded to the nearest value) or ``"nn-log"`` (same in log space).
        Default: ``"nn"`` if the values are int/float and strictly increasing,
        ``"equal"`` otherwise.
    :return: :class:`Ordinal` or :class:`OrdinalNearestNeighbor`
    """
    if kind is None:
        cats = _check_categories(categories, "ordinal")
        kind = "equal"
        if (
            len(cats) > 1
            and type(cats[0]) in (int, float)
            and _is_increasing(cats)
        ):
            kind = "nn"
    if kind == "equal":
        return Ordinal(categories).uniform()
    if kind in ("nn", "nn-log"):
        return OrdinalNearestNeighbor(categories, log_scale=kind == "nn-log")
    raise ValueError(f"ordinal: kind must be 'equal', 'nn' or 'nn-log', got {kind!r}")


def logordinal(categories: Sequence) -> OrdinalNearestNeighbor:
    """:func:`ordinal` with ``kind="nn-log"`` (positive, increasing numbers)."""
    return OrdinalNearestNeighbor(categories, log_scale=True)


def _check_finrange_size(size: Any, what: str) -> int:
    size = _to_python(size)
    if not isinstance(size, int) or isinstance(size, bool) or size < 1:
        raise ValueError(f"{what}: size must be an int >= 1, got {size!r}")
    return size


def finrange(lower: float, upper: float, size: int, cast_int: bool = False) -> FiniteRange:
    """``size`` equally spaced values from ``lower`` to ``upper`` (finite
    alternative to :func:`uniform`); ``size=1`` is the single value ``lower``."""
    size = _check_finrange_size(size, "finrange")
    return FiniteRange(lower, upper, size, log_scale=False, cast_int=cast_int)


def logfinrange(lower: float, upper: float, size: int, cast_int: bool = False) -> FiniteRange:
    """``size`` values from ``lower`` to ``upper`` equally spaced in log space
    (finite alternative to :func:`loguniform`); ``size=1`` is the single value
    ``lower``."""
    size = _check_finrange_size(size, "logfinrange")
    return FiniteRange(lower, upper, size, log_scale=True, cast_int=cast_int)


# ---------------------------------------------------------------------------
# Helpers on domains and configuration spaces
# ---------------------------------------------------------------------------


def _base_sampler(domain: Domain) -> Optional[Sampler]:
    sampler = domain.get_sampler()
    if isinstance(sampler, Quantized):
        sampler = sampler.get_sampler()
    return sampler


def is_log_space(domain: Any) -> bool:
    """True for domains encoded in log space (loguniform, lograndint,
    logfinrange, logordinal and their quantized variants)."""
    if isinstance(domain, (FiniteRange, OrdinalNearestNeighbor)):
        return domain.log_scale
    if isinstance(domain, (Float, Integer)):
        return isinstance(_base_sampler(domain), LogUniform)
    return False


def is_reverse_log_space(domain: Any) -> bool:
    """True for :func:`reverseloguniform` domains."""
    return isinstance(domain, Float) and isinstance(_base_sampler(domain), ReverseLogUniform)


def is_uniform_space(domain: Any) -> bool:
    """True for numerical domains encoded linearly (uniform, randint,
    finrange, ordinal kind="nn")."""
    if isinstance(domain, (FiniteRange, OrdinalNearestNeighbor)):
        return not domain.log_scale
    if isinstance(domain, (Float, Integer)):
        return isinstance(_base_sampler(domain), Uniform)
    return False


def _argparse_type(value: Any):
    if isinstance(value, Domain):
        vt = value.value_type
    else:
        vt = type(_to_python(value))
    if vt is bool:
        return _str_to_bool
    if vt is int:
        return _lenient_int
    if vt in (float, str):
        return vt
    return _json_or_str


def add_to_argparse(parser: argparse.ArgumentParser, config_space: Dict[str, Any]):
    """Adds a required ``--name`` argument for every entry of ``config_space``
    (constants included), typed by the domain's value type. bool values accept
    ``True``/``False``; constants of other types (lists, dicts) are parsed as
    JSON."""
    for name, domain in config_space.items():
        parser.add_argument(f"--{name}", type=_argparse_type(domain), required=True)


def cast_config_values(config: Dict[str, Any], config_space: Dict[str, Any]) -> Dict[str, Any]:
    """New dict with the entries of ``config`` whose keys are in
    ``config_space``, hyperparameter values cast to their domain's type."""
    return {
        name: domain.cast(config[name]) if isinstance(domain, Domain) else config[name]
        for name, domain in config_space.items()
        if name in config
    }


def non_constant_hyperparameter_keys(config_space: Dict[str, Any]) -> List[str]:
    """Keys whose values are :class:`Domain` objects."""
    return [name for name, domain in config_space.items() if isinstance(domain, Domain)]


def config_space_size(config_space: Dict[str, Any], upper_limit: int = 2**20) -> Optional[int]:
    """Number of distinct configurations, or None if infinite (a continuous
    domain) or larger than ``upper_limit``."""
    if upper_limit <= 1:
        raise ValueError(f"upper_limit must be > 1, got {upper_limit}")
    size = 1
    for domain in config_space.values():
        if isinstance(domain, Domain):
            n = len(domain)
            if n == 0 or n > upper_limit:
                return None
            size *= n
            if size > upper_limit:
                return None
    return size


def config_to_match_string(
    config: Dict[str, Any], config_space: Dict[str, Any], keys: List[str]
) -> str:
    """String identifying ``config`` on ``keys`` (in that order), equal for
    (approximately) equal configurations."""
    return ",".join(
        f"{key}:{config_space[key].match_string(config[key])}" for key in keys
    )


def restrict_domain(numerical_domain: Domain, lower: float, upper: float) -> Domain:
    """Copy of a numerical domain restricted to ``[lower, upper]``.

    :class:`Float` / :class:`Integer` get the new bounds (same sampler; for
    quantized domains the bounds are moved inwards onto the grid).
    :class:`FiniteRange` and :class:`OrdinalNearestNeighbor` keep the subset
    of their values within ``[lower, upper]``, which must not be empty.
    """
    if isinstance(numerical_domain, (Float, Integer)):
        lower = _real_bound(lower, "lower", "restrict_domain")
        upper = _real_bound(upper, "upper", "restrict_domain")
        if isinstance(numerical_domain, Integer):
            lower, upper = math.ceil(lower - 1e-9), math.floor(upper + 1e-9)
        if lower > upper:
            raise ValueError(f"restrict_domain: lower={lower} > upper={upper}")
        q = numerical_domain.q
        if q is not None:
            lower = math.ceil(lower / q - 1e-9) * q
            upper = math.floor(upper / q + 1e-9) * q
            decimals = _decimals_of(q)
            if decimals is not None:
                lower, upper = round(lower, decimals), round(upper, decimals)
        new = type(numerical_domain)(lower, upper)
        if numerical_domain.sampler is not None:
            new.sampler = numerical_domain.sampler
            new._validate()
        return new
    if isinstance(numerical_domain, FiniteRange):
        values = numerical_domain.values
        raw = numerical_domain._raw_values
        keep = [
            i for i, v in enumerate(values)
            if lower <= v <= upper or _close(v, lower) or _close(v, upper)
        ]
        if not keep:
            raise ValueError(
                f"restrict_domain: no value of {numerical_domain!r} in [{lower}, {upper}]"
            )
        i, j = keep[0], keep[-1]
        return FiniteRange(
            lower=float(raw[i]),
            upper=float(raw[j]),
            size=j - i + 1,
            log_scale=numerical_domain.log_scale,
            cast_int=numerical_domain.cast_int,
        )
    if isinstance(numerical_domain, OrdinalNearestNeighbor):
        cats = [c for c in numerical_domain.categories if lower <= c <= upper]
        if not cats:
            raise ValueError(
                f"restrict_domain: no value of {numerical_domain!r} in [{lower}, {upper}]"
            )
        return OrdinalNearestNeighbor(cats, log_scale=numerical_domain.log_scale)
    raise ValueError(f"restrict_domain: {numerical_domain!r} is not a numerical domain")


def check_config_in_space(config_space: Dict[str, Any], config: Dict[str, Any]):
    """Raises :class:`ValueError` naming the first offending key if ``config``
    does not belong to ``config_space``: a hyperparameter missing or with an
    invalid value, or a constant given with a different value. Constants may
    be missing; keys not in ``config_space`` are ignored."""
    for name, domain in config_space.items():
        if isinstance(domain, Domain):
            if name not in config:
                raise ValueError(f"config lacks hyperparameter {name!r}")
            if not domain.is_valid(config[name]):
                raise ValueError(
                    f"config[{name!r}] = {config[name]!r} is not in {domain!r}"
                )
        elif name in config and _to_python(config[name]) != _to_python(domain):
            raise ValueError(
                f"config[{name!r}] = {config[name]!r} differs from the constant {domain!r}"
            )


def is_valid_config(config_space: Dict[str, Any], config: Dict[str, Any]) -> bool:
    """True if :func:`check_config_in_space` finds nothing wrong."""
    try:
        check_config_in_space(config_space, config)
    except ValueError:
        return False
    return True


def validate_config_space(config_space: Dict[str, Any]):
    """Raises :class:`ValueError` (naming the key) if ``config_space`` is not a
    dict with non-empty ``str`` keys and valid domains."""
    if not isinstance(config_space, dict):
        raise ValueError(
            f"config_space must be a dict, got {type(config_space).__name__}"
        )
    for name, domain in config_space.items():
        if not isinstance(name, str) or not name:
            raise ValueError(f"config_space key {name!r} must be a non-empty str")
        if isinstance(domain, Domain):
            try:
                domain.validate()
            except (TypeError, ValueError) as ex:
                raise ValueError(f"config_space[{name!r}]: {ex}") from ex


def sample_configs(
    config_space: Dict[str, Any],
    num_samples: int,
    random_state: RandomStateLike = None,
) -> List[Dict[str, Any]]:
    """Draws ``num_samples`` full configurations (constants included) with one
    vectorised draw per hyperparameter; values are plain Python types."""
    num_samples = _check_size(num_samples)
    rs = _as_random_state(random_state)
    columns = {}
    for name, domain in config_space.items():
        if isinstance(domain, Domain):
            columns[name] = domain._draw(num_samples, rs).tolist()
    configs = []
    for i in range(num_samples):
        config = {}
        for name, domain in config_space.items():
            config[name] = columns[name][i] if name in columns else domain
        configs.append(config)
    return configs


def sample_config(
    config_space: Dict[str, Any], random_state: RandomStateLike = None
) -> Dict[str, Any]:
    """One random configuration (constants included)."""
    return sample_configs(config_space, 1, random_state)[0]


# ---------------------------------------------------------------------------
# Serialization
# ---------------------------------------------------------------------------

_DOMAIN_CLASSES = {
    cls.__name__: cls
    for cls in (Float, Integer, Categorical, Ordinal, OrdinalNearestNeighbor, FiniteRange)
}


def _sampler_dict(sampler: Sampler) -> Dict[str, Any]:
    return {"sampler_cls": str(sampler), "sampler_kwargs": sampler.kwargs()}


def to_dict(x: Domain) -> Dict[str, Any]:
    """JSON-serializable representation of a domain: ``domain_cls``,
    ``domain_kwargs`` and (if the domain has a sampler) ``sampler_cls`` and
    ``sampler_kwargs``."""
    if not isinstance(x, Domain):
        raise ValueError(f"to_dict needs a Domain, got {x!r}")
    result = {"domain_cls": type(x).__name__, "domain_kwargs": x._init_kwargs()}
    sampler = x.get_sampler()
    if sampler is not None:
        result.update(_sampler_dict(sampler))
    return result


def _make_sampler(domain_cls: type, name: Any, kwargs: Any) -> Sampler:
    if kwargs is None:
        kwargs = {}
    if not isinstance(kwargs, dict):
        raise ValueError(f"sampler_kwargs must be a dict, got {kwargs!r}")
    if name == "Quantized":
        kwargs = dict(kwargs)
        if "q" not in kwargs:
            raise ValueError("Quantized sampler needs 'q' in sampler_kwargs")
        q = kwargs.pop("q")
        inner = _make_sampler(
            domain_cls, kwargs.pop("sampler_cls", "Uniform"), kwargs.pop("sampler_kwargs", {})
        )
        if kwargs:
            raise ValueError(f"unknown Quantized sampler_kwargs {sorted(kwargs)}")
        return Quantized(inner, q)
    sampler_cls = getattr(domain_cls, f"_{name}", None) if isinstance(name, str) else None
    if not (isinstance(sampler_cls, type) and issubclass(sampler_cls, Sampler)):
        raise ValueError(f"unknown sampler_cls {name!r} for domain {domain_cls.__name__}")
    try:
        return sampler_cls(**kwargs)
    except TypeError as ex:
        raise ValueError(f"bad sampler_kwargs {kwargs!r} for sampler {name!r}: {ex}") from ex


def from_dict(d: Dict[str, Any]) -> Domain:
    """Inverse of :func:`to_dict`. Raises :class:`ValueError` naming an unknown
    ``domain_cls`` or ``sampler_cls``."""
    if not isinstance(d, dict) or "domain_cls" not in d:
        raise ValueError(f"not a serialized domain (no 'domain_cls'): {d!r}")
    name = d["domain_cls"]
    domain_cls = _DOMAIN_CLASSES.get(name) if isinstance(name, str) else None
    if domain_cls is None:
        raise ValueError(f"unknown domain_cls {name!r}")
    kwargs = d.get("domain_kwargs", {})
    if not isinstance(kwargs, dict):
        raise ValueError(f"domain_kwargs must be a dict, got {kwargs!r}")
    try:
        domain = domain_cls(**kwargs)
    except TypeError as ex:
        raise ValueError(f"bad domain_kwargs {kwargs!r} for {name}: {ex}") from ex
    if "sampler_cls" in d and domain_cls not in (OrdinalNearestNeighbor, FiniteRange):
        sampler = _make_sampler(domain_cls, d["sampler_cls"], d.get("sampler_kwargs"))
        domain.sampler = sampler
        domain._validate()
    return domain


def config_space_to_json_dict(config_space: Dict[str, Any]) -> Dict[str, Any]:
    """Config space as a JSON-serializable dict: domains via :func:`to_dict`,
    constants unchanged (numpy scalars become Python scalars)."""
    return {
        k: to_dict(v) if isinstance(v, Domain) else _to_python(v)
        for k, v in config_space.items()
    }


def config_space_from_json_dict(config_space_dict: Dict[str, Any]) -> Dict[str, Any]:
    """Inverse of :func:`config_space_to_json_dict`: dict values with a
    ``domain_cls`` entry become domains, everything else stays a constant."""
    return {
        k: from_dict(v) if isinstance(v, dict) and "domain_cls" in v else v
        for k, v in config_space_dict.items()
    }


def config_space_to_json_string(config_space: Dict[str, Any], **json_kwargs) -> str:
    """:func:`config_space_to_json_dict` dumped with :func:`json.dumps`."""
    return json.dumps(config_space_to_json_dict(config_space), **json_kwargs)


def config_space_from_json_string(text: str) -> Dict[str, Any]:
    """Inverse of :func:`config_space_to_json_string`."""
    return config_space_from_json_dict(json.loads(text))
