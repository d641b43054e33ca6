"""Where a tuning run's results live on disk: a journal, parquet parts and a
manifest that knows them.

Layout of ``<tuner_path>/results/``::

    manifest.json          format, parts (file, first row, rows, sha256), journal
    part-000000.parquet    rows 0 .. n0-1
    part-000001.parquet    rows n0 .. n1-1
    journal-000002.jsonl   rows n1 .. (appended one line per row)

Rows are numbered from 0 in the order they were stored. Two modes:

* **journaled** (real backends): every row is appended to the journal as one
  line, written to the operating system before the tuner acts on the
  scheduler's decision, so that a tuner killed at any moment (SIGKILL
  included) loses no result it received. A journal line is
  ``["r", row_number, {row}]``, or ``["c", trial_id, {config}]`` when a
  trial's configuration is first seen or changes (the ``config_*`` columns of
  later rows of that trial). A last line cut off by a kill is dropped.
* **buffered** (the simulator, whose snapshots reproduce what follows them):
  rows are kept in memory and written as parquet parts; nothing is journaled.

:meth:`ResultsStore.compact` turns the rows since the last part into a new
part (the journal starts a new segment). Crash-safe order: the part is
written (temporary name, then renamed), then a new empty journal segment,
then the manifest (temporary name, then renamed), then the old segment is
deleted. A part or segment the manifest does not list yet is left over from
an interrupted compaction and is removed on the next open.

Integrity: every part's row count and sha256 are in the manifest, and every
journal line carries its row number. A missing, duplicated, extra or corrupt
part, and a gap or repeat in the journal's row numbers, raise
:class:`ResultsIntegrityError` naming the file, when the results are read
(:func:`read_results`, ``load_experiment``) and when a tuner resumes.
:func:`repair_results` keeps what is readable (moving damaged files to
``results/damaged/``) so that the run can be read and resumed again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import shutil
from pathlib import Path
from typing import Any, Iterable

from syne_tune.constants import ST_RESULTS_DATAFRAME_FILENAME, ST_TRIAL_ID
from syne_tune.utils.json_io import json_default_as_str

logger = logging.getLogger(__name__)

RESULTS_FOLDER = "results"
MANIFEST = "manifest.json"
FORMAT = "syne_tune.results/1"
DAMAGED_FOLDER = "damaged"


class ResultsIntegrityError(ValueError):
    """The stored results of a run are incomplete or corrupt. The message
    names the file; :func:`repair_results` recovers what is readable."""


def _part_name(index: int) -> str:
    return f"part-{index:06d}.parquet"


def _journal_name(index: int) -> str:
    return f"journal-{index:06d}.jsonl"


def _file_index(name: str) -> int:
    return int(name.split("-")[1].split(".")[0])


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()




#: compact JSON for journal lines (numpy values and enums allowed)
_ENCODER = json.JSONEncoder(separators=(",", ":"), check_circular=False, default=json_default_as_str)


def _write_atomically(path: Path, write) -> None:
    tmp = path.with_name(path.name + ".tmp")
    write(tmp)
    os.replace(tmp, path)


def _to_parquet(df, path: Path) -> None:
    try:
        df.to_parquet(path, index=False)
    except Exception:
        # columns of mixed Python types: store them as strings
        df = df.copy()
        for col in df.columns:
            if df[col].dtype == object:
                df[col] = df[col].map(lambda v: v if v is None or isinstance(v, str) else repr(v))
        df.to_parquet(path, index=False)


def rows_to_dataframe(rows: list[dict], configs: list[dict | None]):
    """DataFrame of ``rows``; ``configs[i]`` (the configuration of row ``i``'s
    trial when it was reported) becomes the ``config_<name>`` columns."""
    import pandas as pd

    df = pd.DataFrame(rows)
    # rows of a trial share its config object: look at each config once
    unique = {id(c): c for c in configs if c}
    keys = dict.fromkeys(key for config in unique.values() for key in config)
    for key in keys:
        df[f"config_{key}"] = [c.get(key) if c else None for c in configs]
    return df


class _Manifest:
    """The manifest's content: parts and the current journal segment."""

    def __init__(self, parts: list[dict] | None = None, journal: dict | None = None, repaired: bool = False):
        self.parts = parts or []
        self.journal = journal  # {"file", "first_row"} or None
        # True once repair_results dropped damaged rows
        self.repaired = repaired

    @property
    def rows_in_parts(self) -> int:
        return sum(p["rows"] for p in self.parts)

    def next_index(self) -> int:
        names = [p["file"] for p in self.parts] + ([self.journal["file"]] if self.journal else [])
        return 1 + max((_file_index(n) for n in names), default=-1)

    def to_json(self) -> dict:
        return {"format": FORMAT, "parts": self.parts, "journal": self.journal, "repaired": self.repaired}

    @staticmethod
    def read(folder: Path) -> "_Manifest | None":
        path = folder / MANIFEST
        if not path.exists():
            return None
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError) as ex:
            raise ResultsIntegrityError(f"{path} is not valid JSON ({ex}); see syne_tune.results_store.repair_results") from ex
        if data.get("format") != FORMAT:
            raise ResultsIntegrityError(f"{path} has format {data.get('format')!r}, expected {FORMAT!r}")
        return _Manifest(
            parts=list(data.get("parts") or []), journal=data.get("journal"), repaired=bool(data.get("repaired"))
        )

    def write(self, folder: Path) -> None:
        text = json.dumps(self.to_json(), indent=1)
        _write_atomically(folder / MANIFEST, lambda tmp: tmp.write_text(text))


