"""Gaussian-process Bayesian optimization searcher (``searcher="bayesopt"``).

Algorithm of :meth:`GPFIFOSearcher.get_config`:

1. Remaining ``points_to_evaluate`` first; then ``num_init_random`` random
   configurations (also while fewer than two observations exist).
2. Otherwise fit a GP (constant mean, Matern 5/2 ARD kernel, see :mod:`.gp`)
   to the observations: the configurations of results passed with
   ``update=True`` (for FIFO: trial completions), encoded in ``[0, 1]^d`` by
   the searcher's hyperparameter ranges
   (:class:`~syne_tune.optimizer.schedulers.searchers.utils.HyperparameterRanges`),
   and their metric values (negated for ``mode="max"``), normalized unless
   ``normalize_targets=False``. Above ``max_size_data_for_model``
   observations, the best ``max_size_top_fraction`` of that size plus a
   random subset of the others are used. The GP hyperparameters are
   re-optimized (L-BFGS-B, ``opt_nstarts`` starts and ``opt_maxiter``
   iterations the first time, then one warm start with
   ``opt_maxiter_warm``) once the data grew by ``refit_fraction`` since the
   last fit; in between, the posterior uses the previous hyperparameters.
3. Score ``num_init_candidates`` random configurations by expected
   improvement over the best observed value; unless
   ``skip_local_optimization``, refine the ``num_local_starts`` best by
   ``num_local_steps`` rounds of ``num_local_neighbours`` random
   one-hyperparameter perturbations each (Gaussian steps of size 0.1,
   halved every round, for numerical and ordered hyperparameters; a random
   category for categorical ones), keeping improvements.
4. Return the best-scoring candidate not suggested before (duplicate
   filtering of :class:`~syne_tune.optimizer.schedulers.searchers.StochasticAndFilterDuplicatesSearcher`);
   with ``restrict_configurations``, the best unused entry of that list.

Pending (running) trials are not modelled: concurrent suggestions come from
the same model and differ through duplicate filtering and the random
candidates. The model is single-fidelity, so multi-fidelity schedulers
refuse this searcher (:attr:`GPFIFOSearcher.single_fidelity_model`).

If the hyperparameter ranges are replaced (a launcher that changes the space
of a loaded tuner), the observations are re-encoded in the new space; those
whose configuration is not in the new space are left out of the model, and
the GP hyperparameters are fitted afresh.
"""

from __future__ import annotations

import copy
import inspect
import logging
import math
from numbers import Integral, Real
from typing import Any

import numpy as np

from syne_tune.config_space import Categorical, Ordinal, is_valid_config
from syne_tune.optimizer.schedulers.searchers.bayesopt.acquisition import expected_improvement
from syne_tune.optimizer.schedulers.searchers.bayesopt.gp import (
    GaussianProcess,
    GPHyperparameters,
    fit_hyperparameters,
    normalization,
)
from syne_tune.optimizer.schedulers.searchers.searcher_base import StochasticAndFilterDuplicatesSearcher
from syne_tune.utils.validation import Interval, Options, validate_parameters

__all__ = ["GPFIFOSearcher"]

logger = logging.getLogger(__name__)

_POSITIVE = [Interval(Integral, 1, None, closed="left")]
_NON_NEGATIVE = [Interval(Integral, 0, None, closed="left")]
#: Initial step size (in the unit cube) of the local search; halved each round.
LOCAL_SEARCH_SCALE = 0.1

#: Syne Tune options accepted for compatibility, without effect here (the
#: features they tune do not exist in this implementation).
COMPATIBILITY_OPTIONS = (
    "opt_skip_init_length",
    "opt_skip_period",
    "opt_warmstart",
    "opt_verbose",
    "opt_debug_writer",
    "num_fantasy_samples",
    "no_fantasizing",
    "initial_scoring",
    "debug_log",
)


