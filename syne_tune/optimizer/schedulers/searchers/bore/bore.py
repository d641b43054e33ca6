"""BORE: Bayesian optimization by density-ratio estimation (Tiao et al.,
ICML 2021, "BORE: Bayesian Optimization by Density-Ratio Estimation").

Expected improvement at the ``gamma``-quantile ``tau`` of the observed
values is, up to a monotone transformation, the density ratio
``l(x) / g(x)`` of the configurations below and above ``tau``, and that
ratio is a monotone function of the class probability ``P(z = 1 | x)`` of
a classifier trained to separate the two groups. So BORE fits a
probabilistic classifier and maximizes its predicted probability.

:class:`Bore` (a :class:`~..bayesopt.model_based_searcher.ModelBasedSearcher`:
observation store, restricted configurations, state handling are shared with
the GP searchers):

* **Targets.** Observed values are signed so that smaller is better
  (``y = -metric`` for ``mode="max"``). With ``tau = quantile(y, gamma)``
  (:func:`numpy.quantile`, linear interpolation), the label of an
  observation is ``z = 1`` if ``y <= tau``, else ``0``
  (:func:`bore_labels`). Ties at ``tau`` get label 1. (Syne Tune uses
  ``y < tau``; with ``<=`` the best observation is always labelled 1, so
  two distinct values always give both classes.)
* **Classifier** on the encoded configurations (``[0, 1]^d``, one-hot for
  categorical values; :meth:`~syne_tune.optimizer.schedulers.searchers.utils.HyperparameterRanges.to_ndarray_matrix`),
  fitted to ``(x, z)`` (:func:`make_classifier`); the acquisition function
  is its predicted ``P(z = 1 | x)``:

  - ``"xgboost"`` (default): ``xgboost.XGBClassifier`` if the package is
    installed, otherwise scikit-learn's
    :class:`~sklearn.ensemble.HistGradientBoostingClassifier` (gradient
    boosted trees as well), with ``max_iter=100, learning_rate=0.3,
    max_depth=6, l2_regularization=1.0`` (XGBoost's defaults
    ``n_estimators``, ``learning_rate``, ``max_depth``, ``reg_lambda``) and
    ``min_samples_leaf=2`` (the default 20 allows no split with the tens of
    observations BORE sees). Which one is used is logged once;
  - ``"logreg"``: :class:`~sklearn.linear_model.LogisticRegression`;
  - ``"rf"``: :class:`~sklearn.ensemble.RandomForestClassifier`;
  - ``"gp"``: :class:`~sklearn.gaussian_process.GaussianProcessClassifier`;
  - ``"mlp"``: :class:`~sklearn.neural_network.MLPClassifier`.

  (Syne Tune's ``"gp"`` and ``"mlp"`` are its own GPy / PyTorch models;
  these are their scikit-learn counterparts.) ``classifier_kwargs`` are
  passed to the constructor; ``random_state`` is an integer drawn from the
  searcher's random state at every fit (unless ``classifier_kwargs`` sets
  it). With ``calibrate=True`` the classifier is wrapped in
  :class:`~sklearn.calibration.CalibratedClassifierCV` (``method="sigmoid"``,
  ``cv = min(3, m)`` unshuffled stratified folds, ``m`` the size of the
  smaller class) when ``m >= 2``; with less data it is used uncalibrated.
  The classifier is refitted only when the observations changed (pending
  evaluations do not enter it).
* **Suggestions** (:meth:`~..bayesopt.model_based_searcher.ModelBasedSearcher.get_config`):
  the remaining ``points_to_evaluate``, then ``init_random`` random
  configurations (and random ones while fewer than two observations
  exist); after that, with probability ``random_prob`` a random
  configuration, else the maximizer of ``P(z = 1 | x)`` found by
  ``acq_optimizer`` with ``feval_acq`` evaluations of the classifier:

  - ``"rs"`` (default): ``feval_acq`` random configurations, distinct and not
    suggested before (drawn in up to :data:`MAX_DRAW_ROUNDS` batches of
    ``feval_acq``), scored in one call; the best one (the first drawn among
    equal scores) is suggested (:class:`RandomSearchAcquisitionOptimizer`);
  - ``"rs_with_replacement"``: ``feval_acq`` random configurations drawn
    without filtering, scored in one call; the best one not suggested
    before is suggested;
  - ``"de"``: :func:`scipy.optimize.differential_evolution` (``polish=False``,
    vectorized, seeded from the searcher's random state) maximizes the
    probability over the box of the encoded columns that are not fixed;
    every row it evaluates is first snapped to the encoding of a valid
    configuration (decode with ``from_ndarray_matrix``, encode again), so
    the classifier only sees valid configurations. The population has
    ``popsize * k >= max(5, ceil(sqrt(feval_acq)))`` members (``k`` free
    columns) and ``maxiter = feval_acq // (popsize * k) - 1`` generations,
    about ``feval_acq`` evaluations in all; the best evaluated
    configuration not suggested before is suggested
    (:class:`DifferentialEvolutionAcquisitionOptimizer`).

  If the classifier cannot be fitted (all labels equal, i.e. all observed
  values equal) or no candidate is left, a random configuration is
  suggested. With ``restrict_configurations``, every unused restricted
  configuration is scored instead (whatever ``acq_optimizer``; Syne Tune
  refuses ``"de"`` there) and the best one is suggested.

``init_random`` counts suggestions after ``points_to_evaluate`` (as the GP
searchers' ``num_init_random``); Syne Tune instead suggests random
configurations until ``init_random`` observations have arrived, which is
the same for one worker.
"""

