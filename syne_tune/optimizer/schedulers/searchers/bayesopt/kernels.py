"""Covariance functions (kernels) of the Gaussian-process surrogate models.

A kernel maps a flat parameter vector ``theta`` of *unconstrained* values
(logarithms of positive parameters, the logit of parameters in ``[0, 1]``)
and two input matrices to a covariance matrix. All methods take ``np_mod``,
``numpy`` or ``autograd.numpy``, so that the log marginal likelihood of
:mod:`.gp` can be differentiated with respect to ``theta``. Every kernel
also has a weak prior on its parameters (:meth:`Kernel.log_prior`), an
L-BFGS-B box (:meth:`Kernel.bounds`) and a prior-mean hook
(:meth:`Kernel.mean_function`), which is the constant ``c`` of the GP for
all kernels except :class:`ExponentialDecayResourceKernel`.

Kernels (``N(m, s)`` is a Gaussian prior with mean ``m`` and standard
deviation ``s`` on the unconstrained value):

:class:`Matern52ARD` (``d`` input columns), ``theta = [log l_1..l_d, log s2]``::

    k(x, x') = s2 * (1 + sqrt(5) r + 5/3 r^2) exp(-sqrt(5) r),
    r^2 = sum_j (x_j - x'_j)^2 / l_j^2,
    l_j in [1e-2, 1e2], s2 in [1e-2, 1e2],
    log l_j ~ N(log 0.5, 1.5), log s2 ~ N(0, 1.5).

(Under autograd this is one primitive with closed-form derivatives with
respect to ``theta`` and both inputs, so ``r = 0`` needs no special care;
only first derivatives are available.)

:class:`ExponentialDecayResourceKernel` (``d + 1`` input columns ``[x, r]``,
``r >= 0`` the resource, normalized to ``(0, 1]`` by the caller): the
learning-curve kernel of MOBSTER's ``gp_expdecay`` model (Tiao et al. 2020,
"Model-based asynchronous hyperparameter optimization"), which centres the
freeze-thaw kernel of Swersky et al. (2014). Curves are modelled as
``f(x, r) = f(x) (1 - delta exp(-lambda r)) + gamma exp(-lambda r)``,
``f ~ GP(c, k_x)`` independent of ``lambda ~ Gamma`` (shape ``alpha``, rate
``beta``, mean ``mean_lam = alpha / beta``), so that
``E[exp(-lambda r)] = kappa(r)`` and
``Cov[exp(-lambda r), exp(-lambda r')] = kappa(r + r') - kappa(r) kappa(r')``
with::

    kappa(r) = (beta / (r + beta))^alpha,   beta = alpha / mean_lam

(``beta^alpha / (r + r' + beta)^alpha`` is the freeze-thaw kernel). With the
Matern 5/2 ARD kernel ``k_x`` on ``x``, the constant GP mean ``c`` and
``delta in [0, 1]``::

    k((x, r), (x', r')) = k_x(x, x') [1 - delta (kappa(r) + kappa(r') - delta kappa(r + r'))]
                          + p^2 [kappa(r + r') - kappa(r) kappa(r')],
    p = gamma - delta c,
    mean(x, r) = c + kappa(r) p,

``theta = [theta_x (d + 1 values), log alpha, log mean_lam, log gamma]``,
plus ``logit delta`` at the end if ``delta`` is learned (``delta=None``);
otherwise ``delta`` is fixed (default ``0``: the additive freeze-thaw
kernel ``k_x + gamma^2 [kappa(r + r') - kappa(r) kappa(r')]``, Syne Tune's
default ``"exp-decay-sum"``; ``1`` is ``"exp-decay-delta1"``). Bounds
``alpha in [1e-6, 250]``, ``mean_lam in [1e-4, 50]``,
``gamma in [1e-4, 1] * max_metric_value``, ``logit delta in [-7, 7]``;
priors ``log alpha ~ N(0, 2)``, ``log mean_lam ~ N(log 0.5, 2)``,
``log gamma ~ N(log 0.5, 2)``, ``logit delta ~ N(0, 2)``. Initial values
``alpha = 1``, ``mean_lam = 0.5``, ``gamma = 0.5``, ``delta = 0.5``.
The matrix ``kappa(r + r') - kappa(r) kappa(r')`` is an autograd primitive
with closed-form first derivatives (in ``log alpha``, ``log mean_lam`` and
the resources).

:class:`WarpedKernel` (input warping, Snoek et al. 2014): every warped
column ``u in [0, 1]`` is replaced by the Kumaraswamy CDF::

    w(u) = 1 - (1 - u^a)^b,   u clipped to [1e-6, 1 - 1e-6],

before the base kernel is applied; ``theta = [theta_base, log a_1, log b_1,
..., log a_k, log b_k]`` in the order of ``warped_columns``, with
``a, b in [0.1, 10]`` and ``log a, log b ~ N(0, 1)`` (centred at the
identity ``a = b = 1``).
"""

