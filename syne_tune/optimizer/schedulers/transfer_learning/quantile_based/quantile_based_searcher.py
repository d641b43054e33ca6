"""Copula Thompson sampling (CTS): the quantile-based transfer-learning
searcher of Salinas, Shen, Perrone, "A Quantile-based Approach for
Hyperparameter Transfer Learning" (ICML 2020).

:class:`QuantileBasedSurrogateSearcher` learns, once at construction, where
good configurations lie from the evaluations of earlier tasks, and samples
new configurations biased towards them. It does not learn from the task
being tuned (see "No online update" below).

**Data.** For every earlier task ``t`` (a
:class:`~syne_tune.optimizer.schedulers.transfer_learning.TransferLearningTaskEvaluations`),
the objective is the one named ``metric`` (the only one if the task has a
single objective under another name), per configuration averaged over seeds
at the last fidelity where it has a value
(:meth:`~syne_tune.optimizer.schedulers.transfer_learning.TransferLearningTaskEvaluations.final_objective_values`);
configurations without a value are dropped. The values ``y`` of the task
are normalized on their own (:mod:`.normalization_transforms`):
``normalization="gaussian"`` (default) maps them through the task's
winsorized empirical CDF (mid-ranks for ties) and ``Phi^{-1}`` to
``z = Phi^{-1}(F_t(y))``; ``"standard"`` standardizes them. Both maps are
increasing and antisymmetric, so ``z`` is fitted to ``y`` as it is and the
mode enters as a sign at suggestion time: ``s = +1`` for ``mode="min"``,
``-1`` for ``"max"`` (identical to normalizing the mode-signed values
``s * y``, and it lets the scheduler's mode, taken over in
:meth:`~QuantileBasedSurrogateSearcher.configure_scheduler`, apply without
a refit). The pairs ``(x, z)`` of all tasks (``x`` encoded in ``[0, 1]^d``
by the searcher's hyperparameter ranges) form one data set.

**Surrogate** (:class:`GradientBoostingMeanStd`). Above ``max_fit_samples``
rows (default 100000), a random subset of that size is kept. The rows are
shuffled and split: ``valid_fraction = 0.2`` of them (at least one) are
held out. A histogram gradient-boosted regressor (scikit-learn
``HistGradientBoostingRegressor``, squared loss, no early stopping) fits
the mean ``mu(x)`` on the others; a second one fits the absolute residuals
``|z - mu(x)|`` of the held-out rows, and
``sigma(x) = sqrt(pi / 2) * E[|z - mu(x)| | x]`` (the standard deviation
of a Gaussian with that mean absolute deviation), floored at
``SIGMA_FLOOR = 1e-3``. With fewer than ``MIN_ROWS_FOR_SPLIT = 10`` rows,
``mu`` is fitted to all of them and ``sigma`` is the constant standard
deviation of ``z`` (1 if that is 0). Regressor options: defaults
:data:`DEFAULT_REGRESSOR_KWARGS` (scikit-learn's: 100 iterations of learning
rate 0.1, at most 31 leaves of at least 20 rows), changed with
``regressor_kwargs``. All randomness (subset, split, the regressors' seeds)
comes from the searcher's random state.

**Suggestions.** The remaining ``points_to_evaluate`` come first (``None``:
the midpoint configuration, as for every searcher of this library). Then
Thompson sampling: ``num_candidates`` random configurations (default
10000, fresh for every suggestion, drawn from the searcher's random state
in one vectorized call), or all unused entries of
``restrict_configurations`` if given, are encoded; one draw
``zeta(x) = s * mu(x) + sigma(x) * eps(x)``, ``eps ~ N(0, 1)`` i.i.d. per
candidate, is made and the candidate with the smallest draw that was not
suggested before is returned
(:class:`GaussianThompsonSampling`, scored through
:class:`~syne_tune.optimizer.schedulers.searchers.bayesopt.model_based_searcher.ModelBasedSearcher`
and its
:class:`~syne_tune.optimizer.schedulers.searchers.bayesopt.acquisition_optimizer.LocalSearchOptimizer`
with ``sobol=False, skip_local_optimization=True``: candidates only, no
local search). ``None`` once a finite space or the restricted list is used
up. (With a single row of earlier data, the suggestions are random
configurations: the base class fits a model from two observations on.)

**No online update.** This is the paper's CTS variant: sampling from the
prior learned on the earlier tasks. Results of the task being tuned are
ignored (as in Syne Tune); the paper's GC3P variant, a Gaussian process on
the residuals of the new task, is not implemented. As the model does not
take results as final observations of their configuration,
``single_fidelity_model = False``: multi-fidelity schedulers may use it
(:class:`~syne_tune.optimizer.baselines.ASHACTS` is ASHA with this
searcher), and it accepts the scheduler context arguments
``resource_attr``, ``max_epochs``, ``max_resource_attr`` and ``scheduler``
(stored; :meth:`~QuantileBasedSurrogateSearcher.configure_scheduler` takes
``resource_attr`` and ``max_t`` from a multi-fidelity scheduler).

**Cost** (defaults, measured single-threaded on a loaded 2-core machine):
the fit takes 3 to 5 s on the 45000 rows of 9 ``icml-xgboost`` tasks or the
66000 of 33 ``lcbench`` tasks; a suggestion about 0.15 to 0.25 s, most of
it the two boosters' predictions on the 10000 candidates (fewer
``num_candidates`` cost proportionally less).

**State.** The fitted surrogate never changes; the state
(:meth:`~QuantileBasedSurrogateSearcher.get_state`) is that of the base
class (random state, remaining initial configurations, configurations
suggested, unused restricted ones), so a clone or a pickled copy continues
with identical suggestions.

Differences to Syne Tune 0.13, and why:

* surrogate: Syne Tune fits an XGBoost regressor on a 90/10 split (after
  subsampling the training part) and uses one homoscedastic ``sigma``, the
  standard deviation of the validation residuals; here scikit-learn's
  histogram boosting (no xgboost dependency) and a heteroscedastic
  ``sigma(x)`` from a second regressor (the paper's parametric model also
  predicts a per-configuration ``sigma``); ``max_fit_samples`` bounds all
  rows used, before the split;
* candidates: Syne Tune draws 100000 random configurations once, at
  construction, and samples among those for the whole run, without
  excluding earlier suggestions; here ``num_candidates`` fresh ones per
  suggestion (the run is not confined to one fixed set), without
  duplicates (unless ``allow_duplicates``);
* objective: Syne Tune uses the first objective and the last fidelity
  (NaN where that fidelity is missing); here the objective named
  ``metric`` and the last fidelity with a value;
* ``points_to_evaluate``: Syne Tune ignores them (always ``[]``); here they
  are suggested first, ``None`` meaning the midpoint configuration;
* ties of the Gaussian copula: mid-ranks instead of random ranks (see
  :mod:`.normalization_transforms`); ``normalization="standard"`` works
  (it raises in Syne Tune 0.13);
* state: Syne Tune's ``clone_from_state`` is not implemented; here the
  searcher is saved and restored like every other one.
"""

