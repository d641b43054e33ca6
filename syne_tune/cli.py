"""The ``syne-tune`` command line: the experiments under the results folder,
and the benchmarks of the blackbox repository and benchmark definitions.

Sub-commands (``syne-tune <command> --help`` describes each):

* ``list``: every experiment under the results root, newest first, with its
  start time, number of trials, metrics and state;
* ``show NAME``: an experiment's best configuration and value (per metric),
  its trials counted by status and a summary of each metric over trials (and
  the Pareto-optimal trials of a multi-objective run);
* ``plot NAME [--output PATH]``: a PNG of the best value found so far against
  time (default ``best_so_far.png`` in the experiment's folder) and, for a
  multi-objective run, a second one of the Pareto front of its first two
  metrics (``<stem>_pareto.png`` beside it); prints the paths written;
* ``export NAME --format csv|parquet [--output PATH]``: all results of an
  experiment in one file;
* ``benchmarks``: the blackboxes of the blackbox repository (whether each can
  be loaded here, what the others need) and the benchmark definitions
  (:mod:`syne_tune.experiments.benchmark_definitions`).

The results root is ``--results-root`` if given, else the folder the Tuner
writes to (:func:`syne_tune.utils.paths.experiment_path`: ``$SYNETUNE_FOLDER``,
default ``~/syne-tune``). ``NAME`` is an experiment's name (its folder relative
to the root, as ``list`` prints it), a unique prefix of one, or the path of an
experiment folder.

Exit codes: 0 success; 1 the experiment is not found (the message names what
was asked, where it looked and the closest existing names), is ambiguous, or
the command cannot be done on it (no results, unreadable results, matplotlib
missing for ``plot``); 2 usage error (unknown command or option, a metric the
experiment does not have).

Trial statuses come from the run's tuner snapshot (``tuner.dill``) when it
can be read here; otherwise (``save_tuner=False``, or a snapshot referring to
code that cannot be imported here) they are derived from the results: a trial
whose last result got the scheduler's STOP (PAUSE) decision is "Stopped"
("Paused"), one with unusable results "Failed", any other "Unknown". The
state ``list`` prints is "finished" (the snapshot has no trial in progress),
"running/interrupted" (it has: the run is still going, or was interrupted or
killed and can be resumed with ``Tuner.load``) or "unknown" (no readable
snapshot).

The module imports only the standard library and light parts of the
package at import time; pandas, the experiment tools and matplotlib (only
for ``plot``) are imported when a command needs them.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Sequence

from syne_tune.constants import (
    ST_DECISION,
    ST_INVALID,
    ST_METADATA_FILENAME,
    ST_TRIAL_ID,
    ST_TUNER_CREATION_TIMESTAMP,
    ST_TUNER_START_TIMESTAMP,
)
from syne_tune.utils.paths import experiment_path
from syne_tune.utils.validation import closest_names

__all__ = ["main", "build_parser", "CommandError", "TrialStatuses", "resolve_experiment", "trial_statuses"]

PROG = "syne-tune"

#: Exit code of a command that cannot be done (unknown experiment, no results, ...).
EXIT_FAILURE = 1
#: Exit code of a usage error (argparse uses it too).
EXIT_USAGE = 2

#: Statuses of a trial that is still running in a tuner snapshot.
_RUNNING_STATUSES = ("InProgress", "Stopping")

#: How many Pareto-optimal trials ``show`` prints.
_MAX_FRONT_ROWS = 10

_EXPORT_FORMATS = ("csv", "parquet")


class CommandError(Exception):
    """A command cannot be done; ``exit_code`` is what ``main`` returns.

    Parameters
    ----------
    message
        What went wrong, printed on stderr.
    exit_code
        :data:`EXIT_FAILURE` (default) or :data:`EXIT_USAGE`.
    """

    def __init__(self, message: str, exit_code: int = EXIT_FAILURE):
        super().__init__(message)
        self.exit_code = exit_code


# --------------------------------------------------------------------------- #
# Finding experiments
# --------------------------------------------------------------------------- #


def _results_root(args: argparse.Namespace) -> Path:
    root = getattr(args, "results_root", None)
    return Path(root).expanduser() if root else experiment_path()


def _experiment_names(root: Path) -> dict[str, dict]:
    """Metadata of every experiment under ``root``, by name (folder relative to ``root``)."""
    if not root.is_dir():
        return {}
    from syne_tune.experiments import get_metadata

    return {Path(name).as_posix(): meta for name, meta in get_metadata(root=root).items()}


def _start_timestamp(metadata: dict) -> float:
    for key in (ST_TUNER_START_TIMESTAMP, ST_TUNER_CREATION_TIMESTAMP):
        value = metadata.get(key)
        if isinstance(value, (int, float)):
            return float(value)
    return float("-inf")


def _suggestions(name: str, names: Sequence[str]) -> list[str]:
    """Existing names closest to ``name``: by full name, and by name without
    the tuner's timestamp suffix (newest first within a base name)."""
    suggestions = closest_names(name, names)
    by_base: dict[str, list[str]] = {}
    for candidate in names:
        by_base.setdefault(_base_name(candidate), []).append(candidate)
    for base in closest_names(name, by_base):
        for candidate in sorted(by_base[base], reverse=True):
            if candidate not in suggestions:
                suggestions.append(candidate)
    return suggestions[:5]