from __future__ import annotations

import abc
from typing import Any, Sequence

import numpy as np

__all__ = [
    "Kernel",
    "Matern52ARD",
    "ExponentialDecayResourceKernel",
    "WarpedKernel",
]

SQRT5 = float(np.sqrt(5.0))
_LOG_2PI = float(np.log(2.0 * np.pi))

LOG_LENGTHSCALE_BOUNDS = (float(np.log(1e-2)), float(np.log(1e2)))
LOG_SIGNAL_BOUNDS = (float(np.log(1e-2)), float(np.log(1e2)))
PRIOR_LOG_LENGTHSCALE = (float(np.log(0.5)), 1.5)
PRIOR_LOG_SIGNAL = (0.0, 1.5)

LOG_ALPHA_BOUNDS = (float(np.log(1e-6)), float(np.log(250.0)))
LOG_MEAN_LAM_BOUNDS = (float(np.log(1e-4)), float(np.log(50.0)))
GAMMA_RANGE = (1e-4, 1.0)  # times max_metric_value
LOGIT_DELTA_BOUNDS = (-7.0, 7.0)
PRIOR_LOG_ALPHA = (0.0, 2.0)
PRIOR_LOG_MEAN_LAM = (float(np.log(0.5)), 2.0)
PRIOR_LOG_GAMMA = (float(np.log(0.5)), 2.0)
PRIOR_LOGIT_DELTA = (0.0, 2.0)

LOG_WARPING_BOUNDS = (float(np.log(0.1)), float(np.log(10.0)))
PRIOR_LOG_WARPING = (0.0, 1.0)
WARPING_EPS = 1e-6


def _gaussian_log_density(values, centre, scale, np_mod=np):
    """Sum of ``log N(v_i | centre_i, scale_i^2)`` over the entries of
    ``values`` (``centre``, ``scale`` scalars or arrays of the same length)."""
    centre = np.asarray(centre, dtype=float)
    scale = np.asarray(scale, dtype=float)
    z = (values - centre) / scale
    const = np.sum(np.broadcast_to(np.log(scale) + 0.5 * _LOG_2PI, np.shape(values)))
    return -0.5 * np_mod.sum(z * z) - float(const)


def _as_theta(theta, num: int, name: str):
    shape = np.shape(theta)
    if shape != (num,):
        raise ValueError(f"{name} expects theta of shape ({num},), got {shape}")
    return theta


def _matern52_parts(theta, X1, X2):
    """Scaled inputs ``A, B`` and ``u = sqrt(5) r`` of the Matern 5/2 kernel."""
    d = X1.shape[1]
    inv_ls = np.exp(-theta[:d])
    A = X1 * inv_ls
    B = A if X2 is X1 else X2 * inv_ls
    u = np.dot(A, B.T)
    u *= -2.0
    u += np.einsum("ij,ij->i", A, A)[:, None]
    u += np.einsum("ij,ij->i", B, B)[None, :]
    np.maximum(u, 0.0, out=u)
    u *= 5.0
    np.sqrt(u, out=u)
    return A, B, inv_ls, u


