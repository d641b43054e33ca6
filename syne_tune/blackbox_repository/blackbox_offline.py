"""Blackbox backed by a long table of offline evaluations (one row per
configuration, fidelity and seed), its conversion into a dense
:class:`~syne_tune.blackbox_repository.blackbox_tabular.BlackboxTabular`,
and its :func:`serialize` / :func:`deserialize` in the repository format
(see :mod:`~syne_tune.blackbox_repository.storage`)."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import numpy as np
import pandas as pd

from syne_tune.blackbox_repository import storage
from syne_tune.blackbox_repository.blackbox import Blackbox, ObjectiveFunctionResult
from syne_tune.blackbox_repository.blackbox_tabular import (
    BlackboxTabular,
    hyperparameter_columns,
    objective_columns,
)
from syne_tune.blackbox_repository.errors import (
    ConfigurationNotFoundError,
    CorruptBlackboxError,
)
from syne_tune.blackbox_repository.hyperparameter_index import (
    HyperparameterIndex,
    _series_to_list,
)


class BlackboxOffline(Blackbox):
    """Blackbox answering from a table of evaluations.

    Parameters
    ----------
    df_evaluations
        One row per evaluation, with a column per hyperparameter, per
        fidelity attribute, ``seed_col`` if given, and per objective.
    configuration_space
        Configuration space.
    fidelity_space
        Fidelity space (optional).
    objectives_names
        Objective columns; default: all columns whose name starts with
        ``metric_``.
    seed_col
        Column holding the seed, if evaluations were repeated. The ``seed``
        argument of :meth:`objective_function` is then a value of this column
        (not a position); without ``seed_col`` it is ignored.

    Notes
    -----
    Lookups are exact matches on the hyperparameter values (through a dict
    built once). Without fidelity argument and with a single fidelity
    attribute, all fidelities are returned as array ``(num_fidelities,
    num_objectives)``, rows in the order of :attr:`fidelity_values` (the
    sorted values of the fidelity column); a fidelity not recorded for a
    configuration (but for another one) gives NaN values.
    """

    def __init__(
        self,
        df_evaluations: pd.DataFrame,
        configuration_space: Dict[str, Any],
        fidelity_space: Optional[Dict[str, Any]] = None,
        objectives_names: Optional[List[str]] = None,
        seed_col: Optional[str] = None,
    ):
        objectives_names = objective_columns(df_evaluations, objectives_names)
        super().__init__(
            configuration_space=configuration_space,
            fidelity_space=fidelity_space,
            objectives_names=objectives_names,
        )
        self.metric_cols = list(objectives_names)
        self.hp_names = hyperparameter_columns(configuration_space, df_evaluations.columns)
        self.fidelity_names = list(fidelity_space) if fidelity_space else []
        overlap = set(self.fidelity_names) & set(self.hp_names)
        if overlap:
            raise ValueError(f"{overlap} both hyperparameter and fidelity")
        self.seed_col = seed_col
        if seed_col is not None and seed_col in self.hp_names + self.fidelity_names:
            raise ValueError(f"seed column {seed_col} is also a hyperparameter or fidelity")
        self.index_cols = self.hp_names + self.fidelity_names + (
            [seed_col] if seed_col is not None else []
        )
        missing = [c for c in self.index_cols if c not in df_evaluations.columns]
        if missing:
            raise ValueError(
                f"columns {missing} of the configuration/fidelity space or seed "
                "not found in the table"
            )
        self.df_evaluations = df_evaluations.reset_index(drop=True)
        self._build_lookup()
        self.metadata: Dict[str, Any] = {}

    @property
    def df(self) -> pd.DataFrame:
        """The evaluations, indexed by hyperparameters, fidelities and seed
        (as in Syne Tune)."""
        return self.df_evaluations.set_index(self.index_cols)

    def _build_lookup(self):
        df = self.df_evaluations
        values = df[self.metric_cols].to_numpy(dtype=np.float64)
        values.flags.writeable = False
        self._values = values
        self._fidelity_values = (
            np.sort(df[self.fidelity_names[0]].unique())
            if len(self.fidelity_names) == 1
            else None
        )
        self._seed_values = (
            np.sort(df[self.seed_col].unique()).tolist() if self.seed_col else None
        )
        columns = [_series_to_list(df[c]) for c in self.hp_names]
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            keys = list(zip(*columns)) if columns else [()] * len(df)
            if not self.fidelity_names and self.seed_col is None:
                # one row per configuration: direct index
                self._row_of = dict(zip(keys, range(len(keys))))
                if len(self._row_of) != len(keys):
                    raise ValueError(
                        "duplicate evaluations of a configuration; give seed_col "
                        "or a fidelity space"
                    )
                self._seeds_of = None
                unique_keys = list(self._row_of)
            else:
                self._row_of = None
                self._build_grouped(df, keys, values)
                unique_keys = list(self._seeds_of)
        finally:
            if gc_was_enabled:
                gc.enable()
        # index for tolerant lookups (float round trips), built when needed
        self._hp_index_cache = None
        self._hp_index_columns = (
            None
            if not self.hp_names or not unique_keys
            else columns
            if self._row_of is not None
            else [list(c) for c in zip(*unique_keys)]
        )

    @property
    def _hp_index(self) -> Optional[HyperparameterIndex]:
        if self._hp_index_cache is None and self._hp_index_columns is not None:
            self._hp_index_cache = HyperparameterIndex(self.hp_names, self._hp_index_columns)
        return self._hp_index_cache

    def _build_grouped(self, df, keys, values):
        seeds = _series_to_list(df[self.seed_col]) if self.seed_col else [None] * len(df)
        if self.fidelity_names:
            fid_keys = [tuple(r) for r in df[self.fidelity_names].to_numpy().tolist()]
        else:
            fid_keys = [()] * len(df)
        # a single fidelity: every curve is aligned with fidelity_values
        aligned = None
        if self._fidelity_values is not None:
            aligned = {(v,): i for i, v in enumerate(self._fidelity_values.tolist())}
        groups: Dict[tuple, Dict[Any, List[int]]] = {}
        for row, (key, seed) in enumerate(zip(keys, seeds)):
            groups.setdefault(key, {}).setdefault(seed, []).append(row)
        self._seeds_of: Dict[tuple, list] = {}
        self._entries: Dict[Tuple[tuple, Any], Tuple[Dict[tuple, int], np.ndarray]] = {}
        for key, by_seed in groups.items():
            self._seeds_of[key] = sorted(by_seed, key=lambda s: (s is None, s))
            for seed, rows in by_seed.items():
                if aligned is not None:
                    fid_pos = aligned
                    positions = [aligned[fid_keys[r]] for r in rows]
                    arr = np.full((len(aligned), values.shape[1]), np.nan)
                    arr[positions] = values[rows]
                    duplicates = len(set(positions)) != len(rows)
                else:
                    order = sorted(rows, key=lambda r: fid_keys[r])
                    fid_pos = {fid_keys[r]: i for i, r in enumerate(order)}
                    arr = values[order]
                    duplicates = len(fid_pos) != len(order)
                if duplicates:
                    raise ValueError(
                        f"duplicate evaluations of configuration "
                        f"{dict(zip(self.hp_names, key))} (seed {seed}); use seed_col"
                    )
                arr.flags.writeable = False
                self._entries[(key, seed)] = (fid_pos, arr)

    def _objective_function(self, configuration, fidelity=None, seed=None):
        if self._row_of is not None:
            try:
                row = self._row_of[tuple([configuration[k] for k in self.hp_names])]
            except (KeyError, TypeError):
                key = self._key_of(configuration)
                row = self._row_of[key]
            return dict(zip(self.metric_cols, self._values[row].tolist()))
        return self._grouped_objective_function(configuration, fidelity, seed)

    def _key_of(self, configuration: Dict[str, Any]) -> tuple:
        key = tuple(configuration[k] for k in self.hp_names) if all(
            k in configuration for k in self.hp_names
        ) else None
        known = self._row_of if self._row_of is not None else self._seeds_of
        if key is not None:
            try:
                if key in known:
                    return key
            except TypeError:
                pass
        if self._hp_index is None:
            return ()
        row = self._hp_index.lookup(configuration)  # raises if absent
        return tuple(col[row] for col in self._hp_index.columns)

    def _grouped_objective_function(
        self,
        configuration: Dict[str, Any],
        fidelity: Optional[Dict[str, Any]] = None,
        seed: Optional[int] = None,
    ) -> ObjectiveFunctionResult:
        key = self._key_of(configuration)
        seeds = self._seeds_of[key]
        if self.seed_col is None:
            seed_key = None
        elif seed is None:
            seed_key = seeds[np.random.randint(len(seeds))]
        else:
            seed_key = seed
            if (key, seed_key) not in self._entries:
                raise ConfigurationNotFoundError(
                    f"seed {seed} not recorded for configuration {configuration} "
                    f"(recorded seeds: {seeds})"
                )
        fid_pos, arr = self._entries[(key, seed_key)]
        if fidelity is None:
            if self.fidelity_names:
                return arr
            return dict(zip(self.metric_cols, arr[0].tolist()))
        fid_key = tuple(fidelity.get(name) for name in self.fidelity_names)
        pos = fid_pos.get(fid_key)
        if pos is None:
            raise ConfigurationNotFoundError(
                f"fidelity {fidelity} not recorded for configuration {configuration}"
            )
        return dict(zip(self.metric_cols, arr[pos].tolist()))

    @property
    def fidelity_values(self) -> Optional[np.ndarray]:
        """Sorted values of the fidelity column (``None`` unless there is
        exactly one fidelity attribute)."""
        return self._fidelity_values

    @property
    def num_seeds(self) -> int:
        """Number of distinct values of the seed column (1 without one)."""
        return 1 if self._seed_values is None else len(self._seed_values)

    @property
    def seed_values(self) -> Optional[List[Any]]:
        """Sorted values of the seed column (the valid ``seed`` arguments),
        or ``None`` without seed column."""
        return None if self._seed_values is None else list(self._seed_values)

    def all_configurations(self) -> List[Dict[str, Any]]:
        """The evaluated configurations, each once, in order of first
        appearance in the table."""
        if self._hp_index is None:
            return [{}] if len(self.df_evaluations) else []
        return self._hp_index.all_configurations()

    def hyperparameter_objectives_values(
        self, predict_curves: bool = False
    ) -> Tuple[pd.DataFrame, pd.DataFrame]:
        """The table's rows as ``(X, y)``: hyperparameter and fidelity
        columns, objective columns (``predict_curves=False`` only).

        Raises
        ------
        NotImplementedError
            For ``predict_curves=True`` (use :meth:`to_tabular` first).
        """
        if predict_curves:
            raise NotImplementedError(
                "BlackboxOffline supports predict_curves=False only; convert it "
                "with to_tabular() for curve prediction"
            )
        X = self.df_evaluations[self.hp_names + self.fidelity_names].reset_index(drop=True)
        y = self.df_evaluations[self.metric_cols].reset_index(drop=True)
        return X, y

    def to_tabular(self, fidelity_values: Optional[np.ndarray] = None) -> BlackboxTabular:
        """Dense :class:`BlackboxTabular` with the same evaluations (missing
        combinations are NaN; seeds become positions 0, 1, ...)."""
        bb = BlackboxTabular.from_dataframe(
            self.df_evaluations,
            configuration_space=self.configuration_space,
            fidelity_space=self.fidelity_space,
            objectives_names=self.metric_cols,
            seed_col=self.seed_col,
            fidelity_values=fidelity_values,
        )
        bb.metadata = dict(self.metadata)
        return bb

    def __str__(self) -> str:
        return (
            f"offline blackbox: evaluations: {len(self.df_evaluations)}, objectives: "
            f"{self.objectives_names}, hyperparameters: {self.hp_names}"
        )


# -------------------------------------------------------------- storage
def serialize(
    bb_dict: Dict[str, BlackboxOffline],
    path,
    metadata: Optional[Dict[str, Any]] = None,
    categorical_cols: Optional[List[str]] = None,
) -> Path:
    """Stores offline blackboxes (one per task) in folder ``path``, in the
    repository format (see :mod:`~syne_tune.blackbox_repository.storage`).

    Parameters
    ----------
    bb_dict
        Task name -> :class:`BlackboxOffline`, or a single blackbox (stored
        as task ``Path(path).name``).
    path, metadata
        Folder to write (replaced atomically) and recipe metadata: see
        :func:`~syne_tune.blackbox_repository.storage.write_folder`.
    categorical_cols
        Accepted for compatibility and ignored: string columns are
        dictionary-encoded anyway.

    Returns
    -------
    pathlib.Path
        The folder.
    """
    if isinstance(bb_dict, BlackboxOffline):
        bb_dict = {Path(path).name: bb_dict}
    storage.check_blackbox_dict(bb_dict, BlackboxOffline, "serialize")

    def write_task(writer: storage.FolderWriter, index: int, bb: BlackboxOffline) -> dict:
        data = writer.add_file(
            f"data-{index}.parquet",
            lambda p: storage.write_table(bb.df_evaluations, p, "evaluations table"),
        )
        return {
            "data": data,
            "seed_col": bb.seed_col,
            "num_rows": int(len(bb.df_evaluations)),
        }

    return storage.write_folder(path, storage.KIND_OFFLINE, bb_dict, metadata, write_task)


def deserialize(
    path,
    verify_checksums: bool = True,
    tasks: Optional[List[str]] = None,
    ignore_hash: bool = True,
) -> Dict[str, BlackboxOffline]:
    """Loads the offline blackboxes stored in folder ``path`` (written by
    :func:`serialize`).

    Parameters
    ----------
    path
        The folder.
    verify_checksums, tasks, ignore_hash
        Which tasks, which integrity checks: see
        :func:`~syne_tune.blackbox_repository.storage.open_folder`.

    Returns
    -------
    dict
        Task name -> :class:`BlackboxOffline`, each with ``metadata``.

    Raises
    ------
    BlackboxFileMissingError, CorruptBlackboxError
        If a file is missing or damaged.
    ValueError
        If the folder holds tabular blackboxes.
    """

    def read_task(stored: storage.StoredFolder, task: storage.StoredTask) -> BlackboxOffline:
        fpath = stored.path / task.entry["data"]
        frame = storage.read_table(fpath).to_pandas()
        expected_rows = task.entry.get("num_rows")
        if expected_rows is not None and len(frame) != expected_rows:
            raise CorruptBlackboxError(
                f"blackbox file {fpath} has {len(frame)} rows, expected {expected_rows}"
            )
        return BlackboxOffline(
            df_evaluations=frame,
            configuration_space=task.configuration_space,
            fidelity_space=task.fidelity_space,
            objectives_names=stored.objectives_names,
            seed_col=task.entry.get("seed_col"),
        )

    return storage.read_folder(
        path,
        storage.KIND_OFFLINE,
        read_task,
        tasks=tasks,
        verify_checksums=verify_checksums,
        ignore_hash=ignore_hash,
    )
