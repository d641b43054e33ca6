"""Storing and loading stored blackboxes of any kind.

:func:`serialize` hands a dict of blackboxes to the writer of their kind
(:func:`syne_tune.blackbox_repository.blackbox_tabular.serialize` or
:func:`syne_tune.blackbox_repository.blackbox_offline.serialize`);
:func:`deserialize` reads the kind recorded in the folder and calls the
matching reader. The format itself, and the integrity checks, are those of
:mod:`syne_tune.blackbox_repository.storage`, whose folder-level helpers are
re-exported here.

Imports point one way: ``storage`` <- ``blackbox_tabular`` <-
``blackbox_offline`` <- ``serialization``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional

from syne_tune.blackbox_repository import blackbox_offline, blackbox_tabular
from syne_tune.blackbox_repository.blackbox import Blackbox
from syne_tune.blackbox_repository.errors import CorruptBlackboxError
from syne_tune.blackbox_repository.storage import (
    FORMAT_NAME,
    FORMAT_VERSION,
    KIND_OFFLINE,
    KIND_TABULAR,
    METADATA_FILENAME,
    VERIFIED_FILENAME,
    is_stored_blackbox,
    read_metadata,
    sha256_of_file,
    stored_files,
    stored_kind,
    verify_files,
)
from syne_tune.utils.validation import InvalidParameterError

__all__ = [
    "serialize",
    "deserialize",
    "is_stored_blackbox",
    "read_metadata",
    "stored_files",
    "stored_kind",
    "verify_files",
    "sha256_of_file",
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "KIND_OFFLINE",
    "KIND_TABULAR",
    "METADATA_FILENAME",
    "VERIFIED_FILENAME",
]


def serialize(
    bb_dict: Dict[str, Blackbox],
    path,
    metadata: Optional[Dict[str, Any]] = None,
) -> Path:
    """Writes the blackboxes of ``bb_dict`` to folder ``path``, replacing
    what was there.

    Parameters
    ----------
    bb_dict
        Task name -> blackbox; all
        :class:`~syne_tune.blackbox_repository.BlackboxTabular` or all
        :class:`~syne_tune.blackbox_repository.BlackboxOffline`.
    path, metadata
        Folder to write (replaced atomically) and recipe metadata: see
        :func:`~syne_tune.blackbox_repository.storage.write_folder`.

    Returns
    -------
    pathlib.Path
        The folder.

    Raises
    ------
    InvalidParameterError
        If ``bb_dict`` is not a non-empty dict of blackboxes of one of the
        two kinds.
    """
    if isinstance(bb_dict, dict) and bb_dict:
        kinds = {type(bb) for bb in bb_dict.values()}
        if all(issubclass(k, blackbox_tabular.BlackboxTabular) for k in kinds):
            return blackbox_tabular.serialize(bb_dict, path, metadata=metadata)
        if all(issubclass(k, blackbox_offline.BlackboxOffline) for k in kinds):
            return blackbox_offline.serialize(bb_dict, path, metadata=metadata)
        got = f"a dict with {sorted(k.__name__ for k in kinds)} values"
    else:
        got = repr(bb_dict)
    raise InvalidParameterError(
        "The 'bb_dict' parameter of serialize must be a non-empty dict task name "
        f"-> BlackboxTabular (or -> BlackboxOffline). Got {got} instead."
    )


def deserialize(
    path,
    verify_checksums: bool = True,
    tasks: Optional[List[str]] = None,
    memory_map: bool = True,
    ignore_hash: bool = True,
) -> Dict[str, Blackbox]:
    """Loads a stored blackbox folder: dict task name -> blackbox.

    Parameters
    ----------
    path
        The folder.
    verify_checksums, tasks, ignore_hash
        Which tasks, which integrity checks: see
        :func:`~syne_tune.blackbox_repository.storage.open_folder`.
    memory_map
        Map objective arrays of tabular blackboxes read-only from their files
        (see :func:`syne_tune.blackbox_repository.blackbox_tabular.deserialize`).

    Returns
    -------
    dict
        Task name -> blackbox, each with ``metadata``.

    Raises
    ------
    BlackboxFileMissingError, CorruptBlackboxError
        If a file is missing or damaged.
    """
    kind = stored_kind(path)
    common = dict(verify_checksums=verify_checksums, tasks=tasks, ignore_hash=ignore_hash)
    if kind == KIND_TABULAR:
        return blackbox_tabular.deserialize(path, memory_map=memory_map, **common)
    if kind == KIND_OFFLINE:
        return blackbox_offline.deserialize(path, **common)
    raise CorruptBlackboxError(
        f"{Path(path) / METADATA_FILENAME}: unknown kind {kind!r}"
    )
