"""Pareto sets, hypervolume curves and Pareto plots of results DataFrames.

A results DataFrame has one row per reported result (columns: the metrics,
``trial_id``, ``st_tuner_time``, ``config_*``, ...). Metrics are given with
modes ``"min"`` / ``"max"``; internally every ``"max"`` column is negated so
that all objectives are minimized, and the dominance and hypervolume
routines of :mod:`syne_tune.optimizer.schedulers.multiobjective` are used.
Rows with a NaN or infinite value in one of the metrics are ignored.

* :func:`pareto_set`: the Pareto-optimal rows. With ``per_trial="last"``
  (default) each trial is represented by its **last** row with finite
  metrics (latest ``st_tuner_time``, else the last in row order): the state
  the trial ended in, e.g. after its last epoch, so that a multi-fidelity
  run is not judged by early, low-fidelity results. ``per_trial="all"``
  compares every row (Syne Tune's ``get_pareto_set`` does this).
* :func:`hypervolume_indicator_column_generator` (Syne Tune's name and
  arguments): a function ``df -> Series`` with, for every row, the
  hypervolume of all rows reported up to it (in ``st_tuner_time`` order if
  the column exists, else row order). Every row counts from the moment it
  was reported, so the curve is non-decreasing. Unlike Syne Tune, the
  reference point is given in the metrics' own units (a ``"max"`` metric's
  entry is a value it should exceed) and the default is
  :func:`~syne_tune.optimizer.schedulers.multiobjective.hypervolume.default_reference_point`
  (nadir of the Pareto front of the DataFrame plus 10% of its range), which
  needs no pymoo and is computed incrementally.
* :func:`plot_pareto_front`: scatter of all evaluated points with the Pareto
  front as marked points joined by its staircase (the boundary of the
  dominated region between front points).

Plots need the ``visual`` extra (matplotlib), imported only when plotting.
"""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral
from pathlib import Path
from typing import Callable

import numpy as np

from syne_tune.constants import ST_TRIAL_ID, ST_TUNER_TIME
from syne_tune.experiments.plotting import new_figure, show_or_save
from syne_tune.optimizer.schedulers.multiobjective.hypervolume import (
    default_reference_point,
    hypervolume_indicator,
)
from syne_tune.optimizer.schedulers.multiobjective.non_dominated import as_objective_matrix, pareto_mask
from syne_tune.utils.validation import Interval, InvalidParameterError, Options, check_parameter

__all__ = ["pareto_set", "hypervolume_indicator_column_generator", "plot_pareto_front"]

#: Name of the Series returned by the hypervolume column generator.
HYPERVOLUME_COLUMN = "hypervolume_indicator"

_PER_TRIAL = {"last", "all"}


def _signs(modes: str | Sequence[str], num_metrics: int, owner: str) -> np.ndarray:
    """+1 for ``"min"``, -1 for ``"max"``, one per metric."""
    mode_list = [modes] * num_metrics if isinstance(modes, str) else list(modes)
    if len(mode_list) != num_metrics:
        raise InvalidParameterError(
            f"The 'modes' parameter of {owner} must be 'min', 'max' or a list of them with one entry per "
            f"metric ({num_metrics}). Got {modes!r} instead."
        )
    for mode in mode_list:
        check_parameter(owner, "modes", mode, [Options(str, {"min", "max"})])
    return np.array([1.0 if mode == "min" else -1.0 for mode in mode_list])


def _check_metrics(df, metrics, owner: str, min_count: int = 1) -> list[str]:
    if isinstance(metrics, str) or not isinstance(metrics, Sequence) or len(metrics) < min_count:
        raise InvalidParameterError(
            f"The 'metrics' parameter of {owner} must be a list of at least {min_count} column names. "
            f"Got {metrics!r} instead."
        )
    missing = [name for name in metrics if name not in df.columns]
    if missing:
        raise ValueError(f"{owner}: metrics {missing} are not columns of the results (columns: {list(df.columns)})")
    return list(metrics)


