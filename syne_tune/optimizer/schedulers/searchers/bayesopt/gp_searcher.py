"""Gaussian-process Bayesian optimization searcher (``searcher="bayesopt"``)."""

from __future__ import annotations

import logging
import math

import numpy as np

from syne_tune.optimizer.schedulers.searchers.bayesopt.acquisition import expected_improvement
from syne_tune.optimizer.schedulers.searchers.bayesopt.encoding import ConfigEncoder
from syne_tune.optimizer.schedulers.searchers.bayesopt.gp import (
    GaussianProcess,
    GPHyperparameters,
    fit_hyperparameters,
    normalization,
)
from syne_tune.optimizer.schedulers.searchers.searcher import StochasticAndFilterDuplicatesSearcher

logger = logging.getLogger(__name__)


def _positive_int(name: str, value) -> int:
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


class GPFIFOSearcher(StochasticAndFilterDuplicatesSearcher):
    """Bayesian optimization with a Gaussian process and expected improvement.

    After ``points_to_evaluate``, the first ``num_init_random`` configurations
    are drawn at random. Afterwards each :meth:`get_config` fits a GP
    (Matern 5/2 ARD, see :mod:`.gp`) to the completed results, scores
    ``num_init_candidates`` random candidates by expected improvement, refines
    the ``num_local_starts`` best by random one-coordinate perturbations, and
    returns the best configuration not suggested before.

    Only results passed with ``update=True`` (trial completions, for FIFO)
    enter the model. Pending (running) trials are ignored: with several
    workers, concurrent suggestions come from the same model and differ only
    through duplicate filtering and the random candidates.

    Parameters
    ----------
    config_space, metric, points_to_evaluate, mode, random_seed, allow_duplicates, restrict_configurations
        As for :class:`StochasticAndFilterDuplicatesSearcher`; ``metric`` must
        be a single name and ``mode`` "min" or "max" (values are negated for "max").
    num_init_random
        Random configurations (after ``points_to_evaluate``) before the model is used.
    num_init_candidates
        Random candidates scored by the acquisition function per suggestion.
    num_local_starts, num_local_steps, num_local_neighbours
        Local refinement: the best ``num_local_starts`` candidates are each
        perturbed ``num_local_neighbours`` times per step, for ``num_local_steps`` steps.
    opt_maxiter, opt_nstarts
        L-BFGS-B iterations and starts for the first fit of the GP
        hyperparameters.
    opt_maxiter_warm
        L-BFGS-B iterations for later fits, which start from the previous
        hyperparameters (a single start).
    refit_fraction
        Hyperparameters are re-optimized (warm-started) once the data grew by
        this fraction (at least one point) since the last fit; in between, the
        posterior is updated with the previous hyperparameters. ``0`` refits
        on every new result.
    max_size_data_for_model
        Above this many observations, the model uses the best quarter plus a
        random subset of the rest.
    """

    def __init__(
        self,
        config_space: dict,
        metric: str | None = None,
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
        opt_maxiter: int = 50,
        opt_nstarts: int = 2,
        opt_maxiter_warm: int = 20,
        refit_fraction: float = 0.1,
        max_size_data_for_model: int = 500,
        **kwargs,
    ):
        if metric is None or not isinstance(metric, str):
            raise ValueError(f"GPFIFOSearcher needs a single metric name, got {metric!r}")
        if mode not in ("min", "max"):
            raise ValueError(f"mode must be 'min' or 'max', got {mode!r}")
        super().__init__(
            config_space,
            metric=metric,
            points_to_evaluate=points_to_evaluate,
            mode=mode,
            random_seed=random_seed,
            allow_duplicates=allow_duplicates,
            restrict_configurations=restrict_configurations,
        )
        if not isinstance(num_init_random, (int, np.integer)) or num_init_random < 0:
            raise ValueError(f"num_init_random must be a non-negative integer, got {num_init_random!r}")
        self.num_init_random = int(num_init_random)
        self.num_init_candidates = _positive_int("num_init_candidates", num_init_candidates)
        self.num_local_starts = _positive_int("num_local_starts", num_local_starts)
        self.num_local_steps = _positive_int("num_local_steps", num_local_steps)
        self.num_local_neighbours = _positive_int("num_local_neighbours", num_local_neighbours)
        self.opt_maxiter = _positive_int("opt_maxiter", opt_maxiter)
        self.opt_nstarts = _positive_int("opt_nstarts", opt_nstarts)
        self.opt_maxiter_warm = _positive_int("opt_maxiter_warm", opt_maxiter_warm)
        if not isinstance(refit_fraction, (int, float)) or not 0 <= refit_fraction < 1:
            raise ValueError(f"refit_fraction must be in [0, 1), got {refit_fraction!r}")
        self.refit_fraction = float(refit_fraction)
        self.max_size_data_for_model = _positive_int("max_size_data_for_model", max_size_data_for_model)
        self.encoder = ConfigEncoder(config_space)
        self._data: dict[int, tuple[np.ndarray, float]] = {}
        self._num_random_left = self.num_init_random
        self._hp: GPHyperparameters | None = None
        self._fit_size = 0
        self._model: GaussianProcess | None = None
        self._model_stale = True
        self._restrict_X = None if self._restrict is None else self.encoder.encode(self._restrict)

    # -- data ---------------------------------------------------------------
    def _update(self, trial_id: int, config: dict, result: dict) -> None:
        if self._metric not in result:
            raise ValueError(f"Result of trial {trial_id} lacks the metric '{self._metric}'")
        value = float(result[self._metric])
        if not math.isfinite(value):
            logger.warning("Ignoring non-finite value %r of trial %d", value, trial_id)
            return
        if self._mode == "max":
            value = -value
        self._data[trial_id] = (self.encoder.encode([config])[0], value)
        self._model_stale = True

    def remove_case(self, trial_id: int, **kwargs) -> None:
        if self._data.pop(trial_id, None) is not None:
            self._model_stale = True

    def dataset_size(self) -> int:
        return len(self._data)

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
        X = np.array([x for x, _ in self._data.values()])
        y = np.array([v for _, v in self._data.values()])
        n, cap = len(y), self.max_size_data_for_model
        if n > cap:
            order = np.argsort(y)
            top = order[: cap // 4]
            rest = self.random_state.choice(order[cap // 4 :], size=cap - len(top), replace=False)
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
            mean, std = normalization(y)
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
        self._model = GaussianProcess(X, y, self._hp)
        self._model_stale = False
        return self._model

    def _acquisition(self, model: GaussianProcess, X: np.ndarray, best: float) -> np.ndarray:
        mean, std = model.predict(X)
        return expected_improvement(mean, std, best)

    # -- suggestions --------------------------------------------------------
    def get_config(self, **kwargs) -> dict | None:
        config = self._next_initial_config()
        while config is not None:
            if self._remember_if_new(config):
                return config
            config = self._next_initial_config()
        if self._num_random_left > 0 or len(self._data) < 2:
            self._num_random_left = max(self._num_random_left - 1, 0)
            return self._next_config()
        if self._exhausted():
            return None
        if self._restrict is not None:
            return self._config_from_restricted()
        return self._config_from_model()

    def _local_search(self, model, X: np.ndarray, scores: np.ndarray, best: float) -> tuple[np.ndarray, np.ndarray]:
        starts = np.argsort(-scores)[: self.num_local_starts]
        current, current_scores = X[starts], scores[starts]
        found_X, found_scores = [X], [scores]
        scale = 0.1
        for _ in range(self.num_local_steps):
            neighbours = self.encoder.perturb(np.repeat(current, self.num_local_neighbours, axis=0), scale, self.random_state)
            nb_scores = self._acquisition(model, neighbours, best).reshape(len(current), -1)
            found_X.append(neighbours)
            found_scores.append(nb_scores.reshape(-1))
            arg = np.argmax(nb_scores, axis=1)
            better = nb_scores[np.arange(len(current)), arg] > current_scores
            rows = np.flatnonzero(better)
            current[rows] = neighbours.reshape(len(current), self.num_local_neighbours, -1)[rows, arg[rows]]
            current_scores[rows] = nb_scores[rows, arg[rows]]
            scale *= 0.5
        return np.concatenate(found_X), np.concatenate(found_scores)

    def _config_from_model(self) -> dict | None:
        model = self._fit_model()
        best = float(min(v for _, v in self._data.values()))
        X = self.encoder.sample(self.num_init_candidates, self.random_state)
        scores = self._acquisition(model, X, best)
        X, scores = self._local_search(model, X, scores, best)
        for i in np.argsort(-scores, kind="stable"):
            config = self.encoder.decode(X[i : i + 1])[0]
            if self._remember_if_new(config):
                return config
        return self._next_config()

    def _config_from_restricted(self) -> dict | None:
        model = self._fit_model()
        best = float(min(v for _, v in self._data.values()))
        unused = np.asarray(self._restrict_unused if not self.allow_duplicates else range(len(self._restrict)))
        scores = self._acquisition(model, self._restrict_X[unused], best)
        for pos in np.argsort(-scores, kind="stable"):
            idx = int(unused[pos])
            config = dict(self._restrict[idx])
            if self._remember_if_new(config):
                if not self.allow_duplicates:
                    self._restrict_unused.remove(idx)
                return config
        return None
