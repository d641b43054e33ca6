"""Acquisition functions (for minimization)."""

from __future__ import annotations

import numpy as np

_INV_SQRT2 = 1.0 / np.sqrt(2.0)
_INV_SQRT2PI = 1.0 / np.sqrt(2.0 * np.pi)


def expected_improvement(mean: np.ndarray, std: np.ndarray, best: float) -> np.ndarray:
    """``E[max(best - f, 0)]`` for ``f ~ N(mean, std^2)`` (minimization).

    Non-negative, increasing in ``std`` and decreasing in ``mean``; with
    ``std == 0`` it equals ``max(best - mean, 0)``.
    """
    from scipy.special import ndtr

    mean = np.asarray(mean, dtype=float)
    std = np.asarray(std, dtype=float)
    if mean.shape != std.shape:
        raise ValueError(f"mean and std must have the same shape, got {mean.shape} and {std.shape}")
    if np.any(std < 0):
        raise ValueError("std must be non-negative")
    improvement = best - mean
    ei = np.array(np.maximum(improvement, 0.0), dtype=float)
    positive = std > 0
    if np.any(positive):
        s, imp = std[positive], improvement[positive]
        z = imp / s
        ei[positive] = imp * ndtr(z) + s * _INV_SQRT2PI * np.exp(-0.5 * z * z)
    return np.maximum(ei, 0.0)