def _minimized(df, metrics: list[str], signs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Metric values with "max" columns negated, and the mask of rows finite in all."""
    import pandas as pd

    values = np.column_stack([pd.to_numeric(df[name], errors="coerce").to_numpy(dtype=float) for name in metrics])
    values = values * signs if len(values) else values.reshape(0, len(metrics))
    return values, np.all(np.isfinite(values), axis=1)


def _time_order(df) -> np.ndarray:
    """Row positions in order of report (``st_tuner_time``, stable), else row order."""
    if ST_TUNER_TIME in df.columns:
        return np.argsort(df[ST_TUNER_TIME].to_numpy(dtype=float), kind="stable")
    return np.arange(len(df))


def _candidate_positions(df, finite: np.ndarray, per_trial: str) -> np.ndarray:
    """Positions of the rows a Pareto set is chosen from (see the module docstring)."""
    order = _time_order(df)
    order = order[finite[order]]
    if per_trial == "all" or ST_TRIAL_ID not in df.columns:
        return np.sort(order)
    trial_ids = df[ST_TRIAL_ID].to_numpy()[order]
    # last occurrence of every trial id in report order
    _, last_from_end = np.unique(trial_ids[::-1], return_index=True)
    return np.sort(order[len(order) - 1 - last_from_end])


def _pareto_positions(df, metrics: list[str], signs: np.ndarray, per_trial: str) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the Pareto-optimal rows and the minimized values of all rows."""
    values, finite = _minimized(df, metrics, signs)
    candidates = _candidate_positions(df, finite, per_trial)
    if len(candidates) == 0:
        return candidates, values
    return candidates[pareto_mask(values[candidates])], values


def pareto_set(df_or_values, metrics: Sequence[str] | None = None, modes: str | Sequence[str] = "min", per_trial: str = "last"):
    """Pareto-optimal rows of a results DataFrame (or of a matrix of values).

    Parameters
    ----------
    df_or_values
        A results DataFrame, or an array of shape ``(n, m)`` of metric values.
    metrics
        Columns to compare (required for a DataFrame; for an array, ignored
        except that its length must be ``m`` if given).
    modes
        ``"min"`` / ``"max"`` for all metrics, or one per metric.
    per_trial
        ``"last"`` (default): one row per trial (its last with finite
        metrics; needs a ``trial_id`` column, otherwise every row is used);
        ``"all"``: every row. Unused for arrays.

    Returns
    -------
    pandas.DataFrame or numpy.ndarray
        The Pareto-optimal rows in their original order (all columns for a
        DataFrame). Rows with equal metric values are all kept.

    Raises
    ------
    ValueError
        If a metric is not a column, ``modes`` does not match the metrics, or
        an array is not a finite ``(n, m)`` matrix.
    """
    owner = "pareto_set"
    check_parameter(owner, "per_trial", per_trial, [Options(str, _PER_TRIAL)])
    if not hasattr(df_or_values, "columns"):
        values = as_objective_matrix(df_or_values, name="df_or_values")
        if metrics is not None and len(metrics) != values.shape[1]:
            raise InvalidParameterError(
                f"The 'metrics' parameter of {owner} must have one name per column of the values "
                f"({values.shape[1]}). Got {metrics!r} instead."
            )
        return values[pareto_mask(values * _signs(modes, values.shape[1], owner))]
    df = df_or_values
    metrics = _check_metrics(df, metrics, owner)
    positions, _ = _pareto_positions(df, metrics, _signs(modes, len(metrics), owner), per_trial)
    return df.iloc[positions]


def hypervolume_indicator_column_generator(
    metrics_and_modes: Sequence[tuple[str, str]],
    reference_point: Sequence[float] | np.ndarray | None = None,
    increment: int = 1,
) -> Callable:
    """Function mapping a results DataFrame to its cumulative hypervolume.

    Parameters
    ----------
    metrics_and_modes
        ``[(metric, mode), ...]`` with at least two metrics (columns of the
        DataFrame), modes ``"min"`` / ``"max"``.
    reference_point
        One value per metric, in the metrics' own units; only results better
        than it in every metric count. Default: per DataFrame,
        ``default_reference_point`` of its finite results.
    increment
        ``1`` (default): exact. ``> 1``: with 3 or more metrics, exact only at
        every ``increment``-th result, linearly interpolated in between (see
        :func:`~syne_tune.optimizer.schedulers.multiobjective.hypervolume.hypervolume_indicator`).

    Returns
    -------
    callable
        ``df -> pandas.Series`` (index of ``df``, name
        ``"hypervolume_indicator"``): for each row, the hypervolume of the
        finite results reported up to and including it (0 before the first).

    Raises
    ------
    ValueError
        If fewer than two metrics are given, a mode is not "min" / "max", the
        reference point has the wrong length, or ``increment < 1``; the
        returned function raises if a metric is not a column.
    """
    owner = "hypervolume_indicator_column_generator"
    pairs = list(metrics_and_modes) if isinstance(metrics_and_modes, Sequence) else []
    if len(pairs) < 2 or not all(isinstance(p, (tuple, list)) and len(p) == 2 for p in pairs):
        raise InvalidParameterError(
            f"The 'metrics_and_modes' parameter of {owner} must be a list of at least 2 (metric, mode) pairs. "
            f"Got {metrics_and_modes!r} instead."
        )
    check_parameter(owner, "increment", increment, [Interval(Integral, 1, None, closed="left")])
    names = [str(name) for name, _ in pairs]
    signs = _signs([mode for _, mode in pairs], len(pairs), owner)
    fixed_reference = None
    if reference_point is not None:
        fixed_reference = np.asarray(reference_point, dtype=float)
        if fixed_reference.shape != (len(names),) or not np.all(np.isfinite(fixed_reference)):
            raise InvalidParameterError(
                f"The 'reference_point' parameter of {owner} must have one finite value per metric "
                f"({len(names)}). Got {reference_point!r} instead."
            )
        fixed_reference = fixed_reference * signs

    def dataframe_column_generator(df):
        import pandas as pd

        _check_metrics(df, names, owner, min_count=2)
        values, finite = _minimized(df, names, signs)
        order = _time_order(df)
        arrived = order[finite[order]]
        per_row = np.zeros(len(df))
        if len(arrived):
            ref = fixed_reference if fixed_reference is not None else default_reference_point(values[arrived])
            curve = hypervolume_indicator(values[arrived], ref, increment=increment)
            # every row gets the value after the last finite row reported up to it
            last_finite = np.cumsum(finite[order]) - 1
            per_row[order] = np.where(last_finite >= 0, curve[np.maximum(last_finite, 0)], 0.0)
        return pd.Series(per_row, index=df.index, name=HYPERVOLUME_COLUMN)

    return dataframe_column_generator


def _staircase(front: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Vertices of the dominated-region boundary through 2-d minimized front points."""
    front = front[np.lexsort((front[:, 1], front[:, 0]))]
    x, y = front[:, 0], front[:, 1]
    vx = np.repeat(x, 2)[1:]
    vy = np.repeat(y, 2)[:-1]
    return vx, vy


def plot_pareto_front(
    df_or_values,
    metrics: Sequence[str] | None = None,
    modes: str | Sequence[str] = "min",
    per_trial: str = "last",
    figure_path: str | Path | None = None,
    ax=None,
    title: str | None = None,
    **plt_kwargs,
):
    """Scatter the evaluated points of two metrics and highlight the Pareto front.

    Parameters
    ----------
    df_or_values
        A results DataFrame, or an array of shape ``(n, 2)``.
    metrics
        The two columns to plot (x, y); required for a DataFrame, axis labels
        for an array (default ``"objective 0"``, ``"objective 1"``).
    modes
        ``"min"`` / ``"max"`` for both, or one per metric.
    per_trial
        Which rows the front is chosen from and drawn (see
        :func:`pareto_set`): ``"last"`` (default) the last result of every
        trial, ``"all"`` every result.
    figure_path
        Save the figure to this file (drawn without pyplot, headless);
        ``None``: show it, unless ``ax`` is given.
    ax
        Draw into these matplotlib axes instead of a new figure.
    title
        Axes title (default ``"Pareto front (k of n points)"``).
    plt_kwargs
        ``figsize`` sets the size of a new figure; the rest is passed to
        :meth:`matplotlib.axes.Axes.scatter` for the Pareto-optimal points.

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn into.

    Raises
    ------
    ValueError
        If not exactly two metrics are given, or as for :func:`pareto_set`.
    ImportError
        If matplotlib is not installed (with the install hint).
    """
    owner = "plot_pareto_front"
    check_parameter(owner, "per_trial", per_trial, [Options(str, _PER_TRIAL)])
    if hasattr(df_or_values, "columns"):
        df = df_or_values
        if metrics is None or isinstance(metrics, str) or len(metrics) != 2:
            raise InvalidParameterError(
                f"The 'metrics' parameter of {owner} must be a list of 2 column names (x, y). Got {metrics!r} instead."
            )
        names = _check_metrics(df, metrics, owner, min_count=2)
        signs = _signs(modes, 2, owner)
        positions, values = _pareto_positions(df, names, signs, per_trial)
        candidates = _candidate_positions(df, np.all(np.isfinite(values), axis=1), per_trial)
        points, front = values[candidates] * signs, values[positions] * signs
    else:
        points = as_objective_matrix(df_or_values, name="df_or_values")
        if points.shape[1] != 2:
            raise InvalidParameterError(
                f"The 'df_or_values' parameter of {owner} must have 2 columns (x, y). Got shape {points.shape} instead."
            )
        names = list(metrics) if metrics is not None else ["objective 0", "objective 1"]
        signs = _signs(modes, 2, owner)
        front = points[pareto_mask(points * signs)]
    own_figure = ax is None
    figsize = plt_kwargs.pop("figsize", None)
    if own_figure:
        fig, ax = new_figure(figsize, figure_path is not None)
    else:
        fig = ax.figure
    ax.scatter(points[:, 0], points[:, 1], s=14, color="0.65", alpha=0.7, label="trials (last result)" if per_trial == "last" else "results", zorder=1)
    if len(front):
        vx, vy = _staircase(front * signs)
        ax.plot(vx * signs[0], vy * signs[1], color="C3", linewidth=1.2, zorder=2)
        front_kwargs = {"s": 36, "color": "C3", "edgecolors": "k", "linewidths": 0.5, "zorder": 3, **plt_kwargs}
        ax.scatter(front[:, 0], front[:, 1], label="Pareto front", **front_kwargs)
    ax.set_xlabel(str(names[0]))
    ax.set_ylabel(str(names[1]))
    ax.set_title(title if title is not None else f"Pareto front ({len(front)} of {len(points)} points)")
    ax.grid(alpha=0.3)
    ax.legend()
    if own_figure:
        show_or_save(fig, figure_path)
    elif figure_path is not None:
        fig.savefig(figure_path)
    return fig
