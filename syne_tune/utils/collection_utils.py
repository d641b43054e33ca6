"""Helpers on lists and dictionaries (Syne Tune's ``syne_tune.util`` helpers).

Standard library only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

__all__ = [
    "dict_get",
    "recursive_merge",
    "find_first_of_type",
    "is_increasing",
    "is_positive_integer",
    "is_integer",
]


def dict_get(params: Mapping[str, Any], key: str, default: Any) -> Any:
    """``params[key]`` unless it is missing or ``None``, else ``default``.

    Unlike ``params.get(key, default)``, a stored ``None`` gives ``default``:
    handy with ``vars(parser.parse_args())``, where options not given are
    ``None``.
    """
    value = params.get(key)
    return default if value is None else value


def recursive_merge(a: Mapping[str, Any], b: Mapping[str, Any], stop_keys: Iterable[str] | None = None) -> dict:
    """Merge ``b`` into ``a`` (``b`` wins), recursing into nested dictionaries.

    Parameters
    ----------
    a
        Base dictionary (not modified).
    b
        Overrides (not modified); may be empty.
    stop_keys
        Top-level keys whose dictionary values are replaced by those of ``b``
        instead of being merged.

    Returns
    -------
    dict
        The merged dictionary (``a`` itself if ``b`` is empty).

    Raises
    ------
    ValueError
        If a key holds a dictionary in one of ``a``, ``b`` and not in the
        other (and is not a stop key).
    """
    if not b:
        return a
    stop = set(stop_keys or ())
    result = dict(a)
    for key, vb in b.items():
        if key not in a:
            result[key] = vb
            continue
        va = a[key]
        if key in stop:
            result[key] = vb
        elif isinstance(va, Mapping) != isinstance(vb, Mapping):
            raise ValueError(
                f"recursive_merge: key {key!r} holds a dictionary in only one of the two arguments "
                f"({va!r} and {vb!r})"
            )
        elif isinstance(va, Mapping):
            result[key] = recursive_merge(va, vb)
        else:
            result[key] = vb
    return result


def find_first_of_type(a: Iterable[Any], typ: type | tuple[type, ...]) -> Any | None:
    """First entry of ``a`` that is an instance of ``typ``, or ``None``."""
    return next((x for x in a if isinstance(x, typ)), None)


def is_increasing(lst: Sequence[float]) -> bool:
    """Is ``lst`` strictly increasing?"""
    return all(x < y for x, y in zip(lst, lst[1:]))


def is_integer(lst: Iterable[Any]) -> bool:
    """Are all entries of ``lst`` whole numbers (``3`` and ``3.0`` are)?"""
    return all(x == int(x) for x in lst)


def is_positive_integer(lst: Iterable[Any]) -> bool:
    """Are all entries of ``lst`` whole numbers ``>= 1``?"""
    return all(x == int(x) and x >= 1 for x in lst)
