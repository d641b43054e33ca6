"""Acquisition functions: how promising a candidate is, given surrogate models.

Every target is "smaller is better" (searchers negate metrics of
``mode="max"``). An acquisition function is a small object built from one or
more fitted models (:class:`~.surrogate.SurrogateModel`); calling it on a
batch of encoded candidates ``X`` (shape ``(m, d)``) returns one score per
row, *higher is better*, which
:class:`~.acquisition_optimizer.AcquisitionOptimizer` maximizes.

A model's ``predict`` gives the posterior mean ``mu`` and standard deviation
``s`` of the target. With pending evaluations the model holds ``S`` fantasy
samples: ``mu`` has shape ``(m, S)`` and a score is the average of the
per-sample scores (Monte Carlo integration over the fantasy outcomes); ``s``
is shared by the samples. With ``z = (best - mu) / s``, ``Phi`` and ``phi``
the standard normal CDF and density:

* :class:`ExpectedImprovement`: ``EI = s * (z Phi(z) + phi(z))``, the expected
  amount by which ``f`` falls below ``best`` (the best observed value);
  ``max(best - mu, 0)`` where ``s = 0``. With ``log=True`` the score is
  ``log EI`` computed without underflow (for ``z < -25`` through the
  asymptotic expansion ``z Phi(z) + phi(z) ~ phi(z) / z^2 (1 - 3/z^2 + 15/z^4 - 105/z^6 + 945/z^8)``),
  averaged over fantasy samples in the log domain (``log mean exp``).
  Ranking by EI or log EI is the same; log EI keeps candidates far from the
  best distinguishable where EI underflows to 0.
* :class:`LowerConfidenceBound`: ``-(mu - kappa * s)``.
* :class:`ConstrainedExpectedImprovement`: ``EI(best_feasible) * P(c <= 0)``
  with ``P(c <= 0) = Phi(-mu_c / s_c)`` from a second model of the
  constraint ``c``; while no feasible point is known, the score is
  ``P(c <= 0)`` alone (find a feasible region first).
* :class:`ExpectedImprovementPerUnitCost` (EIpu, Snoek et al. 2012):
  ``EI / cost^exponent``, with the cost predicted by a model of the
  log cost (``cost = exp(mu_log_cost)``, floored at ``1e-12``).
"""

from __future__ import annotations

import abc

import numpy as np

__all__ = [
    "AcquisitionFunction",
    "ExpectedImprovement",
    "LowerConfidenceBound",
    "ConstrainedExpectedImprovement",
    "ExpectedImprovementPerUnitCost",
    "expected_improvement",
    "log_expected_improvement",
    "probability_of_feasibility",
    "quantize",
]

_INV_SQRT2 = 1.0 / np.sqrt(2.0)
_INV_SQRT2PI = 1.0 / np.sqrt(2.0 * np.pi)
_LOG_INV_SQRT2PI = float(np.log(_INV_SQRT2PI))
_STD_FLOOR = 1e-12
#: Mantissa bits kept in acquisition scores (see :class:`AcquisitionFunction`).
SCORE_MANTISSA_BITS = 40
#: Below this z, log EI uses the asymptotic expansion.
_ASYMPTOTIC_Z = -25.0


def _check(mean, std):
    mean = np.asarray(mean, dtype=float)
    std = np.asarray(std, dtype=float)
    if mean.shape[0] != std.shape[0]:
        raise ValueError(f"mean and std must have the same number of rows, got {mean.shape} and {std.shape}")
    if np.any(std < 0):
        raise ValueError("std must be non-negative")
    if mean.ndim == 2 and std.ndim == 1:
        std = std[:, None]
    return mean, std


def expected_improvement(mean: np.ndarray, std: np.ndarray, best: float) -> np.ndarray:
    """``E[max(best - f, 0)]`` for ``f ~ N(mean, std^2)``, elementwise.

    ``mean`` may be ``(m,)`` or ``(m, S)`` (then ``std`` is ``(m,)`` or
    ``(m, S)``); the result has the shape of ``mean``. With ``std == 0`` it
    equals ``max(best - mean, 0)``.
    """
    from scipy.special import ndtr

    mean, std = _check(mean, std)
    std = np.broadcast_to(std, mean.shape)
    improvement = best - mean
    ei = np.array(np.maximum(improvement, 0.0), dtype=float)
    positive = std > 0
    if np.any(positive):
        s, imp = std[positive], improvement[positive]
        z = imp / s
        ei[positive] = imp * ndtr(z) + s * _INV_SQRT2PI * np.exp(-0.5 * z * z)
    return np.maximum(ei, 0.0)


