"""Surrogate models: what model-based searchers believe about the target.

:class:`SurrogateModel` is the interface: :meth:`~SurrogateModel.fit` on
:class:`~.observations.ModelData`, then :meth:`~SurrogateModel.predict`
(posterior mean and standard deviation) and :meth:`~SurrogateModel.sample`
(joint posterior samples). Acquisition functions (:mod:`.acquisition`) only
call ``predict``. :class:`AtResource` turns a multi-fidelity model into a
single-fidelity one at a fixed resource level.

:class:`GPModel` is a Gaussian process (:mod:`.gp`) with

* the kernel ``"matern52-ard"`` on the encoded configuration (and, for
  multi-fidelity data, the resource as one more input column, scaled to
  ``r / resource_scale``: Syne Tune's ``gp_multitask``), or
  ``"expdecay"`` (exponential-decay learning-curve kernel over the resource,
  :class:`~.kernels.ExponentialDecayResourceKernel`: ``gp_expdecay``);
  optionally with input warping of the configuration columns;
* a target transform: optional Box-Cox (targets shifted to be positive,
  ``scipy.stats.boxcox`` with the fitted lambda), then standardization;
* a refit policy for the hyperparameters (see :class:`GPModel`);
* fantasizing: pending evaluations enter as ``num_fantasy_samples`` joint
  posterior samples (with noise) of their outcomes; predictions then have
  one mean column per sample and a shared standard deviation, and
  acquisition functions average over the samples;
* subsampling: above ``max_size_data_for_model`` observations, the best
  ``max_size_top_fraction`` of that size plus a random subset of the others
  for single-fidelity data; for multi-fidelity data the trials that reached
  the highest resource levels, with all their observations
  (:func:`subsample_multi_fidelity`).

:class:`IndependentGPModel` (Syne Tune's ``gp_independent``) fits one
:class:`GPModel` per resource level on the observations at that level (each
level's hyperparameters warm-started from the level below), after the same
multi-fidelity subsampling over all levels; a prediction at a level without
data uses the closest level below it (or the lowest).
"""

from __future__ import annotations

import abc
import bisect
import logging
from typing import Any

import numpy as np

from syne_tune.optimizer.schedulers.searchers.bayesopt.observations import ModelData

__all__ = ["SurrogateModel", "GPModel", "IndependentGPModel", "AtResource", "KERNELS", "subsample_multi_fidelity"]

logger = logging.getLogger(__name__)

KERNELS = ("matern52-ard", "expdecay")
#: default of ``max_size_data_for_model`` (Syne Tune's)
DEFAULT_MAX_SIZE_DATA_FOR_MODEL = 500


class SurrogateModel(abc.ABC):
    """A probabilistic model of one target (smaller is better)."""

    @abc.abstractmethod
    def fit(self, data: ModelData, random_state: np.random.RandomState | None = None) -> None:
        """Condition on ``data`` (observations and pending evaluations).

        Parameters
        ----------
        data
            Observations and pending evaluations.
        random_state
            Randomness of the fit (restarts, subsampling, fantasy samples);
            the searcher passes its own, so that its state alone determines
            what happens next.
        """

    @abc.abstractmethod
    def predict(self, X: np.ndarray, resources=None) -> tuple[np.ndarray, np.ndarray]:
        """Posterior mean and standard deviation of the (noise-free) target
        at the rows of ``X`` (encoded configurations).

        Parameters
        ----------
        X
            Shape ``(m, d)``.
        resources
            For multi-fidelity models: resource level (scalar or ``(m,)``).

        Returns
        -------
        tuple
            ``mean`` of shape ``(m,)``, or ``(m, S)`` when the model holds
            ``S`` fantasy samples of pending evaluations, and ``std`` of
            shape ``(m,)``.
        """

    @abc.abstractmethod
    def sample(self, X: np.ndarray, num_samples: int, random_state: np.random.RandomState, resources=None) -> np.ndarray:
        """Joint posterior samples of the target at the rows of ``X``, shape
        ``(num_samples, m)``."""

    @property
    @abc.abstractmethod
    def is_fitted(self) -> bool:
        """Has :meth:`fit` been called with at least one observation?"""

    def parameters(self) -> dict:
        """Model hyperparameters, human readable."""
        return {}


