"""The on-disk format of the blackbox repository (one format for every
kind of stored blackbox), without the blackbox classes.

A stored blackbox is a folder holding all its tasks::

    <name>/
      metadata.json              format, tasks, spaces, fidelities, checksums
      hyperparameters-<k>.parquet  configurations (shared by tasks when equal)
      objectives-<i>.parquet     objective values of task i (tabular)
      data-<i>.parquet           long table of task i (offline blackboxes)
      .verified.json             cache of checksum verifications (optional)

``objectives-<i>.parquet`` has one row per configuration (same order as the
hyperparameter file) and one non-nullable column ``objectives`` of type
``fixed_size_binary(num_seeds * num_fidelities * num_objectives * 4)``: the
little-endian float32 values of that configuration in C order (seed, fidelity,
objective). It is written uncompressed in a single row group, so reading it
is one copy out of a memory map and the array is a zero-copy reshape of the
column buffer. The file's schema metadata repeats shape and axis names.

``metadata.json`` holds ``format`` / ``format_version``, ``kind`` ("tabular"
or "offline"), ``task_names``, ``objectives_names``, the configuration and
fidelity spaces (JSON round trip of :mod:`syne_tune.config_space`), per task
its files and kind-specific entries (fidelity values, number of seeds, seed
column, ...), free-form recipe metadata (``metadata``: e.g.
``default_metric``, ``metric_elapsed_time``, ``resource_attr``), the sha256
and size of every data file (``files``), and ``content_sha256``, the sha256
of the document itself (canonical JSON without that key).

Integrity checks on load (:func:`open_folder`):

* always: ``metadata.json`` must match its ``content_sha256``, every data
  file must exist with the recorded size, and parquet files must parse with
  the recorded shape (see the kind-specific readers);
* with ``verify_checksums=True`` (default): the sha256 of every data file.
  Hashing a large table costs about as much as reading it, so a successful
  check is remembered in ``.verified.json`` (and in memory) against the
  file's size, mtime and inode, and with ``ignore_hash=True`` (default) a
  file whose stat still matches such a record is not hashed again; a file
  whose stat changed is always hashed. A record is only trusted for files
  whose mtime was older than the check by a margin larger than the file
  system's timestamp granularity, so a write right after a check cannot go
  unnoticed;
* with ``ignore_hash=False``: every data file is hashed again, whatever the
  records say (this catches damage that left size, mtime and inode alone,
  e.g. media errors or an in-place edit that restored the mtime).

Any missing, truncated or damaged file raises
:class:`~syne_tune.blackbox_repository.errors.BlackboxFileMissingError` or
:class:`~syne_tune.blackbox_repository.errors.CorruptBlackboxError` naming
the file. The blackbox classes build on this module:
:mod:`~syne_tune.blackbox_repository.blackbox_tabular` and
:mod:`~syne_tune.blackbox_repository.blackbox_offline` write and read their
kind, :mod:`~syne_tune.blackbox_repository.serialization` dispatches on the
kind.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

import numpy as np
import pandas as pd

from syne_tune.blackbox_repository.errors import (
    BlackboxFileMissingError,
    CorruptBlackboxError,
)
from syne_tune.config_space import (
    config_space_from_json_dict,
    config_space_to_json_dict,
)
from syne_tune.utils.json_io import json_default
from syne_tune.utils.validation import InvalidParameterError, validate_parameters

FORMAT_NAME = "syne-tune-blackbox"
FORMAT_VERSION = 1
METADATA_FILENAME = "metadata.json"
VERIFIED_FILENAME = ".verified.json"
OBJECTIVES_COLUMN = "objectives"
KIND_TABULAR = "tabular"
KIND_OFFLINE = "offline"
#: keys of a task entry that name a data file
DATA_FILE_KEYS = ("hyperparameters", "objectives", "data")
_MAX_PAGE_BYTES = 2**31 - 2**20  # parquet page sizes are int32

# A verification is trusted only for files last modified at least this long
# before it (larger than the coarse clock tick used for file timestamps).
_TRUST_MARGIN_NS = 20_000_000

_verified_in_process: Dict[Tuple[str, int, int, int], Tuple[str, bool]] = {}


# ---------------------------------------------------------------- helpers


def _canonical_json(doc: dict) -> bytes:
    return json.dumps(
        doc, sort_keys=True, separators=(",", ":"), default=json_default
    ).encode("utf-8")


def sha256_of_file(path: Path) -> str:
    """Hex sha256 of the content of file ``path``."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _config_space_to_json(space: Optional[dict]) -> Optional[dict]:
    if space is None:
        return None
    return json.loads(json.dumps(config_space_to_json_dict(space), default=json_default))


