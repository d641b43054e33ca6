"""Per-task normalizations of objective values for quantile-based transfer learning.

Objective values of different tasks live on different scales (an error of
0.02 may be excellent on one dataset and poor on another). Before a
surrogate is fitted across tasks, every task's values ``y_1..y_n`` are
mapped to a common scale, fitted on that task alone.

:class:`GaussianTransform` (``normalization="gaussian"``, the Gaussian copula
of Salinas, Shen, Perrone, ICML 2020) maps a value ``v`` to

* its empirical quantile with mid-ranks for ties,
  ``u(v) = (#{i: y_i < v} + #{i: y_i <= v}) / (2 n)``; for ``v = y_i`` of
  average rank ``r_i`` (1-based, ``scipy.stats.rankdata(method="average")``)
  this is ``(r_i - 1/2) / n``, so tied values share one quantile;
* winsorized to ``[delta_n, 1 - delta_n]`` with the paper's cut-off
  ``delta_n = 1 / (4 n^(1/4) sqrt(pi log n))`` (``delta_1 = 1/2``: a task
  with one value maps it to 0);
* then ``z = Phi^{-1}(u)`` (``scipy.special.ndtri``).

:class:`StandardTransform` (``normalization="standard"``) is
``z = (v - mean) / std`` with the task's mean and population standard
deviation (``std`` taken as 1 for a task whose values are all equal, within
``1e-12`` relative).

Both maps are increasing and *antisymmetric*: fitted to ``-y``, they send
``-v`` to ``-z(v)``. For the Gaussian copula this holds because mid-ranks are
symmetric (``u_{-y}(-v) = 1 - u_y(v)``) and so is the winsorization. Mapping
the mode-signed values (``-y`` for ``mode="max"``) or mapping ``y`` and
negating afterwards therefore give the same ``z``.

Differences to Syne Tune 0.13:

* Syne Tune's quantile is the lower rank, ``#{i: y_i < v} / n`` (so the best
  value of every task gets ``u = 0`` and is winsorized, and the map is not
  antisymmetric), and breaks ties at random when the transform is given a
  random state (its searcher passes one). Mid-ranks keep tied values tied
  (random tie-breaking invents an order the data do not have) and make
  ``mode="max"`` the exact mirror of ``mode="min"``.
* Syne Tune's ``StandardTransform`` floors the standard deviation at 0.001
  (absolute, whatever the scale of ``y``), and its searcher calls it with a
  ``random_state`` argument it does not accept, so
  ``normalization="standard"`` fails there; here it works.
* The classes take ``y`` of shape ``(n,)`` or ``(n, dim)`` (Syne Tune:
  ``(n, dim)`` only); columns are normalized independently.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtri

from syne_tune.utils.validation import InvalidParameterError

__all__ = [
    "NormalizationTransform",
    "GaussianTransform",
    "StandardTransform",
    "winsorized_delta",
    "from_string",
    "NORMALIZATIONS",
]

#: Relative spread below which a task's values count as all equal.
_CONSTANT_RTOL = 1e-12


def winsorized_delta(n: int) -> float:
    """The winsorization cut-off ``delta_n = 1 / (4 n^(1/4) sqrt(pi log n))``
    of the Gaussian copula (``1/2`` for ``n = 1``).

    Parameters
    ----------
    n
        Number of values of the task (at least 1).

    Returns
    -------
    float
        ``delta_n``, in ``(0, 1/2]``.

    Raises
    ------
    InvalidParameterError
        If ``n < 1``.
    """
    if n < 1:
        raise InvalidParameterError(f"The 'n' parameter of winsorized_delta must be an int >= 1. Got {n!r} instead.")
    if n == 1:
        return 0.5
    return float(min(0.5, 1.0 / (4.0 * n**0.25 * np.sqrt(np.pi * np.log(n)))))


def _as_columns(y, owner: str) -> tuple[np.ndarray, bool]:
    """``y`` as a finite 2-d array (one column per dimension), and whether it was 1-d."""
    arr = np.asarray(y, dtype=float)
    if arr.ndim not in (1, 2) or arr.shape[0] == 0:
        raise InvalidParameterError(
            f"The 'y' parameter of {owner} must be a non-empty array of shape (n,) or (n, dim). "
            f"Got shape {arr.shape} instead."
        )
    if not np.all(np.isfinite(arr)):
        raise InvalidParameterError(f"The 'y' parameter of {owner} must hold finite values only. Got {arr!r} instead.")
    return (arr[:, None], True) if arr.ndim == 1 else (arr, False)


class NormalizationTransform:
    """A per-column normalization fitted to the values ``y`` of one task and
    applied with :meth:`transform` (subclasses: :class:`GaussianTransform`,
    :class:`StandardTransform`).

    Parameters
    ----------
    y
        Values of one task, shape ``(n,)`` or ``(n, dim)``.

    Raises
    ------
    InvalidParameterError
        If ``y`` is empty, not finite, or of another shape.
    """

    def __init__(self, y):
        columns, self._one_dim = _as_columns(y, type(self).__name__)
        self.dim = columns.shape[1]
        self._fit(columns)

    def _fit(self, columns: np.ndarray) -> None:
        raise NotImplementedError

    def _apply(self, columns: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def transform(self, y) -> np.ndarray:
        """The normalized values of ``y`` (any finite values, not only those
        fitted to), in the shape of ``y``.

        Raises
        ------
        InvalidParameterError
            If ``y`` is not finite or has another number of columns.
        """
        columns, one_dim = _as_columns(y, type(self).__name__)
        if columns.shape[1] != self.dim:
            raise InvalidParameterError(
                f"The 'y' parameter of {type(self).__name__}.transform must have {self.dim} column(s), as the "
                f"values fitted to. Got shape {np.shape(y)} instead."
            )
        z = self._apply(columns)
        return z[:, 0] if one_dim else z


class GaussianTransform(NormalizationTransform):
    """Gaussian copula ``z = Phi^{-1}(winsorized mid-rank quantile)`` (see
    the module docstring; parameters as for :class:`NormalizationTransform`)."""

    def _fit(self, columns: np.ndarray) -> None:
        self.sorted = np.sort(columns, axis=0)
        self.num = columns.shape[0]
        self.delta = winsorized_delta(self.num)

    def quantiles(self, y) -> np.ndarray:
        """The winsorized mid-rank quantiles ``u`` of ``y``, in
        ``[delta_n, 1 - delta_n]``, shape of ``y``."""
        columns, one_dim = _as_columns(y, type(self).__name__)
        u = np.empty_like(columns)
        for j in range(self.dim):
            ref = self.sorted[:, j]
            below = np.searchsorted(ref, columns[:, j], side="left")
            at_most = np.searchsorted(ref, columns[:, j], side="right")
            u[:, j] = (below + at_most) / (2.0 * self.num)
        u = np.clip(u, self.delta, 1.0 - self.delta)
        return u[:, 0] if one_dim else u

    def _apply(self, columns: np.ndarray) -> np.ndarray:
        return ndtri(self.quantiles(columns))


class StandardTransform(NormalizationTransform):
    """Standardization ``z = (v - mean) / std`` per column (see the module
    docstring; parameters as for :class:`NormalizationTransform`)."""

    def _fit(self, columns: np.ndarray) -> None:
        self.mean = columns.mean(axis=0)
        std = columns.std(axis=0)
        constant = std <= _CONSTANT_RTOL * (1.0 + np.abs(self.mean))
        self.std = np.where(constant, 1.0, std)

    def _apply(self, columns: np.ndarray) -> np.ndarray:
        return (columns - self.mean) / self.std


#: ``normalization`` name -> transform class.
NORMALIZATIONS = {"gaussian": GaussianTransform, "standard": StandardTransform}


def from_string(name: str) -> type:
    """The transform class of a ``normalization`` name (``"gaussian"`` or
    ``"standard"``).

    Raises
    ------
    InvalidParameterError
        If ``name`` is not one of them.
    """
    if not isinstance(name, str) or name not in NORMALIZATIONS:
        raise InvalidParameterError(
            f"The 'normalization' parameter must be one of {sorted(NORMALIZATIONS)}. Got {name!r} instead."
        )
    return NORMALIZATIONS[name]
