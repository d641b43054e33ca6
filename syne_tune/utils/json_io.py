"""Reading and writing JSON files that may hold NumPy values.

Standard library only: NumPy scalars and arrays are recognised by their
``item()`` / ``tolist()`` methods, so NumPy is never imported here.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

__all__ = ["json_default", "json_default_as_str", "dump_json", "load_json", "dump_json_with_numpy"]


def json_default(value: Any) -> Any:
    """``default=`` hook of :func:`json.dump` for NumPy values, dates and paths.

    Raises
    ------
    TypeError
        For any other type (as :func:`json.dump` does).
    """
    if hasattr(value, "tolist") and hasattr(value, "dtype"):
        # NumPy scalar (tolist() gives the Python scalar) or array
        return value.tolist()
    if isinstance(value, (datetime, Path)):
        return str(value)
    if isinstance(getattr(value, "value", None), str) and isinstance(value, str):
        return value.value  # a string enum member (e.g. a scheduler decision)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def json_default_as_str(value: Any) -> Any:
    """As :func:`json_default`, but any other value becomes its string (what
    a training script would get on its command line)."""
    try:
        return json_default(value)
    except TypeError:
        return str(value)


def dump_json(data: Any, path: str | Path) -> None:
    """Write ``data`` to ``path`` as indented JSON, atomically (a temporary
    file is renamed), so that a reader never sees half a file.

    Parameters
    ----------
    data
        JSON-serialisable data; NumPy values, dates and paths are allowed.
    path
        File to (over)write.
    """
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w") as f:
        json.dump(data, f, indent=2, default=json_default)
    os.replace(tmp, path)


def load_json(path: str | Path) -> Any:
    """Contents of the JSON file ``path``.

    Raises
    ------
    ValueError
        If the file is not valid JSON (:class:`json.JSONDecodeError`).
    """
    with open(path) as f:
        return json.load(f)


def dump_json_with_numpy(x: Any, filename: str | Path | None = None) -> str | None:
    """Serialise ``x`` to JSON, allowing NumPy values (Syne Tune's helper).

    Parameters
    ----------
    x
        Data to serialise.
    filename
        If given, the JSON is written to this file (compact, not atomic).

    Returns
    -------
    str or None
        The JSON text if ``filename`` is ``None``, else ``None``.
    """
    if filename is None:
        return json.dumps(x, default=json_default)
    with open(filename, "w") as f:
        json.dump(x, f, default=json_default)
    return None