from __future__ import annotations

import hashlib
import logging
import math
import warnings
from numbers import Integral, Real
from typing import Any, Callable

import numpy as np

from syne_tune.optimizer.schedulers.searchers.bayesopt.acquisition_optimizer import (
    AcquisitionOptimizer,
    LocalSearchOptimizer,
    _call_score,
)
from syne_tune.optimizer.schedulers.searchers.bayesopt.model_based_searcher import ModelBasedSearcher
from syne_tune.optimizer.schedulers.searchers.bayesopt.observations import ModelData
from syne_tune.optimizer.schedulers.searchers.searcher import _MODES
from syne_tune.utils.validation import Interval, Options, validate_parameters

__all__ = [
    "Bore",
    "BoreClassifier",
    "RandomSearchAcquisitionOptimizer",
    "DifferentialEvolutionAcquisitionOptimizer",
    "bore_labels",
    "make_classifier",
    "CLASSIFIERS",
    "ACQ_OPTIMIZERS",
]

logger = logging.getLogger(__name__)

#: Values of the ``classifier`` option.
CLASSIFIERS = ("xgboost", "logreg", "rf", "gp", "mlp")
#: Values of the ``acq_optimizer`` option.
ACQ_OPTIMIZERS = ("rs", "rs_with_replacement", "de")
#: Batches of ``feval_acq`` random configurations drawn by ``"rs"`` to find
#: ``feval_acq`` new distinct ones.
MAX_DRAW_ROUNDS = 4
#: Arguments of the scikit-learn stand-in for XGBoost (see the module docstring).
HIST_GRADIENT_BOOSTING_DEFAULTS = dict(
    max_iter=100, learning_rate=0.3, max_depth=6, l2_regularization=1.0, min_samples_leaf=2
)
#: Most cross-validation folds of ``calibrate=True``.
CALIBRATION_FOLDS = 3
_SEED_MAX = 2**31 - 1

_xgboost_choice_logged = False


def bore_labels(y: np.ndarray, gamma: float) -> tuple[np.ndarray, float]:
    """The classification targets of BORE.

    Parameters
    ----------
    y
        Observed values, signed so that smaller is better.
    gamma
        Quantile level in ``(0, 1)``.

    Returns
    -------
    tuple
        ``z`` (int array, 1 where ``y <= tau``) and the threshold
        ``tau = numpy.quantile(y, gamma)``.
    """
    y = np.asarray(y, dtype=float).reshape(-1)
    tau = float(np.quantile(y, gamma))
    return (y <= tau).astype(np.int64), tau