def _read_journal(
    path: Path, first_row: int | None = None
) -> tuple[list[dict], list[dict | None], int]:
    """Rows of a journal segment, with their trials' configs, and the bytes
    of its complete lines (a last line cut off by a kill is left out).

    With ``first_row`` (strict), a corrupt line, or a row number other than
    the next one, raises :class:`ResultsIntegrityError`. Without (lenient),
    such lines are left out with a warning, so that what is readable is read.
    """
    rows: list[dict] = []
    configs: list[dict | None] = []
    current: dict[int, dict] = {}
    strict = first_row is not None
    expected = first_row
    seen: set[int] = set()
    good_bytes = 0
    # the text after the last newline is an unfinished line
    for number, line in enumerate(path.read_bytes().split(b"\n")[:-1], start=1):
        good_bytes += len(line) + 1
        try:
            entry = json.loads(line)
            kind = entry[0]
            if kind == "c":
                current[int(entry[1])] = entry[2]
                continue
            if kind != "r":
                raise ValueError(f"unknown entry kind {kind!r}")
            row_number, row = int(entry[1]), entry[2]
            trial_id = row.get(ST_TRIAL_ID)
        except (ValueError, TypeError, IndexError, KeyError, AttributeError) as ex:
            if strict:
                raise ResultsIntegrityError(
                    f"{path}: line {number} is corrupt ({ex}); see syne_tune.results_store.repair_results"
                ) from ex
            logger.warning("Left out of the results: line %d of %s is corrupt", number, path)
            continue
        if strict and row_number != expected:
            what = "repeats" if row_number < expected else "skips"
            raise ResultsIntegrityError(
                f"{path}: line {number} holds row {row_number} where row {expected} belongs: the journal "
                f"{what} rows (duplicated or missing results); see syne_tune.results_store.repair_results"
            )
        if not strict and row_number in seen:
            logger.warning("Left out of the results: row %d repeated at line %d of %s", row_number, number, path)
            continue
        seen.add(row_number)
        rows.append(row)
        configs.append(current.get(trial_id))
        if strict:
            expected += 1
    return rows, configs, good_bytes


