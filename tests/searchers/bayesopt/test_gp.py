"""Gaussian-process math layer (:mod:`...bayesopt.gp`, :mod:`...bayesopt.kernels`)
against plain numpy references."""

import math

import numpy as np
import pytest

pytest.importorskip("autograd")
pytest.importorskip("scipy")

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from syne_tune.optimizer.schedulers.searchers.bayesopt.gp import (  # noqa: E402
    GaussianProcess,
    GPHyperparameters,
    fit_hyperparameters,
    negative_log_marginal_likelihood,
    nll_value_and_grad,
    normalization,
)
from syne_tune.optimizer.schedulers.searchers.bayesopt.kernels import (  # noqa: E402
    ExponentialDecayResourceKernel,
    Matern52ARD,
    WarpedKernel,
)


# -- numpy references ---------------------------------------------------------
def matern_ref(X1, X2, lengthscales, s2):
    """Matern 5/2 ARD, entry by entry."""
    K = np.empty((len(X1), len(X2)))
    for a, x in enumerate(X1):
        for b, z in enumerate(X2):
            r = math.sqrt(sum(((x[j] - z[j]) / lengthscales[j]) ** 2 for j in range(len(x))))
            K[a, b] = s2 * (1 + math.sqrt(5) * r + 5 / 3 * r * r) * math.exp(-math.sqrt(5) * r)
    return K


def expdecay_ref(X1, X2, lengthscales, s2, alpha, mean_lam, gamma, delta, c):
    """The exponential-decay kernel and mean of the module docstring."""
    beta = alpha / mean_lam

    def kappa(r):
        return (beta / (r + beta)) ** alpha

    d = len(lengthscales)
    kx = matern_ref(X1[:, :d], X2[:, :d], lengthscales, s2)
    r1, r2 = X1[:, d][:, None], X2[:, d][None, :]
    p = gamma - delta * c
    K = kx * (1 - delta * (kappa(r1) + kappa(r2) - delta * kappa(r1 + r2))) + p * p * (
        kappa(r1 + r2) - kappa(r1) * kappa(r2)
    )
    return K, c + kappa(X1[:, d]) * p


def kumaraswamy(u, a, b):
    u = np.clip(u, 1e-6, 1 - 1e-6)
    return 1 - (1 - u**a) ** b


def posterior_ref(K, Ks, Kss, noise, y, prior_mean, prior_mean_q):
    """Closed form with an explicit inverse."""
    inv = np.linalg.inv(K + noise * np.eye(len(K)))
    mean = prior_mean_q + Ks @ inv @ (y - prior_mean)
    cov = Kss - Ks @ inv @ Ks.T
    return mean, cov


def _data(n=5, d=2, seed=0):
    rs = np.random.RandomState(seed)
    X = rs.rand(n, d)
    return X, np.sin(4 * X[:, 0]) + X[:, 1] ** 2 + 0.3 * rs.randn(n)


