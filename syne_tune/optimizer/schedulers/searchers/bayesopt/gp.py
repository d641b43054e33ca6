"""Gaussian-process regression for Bayesian optimization.

Model: ``f ~ GP(m, k)`` with a kernel ``k`` from :mod:`.kernels` (default
:class:`~.kernels.Matern52ARD`, a Matern 5/2 kernel with automatic relevance
determination,

    k(x, x') = s2 * (1 + sqrt(5) r + 5/3 r^2) exp(-sqrt(5) r),
    r^2 = sum_j (x_j - x'_j)^2 / l_j^2),

prior mean ``m(x) = c`` (a constant; :class:`~.kernels.ExponentialDecayResourceKernel`
adds a resource-dependent term, see :meth:`~.kernels.Kernel.mean_function`),
observed with Gaussian noise of variance ``noise``:
``y_i = f(x_i) + eps_i``, ``eps_i ~ N(0, noise)``. Targets are normalized,
``y -> (y - mu_y) / sigma_y`` with the mean and standard deviation of the
(first column of the) targets (:func:`normalization`), before the model is
applied, and predictions are mapped back.

Hyperparameters (:class:`GPHyperparameters`), in the normalized scale:
``theta = [kernel_theta, log noise, c]``, ``noise in [1e-6, 1]``,
``c in [-3, 3]``. :func:`fit_hyperparameters` maximizes the penalized log
marginal likelihood

    log p(Y | X, theta) + log p_kernel(kernel_theta) + log N(log noise | log 1e-3, 3^2),
    log p(Y | X, theta) = sum_s [-1/2 (y_s - m)^T K^-1 (y_s - m)] - S/2 log det K - nS/2 log(2 pi),
    K = k(X, X) + (noise + jitter) I,

over the ``S`` target columns ``y_s``, with scipy's L-BFGS-B. The jitter is
``1e-9`` times the mean of the diagonal of ``k(X, X)`` (multiplied by 10
while the Cholesky factorization fails, up to ``1e-2``). Gradients:
``d/dK = 1/2 (S K^-1 - A A^T)`` (``A = K^-1 (Y - m)``) from the Cholesky
factor, pulled back to ``theta`` through the kernel with ``autograd``
(:func:`negative_log_marginal_likelihood` is the same objective
differentiated end to end by autograd, used as a reference).

:class:`GaussianProcess` is the posterior under fixed hyperparameters:
``mean(x) = m(x) + k(x, X) A``,
``var(x) = k(x, x) - k(x, X) K^-1 k(X, x)`` (noise-free), joint samples,
and fantasies (targets at pending inputs drawn from the posterior
predictive, sharing one Cholesky factor across samples). Its kernel matrix
gets the same jitter (escalating further, up to ``1e3`` times the mean
diagonal, rather than failing); posterior covariances for sampling get a
jitter relative to the mean prior variance of the query points, with an
eigendecomposition (negative eigenvalues clipped to 0) as the last resort.
Posterior variances are floored at ``1e-12`` (normalized scale).

Hyperparameter fits and posterior computations run with single-threaded
BLAS (:func:`~.threads.single_threaded_blas`).

``autograd`` and ``scipy`` are optional dependencies (extra ``gpsearchers``);
they are imported inside the functions that need them.
"""

from __future__ import annotations

from typing import Any, Union

import numpy as np

from syne_tune.optimizer.schedulers.searchers.bayesopt.threads import single_threaded_blas

from syne_tune.optimizer.schedulers.searchers.bayesopt.kernels import (  # noqa: F401  (re-exported constants)
    LOG_LENGTHSCALE_BOUNDS,
    LOG_SIGNAL_BOUNDS,
    PRIOR_LOG_LENGTHSCALE,
    PRIOR_LOG_SIGNAL,
    SQRT5,
    Kernel,
    Matern52ARD,
    clear_caches,
)

__all__ = [
    "GPHyperparameters",
    "GaussianProcess",
    "fit_hyperparameters",
    "negative_log_marginal_likelihood",
    "nll_value_and_grad",
    "normalization",
    "bounds",
]

