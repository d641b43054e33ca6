"""Tabulated blackbox: objectives recorded for a finite set of
configurations, all seeds and all fidelities, in one dense array."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple, Union

import numpy as np
import pandas as pd

from syne_tune.blackbox_repository.blackbox import Blackbox, ObjectiveFunctionResult
from syne_tune.blackbox_repository.hyperparameter_index import HyperparameterIndex


def _is_domain(value) -> bool:
    return hasattr(value, "sample") and hasattr(value, "value_type")


def _read_only(array: np.ndarray) -> np.ndarray:
    view = array.view()
    view.flags.writeable = False
    return view


class BlackboxTabular(Blackbox):
    """Blackbox answering from a table of recorded evaluations.

    :param hyperparameters: one row per evaluated configuration, one column
        per hyperparameter (the non-constant keys of ``configuration_space``)
    :param configuration_space: configuration space
    :param fidelity_space: fidelity space with a single entry (e.g.
        ``{"hp_epoch": randint(1, 200)}``)
    :param objectives_evaluations: array of shape ``(num_evals, num_seeds,
        num_fidelities, num_objectives)``
    :param fidelity_values: the ``num_fidelities`` fidelity values, sorted;
        default ``1, ..., num_fidelities``
    :param objectives_names: default ``y0, y1, ...``

    Configurations are looked up by exact match of their values (extra keys,
    such as a ``max_resource_attr`` entry, are ignored); an unknown
    configuration raises
    :class:`~syne_tune.blackbox_repository.errors.ConfigurationNotFoundError`
    (a ``KeyError`` and a ``ValueError``). Arrays returned by
    :meth:`objective_function` are read-only views into the table.
    """

    def __init__(
        self,
        hyperparameters: pd.DataFrame,
        configuration_space: Dict[str, Any],
        fidelity_space: Optional[Dict[str, Any]],
        objectives_evaluations: np.ndarray,
        fidelity_values: Optional[np.ndarray] = None,
        objectives_names: Optional[List[str]] = None,
    ):
        if isinstance(hyperparameters, HyperparameterIndex):
            hp_index = hyperparameters
        else:
            if not isinstance(hyperparameters, pd.DataFrame):
                raise TypeError("hyperparameters must be a pandas DataFrame")
            hp_index = HyperparameterIndex.from_frame(hyperparameters)
        self._setup(
            hp_index=hp_index,
            configuration_space=configuration_space,
            fidelity_space=fidelity_space,
            objectives_evaluations=objectives_evaluations,
            fidelity_values=fidelity_values,
            objectives_names=objectives_names,
        )

    def _setup(
        self,
        hp_index: HyperparameterIndex,
        configuration_space,
        fidelity_space,
        objectives_evaluations,
        fidelity_values,
        objectives_names,
    ):
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
            k for k, v in configuration_space.items() if _is_domain(v) and k not in columns
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
    def _from_index(
        cls,
        hp_index: HyperparameterIndex,
        configuration_space,
        fidelity_space,
        objectives_evaluations,
        fidelity_values=None,
        objectives_names=None,
    ) -> "BlackboxTabular":
        bb = cls.__new__(cls)
        bb._setup(
            hp_index=hp_index,
            configuration_space=configuration_space,
            fidelity_space=fidelity_space,
            objectives_evaluations=objectives_evaluations,
            fidelity_values=fidelity_values,
            objectives_names=objectives_names,
        )
        return bb

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
        """Builds a tabular blackbox from a long table with one row per
        (configuration, seed, fidelity): hyperparameter columns, the fidelity
        column, optionally ``seed_col``, and the objective columns (default:
        all columns starting with ``metric_``). Combinations that are absent
        are filled with NaN."""
        from syne_tune.blackbox_repository.blackbox_offline import tabular_from_dataframe

        return tabular_from_dataframe(
            df,
            configuration_space=configuration_space,
            fidelity_space=fidelity_space,
            objectives_names=objectives_names,
            seed_col=seed_col,
            fidelity_values=fidelity_values,
        )

    # ------------------------------------------------------------ hot path
    def objective_function(
        self,
        configuration: Union[Dict[str, Any], int],
        fidelity=None,
        seed: Optional[int] = None,
    ) -> ObjectiveFunctionResult:
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
        if self._fidelity_attr is None:
            raise ValueError("this blackbox has no fidelity")
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
        bb = BlackboxTabular._from_index(
            hp_index=self._hp,
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


def serialize(
    bb_dict: Dict[str, BlackboxTabular],
    path,
    metadata: Optional[Dict[str, Any]] = None,
):
    """Stores the blackboxes (one per task) in folder ``path``, in the
    repository format (see :mod:`syne_tune.blackbox_repository.serialization`)."""
    from syne_tune.blackbox_repository.serialization import serialize as _serialize

    return _serialize(bb_dict, path, metadata=metadata)


def deserialize(path, verify_checksums: bool = True) -> Dict[str, Blackbox]:
    """Loads the blackboxes stored in folder ``path`` (dict task -> blackbox)."""
    from syne_tune.blackbox_repository.serialization import deserialize as _deserialize

    return _deserialize(path, verify_checksums=verify_checksums)