# -- 1. posterior against the closed form --------------------------------------
@pytest.mark.parametrize("normalize", [False, True])
def test_posterior_matches_closed_form(normalize):
    X, y = _data(5, 2)
    Xq = np.random.RandomState(1).rand(4, 2)
    ls, s2, noise, c = np.array([0.4, 0.9]), 1.7, 0.01, 0.2
    hp = GPHyperparameters(np.log(ls), math.log(s2), math.log(noise), c)
    gp = GaussianProcess(X, y, hp, normalize=normalize)
    mu, sd = normalization(y) if normalize else (0.0, 1.0)
    mean_ref, cov_ref = posterior_ref(
        matern_ref(X, X, ls, s2), matern_ref(Xq, X, ls, s2), matern_ref(Xq, Xq, ls, s2), noise, (y - mu) / sd, c, c
    )
    mean, std = gp.predict(Xq)
    assert mean.shape == (4,) and std.shape == (4,)
    np.testing.assert_allclose(mean, mean_ref * sd + mu, rtol=1e-7, atol=1e-8)
    np.testing.assert_allclose(std, np.sqrt(np.diag(cov_ref)) * sd, rtol=1e-6)
    # log marginal likelihood of the normalized targets
    Kn = matern_ref(X, X, ls, s2) + noise * np.eye(5)
    r = (y - mu) / sd - c
    lml = -0.5 * r @ np.linalg.solve(Kn, r) - 0.5 * np.linalg.slogdet(Kn)[1] - 2.5 * math.log(2 * math.pi)
    assert gp.log_marginal_likelihood() == pytest.approx(lml, rel=1e-7)
    # 2-D targets: one mean column per target column, one std
    Y = np.stack([y, 2 * y - 1, y[::-1]], axis=1)
    gp2 = GaussianProcess(X, Y, hp, normalize=normalize)
    mean2, std2 = gp2.predict(Xq)
    assert mean2.shape == (4, 3) and std2.shape == (4,)
    np.testing.assert_allclose(mean2[:, 0], mean, rtol=1e-10)
    np.testing.assert_allclose(std2, std, rtol=1e-10)
    for j in range(3):
        m_ref, _ = posterior_ref(
            matern_ref(X, X, ls, s2), matern_ref(Xq, X, ls, s2), matern_ref(Xq, Xq, ls, s2), noise, (Y[:, j] - mu) / sd, c, c
        )
        np.testing.assert_allclose(mean2[:, j], m_ref * sd + mu, rtol=1e-7, atol=1e-8)


def test_kernels_match_their_formulas():
    rs = np.random.RandomState(3)
    X1, X2 = rs.rand(6, 3), rs.rand(4, 3)
    ls, s2 = np.array([0.3, 1.1, 0.7]), 0.8
    matern = Matern52ARD(3)
    theta = np.log(np.concatenate([ls, [s2]]))
    np.testing.assert_allclose(matern(theta, X1, X2), matern_ref(X1, X2, ls, s2), rtol=1e-12)
    np.testing.assert_allclose(matern.diag(theta, X1), np.full(6, s2))
    described = matern.describe(theta)
    assert sorted(described) == ["lengthscales", "signal_variance"]
    np.testing.assert_allclose(described["lengthscales"], ls)
    assert described["signal_variance"] == pytest.approx(s2)
    # exponential decay, inputs [x (2 columns), r]
    X1r, X2r = np.hstack([X1[:, :2], rs.uniform(0.05, 1, (6, 1))]), np.hstack([X2[:, :2], rs.uniform(0.05, 1, (4, 1))])
    alpha, mean_lam, gamma, c = 1.3, 0.7, 0.4, 0.25
    for delta in [0.0, 0.35, None]:
        kernel = ExponentialDecayResourceKernel(2, delta=delta)
        dval = 0.6 if delta is None else delta
        theta = np.log([0.3, 1.1, s2, alpha, mean_lam, gamma])
        if delta is None:
            theta = np.append(theta, math.log(dval / (1 - dval)))
        K_ref, m_ref = expdecay_ref(X1r, X2r, ls[:2], s2, alpha, mean_lam, gamma, dval, c)
        np.testing.assert_allclose(kernel(theta, X1r, X2r, mean=c), K_ref, rtol=1e-10)
        np.testing.assert_allclose(kernel.mean_function(theta, X1r, c), m_ref, rtol=1e-12)
        K_diag_ref, _ = expdecay_ref(X1r, X1r, ls[:2], s2, alpha, mean_lam, gamma, dval, c)
        np.testing.assert_allclose(kernel.diag(theta, X1r, mean=c), np.diag(K_diag_ref), rtol=1e-10)
        assert kernel.describe(theta)["delta"] == pytest.approx(dval)
    # freeze-thaw: for delta = 0, gamma^2 kappa(r + r') is beta^alpha / (r + r' + beta)^alpha up to the centring
    beta = alpha / mean_lam
    r = np.array([0.2, 0.5])
    assert ((beta / (r.sum() + beta)) ** alpha) == pytest.approx(beta**alpha / (r.sum() + beta) ** alpha)
    # warping: the base kernel on Kumaraswamy-warped columns
    warped = WarpedKernel(matern, [0, 2])
    a0, b0, a2, b2 = 0.5, 2.0, 3.0, 0.7
    theta_w = np.concatenate([np.log(np.concatenate([ls, [s2]])), np.log([a0, b0, a2, b2])])
    W1, W2 = X1.copy(), X2.copy()
    W1[:, 0], W2[:, 0] = kumaraswamy(X1[:, 0], a0, b0), kumaraswamy(X2[:, 0], a0, b0)
    W1[:, 2], W2[:, 2] = kumaraswamy(X1[:, 2], a2, b2), kumaraswamy(X2[:, 2], a2, b2)
    np.testing.assert_allclose(warped(theta_w, X1, X2), matern_ref(W1, W2, ls, s2), rtol=1e-10)
    assert warped.describe(theta_w)["warping"][2] == pytest.approx({"a": a2, "b": b2})
    np.testing.assert_allclose(warped(warped.default_theta(), X1, X2), matern(matern.default_theta(), X1, X2), rtol=1e-9)


