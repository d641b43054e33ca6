"""Quantile-regression surrogate models, their split-conformal calibration,
and Thompson sampling from the predicted quantiles (the model of CQR:
Salinas, Golebiowski, Klein, Seeger, Archambeau, "Optimizing Hyperparameters
with Conformal Quantile Regression", ICML 2023).

**Quantile regression** (:class:`QuantileRegression`). For quantile levels
``alpha_1 < ... < alpha_m`` (``quantiles=m`` gives the equally spaced levels
``alpha_j = j / (m + 1)``; default ``m = 5``: 1/6, ..., 5/6), one regressor
``q_j(x)`` per level is fitted to the encoded configurations ``x`` (rows of
:class:`~syne_tune.optimizer.schedulers.searchers.bayesopt.observations.ModelData`,
hp_ranges' ``to_ndarray_matrix``) and targets ``y`` (smaller is better) by
minimizing the pinball loss ``sum_i rho_alpha(y_i - q(x_i))``,
``rho_alpha(u) = max(alpha u, (alpha - 1) u)``. The regressor is
scikit-learn's ``HistGradientBoostingRegressor(loss="quantile",
quantile=alpha_j)``, seeded with an integer drawn from the searcher's random
state. It was chosen over ``GradientBoostingRegressor(loss="quantile")`` by
speed (measured single-threaded on a 2-core machine, 25 / 100 / 200 points
with 8 encoded columns, all 5 levels): 72 / 111 / 124 ms with the defaults
below, against 111 / 135 / 164 ms for ``GradientBoostingRegressor`` with 30
trees of depth 2 (learning rate 0.2) and about 500 / 790 / 800 ms with its
default 100 trees of depth 3; the histogram booster with 100 iterations of
up to 31 leaves took 245 / 913 / 1161 ms. Both spend most of the time in
scikit-learn's per-tree Python code (for the quantile loss, one
``np.percentile`` call per leaf), so the defaults here are small:
:data:`DEFAULT_REGRESSOR_KWARGS` (30 boosting iterations of learning rate 0.2,
at most 8 leaves of at least 3 points; the scikit-learn default of 20 points
per leaf would forbid any split on the few dozen observations of a
hyperparameter search). Targets are not normalized: the pinball-loss boosting
(gradients ``alpha`` or ``alpha - 1``, leaf values set to residual quantiles)
is equivariant to affine changes of ``y``. Above ``max_fit_samples``
observations, a random subset of that size (drawn from the random state) is
fitted.

**Quantile crossing.** Separately fitted regressors may cross
(``q_j(x) > q_{j+1}(x)``). Predictions are *rearranged* (Chernozhukov,
Fernandez-Val and Galichon 2010): the ``m`` values of each row are sorted, so
the ``j``-th smallest is the prediction of level ``alpha_j``. Sorting never
increases the pinball loss of a set of levels and leaves non-crossing rows
unchanged.

**Conformalization** (:class:`ConformalQuantileRegression`; split conformal
prediction as in conformalized quantile regression, Romano, Patterson and
Candes 2019, which the CQR paper applies). With ``n >=
min_samples_to_conformalize`` observations (default 32; fewer: no
correction, all points fit the regressors), a random ``n_cal =
ceil(valid_fraction * n)`` of them (default ``valid_fraction = 0.1``; at least
one, and at least two points are left to fit) are held out as the
calibration set, and the regressors are fitted to the others. The levels are
paired from the outside in, ``(alpha_k, alpha_{m+1-k})`` for ``alpha_k <
alpha_{m+1-k}``; the pair's interval ``[q_lo(x), q_hi(x)]`` (rearranged
predictions) has the nominal coverage ``c_k = alpha_{m+1-k} - alpha_k``. On
the calibration points the conformity scores are ::

    E_i = max(q_lo(x_i) - y_i, y_i - q_hi(x_i))

(positive outside the interval, negative inside), and the correction ``Q_k``
is the ``ceil((n_cal + 1) c_k)``-th smallest ``E_i``. The conformalized pair
is ``[q_lo - Q_k, q_hi + Q_k]``: for exchangeable data its coverage of a
fresh point is at least ``c_k`` (Romano et al., Theorem 1). ``Q_k`` may be
negative (the interval shrinks when the regressors are too cautious). When
``ceil((n_cal + 1) c_k) > n_cal`` the exact method would give an infinite
correction; here the largest score is used instead (with the default levels,
``c_1 = 2/3``, this happens only for ``n_cal = 1``, so from 32 observations
on, ``n_cal >= 4``, never). The middle level of an odd ``m`` (the median)
has no pair and is not corrected. The regressors stay fitted to the training
part (refitting them to all points would void the coverage guarantee).
After the corrections the rows are rearranged again (an inner pair may be
widened beyond an outer one).

**Thompson sampling** (:class:`ThompsonSampling`, :func:`thompson_draws`):
the predictive distribution at ``x`` is taken to be uniform over its ``m``
(conformalized, rearranged) quantiles. For each candidate one of them is
drawn, independently and uniformly (``random_state.randint(m)``), and the
score is minus the draw: the best candidate is the one with the smallest
draw (targets are "smaller is better"; the searcher negates metrics of
``mode="max"``). The draws of different candidates are independent, unlike a
joint posterior sample of a Gaussian process.

**Gaussian summary.** For code that expects ``predict(X) -> (mean, std)``
(:class:`~syne_tune.optimizer.schedulers.searchers.bayesopt.surrogate.SurrogateModel`),
the mean is the median prediction (the middle level, or the average of the
two middle ones) and the standard deviation
``(q_hi - q_lo) / (z(alpha_hi) - z(alpha_lo))`` from the outermost pair
(``z`` the standard normal quantile function; 0 for a single level).
"""

