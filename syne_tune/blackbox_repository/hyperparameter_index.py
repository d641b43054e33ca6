"""Exact-match lookup of configurations in a table of hyperparameters.

A dict maps the tuple of a row's values (in column order) to the row number.
Building it is vectorised (one Python list per column, then ``zip``), and a
lookup costs one tuple and one dict access, a microsecond or two. Tables are
shared between the tasks of a blackbox when their hyperparameters coincide.
"""

from __future__ import annotations

import gc
import math
from typing import Any, Dict, List, Optional, Sequence

import numpy as np
import pandas as pd

from syne_tune.blackbox_repository.errors import ConfigurationNotFoundError


def _nan_to_none(values: list) -> list:
    return [None if isinstance(v, float) and math.isnan(v) else v for v in values]


def _series_to_list(series: pd.Series) -> list:
    values = series.tolist()
    if series.dtype.kind == "f" and series.isna().any():
        values = _nan_to_none(values)
    elif series.dtype == object:
        values = _nan_to_none(values)
    return values


def _arrow_column_to_list(column) -> list:
    """Python values of an Arrow column (chunked or not), quickly."""
    import pyarrow as pa

    if isinstance(column, pa.ChunkedArray):
        if column.num_chunks == 1:
            column = column.chunk(0)
        elif column.num_chunks == 0:
            return []
        else:
            column = column.combine_chunks()
    if pa.types.is_dictionary(column.type):
        if column.null_count == 0:
            categories = np.empty(len(column.dictionary), dtype=object)
            categories[:] = column.dictionary.to_pylist()
            return categories[column.indices.to_numpy(zero_copy_only=False)].tolist()
        return column.to_pylist()
    if (
        pa.types.is_integer(column.type)
        or pa.types.is_floating(column.type)
        or pa.types.is_boolean(column.type)
    ) and column.null_count == 0:
        values = column.to_numpy(zero_copy_only=False).tolist()
        if pa.types.is_floating(column.type):
            values = _nan_to_none(values) if np.isnan(column.to_numpy()).any() else values
        return values
    return _nan_to_none(column.to_pylist())


class HyperparameterIndex:
    """Hyperparameter rows of a tabular blackbox plus their lookup dict.

    :param names: hyperparameter names (column order)
    :param columns: one list of Python values per name, all of equal length
    :param frame: the same data as a DataFrame, if at hand (else it is built
        from ``columns`` when first asked for)
    """

    def __init__(
        self,
        names: Sequence[str],
        columns: List[list],
        frame: Optional[pd.DataFrame] = None,
        frame_factory=None,
    ):
        self.names = list(names)
        self.columns = columns
        self.num_rows = len(columns[0]) if columns else 0
        self._frame = frame
        self._frame_factory = frame_factory
        self._snap_values: Dict[int, Optional[np.ndarray]] = {}
        # many small tuples: keep the cyclic garbage collector out of it
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            keys = list(zip(*columns)) if columns else []
            self.index: Dict[tuple, int] = dict(zip(keys, range(len(keys))))
        finally:
            if gc_was_enabled:
                gc.enable()
        if len(self.index) != len(keys):
            seen = set()
            for row, key in enumerate(keys):
                if key in seen:
                    raise ValueError(
                        f"the hyperparameter table has duplicate rows, e.g. row {row}: "
                        f"{dict(zip(self.names, key))}; record repeated evaluations "
                        "as seeds instead"
                    )
                seen.add(key)

    # ---------------------------------------------------------------- build
    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> "HyperparameterIndex":
        names = [str(c) for c in frame.columns]
        columns = [_series_to_list(frame[c]) for c in frame.columns]
        return cls(names, columns, frame=frame.reset_index(drop=True))

    @classmethod
    def from_arrow(cls, table) -> "HyperparameterIndex":
        names = list(table.column_names)
        columns = [_arrow_column_to_list(table.column(i)) for i in range(len(names))]

        def factory():
            import pyarrow as pa

            columns = []
            for column in table.columns:
                if pa.types.is_dictionary(column.type):
                    column = column.cast(column.type.value_type)
                columns.append(column)
            # string columns get pandas' default string dtype, as for a
            # DataFrame built from Python strings
            return pa.table(columns, names=table.column_names).to_pandas()

        return cls(names, columns, frame_factory=factory)

    def __getstate__(self):
        state = dict(self.__dict__)
        if state.get("_frame_factory") is not None:  # a closure: not picklable
            state["_frame"] = self.frame
            state["_frame_factory"] = None
        return state

    # --------------------------------------------------------------- access
    @property
    def frame(self) -> pd.DataFrame:
        if self._frame is None:
            if self._frame_factory is not None:
                self._frame = self._frame_factory()
                self._frame_factory = None
            else:
                self._frame = pd.DataFrame(
                    {name: col for name, col in zip(self.names, self.columns)}
                )
        return self._frame

    def row_config(self, row: int) -> Dict[str, Any]:
        return {name: col[row] for name, col in zip(self.names, self.columns)}

    def all_configurations(self) -> List[Dict[str, Any]]:
        names = self.names
        return [dict(zip(names, key)) for key in zip(*self.columns)]

    def lookup(self, configuration: Dict[str, Any]) -> int:
        """Row of ``configuration`` (extra keys are ignored). Exact match,
        with a tolerant second try for floats (e.g. values that went through
        float32 or a text round trip) and missing values."""
        try:
            return self.index[tuple([configuration[k] for k in self.names])]
        except KeyError:
            pass
        except TypeError:  # unhashable value
            pass
        missing = [k for k in self.names if k not in configuration]
        if missing:
            raise ConfigurationNotFoundError(
                f"configuration {configuration} lacks the hyperparameters {missing}"
            )
        key = []
        for pos, name in enumerate(self.names):
            key.append(self._snap(pos, configuration[name]))
        row = self.index.get(tuple(key)) if all(_hashable(v) for v in key) else None
        if row is None:
            raise ConfigurationNotFoundError(
                f"the configuration {configuration} is not among the evaluated "
                "configurations of this tabular blackbox; use add_surrogate(blackbox) "
                "to evaluate configurations outside the table"
            )
        return row

    def _snap(self, pos: int, value):
        if value is None:
            return None
        if isinstance(value, (float, np.floating)):
            value = float(value)
            if math.isnan(value):
                return None
        if isinstance(value, np.generic):
            value = value.item()
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            return value
        if pos not in self._snap_values:
            column = self.columns[pos]
            numeric = [
                v
                for v in column
                if isinstance(v, (int, float)) and not isinstance(v, bool)
            ]
            self._snap_values[pos] = (
                np.unique(np.asarray(numeric, dtype=np.float64)) if numeric else None
            )
        candidates = self._snap_values[pos]
        if candidates is None or len(candidates) == 0:
            return value
        i = int(np.searchsorted(candidates, value))
        best = None
        for j in (i - 1, i):
            if 0 <= j < len(candidates):
                c = float(candidates[j])
                if math.isclose(c, value, rel_tol=1e-6, abs_tol=1e-12):
                    best = c
        # int and float keys that compare equal also hash equal
        return value if best is None else best


def _hashable(v) -> bool:
    try:
        hash(v)
        return True
    except TypeError:
        return False