#: Added to the kernel diagonal (times the mean kernel diagonal) before
#: Cholesky; multiplied by 10 on failure, up to ``MAX_JITTER``.
INITIAL_JITTER = 1e-9
MAX_JITTER = 1e-2
#: Box constraints for L-BFGS-B (targets are normalized).
LOG_NOISE_BOUNDS = (float(np.log(1e-6)), float(np.log(1.0)))
MEAN_BOUNDS = (-3.0, 3.0)
#: Weak Gaussian prior (centre, standard deviation) on the log noise variance.
PRIOR_LOG_NOISE = (float(np.log(1e-3)), 3.0)
#: Floor of posterior variances (normalized scale).
MIN_VARIANCE = 1e-12
#: :meth:`GaussianProcess.predict` works in row blocks of about this many
#: kernel entries.
_PREDICT_BLOCK_ELEMENTS = 50_000
_LOG_2PI = float(np.log(2.0 * np.pi))
_FAILED = 1e10

RandomStateLike = Union[np.random.RandomState, np.random.Generator, int, None]


def _import_autograd():
    try:
        import autograd  # noqa: F401
        import autograd.numpy as anp
    except ImportError as ex:  # pragma: no cover - depends on the environment
        raise ImportError(
            "The Gaussian-process searcher needs autograd. Install it with: "
            'pip install "syne-tune[gpsearchers]"'
        ) from ex
    return autograd, anp


class GPHyperparameters:
    """Kernel, noise and mean parameters (in the normalized target scale).

    Either give the Matern 5/2 ARD parameters (``log_lengthscales``,
    ``log_signal_variance``; the historical positional form) or the flat
    ``kernel_theta`` of any kernel.

    Parameters
    ----------
    log_lengthscales
        Log lengthscales of :class:`~.kernels.Matern52ARD`.
    log_signal_variance
        Its log signal variance.
    log_noise_variance
        Log of the observation-noise variance.
    mean
        Constant prior mean ``c``.
    kernel_theta
        Flat kernel parameters (instead of the two Matern ones).

    Raises
    ------
    ValueError
        If both or neither of ``log_lengthscales`` and ``kernel_theta`` are given.

    Notes
    -----
    ``log_lengthscales`` and ``log_signal_variance`` are views of
    ``kernel_theta`` in the :class:`~.kernels.Matern52ARD` layout
    ``[log l_1..l_d, log s2]``; they are meaningless for other kernels.
    """

    def __init__(
        self,
        log_lengthscales: np.ndarray | None = None,
        log_signal_variance: float = 0.0,
        log_noise_variance: float = float(np.log(1e-3)),
        mean: float = 0.0,
        *,
        kernel_theta: np.ndarray | None = None,
    ):
        if (log_lengthscales is None) == (kernel_theta is None):
            raise ValueError("give exactly one of log_lengthscales and kernel_theta")
        if kernel_theta is None:
            kernel_theta = np.concatenate([np.asarray(log_lengthscales, dtype=float).reshape(-1), [float(log_signal_variance)]])
        self.kernel_theta = np.array(kernel_theta, dtype=float).reshape(-1)
        self.log_noise_variance = float(log_noise_variance)
        self.mean = float(mean)

    @property
    def log_lengthscales(self) -> np.ndarray:
        """``kernel_theta[:-1]`` (Matern 5/2 ARD layout)."""
        return self.kernel_theta[:-1]

    @property
    def log_signal_variance(self) -> float:
        """``kernel_theta[-1]`` (Matern 5/2 ARD layout)."""
        return float(self.kernel_theta[-1])

    @property
    def noise_variance(self) -> float:
        return float(np.exp(self.log_noise_variance))

    @classmethod
    def default(cls, dimension: int | None = None, *, kernel: Kernel | None = None) -> "GPHyperparameters":
        """Default start values for ``kernel`` (default ``Matern52ARD(dimension)``)."""
        if kernel is None:
            if dimension is None:
                raise ValueError("give dimension or kernel")
            kernel = Matern52ARD(dimension)
        return cls(kernel_theta=kernel.default_theta())

    def to_vector(self) -> np.ndarray:
        """``[kernel_theta, log_noise_variance, mean]``."""
        return np.concatenate([self.kernel_theta, [self.log_noise_variance, self.mean]])

    @classmethod
    def from_vector(cls, theta: np.ndarray) -> "GPHyperparameters":
        """Inverse of :meth:`to_vector`."""
        theta = np.asarray(theta, dtype=float).reshape(-1)
        return cls(kernel_theta=theta[:-2].copy(), log_noise_variance=float(theta[-2]), mean=float(theta[-1]))

    def copy(self) -> "GPHyperparameters":
        return GPHyperparameters.from_vector(self.to_vector())

    def describe(self, kernel: Kernel) -> dict[str, Any]:
        """Human-readable values: ``kernel.describe`` plus noise and mean."""
        result = dict(kernel.describe(self.kernel_theta))
        result.update({"noise_variance": self.noise_variance, "mean": self.mean})
        return result

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, GPHyperparameters):
            return NotImplemented
        return np.array_equal(self.to_vector(), other.to_vector())

    def __repr__(self) -> str:
        return (
            f"GPHyperparameters(kernel_theta={self.kernel_theta.tolist()}, "
            f"log_noise_variance={self.log_noise_variance}, mean={self.mean})"
        )