class ResultsStore:
    """The results of one run (see the module docstring).

    Parameters
    ----------
    tuner_path
        Folder of the run; results go to its ``results/`` subfolder.
    journaled
        ``True``: every row is journaled before it is acted on (real
        backends). ``False``: rows are buffered and written as parts
        (simulations).
    flush_every_rows
        A part is written once this many rows are held in memory.
    """

    def __init__(self, tuner_path: str | Path, journaled: bool = True, flush_every_rows: int = 10_000):
        self.tuner_path = Path(tuner_path)
        self.journaled = bool(journaled)
        self.flush_every_rows = int(flush_every_rows)
        self._num_rows = 0
        self._init_runtime()

    def _init_runtime(self) -> None:
        self._manifest: _Manifest | None = None
        self._fd: int | None = None
        self._rows: list[dict] = []  # rows since the last part
        self._configs: list[dict | None] = []
        self._journal_configs: dict[int, dict] = {}  # config last journaled per trial

    @property
    def folder(self) -> Path:
        return self.tuner_path / RESULTS_FOLDER

    @property
    def num_rows(self) -> int:
        """Rows stored so far."""
        return self._num_rows

    @property
    def is_open(self) -> bool:
        return self._manifest is not None

    # -- pickling: the tuner's snapshot records how many rows it covers ---------
    def __getstate__(self):
        state = {k: v for k, v in self.__dict__.items() if k in ("tuner_path", "journaled", "flush_every_rows", "_num_rows")}
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._init_runtime()

    # -- opening -----------------------------------------------------------------
    def has_results(self) -> bool:
        """Does the folder already hold results (of this or another run)?"""
        folder = self.folder
        return folder.is_dir() and any(folder.iterdir())

    def open_new(self) -> None:
        """Start an empty store (the run's first start)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self._num_rows = 0
        manifest = _Manifest(parts=[], journal=None)
        if self.journaled:
            manifest.journal = {"file": _journal_name(0), "first_row": 0}
            (self.folder / manifest.journal["file"]).touch()
        manifest.write(self.folder)
        self._manifest = manifest
        self._open_journal()

    def open_resumed(self, snapshot_rows: int) -> list[tuple[dict, dict | None]]:
        """Open the store of a resumed run whose snapshot covers the first
        ``snapshot_rows`` rows. Journaled: returns the rows after them
        (with their trial's config), to be replayed. Buffered: rows after
        them are dropped (the simulation produces them again)."""
        folder = self.folder
        manifest = _Manifest.read(folder)
        if manifest is None:
            raise ResultsIntegrityError(
                f"{folder / MANIFEST} is missing: the results of this run cannot be verified; "
                "see syne_tune.results_store.repair_results"
            )
        self._remove_leftovers(manifest)
        check_parts(folder, manifest)
        self._manifest = manifest
        after: list[tuple[dict, dict | None]] = []
        if self.journaled:
            rows, configs = self._read_current_journal(truncate=True)
            total = manifest.rows_in_parts + len(rows)
            if total < snapshot_rows:
                self._check_lost_rows(total, snapshot_rows)
            self._rows, self._configs = rows, configs
            self._num_rows = total
            self._journal_configs = {}
            if snapshot_rows < total:
                after = self._rows_between(snapshot_rows, total)
            self._open_journal()
        else:
            self._truncate_parts(snapshot_rows)
            self._num_rows = manifest.rows_in_parts
        return after

    def _remove_leftovers(self, manifest: _Manifest) -> None:
        """Files of an interrupted compaction (the next part or journal
        segment, not yet in the manifest) and temporary files."""
        folder = self.folder
        next_index = manifest.next_index()
        for path in folder.glob("*.tmp"):
            path.unlink()
        for name in (_part_name(next_index), _journal_name(next_index), _journal_name(next_index + 1)):
            path = folder / name
            if path.exists():
                path.unlink()
        # the segment a completed compaction replaced
        listed = {p["file"] for p in manifest.parts} | ({manifest.journal["file"]} if manifest.journal else set())
        for path in folder.glob("journal-*.jsonl"):
            if path.name not in listed and _file_index(path.name) < next_index:
                if manifest.journal is None or _file_index(path.name) < _file_index(manifest.journal["file"]):
                    path.unlink()

    def _read_current_journal(self, truncate: bool) -> tuple[list[dict], list[dict | None]]:
        rows, configs, good_bytes = _journal_rows(self.folder, self._manifest)
        if truncate and self._manifest.journal is not None:
            path = self.folder / self._manifest.journal["file"]
            if path.stat().st_size > good_bytes:
                # a line cut off by a kill: its result is read again from the trial
                with open(path, "rb+") as f:
                    f.truncate(good_bytes)
        return rows, configs

    def _rows_between(self, start: int, stop: int) -> list[tuple[dict, dict | None]]:
        """Rows ``start .. stop-1`` (from parts and the rows in memory)."""
        out: list[tuple[dict, dict | None]] = []
        first_in_memory = self._num_rows - len(self._rows)
        if start < first_in_memory:
            import pandas as pd

            for part in self._manifest.parts:
                p_first, p_rows = part["first_row"], part["rows"]
                if p_first + p_rows <= start or p_first >= min(stop, first_in_memory):
                    continue
                df = pd.read_parquet(self.folder / part["file"])
                config_cols = [c for c in df.columns if c.startswith("config_")]
                for i, record in enumerate(df.to_dict("records")):
                    number = p_first + i
                    if start <= number < min(stop, first_in_memory):
                        config = {c[len("config_"):]: record.pop(c) for c in config_cols}
                        row = {k: v for k, v in record.items() if not _is_missing(v)}
                        out.append((row, config))
        for i in range(max(start, first_in_memory), stop):
            j = i - first_in_memory
            out.append((self._rows[j], self._configs[j]))
        return out

    def _check_lost_rows(self, total: int, snapshot_rows: int) -> None:
        """Fewer rows than the saved state covers: an error, unless
        :func:`repair_results` dropped them (then they are gone for good)."""
        if not self._manifest.repaired:
            raise ResultsIntegrityError(
                f"{self.folder} holds {total} result rows, but the saved tuner state covers {snapshot_rows}: "
                "results were lost; see syne_tune.results_store.repair_results"
            )
        logger.warning(
            "%s holds %d result rows, the tuner state covers %d: %d rows were dropped by repair_results",
            self.folder, total, snapshot_rows, snapshot_rows - total,
        )

    def _truncate_parts(self, keep_rows: int) -> None:
        """Buffered mode: drop parts beyond the first ``keep_rows`` rows."""
        manifest = self._manifest
        kept = []
        for part in manifest.parts:
            if part["first_row"] + part["rows"] <= keep_rows:
                kept.append(part)
            elif part["first_row"] >= keep_rows:
                (self.folder / part["file"]).unlink(missing_ok=True)
            else:
                # (after repair_results) a part holding rows on both sides: cut it
                path = self.folder / part["file"]
                df = _read_part(self.folder, part).iloc[: keep_rows - part["first_row"]]
                _write_atomically(path, lambda tmp: _to_parquet(df, tmp))
                kept.append(dict(part, rows=len(df), sha256=_sha256(path)))
        if manifest.rows_in_parts > keep_rows or len(kept) != len(manifest.parts):
            manifest.parts = kept
            manifest.write(self.folder)
        if sum(p["rows"] for p in kept) < keep_rows:
            self._check_lost_rows(sum(p["rows"] for p in kept), keep_rows)

    def _open_journal(self) -> None:
        if self.journaled and self._manifest.journal is not None:
            path = self.folder / self._manifest.journal["file"]
            self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    # -- writing -----------------------------------------------------------------
    def append(self, row: dict, config: dict | None) -> None:
        """Store one row; ``config`` is its trial's current configuration.
        Journaled: the row reaches the operating system before this returns."""
        if self._manifest is None:
            raise RuntimeError("ResultsStore: open_new() or open_resumed() first")
        number = self._num_rows
        if self.journaled:
            trial_id = row.get(ST_TRIAL_ID)
            encode = _ENCODER.encode
            line = encode(["r", number, row])
            if config is not None and self._journal_configs.get(trial_id) is not config:
                self._journal_configs[trial_id] = config
                line = encode(["c", trial_id, config]) + "\n" + line
            data = (line + "\n").encode()
            fd = self._fd
            while data:
                written = os.write(fd, data)
                data = data[written:]
        self._rows.append(row)
        self._configs.append(config)
        self._num_rows = number + 1
        if len(self._rows) >= self.flush_every_rows:
            self.compact()

    def compact(self) -> None:
        """Write the rows held in memory as a new part (see the module
        docstring for the crash-safe order of the steps)."""
        manifest = self._manifest
        if manifest is None or not self._rows:
            return
        folder = self.folder
        index = manifest.next_index()
        part_path = folder / _part_name(index)
        df = rows_to_dataframe(self._rows, self._configs)
        _write_atomically(part_path, lambda tmp: _to_parquet(df, tmp))
        first_row = self._num_rows - len(self._rows)
        new_parts = manifest.parts + [
            {"file": part_path.name, "first_row": first_row, "rows": len(self._rows), "sha256": _sha256(part_path)}
        ]
        old_journal = manifest.journal
        new_journal = None
        if self.journaled:
            new_journal = {"file": _journal_name(index + 1), "first_row": self._num_rows}
            (folder / new_journal["file"]).touch()
        _Manifest(new_parts, new_journal).write(folder)
        manifest.parts, manifest.journal = new_parts, new_journal
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        if old_journal is not None:
            (folder / old_journal["file"]).unlink(missing_ok=True)
        self._rows, self._configs = [], []
        self._journal_configs = {}
        self._open_journal()

    def close(self) -> None:
        """Write what is in memory as a part and close the journal."""
        if self._manifest is None:
            return
        self.compact()
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    # -- reading -------------------------------------------------------------------
    def dataframe(self):
        """Every row stored so far, as a pandas DataFrame."""
        import pandas as pd

        if self._manifest is None:
            return read_results(self.tuner_path) if self.folder.is_dir() else pd.DataFrame()
        frames = [_read_part(self.folder, part) for part in self._manifest.parts]
        if self._rows:
            frames.append(rows_to_dataframe(self._rows, self._configs))
        if not frames:
            return pd.DataFrame()
        return pd.concat(frames, ignore_index=True, sort=False) if len(frames) > 1 else frames[0]

    def write_csv_zip(self, max_rows: int) -> None:
        """Syne Tune's single-file copy ``results.csv.zip`` (runs up to
        ``max_rows`` rows)."""
        if not 0 < self._num_rows <= max_rows:
            return
        df = self.dataframe()
        _write_atomically(
            self.tuner_path / ST_RESULTS_DATAFRAME_FILENAME,
            lambda tmp: df.to_csv(tmp, index=False, compression="zip"),
        )


def _is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _read_part(folder: Path, part: dict):
    import pandas as pd

    path = folder / part["file"]
    try:
        df = pd.read_parquet(path)
    except Exception as ex:
        raise ResultsIntegrityError(f"Results file {path} cannot be read ({ex}); it is corrupt") from ex
    if len(df) != part["rows"]:
        raise ResultsIntegrityError(f"{path} holds {len(df)} rows, the manifest says {part['rows']}")
    return df


def _part_problem(folder: Path, part: dict) -> str | None:
    """What is wrong with a part listed in the manifest (missing, or not its
    checksum), or ``None``."""
    path = folder / part["file"]
    if not path.exists():
        return f"results part {path} listed in {MANIFEST} is missing ({part['rows']} rows lost)"
    digest = _sha256(path)
    if digest != part["sha256"]:
        return (
            f"results part {path} is corrupt (sha256 {digest[:12]}..., the manifest says {part['sha256'][:12]}...)"
        )
    return None


def check_parts(folder: Path, manifest: _Manifest) -> None:
    """Raise :class:`ResultsIntegrityError` unless the parts on disk are
    exactly those of the manifest, each with its checksum, in row order."""
    listed = [p["file"] for p in manifest.parts]
    if len(set(listed)) != len(listed):
        raise ResultsIntegrityError(f"{folder / MANIFEST} lists a part twice")
    expected_first = 0
    for part in manifest.parts:
        problem = _part_problem(folder, part)
        if problem is not None:
            raise ResultsIntegrityError(problem + "; see syne_tune.results_store.repair_results")
        if part["first_row"] != expected_first:
            raise ResultsIntegrityError(
                f"results part {folder / part['file']} starts at row {part['first_row']}, expected {expected_first}"
            )
        expected_first += part["rows"]
    journal = {manifest.journal["file"]} if manifest.journal else set()
    for path in sorted(folder.glob("part-*.parquet")):
        if path.name not in listed:
            raise ResultsIntegrityError(
                f"results part {path} is not in {folder / MANIFEST} (a duplicated or foreign file); "
                "see syne_tune.results_store.repair_results"
            )
    for path in sorted(folder.glob("journal-*.jsonl")):
        if path.name not in journal:
            raise ResultsIntegrityError(
                f"journal {path} is not in {folder / MANIFEST} (a duplicated or foreign file); "
                "see syne_tune.results_store.repair_results"
            )


def read_results(tuner_path: str | Path, errors: str = "raise"):
    """All results stored for a run, as one pandas DataFrame.

    Parameters
    ----------
    tuner_path
        Folder of the run.
    errors
        ``"raise"`` (default): a missing, duplicated or corrupt part raises
        :class:`ResultsIntegrityError`. ``"recover"``: return what is
        readable, with a warning per problem (nothing is changed on disk;
        :func:`repair_results` makes it permanent).

    Returns
    -------
    pandas.DataFrame
        One row per stored result.

    Raises
    ------
    ResultsIntegrityError
        With ``errors="raise"``, if the stored results are incomplete or corrupt.
    """
    import pandas as pd

    if errors not in ("raise", "recover"):
        from syne_tune.utils.validation import Options, check_parameter

        check_parameter("read_results", "errors", errors, [Options(str, {"raise", "recover"})])
    tuner_path = Path(tuner_path)
    folder = tuner_path / RESULTS_FOLDER
    manifest = _Manifest.read(folder) if folder.is_dir() else None
    if manifest is None:
        csv = tuner_path / ST_RESULTS_DATAFRAME_FILENAME
        if csv.exists():
            return pd.read_csv(csv)
        if folder.is_dir() and any(folder.glob("part-*.parquet")):
            message = f"{folder / MANIFEST} is missing: the results cannot be verified"
            if errors == "raise":
                raise ResultsIntegrityError(message + "; see syne_tune.results_store.repair_results")
            logger.warning("%s; reading every part found", message)
            frames = [pd.read_parquet(p) for p in sorted(folder.glob("part-*.parquet"))]
            return pd.concat(frames, ignore_index=True, sort=False)
        return pd.DataFrame()
    if errors == "raise":
        check_parts(folder, manifest)
        frames = [_read_part(folder, part) for part in manifest.parts]
        rows, configs, _ = _journal_rows(folder, manifest)
    else:
        frames, rows, configs = _readable(folder, manifest)
    if rows:
        frames.append(rows_to_dataframe(rows, configs))
    if not frames:
        return pd.DataFrame()
    return pd.concat(frames, ignore_index=True, sort=False) if len(frames) > 1 else frames[0]


def _journal_rows(folder: Path, manifest: _Manifest) -> tuple[list[dict], list[dict | None], int]:
    """The rows of the manifest's journal (strict; see :func:`_read_journal`)."""
    if manifest.journal is None:
        return [], [], 0
    path = folder / manifest.journal["file"]
    if not path.exists():
        raise ResultsIntegrityError(
            f"journal {path} listed in {folder / MANIFEST} is missing: results were lost; "
            "see syne_tune.results_store.repair_results"
        )
    first = manifest.journal["first_row"]
    if first != manifest.rows_in_parts:
        raise ResultsIntegrityError(
            f"{folder / MANIFEST}: the journal starts at row {first}, but the parts hold "
            f"{manifest.rows_in_parts} rows; see syne_tune.results_store.repair_results"
        )
    return _read_journal(path, first)