def _log_xgboost_choice(message: str) -> None:
    global _xgboost_choice_logged
    if not _xgboost_choice_logged:
        _xgboost_choice_logged = True
        logger.info(message)


def make_classifier(name: str, seed: int, classifier_kwargs: dict | None = None):
    """A new (unfitted) scikit-learn compatible classifier.

    Parameters
    ----------
    name
        One of :data:`CLASSIFIERS` (see the module docstring).
    seed
        ``random_state`` of the estimator (unless ``classifier_kwargs`` has one).
    classifier_kwargs
        Constructor arguments.

    Returns
    -------
    Any
        The estimator.

    Raises
    ------
    ValueError
        If ``name`` is not one of :data:`CLASSIFIERS`.
    """
    kwargs = dict(classifier_kwargs or {})
    kwargs.setdefault("random_state", int(seed))
    if name == "xgboost":
        try:
            import xgboost
        except ImportError:
            from sklearn.ensemble import HistGradientBoostingClassifier

            _log_xgboost_choice(
                "Bore: xgboost is not installed; classifier='xgboost' uses scikit-learn's "
                "HistGradientBoostingClassifier (gradient-boosted trees)"
            )
            return HistGradientBoostingClassifier(**{**HIST_GRADIENT_BOOSTING_DEFAULTS, **kwargs})
        _log_xgboost_choice("Bore: classifier='xgboost' uses xgboost.XGBClassifier")
        return xgboost.XGBClassifier(**kwargs)
    if name == "logreg":
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(**kwargs)
    if name == "rf":
        from sklearn.ensemble import RandomForestClassifier

        return RandomForestClassifier(**kwargs)
    if name == "gp":
        from sklearn.gaussian_process import GaussianProcessClassifier

        return GaussianProcessClassifier(**kwargs)
    if name == "mlp":
        from sklearn.neural_network import MLPClassifier

        return MLPClassifier(**kwargs)
    raise ValueError(f"make_classifier: name must be one of {', '.join(CLASSIFIERS)}. Got {name!r} instead.")


class BoreClassifier:
    """The classifier of BORE as the "model" of a
    :class:`~..bayesopt.model_based_searcher.ModelBasedSearcher`:
    :meth:`fit` labels the data (:func:`bore_labels`) and fits the
    estimator, :meth:`probability` is ``P(z = 1 | x)``.

    Parameters
    ----------
    classifier
        One of :data:`CLASSIFIERS`.
    gamma
        Quantile level of the labels.
    calibrate
        Wrap the estimator in ``CalibratedClassifierCV`` (see the module docstring).
    classifier_kwargs
        Constructor arguments of the estimator.
    """

    def __init__(self, classifier: str, gamma: float, calibrate: bool, classifier_kwargs: dict | None = None):
        self.classifier = classifier
        self.gamma = float(gamma)
        self.calibrate = bool(calibrate)
        self.classifier_kwargs = dict(classifier_kwargs or {})
        self.estimator = None
        self.threshold: float | None = None
        self.num_positive = 0
        self.num_observations = 0
        self._fingerprint: str | None = None
        self._column = 1

    @property
    def is_fitted(self) -> bool:
        """Whether an estimator was fitted (the labels had both classes)."""
        return self.estimator is not None

    @staticmethod
    def _fingerprint_of(X: np.ndarray, y: np.ndarray) -> str:
        digest = hashlib.sha1(np.ascontiguousarray(X).tobytes())
        digest.update(np.ascontiguousarray(y).tobytes())
        return f"{X.shape}:{digest.hexdigest()}"

    def fit(self, data: ModelData, random_state: np.random.RandomState) -> None:
        """Fit to the observations of ``data`` (pending evaluations are
        ignored); nothing happens if they are those of the last fit.

        Parameters
        ----------
        data
            Encoded configurations and signed targets.
        random_state
            Source of the estimator's seed (one integer per fit).
        """
        fingerprint = self._fingerprint_of(data.X, data.y)
        if fingerprint == self._fingerprint:
            return
        self._fingerprint = fingerprint
        z, self.threshold = bore_labels(data.y, self.gamma)
        self.num_observations = int(len(z))
        self.num_positive = int(z.sum())
        num_minority = min(self.num_positive, self.num_observations - self.num_positive)
        if num_minority == 0:
            self.estimator = None
            return
        estimator = make_classifier(self.classifier, random_state.randint(0, _SEED_MAX), self.classifier_kwargs)
        if self.calibrate and num_minority >= 2:
            from sklearn.calibration import CalibratedClassifierCV

            estimator = CalibratedClassifierCV(estimator, method="sigmoid", cv=min(CALIBRATION_FOLDS, num_minority))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. convergence warnings of MLP / logistic regression on tiny data
            estimator.fit(data.X, z)
        self._column = list(estimator.classes_).index(1)
        self.estimator = estimator

    def probability(self, X: np.ndarray) -> np.ndarray:
        """``P(z = 1 | x)`` for the rows of ``X`` (encoded configurations)."""
        return self.estimator.predict_proba(np.atleast_2d(X))[:, self._column]

    def parameters(self) -> dict:
        """Threshold and label counts of the last fit."""
        return {
            "classifier": self.classifier,
            "threshold": self.threshold,
            "num_positive": self.num_positive,
            "num_observations": self.num_observations,
        }