def _matern52_numpy(theta, X1, X2, keep_parts: bool = False):
    """Matern 5/2 ARD kernel matrix, numpy, in place (``r = 0`` is exact);
    with ``keep_parts`` also ``(A, B, inv_ls, u, e^{-u})``."""
    X1 = np.asarray(X1, dtype=float)
    X2 = X1 if X2 is X1 else np.asarray(X2, dtype=float)
    parts = _matern52_parts(theta, X1, X2)
    u = parts[3]
    e = np.negative(u)
    np.exp(e, out=e)
    # (1 + u + u^2 / 3) e^{-u}
    K = u * (1.0 / 3.0)
    K += 1.0
    K *= u
    K += 1.0
    K *= e
    K *= np.exp(theta[X1.shape[1]])
    if keep_parts:
        return K, parts + (e,)
    return K


#: Intermediate results of the last autograd forward pass, ``(K, parts)``,
#: reused by its vector-Jacobian products (identified by ``K``; replaced
#: atomically, so concurrent threads at worst recompute).
_MATERN52_LAST: tuple | None = None


def _matern52_weights(g, ans, theta, X1, X2):
    """``W = g * s2 * 5/3 (1 + u) e^{-u}`` (so that ``dk/d(r^2) = -W / (2 g)``)
    with the scaled inputs; shared by the vector-Jacobian products."""
    last = _MATERN52_LAST
    if last is not None and last[0] is ans:
        A, B, inv_ls, u, e = last[1]
    else:
        A, B, inv_ls, u = _matern52_parts(theta, X1, X2)
        e = np.exp(-u)
    W = u + 1.0
    W *= e
    W *= (5.0 / 3.0) * np.exp(theta[X1.shape[1]])
    W *= g
    return A, B, inv_ls, W


_MATERN52_PRIMITIVE = None


def _matern52_autograd():
    """The Matern 5/2 ARD kernel matrix as an autograd primitive of
    ``(theta, X1, X2)`` with closed-form vector-Jacobian products::

        dk/d log l_j = s2 * 5/3 (1 + u) e^{-u} (x_j - x'_j)^2 / l_j^2,   dk/d log s2 = k,
        dk/dx_j = -s2 * 5/3 (1 + u) e^{-u} (x_j - x'_j) / l_j^2,   u = sqrt(5) r.

    (First derivatives only.)"""
    global _MATERN52_PRIMITIVE
    if _MATERN52_PRIMITIVE is not None:
        return _MATERN52_PRIMITIVE
    from autograd.extend import defvjp, primitive

    @primitive
    def matern52_matrix(theta, X1, X2):
        global _MATERN52_LAST
        K, parts = _matern52_numpy(theta, X1, X2, keep_parts=True)
        _MATERN52_LAST = (K, parts)
        return K

    def vjp_theta(ans, theta, X1, X2):
        def vjp(g):
            A, B, _, W = _matern52_weights(g, ans, theta, X1, X2)
            rows, cols = W.sum(axis=1), W.sum(axis=0)
            grad_ls = (A * A).T @ rows + (B * B).T @ cols - 2.0 * np.einsum("ij,ij->j", A, W @ B)
            return np.concatenate([grad_ls, [np.sum(g * ans)]])

        return vjp

    def vjp_x1(ans, theta, X1, X2):
        def vjp(g):
            A, B, inv_ls, W = _matern52_weights(g, ans, theta, X1, X2)
            return -inv_ls * (A * W.sum(axis=1)[:, None] - W @ B)

        return vjp

    def vjp_x2(ans, theta, X1, X2):
        def vjp(g):
            A, B, inv_ls, W = _matern52_weights(g, ans, theta, X1, X2)
            return -inv_ls * (B * W.sum(axis=0)[:, None] - W.T @ A)

        return vjp

    defvjp(matern52_matrix, vjp_theta, vjp_x1, vjp_x2)
    _MATERN52_PRIMITIVE = matern52_matrix
    return matern52_matrix