def _base_name(name: str) -> str:
    """``name`` without a ``-YYYY-MM-DD-HH-MM-SS-mmm`` suffix (see
    :func:`~syne_tune.utils.paths.name_from_base`)."""
    parts = name.split("-")
    if len(parts) > 7 and all(part.isdigit() for part in parts[-7:]):
        return "-".join(parts[:-7])
    return name


def resolve_experiment(name: str, root: Path) -> Path:
    """Folder of the experiment ``name`` under ``root``.

    Parameters
    ----------
    name
        Experiment name (folder relative to ``root``), a unique prefix of one,
        or the path of an experiment folder.
    root
        Results root.

    Returns
    -------
    Path
        The experiment's folder.

    Raises
    ------
    CommandError
        If no experiment or several match (exit code 1); the message names
        what was asked, where it looked and the closest existing names.
    """
    given = Path(name).expanduser()
    if given.is_dir() and (given / ST_METADATA_FILENAME).is_file():
        return given
    names = sorted(_experiment_names(root))
    if name in names:
        return root / name
    matches = [candidate for candidate in names if candidate.startswith(name)]
    if len(matches) == 1:
        return root / matches[0]
    if len(matches) > 1:
        raise CommandError(
            f"{name!r} matches {len(matches)} experiments under {root}: {', '.join(matches)}. "
            "Give the full name."
        )
    where = f"under {root}" if root.is_dir() else f"under {root} (the folder does not exist)"
    message = f"No experiment {name!r} {where}; also not an experiment folder itself."
    if not names:
        message += " There are no experiments there (use --results-root or $SYNETUNE_FOLDER to look elsewhere)."
    else:
        close = _suggestions(name, names)
        message += (
            f" Closest names: {', '.join(close)}." if close else f" `{PROG} list` shows the {len(names)} experiments."
        )
    raise CommandError(message)


def _load(name: str, args: argparse.Namespace):
    """The :class:`~syne_tune.experiments.ExperimentResult` of ``name``."""
    from syne_tune.experiments import load_experiment

    path = resolve_experiment(name, _results_root(args))
    try:
        return load_experiment(path)
    except ValueError as ex:  # invalid metadata JSON, corrupt or incomplete results
        raise CommandError(f"Experiment {path} cannot be read: {ex}") from ex


# --------------------------------------------------------------------------- #
# Trial statuses
# --------------------------------------------------------------------------- #


