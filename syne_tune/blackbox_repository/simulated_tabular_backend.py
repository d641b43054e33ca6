"""Simulating tuning on a blackbox (tabulated or surrogate benchmark).

:class:`BlackboxRepositoryBackend` loads a blackbox of the repository by name;
:class:`UserBlackboxBackend` simulates any :class:`Blackbox` object, e.g. one
built with :func:`~syne_tune.blackbox_repository.from_function` around a
Python function of configuration and fidelity that returns metrics and the
elapsed time.

Both evaluate the blackbox in-process (no training script, no subprocess):
when a trial starts, the values of its configuration at all fidelities are
read with one ``objective_function(config, seed=...)`` call, and the trial
then reports one result per fidelity on simulated time (see
:class:`~syne_tune.backend.simulator_backend.SimulatorBackend`). A result
holds the objectives, the fidelity (``blackbox.fidelity_name()``, e.g.
``hp_epoch``) and ``st_worker_timestamp`` (simulated time of the report).

* ``elapsed_time_attr`` is the objective holding the cumulative training time
  at each fidelity. A trial reports fidelity ``i`` at ``start +
  elapsed[i] - elapsed[checkpoint]``; the value reported under
  ``elapsed_time_attr`` is the time since the trial's latest start or
  resume.
* ``max_resource_attr``: if the configuration has this entry (set by
  multi-fidelity schedulers), the trial stops by itself (completes) at that
  fidelity.
* A paused trial that is resumed continues after the last fidelity the tuner
  saw (the fidelity of the result passed to ``pause_trial``), paying only
  the remaining time; with ``support_checkpointing=False`` it starts over.
* Learning curves padded with NaN (curves of unequal length, e.g. ``nmt``):
  a trial ends (completes) at its last fidelity before the first row whose
  elapsed time is NaN; no NaN is ever reported (a NaN objective in a valid
  row is left out of that result). A trial whose curve has no valid row
  fails.
"""

from __future__ import annotations

import bisect
import logging
import math
from typing import Any

import numpy as np

from syne_tune.backend.simulator_backend.events import TrialRun
from syne_tune.backend.simulator_backend.simulator_backend import SimulatorBackend
from syne_tune.blackbox_repository.blackbox import is_domain
from syne_tune.trial import Status

logger = logging.getLogger(__name__)