from __future__ import annotations

import contextlib
import math
from numbers import Integral, Real
from statistics import NormalDist
from typing import Any, Sequence

import numpy as np

from syne_tune.optimizer.schedulers.searchers.bayesopt.acquisition import AcquisitionFunction
from syne_tune.optimizer.schedulers.searchers.bayesopt.observations import ModelData
from syne_tune.optimizer.schedulers.searchers.bayesopt.surrogate import SurrogateModel
from syne_tune.utils.validation import (
    Interval,
    InvalidParameterError,
    check_keys,
    validate_parameters,
)

__all__ = [
    "QuantileRegression",
    "ConformalQuantileRegression",
    "ThompsonSampling",
    "quantile_levels",
    "quantile_pairs",
    "conformal_correction",
    "conformal_corrections",
    "rearrange",
    "thompson_draws",
    "DEFAULT_REGRESSOR_KWARGS",
]

#: Options of ``HistGradientBoostingRegressor`` used unless ``regressor_kwargs`` overrides them.
DEFAULT_REGRESSOR_KWARGS: dict[str, Any] = {
    "max_iter": 30,
    "learning_rate": 0.2,
    "max_leaf_nodes": 8,
    "min_samples_leaf": 3,
}
#: Regressor options the model sets itself.
_RESERVED_REGRESSOR_KWARGS = ("loss", "quantile", "random_state")
#: Regressor options accepted in ``regressor_kwargs``.
_REGRESSOR_KWARGS = (
    "learning_rate",
    "max_iter",
    "max_leaf_nodes",
    "max_depth",
    "min_samples_leaf",
    "l2_regularization",
    "max_features",
    "max_bins",
    "categorical_features",
    "monotonic_cst",
    "interaction_cst",
    "early_stopping",
    "scoring",
    "validation_fraction",
    "n_iter_no_change",
    "tol",
    "warm_start",
    "verbose",
)
_SEED_LIMIT = 2**31 - 1


def quantile_levels(quantiles: int | Sequence[float]) -> np.ndarray:
    """The quantile levels: ``j / (m + 1)``, ``j = 1..m`` for an int ``m``,
    else the given levels, sorted.

    Parameters
    ----------
    quantiles
        Number of equally spaced levels (at least 1), or the levels (distinct,
        strictly between 0 and 1).

    Returns
    -------
    np.ndarray
        Increasing levels, shape ``(m,)``.

    Raises
    ------
    InvalidParameterError
        If ``quantiles`` is neither.
    """
    if isinstance(quantiles, Integral) and not isinstance(quantiles, bool):
        if quantiles < 1:
            raise InvalidParameterError(
                f"The 'quantiles' parameter must be an int >= 1 or a list of levels in (0, 1). Got {quantiles!r} instead."
            )
        return np.arange(1, int(quantiles) + 1, dtype=float) / (int(quantiles) + 1)
    try:
        levels = np.asarray(list(quantiles), dtype=float)
    except (TypeError, ValueError):
        levels = np.zeros(0)
    if (
        levels.ndim != 1
        or levels.size == 0
        or not np.all((levels > 0.0) & (levels < 1.0))
        or len(np.unique(levels)) != levels.size
    ):
        raise InvalidParameterError(
            "The 'quantiles' parameter must be an int >= 1 or a list of distinct levels in (0, 1). "
            f"Got {quantiles!r} instead."
        )
    return np.sort(levels)