def _default_kernel(kernel: Kernel | None, X: np.ndarray) -> Kernel:
    if kernel is None:
        return Matern52ARD(X.shape[1])
    if kernel.dimension != X.shape[1]:
        raise ValueError(f"{kernel!r} expects {kernel.dimension} input columns, got {X.shape[1]}")
    return kernel


def bounds(dimension: int | None = None, *, kernel: Kernel | None = None) -> list[tuple[float, float]]:
    """L-BFGS-B box constraints for ``theta = [kernel_theta, log noise, mean]``
    (kernel default ``Matern52ARD(dimension)``)."""
    if kernel is None:
        kernel = Matern52ARD(dimension)
    return list(kernel.bounds()) + [LOG_NOISE_BOUNDS, MEAN_BOUNDS]


def _noise_log_prior(log_noise, np_mod=np):
    z = (log_noise - PRIOR_LOG_NOISE[0]) / PRIOR_LOG_NOISE[1]
    return -0.5 * z * z - np.log(PRIOR_LOG_NOISE[1]) - 0.5 * _LOG_2PI


def _as_targets(y, n: int) -> np.ndarray:
    Y = np.asarray(y, dtype=float)
    if Y.ndim == 1:
        Y = Y[:, None]
    if Y.ndim != 2 or Y.shape[0] != n:
        raise ValueError(f"y must have shape ({n},) or ({n}, S), got {np.shape(y)}")
    return Y


def negative_log_marginal_likelihood(
    theta, X: np.ndarray, y: np.ndarray, with_prior: bool = True, *, kernel: Kernel | None = None
):
    """``-log p(y | X, theta)`` (minus the log priors if ``with_prior``), fully
    differentiable with autograd (the reference for :func:`nll_value_and_grad`).

    Parameters
    ----------
    theta
        ``[kernel_theta, log noise, mean]``.
    X
        Inputs, shape ``(n, d)``.
    y
        Normalized targets, shape ``(n,)`` or ``(n, S)`` (columns summed).
    with_prior
        Subtract the log priors of the kernel and the noise.
    kernel
        Default ``Matern52ARD(d)``.

    Returns
    -------
    scalar
        The negative log (penalized) marginal likelihood.
    """
    _, anp = _import_autograd()
    from autograd.scipy.linalg import solve_triangular

    X = np.asarray(X, dtype=float)
    kernel = _default_kernel(kernel, X)
    n = X.shape[0]
    Y = _as_targets(y, n)
    nk = kernel.num_parameters
    kt, log_noise, c = theta[:nk], theta[nk], theta[nk + 1]
    K = kernel(kt, X, X, anp, mean=c)
    jitter = INITIAL_JITTER * anp.mean(anp.diag(K))
    K = K + (anp.exp(log_noise) + jitter) * anp.eye(n)
    L = anp.linalg.cholesky(K)
    R = Y - anp.reshape(kernel.mean_function(kt, X, c, anp), (n, 1))
    Z = solve_triangular(L, R, lower=True)
    S = Y.shape[1]
    nll = 0.5 * anp.sum(Z * Z) + S * anp.sum(anp.log(anp.diag(L))) + 0.5 * n * S * _LOG_2PI
    if with_prior:
        nll = nll - kernel.log_prior(kt, anp) - _noise_log_prior(log_noise, anp)
    return nll


def _cholesky_with_jitter(K: np.ndarray, scale: float, initial: float = INITIAL_JITTER, max_jitter: float = MAX_JITTER):
    """Lower Cholesky factor of ``K + jitter * scale * I`` with the smallest
    ``jitter = initial * 10^k <= max_jitter`` that works; returns ``(L, jitter * scale)``.

    Raises
    ------
    numpy.linalg.LinAlgError
        If even ``max_jitter`` fails (or ``K`` is not finite).
    """
    if not np.all(np.isfinite(K)):
        raise np.linalg.LinAlgError("matrix has non-finite entries")
    if not (np.isfinite(scale) and scale > 0):
        scale = 1.0
    jitter = initial
    idx = np.diag_indices(K.shape[0])
    Kj = K.copy()
    Kj[idx] += jitter * scale
    while True:
        try:
            return np.linalg.cholesky(Kj), jitter * scale
        except np.linalg.LinAlgError:
            if jitter * 10.0 > max_jitter * (1 + 1e-9):
                raise
            Kj[idx] += 9.0 * jitter * scale
            jitter *= 10.0