@dataclass
class TrialStatuses:
    """Status of each trial of an experiment, and where it comes from.

    Attributes
    ----------
    statuses
        ``trial_id -> status`` (a :class:`~syne_tune.trial.Status` string, or
        "Unknown" when derived from the results).
    source
        ``"tuner snapshot"`` or ``"results"``.
    note
        Why the snapshot was not used (``None`` if it was).
    """

    statuses: dict[int, str]
    source: str
    note: str | None = None

    def counts(self) -> dict[str, int]:
        """Number of trials per status, most frequent first."""
        counts: dict[str, int] = {}
        for status in self.statuses.values():
            counts[status] = counts.get(status, 0) + 1
        return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))

    def state(self) -> str:
        """State of the run: "finished", "running/interrupted" or "unknown"."""
        if self.source != "tuner snapshot":
            return "unknown"
        if any(status in _RUNNING_STATUSES for status in self.statuses.values()):
            return "running/interrupted"
        return "finished"


def _statuses_from_results(results) -> dict[int, str]:
    if results is None or len(results) == 0 or ST_TRIAL_ID not in results.columns:
        return {}
    statuses = {}
    for trial_id, rows in results.groupby(ST_TRIAL_ID, sort=True):
        last_decision = rows[ST_DECISION].iloc[-1] if ST_DECISION in rows.columns else None
        if ST_INVALID in rows.columns and rows[ST_INVALID].notna().any():
            status = "Failed"
        elif last_decision == "STOP":
            status = "Stopped"
        elif last_decision == "PAUSE":
            status = "Paused"
        else:
            status = "Unknown"
        statuses[int(trial_id)] = status
    return statuses


def trial_statuses(experiment) -> TrialStatuses:
    """Status of every trial of ``experiment`` (see the module docstring).

    Parameters
    ----------
    experiment
        An :class:`~syne_tune.experiments.ExperimentResult`.

    Returns
    -------
    TrialStatuses
        From the tuner snapshot if it can be read here, else from the results.
    """
    from syne_tune.constants import ST_TUNER_DILL_FILENAME

    snapshot = Path(experiment.path) / ST_TUNER_DILL_FILENAME
    if not snapshot.is_file():
        note = "no tuner snapshot (tuner.dill) in the folder"
    else:
        from syne_tune.tuner import Tuner

        try:
            rows = Tuner.load(snapshot).tuning_status.trial_rows
        except Exception as ex:  # any unpickling problem: fall back to the results
            note = f"the tuner snapshot cannot be read here ({type(ex).__name__}: {ex})"
        else:
            return TrialStatuses({int(tid): str(row["status"]) for tid, row in rows.items()}, "tuner snapshot")
    return TrialStatuses(_statuses_from_results(experiment.results), "results", note)


# --------------------------------------------------------------------------- #
# Formatting
# --------------------------------------------------------------------------- #


def _format_time(timestamp: float) -> str:
    if timestamp == float("-inf"):
        return "?"
    return datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M:%S")


def _metrics_text(metadata: dict) -> str:
    names = metadata.get("metric_names") or []
    modes = metadata.get("metric_mode", "min")
    modes = [modes] * len(names) if isinstance(modes, str) else list(modes)
    return ", ".join(f"{name} ({mode})" for name, mode in zip(names, modes)) or "?"


def _value_text(value: Any) -> str:
    return f"{value:.6g}" if isinstance(value, float) else str(value)


def _print_table(frame) -> None:
    """Print a pandas DataFrame without its index (floats with 6 significant digits)."""
    print(frame.to_string(index=False, float_format=_value_text))


def _metric_pairs(experiment) -> list[tuple[str, str]]:
    """``(name, mode)`` of each metric of the experiment."""
    names = experiment.metric_names()
    modes = experiment.metric_mode()
    modes = [modes] * len(names) if isinstance(modes, str) else list(modes)
    return list(zip(names, modes))


def _config_text(row: dict) -> str:
    prefix = "config_"
    return ", ".join(f"{key[len(prefix):]}={_value_text(value)}" for key, value in row.items() if key.startswith(prefix))


# --------------------------------------------------------------------------- #
# Commands
# --------------------------------------------------------------------------- #


