"""Gaussian-process regression for Bayesian optimization.

Model: ``f ~ GP(c, k)`` with a constant mean ``c`` and a Matern 5/2 kernel with
automatic relevance determination (one lengthscale per input dimension),

    k(x, x') = s2 * (1 + sqrt(5) r + 5/3 r^2) exp(-sqrt(5) r),
    r^2 = sum_j (x_j - x'_j)^2 / l_j^2,

observed with Gaussian noise of variance ``noise``. Targets are normalized to
mean 0 and standard deviation 1 before fitting. The hyperparameters
``theta = [log l_1..l_d, log s2, log noise, c]`` maximize the log marginal
likelihood (plus a weak Gaussian prior on the log parameters, for stability)
with scipy's L-BFGS-B, using gradients from ``autograd``.

``autograd`` and ``scipy`` are optional dependencies (extra ``gpsearchers``);
they are imported inside the functions that need them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SQRT5 = float(np.sqrt(5.0))
#: Added to the kernel diagonal (times the signal variance) before Cholesky;
#: multiplied by 10 on failure, up to ``MAX_JITTER``.
INITIAL_JITTER = 1e-9
MAX_JITTER = 1e-2
#: Box constraints for L-BFGS-B (inputs live in [0, 1]^d, targets are normalized).
LOG_LENGTHSCALE_BOUNDS = (np.log(1e-2), np.log(1e2))
LOG_SIGNAL_BOUNDS = (np.log(1e-2), np.log(1e2))
LOG_NOISE_BOUNDS = (np.log(1e-6), np.log(1.0))
MEAN_BOUNDS = (-3.0, 3.0)
#: Weak Gaussian prior (centre, standard deviation) on the log parameters.
PRIOR_LOG_LENGTHSCALE = (np.log(0.5), 1.5)
PRIOR_LOG_SIGNAL = (0.0, 1.5)
PRIOR_LOG_NOISE = (np.log(1e-3), 3.0)


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


def matern52(X1, X2, log_lengthscales, log_signal_variance, np_mod=np):
    """Matern 5/2 ARD kernel matrix between the rows of ``X1`` and ``X2``.

    ``np_mod`` is ``numpy`` or ``autograd.numpy`` (for differentiation).
    """
    inv_ls = np_mod.exp(-log_lengthscales)
    A = X1 * inv_ls
    B = X2 * inv_ls
    sq = (
        np_mod.sum(A * A, axis=1)[:, None]
        + np_mod.sum(B * B, axis=1)[None, :]
        - 2.0 * np_mod.dot(A, B.T)
    )
    r = np_mod.sqrt(np_mod.maximum(sq, 0.0) + 1e-12)
    return np_mod.exp(log_signal_variance) * (1.0 + SQRT5 * r + (5.0 / 3.0) * sq) * np_mod.exp(-SQRT5 * r)


@dataclass
class GPHyperparameters:
    """Kernel, noise and mean parameters (in the normalized target scale)."""

    log_lengthscales: np.ndarray
    log_signal_variance: float = 0.0
    log_noise_variance: float = float(np.log(1e-3))
    mean: float = 0.0

    @classmethod
    def default(cls, dimension: int) -> "GPHyperparameters":
        return cls(log_lengthscales=np.full(dimension, PRIOR_LOG_LENGTHSCALE[0]))

    def to_vector(self) -> np.ndarray:
        return np.concatenate(
            [np.asarray(self.log_lengthscales, dtype=float), [self.log_signal_variance, self.log_noise_variance, self.mean]]
        )

    @classmethod
    def from_vector(cls, theta: np.ndarray) -> "GPHyperparameters":
        theta = np.asarray(theta, dtype=float)
        return cls(theta[:-3].copy(), float(theta[-3]), float(theta[-2]), float(theta[-1]))


def bounds(dimension: int) -> list[tuple[float, float]]:
    """L-BFGS-B box constraints for ``theta``."""
    return [LOG_LENGTHSCALE_BOUNDS] * dimension + [LOG_SIGNAL_BOUNDS, LOG_NOISE_BOUNDS, MEAN_BOUNDS]


def negative_log_marginal_likelihood(theta, X: np.ndarray, y: np.ndarray, with_prior: bool = True):
    """``-log p(y | X, theta)`` (minus the log prior if ``with_prior``);
    differentiable with autograd."""
    _, anp = _import_autograd()
    from autograd.scipy.linalg import solve_triangular

    d = X.shape[1]
    log_ls, log_s2, log_noise, mean = theta[:d], theta[d], theta[d + 1], theta[d + 2]
    n = X.shape[0]
    K = matern52(X, X, log_ls, log_s2, anp) + (anp.exp(log_noise) + INITIAL_JITTER * anp.exp(log_s2)) * anp.eye(n)
    L = anp.linalg.cholesky(K)
    z = solve_triangular(L, y - mean, lower=True)
    nll = 0.5 * anp.sum(z * z) + anp.sum(anp.log(anp.diag(L))) + 0.5 * n * np.log(2.0 * np.pi)
    if with_prior:
        nll = nll + 0.5 * anp.sum(((log_ls - PRIOR_LOG_LENGTHSCALE[0]) / PRIOR_LOG_LENGTHSCALE[1]) ** 2)
        nll = nll + 0.5 * ((log_s2 - PRIOR_LOG_SIGNAL[0]) / PRIOR_LOG_SIGNAL[1]) ** 2
        nll = nll + 0.5 * ((log_noise - PRIOR_LOG_NOISE[0]) / PRIOR_LOG_NOISE[1]) ** 2
    return nll


def fit_hyperparameters(
    X: np.ndarray,
    y: np.ndarray,
    init: GPHyperparameters | None = None,
    num_restarts: int = 1,
    maxiter: int = 50,
    random_state: np.random.RandomState | None = None,
) -> GPHyperparameters:
    """Maximize the (penalized) log marginal likelihood of normalized targets ``y``.

    The first start is ``init`` (or the defaults); each further restart draws
    a random start within the bounds. The best local optimum wins; if every
    start fails numerically, the start point is returned.
    """
    autograd, _ = _import_autograd()
    from scipy.optimize import minimize

    if num_restarts < 1 or maxiter < 1:
        raise ValueError(f"num_restarts and maxiter must be >= 1, got {num_restarts}, {maxiter}")
    d = X.shape[1]
    box = bounds(d)
    lower, upper = np.array([b[0] for b in box]), np.array([b[1] for b in box])
    start = np.clip((init or GPHyperparameters.default(d)).to_vector(), lower, upper)
    rs = random_state if random_state is not None else np.random.RandomState(0)
    starts = [start] + [rs.uniform(lower, upper) for _ in range(num_restarts - 1)]
    value_and_grad = autograd.value_and_grad(lambda t: negative_log_marginal_likelihood(t, X, y))

    def objective(t):
        try:
            value, grad = value_and_grad(t)
        except np.linalg.LinAlgError:
            return 1e10, np.zeros_like(t)
        value = float(value)
        if not np.isfinite(value) or not np.all(np.isfinite(grad)):
            return 1e10, np.zeros_like(t)
        return value, np.asarray(grad, dtype=float)

    best_theta, best_value = start, objective(start)[0]
    for x0 in starts:
        res = minimize(objective, x0, jac=True, method="L-BFGS-B", bounds=box, options={"maxiter": maxiter})
        if np.isfinite(res.fun) and res.fun < best_value:
            best_theta, best_value = res.x, float(res.fun)
    return GPHyperparameters.from_vector(best_theta)


def _cholesky_with_jitter(K: np.ndarray, scale: float) -> np.ndarray:
    jitter = INITIAL_JITTER
    eye = np.eye(len(K))
    while True:
        try:
            return np.linalg.cholesky(K + jitter * scale * eye)
        except np.linalg.LinAlgError:
            jitter *= 10.0
            if jitter > MAX_JITTER:
                raise


class GaussianProcess:
    """GP posterior for data ``(X, y)`` under fixed hyperparameters.

    Parameters
    ----------
    X
        Inputs, shape ``(n, d)``.
    y
        Targets, shape ``(n,)``, in their original scale: they are normalized
        internally (``normalize=True``) and predictions are mapped back.
    hyperparameters
        Kernel/noise/mean parameters in the normalized scale.
    normalize
        Whether to standardize ``y``.
    """

    def __init__(self, X: np.ndarray, y: np.ndarray, hyperparameters: GPHyperparameters, normalize: bool = True):
        from scipy.linalg import solve_triangular

        X = np.atleast_2d(np.asarray(X, dtype=float))
        y = np.asarray(y, dtype=float).reshape(-1)
        if X.shape[0] != y.shape[0] or X.shape[0] == 0:
            raise ValueError(f"X and y must have the same, non-zero number of rows, got {X.shape[0]} and {y.shape[0]}")
        if X.shape[1] != len(hyperparameters.log_lengthscales):
            raise ValueError("hyperparameters.log_lengthscales must have one entry per column of X")
        self.X, self.hp = X, hyperparameters
        self.y_mean, self.y_std = normalization(y) if normalize else (0.0, 1.0)
        yn = (y - self.y_mean) / self.y_std
        s2 = float(np.exp(hyperparameters.log_signal_variance))
        K = matern52(X, X, hyperparameters.log_lengthscales, hyperparameters.log_signal_variance)
        K[np.diag_indices_from(K)] += float(np.exp(hyperparameters.log_noise_variance))
        self._L = _cholesky_with_jitter(K, s2)
        self._alpha = solve_triangular(self._L.T, solve_triangular(self._L, yn - hyperparameters.mean, lower=True), lower=False)
        self._s2 = s2
        self._solve = solve_triangular

    def predict(self, Xq: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Posterior mean and standard deviation of ``f`` (noise-free) at the
        rows of ``Xq``, in the original target scale."""
        Xq = np.atleast_2d(np.asarray(Xq, dtype=float))
        Ks = matern52(Xq, self.X, self.hp.log_lengthscales, self.hp.log_signal_variance)
        mean = self.hp.mean + Ks @ self._alpha
        V = self._solve(self._L, Ks.T, lower=True, check_finite=False)
        var = np.maximum(self._s2 - np.sum(V * V, axis=0), 1e-12)
        return mean * self.y_std + self.y_mean, np.sqrt(var) * self.y_std


def normalization(y: np.ndarray) -> tuple[float, float]:
    """Mean and standard deviation used to standardize ``y`` (std 1 if constant)."""
    mean = float(np.mean(y))
    std = float(np.std(y))
    return mean, (std if std > 1e-12 else 1.0)