def _sqrt_factor(C: np.ndarray, scale: float) -> tuple[np.ndarray, bool]:
    """A matrix ``F`` with ``F F^T ~= C`` (``C`` a symmetric PSD covariance):
    the jittered Cholesky factor (second value ``True``), or, if that fails,
    ``Q sqrt(max(lambda, 0))`` from an eigendecomposition (``False``)."""
    try:
        return _cholesky_with_jitter(C, scale)[0], True
    except np.linalg.LinAlgError:
        C = np.where(np.isfinite(C), C, 0.0)
        lam, Q = np.linalg.eigh(0.5 * (C + C.T))
        return Q * np.sqrt(np.maximum(lam, 0.0)), False


def nll_value_and_grad(
    theta: np.ndarray,
    X: np.ndarray,
    y: np.ndarray,
    *,
    kernel: Kernel | None = None,
    with_prior: bool = True,
) -> tuple[float, np.ndarray]:
    """Value and gradient of :func:`negative_log_marginal_likelihood`, fast:
    the kernel matrix, prior mean and log priors are differentiated by
    autograd (one reverse pass), the Cholesky part in closed form.

    Parameters
    ----------
    theta
        ``[kernel_theta, log noise, mean]``.
    X, y, kernel, with_prior
        As for :func:`negative_log_marginal_likelihood`.

    Returns
    -------
    tuple
        ``(value, gradient)``.

    Raises
    ------
    numpy.linalg.LinAlgError
        If the kernel matrix cannot be factorized even with the maximum jitter.
    """
    with single_threaded_blas():
        return _nll_value_and_grad(theta, X, y, kernel=kernel, with_prior=with_prior)


def _nll_value_and_grad(theta, X, y, *, kernel=None, with_prior=True):
    autograd, anp = _import_autograd()
    from scipy.linalg import cho_solve
    from scipy.linalg.lapack import dpotri

    X = np.asarray(X, dtype=float)
    kernel = _default_kernel(kernel, X)
    theta = np.asarray(theta, dtype=float)
    n = X.shape[0]
    Y = _as_targets(y, n)
    S = Y.shape[1]
    nk = kernel.num_parameters

    def forward(t):
        kt, log_noise, c = t[:nk], t[nk], t[nk + 1]
        K = kernel(kt, X, X, anp, mean=c)
        m = kernel.mean_function(kt, X, c, anp)
        lp = kernel.log_prior(kt, anp) + _noise_log_prior(log_noise, anp) if with_prior else 0.0 * t[0]
        extra = anp.stack([anp.exp(log_noise), lp])
        return anp.concatenate([anp.reshape(K, (-1,)), anp.reshape(m, (-1,)), extra])

    vjp, out = autograd.make_vjp(forward)(theta)
    K = out[: n * n].reshape(n, n)
    m = out[n * n : n * n + n]
    noise, lp = out[-2], out[-1]
    diag_mean = float(np.mean(np.diag(K)))
    K[np.diag_indices(n)] += noise  # a view of ``out``, which autograd does not reuse
    L, jitter = _cholesky_with_jitter(K, diag_mean)
    R = Y - m[:, None]
    A = cho_solve((L, True), R, check_finite=False)
    value = 0.5 * float(np.sum(R * A)) + S * float(np.sum(np.log(np.diag(L)))) + 0.5 * n * S * _LOG_2PI - lp
    Kinv, info = dpotri(L, lower=1)
    if info != 0:
        raise np.linalg.LinAlgError("dpotri failed")
    idx = np.diag_indices(n)
    lower = np.tril(Kinv)
    G = lower + lower.T
    G[idx] -= lower[idx]  # K^-1
    G *= 0.5 * S
    G -= 0.5 * (A @ A.T)
    trace_G = float(np.trace(G))
    # The jitter is (jitter / diag_mean) * mean(diag K): its derivative adds to diag(G).
    G[idx] += (jitter / diag_mean if diag_mean > 0 else 0.0) * trace_G / n
    upstream = np.concatenate([G.reshape(-1), -A.sum(axis=1), [trace_G, -1.0]])
    grad = np.asarray(vjp(upstream), dtype=float)
    clear_caches()
    return float(value), grad


