"""Load the results of a tuning run and look at them.

:func:`load_experiment` reads a run's folder into an :class:`ExperimentResult`
(results DataFrame, ``metadata.json`` and, on request, the Tuner).
:func:`best_config_from_results` and :func:`best_result_row` (from
:mod:`syne_tune.results_table`) are re-exported here. This module imports
neither the Tuner nor pandas at import time.

Plots need the ``visual`` extra (matplotlib). A plot saved to a file is drawn
on a stand-alone figure (Agg), without pyplot: no display is needed and the
matplotlib backend of the session is left alone.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from syne_tune.constants import (
    ST_DECISION,
    ST_METADATA_FILENAME,
    ST_TRIAL_ID,
    ST_TUNER_CREATION_TIMESTAMP,
    ST_TUNER_DILL_FILENAME,
    ST_TUNER_TIME,
)
from syne_tune.experiments.plotting import new_figure, show_or_save
from syne_tune.results_table import _plain, best_config_from_results, best_result_row
from syne_tune.utils.json_io import load_json
from syne_tune.utils.metrics import metric_name_mode
from syne_tune.utils.paths import experiment_path
from syne_tune.utils.validation import InvalidParameterError, Options, check_parameter

__all__ = [
    "ExperimentResult",
    "best_result_row",
    "best_config_from_results",
    "load_experiment",
    "get_metadata",
    "list_experiments",
    "load_experiments_df",
]

logger = logging.getLogger(__name__)

#: Prefix of the configuration columns of a results DataFrame.
_CONFIG_PREFIX = "config_"

#: Decision value of a result after which the scheduler stopped the trial.
_STOP = "STOP"


@dataclass
class ExperimentResult:
    """Results of one tuning run.

    Attributes
    ----------
    name
        Tuner name (folder name).
    results
        One row per reported result (pandas DataFrame).
    metadata
        Contents of ``metadata.json``.
    tuner
        The restored :class:`~syne_tune.Tuner` if loaded with ``load_tuner=True``.
    path
        Folder of the run.
    """

    name: str
    results: Any
    metadata: dict
    tuner: Any
    path: Path

    def __str__(self) -> str:
        res = f"Experiment {self.name}"
        if self.results is not None and len(self.results) > 0:
            res += (
                f" contains {len(self.results)} evaluations from "
                f"{self.results[ST_TRIAL_ID].nunique()} trials"
            )
        return res

    def creation_date(self):
        """When the Tuner was created (:class:`datetime.datetime`)."""
        from datetime import datetime

        return datetime.fromtimestamp(self.metadata[ST_TUNER_CREATION_TIMESTAMP])

    def metric_names(self) -> list[str]:
        """Metrics of the scheduler."""
        return list(self.metadata["metric_names"])

    def metric_mode(self) -> str | list[str]:
        """``"min"`` / ``"max"``, or one mode per metric."""
        return self.metadata["metric_mode"]

    def entrypoint_name(self) -> str:
        """Name (stem) of the tuned script."""
        return Path(self.metadata.get("entrypoint", "")).stem

    def _metric_name_mode(self, metric: str | int) -> tuple[str, str]:
        return metric_name_mode(self.metric_names(), self.metric_mode(), metric, owner="ExperimentResult")

    def _has_results(self, what: str) -> bool:
        if self.results is None or len(self.results) == 0:
            logger.warning("%s: experiment %s has no results", what, self.name)
            return False
        return True

    def best_config(self, metric: str | int = 0) -> dict[str, Any]:
        """The result with the best value of ``metric``, as a dictionary.

        Parameters
        ----------
        metric
            Name of a metric of the scheduler, or its position (default: the
            first).

        Returns
        -------
        dict
            Every column of the best row (``trial_id``, the reported metrics,
            ``config_<name>`` for each hyperparameter) except the internal
            ``st_*`` columns. NaN and infinite values of ``metric`` are
            ignored.

        Raises
        ------
        ValueError
            If ``metric`` is not a metric of the run, or it has no finite value.
        """
        name, mode = self._metric_name_mode(metric)
        row = best_result_row(self.results, name, mode)
        return {key: _plain(value) for key, value in row.items() if not str(key).startswith("st_")}

    def plot(self, metric_to_plot: str | int = 0, figure_path: str | Path | None = None, **plt_kwargs):
        """Plot the best value of a metric found so far against tuner time.

        Parameters
        ----------
        metric_to_plot
            Name or position of the metric (default: the first).
        figure_path
            Save the figure to this file; ``None``: show it.
        plt_kwargs
            Passed to :meth:`matplotlib.axes.Axes.step` (``figsize`` sets the
            figure size).

        Returns
        -------
        matplotlib.figure.Figure or None
            The figure (``None`` if there are no results).
        """
        name, mode = self._metric_name_mode(metric_to_plot)
        if not self._has_results("plot"):
            return None
        df = self.results.sort_values(ST_TUNER_TIME)
        values = df[name].where(df[name].abs() != float("inf"))  # NaN and +-inf never count as best
        best = (values.cummin() if mode == "min" else values.cummax()).ffill()
        fig, ax = new_figure(plt_kwargs.pop("figsize", None), figure_path is not None)
        ax.step(df[ST_TUNER_TIME], best, where="post", **plt_kwargs)
        ax.set_xlabel("wallclock time (secs)")
        ax.set_ylabel(name)
        ax.set_title(f"Best result over time {self.name}")
        ax.grid(alpha=0.3)
        show_or_save(fig, figure_path)
        return fig

    def plot_trials_over_time(
        self,
        metric_to_plot: str | int = 0,
        figure_path: str | Path | None = None,
        figsize: tuple[float, float] | None = None,
        **plt_kwargs,
    ):
        """Plot each trial's values of a metric against tuner time (one line
        per trial); results after which the scheduler stopped the trial are
        marked with a red cross.

        Parameters
        ----------
        metric_to_plot
            Name or position of the metric (default: the first).
        figure_path
            Save the figure to this file; ``None``: show it.
        figsize
            Width and height in inches (default ``(12, 4)``).
        plt_kwargs
            Passed to :meth:`matplotlib.axes.Axes.plot` for every trial's line.

        Returns
        -------
        matplotlib.figure.Figure or None
            The figure (``None`` if there are no results).
        """
        name, _ = self._metric_name_mode(metric_to_plot)
        if not self._has_results("plot_trials_over_time"):
            return None
        fig, ax = new_figure(figsize or (12, 4), figure_path is not None)
        line_kwargs = {"marker": ".", "alpha": 0.5, **plt_kwargs}
        df = self.results.sort_values(ST_TUNER_TIME)
        for _, trial_df in df.groupby(ST_TRIAL_ID, sort=True):
            ax.plot(trial_df[ST_TUNER_TIME], trial_df[name], **line_kwargs)
        if ST_DECISION in df.columns:
            stopped = df[df[ST_DECISION] == _STOP]
            ax.scatter(stopped[ST_TUNER_TIME], stopped[name], marker="x", color="red")
        ax.set_xlabel("Wallclock time (s)")
        ax.set_ylabel(name)
        ax.set_title("Trials value over time")
        show_or_save(fig, figure_path)
        return fig

    # ------------------------------------------------------------------ #
    # Multi-objective views (see :mod:`syne_tune.experiments.multiobjective`)
    # ------------------------------------------------------------------ #

    def _metrics_and_modes(self, metrics: list[str | int] | None, owner: str) -> list[tuple[str, str]]:
        """``(name, mode)`` of each metric (default: all of the experiment), at least two."""
        if metrics is None:
            names = self.metric_names()
            if len(names) < 2:
                raise ValueError(
                    f"{owner}: experiment {self.name} has a single metric {names}; a Pareto front or "
                    "hypervolume needs at least 2 metrics"
                )
            metrics = names
        if isinstance(metrics, (str, int)) or len(metrics) < 2:
            raise InvalidParameterError(
                f"The 'metrics' parameter of {owner} must be a list of at least 2 metric names or positions "
                f"among {self.metric_names()}. Got {metrics!r} instead."
            )
        pairs = [self._metric_name_mode(metric) for metric in metrics]
        names = [name for name, _ in pairs]
        if len(set(names)) < len(names):
            raise InvalidParameterError(
                f"The 'metrics' parameter of {owner} must name distinct metrics. Got {metrics!r} instead."
            )
        return pairs

    def pareto_front(self, metrics: list[str | int] | None = None, per_trial: str = "last"):
        """Results of the Pareto-optimal trials.

        Parameters
        ----------
        metrics
            Names or positions of at least two metrics of the experiment
            (default: all); their modes come from the metadata.
        per_trial
            ``"last"`` (default): each trial's last result with finite metrics
            competes; ``"all"``: every result does (see
            :func:`~syne_tune.experiments.multiobjective.pareto_set`).

        Returns
        -------
        pandas.DataFrame
            The Pareto-optimal rows, in their original order (empty if there
            are no results).

        Raises
        ------
        ValueError
            If the experiment or ``metrics`` has fewer than two metrics, or a
            metric is not one of the experiment.
        """
        from syne_tune.experiments.multiobjective import pareto_set

        pairs = self._metrics_and_modes(metrics, "ExperimentResult.pareto_front")
        if not self._has_results("pareto_front"):
            return self.results.iloc[:0] if self.results is not None else None
        names, modes = zip(*pairs)
        return pareto_set(self.results, list(names), list(modes), per_trial=per_trial)

    def _minimized_points(self, pairs: list[tuple[str, str]], per_trial: str):
        """Minimized metric values of the rows ``per_trial`` selects, and the signs used."""
        from syne_tune.experiments.multiobjective import _candidate_positions, _minimized, _signs

        signs = _signs([mode for _, mode in pairs], len(pairs), "ExperimentResult")
        values, finite = _minimized(self.results, [name for name, _ in pairs], signs)
        return values[_candidate_positions(self.results, finite, per_trial)], signs

    def hypervolume(
        self, reference_point=None, metrics: list[str | int] | None = None, per_trial: str = "last"
    ) -> float:
        """Hypervolume dominated by the experiment's results.

        Parameters
        ----------
        reference_point
            One value per metric, in the metrics' own units (a "max" metric's
            entry is a value to exceed). Default:
            :func:`~syne_tune.optimizer.schedulers.multiobjective.hypervolume.default_reference_point`
            of the results (Pareto front's nadir plus 10% of its range).
        metrics
            Names or positions of at least two metrics (default: all).
        per_trial
            Which results count, as for :meth:`pareto_front`.

        Returns
        -------
        float
            The hypervolume (0.0 if there are no finite results).

        Raises
        ------
        ValueError
            As for :meth:`pareto_front`, or if ``reference_point`` does not
            have one finite value per metric.
        """
        import numpy as np

        from syne_tune.optimizer.schedulers.multiobjective.hypervolume import (
            default_reference_point,
            hypervolume,
        )

        owner = "ExperimentResult.hypervolume"
        check_parameter(owner, "per_trial", per_trial, [Options(str, {"last", "all"})])
        pairs = self._metrics_and_modes(metrics, owner)
        if reference_point is not None and np.shape(reference_point) != (len(pairs),):
            raise InvalidParameterError(
                f"The 'reference_point' parameter of {owner} must have one value per metric ({len(pairs)}). "
                f"Got {reference_point!r} instead."
            )
        if not self._has_results("hypervolume"):
            return 0.0
        points, signs = self._minimized_points(pairs, per_trial)
        if len(points) == 0:
            return 0.0
        ref = default_reference_point(points) if reference_point is None else np.asarray(reference_point) * signs
        return hypervolume(points, ref)

    def plot_pareto(
        self,
        figure_path: str | Path | None = None,
        metrics: list[str | int] | None = None,
        per_trial: str = "last",
        **plt_kwargs,
    ):
        """Scatter of two metrics of all results with the Pareto front highlighted.

        Parameters
        ----------
        figure_path
            Save the figure to this file (headless); ``None``: show it.
        metrics
            Two metric names or positions (x, y); default: the first two
            metrics of the experiment.
        per_trial
            Which results the front is chosen from, as for :meth:`pareto_front`.
        plt_kwargs
            Passed to :func:`~syne_tune.experiments.multiobjective.plot_pareto_front`
            (``figsize``, ``title``, ``ax``, scatter arguments of the front).

        Returns
        -------
        matplotlib.figure.Figure or None
            The figure (``None`` if there are no results).

        Raises
        ------
        ValueError
            If the experiment has a single metric or ``metrics`` does not name
            two of its metrics.
        """
        from syne_tune.experiments.multiobjective import plot_pareto_front

        owner = "ExperimentResult.plot_pareto"
        if metrics is None:
            metrics = self.metric_names()[:2]
            if len(metrics) < 2:
                self._metrics_and_modes(None, owner)  # raises: single metric
        pairs = self._metrics_and_modes(metrics, owner)
        if len(pairs) != 2:
            raise InvalidParameterError(
                f"The 'metrics' parameter of {owner} must name 2 metrics (x, y). Got {metrics!r} instead."
            )
        if not self._has_results("plot_pareto"):
            return None
        names, modes = zip(*pairs)
        return plot_pareto_front(
            self.results, list(names), list(modes), per_trial=per_trial, figure_path=figure_path, **plt_kwargs
        )

    def plot_hypervolume(
        self,
        metrics_to_plot: list[str | int] | None = None,
        reference_point=None,
        figure_path: str | Path | None = None,
        increment: int = 1,
        **plt_kwargs,
    ):
        """Plot the hypervolume of the results reported so far against tuner time.

        Every result counts from the moment it was reported (all rows, not
        only each trial's last), so the curve is non-decreasing; its final
        value is at least :meth:`hypervolume` with the same reference point.

        Parameters
        ----------
        metrics_to_plot
            Names or positions of at least two metrics (default: all); their
            modes come from the metadata ("min" and "max" may be mixed).
        reference_point
            One value per metric, in the metrics' own units. Default: the
            default reference point of all finite results.
        figure_path
            Save the figure to this file (headless); ``None``: show it.
        increment
            As for :func:`~syne_tune.experiments.multiobjective.hypervolume_indicator_column_generator`.
        plt_kwargs
            Passed to :meth:`matplotlib.axes.Axes.step` (``figsize`` sets the
            figure size).

        Returns
        -------
        matplotlib.figure.Figure or None
            The figure (``None`` if there are no results).

        Raises
        ------
        ValueError
            As for :meth:`hypervolume`.
        """
        from syne_tune.experiments.multiobjective import hypervolume_indicator_column_generator

        pairs = self._metrics_and_modes(metrics_to_plot, "ExperimentResult.plot_hypervolume")
        generator = hypervolume_indicator_column_generator(pairs, reference_point=reference_point, increment=increment)
        if not self._has_results("plot_hypervolume"):
            return None
        df = self.results.sort_values(ST_TUNER_TIME, kind="stable")
        curve = generator(df)
        fig, ax = new_figure(plt_kwargs.pop("figsize", None), figure_path is not None)
        ax.step(df[ST_TUNER_TIME], curve, where="post", **plt_kwargs)
        ax.set_xlabel("wallclock time (secs)")
        ax.set_ylabel("Hypervolume indicator")
        ax.set_title(f"Hypervolume over time {self.name}")
        ax.grid(alpha=0.3)
        show_or_save(fig, figure_path)
        return fig


def _resolve_path(name_or_path: str | Path, local_path: str | None = None) -> Path:
    path = Path(name_or_path)
    if path.is_dir() and (path / ST_METADATA_FILENAME).exists():
        return path
    candidate = experiment_path(str(name_or_path), local_path=local_path)
    if candidate.is_dir():
        return candidate
    root = experiment_path(local_path=local_path)
    matches = sorted(root.glob(f"{name_or_path}*")) if root.is_dir() else []
    matches = [m for m in matches if (m / ST_METADATA_FILENAME).exists()]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise ValueError(f"Several experiments match {name_or_path!r}: {[m.name for m in matches]}")
    raise FileNotFoundError(f"No experiment {name_or_path!r} (looked in {path} and {candidate})")


def load_experiment(
    tuner_name: str | Path,
    download_if_not_found: bool = True,
    load_tuner: bool = False,
    local_path: str | None = None,
    experiment_name: str | None = None,
    errors: str = "raise",
    s3_path: str | None = None,
) -> ExperimentResult:
    """Load a run by tuner name (under ``$SYNETUNE_FOLDER``) or folder path.

    The results are every row the tuner stored, also for a run that was
    killed (they are journaled as they arrive).

    Parameters
    ----------
    tuner_name
        Tuner name, a unique prefix of one, or the path of the run's folder.
    download_if_not_found
        With ``s3_path``: download the run from there if it is not found
        locally (:func:`syne_tune.experiments.s3.download_experiment`).
    load_tuner
        Also restore the :class:`~syne_tune.Tuner` (e.g. to resume it).
    local_path
        Root folder to look in instead of ``$SYNETUNE_FOLDER``.
    experiment_name
        Accepted for compatibility (S3 folder of the run); not used.
    errors
        ``"raise"`` (default): a missing, duplicated or corrupt results file
        raises :class:`~syne_tune.results_store.ResultsIntegrityError`.
        ``"recover"``: load what is readable, with a warning per problem
        (:func:`~syne_tune.results_store.repair_results` makes it permanent).
    s3_path
        S3 folder holding the run folder (e.g. the results of a
        :class:`~syne_tune.remote.remote_launcher.RemoteLauncher` job);
        ``None``: runs are never downloaded.

    Returns
    -------
    ExperimentResult
        The run's results, metadata and (optionally) Tuner.

    Raises
    ------
    FileNotFoundError
        If no run matches ``tuner_name``.
    ValueError
        If several runs match, or ``metadata.json`` is not valid JSON.
    ResultsIntegrityError
        If the stored results are incomplete or corrupt (``errors="raise"``).
    """
    from syne_tune.results_store import read_results

    try:
        path = _resolve_path(tuner_name, local_path)
    except FileNotFoundError:
        if not (download_if_not_found and s3_path):
            raise
        from syne_tune.experiments.s3 import download_experiment

        path = download_experiment(str(tuner_name), s3_path, local_root=local_path)
    try:
        metadata = load_json(path / ST_METADATA_FILENAME)
    except ValueError as ex:
        raise ValueError(f"{path / ST_METADATA_FILENAME} is not valid JSON: {ex}") from ex
    results = read_results(path, errors=errors)
    tuner = None
    if load_tuner:
        from syne_tune.tuner import Tuner

        tuner = Tuner.load(path / ST_TUNER_DILL_FILENAME)
    return ExperimentResult(name=path.name, results=results, metadata=metadata, tuner=tuner, path=path)


def get_metadata(path_filter: Callable[[str], bool] | None = None, root: str | Path | None = None) -> dict[str, dict]:
    """Metadata of every run under ``root``, by run folder (relative to ``root``).

    Parameters
    ----------
    path_filter
        Keep only runs whose folder path passes this filter.
    root
        Folder to search (default ``$SYNETUNE_FOLDER``).
    """
    root = Path(root) if root else experiment_path()
    out = {}
    for meta in sorted(root.rglob(ST_METADATA_FILENAME)):
        folder = meta.parent
        if path_filter is not None and not path_filter(str(folder)):
            continue
        try:
            out[str(folder.relative_to(root))] = load_json(meta)
        except ValueError:
            logger.warning("Skipping %s: invalid JSON", meta)
    return out


def list_experiments(
    path_filter: Callable[[str], bool] | None = None,
    experiment_filter: Callable[[ExperimentResult], bool] | None = None,
    root: str | Path | None = None,
    load_tuner: bool = False,
) -> list[ExperimentResult]:
    """Load every run under ``root`` that passes the filters.

    Parameters
    ----------
    path_filter
        Keep only runs whose folder path passes this filter (cheap: applied
        before loading).
    experiment_filter
        Keep only loaded runs that pass this filter.
    root
        Folder to search (default ``$SYNETUNE_FOLDER``).
    load_tuner
        Also restore each run's Tuner.
    """
    root = Path(root) if root else experiment_path()
    results = []
    for name in get_metadata(path_filter, root):
        exp = load_experiment(root / name, load_tuner=load_tuner)
        if experiment_filter is None or experiment_filter(exp):
            results.append(exp)
    return results


def load_experiments_df(
    path_filter: Callable[[str], bool] | None = None,
    experiment_filter: Callable[[ExperimentResult], bool] | None = None,
    root: str | Path | None = None,
    load_tuner: bool = False,
):
    """Results of all runs of :func:`list_experiments` in one DataFrame.

    Each run's rows get a ``tuner_name`` column and one column per metadata
    entry (a list-valued entry ``k`` of several values gives columns
    ``k-0``, ``k-1``, ...; of one value, column ``k``).

    Returns
    -------
    pandas.DataFrame
        Empty if no run is found.
    """
    import pandas as pd

    frames = []
    for exp in list_experiments(path_filter, experiment_filter, root, load_tuner):
        if exp.results is None or len(exp.results) == 0:
            continue
        extra: dict[str, Any] = {"tuner_name": exp.name}
        for key, value in exp.metadata.items():
            if isinstance(value, list):
                if len(value) == 1:
                    extra[key] = value[0]
                else:
                    extra.update({f"{key}-{i}": v for i, v in enumerate(value)})
            elif not isinstance(value, dict):
                extra[key] = value
        frames.append(exp.results.assign(**extra))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