def _readable(folder: Path, manifest: _Manifest) -> tuple[list, list[dict], list[dict | None]]:
    """What can be read: the valid parts, and the journal's rows but for
    damaged or repeated lines (a warning names each thing left out)."""
    frames = []
    for part in manifest.parts:
        try:
            problem = _part_problem(folder, part)
            if problem is not None:
                raise ResultsIntegrityError(problem)
            frames.append(_read_part(folder, part))
        except ResultsIntegrityError as ex:
            logger.warning("Left out of the results: %s (%d rows)", ex, part["rows"])
    rows: list[dict] = []
    configs: list[dict | None] = []
    if manifest.journal is not None:
        path = folder / manifest.journal["file"]
        if path.exists():
            rows, configs, _ = _read_journal(path)
        else:
            logger.warning("Left out of the results: journal %s is missing", path)
    return frames, rows, configs


def repair_results(tuner_path: str | Path) -> int:
    """Keep what is readable of a run's results and make the store
    consistent again, so that the run can be read and resumed.

    Every problem is logged. The readable rows (valid parts, journal rows
    except damaged or repeated lines) are written into one new part listed by
    a new manifest; the files it replaces, damaged ones included, are moved
    to ``results/damaged/``. A resumed tuner then replays (or simulates
    again) what its saved state does not cover.

    Parameters
    ----------
    tuner_path
        Folder of the run.

    Returns
    -------
    int
        Number of rows kept.

    Raises
    ------
    FileNotFoundError
        If the run has no results folder.
    """
    import pandas as pd

    tuner_path = Path(tuner_path)
    folder = tuner_path / RESULTS_FOLDER
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} does not exist")
    try:
        manifest = _Manifest.read(folder)
    except ResultsIntegrityError as ex:
        logger.warning("repair_results: %s", ex)
        manifest = None
    if manifest is None:
        frames = []
        for path in sorted(folder.glob("part-*.parquet")):
            try:
                frames.append(pd.read_parquet(path))
            except Exception:
                logger.warning("repair_results: %s cannot be read", path)
        rows: list[dict] = []
        configs: list[dict | None] = []
        for path in sorted(folder.glob("journal-*.jsonl")):
            more_rows, more_configs, _ = _read_journal(path)
            rows += more_rows
            configs += more_configs
    else:
        frames, rows, configs = _readable(folder, manifest)
    if rows:
        frames.append(rows_to_dataframe(rows, configs))
    df = pd.concat(frames, ignore_index=True, sort=False) if frames else pd.DataFrame()
    damaged = folder / DAMAGED_FOLDER
    damaged.mkdir(exist_ok=True)
    old_files = [*folder.glob("part-*.parquet"), *folder.glob("journal-*.jsonl"), *folder.glob(MANIFEST)]
    for path in old_files:
        target = damaged / path.name
        suffix = 1
        while target.exists():
            target = damaged / f"{path.name}.{suffix}"
            suffix += 1
        shutil.move(str(path), str(target))
    new = _Manifest(parts=[], journal=None, repaired=True)
    if len(df):
        part_path = folder / _part_name(0)
        _write_atomically(part_path, lambda tmp: _to_parquet(df, tmp))
        new.parts = [{"file": part_path.name, "first_row": 0, "rows": len(df), "sha256": _sha256(part_path)}]
    new.journal = {"file": _journal_name(1), "first_row": len(df)}
    (folder / new.journal["file"]).touch()
    new.write(folder)
    logger.warning("repair_results: kept %d rows of %s; the files it replaced are in %s", len(df), tuner_path, damaged)
    return len(df)