class _BlackboxSimulatorBackend(SimulatorBackend):
    """Shared code of the blackbox simulator backends."""

    def __init__(
        self,
        elapsed_time_attr: str,
        max_resource_attr: str | None = None,
        seed: int | None = None,
        support_checkpointing: bool = True,
        **simulatorbackend_kwargs,
    ):
        if "entry_point" in simulatorbackend_kwargs:
            raise TypeError(f"{type(self).__name__} takes no entry_point: it evaluates a blackbox")
        super().__init__(entry_point=None, elapsed_time_attr=elapsed_time_attr, **simulatorbackend_kwargs)
        if max_resource_attr is not None and (not isinstance(max_resource_attr, str) or not max_resource_attr):
            raise ValueError(f"max_resource_attr must be a non-empty string, got {max_resource_attr!r}")
        if seed is not None:
            if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
                raise ValueError(f"seed must be a non-negative integer or None, got {seed!r}")
            seed = int(seed)
        if not isinstance(support_checkpointing, bool):
            raise TypeError(f"support_checkpointing must be a bool, got {support_checkpointing!r}")
        self.max_resource_attr = max_resource_attr
        self.seed = seed
        self.support_checkpointing = support_checkpointing
        self._rng = np.random.default_rng()
        self._prepared = False

    # -- the blackbox -----------------------------------------------------------
    @property
    def blackbox(self):
        raise NotImplementedError

    def _prepare(self) -> None:
        """Reads what the hot path needs from the blackbox (once)."""
        bb = self.blackbox
        names = bb.objectives_names
        self._objective_names = list(names) if names is not None else None
        if self._objective_names is not None and self.elapsed_time_attr not in self._objective_names:
            raise ValueError(
                f"elapsed_time_attr '{self.elapsed_time_attr}' is not an objective of the blackbox "
                f"(objectives: {self._objective_names})"
            )
        fidelity_values = bb.fidelity_values
        if fidelity_values is not None and len(fidelity_values) > 0:
            self._fidelity_name = bb.fidelity_name()
            self._fidelity_values = np.asarray(fidelity_values).tolist()
            if any(b < a for a, b in zip(self._fidelity_values, self._fidelity_values[1:])):
                raise ValueError("the fidelity values of the blackbox must be sorted")
            self._fidelity_pos = {v: i for i, v in enumerate(self._fidelity_values)}
        else:
            self._fidelity_name = None
            self._fidelity_values = None
            self._fidelity_pos = {}
        space = bb.configuration_space
        self._hp_names = [k for k, v in space.items() if is_domain(v)] if space else None
        self._elapsed_pos = (
            self._objective_names.index(self.elapsed_time_attr) if self._objective_names is not None else None
        )
        self._num_seeds = getattr(bb, "num_seeds", None)
        if self.seed is not None and isinstance(self._num_seeds, int) and self.seed >= self._num_seeds:
            raise ValueError(f"seed = {self.seed}, but the blackbox has {self._num_seeds} seeds (0..{self._num_seeds - 1})")
        self._prepared = True

    def reported_metric_names(self) -> list[str] | None:
        if not self._prepared:
            self._prepare()
        if self._objective_names is None:
            return None
        names = list(self._objective_names)
        if self._fidelity_name is not None:
            names.append(self._fidelity_name)
        return names

    # -- hooks ----------------------------------------------------------------
    def _trial_seed(self, trial_id: int):
        if not self._prepared:
            self._prepare()
        if self.seed is not None:
            return self.seed
        if isinstance(self._num_seeds, int) and self._num_seeds > 0:
            return int(self._rng.integers(self._num_seeds))
        return None

    def _max_fidelity_index(self, trial_id: int, config: dict) -> int:
        """Number of fidelities the trial may report (the cap set by
        ``max_resource_attr``)."""
        values = self._fidelity_values
        if values is None:
            return 1
        num = len(values)
        if self.max_resource_attr is not None and self.max_resource_attr in config:
            cap = config[self.max_resource_attr]
            if isinstance(cap, bool) or not isinstance(cap, (int, float, np.integer, np.floating)):
                raise ValueError(
                    f"Trial {trial_id}: config['{self.max_resource_attr}'] = {cap!r} must be a number "
                    f"(the largest {self._fidelity_name} to run)"
                )
            num = bisect.bisect_right(values, cap)
            if num == 0:
                raise ValueError(
                    f"Trial {trial_id}: config['{self.max_resource_attr}'] = {cap} is below the smallest "
                    f"fidelity {self._fidelity_name} = {values[0]} of the blackbox"
                )
        return num

    def _evaluate(self, trial_id: int, config: dict, num: int):
        """Objective values of ``config`` at the first ``num`` fidelities, as
        an array ``(num, num_objectives)``."""
        bb = self.blackbox
        if self._hp_names is not None:
            config = {k: config[k] for k in self._hp_names if k in config}
        seed = self._seeds[trial_id]
        try:
            values = bb.objective_function(config, seed=seed)
        except Exception as ex:
            try:
                wrapped = type(ex)(f"Trial {trial_id}: evaluating the blackbox failed: {ex}")
            except Exception:
                raise ex from None
            raise wrapped from ex
        if isinstance(values, dict):
            if self._fidelity_values is not None and len(self._fidelity_values) > 1:
                # a blackbox answering one fidelity at a time (e.g. from_function)
                rows = []
                for value in self._fidelity_values[:num]:
                    rows.append(self._dict_row(bb.objective_function(config, fidelity={self._fidelity_name: value}, seed=seed)))
                return np.asarray(rows, dtype=np.float64)
            return np.asarray([self._dict_row(values)], dtype=np.float64)
        values = np.asarray(values)
        if values.ndim == 1:
            values = values[None, :]
        if values.ndim != 2:
            raise ValueError(
                f"Trial {trial_id}: the blackbox returned an array of shape {values.shape}; expected "
                "(num_fidelities, num_objectives)"
            )
        if self._objective_names is None or values.shape[1] != len(self._objective_names):
            raise ValueError(
                f"Trial {trial_id}: the blackbox returned {values.shape[1]} objectives, but its "
                f"objectives_names are {self._objective_names}"
            )
        return values[:num]

    def _dict_row(self, values: dict) -> list[float]:
        if self._objective_names is None:
            self._objective_names = list(values)
            if self.elapsed_time_attr not in self._objective_names:
                raise ValueError(
                    f"elapsed_time_attr '{self.elapsed_time_attr}' is not among the values the blackbox "
                    f"returns ({self._objective_names})"
                )
            self._elapsed_pos = self._objective_names.index(self.elapsed_time_attr)
        try:
            return [float(values[name]) for name in self._objective_names]
        except KeyError as ex:
            raise ValueError(
                f"the blackbox returned {sorted(values)}, missing objective {ex} of {self._objective_names}"
            ) from None

    def _new_run(self, trial_id: int, config: dict, first_index: int) -> TrialRun:
        if not self._prepared:
            self._prepare()
        if not self.support_checkpointing:
            first_index = 0
        num = self._max_fidelity_index(trial_id, config)
        values = self._evaluate(trial_id, config, num)
        elapsed_pos = self._objective_names.index(self.elapsed_time_attr)
        # float64 copy of the elapsed times (the engine reads one per event)
        elapsed_all = np.asarray(values[:, elapsed_pos], dtype=np.float64)
        num = len(elapsed_all)
        if math.isnan(elapsed_all.sum()):
            # a curve padded with NaN ends before its first NaN elapsed time
            num = int(np.argmax(np.isnan(elapsed_all)))
        base = float(elapsed_all[first_index - 1]) if 0 < first_index <= num else 0.0
        if first_index > num:
            # resumed beyond the end of its curve: completes at once
            first_index = num
        # rows stay an array: only the results actually reported are
        # converted (a stopped trial never converts the rest of its curve)
        rows = values[first_index:num]
        elapsed = elapsed_all[first_index:num]
        status = Status.completed if num > 0 else Status.failed
        if num == 0:
            logger.warning("Trial %d: the blackbox has no valid value for its configuration; the trial fails", trial_id)
        return TrialRun(
            trial_id,
            rows=rows,
            elapsed=elapsed,
            base_elapsed=base,
            final_status=status,
            offset=first_index,
        )

    def _make_result(self, run: TrialRun, index: int) -> dict:
        row = run.rows[index].tolist()
        names = self._objective_names
        result = dict(zip(names, row))
        total = sum(row)
        if total != total:  # a NaN objective: leave it out
            for name, value in zip(names, row):
                if value != value:
                    del result[name]
        result[self.elapsed_time_attr] = row[self._elapsed_pos] - run.base_elapsed
        if self._fidelity_name is not None:
            result[self._fidelity_name] = self._fidelity_values[run.offset + index]
        return result

    def _checkpoint_index(self, run: TrialRun, result: dict | None, last_delivered: int) -> int:
        if result is not None and self._fidelity_name is not None:
            index = self._fidelity_pos.get(result.get(self._fidelity_name))
            if index is not None and index < last_delivered:
                return index
        return last_delivered