def _best_allowed(hp_ranges, X: np.ndarray, scores: np.ndarray, exclude, num_results: int) -> list[dict]:
    """The first ``num_results`` distinct configurations of the rows of
    ``X`` not excluded, in decreasing order of score (ties: in row order);
    the selection step of :class:`~..bayesopt.acquisition_optimizer.LocalSearchOptimizer`."""
    return LocalSearchOptimizer._select(hp_ranges, X, scores, exclude, num_results)


class RandomSearchAcquisitionOptimizer(AcquisitionOptimizer):
    """Scores random configurations and returns the best (``"rs"`` and
    ``"rs_with_replacement"`` of the module docstring).

    Parameters
    ----------
    num_candidates
        Number of random configurations scored.
    with_replacement
        If ``False``, the candidates are distinct and not excluded (drawn in
        up to :data:`MAX_DRAW_ROUNDS` batches); if ``True``, they are drawn
        without filtering, and the best one not excluded is returned.
    """

    _parameter_constraints = {
        "num_candidates": [Interval(Integral, 1, None, closed="left")],
        "with_replacement": ["boolean"],
    }

    def __init__(self, num_candidates: int = 500, with_replacement: bool = False):
        validate_parameters(self, locals())
        self.num_candidates = int(num_candidates)
        self.with_replacement = bool(with_replacement)

    def candidates(self, hp_ranges, random_state: np.random.RandomState, exclude=None) -> list[dict]:
        """The configurations :meth:`optimize` scores."""
        n = self.num_candidates
        if self.with_replacement:
            return hp_ranges.random_configs(random_state, n)
        configs, seen = [], set()
        for _ in range(MAX_DRAW_ROUNDS):
            for config in hp_ranges.random_configs(random_state, n):
                key = hp_ranges.config_to_match_string(config)
                if key in seen or (exclude is not None and exclude(config)):
                    continue
                seen.add(key)
                configs.append(config)
                if len(configs) == n:
                    return configs
        if configs:
            logger.debug("Bore: only %d instead of %d new candidates found", len(configs), n)
        return configs

    def optimize(
        self,
        score: Callable[[np.ndarray], np.ndarray],
        hp_ranges,
        random_state: np.random.RandomState,
        exclude: Callable[[dict], bool] | None = None,
        num_results: int = 1,
        initial_configs: list[dict] | None = None,
    ) -> list[dict]:
        """Best ``num_results`` candidates (``initial_configs`` are not used:
        BORE scores random candidates only)."""
        configs = self.candidates(hp_ranges, random_state, exclude)
        if not configs:
            return []
        X = hp_ranges.to_ndarray_matrix(configs)
        return _best_allowed(hp_ranges, X, _call_score(score, X), exclude if self.with_replacement else None, num_results)


