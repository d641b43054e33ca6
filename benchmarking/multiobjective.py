"""Quality benchmark of the multi-objective methods on simulated real benchmarks.

Every run is a ``Tuner`` on the simulator (4 workers, ``sleep_time=0``) over a
tabulated blackbox with a learning-curve fidelity (``lcbench`` tasks, ``nmt``
language pairs; the benchmarks of ``benchmarking/mf_comparison.py``);
configurations are drawn from the table only (``restrict_configurations``,
``points_to_evaluate=[]``). A run is determined by its seed (the blackbox seed
is 0 and the real time of the scheduler's decisions is not added).

Two objectives, both minimized after signing: the benchmark's metric
(``val_accuracy`` of lcbench, maximized; ``dev_ppl`` of nmt, minimized) and
the training time of the model (the table's elapsed time at the epoch of the
result). Every reported result is a point: the model after ``r`` epochs has
that metric and cost that time (a model stopped early is a model too).

Methods (``syne_tune.optimizer.baselines``):

* ``RS``: ``RandomSearch`` with both metrics (every trial runs to the end);
* ``MOASHA``: multi-objective ASHA (non-dominated sorting with an epsilon-net
  tie-break at every rung; ``time_attr`` = the fidelity, ``max_t`` = its
  maximum);
* ``NSGA2``: NSGA-II, population 20;
* ``MOREA``: multi-objective regularized evolution, population 10, samples of
  5 (the default population of 100 would be random search for these budgets);
* ``MOBO``: ``MORandomScalarizationBayesOpt`` (one GP per objective, random
  Chebyshev scalarizations).

Figure: the hypervolume of all points reported up to 25%, 50% and 100% of
the budget (``--budget-factor`` times the median time of one full training
run, simulated wall-clock). Before computing it, each objective is scaled to
``[0, 1]`` by its minimum and maximum over the whole table (all
configurations and epochs of blackbox seed 0), and the reference point is
``(1, 1)``: the hypervolume is the fraction of the unit square dominated.
The summary gives the mean and standard error over seeds; the verdict
compares each method with ``RS`` at 100% and 50% of the budget.

Usage:
    python benchmarking/multiobjective.py [--seeds 0 1 ...] [--benchmarks lcbench-airlines ...]
        [--methods RS MOASHA ...] [--budget-factor 20] [--workers N] [--out runs.json]
        [--results-md benchmarking/results/multiobjective.md]

The blackboxes come from the blackbox repository (``~/.blackbox-repository``
or ``$SYNE_TUNE_BLACKBOX_REPOSITORY``), generated from the data mirror
(``../shared/data`` or ``$SYNE_TUNE_DATA_MIRROR``) when needed.
"""

from __future__ import annotations

import argparse
import datetime
import json
import logging
import math
import os
import shlex
import sys
from pathlib import Path

import numpy as np

_HERE = Path(__file__).resolve().parent


if str(_HERE) not in sys.path:
    sys.path.insert(0, str(_HERE))
import campaign  # noqa: E402  (simulated runs, parallel jobs, progress, statistics)

#: benchmarks, benchmark info and blackbox loading of mf_comparison.py
mfc = campaign.load_sibling("_mf_comparison_for_multiobjective", "mf_comparison.py")

N_WORKERS = mfc.N_WORKERS
MAX_RESOURCE_ATTR = mfc.MAX_RESOURCE_ATTR
FRACTIONS = (0.25, 0.5, 1.0)
BENCHMARKS = dict(mfc.BENCHMARKS)
DEFAULT_BENCHMARKS = [
    "lcbench-Fashion-MNIST",
    "lcbench-airlines",
    "lcbench-albert",
    "lcbench-christine",
    "lcbench-covertype",
    "nmt-zh-en",
    "nmt-ru-en",
]
METHODS = ["RS", "MOASHA", "NSGA2", "MOREA", "MOBO"]
REFERENCE = "RS"


# ------------------------------------------------------------------ methods
def _objectives(info: dict) -> tuple[list[str], list[str]]:
    return [info["metric"], info["elapsed"]], [info["mode"], "min"]


def _common(info: dict, seed: int) -> dict:
    metrics, modes = _objectives(info)
    return dict(
        metric=metrics,
        mode=modes,
        random_seed=seed,
        search_options={"restrict_configurations": info["configs"]},
        points_to_evaluate=[],
    )


def make_scheduler(method: str, info: dict, seed: int):
    """The scheduler of ``method`` for the benchmark ``info``, seeded."""
    from syne_tune.optimizer import baselines

    cs = info["config_space"]
    if method == "RS":
        return baselines.RandomSearch(cs, **_common(info, seed))
    if method == "MOASHA":
        common = _common(info, seed)
        return baselines.MOASHA(
            cs,
            metrics=common.pop("metric"),
            time_attr=info["fidelity_name"],
            max_t=info["max_resource"],
            **common,
        )
    if method == "NSGA2":
        return baselines.NSGA2(cs, population_size=20, **_common(info, seed))
    if method == "MOREA":
        return baselines.MOREA(cs, population_size=10, sample_size=5, **_common(info, seed))
    if method == "MOBO":
        return baselines.MORandomScalarizationBayesOpt(cs, **_common(info, seed))
    raise ValueError(f"unknown method {method!r}; known: {METHODS}")


