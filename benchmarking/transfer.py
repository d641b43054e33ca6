"""Quality benchmark of the transfer-learning methods: leave one task out.

For a blackbox with several tasks, one task is held out and tuned on the
simulator (4 workers, ``sleep_time=0``); the evaluations of all its other
tasks are the transfer-learning input
(:func:`~syne_tune.optimizer.schedulers.transfer_learning.transfer_learning_evaluations_from_blackbox`).
The tasks of a blackbox evaluated different configurations, so the held-out
task is evaluated through a 1-nearest-neighbour surrogate of its table (the
curves of the nearest table configuration in the encoded space): every method
searches the whole configuration space. A run is determined by its seed.

Benchmarks:

``lcbench`` (multi-fidelity: 50 epochs; metric ``val_accuracy``, maximized)
    held-out tasks Fashion-MNIST, airlines, albert, christine, covertype;
    budget ``--mf-budget-factor`` times the median time of a full training run
    of the held-out task (simulated wall-clock time). Methods: ``ASHA`` (the
    reference), ``RUSH`` (ASHA warm-started with the best configuration of
    every earlier task, whose rung results are thresholds new trials must
    reach), ``ASHA-BB`` (ASHA in the bounding box of the earlier tasks' best
    configurations), ``ASHA-CTS`` (ASHA whose configurations come from the
    quantile-based surrogate of the earlier tasks), ``ZS`` (zero-shot: a
    greedy portfolio of the earlier tasks' configurations, each trial run to
    the end).
``icml-xgboost`` (single fidelity; metric ``metric_error``, minimized)
    held-out tasks heart, w6a, spambase, australian, svmguide1; budget
    ``--sf-trials`` completed trials, one simulated second each. With a single
    fidelity ASHA is random search, so the reference is random search (named
    ``ASHA`` in the tables), and the transfer methods run in their FIFO form:
    ``RUSH`` = random search warm-started with the earlier tasks' best
    configurations (no rungs, so no thresholds), ``ASHA-BB`` = random search in
    the bounding box, ``ASHA-CTS`` = FIFO with the quantile-based searcher,
    ``ZS`` as above.

For every run the best-so-far value at 25%, 50% and 100% of the budget is
recorded (over simulated time for lcbench, over completed trials for
icml-xgboost); the summary gives mean and standard error over seeds and the
verdict compares every method with ``ASHA`` at 25% (the seed paper's claim:
transfer helps most early) and 100% of the budget.

Usage:
    python benchmarking/transfer.py [--seeds 0 1 ...] [--benchmarks lcbench-airlines xgboost-heart ...]
        [--methods ASHA RUSH ...] [--workers N] [--out runs.json] [--results-md path]
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

#: recorder and comparisons of model_based.py
mb = campaign.load_sibling("_model_based_for_transfer", "model_based.py")

N_WORKERS = 4
MAX_RESOURCE_ATTR = "max_resource"
UNIT_TIME_ATTR = campaign.UNIT_TIME_ATTR
FRACTIONS = (0.25, 0.5, 1.0)
#: name -> (blackbox, held-out task, metric, mode, elapsed-time objective or None)
BENCHMARKS = {
    **{
        f"lcbench-{t}": ("lcbench", t, "val_accuracy", "max", "time")
        for t in ("Fashion-MNIST", "airlines", "albert", "christine", "covertype")
    },
    **{
        f"xgboost-{t}": ("icml-xgboost", t, "metric_error", "min", None)
        for t in ("heart", "w6a", "spambase", "australian", "svmguide1")
    },
}
METHODS = ["ASHA", "RUSH", "ASHA-BB", "ASHA-CTS", "ZS"]
REFERENCE = "ASHA"
#: CTS scores 1000 random candidates per suggestion instead of its default
#: 10000: ASHA suggests hundreds of configurations per run, and predicting
#: 10000 candidates costs about 0.2 s each time
CTS_OPTIONS = {"num_candidates": 1000}
#: the surrogate through which the held-out task is evaluated
SURROGATE = ("KNeighborsRegressor", {"n_neighbors": 1})

_CACHE: dict = {}


# --------------------------------------------------------------- benchmarks
def _tabular(bb):
    return bb.to_tabular() if hasattr(bb, "to_tabular") else bb


def benchmark_info(name: str) -> dict:
    """The held-out task (surrogate blackbox, space, budget unit) and the
    evaluations of the other tasks."""
    if name in _CACHE:
        return _CACHE[name]
    from syne_tune.blackbox_repository import load_blackbox
    from syne_tune.blackbox_repository.blackbox_surrogate import add_surrogate, make_surrogate
    from syne_tune.optimizer.schedulers.transfer_learning import transfer_learning_evaluations_from_blackbox

    bb_name, task, metric, mode, elapsed = BENCHMARKS[name]
    table = _tabular(load_blackbox(bb_name)[task])
    multi_fidelity = table.fidelity_space is not None and len(table.fidelity_values) > 1
    if elapsed is None:  # one simulated second per evaluation
        table = campaign.with_unit_time(table)
        elapsed = UNIT_TIME_ATTR
    surrogate = add_surrogate(table, surrogate=make_surrogate(*SURROGATE))
    config_space = dict(table.configuration_space)
    info = dict(
        blackbox=surrogate,
        config_space=config_space,
        metric=metric,
        mode=mode,
        elapsed=elapsed,
        multi_fidelity=multi_fidelity,
        transfer=transfer_learning_evaluations_from_blackbox(bb_name, held_out_task=task),
    )
    if multi_fidelity:
        times = table.objectives_evaluations[:, 0, :, table.objectives_names.index(elapsed)]
        info.update(
            fidelity_name=next(iter(table.fidelity_space)),
            max_resource=int(np.max(table.fidelity_values)),
            full_time=float(np.nanmedian(np.nanmax(times, axis=1))),
        )
        config_space[MAX_RESOURCE_ATTR] = info["max_resource"]
    _CACHE[name] = info
    return info


# ------------------------------------------------------------------ methods
def make_scheduler(method: str, info: dict, seed: int):
    """The scheduler of ``method`` on benchmark ``info`` (see the module docstring)."""
    from syne_tune.optimizer import baselines

    cs, metric, mode, transfer = info["config_space"], info["metric"], info["mode"], info["transfer"]
    common = dict(metric=metric, mode=mode, random_seed=seed)
    if info["multi_fidelity"]:
        mf = dict(resource_attr=info["fidelity_name"], max_resource_attr=MAX_RESOURCE_ATTR)
        if method == "ASHA":
            return baselines.ASHA(cs, **mf, **common)
        if method == "RUSH":
            return baselines.RUSH(cs, transfer_learning_evaluations=transfer, **mf, **common)
        if method == "ASHA-BB":
            return baselines.ASHABB(cs, transfer_learning_evaluations=transfer, **mf, **common)
        if method == "ASHA-CTS":
            return baselines.ASHACTS(
                cs, transfer_learning_evaluations=transfer, search_options=dict(CTS_OPTIONS), **mf, **common
            )
    else:
        if method == "ASHA":  # a single fidelity: ASHA is random search
            return baselines.RandomSearch(cs, **common)
        if method == "RUSH":  # RUSH's warm start; no rungs, so no thresholds
            from syne_tune.optimizer.schedulers.transfer_learning import top_k_hyperparameter_configurations_per_task

            per_task = top_k_hyperparameter_configurations_per_task(transfer, 1, mode, metric)
            points = [c for configs in per_task.values() for c in configs]
            return baselines.RandomSearch(cs, points_to_evaluate=points, **common)
        if method == "ASHA-BB":
            from syne_tune.optimizer.schedulers.transfer_learning import BoundingBox

            return BoundingBox(
                lambda space, mode, metric: baselines.RandomSearch(space, metric=metric, mode=mode, random_seed=seed),
                config_space=cs,
                metric=metric,
                mode=mode,
                transfer_learning_evaluations=transfer,
            )
        if method == "ASHA-CTS":
            from syne_tune.optimizer.schedulers import FIFOScheduler
            from syne_tune.optimizer.schedulers.transfer_learning.quantile_based import QuantileBasedSurrogateSearcher

            searcher = QuantileBasedSurrogateSearcher(
                cs, metric=metric, mode=mode, transfer_learning_evaluations=transfer, random_seed=seed, **CTS_OPTIONS
            )
            return FIFOScheduler(cs, searcher=searcher, **common)
    if method == "ZS":
        return baselines.ZeroShotTransfer(cs, transfer_learning_evaluations=transfer, **common)
    raise ValueError(f"unknown method {method!r}; known: {METHODS}")


# --------------------------------------------------------------------- runs
def run_one(job: tuple) -> dict:
    """One simulated run ``(benchmark, method, seed, mf_budget_factor, sf_trials)``."""
    name, method, seed, mf_factor, sf_trials = job
    logging.getLogger("syne_tune").setLevel(logging.WARNING)
    from syne_tune import StoppingCriterion
    from syne_tune.blackbox_repository import UserBlackboxBackend

    info = benchmark_info(name)
    mf = info["multi_fidelity"]
    backend = UserBlackboxBackend(
        info["blackbox"],
        elapsed_time_attr=info["elapsed"],
        max_resource_attr=MAX_RESOURCE_ATTR if mf else None,
        seed=0,
        add_real_time=False,
    )
    if mf:
        budget = mf_factor * info["full_time"]
        stop = StoppingCriterion(max_wallclock_time=budget)
    else:
        budget = int(sf_trials)
        stop = StoppingCriterion(max_num_trials_completed=budget)
    recorder = mb._make_recorder(info["metric"], None)
    scheduler = make_scheduler(method, info, seed)
    status, wall = campaign.simulate(
        backend, scheduler, stop, N_WORKERS, [recorder], tuner_name=f"tlbench-{method.lower()}-{seed}"
    )
    best = mb._best_fn(info["mode"])
    out = dict(
        part="tl",
        benchmark=name,
        method=method,
        seed=seed,
        budget=budget,
        trials=int(status.num_trials_started),
        results=len(recorder.results),
        wall_s=wall,
    )
    if mf:
        curve, current = [], None
        for t, _, v, _ in recorder.results:
            if t > budget:
                break
            if current is None or best(v, current) != current:
                current = v
                curve.append((t, v))
        for f in FRACTIONS:
            values = [v for t, v in curve if t <= f * budget]
            out[f"best@{f:g}"] = values[-1] if values else None
    else:
        values = [v for _, _, v, _ in recorder.completed[:budget]]
        running = np.minimum.accumulate(values) if info["mode"] == "min" else np.maximum.accumulate(values)
        for f in FRACTIONS:
            k = math.ceil(f * budget)
            out[f"best@{f:g}"] = float(running[min(k, len(values)) - 1]) if values else None
    return out


# ------------------------------------------------------------------ summary
def summarize(results: list[dict]) -> dict:
    """benchmark -> method -> mean and standard error of the figures."""
    return campaign.summarize(results, [f"best@{f:g}" for f in FRACTIONS] + ["trials", "results", "wall_s"])


def make_verdict(summary: dict) -> list[dict]:
    entries = []
    for bench, by_method in summary.items():
        mode = BENCHMARKS[bench][3]
        ref = by_method.get(REFERENCE)
        for m, s in by_method.items():
            if m == REFERENCE or ref is None:
                continue
            entry = dict(benchmark=bench, method=m, reference=REFERENCE)
            for f in ("0.25", "1"):
                entry[f"beats@{f}"], entry[f"{m}@{f}"], entry[f"{REFERENCE}@{f}"], entry[f"z@{f}"] = (
                    campaign.comparison(s, ref, f"best@{f}", mode)
                )
            entries.append(entry)
    return entries


def verdict_lines(entries: list[dict]) -> list[str]:
    lines = []
    for e in entries:
        m, ref = e["method"], e["reference"]
        cells = []
        for f, label in (("0.25", "25%"), ("1", "100%")):
            z = e[f"z@{f}"]
            cells.append(
                f"at {label}: {e[f'beats@{f}']} ({e[f'{m}@{f}']:.5g} vs {e[f'{ref}@{f}']:.5g}"
                + (f", {z:.1f} SE" if math.isfinite(z) else "")
                + ")"
            )
        lines.append(f"- {e['benchmark']}: {m} beats {ref} (mean best) " + "; ".join(cells))
    by_method: dict = {}
    for e in entries:
        by_method.setdefault(e["method"], []).append(e)
    for m, es in by_method.items():
        w25 = sum(e["beats@0.25"] == "yes" for e in es)
        w100 = sum(e["beats@1"] == "yes" for e in es)
        lines.append(f"- {m} beats {REFERENCE} on {w25}/{len(es)} benchmarks at 25%, {w100}/{len(es)} at 100%")
    return lines


def normalized_ranks(results: list[dict], fraction: str) -> dict[str, float]:
    """The seed paper's figure: for every benchmark and seed, the methods are
    ranked by their best value at ``fraction`` of the budget (ties share
    their mean rank), ranks scaled to ``[0, 1]`` (0: best); the mean over all
    benchmarks and seeds per method."""
    from scipy.stats import rankdata

    groups: dict = {}
    for r in results:
        groups.setdefault((r["benchmark"], r["seed"]), {})[r["method"]] = r[f"best@{fraction}"]
    sums: dict = {}
    for (bench, _), by_method in groups.items():
        methods = [m for m in by_method if by_method[m] is not None]
        if len(methods) < 2:
            continue
        values = np.array([by_method[m] for m in methods], dtype=float)
        signed = -values if BENCHMARKS[bench][3] == "max" else values
        ranks = (rankdata(signed) - 1) / (len(methods) - 1)
        for m, rank in zip(methods, ranks):
            sums.setdefault(m, []).append(float(rank))
    return {m: float(np.mean(v)) for m, v in sums.items()}


def rank_lines(results: list[dict]) -> list[str]:
    """Table of the normalized ranks at 25% and 100% of the budget, over all
    benchmarks and per blackbox."""
    families = sorted({BENCHMARKS[r["benchmark"]][0] for r in results})
    groups = [("all", results)] + [(f, [r for r in results if BENCHMARKS[r["benchmark"]][0] == f]) for f in families]
    header = "| method | " + " | ".join(f"{name} @25% | {name} @100%" for name, _ in groups) + " |"
    lines = [header, "|---|" + "---|" * (2 * len(groups))]
    ranks = [(normalized_ranks(rs, "0.25"), normalized_ranks(rs, "1")) for _, rs in groups]
    for m in sorted(ranks[0][0], key=ranks[0][0].get):
        cells = " | ".join(f"{at25.get(m, float('nan')):.3f} | {at100.get(m, float('nan')):.3f}" for at25, at100 in ranks)
        lines.append(f"| {m} | {cells} |")
    return lines


def markdown_table(summary: dict) -> list[str]:
    pct = " | ".join(f"best@{int(f * 100)}%" for f in FRACTIONS)
    lines = [f"| benchmark | mode | method | budget | {pct} | trials | wall (s) |", "|---|---|---|---|" + "---|" * 5]
    for bench, by_method in summary.items():
        for m, s in by_method.items():
            cells = " | ".join(mb._cell(s, f"best@{f:g}") for f in FRACTIONS)
            lines.append(
                f"| {bench} | {BENCHMARKS[bench][3]} | {m} | {s['budget']:.4g} | {cells} | {s['trials']:.0f} | "
                f"{s['wall_s']:.1f} |"
            )
    return lines


# --------------------------------------------------------------------- main
def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, nargs="+", default=list(range(10)))
    ap.add_argument("--benchmarks", nargs="+", default=list(BENCHMARKS), choices=list(BENCHMARKS))
    ap.add_argument("--methods", nargs="+", default=METHODS, choices=METHODS)
    ap.add_argument("--mf-budget-factor", type=float, default=10.0, help="lcbench budget: x median full training time")
    ap.add_argument("--sf-trials", type=int, default=100, help="icml-xgboost budget: completed trials")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="parallel processes")
    ap.add_argument("--out", default=None, help="raw runs, summary and verdict as JSON")
    ap.add_argument("--results-md", default=str(_HERE / "results" / "transfer.md"), help="Markdown report ('-': none)")
    return ap


def main(argv=None):
    """Runs the benchmark; returns ``(summary, verdict entries)``."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = _parser().parse_args(argv)
    for b in args.benchmarks:  # load (and fit the surrogates) before forking
        benchmark_info(b)
    jobs = [(b, m, s, args.mf_budget_factor, args.sf_trials) for b in args.benchmarks for m in args.methods for s in args.seeds]
    step, close = campaign.progress(
        len(jobs),
        lambda r: f"{r['benchmark']} {r['method']} seed {r['seed']}: best {r['best@1']} ({r['trials']} trials, "
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
    ranks = rank_lines(results)
    print("\n" + "\n".join(table) + "\n\n" + "\n".join(lines) + "\n\n" + "\n".join(ranks))
    print(f"\n{len(jobs)} runs in {elapsed:.0f}s ({args.workers} processes)")
    if failures:
        print(f"{len(failures)} runs failed (left out of the summary)")
    if args.results_md and args.results_md != "-":
        command = "python benchmarking/transfer.py" + ("" if not argv else " " + shlex.join(argv))
        text = [
            "# Transfer learning: leave one task out",
            "",
            f"Made by `{command}` on {datetime.date.today().isoformat()} ({len(args.seeds)} seeds: "
            f"{' '.join(map(str, args.seeds))}; {N_WORKERS} workers per run; lcbench budget "
            f"{args.mf_budget_factor:g} x the median full training time, icml-xgboost {args.sf_trials} trials; "
            "simulator, held-out task evaluated through a 1-nearest-neighbour surrogate of its table).",
            "",
            "Best-so-far value of the metric (mean ± standard error over seeds) at 25%, 50% and 100% of the "
            "budget. On icml-xgboost (one fidelity) the reference `ASHA` is random search and the transfer "
            "methods run in their FIFO form; see the module docstring of `benchmarking/transfer.py`.",
            "",
            *table,
            "",
            "## Verdict (each method against ASHA)",
            "",
            *lines,
            "",
            "## Normalized ranks (the seed paper's figure)",
            "",
            "Per benchmark and seed, the methods ranked by their best value (0: best, 1: worst); mean over all "
            "benchmarks and seeds.",
            "",
            *ranks,
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