def _config_space_from_json(doc: Optional[dict]) -> Optional[dict]:
    if doc is None:
        return None
    return config_space_from_json_dict(doc)


def frame_digest(frame: pd.DataFrame) -> str:
    """sha256 of the columns, dtypes and values of ``frame`` (equal frames,
    e.g. the hyperparameters of several tasks, share one file)."""
    h = hashlib.sha256()
    h.update(json.dumps([str(c) for c in frame.columns]).encode())
    h.update(json.dumps([str(t) for t in frame.dtypes]).encode())
    h.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return h.hexdigest()


def fidelity_values_to_json(values: np.ndarray) -> dict:
    """JSON entry of fidelity values that keeps their dtype."""
    values = np.asarray(values)
    return {"dtype": values.dtype.str, "values": values.tolist()}


def fidelity_values_from_json(doc) -> np.ndarray:
    """Inverse of :func:`fidelity_values_to_json`."""
    if isinstance(doc, dict):
        return np.asarray(doc["values"], dtype=np.dtype(doc["dtype"]))
    return np.asarray(doc)


def check_verification_arguments(
    owner: str, verify_checksums: bool, ignore_hash: bool
) -> None:
    """Checks the two arguments that choose the integrity checks of a load
    (see the module docstring).

    Parameters
    ----------
    owner
        Name of the public function taking them (for the message).
    verify_checksums
        Whether data files are hashed at all.
    ignore_hash
        Whether a recorded verification of an unchanged file is trusted.

    Raises
    ------
    InvalidParameterError
        If a value is not a bool, or ``ignore_hash=False`` (hash every
        file) comes with ``verify_checksums=False`` (hash none).
    """
    validate_parameters(
        owner,
        {"verify_checksums": verify_checksums, "ignore_hash": ignore_hash},
        {"verify_checksums": ["boolean"], "ignore_hash": ["boolean"]},
    )
    if not verify_checksums and not ignore_hash:
        raise InvalidParameterError(
            f"The 'ignore_hash' parameter of {owner} must be True when "
            "verify_checksums=False (no file is hashed then). Got False instead."
        )


# ------------------------------------------------------------------ write
def check_blackbox_dict(bb_dict: Any, cls: type, owner: str) -> None:
    """Checks that ``bb_dict`` maps task names to ``cls`` objects.

    Parameters
    ----------
    bb_dict
        The argument given.
    cls
        The blackbox class the writer stores.
    owner
        Name of the writer (for the message).

    Raises
    ------
    InvalidParameterError
        (a ``TypeError`` and a ``ValueError``) if ``bb_dict`` is not a
        non-empty dict of ``cls`` objects.
    """
    if isinstance(bb_dict, dict) and bb_dict:
        wrong = sorted({type(bb).__name__ for bb in bb_dict.values() if not isinstance(bb, cls)})
        if not wrong:
            return
        got = f"a dict with {wrong} values"
    else:
        got = repr(bb_dict)
    raise InvalidParameterError(
        f"The 'bb_dict' parameter of {owner} must be a non-empty dict task name -> "
        f"{cls.__name__}. Got {got} instead."
    )