def fit_hyperparameters(
    X: np.ndarray,
    y: np.ndarray,
    init: GPHyperparameters | None = None,
    num_restarts: int = 1,
    maxiter: int = 50,
    random_state: np.random.RandomState | None = None,
    *,
    kernel: Kernel | None = None,
) -> GPHyperparameters:
    """Maximize the penalized log marginal likelihood of normalized targets ``y``.

    The first start is ``init`` (or the kernel defaults), clipped to the
    bounds; each further restart draws a start uniformly within the bounds.
    L-BFGS-B runs at most ``maxiter`` iterations per start. Evaluations that
    fail numerically (Cholesky failure, non-finite values) count as a very
    bad value. The best local optimum wins; if every start fails, the first
    start point is returned.

    Parameters
    ----------
    X
        Inputs, shape ``(n, d)``.
    y
        Normalized targets, shape ``(n,)`` or ``(n, S)``.
    init
        Start values (their ``kernel_theta`` must fit ``kernel``).
    num_restarts
        Number of starts, ``>= 1``.
    maxiter
        L-BFGS-B iterations per start, ``>= 1``.
    random_state
        Source of the random starts (default ``RandomState(0)``).
    kernel
        Default ``Matern52ARD(d)``.

    Returns
    -------
    GPHyperparameters
        The best parameters found.

    Raises
    ------
    ValueError
        If arguments are inconsistent (shapes, counts, ``init`` length).
    """
    _import_autograd()
    from scipy.optimize import minimize

    if num_restarts < 1 or maxiter < 1:
        raise ValueError(f"num_restarts and maxiter must be >= 1, got {num_restarts}, {maxiter}")
    X = np.atleast_2d(np.asarray(X, dtype=float))
    kernel = _default_kernel(kernel, X)
    Y = _as_targets(y, X.shape[0])
    if X.shape[0] == 0:
        raise ValueError("no data to fit")
    if not (np.all(np.isfinite(X)) and np.all(np.isfinite(Y))):
        raise ValueError("X and y must be finite")
    box = bounds(kernel=kernel)
    lower, upper = np.array([b[0] for b in box]), np.array([b[1] for b in box])
    start_hp = init if init is not None else GPHyperparameters.default(kernel=kernel)
    start = start_hp.to_vector()
    if len(start) != len(box):
        raise ValueError(f"init has {len(start) - 2} kernel parameters, {kernel!r} needs {kernel.num_parameters}")
    start = np.clip(start, lower, upper)
    rs = random_state if random_state is not None else np.random.RandomState(0)
    starts = [start] + [rs.uniform(lower, upper) for _ in range(num_restarts - 1)]

    def objective(t):
        try:
            with np.errstate(all="ignore"):
                value, grad = _nll_value_and_grad(t, X, Y, kernel=kernel)
        except (np.linalg.LinAlgError, ValueError, FloatingPointError, ZeroDivisionError):
            return _FAILED, np.zeros_like(t)
        if not np.isfinite(value) or not np.all(np.isfinite(grad)):
            return _FAILED, np.zeros_like(t)
        return value, grad

    with single_threaded_blas():
        best_theta, best_value = start, objective(start)[0]
        for x0 in starts:
            res = minimize(objective, x0, jac=True, method="L-BFGS-B", bounds=box, options={"maxiter": maxiter})
            if np.isfinite(res.fun) and res.fun < best_value:
                best_theta, best_value = np.clip(res.x, lower, upper), float(res.fun)
    return GPHyperparameters.from_vector(best_theta)


def _standard_normal(random_state: RandomStateLike, shape: tuple[int, ...]) -> np.ndarray:
    if isinstance(random_state, np.random.Generator):
        return random_state.standard_normal(shape)
    if random_state is None or isinstance(random_state, (int, np.integer)):
        random_state = np.random.RandomState(random_state)
    return random_state.standard_normal(shape)