class UserBlackboxBackend(_BlackboxSimulatorBackend):
    """Simulates tuning on any :class:`~syne_tune.blackbox_repository.Blackbox`.

    Parameters
    ----------
    blackbox
        The blackbox; ``objective_function(config, seed=...)`` returns the
        values at all fidelities (an array ``(num_fidelities,
        num_objectives)``), or a dict for one fidelity (it is then called
        once per fidelity).
    elapsed_time_attr
        Objective holding the cumulative training time at each fidelity.
    max_resource_attr
        Config key capping the fidelity of a trial (set by multi-fidelity
        schedulers).
    seed
        Seed of the blackbox used for every trial (a reproducible run); if
        ``None``, each trial draws one of the blackbox's seeds at random.
    support_checkpointing
        ``False``: a resumed trial starts from scratch.
    simulatorbackend_kwargs
        :class:`SimulatorBackend` arguments (``simulator_config``,
        ``add_real_time``, ...).
    """

    def __init__(
        self,
        blackbox,
        elapsed_time_attr: str,
        max_resource_attr: str | None = None,
        seed: int | None = None,
        support_checkpointing: bool = True,
        **simulatorbackend_kwargs,
    ):
        if not hasattr(blackbox, "objective_function"):
            raise TypeError(f"blackbox must be a Blackbox, got {type(blackbox).__name__}")
        self._blackbox = blackbox
        super().__init__(
            elapsed_time_attr=elapsed_time_attr,
            max_resource_attr=max_resource_attr,
            seed=seed,
            support_checkpointing=support_checkpointing,
            **simulatorbackend_kwargs,
        )
        self._prepare()

    @property
    def blackbox(self):
        return self._blackbox