from __future__ import annotations

import logging
from numbers import Integral, Real
from typing import Any

import numpy as np

from syne_tune.optimizer.schedulers.searchers.bayesopt.acquisition import AcquisitionFunction
from syne_tune.optimizer.schedulers.searchers.bayesopt.acquisition_optimizer import LocalSearchOptimizer
from syne_tune.optimizer.schedulers.searchers.bayesopt.model_based_searcher import ModelBasedSearcher
from syne_tune.optimizer.schedulers.searchers.bayesopt.observations import ModelData
from syne_tune.optimizer.schedulers.searchers.bayesopt.surrogate import SurrogateModel
from syne_tune.optimizer.schedulers.searchers.conformal.conformal_quantile_regression import (
    _REGRESSOR_KWARGS,
    _single_threaded,
)
from syne_tune.optimizer.schedulers.searchers.multi_fidelity import MultiFidelitySearcherMixin
from syne_tune.optimizer.schedulers.searchers.searcher_base import StochasticAndFilterDuplicatesSearcher
from syne_tune.optimizer.schedulers.transfer_learning.quantile_based.normalization_transforms import (
    NORMALIZATIONS,
    from_string,
)
from syne_tune.optimizer.schedulers.transfer_learning.transfer_learning_task_evaluation import (
    TransferLearningTaskEvaluations,
    check_transfer_learning_evaluations,
)
from syne_tune.utils.validation import Interval, InvalidParameterError, Options, check_keys, validate_parameters

__all__ = [
    "QuantileBasedSurrogateSearcher",
    "GradientBoostingMeanStd",
    "GaussianThompsonSampling",
    "extract_input_output",
    "DEFAULT_REGRESSOR_KWARGS",
]