def _decay_parts(phi, r1, r2):
    """``alpha``, ``1 / beta`` and, for ``kappa(r)`` at ``r1``, ``r2`` and the
    sums ``r1 + r2``, the tuples ``(kappa, z = r / beta, log1p(z))``."""
    alpha = float(np.exp(phi[0]))
    inv_beta = float(np.exp(phi[1] - phi[0]))  # mean_lam / alpha

    def kappa(r):
        z = r * inv_beta
        lz = np.log1p(z)
        return np.exp(-alpha * lz), z, lz

    return alpha, inv_beta, kappa(r1), kappa(r2), kappa(r1[:, None] + r2[None, :])


def _decay_cov_numpy(phi, r1, r2, keep_parts: bool = False):
    """``C = kappa(r1 + r2') - kappa(r1) kappa(r2')``, shape ``(n1, n2)``."""
    parts = _decay_parts(np.asarray(phi, dtype=float), np.asarray(r1, dtype=float), np.asarray(r2, dtype=float))
    k1, k2, ks = parts[2][0], parts[3][0], parts[4][0]
    C = ks - k1[:, None] * k2[None, :]
    return (C, parts) if keep_parts else C


_DECAY_LAST: tuple | None = None
_DECAY_PRIMITIVE = None


def clear_caches() -> None:
    """Drop the intermediate results kept from the last autograd forward
    passes of the Matern and decay primitives (they only save recomputation
    in the reverse pass that follows)."""
    global _MATERN52_LAST, _DECAY_LAST
    _MATERN52_LAST = None
    _DECAY_LAST = None


def _decay_cov_autograd():
    """:func:`_decay_cov_numpy` as an autograd primitive of ``(phi, r1, r2)``,
    ``phi = [log alpha, log mean_lam]``, with closed-form vector-Jacobian
    products (``z = r / beta``, ``q = z / (1 + z)``)::

        d kappa / d log alpha = kappa alpha (q - log1p(z)),
        d kappa / d log mean_lam = -kappa alpha q,
        d kappa / d r = -kappa alpha / (beta + r).
    """
    global _DECAY_PRIMITIVE
    if _DECAY_PRIMITIVE is not None:
        return _DECAY_PRIMITIVE
    from autograd.extend import defvjp, primitive

    @primitive
    def decay_cov(phi, r1, r2):
        global _DECAY_LAST
        C, parts = _decay_cov_numpy(phi, r1, r2, keep_parts=True)
        _DECAY_LAST = (C, parts)
        return C

    def _parts(ans, phi, r1, r2):
        last = _DECAY_LAST
        if last is not None and last[0] is ans:
            return last[1]
        return _decay_parts(np.asarray(phi, dtype=float), np.asarray(r1, dtype=float), np.asarray(r2, dtype=float))

    def _derivatives(alpha, kappa_z_l):
        k, z, lz = kappa_z_l
        q = z / (1.0 + z)
        return alpha * k * (q - lz), -alpha * k * q

    def vjp_phi(ans, phi, r1, r2):
        def vjp(g):
            alpha, _, p1, p2, ps = _parts(ans, phi, r1, r2)
            k1, k2 = p1[0], p2[0]
            d1 = _derivatives(alpha, p1)
            d2 = _derivatives(alpha, p2)
            ds = _derivatives(alpha, ps)
            g_k2, gT_k1 = g @ k2, g.T @ k1
            return np.array([np.sum(g * ds[i]) - d1[i] @ g_k2 - gT_k1 @ d2[i] for i in range(2)])

        return vjp

    def _dkappa_dr(alpha, inv_beta, kappa_z_l):
        k, z, _ = kappa_z_l
        return -alpha * inv_beta * k / (1.0 + z)

    def vjp_r1(ans, phi, r1, r2):
        def vjp(g):
            alpha, inv_beta, p1, p2, ps = _parts(ans, phi, r1, r2)
            return np.sum(g * _dkappa_dr(alpha, inv_beta, ps), axis=1) - _dkappa_dr(alpha, inv_beta, p1) * (g @ p2[0])

        return vjp

    def vjp_r2(ans, phi, r1, r2):
        def vjp(g):
            alpha, inv_beta, p1, p2, ps = _parts(ans, phi, r1, r2)
            return np.sum(g * _dkappa_dr(alpha, inv_beta, ps), axis=0) - _dkappa_dr(alpha, inv_beta, p2) * (g.T @ p1[0])

        return vjp

    defvjp(decay_cov, vjp_phi, vjp_r1, vjp_r2)
    _DECAY_PRIMITIVE = decay_cov
    return decay_cov