class BlackboxRepositoryBackend(_BlackboxSimulatorBackend):
    """Simulates tuning on a blackbox of the repository (``load_blackbox``).

    The backend is pickled without the blackbox, which is loaded again by
    name when needed.

    Parameters
    ----------
    blackbox_name
        Name of the blackbox (see ``blackbox_list()``), e.g. ``"lcbench"``.
    elapsed_time_attr
        Objective holding the cumulative training time at each fidelity.
    max_resource_attr, seed, support_checkpointing
        See :class:`UserBlackboxBackend`.
    dataset
        Task of the blackbox (needed if it has several).
    surrogate
        Name of a surrogate model (``"KNeighborsRegressor"``,
        ``"MLPRegressor"``, ``"RandomForestRegressor"``, ``"XGBRegressor"``,
        ...) or a regressor object, fitted to the table so that any
        configuration can be evaluated; ``None``: only configurations of the
        table can be evaluated.
    surrogate_kwargs
        Arguments of the surrogate model (when given by name).
    add_surrogate_kwargs
        Further arguments of ``add_surrogate`` (e.g. ``predict_curves``).
    config_space_surrogate
        Configuration space of the surrogate (default: the blackbox's).
    simulatorbackend_kwargs
        :class:`SimulatorBackend` arguments.
    """

    def __init__(
        self,
        blackbox_name: str,
        elapsed_time_attr: str,
        max_resource_attr: str | None = None,
        seed: int | None = None,
        support_checkpointing: bool = True,
        dataset: str | None = None,
        surrogate: Any = None,
        surrogate_kwargs: dict | None = None,
        add_surrogate_kwargs: dict | None = None,
        config_space_surrogate: dict | None = None,
        **simulatorbackend_kwargs,
    ):
        if not isinstance(blackbox_name, str) or not blackbox_name:
            raise ValueError(f"blackbox_name must be a non-empty string, got {blackbox_name!r}")
        if dataset is not None and not isinstance(dataset, str):
            raise TypeError(f"dataset must be a string, got {dataset!r}")
        for name, value in (("surrogate_kwargs", surrogate_kwargs), ("add_surrogate_kwargs", add_surrogate_kwargs)):
            if value is not None and not isinstance(value, dict):
                raise TypeError(f"{name} must be a dict, got {type(value).__name__}")
        if surrogate is None and (surrogate_kwargs or add_surrogate_kwargs or config_space_surrogate):
            raise ValueError("surrogate_kwargs, add_surrogate_kwargs and config_space_surrogate need a surrogate")
        super().__init__(
            elapsed_time_attr=elapsed_time_attr,
            max_resource_attr=max_resource_attr,
            seed=seed,
            support_checkpointing=support_checkpointing,
            **simulatorbackend_kwargs,
        )
        self.blackbox_name = blackbox_name
        self.dataset = dataset
        self._surrogate = surrogate
        self._surrogate_kwargs = surrogate_kwargs
        self._add_surrogate_kwargs = add_surrogate_kwargs
        self._config_space_surrogate = config_space_surrogate
        self._blackbox = None
        self._prepare()  # loads the blackbox: errors (unknown name, task) show now

    def _load(self):
        from syne_tune.blackbox_repository import load_blackbox

        loaded = load_blackbox(self.blackbox_name)
        if isinstance(loaded, dict):
            if self.dataset is None:
                if len(loaded) != 1:
                    raise ValueError(
                        f"blackbox '{self.blackbox_name}' has tasks {sorted(loaded)}: pass dataset=<one of them>"
                    )
                blackbox = next(iter(loaded.values()))
            elif self.dataset not in loaded:
                raise ValueError(
                    f"blackbox '{self.blackbox_name}' has no task '{self.dataset}'; its tasks are {sorted(loaded)}"
                )
            else:
                blackbox = loaded[self.dataset]
        else:
            if self.dataset is not None:
                raise ValueError(f"blackbox '{self.blackbox_name}' has a single task: leave dataset=None")
            blackbox = loaded
        if self._surrogate is not None:
            from syne_tune.blackbox_repository.blackbox_surrogate import add_surrogate, make_surrogate

            surrogate = self._surrogate
            if isinstance(surrogate, str):
                surrogate = make_surrogate(surrogate, self._surrogate_kwargs)
            blackbox = add_surrogate(
                blackbox,
                surrogate=surrogate,
                configuration_space=self._config_space_surrogate,
                **(self._add_surrogate_kwargs or {}),
            )
        return blackbox

    @property
    def blackbox(self):
        if self._blackbox is None:
            self._blackbox = self._load()
        return self._blackbox

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_blackbox"] = None  # loaded again by name
        return state