class GaussianProcess:
    """GP posterior for data ``(X, y)`` under fixed hyperparameters.

    Parameters
    ----------
    X
        Inputs, shape ``(n, d)``.
    y
        Targets in their original scale, shape ``(n,)``, or ``(n, S)`` for
        ``S`` target columns sharing the inputs (fantasy samples): all columns
        share one Cholesky factor, so predictive standard deviations are the
        same for all of them. They are normalized internally and predictions
        mapped back.
    hyperparameters
        Kernel/noise/mean parameters in the normalized scale.
    normalize
        Standardize the targets with :func:`normalization` of the first
        column (if ``False``: mean 0, std 1).
    kernel
        Default ``Matern52ARD(d)``.
    normalization_constants
        ``(mean, std)`` to use instead of computing them (overrides
        ``normalize``); :meth:`fantasize` passes those of the parent.

    Raises
    ------
    ValueError
        If shapes are inconsistent, there is no data, values are not
        finite, or the hyperparameters do not fit the kernel.

    Attributes
    ----------
    X, y
        The data (``y`` as given).
    hp
        The hyperparameters.
    kernel
        The kernel.
    y_mean, y_std
        Normalization constants.
    """

    def __init__(
        self,
        X: np.ndarray,
        y: np.ndarray,
        hyperparameters: GPHyperparameters,
        normalize: bool = True,
        *,
        kernel: Kernel | None = None,
        normalization_constants: tuple[float, float] | None = None,
    ):
        from scipy.linalg import cho_solve  # noqa: F401  (checks scipy is there)

        X = np.atleast_2d(np.asarray(X, dtype=float))
        y_arr = np.asarray(y, dtype=float)
        if y_arr.ndim not in (1, 2) or X.ndim != 2 or X.shape[0] != y_arr.shape[0] or X.shape[0] == 0:
            raise ValueError(
                f"X (n, d) and y (n,) or (n, S) must have the same, non-zero number of rows, got shapes {X.shape} and {y_arr.shape}"
            )
        if y_arr.ndim == 2 and y_arr.shape[1] == 0:
            raise ValueError("y has no columns")
        if not (np.all(np.isfinite(X)) and np.all(np.isfinite(y_arr))):
            raise ValueError("X and y must be finite")
        kernel = _default_kernel(kernel, X)
        if len(hyperparameters.kernel_theta) != kernel.num_parameters:
            raise ValueError(
                f"hyperparameters have {len(hyperparameters.kernel_theta)} kernel parameters, {kernel!r} needs {kernel.num_parameters}"
            )
        Y = y_arr.reshape(X.shape[0], -1)
        if normalization_constants is not None:
            y_mean, y_std = float(normalization_constants[0]), float(normalization_constants[1])
            if not (np.isfinite(y_mean) and np.isfinite(y_std) and y_std > 0):
                raise ValueError(f"invalid normalization_constants {normalization_constants}")
        elif normalize:
            y_mean, y_std = normalization(Y[:, 0])
        else:
            y_mean, y_std = 0.0, 1.0
        self.X, self.y, self.hp, self.kernel = X, y_arr, hyperparameters, kernel
        self.y_mean, self.y_std = y_mean, y_std
        self._is_1d = y_arr.ndim == 1
        self._theta = hyperparameters.kernel_theta
        self._c = hyperparameters.mean
        self._noise = float(np.exp(hyperparameters.log_noise_variance))
        with single_threaded_blas():
            K = kernel(self._theta, X, X, mean=self._c)
            diag_mean = float(np.mean(np.diag(K)))
            K[np.diag_indices_from(K)] += self._noise
            try:
                L, _ = _cholesky_with_jitter(K, diag_mean)
            except np.linalg.LinAlgError:
                # Last resort (e.g. exact duplicates without noise): large jitter.
                L, _ = _cholesky_with_jitter(K, max(diag_mean, self._noise, 1.0), initial=MAX_JITTER, max_jitter=1e3)
            self._finish(L, (Y - y_mean) / y_std)

    def _finish(self, L: np.ndarray, Yn: np.ndarray) -> None:
        from scipy.linalg import cho_solve

        self._L = L
        self._LinvT: np.ndarray | None = None
        self._Yn = Yn
        self._m = self.kernel.mean_function(self._theta, self.X, self._c)
        self._R = Yn - self._m[:, None]
        self._alpha = cho_solve((L, True), self._R, check_finite=False)

    @property
    def num_columns(self) -> int:
        """Number ``S`` of target columns (1 for 1-D ``y``)."""
        return self._Yn.shape[1]

    @property
    def noise_variance(self) -> float:
        return self._noise

    def _linv_t(self) -> np.ndarray:
        """``L^-T`` (C-contiguous), computed on first use: ``k(x, X) L^-T`` is
        one matrix product instead of a triangular solve per call."""
        if self._LinvT is None:
            from scipy.linalg import solve_triangular

            Linv = solve_triangular(self._L, np.eye(self._L.shape[0]), lower=True, check_finite=False)
            self._LinvT = np.ascontiguousarray(Linv.T)
        return self._LinvT

    def _query(self, Xq) -> np.ndarray:
        Xq = np.atleast_2d(np.asarray(Xq, dtype=float))
        if Xq.ndim != 2 or Xq.shape[1] != self.X.shape[1]:
            raise ValueError(f"query inputs must have {self.X.shape[1]} columns, got shape {Xq.shape}")
        return Xq

    def _mean_and_var(self, Xq: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Normalized-scale posterior mean ``(m, S)`` and variance ``(m,)`` of
        ``f``, in row blocks (small temporaries: large fresh arrays cost page
        faults that dominate the arithmetic)."""
        m = Xq.shape[0]
        LinvT = self._linv_t()
        mean = np.empty((m, self.num_columns))
        var = np.empty(m)
        block = max(32, _PREDICT_BLOCK_ELEMENTS // max(self.X.shape[0], 1))
        for start in range(0, m, block):
            Xb = Xq[start : start + block]
            Ks = self.kernel(self._theta, Xb, self.X, mean=self._c)
            mean[start : start + block] = self.kernel.mean_function(self._theta, Xb, self._c)[:, None] + Ks @ self._alpha
            VT = Ks @ LinvT
            var[start : start + block] = self.kernel.diag(self._theta, Xb, mean=self._c) - np.einsum("ij,ij->i", VT, VT)
        return mean, np.maximum(var, MIN_VARIANCE)

    def _mean_and_cov(self, Xq: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Normalized-scale posterior mean ``(m, S)``, covariance ``(m, m)`` of
        ``f`` and ``k(Xq, X) L^-T`` ``(m, n)``."""
        Ks = self.kernel(self._theta, Xq, self.X, mean=self._c)
        mean = self.kernel.mean_function(self._theta, Xq, self._c)[:, None] + Ks @ self._alpha
        VT = Ks @ self._linv_t()
        cov = self.kernel(self._theta, Xq, Xq, mean=self._c) - VT @ VT.T
        return mean, 0.5 * (cov + cov.T), VT

    def predict(self, Xq: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Posterior mean and standard deviation of ``f`` (noise-free) at the
        rows of ``Xq``, in the original target scale.

        Parameters
        ----------
        Xq
            Query inputs, shape ``(m, d)``.

        Returns
        -------
        tuple
            ``mean`` of shape ``(m,)`` for 1-D targets, ``(m, S)`` for 2-D
            targets, and ``std`` of shape ``(m,)`` (shared by all columns).
        """
        Xq = self._query(Xq)
        with single_threaded_blas():
            mean, var = self._mean_and_var(Xq)
        mean = mean * self.y_std + self.y_mean
        if self._is_1d:
            mean = mean[:, 0]
        return mean, np.sqrt(var) * self.y_std

    def sample(
        self,
        Xq: np.ndarray,
        num_samples: int,
        random_state: RandomStateLike = None,
        include_noise: bool = False,
    ) -> np.ndarray:
        """Joint posterior samples of ``f`` (or of ``y`` with
        ``include_noise``) at the rows of ``Xq``, original scale; for 2-D
        targets, of the first column's posterior.

        Parameters
        ----------
        Xq
            Query inputs, shape ``(m, d)``.
        num_samples
            Number of samples, ``>= 1``.
        random_state
            ``RandomState``, ``Generator``, seed or ``None``.
        include_noise
            Add observation noise.

        Returns
        -------
        numpy.ndarray
            Shape ``(num_samples, m)``.
        """
        if num_samples < 1:
            raise ValueError(f"num_samples must be >= 1, got {num_samples}")
        Xq = self._query(Xq)
        with single_threaded_blas():
            mean, cov, _ = self._mean_and_cov(Xq)
            if include_noise:
                cov[np.diag_indices_from(cov)] += self._noise
            scale = float(np.mean(self.kernel.diag(self._theta, Xq, mean=self._c)))
            F, _ = _sqrt_factor(cov, scale)
        Z = _standard_normal(random_state, (F.shape[1], num_samples))
        samples = mean[:, :1] + F @ Z
        return (samples * self.y_std + self.y_mean).T

    def fantasize(self, Xp: np.ndarray, num_samples: int, random_state: RandomStateLike = None) -> "GaussianProcess":
        """GP conditioned additionally on fantasy targets at pending inputs.

        Draws ``num_samples`` joint samples of the noisy targets at ``Xp``
        from the posterior predictive of each target column, and returns a
        GP on ``X`` followed by ``Xp`` with 2-D targets of
        ``S * num_samples`` columns (column ``j * num_samples + i`` is sample
        ``i`` for column ``j``; the observed rows repeat column ``j``), the
        same hyperparameters and the same normalization constants. Its
        Cholesky factor extends this one by a block.

        Parameters
        ----------
        Xp
            Pending inputs, shape ``(p, d)``; if ``p == 0``, ``self`` is returned.
        num_samples
            Fantasy samples per column, ``>= 1``.
        random_state
            ``RandomState``, ``Generator``, seed or ``None``.

        Returns
        -------
        GaussianProcess
            The fantasized GP (or ``self``).
        """
        if num_samples < 1:
            raise ValueError(f"num_samples must be >= 1, got {num_samples}")
        Xp = np.asarray(Xp, dtype=float)
        if Xp.size == 0:
            return self
        Xp = self._query(Xp)
        if not np.all(np.isfinite(Xp)):
            raise ValueError("Xp must be finite")
        with single_threaded_blas():
            return self._fantasize(Xp, num_samples, random_state)

    def _fantasize(self, Xp: np.ndarray, num_samples: int, random_state: RandomStateLike) -> "GaussianProcess":
        mean, cov, VT = self._mean_and_cov(Xp)
        cov[np.diag_indices_from(cov)] += self._noise
        scale = float(np.mean(self.kernel.diag(self._theta, Xp, mean=self._c)))
        F, is_cholesky = _sqrt_factor(cov, scale)
        S = self.num_columns
        Z = _standard_normal(random_state, (F.shape[1], S * num_samples))
        fantasies = np.repeat(mean, num_samples, axis=1) + F @ Z
        Yn = np.vstack([np.repeat(self._Yn, num_samples, axis=1), fantasies])
        new = object.__new__(GaussianProcess)
        new.X = np.vstack([self.X, Xp])
        new.y = Yn * self.y_std + self.y_mean
        new.hp, new.kernel = self.hp, self.kernel
        new.y_mean, new.y_std = self.y_mean, self.y_std
        new._is_1d = False
        new._theta, new._c, new._noise = self._theta, self._c, self._noise
        if is_cholesky:
            # [[L, 0], [V^T, chol(posterior predictive covariance)]] is the
            # Cholesky factor of the kernel matrix of [X; Xp] (plus noise).
            n, p = self.X.shape[0], Xp.shape[0]
            L = np.zeros((n + p, n + p))
            L[:n, :n] = self._L
            L[n:, :n] = VT
            L[n:, n:] = F
        else:
            K = self.kernel(self._theta, new.X, new.X, mean=self._c)
            diag_mean = float(np.mean(np.diag(K)))
            K[np.diag_indices_from(K)] += self._noise
            L, _ = _cholesky_with_jitter(K, max(diag_mean, 1.0), initial=INITIAL_JITTER, max_jitter=1e3)
        new._finish(L, Yn)
        return new

    def log_marginal_likelihood(self) -> float:
        """``log p(Y | X, theta)`` of the normalized targets (summed over the
        columns, without priors, with the jitter used for the factorization)."""
        n, S = self._R.shape
        return float(
            -0.5 * np.sum(self._R * self._alpha) - S * np.sum(np.log(np.diag(self._L))) - 0.5 * n * S * _LOG_2PI
        )


def normalization(y: np.ndarray) -> tuple[float, float]:
    """Mean and standard deviation used to standardize ``y`` (all entries).

    The standard deviation is replaced by 1 if ``y`` is empty or
    (numerically) constant: ``std <= 100 eps |mean|`` (``eps`` the float64
    machine epsilon, so rounding noise does not count as variation) or
    ``std < 1e-300``. Targets of any scale (``1e-12``, ``1e12``) are
    standardized exactly otherwise.
    """
    y = np.asarray(y, dtype=float).reshape(-1)
    if y.size == 0:
        return 0.0, 1.0
    mean = float(np.mean(y))
    std = float(np.std(y))
    if not np.isfinite(std) or std <= 100.0 * np.finfo(float).eps * abs(mean) or std < 1e-300:
        std = 1.0
    return mean, std
