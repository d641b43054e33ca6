"""Small helpers shared by the tuner, backends and experiment tools."""

from __future__ import annotations

import json
import os
import re
from datetime import datetime
from pathlib import Path

from syne_tune.constants import ST_DATETIME_FORMAT, SYNETUNE_FOLDER

_VALID_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-_/]*$")


def experiment_path(tuner_name: str | None = None, local_path: str | None = None) -> Path:
    """Folder of an experiment: ``$SYNETUNE_FOLDER`` (default ``~/syne-tune``) / ``tuner_name``."""
    root = Path(local_path) if local_path else Path(os.environ.get(SYNETUNE_FOLDER) or Path.home() / "syne-tune")
    return root / tuner_name if tuner_name else root


def check_valid_tuner_name(name: str) -> None:
    """Tuner names become folder names: letters, digits, '-', '_' and '/' only."""
    if not isinstance(name, str) or not _VALID_NAME.match(name) or ".." in name:
        raise ValueError(
            f"Invalid tuner_name {name!r}: use letters, digits, '-', '_' (and '/' for sub-folders), "
            "starting with a letter or digit"
        )


def name_from_base(base: str, suffix: bool = True) -> str:
    """``base`` followed by a timestamp with milliseconds (unique per run)."""
    if not suffix:
        return base
    now = datetime.now()
    return f"{base}-{now.strftime(ST_DATETIME_FORMAT)}-{now.microsecond // 1000:03d}"


def _json_default(value):
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, (datetime, Path)):
        return str(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def dump_json(data, path: str | Path) -> None:
    """Write ``data`` as JSON atomically (temporary file, then rename); numpy values allowed."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w") as f:
        json.dump(data, f, indent=2, default=_json_default)
    os.replace(tmp, path)


def load_json(path: str | Path):
    with open(path) as f:
        return json.load(f)