def write_table(frame: pd.DataFrame, path: Path, what: str = "table") -> None:
    """Writes ``frame`` (index dropped) as a zstd-compressed parquet file
    with page checksums.

    Parameters
    ----------
    frame
        The table.
    path
        File to write.
    what
        What the table is, for the error message.

    Raises
    ------
    ValueError
        If a column cannot be stored (e.g. it mixes types).
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pa.Table.from_pandas(frame.reset_index(drop=True), preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as ex:
        raise ValueError(
            f"cannot store the {what} (a column mixes types?): {ex}"
        ) from ex
    pq.write_table(table, path, compression="zstd", write_page_checksum=True)


def write_objectives(values: np.ndarray, names: List[str], path: Path) -> None:
    """Writes an objectives array ``(num_configs, num_seeds, num_fidelities,
    num_objectives)`` in the layout described in the module docstring."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    values = np.ascontiguousarray(values, dtype="<f4")
    num_rows = values.shape[0]
    width = int(np.prod(values.shape[1:])) * 4
    if width == 0:
        raise ValueError(f"objectives array of shape {values.shape} is empty")
    column = pa.FixedSizeBinaryArray.from_buffers(
        pa.binary(width), num_rows, [None, pa.py_buffer(values)]
    )
    schema = pa.schema(
        [pa.field(OBJECTIVES_COLUMN, pa.binary(width), nullable=False)],
        metadata={
            "syne_tune.shape": json.dumps(list(values.shape)),
            "syne_tune.dtype": "<f4",
            "syne_tune.axes": json.dumps(
                ["configuration", "seed", "fidelity", "objective"]
            ),
            "syne_tune.objectives_names": json.dumps(list(names)),
        },
    )
    table = pa.Table.from_arrays([column], schema=schema)
    single_page = num_rows * width < _MAX_PAGE_BYTES
    pq.write_table(
        table,
        path,
        compression="none",
        use_dictionary=False,
        write_statistics=False,
        row_group_size=max(num_rows, 1),
        write_page_checksum=True,
        data_page_version="1.0",
        # one data page: the values then lie contiguous in the file and can
        # be memory-mapped
        data_page_size=(num_rows * width + 1) if single_page else None,
        max_rows_per_page=max(num_rows, 1) if single_page else None,
    )


class FolderWriter:
    """Collects the data files of a blackbox being written (see
    :func:`write_folder`).

    Parameters
    ----------
    folder
        The (temporary) folder the files go to.
    """

    def __init__(self, folder: Path):
        self.folder = folder
        self.files: Dict[str, dict] = {}

    def add_file(self, fname: str, write: Callable[[Path], None]) -> str:
        """Writes data file ``fname`` with ``write(path)`` and records its
        size and sha256; returns ``fname``."""
        fpath = self.folder / fname
        write(fpath)
        self.files[fname] = {
            "sha256": sha256_of_file(fpath),
            "bytes": fpath.stat().st_size,
        }
        return fname


#: ``write_task(writer, task_index, blackbox) -> task entry`` writes the data
#: files of one task through the writer and returns its metadata entry.
TaskWriter = Callable[[FolderWriter, int, Any], Dict[str, Any]]