def _log_h(z: np.ndarray) -> np.ndarray:
    """``log(z Phi(z) + phi(z))``, accurate for every ``z``."""
    from scipy.special import ndtr

    out = np.empty_like(z)
    small = z < _ASYMPTOTIC_Z
    if np.any(small):
        zs = z[small]
        inv2 = 1.0 / (zs * zs)
        series = inv2 * (-3.0 + inv2 * (15.0 + inv2 * (-105.0 + 945.0 * inv2)))
        out[small] = _LOG_INV_SQRT2PI - 0.5 * zs * zs + np.log(inv2) + np.log1p(series)
    big = ~small
    if np.any(big):
        zb = z[big]
        h = zb * ndtr(zb) + _INV_SQRT2PI * np.exp(-0.5 * zb * zb)
        # z Phi(z) + phi(z) loses at most ~3 digits to cancellation above z = -25
        out[big] = np.log(h)
    return out


def log_expected_improvement(mean: np.ndarray, std: np.ndarray, best: float) -> np.ndarray:
    """``log EI`` (see :func:`expected_improvement`), finite wherever
    ``std > 0``; ``-inf`` where ``std == 0`` and ``mean >= best``."""
    mean, std = _check(mean, std)
    std = np.broadcast_to(std, mean.shape)
    out = np.full(mean.shape, -np.inf)
    positive = std > _STD_FLOOR
    if np.any(positive):
        s = std[positive]
        out[positive] = np.log(s) + _log_h((best - mean[positive]) / s)
    zero = ~positive
    if np.any(zero):
        imp = best - mean[zero]
        with np.errstate(divide="ignore"):
            out[zero] = np.where(imp > 0, np.log(np.maximum(imp, 1e-300)), -np.inf)
    return out


def probability_of_feasibility(mean: np.ndarray, std: np.ndarray) -> np.ndarray:
    """``P(c <= 0)`` for ``c ~ N(mean, std^2)`` (1 or 0 where ``std == 0``)."""
    from scipy.special import ndtr

    mean, std = _check(mean, std)
    std = np.broadcast_to(std, mean.shape)
    out = (mean <= 0).astype(float)
    positive = std > 0
    out[positive] = ndtr(-mean[positive] / std[positive])
    return out


def _average_samples(scores: np.ndarray) -> np.ndarray:
    return scores.mean(axis=1) if scores.ndim == 2 else scores


def _logmeanexp(scores: np.ndarray) -> np.ndarray:
    if scores.ndim == 1:
        return scores
    top = np.max(scores, axis=1, keepdims=True)
    finite_top = np.where(np.isfinite(top), top, 0.0)
    with np.errstate(divide="ignore"):
        return (finite_top + np.log(np.mean(np.exp(scores - finite_top), axis=1, keepdims=True)))[:, 0]


def quantize(scores: np.ndarray, bits: int = SCORE_MANTISSA_BITS) -> np.ndarray:
    """``scores`` with their mantissas rounded to ``bits`` bits (infinities
    and NaN unchanged)."""
    scores = np.asarray(scores, dtype=float)
    mantissa, exponent = np.frexp(scores)
    scale = float(2**bits)
    return np.ldexp(np.round(mantissa * scale) / scale, exponent)


class AcquisitionFunction(abc.ABC):
    """Scores a batch of encoded candidates; higher is better.

    Subclasses implement :meth:`_evaluate`. Calling the object returns its
    scores with the mantissa rounded to :data:`SCORE_MANTISSA_BITS` bits
    (about 12 significant digits): floating-point noise of the last bits
    (which may depend on memory alignment, and so on what ran before in the
    process) then cannot decide between two candidates, ties are broken by
    position, and the same seed gives the same run.
    """

    def __call__(self, X: np.ndarray) -> np.ndarray:
        """Scores of the rows of ``X`` (shape ``(m, d)``), shape ``(m,)``."""
        return quantize(self._evaluate(np.atleast_2d(np.asarray(X, dtype=float))))

    @abc.abstractmethod
    def _evaluate(self, X: np.ndarray) -> np.ndarray:
        """Unrounded scores of the rows of ``X``."""