# -- 2. gradients against finite differences -----------------------------------
def _kernel_cases():
    return [
        ("matern", Matern52ARD(3), 3),
        ("warped", WarpedKernel(Matern52ARD(3), [0, 2]), 3),
        ("expdecay", ExponentialDecayResourceKernel(2), 3),
        ("expdecay-learned-delta", ExponentialDecayResourceKernel(2, delta=None), 3),
        ("warped-expdecay", WarpedKernel(ExponentialDecayResourceKernel(2, delta=0.5), [1, 2]), 3),
    ]


@pytest.mark.parametrize("name,kernel,d", _kernel_cases(), ids=[c[0] for c in _kernel_cases()])
def test_gradient_matches_finite_differences(name, kernel, d):
    import autograd

    rs = np.random.RandomState(7)
    X = rs.uniform(0.02, 1.0, (11, d))
    X[4] = X[2]  # a duplicate row
    y = rs.randn(11)
    box = kernel.bounds()
    lo, hi = np.array([b[0] for b in box]), np.array([b[1] for b in box])
    kt = lo + (hi - lo) * rs.uniform(0.3, 0.7, len(box))
    theta = np.concatenate([kt, [math.log(0.05), 0.3]])

    def f(t):
        return negative_log_marginal_likelihood(t, X, y, kernel=kernel)

    grad_ad = autograd.grad(f)(theta)
    eps = 1e-5
    fd = np.array([(f(theta + eps * e) - f(theta - eps * e)) / (2 * eps) for e in np.eye(len(theta))])
    np.testing.assert_allclose(grad_ad, fd, rtol=1e-5, atol=1e-6)
    value, grad = nll_value_and_grad(theta, X, y, kernel=kernel)
    assert value == pytest.approx(float(f(theta)), rel=1e-10)
    np.testing.assert_allclose(grad, grad_ad, rtol=1e-7, atol=1e-8)
    # two target columns: the objective is the sum over columns
    Y = np.stack([y, rs.randn(11)], axis=1)
    v2, g2 = nll_value_and_grad(theta, X, Y, kernel=kernel, with_prior=False)
    va, ga = nll_value_and_grad(theta, X, Y[:, 0], kernel=kernel, with_prior=False)
    vb, gb = nll_value_and_grad(theta, X, Y[:, 1], kernel=kernel, with_prior=False)
    assert v2 == pytest.approx(va + vb, rel=1e-10)
    np.testing.assert_allclose(g2, ga + gb, rtol=1e-8, atol=1e-9)


def test_matern_input_gradient():
    import autograd
    import autograd.numpy as anp

    rs = np.random.RandomState(2)
    kernel = Matern52ARD(2)
    theta = np.log([0.3, 0.8, 1.5])
    X = rs.rand(6, 2)
    G = rs.randn(3, 6)

    def f(Xq):
        return anp.sum(G * kernel(theta, Xq, X, anp))

    Xq = rs.rand(3, 2)
    eps = 1e-6
    fd = np.array([(f(Xq + eps * E) - f(Xq - eps * E)) / (2 * eps) for E in np.eye(6).reshape(6, 3, 2)]).reshape(3, 2)
    np.testing.assert_allclose(autograd.grad(f)(Xq), fd, rtol=1e-6, atol=1e-8)