class GPFIFOSearcher(StochasticAndFilterDuplicatesSearcher):
    """Bayesian optimization with a Gaussian process and expected improvement
    (the algorithm is in the module docstring).

    Parameters
    ----------
    config_space, points_to_evaluate, random_seed, allow_duplicates, restrict_configurations
        See :class:`~syne_tune.optimizer.schedulers.searchers.StochasticAndFilterDuplicatesSearcher`.
    metric
        Name of the (single) metric modelled.
    mode
        "min" or "max".
    num_init_random
        Random configurations (after ``points_to_evaluate``) before the model is used.
    num_init_candidates
        Random candidates scored by the acquisition function per suggestion.
    num_local_starts, num_local_steps, num_local_neighbours
        Local refinement of the best candidates (see the module docstring).
    skip_local_optimization
        Use the best random candidate without local refinement.
    opt_maxiter, opt_nstarts
        L-BFGS-B iterations and starts for the first fit of the GP hyperparameters.
    opt_maxiter_warm
        L-BFGS-B iterations of later fits (one start, from the previous values).
    refit_fraction
        Hyperparameters are re-optimized once the data grew by this fraction
        (at least one observation) since the last fit; ``0`` refits on every
        new observation.
    max_size_data_for_model, max_size_top_fraction
        Subsampling of large data sets (see the module docstring).
    normalize_targets
        Standardize the metric values before fitting.
    gp_base_kernel, acq_function, input_warping, boxcox_transform
        Syne Tune options; only their defaults (``"matern52-ard"``, ``"ei"``,
        ``False``, ``False``) are implemented.
    opt_skip_init_length, opt_skip_period, opt_warmstart, opt_verbose, opt_debug_writer, num_fantasy_samples, no_fantasizing, initial_scoring, debug_log
        Syne Tune options accepted so that its launchers run unchanged; they
        have no effect (see :data:`COMPATIBILITY_OPTIONS`).

    Raises
    ------
    InvalidParameterError
        If an argument has the wrong type or value.
    """

    single_fidelity_model = True

    _parameter_constraints = {
        "metric": [str],
        "mode": [Options(str, {"min", "max"})],
        "allow_duplicates": ["boolean"],
        "num_init_random": _NON_NEGATIVE,
        "num_init_candidates": _POSITIVE,
        "num_local_starts": _POSITIVE,
        "num_local_steps": _POSITIVE,
        "num_local_neighbours": _POSITIVE,
        "skip_local_optimization": ["boolean"],
        "opt_maxiter": _POSITIVE,
        "opt_nstarts": _POSITIVE,
        "opt_maxiter_warm": _POSITIVE,
        "refit_fraction": [Interval(Real, 0, 1, closed="left")],
        "max_size_data_for_model": _POSITIVE,
        "max_size_top_fraction": [Interval(Real, 0, 1, closed="both")],
        "normalize_targets": ["boolean"],
        "gp_base_kernel": [Options(str, {"matern52-ard"})],
        "acq_function": [Options(str, {"ei"})],
        "input_warping": [Options(bool, {False})],
        "boxcox_transform": [Options(bool, {False})],
        "opt_skip_init_length": _NON_NEGATIVE,
        "opt_skip_period": _POSITIVE,
        "opt_warmstart": ["boolean"],
        "opt_verbose": ["boolean"],
        "opt_debug_writer": ["boolean"],
        "num_fantasy_samples": _POSITIVE,
        "no_fantasizing": ["boolean"],
        "initial_scoring": [Options(str, {"thompson_indep", "acq_func"})],
        "debug_log": ["boolean"],
    }

    def __init__(
        self,
        config_space: dict,
        metric: str,
        points_to_evaluate: list[dict] | None = None,
        mode: str = "min",
        random_seed: int | None = None,
        allow_duplicates: bool = False,
        restrict_configurations: list[dict] | None = None,
        num_init_random: int = 3,
        num_init_candidates: int = 250,
        num_local_starts: int = 5,
        num_local_steps: int = 3,
        num_local_neighbours: int = 20,
        skip_local_optimization: bool = False,
        opt_maxiter: int = 50,
        opt_nstarts: int = 2,
        opt_maxiter_warm: int = 20,
        refit_fraction: float = 0.1,
        max_size_data_for_model: int = 500,
        max_size_top_fraction: float = 0.25,
        normalize_targets: bool = True,
        gp_base_kernel: str = "matern52-ard",
        acq_function: str = "ei",
        input_warping: bool = False,
        boxcox_transform: bool = False,
        opt_skip_init_length: int = 150,
        opt_skip_period: int = 1,
        opt_warmstart: bool = False,
        opt_verbose: bool = False,
        opt_debug_writer: bool = False,
        num_fantasy_samples: int = 20,
        no_fantasizing: bool = False,
        initial_scoring: str = "thompson_indep",
        debug_log: bool = False,
    ):
        validate_parameters(self, locals())
        self._warn_about_compatibility_options(locals())
        super().__init__(
            config_space,
            metric=metric,
            points_to_evaluate=points_to_evaluate,
            mode=mode,
            random_seed=random_seed,
            allow_duplicates=allow_duplicates,
            restrict_configurations=restrict_configurations,
        )
        self.num_init_random = int(num_init_random)
        self.num_init_candidates = int(num_init_candidates)
        self.num_local_starts = int(num_local_starts)
        self.num_local_steps = int(num_local_steps)
        self.num_local_neighbours = int(num_local_neighbours)
        self.skip_local_optimization = bool(skip_local_optimization)
        self.opt_maxiter = int(opt_maxiter)
        self.opt_nstarts = int(opt_nstarts)
        self.opt_maxiter_warm = int(opt_maxiter_warm)
        self.refit_fraction = float(refit_fraction)
        self.max_size_data_for_model = int(max_size_data_for_model)
        self.max_size_top_fraction = float(max_size_top_fraction)
        self.normalize_targets = bool(normalize_targets)
        # trial_id -> (config, value to minimize): every observation
        self._data: dict[Any, tuple[dict, float]] = {}
        # trial_id -> encoded config, for the observations valid in
        # ``_encoded_for`` (the hyperparameter ranges they were encoded with)
        self._encoded: dict[Any, np.ndarray] = {}
        self._encoded_for = self._hp_ranges
        self._num_random_left = self.num_init_random
        self._hp: GPHyperparameters | None = None
        self._fit_size = 0
        self._model: GaussianProcess | None = None
        self._model_stale = True
        self._restrict_X_for = None
        self._restrict_X = None

    @classmethod
    def _warn_about_compatibility_options(cls, params: dict) -> None:
        defaults = inspect.signature(GPFIFOSearcher.__init__).parameters
        changed = [k for k in COMPATIBILITY_OPTIONS if params[k] != defaults[k].default]
        if changed:
            logger.warning(
                "%s: the Syne Tune options %s have no effect in this implementation",
                cls.__name__,
                ", ".join(f"{k}={params[k]!r}" for k in changed),
            )

    # -- data -----------------------------------------------------------------
    def _encode_observations(self, hp_ranges) -> dict[Any, np.ndarray]:
        valid = [tid for tid, (config, _) in self._data.items() if is_valid_config(hp_ranges.config_space, config)]
        if len(valid) < len(self._data):
            logger.info(
                "GPFIFOSearcher: %d of %d observations are not in the current space and are left out of the model",
                len(self._data) - len(valid),
                len(self._data),
            )
        if not valid:
            return {}
        X = hp_ranges.to_ndarray_matrix([self._data[tid][0] for tid in valid])
        return dict(zip(valid, X))

    def _sync_encoding(self) -> None:
        """Re-encode the observations if the hyperparameter ranges were replaced."""
        if self._encoded_for is self._hp_ranges:
            return
        self._encoded_for = self._hp_ranges
        self._encoded = self._encode_observations(self._hp_ranges)
        self._hp, self._fit_size, self._model, self._model_stale = None, 0, None, True

    def _update(self, trial_id: int, config: dict, result: dict) -> None:
        if self._metric not in result:
            raise ValueError(f"Result of trial {trial_id} lacks the metric '{self._metric}'")
        value = float(result[self._metric])
        if not math.isfinite(value):
            logger.warning("GPFIFOSearcher: ignoring non-finite value %r of trial %s", value, trial_id)
            return
        self._sync_encoding()
        if not is_valid_config(self._hp_ranges.config_space, config):
            logger.warning("GPFIFOSearcher: ignoring result of trial %s: config %s is not in the space", trial_id, config)
            return
        if self._mode == "max":
            value = -value
        self._data[trial_id] = (dict(config), value)
        self._encoded[trial_id] = self._hp_ranges.to_ndarray(config)
        self._model_stale = True

    def remove_case(self, trial_id: int, **kwargs) -> None:
        if self._data.pop(trial_id, None) is not None:
            self._encoded.pop(trial_id, None)
            self._model_stale = True

    def dataset_size(self) -> int:
        self._sync_encoding()
        return len(self._encoded)

    def model_parameters(self) -> dict:
        if self._hp is None:
            return {}
        return {
            "lengthscales": np.exp(self._hp.log_lengthscales).tolist(),
            "signal_variance": float(np.exp(self._hp.log_signal_variance)),
            "noise_variance": float(np.exp(self._hp.log_noise_variance)),
            "mean": self._hp.mean,
        }

    def _training_data(self) -> tuple[np.ndarray, np.ndarray]:
        ids = list(self._encoded)
        X = np.array([self._encoded[tid] for tid in ids])
        y = np.array([self._data[tid][1] for tid in ids])
        n, cap = len(y), self.max_size_data_for_model
        if n > cap:
            order = np.argsort(y, kind="stable")
            num_top = int(cap * self.max_size_top_fraction)
            top = order[:num_top]
            rest = self.random_state.choice(order[num_top:], size=cap - num_top, replace=False)
            keep = np.sort(np.concatenate([top, rest]))
            X, y = X[keep], y[keep]
        return X, y

    # -- model ----------------------------------------------------------------
    def _fit_model(self) -> GaussianProcess:
        if self._model is not None and not self._model_stale:
            return self._model
        X, y = self._training_data()
        n = len(y)
        if self._hp is None or n - self._fit_size >= max(1, int(self.refit_fraction * self._fit_size)):
            mean, std = normalization(y) if self.normalize_targets else (0.0, 1.0)
            first = self._hp is None
            self._hp = fit_hyperparameters(
                X,
                (y - mean) / std,
                init=self._hp,
                num_restarts=self.opt_nstarts if first else 1,
                maxiter=self.opt_maxiter if first else self.opt_maxiter_warm,
                random_state=self.random_state,
            )
            self._fit_size = n
        self._model = GaussianProcess(X, y, self._hp, normalize=self.normalize_targets)
        self._model_stale = False
        return self._model

    def _acquisition(self, model: GaussianProcess, X: np.ndarray, best: float) -> np.ndarray:
        mean, std = model.predict(X)
        return expected_improvement(mean, std, best)

    def _best_value(self) -> float:
        return float(min(self._data[tid][1] for tid in self._encoded))

    # -- suggestions ----------------------------------------------------------
    def _get_config(self, **kwargs) -> dict | None:
        self._sync_encoding()
        config = self._next_new_initial_config()
        if config is not None:
            return config
        if self._num_random_left > 0 or len(self._encoded) < 2:
            self._num_random_left = max(self._num_random_left - 1, 0)
            return self._get_random_config()
        if self._exhausted():
            return None
        if self._restrict is not None:
            return self._config_from_restricted()
        return self._config_from_model()

    def _snap(self, X: np.ndarray) -> np.ndarray:
        """Encodings of the configurations the rows of ``X`` decode to."""
        hp_ranges = self._hp_ranges
        return hp_ranges.to_ndarray_matrix(hp_ranges.from_ndarray_matrix(X))

    def _perturb(self, X: np.ndarray, scale: float) -> np.ndarray:
        """Copy of ``X`` with one random hyperparameter per row changed (a
        Gaussian step of size ``scale``, or a random category), snapped."""
        hp_ranges = self._hp_ranges
        keys = hp_ranges.internal_keys
        ranges = hp_ranges.encoded_ranges
        which = self.random_state.randint(0, len(keys), size=len(X))
        out = X.copy()
        random_X = None
        for b, key in enumerate(keys):
            rows = np.flatnonzero(which == b)
            if rows.size == 0:
                continue
            start, end = ranges[key]
            domain = hp_ranges.config_space[key]
            if isinstance(domain, Categorical) and not isinstance(domain, Ordinal):
                if random_X is None:
                    random_X = hp_ranges.to_ndarray_matrix(hp_ranges.random_configs(self.random_state, len(X)))
                out[rows, start:end] = random_X[rows, start:end]
            else:
                step = self.random_state.normal(0.0, scale, size=rows.size)
                out[rows, start] = np.clip(out[rows, start] + step, 0.0, 1.0)
        return self._snap(out)

    def _local_search(self, model, X: np.ndarray, scores: np.ndarray, best: float) -> tuple[np.ndarray, np.ndarray]:
        starts = np.argsort(-scores, kind="stable")[: self.num_local_starts]
        current, current_scores = X[starts], scores[starts]
        found_X, found_scores = [X], [scores]
        scale = LOCAL_SEARCH_SCALE
        k = self.num_local_neighbours
        for _ in range(self.num_local_steps):
            neighbours = self._perturb(np.repeat(current, k, axis=0), scale)
            nb_scores = self._acquisition(model, neighbours, best).reshape(len(current), k)
            found_X.append(neighbours)
            found_scores.append(nb_scores.reshape(-1))
            arg = np.argmax(nb_scores, axis=1)
            better = np.flatnonzero(nb_scores[np.arange(len(current)), arg] > current_scores)
            current[better] = neighbours.reshape(len(current), k, -1)[better, arg[better]]
            current_scores[better] = nb_scores[better, arg[better]]
            scale *= 0.5
        return np.concatenate(found_X), np.concatenate(found_scores)

    def _config_from_model(self) -> dict | None:
        model = self._fit_model()
        best = self._best_value()
        hp_ranges = self._hp_ranges
        X = hp_ranges.to_ndarray_matrix(hp_ranges.random_configs(self.random_state, self.num_init_candidates))
        scores = self._acquisition(model, X, best)
        if not self.skip_local_optimization:
            X, scores = self._local_search(model, X, scores, best)
        for i in np.argsort(-scores, kind="stable"):
            config = hp_ranges.from_ndarray(X[i])
            if not self.should_not_suggest(config):
                return config
        return self._get_random_config()

    def _config_from_restricted(self) -> dict | None:
        if self._restrict_X_for is not self._hp_ranges:
            self._restrict_X_for = self._hp_ranges
            self._restrict_X = self._hp_ranges.to_ndarray_matrix(self._restrict)
        model = self._fit_model()
        candidates = np.asarray(range(len(self._restrict)) if self._allow_duplicates else self._restrict_unused)
        scores = self._acquisition(model, self._restrict_X[candidates], self._best_value())
        for pos in np.argsort(-scores, kind="stable"):
            idx = int(candidates[pos])
            config = dict(self._restrict[idx])
            if not self.should_not_suggest(config):
                if not self._allow_duplicates:
                    self._restrict_unused.remove(idx)
                return config
        return None

    # -- state ----------------------------------------------------------------
    def get_state(self) -> dict[str, Any]:
        state = super().get_state()
        state.update(
            data=copy.deepcopy(self._data),
            num_random_left=self._num_random_left,
            gp_hyperparameters=copy.deepcopy(self._hp),
            fit_size=self._fit_size,
            model=copy.deepcopy(self._model),
            model_stale=self._model_stale,
        )
        return state

    def _restore_from_state(self, state: dict[str, Any]) -> None:
        super()._restore_from_state(state)
        self._data = copy.deepcopy(state["data"])
        self._num_random_left = state["num_random_left"]
        self._hp = copy.deepcopy(state["gp_hyperparameters"])
        self._fit_size = state["fit_size"]
        self._model = copy.deepcopy(state["model"])
        self._model_stale = state["model_stale"]
        # Encodings are a function of the data and the ranges they were made with
        self._encoded = self._encode_observations(self._encoded_for)