class AtResource:
    """``predict(X)`` of a multi-fidelity model at a fixed ``resource``."""

    def __init__(self, model: SurrogateModel, resource):
        self.model = model
        self.resource = resource

    def predict(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return self.model.predict(X, resources=self.resource)

    def sample(self, X: np.ndarray, num_samples: int, random_state) -> np.ndarray:
        return self.model.sample(X, num_samples, random_state, resources=self.resource)


def _boxcox(y: np.ndarray) -> tuple[np.ndarray, tuple[float, float] | None]:
    """Box-Cox transform of ``y`` (shifted to be positive); ``None`` if not applicable."""
    from scipy import stats

    if len(y) < 3 or np.ptp(y) <= 0:
        return y, None
    shift = 1e-3 * np.ptp(y) - np.min(y)
    try:
        transformed, lam = stats.boxcox(y + shift)
    except ValueError:
        return y, None
    if not np.all(np.isfinite(transformed)):
        return y, None
    return transformed, (float(shift), float(lam))


def _boxcox_apply(y: np.ndarray, params: tuple[float, float] | None) -> np.ndarray:
    from scipy.special import boxcox

    if params is None:
        return y
    shift, lam = params
    return boxcox(np.maximum(y + shift, 1e-12), lam)


class GPModel(SurrogateModel):
    """Gaussian-process surrogate (see the module docstring).

    Refit policy: the hyperparameters are optimized (``opt_nstarts``
    L-BFGS-B starts of ``opt_maxiter`` iterations) at the first fit; later
    fits re-optimize them from the previous optimum (one start,
    ``opt_maxiter_warm`` iterations) once the number of observations grew
    by at least ``refit_fraction`` of the size at the last optimization (at
    least one), and, beyond ``opt_skip_init_length`` observations, only at
    every ``opt_skip_period``-th such occasion. In between, the posterior is
    recomputed with the previous hyperparameters (one Cholesky
    factorization).

    Parameters
    ----------
    kernel
        ``"matern52-ard"`` or ``"expdecay"`` (needs resources in the data).
    input_warping
        Warp the configuration columns by Kumaraswamy CDFs (fitted).
    normalize_targets
        Standardize targets before fitting.
    boxcox_transform
        Box-Cox transform targets first.
    num_fantasy_samples
        Fantasy samples per pending evaluation.
    fantasize
        Model pending evaluations (``False``: ignore them).
    resource_scale
        Resources are divided by this (the maximum resource) to form the
        resource input column.
    random_state
        Randomness of restarts, subsampling and fantasies when :meth:`fit`
        is not given one.
    """

    def __init__(
        self,
        kernel: str = "matern52-ard",
        input_warping: bool = False,
        normalize_targets: bool = True,
        boxcox_transform: bool = False,
        num_fantasy_samples: int = 20,
        fantasize: bool = True,
        opt_nstarts: int = 2,
        opt_maxiter: int = 50,
        opt_maxiter_warm: int = 20,
        refit_fraction: float = 0.1,
        opt_skip_init_length: int = 150,
        opt_skip_period: int = 1,
        max_size_data_for_model: int = DEFAULT_MAX_SIZE_DATA_FOR_MODEL,
        max_size_top_fraction: float = 0.25,
        resource_scale: float | None = None,
        random_state: np.random.RandomState | None = None,
    ):
        if kernel not in KERNELS:
            raise ValueError(f"The 'kernel' parameter of GPModel must be one of {', '.join(KERNELS)}. Got {kernel!r} instead.")
        self.kernel_name = kernel
        self.input_warping = bool(input_warping)
        self.normalize_targets = bool(normalize_targets)
        self.boxcox_transform = bool(boxcox_transform)
        self.num_fantasy_samples = int(num_fantasy_samples)
        self.fantasize = bool(fantasize)
        self.opt_nstarts = int(opt_nstarts)
        self.opt_maxiter = int(opt_maxiter)
        self.opt_maxiter_warm = int(opt_maxiter_warm)
        self.refit_fraction = float(refit_fraction)
        self.opt_skip_init_length = int(opt_skip_init_length)
        self.opt_skip_period = max(int(opt_skip_period), 1)
        self.max_size_data_for_model = int(max_size_data_for_model)
        self.max_size_top_fraction = float(max_size_top_fraction)
        self.resource_scale = resource_scale
        self.random_state = random_state if random_state is not None else np.random.RandomState(0)
        self._kernel = None
        self._kernel_dim = None
        self._hp = None
        self._fit_size = 0
        self._refit_occasions = 0
        self._gp = None
        self._boxcox = None
        self._multi_fidelity = False
        #: Number of hyperparameter optimizations so far (for tests and perf scripts).
        self.num_optimizations = 0

    # -- inputs ----------------------------------------------------------------------
    def _inputs(self, X: np.ndarray, resources) -> np.ndarray:
        X = np.atleast_2d(np.asarray(X, dtype=float))
        if not self._multi_fidelity:
            return X
        if resources is None:
            raise ValueError("This model was fitted to multi-fidelity data: predict needs resources")
        r = np.broadcast_to(np.asarray(resources, dtype=float), (X.shape[0],)) / (self.resource_scale or 1.0)
        return np.hstack([X, r[:, None]])

    def _make_kernel(self, dimension: int):
        from syne_tune.optimizer.schedulers.searchers.bayesopt.kernels import (
            ExponentialDecayResourceKernel,
            Matern52ARD,
            WarpedKernel,
        )

        config_dim = dimension - 1 if self._multi_fidelity else dimension
        if self.kernel_name == "expdecay":
            if not self._multi_fidelity:
                raise ValueError("The 'expdecay' kernel needs multi-fidelity data (resources)")
            kernel = ExponentialDecayResourceKernel(config_dim)
        else:
            kernel = Matern52ARD(dimension)
        if self.input_warping and config_dim > 0:
            kernel = WarpedKernel(kernel, list(range(config_dim)))
        return kernel

    def _subsample(self, X: np.ndarray, y: np.ndarray, rs: np.random.RandomState, data: ModelData) -> tuple[np.ndarray, np.ndarray]:
        n, cap = len(y), self.max_size_data_for_model
        if n <= cap:
            return X, y
        if self._multi_fidelity and data.trial_ids is not None:
            keep = subsample_multi_fidelity(data.trial_ids, data.resources, cap, rs)
            return X[keep], y[keep]
        order = np.argsort(y, kind="stable")
        num_top = int(cap * self.max_size_top_fraction)
        rest = rs.choice(order[num_top:], size=cap - num_top, replace=False)
        keep = np.sort(np.concatenate([order[:num_top], rest]))
        return X[keep], y[keep]

    def _should_optimize(self, n: int) -> bool:
        if self._hp is None:
            return True
        if n - self._fit_size < max(1, int(self.refit_fraction * self._fit_size)):
            return False
        self._refit_occasions += 1
        if n >= self.opt_skip_init_length and self._refit_occasions % self.opt_skip_period != 0:
            return False
        return True

    # -- fit -----------------------------------------------------------------------------
    def fit(self, data: ModelData, random_state: np.random.RandomState | None = None) -> None:
        from syne_tune.optimizer.schedulers.searchers.bayesopt.gp import GaussianProcess, fit_hyperparameters, normalization

        rs = random_state if random_state is not None else self.random_state
        if data.num_observations == 0:
            self._gp = None
            return
        self._multi_fidelity = data.resources is not None
        if self._multi_fidelity and self.resource_scale is None:
            self.resource_scale = float(max(np.max(data.resources), 1.0))
        X = self._inputs(data.X, data.resources)
        X, y = self._subsample(X, data.y, rs, data)
        if self.boxcox_transform:
            y, self._boxcox = _boxcox(y)
        if self._kernel is None or self._kernel_dim != X.shape[1]:
            self._kernel, self._kernel_dim, self._hp, self._fit_size = self._make_kernel(X.shape[1]), X.shape[1], None, 0
        n = data.num_observations  # before subsampling: growth counts beyond the cap too
        if self._should_optimize(n):
            mean, std = normalization(y) if self.normalize_targets else (0.0, 1.0)
            first = self._hp is None
            self._hp = fit_hyperparameters(
                X,
                (y - mean) / std,
                init=self._hp,
                num_restarts=self.opt_nstarts if first else 1,
                maxiter=self.opt_maxiter if first else self.opt_maxiter_warm,
                random_state=rs,
                kernel=self._kernel,
            )
            self._fit_size = n
            self.num_optimizations += 1
        gp = GaussianProcess(X, y, self._hp, normalize=self.normalize_targets, kernel=self._kernel)
        if self.fantasize and data.num_pending > 0 and self.num_fantasy_samples > 0:
            Xp = self._inputs(data.pending_X, data.pending_resources)
            gp = gp.fantasize(Xp, self.num_fantasy_samples, rs)
        self._gp = gp

    @property
    def is_fitted(self) -> bool:
        return self._gp is not None

    def _require_fit(self):
        if self._gp is None:
            raise RuntimeError("GPModel: call fit with at least one observation before predicting")
        return self._gp

    # -- predictions -----------------------------------------------------------------------
    def predict(self, X: np.ndarray, resources=None) -> tuple[np.ndarray, np.ndarray]:
        gp = self._require_fit()
        return gp.predict(self._inputs(X, resources))

    def sample(self, X: np.ndarray, num_samples: int, random_state: np.random.RandomState, resources=None) -> np.ndarray:
        gp = self._require_fit()
        return gp.sample(self._inputs(X, resources), num_samples, random_state)

    def transform_targets(self, y: np.ndarray) -> np.ndarray:
        """``y`` in the scale the model predicts in (after Box-Cox, if any)."""
        y = np.asarray(y, dtype=float)
        return _boxcox_apply(y, self._boxcox) if self.boxcox_transform else y

    def parameters(self) -> dict:
        if self._hp is None:
            return {}
        out = dict(self._kernel.describe(self._hp.kernel_theta))
        out["noise_variance"] = float(np.exp(self._hp.log_noise_variance))
        out["mean"] = float(self._hp.mean)
        return out

    def reset(self) -> None:
        """Forget the hyperparameters (the next fit optimizes them afresh)."""
        self._kernel, self._kernel_dim, self._hp, self._fit_size, self._gp = None, None, None, 0, None


def subsample_multi_fidelity(trial_ids, resources: np.ndarray, max_size: int, random_state: np.random.RandomState) -> np.ndarray:
    """Rows to keep of multi-fidelity data so that at most ``max_size`` remain.

    Trials that reached the highest resource levels keep all their rows; rows
    are dropped from trials that stopped early, lowest levels first (Syne
    Tune's rule for multi-fidelity data). Precisely: the trials are taken in
    groups, by the highest level they reached, from the highest group down;
    a group whose rows fit in the remaining room is kept whole. The first
    group that does not fit fills the room with its rows above some level
    ``l`` (all of them) and a uniform random sample of its rows at ``l``, for
    the lowest ``l`` with that many rows above it; later groups are dropped.

    Parameters
    ----------
    trial_ids
        Trial of each row.
    resources
        Resource level of each row.
    max_size
        Number of rows to keep at most.
    random_state
        Draws the sample at level ``l``.

    Returns
    -------
    numpy.ndarray
        Sorted indices of the rows to keep (all rows if there are at most
        ``max_size``).
    """
    resources = np.asarray(resources, dtype=float).reshape(-1)
    n = resources.shape[0]
    if n <= max_size:
        return np.arange(n)
    index: dict = {}
    trial_codes = np.fromiter((index.setdefault(t, len(index)) for t in trial_ids), dtype=np.int64, count=n)
    top_level = np.full(trial_codes.max() + 1, -np.inf)
    np.maximum.at(top_level, trial_codes, resources)
    group = top_level[trial_codes]  # highest level reached by each row's trial
    keep: list[np.ndarray] = []
    room = int(max_size)
    for level in np.unique(group)[::-1]:
        rows = np.flatnonzero(group == level)
        if len(rows) <= room:
            keep.append(rows)
            room -= len(rows)
            continue
        for low in np.unique(resources[rows]):
            above = rows[resources[rows] > low]
            if len(above) <= room:
                at_low = rows[resources[rows] == low]
                keep.append(above)
                keep.append(random_state.choice(at_low, size=room - len(above), replace=False))
                break
        break
    return np.sort(np.concatenate(keep))


class IndependentGPModel(SurrogateModel):
    """One :class:`GPModel` per resource level (see the module docstring).

    Parameters
    ----------
    model_kwargs
        Arguments of each level's :class:`GPModel`.
    """

    def __init__(self, **model_kwargs: Any):
        model_kwargs.pop("kernel", None)
        self._kwargs = model_kwargs
        self._models: dict[float, GPModel] = {}
        self._levels: list[float] = []

    def fit(self, data: ModelData, random_state: np.random.RandomState | None = None) -> None:
        if data.resources is None:
            raise ValueError("IndependentGPModel needs multi-fidelity data (resources)")
        cap = int(self._kwargs.get("max_size_data_for_model", DEFAULT_MAX_SIZE_DATA_FOR_MODEL))
        if data.num_observations > cap and data.trial_ids is not None:
            rs = random_state if random_state is not None else self._kwargs.get("random_state")
            if rs is None:
                rs = np.random.RandomState(0)
            keep = subsample_multi_fidelity(data.trial_ids, data.resources, cap, rs)
            data = ModelData(
                X=data.X[keep],
                y=data.y[keep],
                resources=data.resources[keep],
                pending_X=data.pending_X,
                pending_resources=data.pending_resources,
                trial_ids=[data.trial_ids[i] for i in keep],
            )
        levels = sorted(set(data.resources.tolist()))
        previous = None
        fitted = []
        for level in levels:
            rows = data.resources == level
            if data.pending_resources is not None and data.num_pending:
                prows = data.pending_resources == level
                pending_X = data.pending_X[prows]
            else:
                pending_X = None
            model = self._models.get(level)
            if model is None:
                model = GPModel(**self._kwargs)
                if previous is not None and previous._hp is not None:
                    model._hp, model._kernel, model._kernel_dim = previous._hp, previous._kernel, previous._kernel_dim
                self._models[level] = model
            model.fit(ModelData(X=data.X[rows], y=data.y[rows], pending_X=pending_X), random_state)
            previous = model
            fitted.append(level)
        self._levels = fitted

    def _model_for(self, resource) -> GPModel:
        if not self._levels:
            raise RuntimeError("IndependentGPModel: call fit with at least one observation before predicting")
        if resource is None:
            raise ValueError("IndependentGPModel.predict needs a resource level")
        resource = float(np.asarray(resource).reshape(-1)[0])
        pos = bisect.bisect_right(self._levels, resource) - 1
        return self._models[self._levels[max(pos, 0)]]

    def predict(self, X: np.ndarray, resources=None) -> tuple[np.ndarray, np.ndarray]:
        X = np.atleast_2d(np.asarray(X, dtype=float))
        if resources is None or np.ndim(resources) == 0:
            return self._model_for(resources).predict(X)
        resources = np.broadcast_to(np.asarray(resources, dtype=float), (X.shape[0],))
        groups: dict[int, list[int]] = {}
        for row, r in enumerate(resources):
            groups.setdefault(id(self._model_for(r)), []).append(row)
        if len(groups) == 1:
            return self._model_for(resources[0]).predict(X)
        # Levels may hold different numbers of fantasy samples: average them per level
        mean, std = np.empty(X.shape[0]), np.empty(X.shape[0])
        for rows in groups.values():
            m, s = self._model_for(resources[rows[0]]).predict(X[rows])
            mean[rows] = np.mean(m, axis=1) if np.ndim(m) == 2 else m
            std[rows] = s
        return mean, std

    def sample(self, X: np.ndarray, num_samples: int, random_state: np.random.RandomState, resources=None) -> np.ndarray:
        resource = None if resources is None else np.asarray(resources).reshape(-1)[0]
        return self._model_for(resource).sample(X, num_samples, random_state)

    @property
    def is_fitted(self) -> bool:
        return bool(self._levels)

    @property
    def levels(self) -> list[float]:
        """Resource levels with a fitted model."""
        return list(self._levels)

    def model_at(self, resource) -> GPModel:
        """The model used for predictions at ``resource``."""
        return self._model_for(resource)

    def parameters(self) -> dict:
        return {level: self._models[level].parameters() for level in self._levels}