# -- 3. hyperparameter fitting ---------------------------------------------------
def test_fit_recovers_lengthscales():
    rs = np.random.RandomState(11)
    n = 150
    X = rs.rand(n, 2)
    K = matern_ref(X, X, [0.2, 2.0], 1.0) + 1e-4 * np.eye(n)
    y = np.linalg.cholesky(K) @ rs.randn(n)
    mu, sd = normalization(y)
    hp = fit_hyperparameters(X, (y - mu) / sd, num_restarts=3, maxiter=100, random_state=np.random.RandomState(0))
    short, long_ = np.exp(hp.log_lengthscales)
    assert 0.1 < short < 0.4
    assert long_ > 4 * short
    assert hp.log_noise_variance < math.log(1e-2)
    default = GPHyperparameters.default(2)
    assert negative_log_marginal_likelihood(hp.to_vector(), X, (y - mu) / sd) < negative_log_marginal_likelihood(
        default.to_vector(), X, (y - mu) / sd
    )


def test_fit_with_other_kernels_and_init():
    rs = np.random.RandomState(5)
    X = np.hstack([rs.rand(30, 2), rs.uniform(0.1, 1, (30, 1))])
    y = np.sin(3 * X[:, 0]) + 0.8 * np.exp(-4 * X[:, 2])
    yn = (y - y.mean()) / y.std()
    for kernel in [ExponentialDecayResourceKernel(2), WarpedKernel(Matern52ARD(3), [0, 1, 2])]:
        init = GPHyperparameters.default(kernel=kernel)
        hp = fit_hyperparameters(X, yn, init=init, num_restarts=2, maxiter=30, kernel=kernel)
        assert len(hp.kernel_theta) == kernel.num_parameters
        fitted = nll_value_and_grad(hp.to_vector(), X, yn, kernel=kernel)[0]
        assert fitted < nll_value_and_grad(init.to_vector(), X, yn, kernel=kernel)[0]
        box = kernel.bounds()
        assert all(lo - 1e-12 <= t <= hi + 1e-12 for t, (lo, hi) in zip(hp.kernel_theta, box))
    with pytest.raises(ValueError):
        fit_hyperparameters(X, yn, init=GPHyperparameters.default(2))  # 2 lengthscales for 3 columns


