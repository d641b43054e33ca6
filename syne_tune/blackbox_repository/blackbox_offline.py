"""Blackbox backed by a long table of offline evaluations (one row per
configuration, fidelity and seed), and conversion of such a table into a
dense :class:`~syne_tune.blackbox_repository.BlackboxTabular`."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

import numpy as np
import pandas as pd

from syne_tune.blackbox_repository.blackbox import Blackbox, ObjectiveFunctionResult
from syne_tune.blackbox_repository.errors import ConfigurationNotFoundError
from syne_tune.blackbox_repository.hyperparameter_index import (
    HyperparameterIndex,
    _series_to_list,
)


def _hp_names(configuration_space: Dict[str, Any], df: pd.DataFrame) -> List[str]:
    """Hyperparameter columns: keys of the space that are domains, plus
    constant keys that happen to be columns."""
    names = []
    for name, value in configuration_space.items():
        is_domain = hasattr(value, "sample") and hasattr(value, "value_type")
        if is_domain or name in df.columns:
            names.append(name)
    return names


class BlackboxOffline(Blackbox):
    """Blackbox answering from a table of evaluations.

    :param df_evaluations: one row per evaluation, with a column per
        hyperparameter, per fidelity attribute, ``seed_col`` if given, and per
        objective
    :param configuration_space: configuration space
    :param fidelity_space: fidelity space (optional)
    :param objectives_names: objective columns; default: all columns whose
        name starts with ``metric_``
    :param seed_col: column holding the seed, if evaluations were repeated

    Lookups are exact matches on the hyperparameter values (through a dict
    built once). Without fidelity argument and with a fidelity space, all
    recorded fidelities of the configuration are returned as array
    ``(num_fidelities, num_objectives)``, sorted by fidelity.
    """

    def __init__(
        self,
        df_evaluations: pd.DataFrame,
        configuration_space: Dict[str, Any],
        fidelity_space: Optional[Dict[str, Any]] = None,
        objectives_names: Optional[List[str]] = None,
        seed_col: Optional[str] = None,
    ):
        if objectives_names is None:
            objectives_names = [c for c in df_evaluations.columns if str(c).startswith("metric_")]
        missing = [c for c in objectives_names if c not in df_evaluations.columns]
        if missing:
            raise ValueError(f"objective columns {missing} not found in the table")
        super().__init__(
            configuration_space=configuration_space,
            fidelity_space=fidelity_space,
            objectives_names=objectives_names,
        )
        self.metric_cols = list(objectives_names)
        self.hp_names = _hp_names(configuration_space, df_evaluations)
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
        import gc

        df = self.df_evaluations
        values = df[self.metric_cols].to_numpy(dtype=np.float64)
        values.flags.writeable = False
        self._values = values
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
        groups: Dict[tuple, Dict[Any, List[int]]] = {}
        for row, (key, seed) in enumerate(zip(keys, seeds)):
            groups.setdefault(key, {}).setdefault(seed, []).append(row)
        self._seeds_of: Dict[tuple, list] = {}
        self._entries: Dict[Tuple[tuple, Any], Tuple[Dict[tuple, int], np.ndarray]] = {}
        for key, by_seed in groups.items():
            self._seeds_of[key] = sorted(by_seed, key=lambda s: (s is None, s))
            for seed, rows in by_seed.items():
                order = sorted(rows, key=lambda r: fid_keys[r])
                fid_pos = {fid_keys[r]: i for i, r in enumerate(order)}
                if len(fid_pos) != len(order):
                    raise ValueError(
                        f"duplicate evaluations of configuration "
                        f"{dict(zip(self.hp_names, key))} (seed {seed}); use seed_col"
                    )
                arr = values[order]
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
        if len(self.fidelity_names) != 1:
            return None
        return np.sort(self.df_evaluations[self.fidelity_names[0]].unique())

    @property
    def num_seeds(self) -> int:
        if self.seed_col is None:
            return 1
        return int(self.df_evaluations[self.seed_col].nunique())

    def hyperparameter_objectives_values(
        self, predict_curves: bool = False
    ) -> Tuple[pd.DataFrame, pd.DataFrame]:
        if predict_curves:
            raise NotImplementedError(
                "BlackboxOffline supports predict_curves=False only; convert it "
                "with to_tabular() for curve prediction"
            )
        X = self.df_evaluations[self.hp_names + self.fidelity_names].reset_index(drop=True)
        y = self.df_evaluations[self.metric_cols].reset_index(drop=True)
        return X, y

    def to_tabular(self, fidelity_values: Optional[np.ndarray] = None):
        """Dense :class:`BlackboxTabular` with the same evaluations (missing
        combinations are NaN)."""
        bb = tabular_from_dataframe(
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


def tabular_from_dataframe(
    df: pd.DataFrame,
    configuration_space: Dict[str, Any],
    fidelity_space: Optional[Dict[str, Any]] = None,
    objectives_names: Optional[List[str]] = None,
    seed_col: Optional[str] = None,
    fidelity_values: Optional[np.ndarray] = None,
):
    """Pivots a long table (one row per configuration, seed, fidelity) into
    a :class:`BlackboxTabular`. Configurations keep their order of first
    appearance; seeds are numbered 0, 1, ... in sorted order; absent
    combinations are NaN. Without ``fidelity_space`` there is one fidelity.
    """
    from syne_tune.blackbox_repository.blackbox_tabular import BlackboxTabular

    if objectives_names is None:
        objectives_names = [c for c in df.columns if str(c).startswith("metric_")]
    hp_names = _hp_names(configuration_space, df)
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
        fidelity_values = np.array([1]) if fidelity_values is None else np.asarray(fidelity_values)
        fid_codes = np.zeros(len(df), dtype=int)
    values = np.full(
        (len(hyperparameters), num_seeds, len(fidelity_values), len(objectives_names)),
        np.nan,
        dtype=np.float32,
    )
    flat = (codes * num_seeds + seed_codes) * len(fidelity_values) + fid_codes
    if len(np.unique(flat)) != len(flat):
        raise ValueError(
            "several rows for the same configuration, seed and fidelity; give seed_col"
        )
    values.reshape(-1, len(objectives_names))[flat] = df[objectives_names].to_numpy(
        dtype=np.float32
    )
    return BlackboxTabular(
        hyperparameters=hyperparameters,
        configuration_space=configuration_space,
        fidelity_space=fidelity_space,
        objectives_evaluations=values,
        fidelity_values=fidelity_values,
        objectives_names=list(objectives_names),
    )


def serialize(
    bb_dict: Dict[str, BlackboxOffline],
    path,
    metadata: Optional[Dict[str, Any]] = None,
    categorical_cols: Optional[List[str]] = None,
):
    """Stores offline blackboxes in the repository format
    (``categorical_cols`` is accepted for compatibility and ignored: string
    columns are dictionary-encoded anyway)."""
    from syne_tune.blackbox_repository.serialization import serialize as _serialize

    if isinstance(bb_dict, BlackboxOffline):
        from pathlib import Path

        bb_dict = {Path(path).name: bb_dict}
    return _serialize(bb_dict, path, metadata=metadata)


def deserialize(path, verify_checksums: bool = True) -> Dict[str, Blackbox]:
    from syne_tune.blackbox_repository.serialization import deserialize as _deserialize

    return _deserialize(path, verify_checksums=verify_checksums)