class Kernel(abc.ABC):
    """Covariance function with parameters in one flat unconstrained vector.

    Attributes
    ----------
    num_parameters
        Length of ``theta``.
    dimension
        Number of input columns the kernel reads.
    """

    num_parameters: int
    dimension: int
    #: Whether :meth:`mean_function` depends on the inputs (not just the constant).
    mean_depends_on_inputs: bool = False

    @abc.abstractmethod
    def bounds(self) -> list[tuple[float, float]]:
        """L-BFGS-B box constraints for ``theta``, one ``(low, high)`` per entry."""

    @abc.abstractmethod
    def default_theta(self) -> np.ndarray:
        """Starting values of ``theta`` (inside :meth:`bounds`)."""

    @abc.abstractmethod
    def log_prior(self, theta, np_mod=np):
        """Log density of the prior of ``theta`` (a scalar)."""

    @abc.abstractmethod
    def __call__(self, theta, X1, X2, np_mod=np, *, mean=0.0):
        """Kernel matrix between the rows of ``X1`` and ``X2``.

        Parameters
        ----------
        theta
            Parameter vector, shape ``(num_parameters,)``.
        X1, X2
            Inputs, shapes ``(n1, dimension)`` and ``(n2, dimension)``.
        np_mod
            ``numpy`` or ``autograd.numpy``.
        mean
            Constant mean ``c`` of the GP; only kernels whose covariance
            depends on it (:class:`ExponentialDecayResourceKernel` with
            ``delta != 0``) use it.

        Returns
        -------
        array
            Shape ``(n1, n2)``.
        """

    @abc.abstractmethod
    def diag(self, theta, X, np_mod=np, *, mean=0.0):
        """Diagonal of ``self(theta, X, X)``, shape ``(n,)``."""

    @abc.abstractmethod
    def describe(self, theta) -> dict[str, Any]:
        """Human-readable (constrained) parameter values."""

    def mean_function(self, theta, X, mean=0.0, np_mod=np):
        """Prior mean of the GP at the rows of ``X``, shape ``(n,)``, given its
        constant ``mean``; the constant itself unless the kernel says otherwise."""
        return mean + np_mod.zeros(X.shape[0])

    def _check(self, X, name: str = "X"):
        if X.ndim != 2 or X.shape[1] != self.dimension:
            raise ValueError(f"{type(self).__name__} expects {name} with {self.dimension} columns, got shape {X.shape}")


class Matern52ARD(Kernel):
    """Signal variance times a Matern 5/2 kernel with one lengthscale per
    input column (formula in the module docstring).

    Parameters
    ----------
    dimension
        Number of input columns ``d >= 1``.

    Raises
    ------
    ValueError
        If ``dimension < 1``.
    """

    def __init__(self, dimension: int):
        if int(dimension) != dimension or dimension < 1:
            raise ValueError(f"dimension must be a positive integer, got {dimension}")
        self.dimension = int(dimension)
        self.num_parameters = self.dimension + 1
        self._prior_centre = np.array([PRIOR_LOG_LENGTHSCALE[0]] * self.dimension + [PRIOR_LOG_SIGNAL[0]])
        self._prior_scale = np.array([PRIOR_LOG_LENGTHSCALE[1]] * self.dimension + [PRIOR_LOG_SIGNAL[1]])

    def __repr__(self) -> str:
        return f"Matern52ARD(dimension={self.dimension})"

    def bounds(self) -> list[tuple[float, float]]:
        return [LOG_LENGTHSCALE_BOUNDS] * self.dimension + [LOG_SIGNAL_BOUNDS]

    def default_theta(self) -> np.ndarray:
        return np.concatenate([np.full(self.dimension, PRIOR_LOG_LENGTHSCALE[0]), [PRIOR_LOG_SIGNAL[0]]])

    def log_prior(self, theta, np_mod=np):
        _as_theta(theta, self.num_parameters, "Matern52ARD")
        return _gaussian_log_density(theta, self._prior_centre, self._prior_scale, np_mod=np_mod)

    def __call__(self, theta, X1, X2, np_mod=np, *, mean=0.0):
        _as_theta(theta, self.num_parameters, "Matern52ARD")
        if np_mod is np:
            return _matern52_numpy(np.asarray(theta, dtype=float), X1, X2)
        return _matern52_autograd()(theta, X1, X2)

    def diag(self, theta, X, np_mod=np, *, mean=0.0):
        _as_theta(theta, self.num_parameters, "Matern52ARD")
        return np_mod.exp(theta[self.dimension]) * np_mod.ones(X.shape[0])

    def describe(self, theta) -> dict[str, Any]:
        theta = np.asarray(theta, dtype=float)
        return {
            "lengthscales": np.exp(theta[: self.dimension]).tolist(),
            "signal_variance": float(np.exp(theta[self.dimension])),
        }