# -- 4. fantasies ---------------------------------------------------------------
def test_fantasize_changes_posterior_only_near_pending_points():
    rs = np.random.RandomState(0)
    X = rs.uniform(0.0, 0.3, (15, 2))
    y = np.sin(10 * X[:, 0]) + X[:, 1]
    noise = 1e-4
    hp = GPHyperparameters(np.log([0.05, 0.05]), 0.0, math.log(noise), 0.0)
    gp = GaussianProcess(X, y, hp)
    Xp = np.array([[0.9, 0.9], [0.95, 0.85]])
    far = np.array([[0.1, 0.15], [0.2, 0.05], [0.55, 0.6]])
    fgp = gp.fantasize(Xp, num_samples=5, random_state=np.random.RandomState(1))
    assert fgp.X.shape == (17, 2) and fgp.y.shape == (17, 5) and fgp.num_columns == 5
    assert (fgp.y_mean, fgp.y_std) == (gp.y_mean, gp.y_std)
    np.testing.assert_allclose(fgp.y[:15], np.repeat(y[:, None], 5, axis=1), rtol=1e-12)
    mean0, std0 = gp.predict(far)
    mean1, std1 = fgp.predict(far)
    assert mean1.shape == (3, 5) and std1.shape == (3,)
    np.testing.assert_allclose(mean1, np.repeat(mean0[:, None], 5, axis=1), atol=1e-6)
    np.testing.assert_allclose(std1, std0, rtol=1e-6)
    # at the pending points the (noise-free) std shrinks to about the noise level
    _, std_p = fgp.predict(Xp)
    _, std_p0 = gp.predict(Xp)
    assert np.all(std_p0 > 0.9 * gp.y_std)
    expected = math.sqrt(noise / (1 + noise)) * gp.y_std
    np.testing.assert_allclose(std_p, expected, rtol=0.05)
    # the fantasized GP equals one built from scratch on the same data
    ref = GaussianProcess(fgp.X, fgp.y, hp, normalization_constants=(gp.y_mean, gp.y_std))
    q = rs.rand(7, 2)
    np.testing.assert_allclose(fgp.predict(q)[0], ref.predict(q)[0], rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(fgp.predict(q)[1], ref.predict(q)[1], rtol=1e-6)
    assert fgp.log_marginal_likelihood() == pytest.approx(ref.log_marginal_likelihood(), rel=1e-8)
    # the fantasy targets are noisy posterior samples: their spread at a pending point
    many = gp.fantasize(Xp[:1], num_samples=4000, random_state=3)
    samples = many.y[-1]
    m_p, s_p = gp.predict(Xp[:1])
    assert np.mean(samples) == pytest.approx(m_p[0], abs=0.1 * s_p[0])
    assert np.std(samples) == pytest.approx(math.sqrt(s_p[0] ** 2 + noise * gp.y_std**2), rel=0.05)
    # nothing pending: the same object; fantasizing a fantasized GP multiplies the columns
    assert gp.fantasize(np.zeros((0, 2)), 3, 0) is gp
    again = fgp.fantasize(far[:1], 2, 0)
    assert again.num_columns == 10 and again.predict(q)[0].shape == (7, 10)


def test_fantasize_with_expdecay_kernel():
    rs = np.random.RandomState(4)
    kernel = ExponentialDecayResourceKernel(1, delta=0.5)
    X = np.hstack([rs.rand(12, 1), rs.uniform(0.1, 1.0, (12, 1))])
    y = X[:, 0] + np.exp(-3 * X[:, 1])
    hp = GPHyperparameters(kernel_theta=kernel.default_theta(), log_noise_variance=math.log(1e-3), mean=0.1)
    gp = GaussianProcess(X, y, hp, kernel=kernel)
    fgp = gp.fantasize(np.array([[0.5, 0.3], [0.5, 0.6]]), 3, 0)
    ref = GaussianProcess(fgp.X, fgp.y, hp, kernel=kernel, normalization_constants=(gp.y_mean, gp.y_std))
    q = np.hstack([rs.rand(5, 1), rs.uniform(0.1, 1.0, (5, 1))])
    np.testing.assert_allclose(fgp.predict(q)[0], ref.predict(q)[0], rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(fgp.predict(q)[1], ref.predict(q)[1], rtol=1e-6)


# -- 5. joint samples -------------------------------------------------------------
def test_sample_statistics_match_posterior():
    X, y = _data(8, 2, seed=2)
    ls, s2, noise, c = np.array([0.3, 0.6]), 1.2, 0.02, 0.0
    hp = GPHyperparameters(np.log(ls), math.log(s2), math.log(noise), c)
    gp = GaussianProcess(X, y, hp)
    Xq = np.vstack([X[:1], np.random.RandomState(3).rand(3, 2)])
    samples = gp.sample(Xq, 20000, np.random.RandomState(0))
    assert samples.shape == (20000, 4)
    mean, std = gp.predict(Xq)
    np.testing.assert_allclose(samples.mean(axis=0), mean, atol=0.05 * std.max())
    np.testing.assert_allclose(samples.std(axis=0), std, rtol=0.05)
    mu, sd = normalization(y)
    _, cov_ref = posterior_ref(matern_ref(X, X, ls, s2), matern_ref(Xq, X, ls, s2), matern_ref(Xq, Xq, ls, s2), noise, y, 0, 0)
    np.testing.assert_allclose(np.cov(samples.T), cov_ref * sd**2, atol=0.05 * sd**2 * s2)
    noisy = gp.sample(Xq, 20000, np.random.RandomState(1), include_noise=True)
    np.testing.assert_allclose(noisy.var(axis=0), std**2 + noise * sd**2, rtol=0.06)
    # seeds: reproducible; generators accepted; 2-D targets sample the first column
    np.testing.assert_array_equal(gp.sample(Xq, 3, 5), gp.sample(Xq, 3, 5))
    assert gp.sample(Xq, 2, np.random.default_rng(0)).shape == (2, 4)
    gp2 = GaussianProcess(X, np.stack([y, -y], axis=1), hp)
    np.testing.assert_allclose(gp2.sample(Xq, 3, 9), gp.sample(Xq, 3, 9), rtol=1e-9)
    # duplicate query points (a singular covariance) are fine
    dup = gp.sample(np.vstack([Xq, Xq]), 5, 0)
    assert np.all(np.isfinite(dup))
    np.testing.assert_allclose(dup[:, :4], dup[:, 4:], atol=1e-3 * sd)


# -- 6. robustness ------------------------------------------------------------------
def _check_pipeline(X, y, kernel=None):
    mu, sd = normalization(y)
    hp = fit_hyperparameters(X, (y - mu) / sd, num_restarts=2, maxiter=30, kernel=kernel)
    gp = GaussianProcess(X, y, hp, kernel=kernel)
    mean, std = gp.predict(X)
    arrays = [mean, std, gp.sample(X[:3], 4, 0), gp.sample(X[:3], 2, 0, include_noise=True)]
    fgp = gp.fantasize(X[:2] * 0.9 + 0.05, 3, 1)
    arrays += list(fgp.predict(X))
    assert all(np.all(np.isfinite(a)) for a in arrays)
    assert np.isfinite(gp.log_marginal_likelihood()) and np.isfinite(fgp.log_marginal_likelihood())
    return gp, mean, std


@pytest.mark.parametrize("case", ["duplicates", "constant", "single", "tiny", "huge", "huge_offset", "zeros"])
def test_robustness(case):
    rs = np.random.RandomState(0)
    X = rs.rand(12, 2)
    y = np.sin(5 * X[:, 0]) + X[:, 1]
    if case == "duplicates":
        X, y = np.vstack([X, X[:4], X[:4]]), np.concatenate([y, y[:4], y[:4] + 1e-3])
    elif case == "constant":
        y = np.full(12, 3.3)
    elif case == "single":
        X, y = X[:1], y[:1]
    elif case == "tiny":
        y = 1e-12 * y
    elif case == "huge":
        y = 1e12 * y
    elif case == "huge_offset":
        y = 1e12 + y
    elif case == "zeros":
        y = np.zeros(12)
    gp, mean, std = _check_pipeline(X, y)
    scale = max(np.ptp(y), 1e-300)
    if case != "single":
        assert np.max(np.abs(mean - y)) < 0.05 * scale + 1e-9 * np.max(np.abs(y))
    if case in ("tiny", "huge"):
        assert gp.y_std == pytest.approx(np.std(y))  # standardized exactly, whatever the scale


def test_robustness_fixed_tiny_noise_with_duplicates():
    X, y = _data(10, 2)
    hp = GPHyperparameters(np.log([0.3, 0.3]), 0.0, math.log(1e-12), 0.0)
    gp = GaussianProcess(np.vstack([X, X, X]), np.concatenate([y, y, y + 1e-6]), hp)
    mean, std = gp.predict(X)
    np.testing.assert_allclose(mean, y, atol=1e-3)
    assert np.all(np.isfinite(std)) and np.all(std >= 0)
    assert np.all(np.isfinite(gp.fantasize(X[:2], 2, 0).predict(X)[0]))


def test_robustness_other_kernels():
    rs = np.random.RandomState(1)
    X = np.hstack([rs.rand(10, 2), rs.uniform(0.1, 1, (10, 1))])
    X = np.vstack([X, X[:3]])
    for y in [np.full(13, 0.5), 1e12 * rs.randn(13), 1e-12 * rs.randn(13)]:
        _check_pipeline(X, y, ExponentialDecayResourceKernel(2))
        _check_pipeline(X, y, WarpedKernel(Matern52ARD(3), [0, 1]))


def test_normalization():
    assert normalization(np.array([2.0, 2.0, 2.0])) == (2.0, 1.0)
    assert normalization(np.array([5.0])) == (5.0, 1.0)
    assert normalization(np.zeros(0)) == (0.0, 1.0)
    mu, sd = normalization(np.array([1e-12, 3e-12]))
    assert (mu, sd) == pytest.approx((2e-12, 1e-12))
    assert normalization(np.array([1e12, 1e12 + 2.0]))[1] == pytest.approx(1.0)
    assert normalization(np.array([1e12, 1e12 * (1 + 1e-16)]))[1] == 1.0  # rounding noise only


def test_hyperparameters_api_and_bad_inputs():
    hp = GPHyperparameters(np.log([0.3, 0.5]), 0.2, -4.0, 0.1)
    same = GPHyperparameters(kernel_theta=np.array([math.log(0.3), math.log(0.5), 0.2]), log_noise_variance=-4.0, mean=0.1)
    assert hp == same and hp.copy() == hp
    np.testing.assert_allclose(hp.log_lengthscales, np.log([0.3, 0.5]))
    assert hp.log_signal_variance == 0.2
    assert GPHyperparameters.from_vector(hp.to_vector()) == hp
    assert hp.describe(Matern52ARD(2))["noise_variance"] == pytest.approx(math.exp(-4.0))
    with pytest.raises(ValueError):
        GPHyperparameters()
    with pytest.raises(ValueError):
        GPHyperparameters(np.zeros(2), kernel_theta=np.zeros(3))
    X, y = _data(5, 2)
    with pytest.raises(ValueError):
        GaussianProcess(X, y[:-1], hp)
    with pytest.raises(ValueError):
        GaussianProcess(X, y, GPHyperparameters.default(3))
    with pytest.raises(ValueError):
        GaussianProcess(X, np.where(np.arange(5) == 2, np.nan, y), hp)
    with pytest.raises(ValueError):
        GaussianProcess(X, y, hp, kernel=Matern52ARD(3))
    gp = GaussianProcess(X, y, hp)
    with pytest.raises(ValueError):
        gp.predict(np.zeros((2, 3)))
    with pytest.raises(ValueError):
        gp.sample(X, 0)
    with pytest.raises(ValueError):
        WarpedKernel(Matern52ARD(2), [0, 0])
    with pytest.raises(ValueError):
        ExponentialDecayResourceKernel(2, delta=1.5)


_KERNELS = {
    "matern": lambda d: Matern52ARD(d),
    "warped": lambda d: WarpedKernel(Matern52ARD(d), list(range(0, d, 2))),
    "expdecay": lambda d: ExponentialDecayResourceKernel(d - 1) if d > 1 else ExponentialDecayResourceKernel(1),
    "expdecay-delta": lambda d: ExponentialDecayResourceKernel(max(d - 1, 1), delta=None),
}


@settings(max_examples=40, deadline=None)
@given(
    name=st.sampled_from(sorted(_KERNELS)),
    d=st.integers(1, 4),
    n=st.integers(1, 12),
    seed=st.integers(0, 2**31 - 1),
)
def test_kernel_matrices_symmetric_psd(name, d, n, seed):
    kernel = _KERNELS[name](d)
    rs = np.random.RandomState(seed)
    X = rs.uniform(0.0, 1.0, (n, kernel.dimension))
    if n > 2:
        X[-1] = X[0]
    box = kernel.bounds()
    theta = np.array([rs.uniform(lo, hi) for lo, hi in box])
    mean = rs.uniform(-3, 3)
    K = kernel(theta, X, X, mean=mean)
    assert K.shape == (n, n) and np.all(np.isfinite(K))
    np.testing.assert_allclose(K, K.T, rtol=1e-12, atol=1e-14 * np.max(np.abs(K)))
    np.testing.assert_allclose(np.diag(K), kernel.diag(theta, X, mean=mean), rtol=1e-9, atol=1e-14 * np.max(np.abs(K)))
    eigenvalues = np.linalg.eigvalsh(0.5 * (K + K.T))
    assert eigenvalues.min() >= -1e-9 * max(np.max(np.abs(K)), 1e-300)
    assert kernel.log_prior(theta) < np.inf
    assert len(kernel.default_theta()) == kernel.num_parameters == len(box)
