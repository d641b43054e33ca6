"""The best result of a results table (one row per reported result, as
stored by the tuner and read by :func:`~syne_tune.experiments.load_experiment`).

A module of its own below both the tuner and :mod:`syne_tune.experiments`,
which both ask it for the best configuration.
"""

from __future__ import annotations

from typing import Any

from syne_tune.constants import ST_TRIAL_ID

#: Prefix of the configuration columns of a results DataFrame.
_CONFIG_PREFIX = "config_"


def _plain(value: Any) -> Any:
    """NumPy scalar -> Python scalar (other values unchanged)."""
    if hasattr(value, "item") and hasattr(value, "dtype"):
        return value.item()
    return value


def best_result_row(results, metric: str, mode: str):
    """The result (row of a results DataFrame) with the best finite ``metric``.

    Parameters
    ----------
    results
        pandas DataFrame with one row per reported result.
    metric
        Column to optimize.
    mode
        ``"min"`` or ``"max"``.

    Returns
    -------
    pandas.Series
        The first row with the best value; NaN and infinite values are
        ignored.

    Raises
    ------
    ValueError
        If there are no results, ``metric`` is not a column, ``mode`` is not
        "min" / "max", or ``metric`` has no finite value.
    """
    from syne_tune.utils.validation import Options, check_parameter

    check_parameter("best_result_row", "mode", mode, [Options(str, {"min", "max"})])
    if results is None or len(results) == 0:
        raise ValueError("No results yet: cannot determine the best configuration")
    if metric not in results.columns:
        raise ValueError(f"Metric {metric!r} not in the results (columns: {sorted(map(str, results.columns))})")
    import numpy as np
    import pandas as pd

    values = pd.to_numeric(results[metric], errors="coerce").to_numpy(dtype=float)
    finite = np.isfinite(values)
    if not finite.any():
        raise ValueError(f"Metric {metric!r} has no finite value in the {len(results)} results")
    candidates = np.where(finite, values, np.inf if mode == "min" else -np.inf)
    position = int(np.argmin(candidates) if mode == "min" else np.argmax(candidates))
    return results.iloc[position]


def best_config_from_results(results, metric: str, mode: str) -> tuple[int, dict]:
    """``(trial_id, config)`` of the result with the best finite ``metric``.

    Parameters
    ----------
    results
        pandas DataFrame with one row per reported result (``trial_id`` and
        ``config_<name>`` columns).
    metric
        Column to optimize.
    mode
        ``"min"`` or ``"max"``.

    Returns
    -------
    tuple
        Trial id and configuration (``config_`` prefix removed, Python
        scalars).

    Raises
    ------
    ValueError
        As :func:`best_result_row`.
    """
    row = best_result_row(results, metric, mode)
    config = {
        col[len(_CONFIG_PREFIX):]: _plain(row[col]) for col in results.columns if str(col).startswith(_CONFIG_PREFIX)
    }
    return int(row[ST_TRIAL_ID]), config
