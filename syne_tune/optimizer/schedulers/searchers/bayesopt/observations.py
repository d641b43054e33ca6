"""Observation store of model-based searchers: what the models are fitted to.

An *observation* is one configuration evaluated at one resource level (the
epoch of a multi-fidelity result; ``None`` for single-fidelity searchers),
keyed by ``(trial_id, resource)``, holding one value per *output*: the
metric, and optionally a constraint and a cost. A later observation with the
same key replaces the earlier one (a trial resumed from a checkpoint reports
an epoch again).

*Pending* evaluations are configurations that are running and whose outcome
at a resource is not known yet; models enter them as fantasy outcomes so
that concurrent suggestions spread out. A pending key is removed when its
observation arrives, or with :meth:`ObservationStore.remove_pending`.

Values are stored as given (the searcher converts them to "smaller is
better" before adding); :meth:`ObservationStore.arrays` encodes the
configurations with the searcher's hyperparameter ranges.

The store holds plain Python data, so it pickles and deep-copies cheaply;
:meth:`ObservationStore.get_state` and :meth:`ObservationStore.from_state`
convert to and from a dict.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

__all__ = ["Observation", "ObservationStore", "ModelData"]

Key = tuple  # (trial_id, resource)


@dataclass(frozen=True)
class Observation:
    """One evaluation: ``config`` of ``trial_id`` at ``resource`` gave ``outputs``."""

    trial_id: Any
    resource: int | None
    config: dict
    outputs: Mapping[str, float]


@dataclass
class ModelData:
    """Inputs of a surrogate model's :meth:`fit`.

    Attributes
    ----------
    X
        Encoded configurations, shape ``(n, d)``, in ``[0, 1]^d``.
    y
        Targets (smaller is better), shape ``(n,)``.
    resources
        Resource level of each row, shape ``(n,)``; ``None`` for
        single-fidelity data.
    pending_X
        Encoded pending configurations, shape ``(p, d)`` (``p`` may be 0).
    pending_resources
        Resource level of each pending row, or ``None``.
    trial_ids
        Trial of each row of ``X`` (models that group rows by configuration
        use it).
    """

    X: np.ndarray
    y: np.ndarray
    resources: np.ndarray | None = None
    pending_X: np.ndarray | None = None
    pending_resources: np.ndarray | None = None
    trial_ids: list | None = None

    def __post_init__(self):
        self.X = np.atleast_2d(np.asarray(self.X, dtype=float))
        self.y = np.asarray(self.y, dtype=float).reshape(-1)
        if self.X.shape[0] != self.y.shape[0]:
            raise ValueError(f"X and y must have the same number of rows, got {self.X.shape[0]} and {self.y.shape[0]}")
        if self.pending_X is None:
            self.pending_X = np.zeros((0, self.X.shape[1]))
        else:
            self.pending_X = np.asarray(self.pending_X, dtype=float).reshape(-1, self.X.shape[1])
        if self.resources is not None:
            self.resources = np.asarray(self.resources, dtype=float).reshape(-1)
        if self.pending_resources is not None:
            self.pending_resources = np.asarray(self.pending_resources, dtype=float).reshape(-1)

    @property
    def num_observations(self) -> int:
        return int(self.y.shape[0])

    @property
    def num_pending(self) -> int:
        return int(self.pending_X.shape[0])


class ObservationStore:
    """Observations and pending evaluations, keyed by ``(trial_id, resource)``.

    Parameters
    ----------
    output_names
        Names of the outputs an observation may hold (e.g. the metric, a
        constraint, a cost). The first one is the *primary* output.
    """

    def __init__(self, output_names: Sequence[str]):
        names = list(output_names)
        if not names or len(set(names)) != len(names):
            raise ValueError(f"output_names must be distinct names, at least one, got {names!r}")
        self.output_names = names
        self._observations: dict[Key, Observation] = {}
        self._pending: dict[Key, dict] = {}

    # -- observations --------------------------------------------------------------
    def add(self, trial_id, config: dict, outputs: Mapping[str, float], resource: int | None = None) -> bool:
        """Record ``outputs`` of ``config`` at ``resource``; replaces an
        observation with the same key and clears the pending entry.

        Outputs not in :attr:`output_names` are ignored; a non-finite value
        is dropped (the output counts as missing). Returns ``False`` (and
        stores nothing) if no output is left.
        """
        key = (trial_id, resource)
        self._pending.pop(key, None)
        clean = {}
        for name in self.output_names:
            if name in outputs:
                value = float(outputs[name])
                if math.isfinite(value):
                    clean[name] = value
        if not clean:
            return False
        self._observations[key] = Observation(trial_id, resource, dict(config), clean)
        return True

    def remove(self, trial_id, resource: int | None = None, all_resources: bool = False) -> int:
        """Forget the observation ``(trial_id, resource)`` (every observation
        of the trial if ``all_resources``); returns how many were removed."""
        if all_resources:
            keys = [key for key in self._observations if key[0] == trial_id]
        else:
            keys = [(trial_id, resource)] if (trial_id, resource) in self._observations else []
        for key in keys:
            del self._observations[key]
        return len(keys)

    def __len__(self) -> int:
        return len(self._observations)

    def __contains__(self, key: Key) -> bool:
        return key in self._observations

    def observations(self, output: str | None = None) -> list[Observation]:
        """Observations holding ``output`` (all, if ``None``), in insertion order."""
        if output is None:
            return list(self._observations.values())
        return [obs for obs in self._observations.values() if output in obs.outputs]

    def count(self, output: str | None = None) -> int:
        """Number of observations holding ``output``."""
        if output is None:
            return len(self._observations)
        return sum(1 for obs in self._observations.values() if output in obs.outputs)

    def trial_ids(self) -> list:
        """Trials with at least one observation (first-seen order)."""
        return list(dict.fromkeys(key[0] for key in self._observations))

    def resources(self) -> list:
        """Distinct resource levels with observations, sorted (``None`` first)."""
        levels = {key[1] for key in self._observations}
        return sorted(levels, key=lambda r: (r is not None, r if r is not None else 0))

    def latest_per_trial(self, output: str | None = None) -> dict[Any, Observation]:
        """For each trial, its observation at the largest resource (holding ``output``)."""
        out: dict[Any, Observation] = {}
        for obs in self.observations(output):
            prev = out.get(obs.trial_id)
            if prev is None or (obs.resource or 0) >= (prev.resource or 0):
                out[obs.trial_id] = obs
        return out

    # -- pending -------------------------------------------------------------------
    def add_pending(self, trial_id, config: dict, resource: int | None = None) -> None:
        """``config`` of ``trial_id`` is running and will report at ``resource``."""
        key = (trial_id, resource)
        if key not in self._observations:
            self._pending[key] = dict(config)

    def remove_pending(self, trial_id, resource: int | None = None, all_resources: bool = True) -> None:
        """Drop the pending evaluation ``(trial_id, resource)`` (every one of
        the trial if ``all_resources``)."""
        if all_resources:
            for key in [k for k in self._pending if k[0] == trial_id]:
                del self._pending[key]
        else:
            self._pending.pop((trial_id, resource), None)

    def pending(self) -> list[tuple[Any, int | None, dict]]:
        """Pending evaluations as ``(trial_id, resource, config)``."""
        return [(key[0], key[1], config) for key, config in self._pending.items()]

    def num_pending(self) -> int:
        return len(self._pending)

    # -- arrays ----------------------------------------------------------------------
    def arrays(
        self,
        hp_ranges,
        output: str | None = None,
        with_resources: bool = False,
        with_pending: bool = True,
        keep: Iterable[Key] | None = None,
    ) -> ModelData:
        """The observations holding ``output`` (default: the primary one) as
        :class:`ModelData`, configurations encoded by ``hp_ranges``.

        Parameters
        ----------
        hp_ranges
            :class:`~syne_tune.optimizer.schedulers.searchers.utils.HyperparameterRanges`.
        output
            Output to take targets from.
        with_resources
            Include the resource of each row (multi-fidelity models).
        with_pending
            Include pending evaluations.
        keep
            Only these keys (subsampling); default all.
        """
        output = output or self.output_names[0]
        keep_set = None if keep is None else set(keep)
        rows = [
            obs
            for key, obs in self._observations.items()
            if output in obs.outputs and (keep_set is None or key in keep_set)
        ]
        d = hp_ranges.ndarray_size
        X = hp_ranges.to_ndarray_matrix([obs.config for obs in rows]) if rows else np.zeros((0, d))
        y = np.array([obs.outputs[output] for obs in rows], dtype=float)
        resources = np.array([obs.resource for obs in rows], dtype=float) if with_resources else None
        pending = self.pending() if with_pending else []
        pending_X = hp_ranges.to_ndarray_matrix([c for _, _, c in pending]) if pending else np.zeros((0, d))
        pending_resources = np.array([r for _, r, _ in pending], dtype=float) if with_resources else None
        return ModelData(
            X=X,
            y=y,
            resources=resources,
            pending_X=pending_X,
            pending_resources=pending_resources,
            trial_ids=[obs.trial_id for obs in rows],
        )

    # -- state -------------------------------------------------------------------------
    def get_state(self) -> dict[str, Any]:
        """Plain-data copy of the store."""
        return {
            "output_names": list(self.output_names),
            "observations": [
                (obs.trial_id, obs.resource, dict(obs.config), dict(obs.outputs)) for obs in self._observations.values()
            ],
            "pending": [(key[0], key[1], dict(config)) for key, config in self._pending.items()],
        }

    @classmethod
    def from_state(cls, state: Mapping[str, Any]) -> "ObservationStore":
        """The store :meth:`get_state` was taken from."""
        store = cls(state["output_names"])
        for trial_id, resource, config, outputs in state["observations"]:
            store._observations[(trial_id, resource)] = Observation(trial_id, resource, dict(config), dict(outputs))
        for trial_id, resource, config in state["pending"]:
            store._pending[(trial_id, resource)] = dict(config)
        return store