def write_folder(
    path,
    kind: str,
    bb_dict: Dict[str, Any],
    metadata: Optional[Dict[str, Any]],
    write_task: TaskWriter,
) -> Path:
    """Writes a stored blackbox folder, replacing what was at ``path``. Files
    are written to a temporary sibling folder first, so a reader never sees
    a half-written blackbox.

    Parameters
    ----------
    path
        The folder.
    kind
        ``"tabular"`` or ``"offline"`` (recorded for the readers).
    bb_dict
        Task name -> blackbox (with ``configuration_space``,
        ``fidelity_space`` and ``objectives_names``, equal for all tasks),
        checked with :func:`check_blackbox_dict` by the caller.
    metadata
        JSON-serializable recipe metadata, returned on load as
        ``bb.metadata``.
    write_task
        Writes the data files of one task (see :data:`TaskWriter`).

    Returns
    -------
    pathlib.Path
        The folder.

    Raises
    ------
    ValueError
        If the tasks of ``bb_dict`` have different objectives.
    """
    first = next(iter(bb_dict.values()))
    objectives_names = list(first.objectives_names)
    for task, bb in bb_dict.items():
        if list(bb.objectives_names) != objectives_names:
            raise ValueError(
                f"all tasks must have the same objectives; task {task} has "
                f"{bb.objectives_names}, expected {objectives_names}"
            )
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.name}.tmp-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        writer = FolderWriter(tmp)
        task_names = [str(t) for t in bb_dict]
        cs_json = [_config_space_to_json(bb.configuration_space) for bb in bb_dict.values()]
        fs_json = [_config_space_to_json(bb.fidelity_space) for bb in bb_dict.values()]
        common_cs = all(v == cs_json[0] for v in cs_json)
        common_fs = all(v == fs_json[0] for v in fs_json)
        tasks: Dict[str, dict] = {}
        for i, bb in enumerate(bb_dict.values()):
            entry = dict(write_task(writer, i, bb))
            if not common_cs:
                entry["configuration_space"] = cs_json[i]
            if not common_fs:
                entry["fidelity_space"] = fs_json[i]
            tasks[task_names[i]] = entry
        doc = {
            "format": FORMAT_NAME,
            "format_version": FORMAT_VERSION,
            "kind": kind,
            "task_names": task_names,
            "objectives_names": objectives_names,
            "configuration_space": cs_json[0] if common_cs else None,
            "fidelity_space": fs_json[0] if common_fs else None,
            "tasks": tasks,
            "metadata": json.loads(json.dumps(metadata or {}, default=json_default)),
            "files": writer.files,
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        doc["content_sha256"] = hashlib.sha256(_canonical_json(doc)).hexdigest()
        # remember the checksums just computed (trusted once the files are old enough)
        _write_verified_stamp(tmp, {f: v["sha256"] for f, v in writer.files.items()})
        with open(tmp / METADATA_FILENAME, "w") as f:
            json.dump(doc, f, indent=1, default=json_default)
        replace_folder(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return path


def replace_folder(tmp: Path, path: Path) -> None:
    """Puts folder ``tmp`` in place of ``path`` (if any) with renames, so
    that ``path`` always holds either the old or the new content."""
    if path.exists():
        old = path.parent / f".{path.name}.old-{uuid.uuid4().hex[:8]}"
        os.replace(path, old)
        try:
            os.replace(tmp, path)
        except BaseException:
            os.replace(old, path)
            raise
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(tmp, path)


# ------------------------------------------------------------ verification
def _stat_key(fpath: Path) -> Tuple[int, int, int]:
    st = fpath.stat()
    return st.st_size, st.st_mtime_ns, st.st_ino


def _read_verified_stamp(folder: Path) -> Dict[str, list]:
    try:
        with open(folder / VERIFIED_FILENAME) as f:
            doc = json.load(f)
        return doc.get("files", {}) if isinstance(doc, dict) else {}
    except (OSError, ValueError):
        return {}


def _write_verified_stamp(folder: Path, checksums: Dict[str, str]):
    """Records [size, mtime_ns, inode, sha256, checked_at_ns] per file; best
    effort (the folder may be read-only)."""
    now = time.time_ns()
    entries = {}
    for fname, sha in checksums.items():
        try:
            size, mtime, ino = _stat_key(folder / fname)
        except OSError:
            continue
        entries[fname] = [size, mtime, ino, sha, now]
    tmp = folder / f"{VERIFIED_FILENAME}.{uuid.uuid4().hex[:8]}"
    try:
        with open(tmp, "w") as f:
            json.dump({"files": entries}, f)
        os.replace(tmp, folder / VERIFIED_FILENAME)
    except OSError:
        try:
            tmp.unlink()
        except OSError:
            pass


def _trusted(entry, stat_key, sha: str) -> bool:
    try:
        size, mtime, ino, stamped_sha, checked_at = entry
    except (TypeError, ValueError):
        return False
    return (
        (size, mtime, ino) == stat_key
        and stamped_sha == sha
        and mtime <= checked_at - _TRUST_MARGIN_NS
    )


def verify_files(
    folder: Path,
    files: Dict[str, dict],
    names: List[str],
    hash_files: bool = True,
    use_cache: bool = True,
) -> None:
    """Checks the data files ``names`` of a stored blackbox against the
    metadata entry ``files`` (see the module docstring).

    Parameters
    ----------
    folder
        The stored blackbox.
    files
        ``metadata.json``'s ``files``: name -> ``{"sha256", "bytes"}``.
    names
        Files to check.
    hash_files
        Compare sha256 checksums (else sizes only).
    use_cache
        Trust a recorded verification of a file whose size, mtime and inode
        are unchanged (else hash every file again).

    Raises
    ------
    BlackboxFileMissingError
        If a file is missing.
    CorruptBlackboxError
        Naming the first file whose size or checksum is wrong.
    """
    stamp = None
    newly_verified: Dict[str, str] = {}
    for fname in names:
        info = files.get(fname)
        fpath = folder / fname
        if info is None:
            raise CorruptBlackboxError(
                f"{folder / METADATA_FILENAME} lists no checksum for {fpath}"
            )
        try:
            stat_key = _stat_key(fpath)
        except FileNotFoundError:
            raise BlackboxFileMissingError(f"blackbox file {fpath} is missing") from None
        if stat_key[0] != info.get("bytes"):
            raise CorruptBlackboxError(
                f"blackbox file {fpath} has {stat_key[0]} bytes, expected "
                f"{info.get('bytes')} (truncated or modified)"
            )
        if not hash_files:
            continue
        sha = info.get("sha256")
        mem_key = (str(fpath.resolve()),) + stat_key
        if use_cache:
            cached = _verified_in_process.get(mem_key)
            if cached is not None and cached[0] == sha and cached[1]:
                continue
            if stamp is None:
                stamp = _read_verified_stamp(folder)
            if _trusted(stamp.get(fname), stat_key, sha):
                _verified_in_process[mem_key] = (sha, True)
                continue
        actual = sha256_of_file(fpath)
        if actual != sha:
            raise CorruptBlackboxError(
                f"blackbox file {fpath} is corrupt: sha256 {actual} differs from "
                f"{sha} recorded in {folder / METADATA_FILENAME}"
            )
        trusted = stat_key[1] <= time.time_ns() - _TRUST_MARGIN_NS
        _verified_in_process[mem_key] = (sha, trusted)
        newly_verified[fname] = sha
    if newly_verified:
        if stamp is None:
            stamp = _read_verified_stamp(folder)
        merged = {
            f: e[3]
            for f, e in stamp.items()
            if f in files and isinstance(e, list) and len(e) == 5
        }
        merged.update(newly_verified)
        _write_verified_stamp(folder, merged)


# ------------------------------------------------------------------- read
def read_metadata(path) -> dict:
    """Parses and checks ``metadata.json`` of a stored blackbox.

    Parameters
    ----------
    path
        The stored blackbox folder.

    Returns
    -------
    dict
        The document.

    Raises
    ------
    BlackboxFileMissingError
        If there is no ``metadata.json``.
    CorruptBlackboxError
        If it is not valid JSON, not of this format, of a newer format
        version, or does not match its ``content_sha256``.
    """
    folder = Path(path)
    fpath = folder / METADATA_FILENAME
    try:
        raw = fpath.read_bytes()
    except FileNotFoundError:
        raise BlackboxFileMissingError(
            f"{fpath} not found: {folder} does not hold a stored blackbox"
        ) from None
    try:
        doc = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as ex:
        raise CorruptBlackboxError(f"{fpath} is not valid JSON: {ex}") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT_NAME:
        raise CorruptBlackboxError(
            f"{fpath} is not the metadata of a stored blackbox (format "
            f"{doc.get('format') if isinstance(doc, dict) else None!r})"
        )
    version = doc.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise CorruptBlackboxError(
            f"{fpath} has format version {version!r}; this library reads up to "
            f"{FORMAT_VERSION} (upgrade, or regenerate the blackbox)"
        )
    expected = doc.get("content_sha256")
    body = {k: v for k, v in doc.items() if k != "content_sha256"}
    if expected != hashlib.sha256(_canonical_json(body)).hexdigest():
        raise CorruptBlackboxError(
            f"{fpath} is corrupt: its content does not match its content_sha256"
        )
    return doc


def _parquet_error(fpath: Path, ex: Exception) -> CorruptBlackboxError:
    return CorruptBlackboxError(f"blackbox file {fpath} cannot be read: {ex}")


def read_table(fpath: Path, **kwargs):
    """Reads parquet file ``fpath`` (memory-mapped) as an Arrow table;
    ``kwargs`` go to ``pyarrow.parquet.read_table``. Raises
    :class:`BlackboxFileMissingError` or :class:`CorruptBlackboxError`
    naming the file."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    if not fpath.exists():
        raise BlackboxFileMissingError(f"blackbox file {fpath} is missing")
    try:
        return pq.read_table(fpath, memory_map=True, **kwargs)
    except (pa.ArrowException, OSError, ValueError) as ex:
        raise _parquet_error(fpath, ex) from None


def _thrift_varint(buf: bytes, pos: int) -> Tuple[int, int]:
    result = shift = 0
    while True:
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7


def _single_page_payload_offset(fpath: Path, expected_bytes: int) -> Optional[int]:
    """File offset of the values if the objectives column is one
    uncompressed PLAIN data page without levels (as :func:`serialize`
    writes it), else None."""
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(fpath, memory_map=True)
    md = pf.metadata
    if md.num_row_groups != 1 or md.num_columns != 1:
        return None
    col = md.row_group(0).column(0)
    schema_col = pf.schema.column(0)
    if (
        col.compression != "UNCOMPRESSED"
        or col.physical_type != "FIXED_LEN_BYTE_ARRAY"
        or col.has_dictionary_page
        or schema_col.max_definition_level != 0
        or schema_col.max_repetition_level != 0
    ):
        return None
    start, size = col.data_page_offset, col.total_compressed_size
    header_len = size - expected_bytes
    if header_len <= 0 or header_len > 1024:
        return None
    with open(fpath, "rb") as f:
        f.seek(start)
        header = f.read(header_len)
    # PageHeader, thrift compact protocol: 1: type, 2: uncompressed size,
    # 3: compressed size (all i32, zigzag varints)
    fields = {}
    pos, field_id = 0, 0
    try:
        while len(fields) < 3:
            byte = header[pos]
            pos += 1
            if byte >> 4:
                field_id += byte >> 4
            else:
                raw, pos = _thrift_varint(header, pos)
                field_id = (raw >> 1) ^ -(raw & 1)
            if byte & 0x0F != 5:  # not an i32
                return None
            raw, pos = _thrift_varint(header, pos)
            fields[field_id] = (raw >> 1) ^ -(raw & 1)
    except IndexError:
        return None
    if fields.get(1) != 0 or fields.get(3) != expected_bytes or fields.get(2) != expected_bytes:
        return None  # not a single DATA_PAGE (v1) holding exactly the values
    return start + header_len


def read_objectives(fpath: Path, shape: List[int], memory_map: bool = True) -> np.ndarray:
    """Reads an objectives file written by :func:`write_objectives`.

    Parameters
    ----------
    fpath
        The file.
    shape
        The shape recorded in the metadata.
    memory_map
        Map the values read-only from the file when its layout allows it.

    Returns
    -------
    numpy.ndarray
        float32 array of shape ``shape``.

    Raises
    ------
    BlackboxFileMissingError, CorruptBlackboxError
        If the file is missing or does not hold such a table.
    """
    import pyarrow as pa

    shape = tuple(int(s) for s in shape)
    width = int(np.prod(shape[1:])) * 4
    count = int(np.prod(shape))
    table_schema_ok = False
    try:
        import pyarrow.parquet as pq

        schema = pq.read_schema(fpath, memory_map=True)
        table_schema_ok = (
            len(schema) == 1
            and schema.names[0] == OBJECTIVES_COLUMN
            and schema.field(0).type == pa.binary(width)
        )
        num_rows = pq.ParquetFile(fpath, memory_map=True).metadata.num_rows
    except FileNotFoundError:
        raise BlackboxFileMissingError(f"blackbox file {fpath} is missing") from None
    except (pa.ArrowException, OSError, ValueError) as ex:
        raise _parquet_error(fpath, ex) from None
    if not table_schema_ok or num_rows != shape[0]:
        raise CorruptBlackboxError(
            f"blackbox file {fpath} does not hold a {shape} objectives table "
            f"(found {num_rows} rows of {schema})"
        )
    if memory_map and np.little_endian:
        try:
            offset = _single_page_payload_offset(fpath, count * 4)
        except (pa.ArrowException, OSError, ValueError) as ex:
            raise _parquet_error(fpath, ex) from None
        if offset is not None:
            return np.memmap(fpath, dtype="<f4", mode="r", offset=offset, shape=shape)
    table = read_table(fpath)
    column = table.column(0)
    column = column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()
    if column.null_count:
        raise CorruptBlackboxError(f"blackbox file {fpath} has missing rows")
    buffer = column.buffers()[1]
    values = np.frombuffer(
        buffer, dtype="<f4", count=count, offset=column.offset * width
    ).reshape(shape)
    if values.dtype != np.float32:  # big-endian host
        values = values.astype(np.float32)
    return values


def read_hyperparameters(fpath: Path):
    """Reads a hyperparameter table as an Arrow table, string columns
    dictionary-encoded (cheap to turn into Python values)."""
    import pyarrow.parquet as pq
    import pyarrow as pa

    try:
        schema = pq.read_schema(fpath, memory_map=True)
    except FileNotFoundError:
        raise BlackboxFileMissingError(f"blackbox file {fpath} is missing") from None
    except (pa.ArrowException, OSError, ValueError) as ex:
        raise _parquet_error(fpath, ex) from None
    string_cols = [
        f.name
        for f in schema
        if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)
    ]
    return read_table(fpath, read_dictionary=string_cols or None)




# ------------------------------------------------------------ open folder
@dataclass
class StoredTask:
    """One task of a stored blackbox, as :func:`open_folder` finds it.

    Parameters
    ----------
    name
        Task name.
    entry
        Its entry in ``metadata.json`` (file names and kind-specific keys).
    configuration_space
        Its configuration space.
    fidelity_space
        Its fidelity space (or ``None``).
    """

    name: str
    entry: Dict[str, Any]
    configuration_space: Dict[str, Any]
    fidelity_space: Optional[Dict[str, Any]]


@dataclass
class StoredFolder:
    """A checked stored blackbox folder, ready for a kind-specific reader.

    Parameters
    ----------
    path
        The folder.
    kind
        ``"tabular"`` or ``"offline"``.
    objectives_names
        Objectives of all tasks.
    metadata
        Recipe metadata.
    tasks
        The selected tasks, in stored order.
    """

    path: Path
    kind: str
    objectives_names: List[str]
    metadata: Dict[str, Any]
    tasks: List[StoredTask]


def open_folder(
    path,
    kind: Optional[str] = None,
    tasks: Optional[List[str]] = None,
    verify_checksums: bool = True,
    ignore_hash: bool = True,
) -> StoredFolder:
    """Reads and checks ``metadata.json`` and the data files of the selected
    tasks (see the module docstring for the checks).

    Parameters
    ----------
    path
        The stored blackbox folder.
    kind
        Kind the caller reads (``None``: any).
    tasks
        Tasks to load (default: all).
    verify_checksums
        Compare the sha256 of every data file with ``metadata.json`` (False:
        sizes only; needs ``ignore_hash=True``).
    ignore_hash
        True: a file whose size, mtime and inode match a recorded successful
        verification (``.verified.json`` or this process) is not hashed
        again. False: every data file is hashed again. Files changed since
        their last verification are hashed either way.

    Returns
    -------
    StoredFolder
        Metadata and spaces of the selected tasks.

    Raises
    ------
    BlackboxFileMissingError, CorruptBlackboxError
        If a file is missing or damaged.
    ValueError
        If the folder holds another kind of blackbox than ``kind``.
    KeyError
        If a task of ``tasks`` is not stored.
    """
    check_verification_arguments("deserialize", verify_checksums, ignore_hash)
    folder = Path(path)
    doc = read_metadata(folder)
    meta_path = folder / METADATA_FILENAME
    try:
        stored_kind = doc["kind"]
        task_names = list(doc["task_names"])
        task_docs = doc["tasks"]
        objectives_names = list(doc["objectives_names"])
        files = doc["files"]
    except (KeyError, TypeError) as ex:
        raise CorruptBlackboxError(f"{meta_path} lacks entry {ex}") from None
    if stored_kind not in (KIND_TABULAR, KIND_OFFLINE):
        raise CorruptBlackboxError(f"{meta_path}: unknown kind {stored_kind!r}")
    if kind is not None and stored_kind != kind:
        raise ValueError(
            f"{folder} holds {stored_kind} blackboxes, not {kind} ones; load it "
            "with syne_tune.blackbox_repository.deserialize"
        )
    if tasks is not None:
        unknown = [t for t in tasks if t not in task_docs]
        if unknown:
            raise KeyError(f"tasks {unknown} not in {folder} (has {task_names})")
        task_names = [t for t in task_names if t in set(tasks)]
    needed: List[str] = []
    for task in task_names:
        for key in DATA_FILE_KEYS:
            fname = task_docs[task].get(key)
            if fname is not None and fname not in needed:
                needed.append(fname)
    verify_files(folder, files, needed, hash_files=verify_checksums, use_cache=ignore_hash)
    try:
        common_cs = _config_space_from_json(doc.get("configuration_space"))
        common_fs = _config_space_from_json(doc.get("fidelity_space"))
        selected = []
        for task in task_names:
            entry = task_docs[task]
            selected.append(
                StoredTask(
                    name=task,
                    entry=entry,
                    configuration_space=_config_space_from_json(entry["configuration_space"])
                    if "configuration_space" in entry
                    else common_cs,
                    fidelity_space=_config_space_from_json(entry["fidelity_space"])
                    if "fidelity_space" in entry
                    else common_fs,
                )
            )
    except Exception as ex:
        raise CorruptBlackboxError(
            f"{meta_path}: cannot rebuild the configuration space: {ex}"
        ) from None
    return StoredFolder(
        path=folder,
        kind=stored_kind,
        objectives_names=objectives_names,
        metadata=dict(doc.get("metadata") or {}),
        tasks=selected,
    )


#: ``read_task(folder, task) -> blackbox`` builds the blackbox of one task
#: from its files (raising ``ValueError`` if they contradict the metadata).
TaskReader = Callable[[StoredFolder, StoredTask], Any]


def read_folder(
    path,
    kind: str,
    read_task: TaskReader,
    tasks: Optional[List[str]] = None,
    verify_checksums: bool = True,
    ignore_hash: bool = True,
) -> Dict[str, Any]:
    """Loads the blackboxes of a stored folder of kind ``kind``: checks it
    with :func:`open_folder` (same arguments), builds each task with
    ``read_task`` and sets its ``metadata``.

    Returns
    -------
    dict
        Task name -> blackbox.

    Raises
    ------
    CorruptBlackboxError
        Also when ``read_task`` raises ``ValueError`` (files inconsistent
        with the metadata).
    """
    stored = open_folder(
        path,
        kind=kind,
        tasks=tasks,
        verify_checksums=verify_checksums,
        ignore_hash=ignore_hash,
    )
    result: Dict[str, Any] = {}
    for task in stored.tasks:
        try:
            bb = read_task(stored, task)
        except CorruptBlackboxError:
            raise
        except ValueError as ex:
            raise CorruptBlackboxError(
                f"{stored.path}: task {task.name} is inconsistent: {ex}"
            ) from None
        bb.metadata = dict(stored.metadata)
        result[task.name] = bb
    return result


def is_stored_blackbox(path) -> bool:
    """Whether ``path`` looks like a stored blackbox folder."""
    return (Path(path) / METADATA_FILENAME).is_file()


def stored_kind(path) -> str:
    """Kind (``"tabular"`` or ``"offline"``) of the stored blackbox at
    ``path``; raises like :func:`read_metadata`."""
    return read_metadata(path).get("kind")


def stored_files(path) -> List[str]:
    """Names of the files of a stored blackbox (metadata first)."""
    doc = read_metadata(path)
    return [METADATA_FILENAME] + list(doc.get("files", {}))