logger = logging.getLogger(__name__)

#: Options of both ``HistGradientBoostingRegressor`` (scikit-learn's defaults, spelt out).
DEFAULT_REGRESSOR_KWARGS: dict[str, Any] = {
    "max_iter": 100,
    "learning_rate": 0.1,
    "max_leaf_nodes": 31,
    "min_samples_leaf": 20,
}
#: Regressor options the model sets itself.
_RESERVED_REGRESSOR_KWARGS = ("loss", "random_state", "early_stopping")
#: Smallest predicted standard deviation (in units of the normalized objective).
SIGMA_FLOOR = 1e-3
#: Fewer rows than this: no held-out split, constant ``sigma``.
MIN_ROWS_FOR_SPLIT = 10
#: ``sqrt(pi / 2)``: standard deviation over mean absolute deviation of a Gaussian.
_MAD_TO_STD = float(np.sqrt(np.pi / 2.0))
_SEED_LIMIT = 2**31 - 1
_OWNER = "QuantileBasedSurrogateSearcher"


# -- data -------------------------------------------------------------------------------------
def _objective_name(evaluations: TransferLearningTaskEvaluations, metric: str, task) -> str:
    """``metric`` if the task has it, else its only objective."""
    if metric in evaluations.objectives_names:
        return metric
    if len(evaluations.objectives_names) == 1:
        return evaluations.objectives_names[0]
    raise InvalidParameterError(
        f"The 'transfer_learning_evaluations' parameter of {_OWNER}: task {task!r} has no objective named "
        f"{metric!r} (the metric) and several others {evaluations.objectives_names}; pass evaluations of the "
        "metric."
    )


def extract_input_output(
    transfer_learning_evaluations: dict[str, TransferLearningTaskEvaluations],
    hp_ranges,
    metric: str,
    normalization: str = "gaussian",
) -> tuple[np.ndarray, np.ndarray]:
    """The encoded configurations and normalized objective values of all
    earlier tasks (see the module docstring: ``z`` increases with the
    objective, whatever the mode).

    Parameters
    ----------
    transfer_learning_evaluations
        Task name -> evaluations.
    hp_ranges
        Hyperparameter ranges encoding the configurations.
    metric
        Objective to transfer (a task with one objective may name it
        otherwise).
    normalization
        ``"gaussian"`` or ``"standard"``.

    Returns
    -------
    tuple
        ``X`` of shape ``(n, hp_ranges.ndarray_size)`` and ``z`` of shape ``(n,)``.

    Raises
    ------
    InvalidParameterError
        If a task lacks the objective or a hyperparameter, holds a value
        outside a categorical domain, or no task has any value.
    """
    transform = from_string(normalization)
    blocks_X, blocks_z = [], []
    for task, evaluations in transfer_learning_evaluations.items():
        values = evaluations.final_objective_values(_objective_name(evaluations, metric, task))
        keep = np.flatnonzero(np.isfinite(values))
        if keep.size == 0:
            continue
        missing = [k for k in hp_ranges.internal_keys if k not in evaluations.hyperparameters.columns]
        if missing:
            raise InvalidParameterError(
                f"The 'transfer_learning_evaluations' parameter of {_OWNER}: task {task!r} lacks the "
                f"hyperparameters {missing} of the config space (its columns: "
                f"{list(evaluations.hyperparameters.columns)})."
            )
        records = evaluations.hyperparameters.iloc[keep][hp_ranges.internal_keys].to_dict("records")
        try:
            blocks_X.append(hp_ranges.to_ndarray_matrix(records))
        except (KeyError, TypeError, ValueError) as ex:
            raise InvalidParameterError(
                f"The 'transfer_learning_evaluations' parameter of {_OWNER}: the configurations of task "
                f"{task!r} do not fit the config space: {ex}"
            ) from None
        blocks_z.append(transform(values[keep]).transform(values[keep]))
    if not blocks_X:
        raise InvalidParameterError(
            f"The 'transfer_learning_evaluations' parameter of {_OWNER} must hold at least one evaluated "
            f"configuration with a value of {metric!r}. Got none."
        )
    return np.concatenate(blocks_X), np.concatenate(blocks_z)


