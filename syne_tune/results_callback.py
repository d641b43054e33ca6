"""Storing every reported result on disk.

Results go to ``<tuner_path>/results/part-NNNNNN.parquet``: an append-only
series of parquet files, each written to a temporary name and renamed, so a
crash never leaves a corrupt file and memory stays flat however long the run.
The tuner records how many parts belong to its saved state, so a resumed
tuner drops parts written after its last save (their results are read again
from the trials). At the end of tuning, a ``results.csv.zip`` is also written
for tools that expect Syne Tune's single-file layout (small runs only).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from syne_tune.trial import Trial
from syne_tune.constants import (
    ST_DECISION,
    ST_RESULTS_DATAFRAME_FILENAME,
    ST_STATUS,
    ST_TRIAL_ID,
    ST_TUNER_TIME,
)
from syne_tune.tuner_callback import TunerCallback

logger = logging.getLogger(__name__)

RESULTS_FOLDER = "results"
#: Above this many rows the compatibility file results.csv.zip is not written.
MAX_ROWS_CSV = 200_000


class ExtraResultsComposer:
    """Adds extra columns (e.g. scheduler internals) to each stored row."""

    def __call__(self, tuner) -> dict | None:
        raise NotImplementedError

    def keys(self) -> list[str]:
        raise NotImplementedError


def _part_path(folder: Path, index: int) -> Path:
    return folder / f"part-{index:06d}.parquet"


def _write_dataframe_atomically(df, path: Path, writer) -> None:
    tmp = path.with_name(path.name + ".tmp")
    writer(df, tmp)
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


def read_results(tuner_path: str | Path, num_parts: int | None = None):
    """All results stored for a run, as one pandas DataFrame.

    Parameters
    ----------
    tuner_path
        Folder of the run.
    num_parts
        Read only the first ``num_parts`` parts (default: all).
    """
    import pandas as pd

    tuner_path = Path(tuner_path)
    folder = tuner_path / RESULTS_FOLDER
    parts = sorted(folder.glob("part-*.parquet")) if folder.is_dir() else []
    if num_parts is not None:
        parts = parts[:num_parts]
    if not parts:
        csv = tuner_path / ST_RESULTS_DATAFRAME_FILENAME
        if csv.exists():
            return pd.read_csv(csv)
        return pd.DataFrame()
    frames = []
    for part in parts:
        try:
            frames.append(pd.read_parquet(part))
        except Exception as ex:
            raise ValueError(f"Results file {part} cannot be read ({ex}); it may be corrupt") from ex
    return pd.concat(frames, ignore_index=True, sort=False) if len(frames) > 1 else frames[0]


class StoreResultsCallback(TunerCallback):
    """Stores one row per reported result (the default tuner callback).

    Each row holds the reported metrics, ``trial_id``, ``st_decision``,
    ``st_status``, ``st_tuner_time`` (tuner time, simulated in the simulator)
    and one ``config_<name>`` column per hyperparameter.

    Parameters
    ----------
    add_wallclock_time
        Add the ``st_tuner_time`` column.
    extra_results_composer
        Optional :class:`ExtraResultsComposer` adding columns to each row.
    flush_every_rows
        Write a part file once this many rows are buffered (bounds memory).
    """

    def __init__(self, add_wallclock_time: bool = True, extra_results_composer: ExtraResultsComposer | None = None, flush_every_rows: int = 10_000):
        if flush_every_rows < 1:
            raise ValueError(f"flush_every_rows must be positive, got {flush_every_rows}")
        self.add_wallclock_time = add_wallclock_time
        self.extra_results_composer = extra_results_composer
        self.flush_every_rows = int(flush_every_rows)
        self._rows: list[dict] = []
        self._configs: dict[int, dict] = {}
        self._num_parts = 0
        self._tuner = None

    # -- state -------------------------------------------------------------------
    def __getstate__(self):
        state = dict(self.__dict__)
        state["_tuner"] = None
        state["_rows"] = []  # flushed before every save
        state["_configs"] = {}
        return state

    @property
    def num_parts(self) -> int:
        return self._num_parts

    # -- hooks -------------------------------------------------------------------
    def on_tuning_start(self, tuner) -> None:
        self._tuner = tuner
        folder = Path(tuner.tuner_path) / RESULTS_FOLDER
        folder.mkdir(parents=True, exist_ok=True)
        # parts beyond the saved state come from a run that was killed after
        # writing them: their results are read again from the trials
        for part in folder.glob("part-*.parquet"):
            if int(part.stem.split("-")[1]) >= self._num_parts:
                part.unlink()
        for tmp in folder.glob("*.tmp"):
            tmp.unlink()

    def on_trial_result(self, trial: Trial, status: str, result: dict, decision: str) -> None:
        row = dict(result)
        row[ST_DECISION] = decision
        row[ST_STATUS] = status
        row[ST_TRIAL_ID] = trial.trial_id
        if self.add_wallclock_time:
            row[ST_TUNER_TIME] = self._tuner.time_keeper.time()
        if self.extra_results_composer is not None:
            extra = self.extra_results_composer(self._tuner)
            if extra:
                row.update(extra)
        if trial.trial_id not in self._configs:
            self._configs[trial.trial_id] = trial.config
        self._rows.append(row)
        if len(self._rows) >= self.flush_every_rows:
            self.flush()

    def on_tuning_end(self) -> None:
        self.flush()
        if self._tuner is not None:
            self._write_csv_zip(Path(self._tuner.tuner_path))

    # -- writing -----------------------------------------------------------------
    def flush(self) -> None:
        """Write buffered rows to a new part file."""
        if not self._rows or self._tuner is None:
            return
        import pandas as pd

        df = pd.DataFrame(self._rows)
        config_keys: list[str] = []
        for config in self._configs.values():
            for key in config:
                if key not in config_keys:
                    config_keys.append(key)
        trial_ids = df[ST_TRIAL_ID].to_numpy()
        for key in config_keys:
            df[f"config_{key}"] = [self._configs[t].get(key) for t in trial_ids]
        folder = Path(self._tuner.tuner_path) / RESULTS_FOLDER
        folder.mkdir(parents=True, exist_ok=True)
        _write_dataframe_atomically(df, _part_path(folder, self._num_parts), _to_parquet)
        self._num_parts += 1
        self._rows = []
        self._configs = {}

    def _write_csv_zip(self, tuner_path: Path) -> None:
        try:
            df = self.dataframe()
            if 0 < len(df) <= MAX_ROWS_CSV:
                _write_dataframe_atomically(df, tuner_path / ST_RESULTS_DATAFRAME_FILENAME, lambda d, p: d.to_csv(p, index=False, compression="zip"))
        except Exception as ex:  # the parquet parts are authoritative
            logger.warning("Could not write %s: %s", ST_RESULTS_DATAFRAME_FILENAME, ex)

    def dataframe(self):
        """Results stored so far (written parts and buffered rows)."""
        import pandas as pd

        if self._tuner is None:
            return pd.DataFrame()
        self.flush()
        return read_results(self._tuner.tuner_path, num_parts=self._num_parts)