class ExpectedImprovement(AcquisitionFunction):
    """Expected improvement over ``best`` (see the module docstring).

    Parameters
    ----------
    model
        Fitted surrogate model of the target (anything with
        ``predict(X) -> (mean, std)``).
    best
        Best (smallest) observed target value.
    log
        Score by ``log EI`` (numerically stable far from ``best``).
    """

    def __init__(self, model, best: float, log: bool = True):
        self.model = model
        self.best = float(best)
        self.log = bool(log)

    def _evaluate(self, X: np.ndarray) -> np.ndarray:
        mean, std = self.model.predict(X)
        if self.log:
            return _logmeanexp(log_expected_improvement(mean, std, self.best))
        return _average_samples(expected_improvement(mean, std, self.best))


class LowerConfidenceBound(AcquisitionFunction):
    """``-(mu - kappa * s)``: optimism in the face of uncertainty.

    Parameters
    ----------
    model
        Fitted surrogate model.
    kappa
        Weight of the standard deviation (exploration), ``>= 0``.
    """

    def __init__(self, model, kappa: float = 1.0):
        if not kappa >= 0:
            raise ValueError(f"The 'kappa' parameter of LowerConfidenceBound must be >= 0. Got {kappa!r} instead.")
        self.model = model
        self.kappa = float(kappa)

    def _evaluate(self, X: np.ndarray) -> np.ndarray:
        mean, std = self.model.predict(X)
        mean, std = _check(mean, std)
        return _average_samples(-(mean - self.kappa * std))


class ConstrainedExpectedImprovement(AcquisitionFunction):
    """``EI(best_feasible) * P(c <= 0)`` (see the module docstring).

    Parameters
    ----------
    model
        Fitted model of the target.
    constraint_model
        Fitted model of the constraint (feasible iff ``c <= 0``).
    best_feasible
        Best target value among feasible observations, ``None`` if none is
        feasible yet.
    log
        Score in the log domain (``log EI + log P``).
    """

    def __init__(self, model, constraint_model, best_feasible: float | None, log: bool = True):
        self.model = model
        self.constraint_model = constraint_model
        self.best_feasible = None if best_feasible is None else float(best_feasible)
        self.log = bool(log)

    def _evaluate(self, X: np.ndarray) -> np.ndarray:
        c_mean, c_std = self.constraint_model.predict(X)
        prob = _average_samples(probability_of_feasibility(c_mean, c_std))
        if self.best_feasible is None:
            return np.log(np.maximum(prob, 1e-300)) if self.log else prob
        ei = ExpectedImprovement(self.model, self.best_feasible, log=self.log)(X)
        if self.log:
            return ei + np.log(np.maximum(prob, 1e-300))
        return ei * prob


class ExpectedImprovementPerUnitCost(AcquisitionFunction):
    """``EI / cost^exponent`` (see the module docstring).

    Parameters
    ----------
    model
        Fitted model of the target.
    cost_model
        Fitted model of the log cost.
    best
        Best observed target value.
    exponent
        Cost exponent (0: plain EI; 1: EI per unit cost).
    log
        Score in the log domain (``log EI - exponent * log cost``).
    """

    def __init__(self, model, cost_model, best: float, exponent: float = 1.0, log: bool = True):
        if not exponent >= 0:
            raise ValueError(
                f"The 'exponent' parameter of ExpectedImprovementPerUnitCost must be >= 0. Got {exponent!r} instead."
            )
        self.model = model
        self.cost_model = cost_model
        self.best = float(best)
        self.exponent = float(exponent)
        self.log = bool(log)

    def _evaluate(self, X: np.ndarray) -> np.ndarray:
        log_cost, _ = self.cost_model.predict(X)
        log_cost = _average_samples(np.asarray(log_cost, dtype=float))
        log_cost = np.maximum(log_cost, np.log(1e-12))
        ei = ExpectedImprovement(self.model, self.best, log=self.log)(X)
        if self.log:
            return ei - self.exponent * log_cost
        return ei / np.exp(self.exponent * log_cost)