def _cmd_list(args: argparse.Namespace) -> int:
    import pandas as pd

    from syne_tune.experiments import load_experiment

    root = _results_root(args)
    experiments = _experiment_names(root)
    if not experiments:
        where = "" if root.is_dir() else " (the folder does not exist)"
        print(f"No experiments under {root}{where}.")
        return 0
    rows = []
    for name, metadata in sorted(experiments.items(), key=lambda item: _start_timestamp(item[1]), reverse=True):
        row = {
            "name": name,
            "started": _format_time(_start_timestamp(metadata)),
            "trials": "?",
            "metrics": _metrics_text(metadata),
            "best": "",
            "state": "unreadable",
        }
        try:
            experiment = load_experiment(root / name)
        except ValueError as ex:
            row["state"] = f"unreadable ({type(ex).__name__})"
        else:
            statuses = trial_statuses(experiment)
            row["trials"] = len(statuses.statuses)
            row["state"] = statuses.state()
            row["best"] = _best_text(experiment)
        rows.append(row)
    print(f"{len(rows)} experiments under {root} (newest first):")
    _print_table(pd.DataFrame(rows))
    return 0


def _best_text(experiment) -> str:
    """Best value of the first metric ("" if there is none)."""
    if experiment.results is None or len(experiment.results) == 0:
        return ""
    name = experiment.metric_names()[0]
    try:
        return _value_text(experiment.best_config(0)[name])
    except ValueError:  # no finite value
        return ""


def _metric_summary(experiment):
    """Per metric: number of trials, and min / median / max over trials of
    each trial's best (finite) value."""
    import numpy as np
    import pandas as pd

    results = experiment.results
    rows = []
    for name, mode in _metric_pairs(experiment):
        if name not in results.columns:
            continue
        values = pd.to_numeric(results[name], errors="coerce").where(lambda v: np.isfinite(v))
        grouped = values.groupby(results[ST_TRIAL_ID])
        per_trial = (grouped.min() if mode == "min" else grouped.max()).dropna()
        if len(per_trial) == 0:
            continue
        rows.append({
            "metric": f"{name} ({mode})",
            "trials": len(per_trial),
            "min": per_trial.min(),
            "median": per_trial.median(),
            "max": per_trial.max(),
        })
    return pd.DataFrame(rows)


def _cmd_show(args: argparse.Namespace) -> int:
    experiment = _load(args.name, args)
    metadata = experiment.metadata
    print(f"Experiment {experiment.name}")
    print(f"  folder:    {experiment.path}")
    print(f"  started:   {_format_time(_start_timestamp(metadata))}")
    print(f"  scheduler: {metadata.get('scheduler_name', '?')}, backend: {metadata.get('backend', '?')}")
    print(f"  metrics:   {_metrics_text(metadata)}")
    results = experiment.results
    num_results = 0 if results is None else len(results)
    statuses = trial_statuses(experiment)
    print(f"  state:     {statuses.state()}")
    print(f"  results:   {num_results}")
    counts = ", ".join(f"{status} {count}" for status, count in statuses.counts().items()) or "none"
    print(f"Trials by status (from the {statuses.source}): {counts}")
    if statuses.note:
        print(f"  ({statuses.note})")
    if num_results == 0:
        print("No results yet.")
        return 0
    pairs = _metric_pairs(experiment)
    for index, (name, mode) in enumerate(pairs):
        try:
            best = experiment.best_config(index)
        except ValueError as ex:
            print(f"Best {name} ({mode}): none ({ex})")
            continue
        print(f"Best {name} ({mode}): {_value_text(best[name])} in trial {best[ST_TRIAL_ID]}")
        print(f"  config: {_config_text(best)}")
    summary = _metric_summary(experiment)
    if len(summary) > 0:
        print("Metric over trials (each trial's best value):")
        _print_table(summary)
    if len(pairs) >= 2:
        front = experiment.pareto_front()
        names = [name for name, _ in pairs]
        config_columns = [c for c in front.columns if str(c).startswith("config_")]
        print(f"Pareto front ({', '.join(names)}; each trial's last result): {len(front)} trials")
        if len(front) > 0:
            shown = front[[ST_TRIAL_ID, *names, *config_columns]].head(_MAX_FRONT_ROWS)
            _print_table(shown)
            if len(front) > _MAX_FRONT_ROWS:
                print(f"... and {len(front) - _MAX_FRONT_ROWS} more")
    return 0