class ExponentialDecayResourceKernel(Kernel):
    """Exponential-decay learning-curve kernel over inputs ``[x, r]`` (MOBSTER's
    ``gp_expdecay`` model; formula in the module docstring).

    Parameters
    ----------
    dimension
        Number of configuration columns ``d`` (the input has ``d + 1``
        columns, the resource last).
    delta
        Fixed value of ``delta`` in ``[0, 1]`` (default ``0``, the additive
        freeze-thaw kernel), or ``None`` to learn it.
    max_metric_value
        Scale of the upper bound of ``gamma`` (targets are normalized).
    kernel_x
        Kernel on the configuration columns; default ``Matern52ARD(dimension)``.

    Raises
    ------
    ValueError
        If ``dimension < 1``, ``delta`` is outside ``[0, 1]``,
        ``max_metric_value <= 0`` or ``kernel_x`` has another dimension.
    """

    def __init__(
        self,
        dimension: int,
        *,
        delta: float | None = 0.0,
        max_metric_value: float = 1.0,
        kernel_x: Kernel | None = None,
    ):
        if int(dimension) != dimension or dimension < 1:
            raise ValueError(f"dimension must be a positive integer, got {dimension}")
        if delta is not None and not 0.0 <= delta <= 1.0:
            raise ValueError(f"delta must lie in [0, 1] or be None, got {delta}")
        if not max_metric_value > 0:
            raise ValueError(f"max_metric_value must be positive, got {max_metric_value}")
        self.kernel_x = kernel_x if kernel_x is not None else Matern52ARD(dimension)
        if self.kernel_x.dimension != dimension:
            raise ValueError(f"kernel_x has dimension {self.kernel_x.dimension}, expected {dimension}")
        self.config_dimension = int(dimension)
        self.dimension = self.config_dimension + 1
        self.delta = None if delta is None else float(delta)
        self.max_metric_value = float(max_metric_value)
        self._nx = self.kernel_x.num_parameters
        self.num_parameters = self._nx + 3 + (1 if self.delta is None else 0)
        self.mean_depends_on_inputs = True

    def __repr__(self) -> str:
        return (
            f"ExponentialDecayResourceKernel(dimension={self.config_dimension}, delta={self.delta}, "
            f"max_metric_value={self.max_metric_value}, kernel_x={self.kernel_x!r})"
        )

    def bounds(self) -> list[tuple[float, float]]:
        gamma = (
            float(np.log(GAMMA_RANGE[0] * self.max_metric_value)),
            float(np.log(GAMMA_RANGE[1] * self.max_metric_value)),
        )
        box = list(self.kernel_x.bounds()) + [LOG_ALPHA_BOUNDS, LOG_MEAN_LAM_BOUNDS, gamma]
        if self.delta is None:
            box.append(LOGIT_DELTA_BOUNDS)
        return box

    def default_theta(self) -> np.ndarray:
        lo, hi = self.bounds()[self._nx + 2]
        log_gamma = float(np.clip(np.log(0.5), lo, hi))
        extra = [0.0, float(np.log(0.5)), log_gamma] + ([0.0] if self.delta is None else [])
        return np.concatenate([self.kernel_x.default_theta(), extra])

    def log_prior(self, theta, np_mod=np):
        _as_theta(theta, self.num_parameters, "ExponentialDecayResourceKernel")
        nx = self._nx
        priors = [PRIOR_LOG_ALPHA, PRIOR_LOG_MEAN_LAM, PRIOR_LOG_GAMMA] + ([PRIOR_LOGIT_DELTA] if self.delta is None else [])
        centre, scale = np.array(priors).T
        return self.kernel_x.log_prior(theta[:nx], np_mod) + _gaussian_log_density(theta[nx:], centre, scale, np_mod=np_mod)

    def _params(self, theta, np_mod):
        _as_theta(theta, self.num_parameters, "ExponentialDecayResourceKernel")
        nx = self._nx
        alpha = np_mod.exp(theta[nx])
        log_beta = theta[nx] - theta[nx + 1]  # beta = alpha / mean_lam
        gamma = np_mod.exp(theta[nx + 2])
        delta = 1.0 / (1.0 + np_mod.exp(-theta[nx + 3])) if self.delta is None else self.delta
        return theta[:nx], alpha, log_beta, gamma, delta

    @staticmethod
    def _kappa(r, alpha, log_beta, np_mod):
        # (beta / (r + beta))^alpha = exp(-alpha * log(1 + r / beta))
        return np_mod.exp(-alpha * np_mod.log1p(r * np_mod.exp(-log_beta)))

    def __call__(self, theta, X1, X2, np_mod=np, *, mean=0.0):
        theta_x, alpha, log_beta, gamma, delta = self._params(theta, np_mod)
        d = self.config_dimension
        r1, r2 = X1[:, d], X2[:, d]
        kx = self.kernel_x(theta_x, X1[:, :d], X2[:, :d], np_mod)
        phi = theta[self._nx : self._nx + 2]
        if np_mod is np:
            C = _decay_cov_numpy(phi, r1, r2)
        else:
            C = _decay_cov_autograd()(phi, r1, r2)
        pref = gamma - delta * mean
        K = kx + (pref * pref) * C
        if self.delta is None or self.delta != 0.0:
            k1 = self._kappa(r1, alpha, log_beta, np_mod)[:, None]
            k2 = self._kappa(r2, alpha, log_beta, np_mod)[None, :]
            k12 = C + k1 * k2
            K = K - kx * (delta * (k1 + k2 - delta * k12))
        return K

    def diag(self, theta, X, np_mod=np, *, mean=0.0):
        theta_x, alpha, log_beta, gamma, delta = self._params(theta, np_mod)
        d = self.config_dimension
        r = X[:, d]
        kx = self.kernel_x.diag(theta_x, X[:, :d], np_mod)
        k1 = self._kappa(r, alpha, log_beta, np_mod)
        k2 = self._kappa(2.0 * r, alpha, log_beta, np_mod)
        pref = gamma - delta * mean
        kres = pref * pref * (k2 - k1 * k1)
        if self.delta is None or self.delta != 0.0:
            kx = kx * (1.0 - delta * (2.0 * k1 - delta * k2))
        return kx + kres

    def mean_function(self, theta, X, mean=0.0, np_mod=np):
        _, alpha, log_beta, gamma, delta = self._params(theta, np_mod)
        kappa = self._kappa(X[:, self.config_dimension], alpha, log_beta, np_mod)
        return mean + kappa * (gamma - delta * mean)

    def describe(self, theta) -> dict[str, Any]:
        theta = np.asarray(theta, dtype=float)
        _, alpha, log_beta, gamma, delta = self._params(theta, np)
        result = dict(self.kernel_x.describe(theta[: self._nx]))
        result.update(
            {
                "alpha": float(alpha),
                "mean_lam": float(np.exp(theta[self._nx + 1])),
                "gamma": float(gamma),
                "delta": float(delta),
            }
        )
        return result