# -- surrogate --------------------------------------------------------------------------------
class GradientBoostingMeanStd(SurrogateModel):
    """Mean and heteroscedastic standard deviation from two gradient-boosted
    regressors (the algorithm is in the module docstring).

    Parameters
    ----------
    max_fit_samples
        Fit to a random subset of this many rows when there are more
        (``None``: all).
    valid_fraction
        Fraction of rows held out to fit the standard deviation.
    regressor_kwargs
        Options of both ``HistGradientBoostingRegressor`` (over
        :data:`DEFAULT_REGRESSOR_KWARGS`); ``loss``, ``random_state`` and
        ``early_stopping`` are set by the model.

    Raises
    ------
    InvalidParameterError
        If an argument has the wrong type or value.
    """

    _parameter_constraints = {
        "max_fit_samples": [Interval(Integral, 1, None, closed="left"), None],
        "valid_fraction": [Interval(Real, 0.0, 1.0, closed="neither")],
        "regressor_kwargs": [dict, None],
    }

    def __init__(
        self,
        max_fit_samples: int | None = None,
        valid_fraction: float = 0.2,
        regressor_kwargs: dict | None = None,
    ):
        validate_parameters(self, locals())
        regressor_kwargs = dict(regressor_kwargs or {})
        allowed = set(_REGRESSOR_KWARGS) - set(_RESERVED_REGRESSOR_KWARGS)
        check_keys(self, "regressor_kwargs", regressor_kwargs, allowed)
        self.max_fit_samples = max_fit_samples
        self.valid_fraction = float(valid_fraction)
        self.regressor_kwargs = {**DEFAULT_REGRESSOR_KWARGS, **regressor_kwargs}
        self._mean = None
        self._std = None  # regressor of |residual|, or None (constant)
        self._constant_std = 1.0
        self.num_fit_samples = 0

    def _regressor(self, random_state: np.random.RandomState):
        from sklearn.ensemble import HistGradientBoostingRegressor

        return HistGradientBoostingRegressor(
            loss="squared_error",
            early_stopping=False,
            random_state=int(random_state.randint(0, _SEED_LIMIT)),
            **self.regressor_kwargs,
        )

    def fit(self, data: ModelData, random_state: np.random.RandomState | None = None) -> None:
        """Fit to ``data.X`` and ``data.y`` (pending rows are ignored).

        Raises
        ------
        ValueError
            If ``data`` has no rows.
        """
        rs = random_state if random_state is not None else np.random.RandomState()
        X, y = data.X, data.y
        n = len(y)
        if n == 0:
            raise ValueError(f"{type(self).__name__}.fit: no rows to fit")
        order = rs.permutation(n)
        if self.max_fit_samples is not None and n > self.max_fit_samples:
            order = order[: self.max_fit_samples]
        n = len(order)
        self.num_fit_samples = n
        self._mean = self._regressor(rs)
        if n < MIN_ROWS_FOR_SPLIT:
            self._mean.fit(X[order], y[order])
            spread = float(np.std(y[order]))
            self._std, self._constant_std = None, (spread if spread > 0 else 1.0)
            return
        num_valid = max(1, int(round(self.valid_fraction * n)))
        train, valid = order[num_valid:], order[:num_valid]
        self._mean.fit(X[train], y[train])
        residuals = np.abs(y[valid] - self._mean.predict(X[valid]))
        self._std = self._regressor(rs)
        self._std.fit(X[valid], residuals)

    @property
    def is_fitted(self) -> bool:
        return self._mean is not None

    def predict(self, X: np.ndarray, resources=None) -> tuple[np.ndarray, np.ndarray]:
        """Mean and standard deviation of the normalized objective at the rows of ``X``.

        Raises
        ------
        RuntimeError
            If the model is not fitted.
        """
        if self._mean is None:
            raise RuntimeError(f"{type(self).__name__}.predict: fit the model first")
        X = np.atleast_2d(np.asarray(X, dtype=float))
        with _single_threaded():
            mean = self._mean.predict(X)
            if self._std is None:
                std = np.full(len(X), self._constant_std)
            else:
                std = _MAD_TO_STD * self._std.predict(X)
        return mean, np.maximum(std, SIGMA_FLOOR)

    def sample(
        self, X: np.ndarray, num_samples: int, random_state: np.random.RandomState, resources=None
    ) -> np.ndarray:
        """Independent Gaussian samples per row, shape ``(num_samples, m)``."""
        mean, std = self.predict(X)
        return mean + std * random_state.standard_normal((int(num_samples), len(mean)))

    def parameters(self) -> dict:
        return {
            "num_fit_samples": self.num_fit_samples,
            "heteroscedastic": self._std is not None,
            **self.regressor_kwargs,
        }