def _pareto_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}_pareto{path.suffix or '.png'}")


def _cmd_plot(args: argparse.Namespace) -> int:
    experiment = _load(args.name, args)
    names = experiment.metric_names()
    metric = args.metric if args.metric is not None else names[0]
    if metric not in names:
        close = closest_names(metric, names)
        hint = f" (did you mean {' or '.join(map(repr, close))}?)" if close else ""
        raise CommandError(
            f"--metric must be a metric of experiment {experiment.name}: one of {names}. Got {metric!r}{hint}.",
            EXIT_USAGE,
        )
    if experiment.results is None or len(experiment.results) == 0:
        raise CommandError(f"Experiment {experiment.name} has no results to plot.")
    output = Path(args.output).expanduser() if args.output else experiment.path / "best_so_far.png"
    output.parent.mkdir(parents=True, exist_ok=True)
    paths = [output]
    try:
        experiment.plot(metric_to_plot=metric, figure_path=output)
        if len(names) >= 2:
            pareto = _pareto_path(output)
            experiment.plot_pareto(figure_path=pareto)
            paths.append(pareto)
    except ImportError as ex:  # matplotlib missing
        raise CommandError(str(ex)) from ex
    for path in paths:
        print(path)
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    experiment = _load(args.name, args)
    results = experiment.results
    if results is None or len(results) == 0:
        raise CommandError(f"Experiment {experiment.name} has no results to export.")
    default_name = experiment.name.replace("/", "_") + f".{args.format}"
    output = Path(args.output).expanduser() if args.output else Path.cwd() / default_name
    output.parent.mkdir(parents=True, exist_ok=True)
    if args.format == "csv":
        results.to_csv(output, index=False)
    else:
        from syne_tune.results_store import _to_parquet

        _to_parquet(results, output)
    print(f"{len(results)} results of {experiment.name} written to {output}")
    return 0


def _definition_rows(definitions: dict[str, Any], fields: Sequence[str], only_available: bool,
                     available: dict[str, bool] | None = None) -> list[dict]:
    """One row per benchmark definition: its name, ``fields`` and (for
    simulated benchmarks) whether its blackbox can be loaded here."""
    rows = []
    for name, definition in sorted(definitions.items()):
        row = {"benchmark": name, **{key: getattr(definition, key) for key in fields}}
        if available is not None:
            row["available"] = "yes" if available.get(definition.blackbox_name, False) else "no"
            if only_available and row["available"] == "no":
                continue
        rows.append(row)
    return rows


def _cmd_benchmarks(args: argparse.Namespace) -> int:
    import pandas as pd

    from syne_tune.blackbox_repository import blackbox_availability
    from syne_tune.experiments.benchmark_definitions import benchmark_definitions, real_benchmark_definitions

    entries = blackbox_availability()
    available = {entry.name: entry.available for entry in entries}
    shown = [entry for entry in entries if entry.available or not args.available]
    print(f"Blackboxes ({len(entries)}, {sum(available.values())} can be loaded here):")
    _print_table(pd.DataFrame([
        {"blackbox": e.name, "available": "yes" if e.available else "no", "stored": "yes" if e.stored else "no"}
        for e in shown
    ]))
    missing = [entry for entry in shown if not entry.available]
    if missing:
        print("\nWhat the others need:")
        for entry in missing:
            print(f"  {entry.name}: {entry.missing}")
    if args.details:
        print("\nSources:")
        for entry in shown:
            print(f"  {entry.name}: {entry.source}")
    simulated = _definition_rows(
        benchmark_definitions(),
        ["blackbox_name", "dataset_name", "metric", "mode", "max_wallclock_time", "n_workers"],
        args.available,
        available,
    )
    print(f"\nSimulated benchmarks ({len(simulated)}; max_wallclock_time in simulated seconds):")
    if simulated:
        _print_table(pd.DataFrame(simulated).rename(columns={"blackbox_name": "blackbox", "dataset_name": "dataset"}))
    real = _definition_rows(
        real_benchmark_definitions(), ["script", "metric", "mode", "max_wallclock_time", "n_workers"], args.available
    )
    print(f"\nReal benchmarks ({len(real)}; training scripts run on this machine):")
    if real:
        _print_table(pd.DataFrame(real))
    return 0