class WarpedKernel(Kernel):
    """Base kernel applied after Kumaraswamy-CDF warping of some input columns
    (formula in the module docstring).

    Parameters
    ----------
    base
        Kernel applied to the warped inputs.
    warped_columns
        Indices of the columns (values in ``[0, 1]``) to warp; distinct,
        within ``range(base.dimension)``.

    Raises
    ------
    ValueError
        If a column index is repeated or out of range.
    """

    def __init__(self, base: Kernel, warped_columns: Sequence[int]):
        cols = [int(c) for c in warped_columns]
        if len(set(cols)) != len(cols) or any(c < 0 or c >= base.dimension for c in cols):
            raise ValueError(f"warped_columns must be distinct indices in [0, {base.dimension}), got {list(warped_columns)}")
        self.base = base
        self.warped_columns = tuple(cols)
        self.dimension = base.dimension
        self.mean_depends_on_inputs = base.mean_depends_on_inputs
        self._nb = base.num_parameters
        self.num_parameters = self._nb + 2 * len(cols)

    def __repr__(self) -> str:
        return f"WarpedKernel(base={self.base!r}, warped_columns={list(self.warped_columns)})"

    def bounds(self) -> list[tuple[float, float]]:
        return list(self.base.bounds()) + [LOG_WARPING_BOUNDS] * (2 * len(self.warped_columns))

    def default_theta(self) -> np.ndarray:
        return np.concatenate([self.base.default_theta(), np.zeros(2 * len(self.warped_columns))])

    def log_prior(self, theta, np_mod=np):
        _as_theta(theta, self.num_parameters, "WarpedKernel")
        lp = self.base.log_prior(theta[: self._nb], np_mod)
        if self.warped_columns:
            lp = lp + _gaussian_log_density(theta[self._nb :], *PRIOR_LOG_WARPING, np_mod=np_mod)
        return lp

    def warp(self, theta, X, np_mod=np):
        """The inputs ``X`` with the warped columns replaced by ``w(u)``."""
        _as_theta(theta, self.num_parameters, "WarpedKernel")
        if not self.warped_columns:
            return X
        cols = list(self.warped_columns)
        a = np_mod.exp(theta[self._nb :: 2])
        b = np_mod.exp(theta[self._nb + 1 :: 2])
        U = X[:, cols]
        if not hasattr(U, "_value"):  # constant inputs: clip outside autograd
            U = np.clip(U, WARPING_EPS, 1.0 - WARPING_EPS)
        else:
            U = np_mod.clip(U, WARPING_EPS, 1.0 - WARPING_EPS)
        W = 1.0 - (1.0 - U**a) ** b
        if len(cols) == X.shape[1]:
            return W[:, np.argsort(cols)] if cols != sorted(cols) else W
        others = [j for j in range(X.shape[1]) if j not in self.warped_columns]
        order = np.argsort(cols + others)
        return np_mod.concatenate([W, X[:, others]], axis=1)[:, order]

    def __call__(self, theta, X1, X2, np_mod=np, *, mean=0.0):
        W1 = self.warp(theta, X1, np_mod)
        W2 = W1 if X2 is X1 else self.warp(theta, X2, np_mod)
        return self.base(theta[: self._nb], W1, W2, np_mod, mean=mean)

    def diag(self, theta, X, np_mod=np, *, mean=0.0):
        return self.base.diag(theta[: self._nb], self.warp(theta, X, np_mod), np_mod, mean=mean)

    def mean_function(self, theta, X, mean=0.0, np_mod=np):
        if not self.base.mean_depends_on_inputs:
            return mean + np_mod.zeros(X.shape[0])
        return self.base.mean_function(theta[: self._nb], self.warp(theta, X, np_mod), mean, np_mod)

    def describe(self, theta) -> dict[str, Any]:
        theta = np.asarray(theta, dtype=float)
        result = dict(self.base.describe(theta[: self._nb]))
        w = np.exp(theta[self._nb :]).reshape(-1, 2)
        result["warping"] = {c: {"a": float(w[i, 0]), "b": float(w[i, 1])} for i, c in enumerate(self.warped_columns)}
        return result
