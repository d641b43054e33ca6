"""Load the results of a tuning run and look at them."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from syne_tune.constants import (
    ST_METADATA_FILENAME,
    ST_TRIAL_ID,
    ST_TUNER_CREATION_TIMESTAMP,
    ST_TUNER_DILL_FILENAME,
    ST_TUNER_TIME,
)
from syne_tune.util import experiment_path, load_json

logger = logging.getLogger(__name__)


def best_config_from_results(results, metric: str, mode: str) -> tuple[int, dict]:
    """``(trial_id, config)`` of the row with the best ``metric`` in a results DataFrame."""
    if results is None or len(results) == 0:
        raise ValueError("No results yet: cannot determine the best configuration")
    if metric not in results.columns:
        raise ValueError(f"Metric {metric!r} not in the results (columns: {sorted(results.columns)})")
    if mode not in ("min", "max"):
        raise ValueError(f"mode must be 'min' or 'max', got {mode!r}")
    values = results[metric]
    index = values.idxmin() if mode == "min" else values.idxmax()
    row = results.loc[index]
    config = {col[len("config_"):]: _plain(row[col]) for col in results.columns if col.startswith("config_")}
    return int(row[ST_TRIAL_ID]), config


def _plain(value):
    if hasattr(value, "item"):
        return value.item()
    return value


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
        n = 0 if self.results is None else len(self.results)
        return f"ExperimentResult({self.name}: {n} results, scheduler {self.metadata.get('scheduler_name')})"

    def creation_date(self):
        from datetime import datetime

        return datetime.fromtimestamp(self.metadata[ST_TUNER_CREATION_TIMESTAMP])

    def metric_names(self) -> list[str]:
        return list(self.metadata["metric_names"])

    def metric_mode(self) -> str | list[str]:
        return self.metadata["metric_mode"]

    def entrypoint_name(self) -> str:
        return Path(self.metadata.get("entrypoint", "")).stem

    def _metric_and_mode(self, metric: str | int) -> tuple[str, str]:
        names = self.metric_names()
        modes = self.metric_mode()
        if isinstance(metric, int):
            if not 0 <= metric < len(names):
                raise ValueError(f"metric index {metric} out of range for metrics {names}")
            index = metric
        else:
            if metric not in names:
                raise ValueError(f"Unknown metric {metric!r}; this experiment's metrics are {names}")
            index = names.index(metric)
        mode = modes if isinstance(modes, str) else modes[index]
        return names[index], mode

    def best_config(self, metric: str | int = 0) -> dict:
        """The best configuration for ``metric`` (name or index), with
        ``trial_id`` and the metric's value added."""
        name, mode = self._metric_and_mode(metric)
        trial_id, config = best_config_from_results(self.results, name, mode)
        rows = self.results[self.results[ST_TRIAL_ID] == trial_id][name]
        best_value = rows.min() if mode == "min" else rows.max()
        return {"trial_id": trial_id, name: _plain(best_value), **config}

    def plot(self, metric_to_plot: str | int = 0, figure_path: str | None = None, **plt_kwargs):
        """Plot the best metric found so far against tuner time (seconds).

        Saved to ``figure_path`` if given, else shown. Returns the figure.
        """
        import matplotlib

        if figure_path is not None:
            matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt

        name, mode = self._metric_and_mode(metric_to_plot)
        df = self.results.sort_values(ST_TUNER_TIME)
        best = df[name].cummin() if mode == "min" else df[name].cummax()
        fig, ax = plt.subplots(figsize=plt_kwargs.pop("figsize", (7, 4)))
        ax.step(df[ST_TUNER_TIME], best, where="post", **plt_kwargs)
        ax.scatter(df[ST_TUNER_TIME], df[name], s=6, alpha=0.3, color="gray", label="reported")
        ax.set_xlabel("wall-clock time (s)")
        ax.set_ylabel(f"best {name} ({mode})")
        ax.set_title(self.name)
        ax.grid(alpha=0.3)
        fig.tight_layout()
        if figure_path is not None:
            fig.savefig(figure_path, dpi=120)
            plt.close(fig)
        else:
            plt.show()
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
) -> ExperimentResult:
    """Load a run by tuner name (under ``$SYNETUNE_FOLDER``) or folder path.

    Parameters
    ----------
    tuner_name
        Tuner name, a unique prefix of one, or the path of the run's folder.
    load_tuner
        Also restore the :class:`~syne_tune.Tuner` (e.g. to resume it).
    local_path
        Root folder to look in instead of ``$SYNETUNE_FOLDER``.
    """
    from syne_tune.results_callback import read_results

    path = _resolve_path(tuner_name, local_path)
    try:
        metadata = load_json(path / ST_METADATA_FILENAME)
    except ValueError as ex:
        raise ValueError(f"{path / ST_METADATA_FILENAME} is not valid JSON: {ex}") from ex
    results = read_results(path)
    tuner = None
    if load_tuner:
        from syne_tune.tuner import Tuner

        tuner = Tuner.load(path / ST_TUNER_DILL_FILENAME)
    return ExperimentResult(name=path.name, results=results, metadata=metadata, tuner=tuner, path=path)


def get_metadata(path_filter=None, root: str | Path | None = None) -> dict[str, dict]:
    """Metadata of every run under ``root`` (default ``$SYNETUNE_FOLDER``), by run name."""
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


def list_experiments(path_filter=None, experiment_filter=None, root: str | Path | None = None, load_tuner: bool = False) -> list[ExperimentResult]:
    """Load every run under ``root`` that passes the filters."""
    root = Path(root) if root else experiment_path()
    results = []
    for name in get_metadata(path_filter, root):
        exp = load_experiment(root / name, load_tuner=load_tuner)
        if experiment_filter is None or experiment_filter(exp):
            results.append(exp)
    return results