# --------------------------------------------------------------------------- #
# Parser and entry point
# --------------------------------------------------------------------------- #


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``syne-tune`` command (one sub-parser per command)."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Look at Syne Tune experiments and at the available benchmarks.",
        epilog=f"Run '{PROG} <command> --help' for the options of a command.",
    )
    root_help = "folder holding the experiments (default: $SYNETUNE_FOLDER, else ~/syne-tune)"
    parser.add_argument("--results-root", help=root_help)
    # on the sub-commands too; SUPPRESS keeps a value given before the command
    root_parent = argparse.ArgumentParser(add_help=False)
    root_parent.add_argument("--results-root", default=argparse.SUPPRESS, help=root_help)
    name_help = "experiment name (as 'list' prints it), a unique prefix of one, or an experiment folder"

    commands = parser.add_subparsers(dest="command", metavar="command", required=True)
    p = commands.add_parser(
        "list", parents=[root_parent], help="experiments under the results root, newest first",
        description="List the experiments under the results root, newest first: name, start time, number of "
        "trials, metrics (with their modes), best value of the first metric and state (finished, "
        "running/interrupted, unknown).",
    )
    p.set_defaults(func=_cmd_list)

    p = commands.add_parser(
        "show", parents=[root_parent], help="best configuration, trial counts by status, metric summary",
        description="Show an experiment: best configuration and value of each metric, trials counted by status, "
        "min/median/max over trials of each trial's best value, and the Pareto front of a multi-objective run.",
    )
    p.add_argument("name", help=name_help)
    p.set_defaults(func=_cmd_show)

    p = commands.add_parser(
        "plot", parents=[root_parent], help="PNG of the best value so far (and the Pareto front)",
        description="Plot the best value found so far against tuner time (and, for a multi-objective run, the "
        "Pareto front of its first two metrics, in a second file '<output stem>_pareto.png'); print the paths.",
    )
    p.add_argument("name", help=name_help)
    p.add_argument("--output", help="PNG file to write (default: best_so_far.png in the experiment's folder)")
    p.add_argument("--metric", help="metric of the best-so-far plot (default: the first)")
    p.set_defaults(func=_cmd_plot)

    p = commands.add_parser(
        "export", parents=[root_parent], help="all results of an experiment as CSV or parquet",
        description="Write all results of an experiment (one row per reported result) to a CSV or parquet file.",
    )
    p.add_argument("name", help=name_help)
    p.add_argument("--format", choices=_EXPORT_FORMATS, default="csv", help="file format (default: csv)")
    p.add_argument("--output", help="file to write (default: <name>.<format> in the current folder)")
    p.set_defaults(func=_cmd_export)

    p = commands.add_parser(
        "benchmarks", help="the blackboxes and benchmark definitions, and whether each can be loaded here",
        description="List the blackboxes of the blackbox repository (whether each can be loaded here and is "
        "stored locally; what the others need; with --details where the data come from) and the benchmark "
        "definitions of syne_tune.experiments.benchmark_definitions (simulated ones on a blackbox, real ones "
        "running a training script).",
    )
    p.add_argument("--available", action="store_true", help="only what can be loaded here")
    p.add_argument("--details", action="store_true", help="also where each blackbox's data come from")
    p.set_defaults(func=_cmd_benchmarks)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``syne-tune`` command line.

    Parameters
    ----------
    argv
        Arguments without the program name (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        Exit code: 0 success, 1 the command cannot be done (unknown or
        unreadable experiment, ...), 2 usage error.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as ex:  # --help (0) or a usage error (2)
        return ex.code if isinstance(ex.code, int) else EXIT_USAGE
    try:
        return args.func(args)
    except CommandError as ex:
        print(f"{PROG} {args.command}: error: {ex}", file=sys.stderr)
        return ex.exit_code
    except BrokenPipeError:  # output piped into a program that stopped reading (e.g. head)
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return EXIT_FAILURE


if __name__ == "__main__":
    sys.exit(main())