class GaussianThompsonSampling(AcquisitionFunction):
    """One Thompson draw per candidate, ``zeta = sign * mu + sigma * eps``
    with ``eps ~ N(0, 1)``; the score is ``-zeta`` (the best candidate has
    the smallest draw).

    Parameters
    ----------
    model
        Anything with ``predict(X) -> (mu, sigma)``.
    random_state
        Source of ``eps`` (``random_state.standard_normal(m)`` for ``m``
        candidates; the searcher's, so that its state determines the draws).
    sign
        ``+1`` to minimize the modelled quantity, ``-1`` to maximize it.
    encode
        Maps the candidates' encoding to the model's (``None``: the same).
    """

    def __init__(self, model, random_state: np.random.RandomState, sign: float = 1.0, encode=None):
        self.model = model
        self.random_state = random_state
        self.sign = float(sign)
        self.encode = encode

    def draws(self, X: np.ndarray) -> np.ndarray:
        """The draws ``zeta`` at the rows of ``X`` (consumes ``len(X)`` normals)."""
        X = np.atleast_2d(np.asarray(X, dtype=float))
        mean, std = self.model.predict(X if self.encode is None else self.encode(X))
        eps = self.random_state.standard_normal(len(X))
        return self.sign * np.asarray(mean, dtype=float) + np.asarray(std, dtype=float) * eps

    def _evaluate(self, X: np.ndarray) -> np.ndarray:
        return -self.draws(X)


