"""Tabulated blackbox: objectives recorded for a finite set of
configurations, all seeds and all fidelities, in one dense array; its
:func:`serialize` / :func:`deserialize` in the repository format (see
:mod:`~syne_tune.blackbox_repository.storage`).

:meth:`BlackboxTabular.from_dataframe` pivots a long table (one row per
configuration, seed and fidelity) into this dense form; the helpers that
read such tables (:func:`hyperparameter_columns`, :func:`objective_columns`)
are shared with :mod:`~syne_tune.blackbox_repository.blackbox_offline`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple, Union

import numpy as np
import pandas as pd

from syne_tune.blackbox_repository import storage
from syne_tune.blackbox_repository.blackbox import (
    Blackbox,
    ObjectiveFunctionResult,
    is_domain,
)
from syne_tune.blackbox_repository.errors import CorruptBlackboxError
from syne_tune.blackbox_repository.hyperparameter_index import (
    HyperparameterIndex,
    _series_to_list,
)
from syne_tune.utils.validation import check_parameter


def _read_only(array: np.ndarray) -> np.ndarray:
    view = array.view()
    view.flags.writeable = False
    return view


def hyperparameter_columns(
    configuration_space: Dict[str, Any], columns
) -> List[str]:
    """Hyperparameter columns of a long table: the keys of the space that are
    domains, plus constant keys that happen to be columns.

    Parameters
    ----------
    configuration_space
        The configuration space.
    columns
        Column names of the table.

    Returns
    -------
    list of str
        In the order of the space.
    """
    columns = set(columns)
    return [
        name
        for name, value in configuration_space.items()
        if is_domain(value) or name in columns
    ]


def objective_columns(
    df: pd.DataFrame, objectives_names: Optional[List[str]] = None
) -> List[str]:
    """Objective columns of a long table.

    Parameters
    ----------
    df
        The table.
    objectives_names
        The objective columns, or ``None`` for all columns whose name
        starts with ``metric_``.

    Returns
    -------
    list of str
        The objective columns.

    Raises
    ------
    ValueError
        If a named objective is not a column.
    """
    if objectives_names is None:
        return [c for c in df.columns if str(c).startswith("metric_")]
    missing = [c for c in objectives_names if c not in df.columns]
    if missing:
        raise ValueError(
            f"objective columns {missing} not found in the table (columns: "
            f"{list(df.columns)})"
        )
    return list(objectives_names)


class BlackboxTabular(Blackbox):
    """Blackbox answering from a table of recorded evaluations.

    Parameters
    ----------
    hyperparameters
        One row per evaluated configuration, one column per hyperparameter
        (the non-constant keys of ``configuration_space``); a
        :class:`~syne_tune.blackbox_repository.hyperparameter_index.HyperparameterIndex`
        is accepted too (shared between tasks without copying).
    configuration_space
        Configuration space.
    fidelity_space
        Fidelity space with a single entry (e.g. ``{"hp_epoch":
        randint(1, 200)}``), or ``None``.
    objectives_evaluations
        Array of shape ``(num_evals, num_seeds, num_fidelities,
        num_objectives)``.
    fidelity_values
        The ``num_fidelities`` fidelity values, sorted; default ``1, ...,
        num_fidelities``.
    objectives_names
        Default ``y0, y1, ...``.

    Notes
    -----
    Configurations are looked up by exact match of their values (extra keys,
    such as a ``max_resource_attr`` entry, are ignored); an unknown
    configuration raises
    :class:`~syne_tune.blackbox_repository.errors.ConfigurationNotFoundError`
    (a ``KeyError`` and a ``ValueError``). Arrays returned by
    :meth:`objective_function` are read-only views into the table.
    """

    def __init__(
        self,
        hyperparameters: Union[pd.DataFrame, HyperparameterIndex],
        configuration_space: Dict[str, Any],
        fidelity_space: Optional[Dict[str, Any]],
        objectives_evaluations: np.ndarray,
        fidelity_values: Optional[np.ndarray] = None,
        objectives_names: Optional[List[str]] = None,
    ):
        check_parameter(
            self, "hyperparameters", hyperparameters, [pd.DataFrame, HyperparameterIndex]
        )
        hp_index = (
            hyperparameters
            if isinstance(hyperparameters, HyperparameterIndex)
            else HyperparameterIndex.from_frame(hyperparameters)
        )
        objectives_evaluations = np.asarray(objectives_evaluations)
        if objectives_evaluations.ndim != 4:
            raise ValueError(
                "objectives_evaluations must have shape (num_evals, num_seeds, "
                f"num_fidelities, num_objectives), got {objectives_evaluations.shape}"
            )
        num_evals, num_seeds, num_fidelities, num_objectives = (
            objectives_evaluations.shape
        )
        if num_evals != hp_index.num_rows:
            raise ValueError(
                f"{hp_index.num_rows} hyperparameter rows but objectives_evaluations "
                f"has {num_evals} evaluations"
            )
        if objectives_names is None:
            objectives_names = [f"y{i}" for i in range(num_objectives)]
        super().__init__(
            configuration_space=configuration_space,
            fidelity_space=fidelity_space,
            objectives_names=objectives_names,
        )
        if len(self.objectives_names) != num_objectives:
            raise ValueError(
                f"{len(self.objectives_names)} objective names for "
                f"{num_objectives} objectives"
            )
        if fidelity_space is not None and len(fidelity_space) != 1:
            raise ValueError(
                "tabular blackboxes support a single fidelity attribute, got "
                f"{list(fidelity_space)}"
            )
        if fidelity_values is None:
            fidelity_values = np.arange(1, num_fidelities + 1)
        fidelity_values = np.asarray(fidelity_values)
        if fidelity_values.shape != (num_fidelities,):
            raise ValueError(
                f"{fidelity_values.shape[0] if fidelity_values.ndim else 0} fidelity "
                f"values for {num_fidelities} fidelities"
            )
        if fidelity_space is None and num_fidelities != 1:
            raise ValueError(
                f"{num_fidelities} fidelities recorded but no fidelity space given"
            )
        # hyperparameter columns and configuration space must agree
        columns = set(hp_index.names)
        missing = [
            k for k, v in configuration_space.items() if is_domain(v) and k not in columns
        ]
        extra = [k for k in hp_index.names if k not in configuration_space]
        if missing or extra:
            raise ValueError(
                "the hyperparameter columns must match the configuration space: "
                f"missing columns {missing}, columns not in the space {extra}"
            )
        self._hp = hp_index
        self._hp_names = hp_index.names
        self._index = hp_index.index
        self._objectives = _read_only(objectives_evaluations)
        self.num_seeds = num_seeds
        self.num_fidelities = num_fidelities
        self._fidelity_values = _read_only(fidelity_values)
        self._fidelity_pos = {v: i for i, v in enumerate(fidelity_values.tolist())}
        self._fidelity_attr = (
            next(iter(fidelity_space)) if fidelity_space is not None else None
        )
        self.metadata: Dict[str, Any] = {}

    @classmethod
    def from_dataframe(
        cls,
        df: pd.DataFrame,
        configuration_space: Dict[str, Any],
        fidelity_space: Optional[Dict[str, Any]] = None,
        objectives_names: Optional[List[str]] = None,
        seed_col: Optional[str] = None,
        fidelity_values: Optional[np.ndarray] = None,
    ) -> "BlackboxTabular":
        """Builds a tabular blackbox from a long table.

        Parameters
        ----------
        df
            One row per (configuration, seed, fidelity): hyperparameter
            columns, the fidelity column, optionally ``seed_col``, and the
            objective columns.
        configuration_space
            Configuration space.
        fidelity_space
            Single-entry fidelity space (``None``: one fidelity).
        objectives_names
            Objective columns (default: all starting with ``metric_``).
        seed_col
            Column of the seed, if evaluations were repeated.
        fidelity_values
            Fidelity values (default: the sorted values of the column).

        Returns
        -------
        BlackboxTabular
            Configurations keep their order of first appearance; seeds are
            numbered 0, 1, ... in sorted order; absent combinations are NaN.

        Raises
        ------
        ValueError
            If a fidelity is not among ``fidelity_values``, or several rows
            have the same configuration, seed and fidelity.
        """
        objectives_names = objective_columns(df, objectives_names)
        hp_names = hyperparameter_columns(configuration_space, df.columns)
        if fidelity_space is not None and len(fidelity_space) != 1:
            raise ValueError("only a single fidelity attribute is supported")
        fid_name = next(iter(fidelity_space)) if fidelity_space else None
        df = df.reset_index(drop=True)
        columns = [_series_to_list(df[c]) for c in hp_names]
        code_of: Dict[tuple, int] = {}
        first_rows: List[int] = []
        codes = np.empty(len(df), dtype=np.int64)
        for row, key in enumerate(zip(*columns)):
            code = code_of.get(key)
            if code is None:
                code = code_of[key] = len(first_rows)
                first_rows.append(row)
            codes[row] = code
        hyperparameters = df.loc[first_rows, hp_names].reset_index(drop=True)
        if seed_col is not None:
            seed_values = np.sort(df[seed_col].unique())
            seed_codes = np.searchsorted(seed_values, df[seed_col].to_numpy())
            num_seeds = len(seed_values)
        else:
            seed_codes = np.zeros(len(df), dtype=int)
            num_seeds = 1
        if fid_name is not None:
            if fidelity_values is None:
                fidelity_values = np.sort(df[fid_name].unique())
            fidelity_values = np.asarray(fidelity_values)
            fid_codes = np.searchsorted(fidelity_values, df[fid_name].to_numpy())
            bad = (fid_codes >= len(fidelity_values)) | (
                fidelity_values[np.minimum(fid_codes, len(fidelity_values) - 1)]
                != df[fid_name].to_numpy()
            )
            if bad.any():
                raise ValueError(
                    f"fidelity values {df[fid_name][bad].unique()[:5]} not in fidelity_values"
                )
        else:
            fidelity_values = (
                np.array([1]) if fidelity_values is None else np.asarray(fidelity_values)
            )
            fid_codes = np.zeros(len(df), dtype=int)
        num_objectives = len(objectives_names)
        values = np.full(
            (len(hyperparameters), num_seeds, len(fidelity_values), num_objectives),
            np.nan,
            dtype=np.float32,
        )
        flat = (codes * num_seeds + seed_codes) * len(fidelity_values) + fid_codes
        if len(np.unique(flat)) != len(flat):
            raise ValueError(
                "several rows for the same configuration, seed and fidelity; give seed_col"
            )
        values.reshape(-1, num_objectives)[flat] = df[objectives_names].to_numpy(
            dtype=np.float32
        )
        return cls(
            hyperparameters=hyperparameters,
            configuration_space=configuration_space,
            fidelity_space=fidelity_space,
            objectives_evaluations=values,
            fidelity_values=fidelity_values,
            objectives_names=objectives_names,
        )

    # ------------------------------------------------------------ hot path
    def objective_function(
        self,
        configuration: Union[Dict[str, Any], int],
        fidelity=None,
        seed: Optional[int] = None,
    ) -> ObjectiveFunctionResult:
        """See :meth:`Blackbox.objective_function`; ``configuration`` may
        also be a row number of the table.

        Raises
        ------
        ConfigurationNotFoundError
            If the configuration is not in the table.
        ValueError
            If the seed or the fidelity is not recorded.
        """
        if isinstance(configuration, dict):
            try:
                row = self._index[tuple([configuration[k] for k in self._hp_names])]
            except (KeyError, TypeError):
                row = self._hp.lookup(configuration)
        else:
            row = int(configuration)
            if not 0 <= row < len(self._objectives):
                raise IndexError(
                    f"row {row} out of range (0..{len(self._objectives) - 1})"
                )
        if seed is None:
            seed = np.random.randint(0, self.num_seeds) if self.num_seeds > 1 else 0
        elif not 0 <= seed < self.num_seeds:
            raise ValueError(f"seed = {seed} must be in [0, {self.num_seeds - 1}]")
        if fidelity is None:
            if self._fidelity_attr is None:  # no fidelity: one result
                return dict(zip(self.objectives_names, self._objectives[row, seed, 0].tolist()))
            return self._objectives[row, seed]
        if self._fidelity_attr is None:
            raise ValueError(
                f"this blackbox has no fidelity, but fidelity={fidelity} was given"
            )
        if isinstance(fidelity, dict):
            if len(fidelity) != 1 or self._fidelity_attr not in fidelity:
                raise ValueError(
                    f"fidelity must be {{'{self._fidelity_attr}': value}}, got {fidelity}"
                )
            value = fidelity[self._fidelity_attr]
        else:
            value = fidelity
        pos = self._fidelity_pos.get(value)
        if pos is None:
            pos = self._fidelity_position_slow(value)
        return dict(zip(self.objectives_names, self._objectives[row, seed, pos].tolist()))

    def _objective_function(self, configuration, fidelity=None, seed=None):
        return self.objective_function(configuration, fidelity=fidelity, seed=seed)

    def _fidelity_position_slow(self, value) -> int:
        try:
            fv = float(value)
            matches = np.nonzero(np.isclose(self._fidelity_values.astype(float), fv))[0]
            if len(matches) > 0:
                return int(matches[0])
        except (TypeError, ValueError):
            pass
        raise ValueError(
            f"fidelity {self._fidelity_attr} = {value} is not among the recorded "
            f"fidelity values {self._fidelity_values[:5].tolist()}"
            f"{' ...' if len(self._fidelity_values) > 5 else ''}"
        )

    # ------------------------------------------------------------- queries
    @property
    def fidelity_values(self) -> Optional[np.ndarray]:
        """Sorted fidelity values (None if the blackbox has no fidelity)."""
        return None if self._fidelity_attr is None else self._fidelity_values

    @property
    def objectives_evaluations(self) -> np.ndarray:
        """Read-only array ``(num_evals, num_seeds, num_fidelities,
        num_objectives)``."""
        return self._objectives

    @property
    def hyperparameters(self) -> pd.DataFrame:
        """The evaluated configurations, one row each."""
        return self._hp.frame

    @property
    def num_evaluations(self) -> int:
        """Number of evaluated configurations (rows of the table)."""
        return self._hp.num_rows

    def all_configurations(self) -> List[Dict[str, Any]]:
        """All evaluated configurations, as dicts (row order)."""
        return self._hp.all_configurations()

    def configuration_row(self, configuration: Dict[str, Any]) -> int:
        """Row of ``configuration`` in the table (raises if absent)."""
        return self._hp.lookup(configuration)

    def _impute_objectives_values(self) -> Tuple[np.ndarray, np.ndarray]:
        """Forward-fills NaNs along fidelities; returns (rows kept, values)."""
        values = np.array(self._objectives, dtype=np.float64)
        if np.isnan(values).any():
            # forward fill along the fidelity axis
            mask = np.isnan(values)
            idx = np.where(~mask, np.arange(values.shape[2])[None, None, :, None], 0)
            np.maximum.accumulate(idx, axis=2, out=idx)
            values = np.take_along_axis(values, idx, axis=2)
            keep = ~np.isnan(values).any(axis=(1, 2, 3))
            return np.nonzero(keep)[0], values[keep]
        return np.arange(values.shape[0]), values

    def hyperparameter_objectives_values(
        self, predict_curves: bool = False
    ) -> Tuple[pd.DataFrame, pd.DataFrame]:
        """See :meth:`Blackbox.hyperparameter_objectives_values`.

        If ``predict_curves`` is False: ``X`` has ``num_fidelities * num_seeds
        * num_evals`` rows (order: fidelity, seed, evaluation) and the fidelity
        as last column, ``y`` one column per objective. If True: ``X`` has
        ``num_seeds * num_evals`` rows (order: seed, evaluation), ``y`` has
        ``num_fidelities * num_objectives`` columns. Missing values are
        forward-filled along fidelities; configurations still incomplete are
        dropped."""
        rows, values = self._impute_objectives_values()
        hps = self.hyperparameters.iloc[rows].reset_index(drop=True)
        num_evals = len(rows)
        num_objectives = len(self.objectives_names)
        if self._fidelity_attr is None:  # no fidelity: (seed, evaluation) rows
            X = pd.concat([hps] * self.num_seeds, ignore_index=True)
            y = pd.DataFrame(
                values[:, :, 0, :].transpose((1, 0, 2)).reshape(-1, num_objectives),
                columns=self.objectives_names,
            )
        elif not predict_curves:
            fidelity_attr = self._fidelity_attr
            blocks = []
            for fidelity_value in self._fidelity_values.tolist():
                block = hps.copy()
                block[fidelity_attr] = fidelity_value
                blocks.extend([block] * self.num_seeds)
            X = pd.concat(blocks, ignore_index=True)
            y = pd.DataFrame(
                values.transpose((2, 1, 0, 3)).reshape(-1, num_objectives),
                columns=self.objectives_names,
            )
        else:
            X = pd.concat([hps] * self.num_seeds, ignore_index=True)
            y = pd.DataFrame(
                values.transpose((1, 0, 2, 3)).reshape(num_evals * self.num_seeds, -1)
            )
        return X, y

    def rename_objectives(
        self, objective_name_mapping: Dict[str, str]
    ) -> "BlackboxTabular":
        """A blackbox with the objectives named in the keys of the mapping
        (in its order), renamed to its values."""
        unknown = [k for k in objective_name_mapping if k not in self.objectives_names]
        if unknown:
            raise ValueError(
                f"unknown objectives {unknown}, the blackbox has {self.objectives_names}"
            )
        positions = [self.objectives_names.index(k) for k in objective_name_mapping]
        bb = BlackboxTabular(
            hyperparameters=self._hp,
            configuration_space=self.configuration_space,
            fidelity_space=self.fidelity_space,
            objectives_evaluations=self._objectives[..., positions],
            fidelity_values=self._fidelity_values,
            objectives_names=list(objective_name_mapping.values()),
        )
        bb.metadata = dict(self.metadata)
        return bb

    def __str__(self) -> str:
        num_evals, num_seeds, num_fidelities, _ = self._objectives.shape
        return (
            f"tabular blackbox: evaluated configurations: {num_evals}, seeds: "
            f"{num_seeds}, fidelities: {num_fidelities}, objectives: "
            f"{self.objectives_names}, hyperparameters: {self._hp_names}"
        )


# -------------------------------------------------------------- storage
def serialize(
    bb_dict: Dict[str, BlackboxTabular],
    path,
    metadata: Optional[Dict[str, Any]] = None,
) -> Path:
    """Stores tabular blackboxes (one per task) in folder ``path``, in the
    repository format (see :mod:`~syne_tune.blackbox_repository.storage`).
    Tasks with equal hyperparameter tables share one file.

    Parameters
    ----------
    bb_dict
        Task name -> :class:`BlackboxTabular`.
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
        If ``bb_dict`` is not a non-empty dict of :class:`BlackboxTabular`.
    ValueError
        If the tasks have different objectives.
    """
    storage.check_blackbox_dict(bb_dict, BlackboxTabular, "serialize")
    hp_files: Dict[str, str] = {}  # frame digest -> file name

    def write_task(writer: storage.FolderWriter, index: int, bb: BlackboxTabular) -> dict:
        frame = bb.hyperparameters
        digest = storage.frame_digest(frame)
        if digest not in hp_files:
            hp_files[digest] = writer.add_file(
                f"hyperparameters-{len(hp_files)}.parquet",
                lambda p: storage.write_table(frame, p, "hyperparameter table"),
            )
        values = bb.objectives_evaluations
        objectives = writer.add_file(
            f"objectives-{index}.parquet",
            lambda p: storage.write_objectives(values, bb.objectives_names, p),
        )
        return {
            "hyperparameters": hp_files[digest],
            "objectives": objectives,
            "shape": list(values.shape),
            "fidelity_values": storage.fidelity_values_to_json(bb._fidelity_values),
            "num_seeds": int(values.shape[1]),
        }

    return storage.write_folder(path, storage.KIND_TABULAR, bb_dict, metadata, write_task)


def deserialize(
    path,
    verify_checksums: bool = True,
    tasks: Optional[List[str]] = None,
    memory_map: bool = True,
    ignore_hash: bool = True,
) -> Dict[str, BlackboxTabular]:
    """Loads the tabular blackboxes stored in folder ``path`` (written by
    :func:`serialize`).

    Parameters
    ----------
    path
        The folder.
    verify_checksums, tasks, ignore_hash
        Which tasks, which integrity checks: see
        :func:`~syne_tune.blackbox_repository.storage.open_folder`.
    memory_map
        Map objective arrays read-only from their files instead of reading
        them into memory (pages are read on first access and shared between
        processes). Files must then not be modified in place while the
        blackbox is in use (:func:`serialize` never does: it writes new files
        and renames them).

    Returns
    -------
    dict
        Task name -> :class:`BlackboxTabular`, each with ``metadata``.

    Raises
    ------
    BlackboxFileMissingError, CorruptBlackboxError
        If a file is missing or damaged.
    ValueError
        If the folder holds offline blackboxes.
    """
    hp_cache: Dict[str, HyperparameterIndex] = {}

    def read_task(stored: storage.StoredFolder, task: storage.StoredTask) -> BlackboxTabular:
        entry = task.entry
        hp_file = entry["hyperparameters"]
        if hp_file not in hp_cache:
            table = storage.read_hyperparameters(stored.path / hp_file)
            try:
                hp_cache[hp_file] = HyperparameterIndex.from_arrow(table)
            except ValueError as ex:
                raise CorruptBlackboxError(f"{stored.path / hp_file}: {ex}") from None
        values = storage.read_objectives(
            stored.path / entry["objectives"], entry["shape"], memory_map=memory_map
        )
        return BlackboxTabular(
            hyperparameters=hp_cache[hp_file],
            configuration_space=task.configuration_space,
            fidelity_space=task.fidelity_space,
            objectives_evaluations=values,
            fidelity_values=storage.fidelity_values_from_json(entry["fidelity_values"]),
            objectives_names=stored.objectives_names,
        )

    return storage.read_folder(
        path,
        storage.KIND_TABULAR,
        read_task,
        tasks=tasks,
        verify_checksums=verify_checksums,
        ignore_hash=ignore_hash,
    )
