"""The on-disk format of the blackbox repository (one format for every
benchmark).

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
its files, fidelity values and number of seeds, free-form recipe metadata
(``metadata``: e.g. ``default_metric``, ``metric_elapsed_time``,
``resource_attr``), the sha256 and size of every data file (``files``), and
``content_sha256``, the sha256 of the document itself (canonical JSON
without that key).

On load, every file's size and sha256 are checked. Hashing a large table
costs about as much as reading it, so a successful check is remembered in
``.verified.json`` (and in memory) against the file's size, mtime and inode;
a file whose stat no longer matches is hashed again. A check is only trusted
for files whose mtime was older than the check by a margin larger than the
file system's timestamp granularity, so a write right after a check cannot
go unnoticed. Any missing, truncated or damaged file raises
:class:`~syne_tune.blackbox_repository.errors.BlackboxFileMissingError` or
:class:`~syne_tune.blackbox_repository.errors.CorruptBlackboxError` naming
the file.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import numpy as np
import pandas as pd

from syne_tune.blackbox_repository.errors import (
    BlackboxFileMissingError,
    CorruptBlackboxError,
)

logger = logging.getLogger(__name__)

FORMAT_NAME = "syne-tune-blackbox"
FORMAT_VERSION = 1
METADATA_FILENAME = "metadata.json"
VERIFIED_FILENAME = ".verified.json"
OBJECTIVES_COLUMN = "objectives"
_MAX_PAGE_BYTES = 2**31 - 2**20  # parquet page sizes are int32

# A verification is trusted only for files last modified at least this long
# before it (larger than the coarse clock tick used for file timestamps).
_TRUST_MARGIN_NS = 20_000_000

_verified_in_process: Dict[Tuple[str, int, int, int], Tuple[str, bool]] = {}
_lock = threading.Lock()


# ---------------------------------------------------------------- helpers
def _json_default(obj):
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        return float(obj)
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"{type(obj).__name__} is not JSON serializable")


def _canonical_json(doc: dict) -> bytes:
    return json.dumps(
        doc, sort_keys=True, separators=(",", ":"), default=_json_default
    ).encode("utf-8")


def sha256_of_file(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _config_space_to_json(space: Optional[dict]) -> Optional[dict]:
    if space is None:
        return None
    from syne_tune.config_space import config_space_to_json_dict

    return json.loads(json.dumps(config_space_to_json_dict(space), default=_json_default))


def _config_space_from_json(doc: Optional[dict]) -> Optional[dict]:
    if doc is None:
        return None
    from syne_tune.config_space import config_space_from_json_dict

    return config_space_from_json_dict(doc)


def _frame_digest(frame: pd.DataFrame) -> str:
    h = hashlib.sha256()
    h.update(json.dumps([str(c) for c in frame.columns]).encode())
    h.update(json.dumps([str(t) for t in frame.dtypes]).encode())
    h.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return h.hexdigest()


def _fidelity_values_to_json(values: np.ndarray) -> dict:
    values = np.asarray(values)
    return {"dtype": values.dtype.str, "values": values.tolist()}


def _fidelity_values_from_json(doc) -> np.ndarray:
    if isinstance(doc, dict):
        return np.asarray(doc["values"], dtype=np.dtype(doc["dtype"]))
    return np.asarray(doc)


# ------------------------------------------------------------------ write
def _write_hyperparameters(frame: pd.DataFrame, path: Path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    frame = frame.reset_index(drop=True)
    try:
        table = pa.Table.from_pandas(frame, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as ex:
        raise ValueError(
            "cannot store the hyperparameter table (a column mixes types?): " f"{ex}"
        ) from ex
    pq.write_table(table, path, compression="zstd", write_page_checksum=True)


def _write_objectives(values: np.ndarray, names: List[str], path: Path):
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


def _write_offline_data(frame: pd.DataFrame, path: Path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pa.Table.from_pandas(frame.reset_index(drop=True), preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as ex:
        raise ValueError(f"cannot store the evaluations table: {ex}") from ex
    pq.write_table(table, path, compression="zstd", write_page_checksum=True)


def _check_common(bb_dict: dict, attr: str):
    first = next(iter(bb_dict.values()))
    return all(getattr(bb, attr) == getattr(first, attr) for bb in bb_dict.values())


def serialize(
    bb_dict: Dict[str, Any],
    path,
    metadata: Optional[Dict[str, Any]] = None,
) -> Path:
    """Writes the blackboxes of ``bb_dict`` (task name -> blackbox; all
    :class:`BlackboxTabular` or all :class:`BlackboxOffline`) to folder
    ``path``, replacing what was there. Files are written to a temporary
    sibling folder first, so a reader never sees a half-written blackbox.

    :param metadata: JSON-serializable recipe metadata stored with the
        blackbox (e.g. ``default_metric``, ``metric_elapsed_time``,
        ``resource_attr``), returned on load as ``bb.metadata``
    :return: the folder
    """
    from syne_tune.blackbox_repository.blackbox_offline import BlackboxOffline
    from syne_tune.blackbox_repository.blackbox_tabular import BlackboxTabular

    if not isinstance(bb_dict, dict) or not bb_dict:
        raise ValueError("bb_dict must be a non-empty dict task name -> blackbox")
    if all(isinstance(bb, BlackboxTabular) for bb in bb_dict.values()):
        kind = "tabular"
    elif all(isinstance(bb, BlackboxOffline) for bb in bb_dict.values()):
        kind = "offline"
    else:
        raise TypeError(
            "serialize stores BlackboxTabular or BlackboxOffline objects (all of "
            f"one kind), got {sorted(set(type(bb).__name__ for bb in bb_dict.values()))}"
        )
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.name}.tmp-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        doc = _write_into(tmp, bb_dict, kind, metadata)
        with open(tmp / METADATA_FILENAME, "w") as f:
            json.dump(doc, f, indent=1, default=_json_default)
        _replace_folder(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return path


def _write_into(folder: Path, bb_dict: dict, kind: str, metadata) -> dict:
    task_names = [str(t) for t in bb_dict]
    first = next(iter(bb_dict.values()))
    objectives_names = list(first.objectives_names)
    for task, bb in bb_dict.items():
        if list(bb.objectives_names) != objectives_names:
            raise ValueError(
                f"all tasks must have the same objectives; task {task} has "
                f"{bb.objectives_names}, expected {objectives_names}"
            )
    cs_json = {t: _config_space_to_json(bb.configuration_space) for t, bb in bb_dict.items()}
    fs_json = {t: _config_space_to_json(bb.fidelity_space) for t, bb in bb_dict.items()}
    first_task = task_names[0]
    common_cs = all(v == cs_json[first_task] for v in cs_json.values())
    common_fs = all(v == fs_json[first_task] for v in fs_json.values())

    files: Dict[str, dict] = {}
    tasks: Dict[str, dict] = {}
    hp_files: Dict[str, str] = {}  # frame digest -> file name

    def record(fname: str):
        fpath = folder / fname
        files[fname] = {"sha256": sha256_of_file(fpath), "bytes": fpath.stat().st_size}

    for i, (task, bb) in enumerate(bb_dict.items()):
        entry: Dict[str, Any] = {}
        if kind == "tabular":
            frame = bb.hyperparameters
            digest = _frame_digest(frame)
            if digest not in hp_files:
                fname = f"hyperparameters-{len(hp_files)}.parquet"
                _write_hyperparameters(frame, folder / fname)
                record(fname)
                hp_files[digest] = fname
            entry["hyperparameters"] = hp_files[digest]
            fname = f"objectives-{i}.parquet"
            values = bb.objectives_evaluations
            _write_objectives(values, objectives_names, folder / fname)
            record(fname)
            entry["objectives"] = fname
            entry["shape"] = list(values.shape)
            entry["fidelity_values"] = _fidelity_values_to_json(bb._fidelity_values)
            entry["num_seeds"] = int(values.shape[1])
        else:
            fname = f"data-{i}.parquet"
            _write_offline_data(bb.df_evaluations, folder / fname)
            record(fname)
            entry["data"] = fname
            entry["seed_col"] = bb.seed_col
            entry["num_rows"] = int(len(bb.df_evaluations))
        if not common_cs:
            entry["configuration_space"] = cs_json[task]
        if not common_fs:
            entry["fidelity_space"] = fs_json[task]
        tasks[str(task)] = entry

    doc = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "kind": kind,
        "task_names": task_names,
        "objectives_names": objectives_names,
        "configuration_space": cs_json[first_task] if common_cs else None,
        "fidelity_space": fs_json[first_task] if common_fs else None,
        "tasks": tasks,
        "metadata": json.loads(json.dumps(metadata or {}, default=_json_default)),
        "files": files,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    doc["content_sha256"] = hashlib.sha256(_canonical_json(doc)).hexdigest()
    # remember the checksums just computed (trusted once the files are old enough)
    _write_verified_stamp(folder, {f: v["sha256"] for f, v in files.items()})
    return doc


def _replace_folder(tmp: Path, path: Path):
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


def verify_files(folder: Path, files: Dict[str, dict], names: List[str]):
    """Checks size and sha256 of the data files ``names`` against the
    metadata ``files``; raises naming the first bad file."""
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
        sha = info.get("sha256")
        mem_key = (str(fpath.resolve()),) + stat_key
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
        merged = {
            f: e[3]
            for f, e in (stamp or {}).items()
            if f in files and isinstance(e, list) and len(e) == 5
        }
        merged.update(newly_verified)
        _write_verified_stamp(folder, merged)


# ------------------------------------------------------------------- read
def read_metadata(path) -> dict:
    """Parses and checks ``metadata.json`` of a stored blackbox."""
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


def _read_table(fpath: Path, **kwargs):
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


def _read_objectives(fpath: Path, shape: List[int], memory_map: bool = True) -> np.ndarray:
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
    table = _read_table(fpath)
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


def _read_hyperparameters(fpath: Path):
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
    return _read_table(fpath, read_dictionary=string_cols or None)


def deserialize(
    path,
    verify_checksums: bool = True,
    tasks: Optional[List[str]] = None,
    memory_map: bool = True,
) -> Dict[str, Any]:
    """Loads a stored blackbox folder: dict task name -> blackbox.

    :param verify_checksums: check every data file against its sha256 in the
        metadata (cached, see module doc); ``False`` skips this (structural
        checks remain)
    :param tasks: load only these tasks (default: all)
    :param memory_map: map objective arrays read-only from their files
        instead of reading them into memory (pages are read on first access
        and shared between processes). Files must then not be modified in
        place while the blackbox is in use (:func:`serialize` never does:
        it writes new files and renames them)
    """
    from syne_tune.blackbox_repository.blackbox_offline import BlackboxOffline
    from syne_tune.blackbox_repository.blackbox_tabular import BlackboxTabular
    from syne_tune.blackbox_repository.hyperparameter_index import HyperparameterIndex

    folder = Path(path)
    doc = read_metadata(folder)
    meta_path = folder / METADATA_FILENAME
    try:
        kind = doc["kind"]
        task_names = list(doc["task_names"])
        task_docs = doc["tasks"]
        objectives_names = list(doc["objectives_names"])
        files = doc["files"]
    except (KeyError, TypeError) as ex:
        raise CorruptBlackboxError(f"{meta_path} lacks entry {ex}") from None
    if tasks is not None:
        unknown = [t for t in tasks if t not in task_docs]
        if unknown:
            raise KeyError(f"tasks {unknown} not in {folder} (has {task_names})")
        task_names = [t for t in task_names if t in set(tasks)]
    needed = []
    for task in task_names:
        entry = task_docs[task]
        for key in ("hyperparameters", "objectives", "data"):
            if key in entry and entry[key] not in needed:
                needed.append(entry[key])
    if verify_checksums:
        verify_files(folder, files, needed)
    else:
        for fname in needed:
            if not (folder / fname).exists():
                raise BlackboxFileMissingError(
                    f"blackbox file {folder / fname} is missing"
                )

    try:
        common_cs = _config_space_from_json(doc.get("configuration_space"))
        common_fs = _config_space_from_json(doc.get("fidelity_space"))
    except Exception as ex:
        raise CorruptBlackboxError(
            f"{meta_path}: cannot rebuild the configuration space: {ex}"
        ) from None
    metadata = doc.get("metadata") or {}
    result: Dict[str, Any] = {}
    hp_cache: Dict[str, Any] = {}
    for task in task_names:
        entry = task_docs[task]
        cs = (
            _config_space_from_json(entry["configuration_space"])
            if "configuration_space" in entry
            else common_cs
        )
        fs = (
            _config_space_from_json(entry["fidelity_space"])
            if "fidelity_space" in entry
            else common_fs
        )
        if kind == "tabular":
            hp_file = entry["hyperparameters"]
            if hp_file not in hp_cache:
                table = _read_hyperparameters(folder / hp_file)
                try:
                    hp_cache[hp_file] = HyperparameterIndex.from_arrow(table)
                except ValueError as ex:
                    raise CorruptBlackboxError(f"{folder / hp_file}: {ex}") from None
            values = _read_objectives(
                folder / entry["objectives"], entry["shape"], memory_map=memory_map
            )
            try:
                bb = BlackboxTabular._from_index(
                    hp_index=hp_cache[hp_file],
                    configuration_space=cs,
                    fidelity_space=fs,
                    objectives_evaluations=values,
                    fidelity_values=_fidelity_values_from_json(entry["fidelity_values"]),
                    objectives_names=objectives_names,
                )
            except ValueError as ex:
                raise CorruptBlackboxError(
                    f"{folder}: task {task} is inconsistent: {ex}"
                ) from None
        elif kind == "offline":
            fpath = folder / entry["data"]
            frame = _read_table(fpath).to_pandas()
            if "num_rows" in entry and len(frame) != entry["num_rows"]:
                raise CorruptBlackboxError(
                    f"blackbox file {fpath} has {len(frame)} rows, expected "
                    f"{entry['num_rows']}"
                )
            bb = BlackboxOffline(
                df_evaluations=frame,
                configuration_space=cs,
                fidelity_space=fs,
                objectives_names=objectives_names,
                seed_col=entry.get("seed_col"),
            )
        else:
            raise CorruptBlackboxError(f"{meta_path}: unknown kind {kind!r}")
        bb.metadata = dict(metadata)
        result[task] = bb
    return result


def is_stored_blackbox(path) -> bool:
    """Whether ``path`` looks like a stored blackbox folder."""
    return (Path(path) / METADATA_FILENAME).is_file()


def stored_files(path) -> List[str]:
    """Names of the files of a stored blackbox (metadata first)."""
    doc = read_metadata(path)
    return [METADATA_FILENAME] + list(doc.get("files", {}))