# --------------------------------------------------------------- blackboxes
_SCALES: dict = {}


def objective_scales(name: str) -> tuple[np.ndarray, np.ndarray]:
    """Minimum and maximum of each signed objective over the whole table."""
    if name not in _SCALES:
        info = mfc.benchmark_info(name)
        bb = mfc._blackbox(name)
        metrics, modes = _objectives(info)
        columns = []
        for metric, mode in zip(metrics, modes):
            values = bb.objectives_evaluations[:, 0, :, bb.objectives_names.index(metric)].ravel()
            values = values[np.isfinite(values)]
            columns.append(-values if mode == "max" else values)
        _SCALES[name] = (np.array([c.min() for c in columns]), np.array([c.max() for c in columns]))
    return _SCALES[name]


def normalized_points(points: np.ndarray, name: str) -> np.ndarray:
    """Signed objective values scaled to ``[0, 1]`` by the table's range."""
    lo, hi = objective_scales(name)
    return (points - lo) / np.where(hi > lo, hi - lo, 1.0)


# --------------------------------------------------------------------- runs
def _make_recorder(metrics: list[str], modes: list[str]):
    from syne_tune.tuner_callback import TunerCallback

    signs = np.array([-1.0 if m == "max" else 1.0 for m in modes])

    class Recorder(TunerCallback):
        """Records (simulated time, signed objectives) of every result."""

        def __init__(self):
            self.times: list[float] = []
            self.points: list[np.ndarray] = []
            self._tuner = None

        def on_tuning_start(self, tuner) -> None:
            self._tuner = tuner

        def on_trial_result(self, trial, status, result, decision) -> None:
            values = [result.get(m) for m in metrics]
            if any(v is None or not math.isfinite(float(v)) for v in values):
                return
            self.times.append(float(self._tuner.time_keeper.time()))
            self.points.append(np.asarray(values, dtype=float) * signs)

    return Recorder()


def run_one(job: tuple) -> dict:
    """One simulated run ``(benchmark, method, seed, budget_factor)``; returns its figures."""
    name, method, seed, budget_factor = job
    logging.getLogger("syne_tune").setLevel(logging.WARNING)
    from syne_tune import StoppingCriterion
    from syne_tune.blackbox_repository import BlackboxRepositoryBackend
    from syne_tune.optimizer.schedulers.multiobjective.hypervolume import hypervolume

    info = mfc.benchmark_info(name)
    bb_name, task = BENCHMARKS[name][:2]
    backend = BlackboxRepositoryBackend(
        blackbox_name=bb_name,
        dataset=task,
        elapsed_time_attr=info["elapsed"],
        max_resource_attr=MAX_RESOURCE_ATTR,
        seed=0,
        add_real_time=False,
    )
    budget = budget_factor * info["full_time"]
    recorder = _make_recorder(*_objectives(info))
    scheduler = make_scheduler(method, info, seed)
    status, wall = campaign.simulate(
        backend,
        scheduler,
        StoppingCriterion(max_wallclock_time=budget),
        N_WORKERS,
        [recorder],
        tuner_name=f"mobench-{method.lower()}-{seed}",
    )
    times = np.asarray(recorder.times)
    points = normalized_points(np.asarray(recorder.points).reshape(-1, 2), name)
    out = dict(
        part="mo",
        benchmark=name,
        method=method,
        seed=seed,
        budget=budget,
        trials=int(status.num_trials_started),
        results=len(points),
        sim_time=float(status.wallclock_time),
        wall_s=wall,
    )
    for f in FRACTIONS:
        inside = points[times <= f * budget]
        out[f"hv@{f:g}"] = float(hypervolume(inside, [1.0, 1.0])) if len(inside) else 0.0
    return out


# ------------------------------------------------------------------ summary
def summarize(results: list[dict]) -> dict:
    """benchmark -> method -> mean and standard error of the figures."""
    return campaign.summarize(results, [f"hv@{f:g}" for f in FRACTIONS] + ["trials", "results", "wall_s"])


def make_verdict(summary: dict) -> list[dict]:
    """Every method against ``RS`` per benchmark (larger hypervolume is better)."""
    entries = []
    for bench, by_method in summary.items():
        ref = by_method.get(REFERENCE)
        for m, s in by_method.items():
            if m == REFERENCE or ref is None:
                continue
            entry = dict(benchmark=bench, method=m, reference=REFERENCE)
            for f in ("1", "0.5"):
                entry[f"beats@{f}"], entry[f"{m}@{f}"], entry[f"{REFERENCE}@{f}"], entry[f"z@{f}"] = (
                    campaign.comparison(s, ref, f"hv@{f}", "max")
                )
            entries.append(entry)
    return entries