def quantile_pairs(levels: np.ndarray) -> list[tuple[int, int]]:
    """Indices ``(k, m - 1 - k)`` of the level pairs that form intervals,
    outermost first (a middle level of an odd ``m`` has no pair)."""
    m = len(levels)
    return [(k, m - 1 - k) for k in range(m // 2)]


def conformal_correction(lower: np.ndarray, upper: np.ndarray, y: np.ndarray, coverage: float) -> float:
    """The split-conformal correction ``Q`` of the interval ``[lower, upper]``
    (see the module docstring).

    Parameters
    ----------
    lower, upper
        Predicted lower and upper quantiles at the calibration points.
    y
        Targets of the calibration points (at least one).
    coverage
        Nominal coverage of the interval, in ``(0, 1)``.

    Returns
    -------
    float
        The ``ceil((n + 1) coverage)``-th smallest conformity score
        ``max(lower - y, y - upper)`` (the largest if that rank exceeds ``n``).
    """
    scores = np.maximum(np.asarray(lower, dtype=float) - y, np.asarray(y, dtype=float) - upper)
    n = scores.size
    if n == 0:
        raise ValueError("conformal_correction needs at least one calibration point")
    rank = min(max(int(math.ceil((n + 1) * coverage - 1e-12)), 1), n)
    return float(np.partition(scores, rank - 1)[rank - 1])


def conformal_corrections(predictions: np.ndarray, y: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """Additive corrections of every level: ``-Q_k`` for the lower and
    ``+Q_k`` for the upper level of pair ``k``, 0 for an unpaired middle one.

    Parameters
    ----------
    predictions
        Rearranged predictions at the calibration points, shape ``(n, m)``.
    y
        Their targets, shape ``(n,)``.
    levels
        The ``m`` increasing quantile levels.

    Returns
    -------
    np.ndarray
        Shape ``(m,)``.
    """
    corrections = np.zeros(len(levels))
    for lo, hi in quantile_pairs(levels):
        q = conformal_correction(predictions[:, lo], predictions[:, hi], y, levels[hi] - levels[lo])
        corrections[lo] -= q
        corrections[hi] += q
    return corrections


def rearrange(predictions: np.ndarray) -> np.ndarray:
    """Quantile predictions (one row per point, one column per increasing
    level) with each row sorted: the fix of quantile crossing."""
    return np.sort(predictions, axis=1)


def thompson_draws(quantile_predictions: np.ndarray, random_state: np.random.RandomState) -> np.ndarray:
    """One draw per row: a column chosen uniformly at random (the predictive
    distribution is uniform over the predicted quantiles).

    Parameters
    ----------
    quantile_predictions
        Shape ``(n, m)``.
    random_state
        Source of the ``n`` column indices (``random_state.randint(m, size=n)``).

    Returns
    -------
    np.ndarray
        Shape ``(n,)``.
    """
    n, m = quantile_predictions.shape
    columns = random_state.randint(m, size=n)
    return quantile_predictions[np.arange(n), columns]


_CONTROLLER = None


@contextlib.contextmanager
def _single_threaded():
    """OpenMP (the histogram booster's threads) and BLAS limited to one
    thread: the models are small, and spinning threads next to a tuner's
    trials cost far more than they gain."""
    global _CONTROLLER
    if _CONTROLLER is None:
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
            _CONTROLLER = False
        else:
            import sklearn.ensemble  # noqa: F401  (load its OpenMP runtime before scanning)

            _CONTROLLER = ThreadpoolController()
    if not _CONTROLLER:  # pragma: no cover
        yield
        return
    with _CONTROLLER.limit(limits=1):
        yield


class QuantileRegression(SurrogateModel):
    """One gradient-boosted quantile regressor per level, predictions
    rearranged (see the module docstring); no conformal correction.

    Parameters
    ----------
    quantiles
        Number of equally spaced levels ``j / (m + 1)`` (default 5), or the
        levels.
    max_fit_samples
        Fit a random subset of this many observations when there are more
        (``None``: all).
    regressor_kwargs
        Options of ``HistGradientBoostingRegressor`` replacing those of
        :data:`DEFAULT_REGRESSOR_KWARGS` (``loss``, ``quantile`` and
        ``random_state`` are set by the model).

    Raises
    ------
    InvalidParameterError
        If an argument has the wrong type or value.
    """

    _parameter_constraints = {
        "quantiles": [Interval(Integral, 1, None, closed="left"), list, tuple],
        "max_fit_samples": [Interval(Integral, 2, None, closed="left"), None],
        "regressor_kwargs": [dict, None],
    }

    def __init__(
        self,
        quantiles: int | Sequence[float] = 5,
        max_fit_samples: int | None = None,
        regressor_kwargs: dict | None = None,
    ):
        validate_parameters(self, locals())
        self.levels = quantile_levels(quantiles)
        self.max_fit_samples = max_fit_samples
        regressor_kwargs = dict(regressor_kwargs or {})
        for key in _RESERVED_REGRESSOR_KWARGS:
            if key in regressor_kwargs:
                raise InvalidParameterError(
                    f"The 'regressor_kwargs' parameter of {type(self).__name__} must not contain {key!r}: the model "
                    f"sets it. Got {sorted(regressor_kwargs)} instead."
                )
        check_keys(self, "regressor_kwargs", regressor_kwargs, _REGRESSOR_KWARGS)
        self.regressor_kwargs = {**DEFAULT_REGRESSOR_KWARGS, **regressor_kwargs}
        self._regressors: list | None = None
        #: Additive correction of each level (zeros without conformalization).
        self.corrections = np.zeros(len(self.levels))
        self.num_fit_samples = 0

    # -- fitting -------------------------------------------------------------------
    def _subsample(self, X: np.ndarray, y: np.ndarray, random_state: np.random.RandomState):
        if self.max_fit_samples is not None and len(y) > self.max_fit_samples:
            rows = np.sort(random_state.choice(len(y), size=self.max_fit_samples, replace=False))
            return X[rows], y[rows]
        return X, y

    def _fit_regressors(self, X: np.ndarray, y: np.ndarray, seed: int) -> None:
        from sklearn.ensemble import HistGradientBoostingRegressor

        with _single_threaded():
            self._regressors = [
                HistGradientBoostingRegressor(
                    loss="quantile", quantile=float(level), random_state=seed, **self.regressor_kwargs
                ).fit(X, y)
                for level in self.levels
            ]
        self.num_fit_samples = int(len(y))

    def _raw_quantiles(self, X: np.ndarray) -> np.ndarray:
        """Rearranged predictions of the regressors, shape ``(n, m)``."""
        if self._regressors is None:
            raise RuntimeError(f"{type(self).__name__} is not fitted")
        X = np.atleast_2d(np.asarray(X, dtype=float))
        with _single_threaded():
            predictions = np.column_stack([r.predict(X) for r in self._regressors])
        return rearrange(predictions)

    def fit(self, data: ModelData, random_state: np.random.RandomState | None = None) -> None:
        """Fit the regressors to ``data.X``, ``data.y`` (pending evaluations
        are ignored).

        Parameters
        ----------
        data
            At least one observation.
        random_state
            Source of the subsample and of the regressors' seed.

        Raises
        ------
        ValueError
            If ``data`` holds no observation.
        """
        random_state = random_state if random_state is not None else np.random.RandomState()
        if data.num_observations == 0:
            raise ValueError(f"{type(self).__name__}.fit needs at least one observation")
        X, y = self._subsample(data.X, data.y, random_state)
        self._fit_regressors(X, y, int(random_state.randint(0, _SEED_LIMIT)))
        self.corrections = np.zeros(len(self.levels))

    # -- predictions -----------------------------------------------------------------
    def predict_quantiles(self, X: np.ndarray) -> np.ndarray:
        """Predicted quantiles (corrected, rearranged), shape ``(n, m)``:
        column ``j`` belongs to level ``levels[j]``."""
        predictions = self._raw_quantiles(X)
        if np.any(self.corrections):
            predictions = rearrange(predictions + self.corrections)
        return predictions

    def predict(self, X: np.ndarray, resources=None) -> tuple[np.ndarray, np.ndarray]:
        """Median and a Gaussian-equivalent standard deviation (see the
        module docstring); ``resources`` is ignored."""
        quantiles = self.predict_quantiles(X)
        m = quantiles.shape[1]
        median = quantiles[:, m // 2] if m % 2 else 0.5 * (quantiles[:, m // 2 - 1] + quantiles[:, m // 2])
        if m < 2:
            return median, np.zeros_like(median)
        normal = NormalDist()
        spread = normal.inv_cdf(float(self.levels[-1])) - normal.inv_cdf(float(self.levels[0]))
        return median, np.maximum(quantiles[:, -1] - quantiles[:, 0], 0.0) / spread

    def sample(self, X: np.ndarray, num_samples: int, random_state: np.random.RandomState, resources=None) -> np.ndarray:
        """``num_samples`` Thompson draws per row (independent across rows and
        samples), shape ``(num_samples, n)``."""
        quantiles = self.predict_quantiles(X)
        return np.stack([thompson_draws(quantiles, random_state) for _ in range(int(num_samples))])

    @property
    def is_fitted(self) -> bool:
        return self._regressors is not None

    @property
    def conformalized(self) -> bool:
        """Whether the last fit applied a conformal correction."""
        return False

    def parameters(self) -> dict:
        return {
            "quantiles": [float(v) for v in self.levels],
            "corrections": [float(v) for v in self.corrections],
            "conformalized": self.conformalized,
            "num_fit_samples": self.num_fit_samples,
        }


class ConformalQuantileRegression(QuantileRegression):
    """:class:`QuantileRegression` calibrated by split conformal prediction
    (see the module docstring): the surrogate of CQR.

    Parameters
    ----------
    quantiles, max_fit_samples, regressor_kwargs
        See :class:`QuantileRegression`.
    valid_fraction
        Fraction of the observations held out for calibration (default 0.1).
    min_samples_to_conformalize
        Observations needed before the correction is applied (default 32).

    Raises
    ------
    InvalidParameterError
        If an argument has the wrong type or value.
    """

    _parameter_constraints = {
        "valid_fraction": [Interval(Real, 0.0, 1.0, closed="neither")],
        "min_samples_to_conformalize": [Interval(Integral, 3, None, closed="left")],
    }

    def __init__(
        self,
        quantiles: int | Sequence[float] = 5,
        max_fit_samples: int | None = None,
        regressor_kwargs: dict | None = None,
        valid_fraction: float = 0.1,
        min_samples_to_conformalize: int = 32,
    ):
        validate_parameters(self, locals())
        super().__init__(quantiles=quantiles, max_fit_samples=max_fit_samples, regressor_kwargs=regressor_kwargs)
        self.valid_fraction = float(valid_fraction)
        self.min_samples_to_conformalize = int(min_samples_to_conformalize)
        self._conformalized = False

    def calibration_size(self, n: int) -> int:
        """Number of the ``n`` fitted observations held out for calibration
        (0 below ``min_samples_to_conformalize``)."""
        if n < self.min_samples_to_conformalize:
            return 0
        return min(max(int(math.ceil(self.valid_fraction * n - 1e-12)), 1), n - 2)

    def fit(self, data: ModelData, random_state: np.random.RandomState | None = None) -> None:
        """Fit the regressors to the training part of ``data`` and the
        corrections to its calibration part (see the module docstring).

        Parameters
        ----------
        data, random_state
            See :meth:`QuantileRegression.fit`; the random state also draws
            the calibration set.
        """
        random_state = random_state if random_state is not None else np.random.RandomState()
        if data.num_observations == 0:
            raise ValueError(f"{type(self).__name__}.fit needs at least one observation")
        X, y = self._subsample(data.X, data.y, random_state)
        n_cal = self.calibration_size(len(y))
        seed = int(random_state.randint(0, _SEED_LIMIT))
        if n_cal == 0:
            self._fit_regressors(X, y, seed)
            self.corrections = np.zeros(len(self.levels))
            self._conformalized = False
            return
        order = random_state.permutation(len(y))
        calibration, train = order[:n_cal], order[n_cal:]
        self._fit_regressors(X[train], y[train], seed)
        self.corrections = conformal_corrections(self._raw_quantiles(X[calibration]), y[calibration], self.levels)
        self._conformalized = True

    @property
    def conformalized(self) -> bool:
        return self._conformalized


class ThompsonSampling(AcquisitionFunction):
    """Thompson sampling from the predicted quantiles: the score of a
    candidate is minus one of its quantiles, drawn uniformly (see
    :func:`thompson_draws`); the best-scoring candidate has the smallest draw.

    Parameters
    ----------
    model
        Fitted model with ``predict_quantiles(X) -> (n, m)`` (e.g.
        :class:`ConformalQuantileRegression`).
    random_state
        Source of the draws (the searcher's, so that its state determines
        the suggestions).
    """

    def __init__(self, model, random_state: np.random.RandomState):
        self.model = model
        self.random_state = random_state

    def _evaluate(self, X: np.ndarray) -> np.ndarray:
        return -thompson_draws(self.model.predict_quantiles(X), self.random_state)