# -- searcher ---------------------------------------------------------------------------------
class QuantileBasedSurrogateSearcher(ModelBasedSearcher):
    """Copula Thompson sampling from a surrogate fitted to earlier tasks (see
    the module docstring).

    Parameters
    ----------
    config_space
        Configuration space of the task tuned now.
    metric
        Metric to optimize; the objective of the earlier tasks of that name
        is transferred.
    transfer_learning_evaluations
        Task name -> evaluations of an earlier task.
    mode
        ``"min"`` or ``"max"``; ``None`` (default) means ``"min"``. A
        scheduler's mode replaces it in :meth:`configure_scheduler`.
    max_fit_samples
        Rows of the surrogate's fit at most (default 100000), a random subset
        when there are more.
    normalization
        ``"gaussian"`` (default, Gaussian copula) or ``"standard"``.
    random_seed
        Seed of the searcher's random state (drawn at random if ``None``).
    points_to_evaluate
        Configurations suggested first (``None``: the midpoint configuration).
    restrict_configurations
        If given, only these configurations are suggested (the surrogate
        scores the unused ones).
    allow_duplicates
        Whether a configuration may be suggested again (``None``: no).
    num_candidates
        Random candidates per suggestion (default 10000).
    valid_fraction
        Fraction of rows held out to fit the standard deviation (default 0.2).
    regressor_kwargs
        Options of the gradient-boosted regressors (see
        :class:`GradientBoostingMeanStd`).
    resource_attr, max_epochs, max_resource_attr, scheduler
        Scheduler context (passed by schedulers that build searchers by
        name); stored, not used by the model.

    Raises
    ------
    InvalidParameterError
        If an argument has the wrong type or value, or the evaluations do not
        fit the config space.
    """

    single_fidelity_model = False

    _parameter_constraints = {
        **MultiFidelitySearcherMixin._parameter_constraints,
        "metric": [str],
        "mode": [Options(str, {"min", "max"}), None],
        "transfer_learning_evaluations": [dict],
        "max_fit_samples": [Interval(Integral, 1, None, closed="left")],
        "normalization": [Options(str, set(NORMALIZATIONS))],
        "num_candidates": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        config_space: dict,
        metric: str,
        transfer_learning_evaluations: dict[str, TransferLearningTaskEvaluations],
        mode: str | None = None,
        max_fit_samples: int = 100000,
        normalization: str = "gaussian",
        random_seed: int | None = None,
        points_to_evaluate: list[dict] | None = None,
        restrict_configurations: list[dict] | None = None,
        allow_duplicates: bool | None = None,
        num_candidates: int = 10000,
        valid_fraction: float = 0.2,
        regressor_kwargs: dict | None = None,
        resource_attr: str | None = None,
        max_epochs: int | None = None,
        max_resource_attr: str | None = None,
        scheduler: str | None = None,
    ):
        validate_parameters(self, locals())
        # a task's only objective stands in for the metric (see _objective_name)
        check_transfer_learning_evaluations(self, transfer_learning_evaluations, metric=None)
        model = GradientBoostingMeanStd(
            max_fit_samples=max_fit_samples, valid_fraction=valid_fraction, regressor_kwargs=regressor_kwargs
        )
        super().__init__(
            config_space,
            metric=metric,
            points_to_evaluate=points_to_evaluate,
            mode="min" if mode is None else mode,
            random_seed=random_seed,
            allow_duplicates=allow_duplicates,
            restrict_configurations=restrict_configurations,
            num_init_random=0,
            acquisition_optimizer=LocalSearchOptimizer(
                num_init_candidates=num_candidates, sobol=False, skip_local_optimization=True
            ),
        )
        self.max_fit_samples = int(max_fit_samples)
        self.normalization = normalization
        self.num_candidates = int(num_candidates)
        self.resource_attr = resource_attr
        self.max_t = None if max_epochs is None else int(max_epochs)
        self.max_resource_attr = max_resource_attr
        # the surrogate is fitted once, here, and never changes
        self._fit_ranges = self._hp_ranges
        X, z = extract_input_output(transfer_learning_evaluations, self._fit_ranges, metric, normalization)
        model.fit(ModelData(X=X, y=z), self.random_state)
        self.surrogate = model
        logger.info(
            "%s: surrogate fitted to %d of %d rows of %d earlier tasks",
            _OWNER,
            model.num_fit_samples,
            len(z),
            len(transfer_learning_evaluations),
        )

    # -- scheduler -------------------------------------------------------------------------
    def configure_scheduler(self, scheduler) -> None:
        """Takes ``metric`` and ``mode`` from ``scheduler`` (the mode changes
        the sign of the draws; the surrogate is not refitted), and
        ``resource_attr`` and ``max_t`` from a multi-fidelity one."""
        super().configure_scheduler(scheduler)
        if getattr(scheduler, "multi_fidelity", False):
            if getattr(scheduler, "resource_attr", None) is not None:
                self.resource_attr = scheduler.resource_attr
            if getattr(scheduler, "max_t", None) is not None:
                self.max_t = int(scheduler.max_t)

    # -- the new task's data is not modelled ----------------------------------------------
    def _update(self, trial_id: int, config: dict, result: dict) -> None:
        """Results of the task tuned now are ignored (CTS, see the module docstring)."""

    def register_pending(self, trial_id: int, config: dict | None = None, milestone=None) -> None:
        # no pending evaluations to fantasize: only the duplicate bookkeeping
        StochasticAndFilterDuplicatesSearcher.register_pending(self, trial_id, config=config, milestone=milestone)

    def dataset_size(self) -> int:
        """Rows of the earlier tasks the surrogate was fitted to."""
        return int(self.surrogate.num_fit_samples)

    def model_parameters(self) -> dict:
        return {"normalization": self.normalization, **self.surrogate.parameters()}

    # -- model ------------------------------------------------------------------------------
    def _make_model(self, output: str) -> SurrogateModel:
        return self.surrogate

    def _fit_models(self) -> dict[str, SurrogateModel]:
        return {self._metric: self.surrogate}

    def _encode_for_model(self):
        """``None`` if the current ranges encode as the surrogate's, else the
        map from the current encoding to the surrogate's."""
        current, fitted = self._hp_ranges, self._fit_ranges
        if current is fitted or current == fitted:
            return None
        missing = [k for k in fitted.internal_keys if k not in current.internal_keys]
        if missing:
            raise ValueError(
                f"{_OWNER}: the hyperparameter ranges were replaced by ones without {missing}, which the "
                "surrogate was fitted with"
            )
        return lambda X: fitted.to_ndarray_matrix(current.from_ndarray_matrix(X))

    def _acquisition(self, models: dict[str, SurrogateModel]) -> AcquisitionFunction:
        return GaussianThompsonSampling(
            models[self._metric],
            self.random_state,
            sign=-1.0 if self._mode == "max" else 1.0,
            encode=self._encode_for_model(),
        )

    def _top_configs(self, k: int) -> list[dict]:
        # no observations of the task tuned now
        return []

    def _num_metric_observations(self) -> int:
        # the model's observations are the rows of the earlier tasks: with
        # num_init_random=0, the base class goes from the initial
        # configurations straight to the model
        return int(self.surrogate.num_fit_samples)
