"""Zero-shot transfer: a greedy portfolio of configurations that did well on
earlier tasks (Wistuba, Schilling and Schmidt-Thieme, 2015, "Sequential
model-free hyperparameter tuning").

The searcher learns nothing from the new task: it suggests a fixed sequence
computed once, in its constructor, from the evaluations of the earlier tasks.

Algorithm
---------
1. **Candidates and their values.** Every evaluated configuration of every
   task, projected onto the hyperparameters of ``config_space`` and cast to
   their domains, is a candidate; rows outside ``config_space`` are dropped,
   and configurations are identified by their match strings (see
   :meth:`~syne_tune.optimizer.schedulers.searchers.utils.HyperparameterRanges.config_to_match_string`).
   ``y[t, c]`` is the value of ``metric`` of candidate ``c`` on task ``t``
   (averaged over seeds at the last fidelity with a value; the mean if a task
   lists ``c`` more than once), NaN where task ``t`` did not evaluate ``c``.

   * ``sort_transfer_learning_evaluations=True`` (default): tasks are aligned
     by configuration as just described, and the candidates are sorted by
     their values (lexicographically, hyperparameters in ``config_space``
     order), so the result does not depend on the order of tasks or rows.
   * ``sort_transfer_learning_evaluations=False``: tasks are aligned by
     position: row ``i`` of every task is taken to be the same configuration,
     the configurations of the first task are the candidates, and all tasks
     must have the same number of rows, in the first task's row order
     (Syne Tune's meaning of ``False``: "already in the same order").
   * ``use_surrogates=True``: for every task, a k-nearest-neighbour regressor
     (scikit-learn, ``k = min(5, n_t)``, distance-weighted, on the
     :class:`~syne_tune.optimizer.schedulers.searchers.utils.HyperparameterRanges`
     encoding in ``[0, 1]^d``) is fitted to all of the task's evaluations and
     predicts the missing ``y[t, c]``; observed values are kept. Use it when
     tasks were evaluated on different configurations (as in the tabulated
     blackboxes ``icml-xgboost`` and ``lcbench``, whose tasks share none).
     Tasks are then always aligned by configuration, and candidates sorted.
   * ``restrict_configurations``: only configurations of that list are
     candidates (with surrogates, every configuration of the list is one,
     its values predicted where not observed; without, the evaluated
     configurations in the list).

2. **Normalization.** Per task, ``s[t, c] = (r[t, c] - 1) / (n_t - 1)``, with
   ``r[t, c]`` the rank of ``y[t, c]`` among the ``n_t`` candidates with a
   value on task ``t`` (1 = best; ``mode`` says whether best is smallest or
   largest; ties get their average rank; ``s = 0`` if ``n_t = 1``). So
   ``s`` lies in ``[0, 1]``, 0 for the best candidate of a task, and is
   comparable across tasks of different scales. Missing values get ``s = 1``
   (as bad as the worst candidate).

3. **Greedy portfolio.** With ``L(P) = mean_t min(1, min_{c in P} s[t, c])``
   (the average over tasks of the best-so-far normalized rank of portfolio
   ``P``; ``L({}) = 1``), start from ``P = []`` and repeatedly append the
   candidate ``c`` that minimizes ``L(P + [c])`` (ties: the first candidate
   in the order of step 1), as long as it lowers ``L``
   by more than ``1e-12``. The first entry is so the candidate with the best
   average normalized rank; the portfolio ends once no candidate improves
   any task's best-so-far (``L`` is 0, or every task already has its best
   candidate). Without surrogates, when tasks share no configuration (the
   tabulated blackboxes ``icml-xgboost`` and ``lcbench``), a candidate
   improves only its own task, by ``1 / T`` at most, so the portfolio is the
   best configuration of every task (in the order of step 1).

4. **Suggestions.** ``points_to_evaluate`` first (``None``: one midpoint
   configuration, as for every searcher; pass ``[]`` to start with the
   portfolio), then the portfolio in order (skipping configurations already
   suggested), then random configurations (from ``restrict_configurations``
   if given), without duplicates.

Differences to Syne Tune 0.13 (and why)
---------------------------------------
* Tasks are aligned by configuration identity (match strings) rather than
  by sorting each task's rows and comparing them position by position: the
  same result when tasks list the same configurations, and it also works
  when they list different or partly shared ones; missing values count as
  the worst rank.
* Ranks are normalized per task (Syne Tune averages raw ranks), so tasks
  with different numbers of candidates weigh the same.
* The surrogate is k-NN (fast, no extra dependency) instead of XGBoost, and
  predicts only the missing values, on the tasks' own configurations (or the
  ``restrict_configurations``) rather than on newly sampled ones.
* After the portfolio, suggestions are random (Syne Tune also falls back to
  random configurations).
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from syne_tune.config_space import Float, Integer, non_constant_hyperparameter_keys
from syne_tune.optimizer.schedulers.searchers.searcher_base import StochasticAndFilterDuplicatesSearcher
from syne_tune.optimizer.schedulers.transfer_learning.bounding_box import in_bounding_box
from syne_tune.optimizer.schedulers.transfer_learning.transfer_learning_task_evaluation import (
    TransferLearningTaskEvaluations,
    check_transfer_learning_evaluations,
)
from syne_tune.utils.validation import InvalidParameterError, validate_parameters

__all__ = ["ZeroShotTransfer", "greedy_portfolio", "normalized_ranks"]

#: Neighbours of the k-NN surrogate (fewer if a task has fewer evaluations).
NUM_NEIGHBORS = 5
#: Smallest decrease of the portfolio loss that counts as an improvement.
_TOLERANCE = 1e-12


def normalized_ranks(values: np.ndarray, mode: str) -> np.ndarray:
    """Per row (task): ``(rank - 1) / (n - 1)`` of the non-NaN entries (rank 1
    = best for ``mode``, average ranks for ties), 1 for NaN entries.

    Parameters
    ----------
    values
        Shape ``(num_tasks, num_candidates)``, NaN where missing.
    mode
        ``"min"`` or ``"max"``.

    Returns
    -------
    numpy.ndarray
        Same shape, values in ``[0, 1]``.
    """
    from scipy.stats import rankdata

    signed = np.asarray(values, dtype=float) * (1.0 if mode == "min" else -1.0)
    scores = np.ones_like(signed)
    for t, row in enumerate(signed):
        observed = ~np.isnan(row)
        n = int(observed.sum())
        if n == 1:
            scores[t, observed] = 0.0
        elif n > 1:
            scores[t, observed] = (rankdata(row[observed], method="average") - 1.0) / (n - 1.0)
    return scores


def greedy_portfolio(scores: np.ndarray) -> list[int]:
    """The greedy portfolio (step 3 of the module docstring) of normalized
    scores ``scores`` (shape ``(num_tasks, num_candidates)``, in ``[0, 1]``,
    0 best): candidate indices in the order chosen."""
    scores = np.asarray(scores, dtype=float)
    num_tasks, num_candidates = scores.shape
    best = np.ones(num_tasks)
    loss = 1.0
    chosen = np.zeros(num_candidates, dtype=bool)
    portfolio: list[int] = []
    while not chosen.all():
        losses = np.minimum(best[:, None], scores).mean(axis=0)
        losses[chosen] = np.inf
        smallest = losses.min()
        if not smallest < loss - _TOLERANCE:
            break
        # first of the (numerically) tied minimizers
        j = int(np.flatnonzero(losses <= smallest + _TOLERANCE)[0])
        portfolio.append(j)
        chosen[j] = True
        best = np.minimum(best, scores[:, j])
        loss = float(best.mean())
    return portfolio


def _cast_column(domain, values: np.ndarray) -> list:
    """``domain.cast`` of every value (values already checked to lie in
    ``domain``), vectorised for plain floats and integers."""
    if isinstance(domain, Float) and domain.q is None:
        return values.astype(float).tolist()
    if isinstance(domain, Integer) and domain.q is None:
        return np.rint(values.astype(float)).astype(np.int64).tolist()
    return [domain.cast(v) for v in values]


class ZeroShotTransfer(StochasticAndFilterDuplicatesSearcher):
    """Greedy zero-shot portfolio of the best configurations of earlier tasks,
    then random search (see the module docstring).

    Parameters
    ----------
    config_space
        Configuration space of the new task.
    metric
        Objective to optimize; must be an objective of every task.
    transfer_learning_evaluations
        Task name -> its evaluations; every task must give every
        hyperparameter of ``config_space``.
    mode
        ``"min"`` or ``"max"``.
    sort_transfer_learning_evaluations
        ``True``: align tasks by configuration; ``False``: rows are already
        aligned by position (see the module docstring).
    use_surrogates
        Predict the values of configurations a task did not evaluate with a
        k-NN surrogate per task.
    random_seed
        Seed of the random configurations after the portfolio.
    points_to_evaluate
        Configurations suggested first (``None``: one midpoint configuration).
    allow_duplicates, restrict_configurations
        See :class:`~syne_tune.optimizer.schedulers.searchers.StochasticAndFilterDuplicatesSearcher`.

    Raises
    ------
    InvalidParameterError
        If an argument has the wrong type or value, ``metric`` is not an
        objective of every task, a task lacks a hyperparameter of
        ``config_space``, tasks have different numbers of rows with
        ``sort_transfer_learning_evaluations=False``, or no evaluated
        configuration lies in ``config_space``.
    """

    _parameter_constraints = {
        "metric": [str],
        "transfer_learning_evaluations": [dict],
        "sort_transfer_learning_evaluations": ["boolean"],
        "use_surrogates": ["boolean"],
    }

    def __init__(
        self,
        config_space: dict,
        metric: str,
        transfer_learning_evaluations: dict[str, TransferLearningTaskEvaluations],
        mode: str = "min",
        sort_transfer_learning_evaluations: bool = True,
        use_surrogates: bool = False,
        random_seed: int | None = None,
        points_to_evaluate: list[dict] | None = None,
        allow_duplicates: bool | None = None,
        restrict_configurations: list[dict] | None = None,
    ):
        validate_parameters(self, locals())
        super().__init__(
            config_space,
            metric=metric,
            points_to_evaluate=points_to_evaluate,
            mode=mode,
            random_seed=random_seed,
            allow_duplicates=allow_duplicates,
            restrict_configurations=restrict_configurations,
        )
        check_transfer_learning_evaluations(self, transfer_learning_evaluations, metric)
        self.sort_transfer_learning_evaluations = bool(sort_transfer_learning_evaluations)
        self.use_surrogates = bool(use_surrogates)
        candidates, values = self._candidates_and_values(transfer_learning_evaluations, metric)
        order = greedy_portfolio(normalized_ranks(values, mode))
        self._portfolio: list[dict] = [candidates[j] for j in order]
        self._portfolio_position = 0

    # -- the portfolio ------------------------------------------------------------
    @property
    def portfolio(self) -> list[dict]:
        """The greedy portfolio, in the order it is suggested (a copy)."""
        return copy.deepcopy(self._portfolio)

    def _task_rows(self, task: str, evaluations: TransferLearningTaskEvaluations, metric: str):
        """The task's configurations inside the space (cast, hyperparameters
        only), their positions among its rows, and their values of ``metric``."""
        keys = non_constant_hyperparameter_keys(self.config_space)
        missing = [k for k in keys if k not in evaluations.hyperparameters.columns]
        if missing:
            raise InvalidParameterError(
                f"The 'transfer_learning_evaluations' parameter of {type(self).__name__} must give every "
                f"hyperparameter of config_space. Got task {task!r} without {missing}."
            )
        frame = evaluations.hyperparameters[keys]
        rows = np.flatnonzero(in_bounding_box(frame, self.config_space))
        columns = {k: _cast_column(self.config_space[k], frame[k].to_numpy()[rows]) for k in keys}
        configs = [{k: columns[k][i] for k in keys} for i in range(len(rows))]
        return configs, rows, evaluations.final_objective_values(metric)[rows]

    def _candidates_and_values(
        self, transfer_learning_evaluations: dict[str, TransferLearningTaskEvaluations], metric: str
    ) -> tuple[list[dict], np.ndarray]:
        """Candidates and the matrix ``y`` (tasks x candidates) of step 1."""
        tasks = list(transfer_learning_evaluations.items())
        per_task = [self._task_rows(task, evaluations, metric) for task, evaluations in tasks]
        if not self.sort_transfer_learning_evaluations and not self.use_surrogates:
            return self._aligned_by_position(tasks, per_task, metric)
        match = self._hp_ranges.config_to_match_string
        index: dict[str, int] = {}
        candidates: list[dict] = []

        def add(config: dict, key: str) -> int:
            if key not in index:
                index[key] = len(candidates)
                candidates.append(config)
            return index[key]

        allowed = None
        if self._restrict is not None:
            allowed = {match(c) for c in self._restrict}
            if self.use_surrogates:  # every allowed configuration is a candidate
                keys = non_constant_hyperparameter_keys(self.config_space)
                for config in self._restrict:
                    add({k: config[k] for k in keys}, match(config))
        positions = []
        for configs, _, _ in per_task:
            columns = []
            for config in configs:
                key = match(config)
                if allowed is None:
                    columns.append(add(config, key))
                elif self.use_surrogates:
                    columns.append(index.get(key, -1))
                else:
                    columns.append(add(config, key) if key in allowed else -1)
            positions.append(columns)
        if not candidates:
            raise InvalidParameterError(
                f"The 'transfer_learning_evaluations' parameter of {type(self).__name__} must hold configurations "
                "inside config_space (and restrict_configurations, if given). Got none."
            )
        values = np.full((len(tasks), len(candidates)), np.nan)
        for t, ((configs, _, y), cols) in enumerate(zip(per_task, positions)):
            cols = np.asarray(cols, dtype=int)
            keep = (cols >= 0) & ~np.isnan(y)
            sums = np.zeros(len(candidates))
            counts = np.zeros(len(candidates))
            np.add.at(sums, cols[keep], y[keep])
            np.add.at(counts, cols[keep], 1.0)
            seen = counts > 0
            values[t, seen] = sums[seen] / counts[seen]
            if self.use_surrogates:
                self._impute(values[t], configs, y, candidates)
        # a canonical order (which breaks ties of the greedy), whatever the order of tasks and rows
        keys = non_constant_hyperparameter_keys(self.config_space)
        order = sorted(range(len(candidates)), key=lambda j: tuple(candidates[j][k] for k in keys))
        return [candidates[j] for j in order], values[:, order]

    def _aligned_by_position(self, tasks, per_task, metric: str) -> tuple[list[dict], np.ndarray]:
        """Step 1 with ``sort_transfer_learning_evaluations=False``."""
        sizes = {task: len(evaluations.hyperparameters) for task, evaluations in tasks}
        if len(set(sizes.values())) > 1:
            raise InvalidParameterError(
                f"The 'sort_transfer_learning_evaluations' parameter of {type(self).__name__} is False, so every "
                f"task must list the same configurations in the same order. Got tasks with {sizes} rows; use "
                "sort_transfer_learning_evaluations=True (or use_surrogates=True)."
            )
        configs, rows, _ = per_task[0]
        if self._restrict is not None:
            allowed = {self._hp_ranges.config_to_match_string(c) for c in self._restrict}
            keep = [i for i, c in enumerate(configs) if self._hp_ranges.config_to_match_string(c) in allowed]
            configs, rows = [configs[i] for i in keep], rows[keep]
        if not configs:
            raise InvalidParameterError(
                f"The 'transfer_learning_evaluations' parameter of {type(self).__name__} must hold configurations "
                "inside config_space (and restrict_configurations, if given). Got none."
            )
        values = np.stack([evaluations.final_objective_values(metric)[rows] for _, evaluations in tasks])
        return configs, values

    def _impute(self, row: np.ndarray, configs: list[dict], y: np.ndarray, candidates: list[dict]) -> None:
        """Fill the NaN entries of ``row`` (one task) with k-NN predictions
        fitted to the task's evaluations ``configs``, ``y``."""
        from sklearn.neighbors import KNeighborsRegressor

        missing = np.flatnonzero(np.isnan(row))
        observed = ~np.isnan(y)
        if not len(missing) or not observed.any():
            return
        X = self._hp_ranges.to_ndarray_matrix([c for c, o in zip(configs, observed) if o])
        model = KNeighborsRegressor(n_neighbors=min(NUM_NEIGHBORS, len(X)), weights="distance")
        model.fit(X, y[observed])
        row[missing] = model.predict(self._hp_ranges.to_ndarray_matrix([candidates[j] for j in missing]))

    # -- searcher API ---------------------------------------------------------------
    def configure_scheduler(self, scheduler) -> None:
        """Take the scheduler's ``metric`` and ``mode``, which must be those the
        portfolio was computed for.

        Raises
        ------
        InvalidParameterError
            If the scheduler's metric or mode differ from the searcher's.
        """
        for name in ("metric", "mode"):
            given = getattr(scheduler, name, None)
            own = self._metric if name == "metric" else self._mode
            if given is not None and given != own:
                raise InvalidParameterError(
                    f"The {name!r} of {type(scheduler).__name__} must be that of its {type(self).__name__} "
                    f"searcher, {own!r}, for which the portfolio was computed. Got {given!r} instead."
                )
        super().configure_scheduler(scheduler)

    def _get_config(self, **kwargs) -> dict | None:
        config = self._next_new_initial_config()
        if config is not None:
            return config
        while self._portfolio_position < len(self._portfolio):
            config = self._portfolio[self._portfolio_position]
            self._portfolio_position += 1
            if not self.should_not_suggest(config):
                return dict(config)
        return self._get_random_config()

    def _update(self, trial_id: int, config: dict, result: dict) -> None:
        """Nothing is learned from the new task."""

    def get_state(self) -> dict[str, Any]:
        state = super().get_state()
        state["portfolio_position"] = self._portfolio_position
        return state

    def _restore_from_state(self, state: dict[str, Any]) -> None:
        super()._restore_from_state(state)
        self._portfolio_position = int(state["portfolio_position"])
