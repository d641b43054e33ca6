"""Checking public arguments in one place, with one message format.

Every public class of the library declares the constraints of its arguments
as a class attribute and checks them once, in its constructor::

    class Tuner:
        _parameter_constraints = {
            "n_workers": [Interval(Integral, 1, None, closed="left")],
            "sleep_time": [Interval(Real, 0, None, closed="left")],
            "tuner_name": [str, None],
        }

        def __init__(self, ..., n_workers, sleep_time=5.0, tuner_name=None):
            validate_parameters(self, locals())

A value passes if it satisfies at least one constraint of its list. A value
that passes none raises :class:`InvalidParameterError` (a ``ValueError`` and
a ``TypeError``, so callers catching either keep working) worded as::

    The 'n_workers' parameter of Tuner must be an int in the range [1, inf). Got 0 instead.

A constraint is one of:

* a type (``str``, ``dict``, a class): ``isinstance`` (``bool`` is never an
  ``int`` or a real number here);
* ``None``: the value ``None``;
* ``"boolean"``: ``True`` or ``False`` (also numpy booleans);
* ``"callable"``: any callable;
* an :class:`Interval`, :class:`Options` or another :class:`Constraint`.

Dictionaries of options (``search_options``, ``rung_system_kwargs``, ...)
are checked with :func:`check_keys`, which names the closest valid keys of a
misspelt one.
"""

from __future__ import annotations

import difflib
import math
from numbers import Integral, Real
from typing import Any, Iterable, Mapping

__all__ = [
    "Constraint",
    "Interval",
    "Options",
    "InvalidParameterError",
    "validate_parameters",
    "check_parameter",
    "check_keys",
    "closest_names",
    "describe",
]


class InvalidParameterError(ValueError, TypeError):
    """An argument of a public function or class has an invalid value or type."""


class Constraint:
    """A condition on a value, with a description used in error messages."""

    def is_satisfied_by(self, value: Any) -> bool:
        raise NotImplementedError

    def __str__(self) -> str:
        raise NotImplementedError


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool) or type(value).__name__ == "bool_"


class _InstanceOf(Constraint):
    def __init__(self, kind: type):
        self.kind = kind

    def is_satisfied_by(self, value: Any) -> bool:
        if _is_bool(value) and self.kind in (int, float, Integral, Real):
            return False
        return isinstance(value, self.kind)

    def __str__(self) -> str:
        names = {int: "an int", float: "a float", str: "a str", dict: "a dict", list: "a list", tuple: "a tuple"}
        if self.kind in names:
            return names[self.kind]
        if self.kind is Integral:
            return "an int"
        if self.kind is Real:
            return "a float"
        return f"an instance of '{self.kind.__name__}'"


class _NoneConstraint(Constraint):
    def is_satisfied_by(self, value: Any) -> bool:
        return value is None

    def __str__(self) -> str:
        return "None"


class _Boolean(Constraint):
    def is_satisfied_by(self, value: Any) -> bool:
        return _is_bool(value)

    def __str__(self) -> str:
        return "a bool"


class _Callable(Constraint):
    def is_satisfied_by(self, value: Any) -> bool:
        return callable(value)

    def __str__(self) -> str:
        return "a callable"


class Interval(Constraint):
    """Numbers in a range.

    Parameters
    ----------
    kind
        ``Integral`` (whole numbers) or ``Real`` (any finite or infinite
        number; NaN never passes).
    left, right
        Bounds; ``None`` means unbounded on that side.
    closed
        Which bounds belong to the interval: ``"left"``, ``"right"``,
        ``"both"`` or ``"neither"``.
    """

    def __init__(self, kind: type, left: float | None, right: float | None, closed: str = "both"):
        if kind not in (Integral, Real):
            raise TypeError(f"Interval: kind must be Integral or Real, got {kind!r}")
        if closed not in ("left", "right", "both", "neither"):
            raise ValueError(f"Interval: closed must be 'left', 'right', 'both' or 'neither', got {closed!r}")
        self.kind = kind
        self.left = left
        self.right = right
        self.closed = closed

    def is_satisfied_by(self, value: Any) -> bool:
        if _is_bool(value) or not isinstance(value, self.kind):
            return False
        if isinstance(value, Real) and math.isnan(value):
            return False
        if self.left is not None:
            if value < self.left or (value == self.left and self.closed in ("right", "neither")):
                return False
        if self.right is not None:
            if value > self.right or (value == self.right and self.closed in ("left", "neither")):
                return False
        return True

    def __str__(self) -> str:
        kind = "an int" if self.kind is Integral else "a float"
        left_bracket = "[" if self.closed in ("left", "both") and self.left is not None else "("
        right_bracket = "]" if self.closed in ("right", "both") and self.right is not None else ")"
        left = "-inf" if self.left is None else f"{self.left}"
        right = "inf" if self.right is None else f"{self.right}"
        return f"{kind} in the range {left_bracket}{left}, {right}{right_bracket}"