def verdict_lines(entries: list[dict]) -> list[str]:
    lines = []
    for e in entries:
        m, ref = e["method"], e["reference"]
        cells = []
        for f, label in (("1", "100%"), ("0.5", "50%")):
            z = e[f"z@{f}"]
            cells.append(
                f"at {label}: {e[f'beats@{f}']} ({e[f'{m}@{f}']:.4f} vs {e[f'{ref}@{f}']:.4f}"
                + (f", {z:.1f} SE" if math.isfinite(z) else "")
                + ")"
            )
        lines.append(f"- {e['benchmark']}: {m} beats {ref} (hypervolume) " + "; ".join(cells))
    by_method: dict = {}
    for e in entries:
        by_method.setdefault(e["method"], []).append(e)
    for m, es in by_method.items():
        wins100 = sum(e["beats@1"] == "yes" for e in es)
        wins50 = sum(e["beats@0.5"] == "yes" for e in es)
        lines.append(f"- {m} beats {REFERENCE} on {wins100}/{len(es)} benchmarks at 100%, {wins50}/{len(es)} at 50%")
    return lines


def _cell(s: dict, key: str) -> str:
    return f"{s[key]:.4f} ± {s[key + '_sem']:.4f}" if s["num_seeds"] > 1 else f"{s[key]:.4f}"


def markdown_table(summary: dict) -> list[str]:
    pct = " | ".join(f"HV@{int(f * 100)}%" for f in FRACTIONS)
    lines = [f"| benchmark | method | budget (s) | {pct} | trials | results | wall (s) |"]
    lines.append("|---|---|---|" + "---|" * (len(FRACTIONS) + 3))
    for bench, by_method in summary.items():
        for m, s in by_method.items():
            hvs = " | ".join(_cell(s, f"hv@{f:g}") for f in FRACTIONS)
            lines.append(
                f"| {bench} | {m} | {s['budget']:.4g} | {hvs} | {s['trials']:.0f} | {s['results']:.0f} | {s['wall_s']:.1f} |"
            )
    return lines


# --------------------------------------------------------------------- main
def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, nargs="+", default=list(range(10)))
    ap.add_argument("--benchmarks", nargs="+", default=DEFAULT_BENCHMARKS, choices=list(BENCHMARKS))
    ap.add_argument("--methods", nargs="+", default=METHODS, choices=METHODS)
    ap.add_argument("--budget-factor", type=float, default=20.0, help="budget: x median full training time")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="parallel processes")
    ap.add_argument("--out", default=None, help="raw runs, summary and verdict as JSON")
    ap.add_argument(
        "--results-md", default=str(_HERE / "results" / "multiobjective.md"), help="Markdown report ('-': none)"
    )
    return ap


def main(argv=None):
    """Runs the benchmark; returns ``(summary, verdict entries)``."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = _parser().parse_args(argv)
    for b in args.benchmarks:  # load (and if needed generate) before forking
        mfc.benchmark_info(b)
        objective_scales(b)
    jobs = [(b, m, s, args.budget_factor) for b in args.benchmarks for m in args.methods for s in args.seeds]
    step, close = campaign.progress(
        len(jobs),
        lambda r: f"{r['benchmark']} {r['method']} seed {r['seed']}: HV {r['hv@1']:.4f} ({r['trials']} trials, "
        f"{r['wall_s']:.1f}s)",
    )
    try:
        results, failures, elapsed = campaign.run_jobs(
            jobs, run_one, args.workers, step, key_names=("benchmark", "method", "seed")
        )
    finally:
        close()
    summary = summarize(results)
    verdict = make_verdict(summary)
    lines = verdict_lines(verdict)
    table = markdown_table(summary)
    print("\n" + "\n".join(table) + "\n\n" + "\n".join(lines))
    print(f"\n{len(jobs)} runs in {elapsed:.0f}s ({args.workers} processes)")
    if failures:
        print(f"{len(failures)} runs failed (left out of the summary)")
    if args.results_md and args.results_md != "-":
        command = "python benchmarking/multiobjective.py" + ("" if not argv else " " + shlex.join(argv))
        text = [
            "# Multi-objective methods on simulated real benchmarks",
            "",
            f"Made by `{command}` on {datetime.date.today().isoformat()} ({len(args.seeds)} seeds: "
            f"{' '.join(map(str, args.seeds))}; {N_WORKERS} workers per run; budget {args.budget_factor:g} x the "
            "median full training time; simulator, blackbox seed 0).",
            "",
            "Objectives: the benchmark's metric and the training time of every reported result, each scaled to "
            "[0, 1] by its range over the whole table; HV = hypervolume with reference point (1, 1) of the points "
            "reported up to that fraction of the budget (mean ± standard error over seeds). See the module "
            "docstring of `benchmarking/multiobjective.py`.",
            "",
            *table,
            "",
            "## Verdict (each method against random search)",
            "",
            *lines,
            "",
            f"{len(jobs)} runs in {elapsed:.0f} s with {args.workers} processes"
            + (f"; {len(failures)} runs failed: {failures}" if failures else "")
            + ".",
        ]
        Path(args.results_md).parent.mkdir(parents=True, exist_ok=True)
        Path(args.results_md).write_text("\n".join(text) + "\n")
    if args.out:
        Path(args.out).write_text(json.dumps(dict(runs=results, summary=summary, verdict=verdict, failures=failures)))
    return summary, verdict


if __name__ == "__main__":
    main()