class DifferentialEvolutionAcquisitionOptimizer(AcquisitionOptimizer):
    """Maximizes the score with :func:`scipy.optimize.differential_evolution`
    over the encoded box (``"de"`` of the module docstring).

    Parameters
    ----------
    num_evaluations
        About this many rows are scored.
    """

    _parameter_constraints = {"num_evaluations": [Interval(Integral, 1, None, closed="left")]}

    def __init__(self, num_evaluations: int = 500):
        validate_parameters(self, locals())
        self.num_evaluations = int(num_evaluations)

    def optimize(
        self,
        score: Callable[[np.ndarray], np.ndarray],
        hp_ranges,
        random_state: np.random.RandomState,
        exclude: Callable[[dict], bool] | None = None,
        num_results: int = 1,
        initial_configs: list[dict] | None = None,
    ) -> list[dict]:
        """Best ``num_results`` evaluated configurations not excluded
        (``initial_configs`` are not used)."""
        from scipy.optimize import differential_evolution

        bounds = np.array(hp_ranges.get_ndarray_bounds(), dtype=float).reshape(-1, 2)
        free = bounds[:, 0] < bounds[:, 1]
        k = int(free.sum())
        seed = int(random_state.randint(0, _SEED_MAX))
        if k == 0:
            X = hp_ranges.to_ndarray_matrix(hp_ranges.random_configs(random_state, 1))
            return _best_allowed(hp_ranges, X, np.zeros(1), exclude, num_results)
        rows: list[np.ndarray] = []
        values: list[np.ndarray] = []

        def objective(Z: np.ndarray) -> np.ndarray:
            Z = np.asarray(Z, dtype=float).reshape(k, -1)
            X = np.tile(bounds[:, 0], (Z.shape[1], 1))
            X[:, free] = Z.T
            X = hp_ranges.to_ndarray_matrix(hp_ranges.from_ndarray_matrix(X))
            s = _call_score(score, X)
            rows.append(X)
            values.append(s)
            return -np.where(np.isfinite(s), s, -1e300)

        members = max(5, math.ceil(math.sqrt(self.num_evaluations)))
        popsize = max(1, math.ceil(members / k))
        maxiter = max(0, self.num_evaluations // (popsize * k) - 1)
        options = dict(
            bounds=list(zip(bounds[free, 0], bounds[free, 1])),
            popsize=popsize,
            maxiter=maxiter,
            polish=False,
            vectorized=True,
            updating="deferred",
            tol=0.0,
        )
        try:
            differential_evolution(objective, rng=np.random.default_rng(seed), **options)
        except TypeError:  # scipy < 1.15
            differential_evolution(objective, seed=np.random.default_rng(seed), **options)
        return _best_allowed(hp_ranges, np.concatenate(rows), np.concatenate(values), exclude, num_results)


def _acquisition_optimizer(name: str, feval_acq: int) -> AcquisitionOptimizer:
    if name == "de":
        return DifferentialEvolutionAcquisitionOptimizer(feval_acq)
    return RandomSearchAcquisitionOptimizer(feval_acq, with_replacement=name == "rs_with_replacement")


class _Probability:
    """``P(z = 1 | x)`` of a fitted :class:`BoreClassifier` (the acquisition
    function; higher is better)."""

    def __init__(self, model: BoreClassifier):
        self.model = model

    def __call__(self, X: np.ndarray) -> np.ndarray:
        return self.model.probability(X)


class Bore(ModelBasedSearcher):
    """BORE searcher (see the module docstring for the algorithm).

    Parameters
    ----------
    config_space
        Configuration space.
    metric
        Name of the metric to optimize.
    points_to_evaluate
        Configurations suggested first (``None``: one of midpoint values).
    mode
        ``"min"`` or ``"max"``.
    gamma
        Quantile level in ``(0, 1)`` separating good from bad observations
        (default 0.25).
    calibrate
        Calibrate the classifier's probabilities by cross-validation
        (default ``False``).
    classifier
        ``"xgboost"`` (default), ``"logreg"``, ``"rf"``, ``"gp"`` or ``"mlp"``.
    acq_optimizer
        ``"rs"`` (default), ``"rs_with_replacement"`` or ``"de"``.
    feval_acq
        Evaluations of the classifier per suggestion (default 500).
    random_prob
        Probability of a random suggestion once the model is used (default 0).
    init_random
        Random suggestions after ``points_to_evaluate`` before the model is
        used (default 6).
    classifier_kwargs
        Constructor arguments of the classifier.
    random_seed
        Seed of the searcher's random state (drawn at random if ``None``).
    allow_duplicates
        If ``True``, a configuration may be suggested more than once.
    restrict_configurations
        If given, only these configurations are suggested (the unused ones
        are scored by the classifier).

    Raises
    ------
    InvalidParameterError
        If an argument has the wrong type or value (an unknown classifier
        name lists the valid ones).
    """

    single_fidelity_model = True

    _parameter_constraints = {
        "metric": [str],
        "mode": [_MODES],
        "gamma": [Interval(Real, 0, 1, closed="neither")],
        "calibrate": ["boolean"],
        "classifier": [Options(str, CLASSIFIERS)],
        "acq_optimizer": [Options(str, ACQ_OPTIMIZERS)],
        "feval_acq": [Interval(Integral, 1, None, closed="left")],
        "random_prob": [Interval(Real, 0, 1, closed="both")],
        "init_random": [Interval(Integral, 0, None, closed="left")],
        "classifier_kwargs": [dict, None],
    }

    def __init__(
        self,
        config_space: dict,
        metric: str,
        points_to_evaluate: list[dict] | None = None,
        mode: str = "min",
        gamma: float = 0.25,
        calibrate: bool = False,
        classifier: str = "xgboost",
        acq_optimizer: str = "rs",
        feval_acq: int = 500,
        random_prob: float = 0.0,
        init_random: int = 6,
        classifier_kwargs: dict | None = None,
        random_seed: int | None = None,
        allow_duplicates: bool | None = None,
        restrict_configurations: list[dict] | None = None,
    ):
        validate_parameters(self, locals())
        self.gamma = float(gamma)
        self.calibrate = bool(calibrate)
        self.classifier = classifier
        self.acq_optimizer_name = acq_optimizer
        self.feval_acq = int(feval_acq)
        self.random_prob = float(random_prob)
        self.init_random = int(init_random)
        self.classifier_kwargs = dict(classifier_kwargs or {})
        super().__init__(
            config_space,
            metric=metric,
            points_to_evaluate=points_to_evaluate,
            mode=mode,
            random_seed=random_seed,
            allow_duplicates=allow_duplicates,
            restrict_configurations=restrict_configurations,
            num_init_random=init_random,
            acquisition_optimizer=_acquisition_optimizer(acq_optimizer, self.feval_acq),
        )

    # -- hooks of ModelBasedSearcher -----------------------------------------------------
    def _make_model(self, output: str) -> BoreClassifier:
        return BoreClassifier(self.classifier, self.gamma, self.calibrate, self.classifier_kwargs)

    def _acquisition(self, models: dict[str, BoreClassifier]) -> _Probability:
        return _Probability(models[self._metric])

    def _fitted_model(self) -> BoreClassifier | None:
        """The classifier fitted to the current data, ``None`` if it cannot be."""
        model = self._fit_models().get(self._metric)
        return model if model is not None and model.is_fitted else None

    def _config_from_model(self) -> dict | None:
        if self.random_prob > 0.0 and self.random_state.rand() < self.random_prob:
            return self._get_random_config()
        if self._fitted_model() is None:
            return self._get_random_config()
        return super()._config_from_model()