class Options(Constraint):
    """One of a fixed set of values (e.g. ``Options(str, {"min", "max"})``)."""

    def __init__(self, kind: type, options: Iterable[Any]):
        self.kind = kind
        self.options = set(options)

    def is_satisfied_by(self, value: Any) -> bool:
        return isinstance(value, self.kind) and value in self.options

    def __str__(self) -> str:
        choices = ", ".join(repr(o) for o in sorted(self.options, key=str))
        return f"a {self.kind.__name__} among {{{choices}}}"


def _make_constraint(spec: Any) -> Constraint:
    if isinstance(spec, Constraint):
        return spec
    if spec is None:
        return _NoneConstraint()
    if spec == "boolean":
        return _Boolean()
    if spec == "callable":
        return _Callable()
    if isinstance(spec, type):
        return _InstanceOf(spec)
    raise TypeError(f"Unknown parameter constraint {spec!r}")


def describe(constraints: list) -> str:
    """English description of a list of constraints ("an int or None")."""
    parts = [str(_make_constraint(c)) for c in constraints]
    # None reads best at the end: "a str, a list or None"
    parts.sort(key=lambda p: p == "None")
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + " or " + parts[-1]


def _owner_name(owner: Any) -> str:
    if isinstance(owner, str):
        return owner
    if isinstance(owner, type):
        return owner.__name__
    return type(owner).__name__


def check_parameter(owner: Any, name: str, value: Any, constraints: list) -> None:
    """Raise :class:`InvalidParameterError` unless ``value`` satisfies one of
    ``constraints``.

    Parameters
    ----------
    owner
        The class (or its instance, or a name) the parameter belongs to.
    name
        The parameter's name.
    value
        The value given.
    constraints
        What is allowed (see the module docstring).
    """
    for spec in constraints:
        if _make_constraint(spec).is_satisfied_by(value):
            return
    raise InvalidParameterError(
        f"The {name!r} parameter of {_owner_name(owner)} must be {describe(constraints)}. Got {value!r} instead."
    )


def validate_parameters(owner: Any, params: Mapping[str, Any], constraints: Mapping[str, list] | None = None) -> None:
    """Check every entry of ``params`` that has declared constraints.

    Parameters
    ----------
    owner
        The object (or class) being built; its class attribute
        ``_parameter_constraints`` is used when ``constraints`` is not given.
        The constraints of base classes are merged in, so a subclass
        declares only what it adds or changes.
    params
        Parameter name -> value (e.g. ``locals()`` of ``__init__``; entries
        without constraints, such as ``self``, are ignored).
    constraints
        Parameter name -> list of constraints.

    Raises
    ------
    InvalidParameterError
        For the first parameter whose value satisfies none of its constraints.
    """
    if constraints is None:
        constraints = {}
        cls = owner if isinstance(owner, type) else type(owner)
        for klass in reversed(cls.__mro__):
            constraints.update(klass.__dict__.get("_parameter_constraints", {}))
    for name, allowed in constraints.items():
        if name in params:
            check_parameter(owner, name, params[name], allowed)


def closest_names(name: str, valid: Iterable[str], n: int = 3) -> list[str]:
    """Valid names that look like ``name`` (best first)."""
    return difflib.get_close_matches(str(name), [str(v) for v in valid], n=n, cutoff=0.6)


def check_keys(owner: Any, param_name: str, given: Mapping[str, Any] | Iterable[str], valid: Iterable[str]) -> None:
    """Raise :class:`InvalidParameterError` if ``given`` has keys outside
    ``valid``, naming the closest valid keys.

    Parameters
    ----------
    owner
        Class (or instance, or name) the dictionary is passed to.
    param_name
        Name of the dictionary parameter (e.g. ``"search_options"``).
    given
        The dictionary (or its keys).
    valid
        Keys accepted.
    """
    valid = sorted(set(valid))
    unknown = [k for k in given if k not in valid]
    if not unknown:
        return
    hints = []
    for key in unknown:
        close = closest_names(key, valid)
        hints.append(f"{key!r} (did you mean {' or '.join(repr(c) for c in close)}?)" if close else repr(key))
    plural = "keys" if len(unknown) > 1 else "key"
    raise InvalidParameterError(
        f"The {param_name!r} parameter of {_owner_name(owner)} got unknown {plural} {', '.join(hints)}. "
        f"Valid keys are: {', '.join(valid)}."
    )
