"""Multi-fidelity schedulers against random search on simulated real benchmarks.

Runs the Tuner with the simulator backend (``BlackboxRepositoryBackend``, 4
workers, ``SimulatorCallback``) on the tabulated ``lcbench`` (several tasks)
and ``nmt`` (several language pairs) blackboxes, 10 seeds by default.
Configurations are drawn from the table (``restrict_configurations``).

Part A (fixed simulated wall-clock budget: ``--budget-factor`` times the
median time of one full training run): mean best-so-far value at the end of
the budget of RS, ASHA, Hyperband and PASHA, and whether each beats RS.

Part B (fixed number of configurations, as in the PASHA paper: each run
starts ``--num-configs`` trials and then lets the running ones finish):
final best value and total training resource (epochs / checkpoints trained,
i.e. results reported) of ASHA (stopping and promotion) and PASHA, and the
simulated time taken.

Usage:
    python benchmarking/mf_comparison.py [--seeds 0 1 ...] [--part A B]
        [--benchmarks lcbench-Fashion-MNIST nmt-zh-en ...] [--out results.json]

Blackboxes are generated on first use from ``../shared/data`` (``lcbench``
takes a few minutes) into the blackbox repository (``~/.blackbox-repository``
or ``$SYNE_TUNE_BLACKBOX_REPOSITORY``).
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import shutil
import statistics
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np

#: name -> (blackbox, task, metric, mode, elapsed time objective)
BENCHMARKS = {
    "lcbench-Fashion-MNIST": ("lcbench", "Fashion-MNIST", "val_accuracy", "max", "time"),
    "lcbench-airlines": ("lcbench", "airlines", "val_accuracy", "max", "time"),
    "lcbench-albert": ("lcbench", "albert", "val_accuracy", "max", "time"),
    "lcbench-christine": ("lcbench", "christine", "val_accuracy", "max", "time"),
    "lcbench-covertype": ("lcbench", "covertype", "val_accuracy", "max", "time"),
    "nmt-zh-en": ("nmt", "zh-en", "dev_ppl", "min", "elapsed_time"),
    "nmt-ru-en": ("nmt", "ru-en", "dev_ppl", "min", "elapsed_time"),
    "nmt-sw-en": ("nmt", "sw-en", "dev_ppl", "min", "elapsed_time"),
    "nmt-so-en": ("nmt", "so-en", "dev_ppl", "min", "elapsed_time"),
}
MAX_RESOURCE_ATTR = "max_resource"
METHODS_A = ["RS", "ASHA", "Hyperband", "PASHA"]
METHODS_B = ["ASHA", "ASHA-promotion", "PASHA"]
N_WORKERS = 4

_BLACKBOX_CACHE: dict = {}


def _blackbox(name: str):
    bb_name, task, metric, mode, elapsed = BENCHMARKS[name]
    key = (bb_name, task)
    if key not in _BLACKBOX_CACHE:
        from syne_tune.blackbox_repository import load_blackbox

        _BLACKBOX_CACHE[key] = load_blackbox(bb_name)[task]
    return _BLACKBOX_CACHE[key]


def benchmark_info(name: str) -> dict:
    """Config space, table configurations, max resource, median full-run time."""
    bb_name, task, metric, mode, elapsed = BENCHMARKS[name]
    bb = _blackbox(name)
    fidelities = np.asarray(bb.fidelity_values)
    max_resource = int(fidelities.max())
    times = bb.objectives_evaluations[:, 0, :, bb.objectives_names.index(elapsed)]
    full_time = float(np.nanmedian(np.nanmax(times, axis=1)))
    config_space = dict(bb.configuration_space)
    config_space[MAX_RESOURCE_ATTR] = max_resource
    configs = []
    for row in bb.hyperparameters.to_dict("records"):
        configs.append({k: (v.item() if hasattr(v, "item") else v) for k, v in row.items() if k in config_space})
    return dict(
        config_space=config_space,
        configs=configs,
        max_resource=max_resource,
        full_time=full_time,
        fidelity_name=next(iter(bb.fidelity_space)),
        metric=metric,
        mode=mode,
        elapsed=elapsed,
    )


def make_scheduler(method: str, info: dict, seed: int):
    from syne_tune.optimizer.baselines import ASHA, PASHA, Hyperband, RandomSearch

    common = dict(
        metric=info["metric"],
        mode=info["mode"],
        random_seed=seed,
        search_options={"restrict_configurations": info["configs"]},
        # Only configurations of the table can be evaluated: no midpoint default
        points_to_evaluate=[],
    )
    mf = dict(resource_attr=info["fidelity_name"], max_resource_attr=MAX_RESOURCE_ATTR)
    cs = info["config_space"]
    if method == "RS":
        return RandomSearch(cs, **common)
    if method == "ASHA":
        return ASHA(cs, **mf, **common)
    if method == "ASHA-promotion":
        return ASHA(cs, type="promotion", **mf, **common)
    if method == "Hyperband":
        return Hyperband(cs, **mf, **common)
    if method == "PASHA":
        return PASHA(cs, **mf, **common)
    raise ValueError(method)


def run_one(args: tuple) -> dict:
    """One simulated tuning run; returns its figures."""
    name, method, seed, part, budget_factor, num_configs = args
    logging.getLogger("syne_tune").setLevel(logging.WARNING)
    from syne_tune import StoppingCriterion, Tuner
    from syne_tune.backend.simulator_backend.simulator_callback import SimulatorCallback
    from syne_tune.blackbox_repository import BlackboxRepositoryBackend

    bb_name, task, metric, mode, elapsed = BENCHMARKS[name]
    info = benchmark_info(name)
    backend = BlackboxRepositoryBackend(
        blackbox_name=bb_name, dataset=task, elapsed_time_attr=elapsed, max_resource_attr=MAX_RESOURCE_ATTR, seed=0
    )
    scheduler = make_scheduler(method, info, seed)
    if part == "A":
        stop = StoppingCriterion(max_wallclock_time=budget_factor * info["full_time"])
        wait = False
    else:
        n = min(num_configs, len(info["configs"]) - 1)
        stop = StoppingCriterion(max_num_trials_started=n)
        wait = True
    tmp = tempfile.mkdtemp(prefix="mfcmp-")
    os.environ["SYNETUNE_FOLDER"] = tmp
    try:
        tuner = Tuner(
            trial_backend=backend,
            scheduler=scheduler,
            stop_criterion=stop,
            n_workers=N_WORKERS,
            sleep_time=0,
            callbacks=[SimulatorCallback()],
            tuner_name=f"mfcmp-{method.lower()}-{seed}",
            save_tuner=False,
            print_update_interval=1e9,
            results_update_interval=1e9,
            wait_trial_completion_when_stopping=wait,
            max_failures=1000,
        )
        t0 = time.perf_counter()
        tuner.run()
        wall = time.perf_counter() - t0
        status = tuner.tuning_status
        best = status.best_metric(metric, mode)
        out = dict(
            benchmark=name,
            method=method,
            seed=seed,
            part=part,
            best=None if best is None else float(best),
            resource=int(status.overall_metric_statistics.count),
            trials=int(status.num_trials_started),
            sim_time=float(status.wallclock_time),
            wall_s=wall,
        )
        rs = getattr(scheduler, "rung_system", None)
        if method == "PASHA" and rs is not None:
            out["pasha_max_resource"] = rs.current_max_t
        return out
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _mean(xs):
    xs = [x for x in xs if x is not None and not (isinstance(x, float) and math.isnan(x))]
    return statistics.mean(xs) if xs else float("nan")


def summarize(results: list[dict]) -> dict:
    summary = {}
    for r in results:
        key = (r["part"], r["benchmark"], r["method"])
        summary.setdefault(key, []).append(r)
    out = {}
    for (part, bench, method), runs in sorted(summary.items()):
        out.setdefault(part, {}).setdefault(bench, {})[method] = dict(
            best=_mean([r["best"] for r in runs]),
            best_sem=float(np.std([r["best"] for r in runs]) / math.sqrt(len(runs))) if len(runs) > 1 else 0.0,
            resource=_mean([r["resource"] for r in runs]),
            trials=_mean([r["trials"] for r in runs]),
            sim_time=_mean([r["sim_time"] for r in runs]),
            num_seeds=len(runs),
            **({"pasha_max_resource": _mean([r.get("pasha_max_resource") for r in runs])} if method == "PASHA" else {}),
        )
    return out


def _better(a: float, b: float, mode: str) -> bool:
    return a > b if mode == "max" else a < b


def print_report(summary: dict) -> dict:
    verdict = {}
    if "A" in summary:
        print("\n== Part A: mean best-so-far at the end of the budget (4 workers) ==")
        print(f"{'benchmark':24s} {'mode':4s} " + " ".join(f"{m:>16s}" for m in METHODS_A))
        for bench, by_method in summary["A"].items():
            mode = BENCHMARKS[bench][3]
            cells = []
            for m in METHODS_A:
                s = by_method.get(m)
                cells.append(f"{s['best']:9.4f}±{s['best_sem']:.3f}" if s else " " * 16)
            print(f"{bench:24s} {mode:4s} " + " ".join(f"{c:>16s}" for c in cells))
            rs = by_method.get("RS")
            if rs:
                for m in METHODS_A[1:]:
                    if m in by_method:
                        verdict.setdefault("A", {}).setdefault(m, []).append(_better(by_method[m]["best"], rs["best"], mode))
        for m, wins in verdict.get("A", {}).items():
            print(f"{m} better than RS on {sum(wins)} of {len(wins)} benchmarks")
    if "B" in summary:
        print("\n== Part B: fixed number of configurations: final best / total resource (epochs or checkpoints) / simulated time ==")
        for bench, by_method in summary["B"].items():
            mode = BENCHMARKS[bench][3]
            parts = []
            for m in METHODS_B:
                s = by_method.get(m)
                if s:
                    extra = f", max_t {s['pasha_max_resource']:.0f}" if m == "PASHA" else ""
                    parts.append(f"{m}: best {s['best']:.4f}, resource {s['resource']:.0f}, time {s['sim_time']:.0f}s{extra}")
            print(f"{bench:24s} " + " | ".join(parts))
            a, p = by_method.get("ASHA"), by_method.get("PASHA")
            if a and p:
                verdict.setdefault("B", []).append(
                    dict(benchmark=bench, resource_ratio=p["resource"] / a["resource"], best_asha=a["best"], best_pasha=p["best"])
                )
        for v in verdict.get("B", []):
            print(f"{v['benchmark']:24s} PASHA / ASHA resource = {v['resource_ratio']:.2f}; best ASHA {v['best_asha']:.4f}, PASHA {v['best_pasha']:.4f}")
    return verdict


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--benchmarks", nargs="+", default=list(BENCHMARKS))
    ap.add_argument("--seeds", type=int, nargs="+", default=list(range(10)))
    ap.add_argument("--part", nargs="+", default=["A", "B"], choices=["A", "B"])
    ap.add_argument("--budget-factor", type=float, default=10.0, help="part A budget: x median full-run time")
    ap.add_argument("--num-configs", type=int, default=128, help="part B: configurations started per run")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="parallel processes")
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)
    for b in args.benchmarks:
        if b not in BENCHMARKS:
            ap.error(f"unknown benchmark {b}; known: {list(BENCHMARKS)}")
    # Load (and if needed generate) the blackboxes once, before forking
    for b in args.benchmarks:
        benchmark_info(b)
    jobs = []
    for part in args.part:
        methods = METHODS_A if part == "A" else METHODS_B
        for b in args.benchmarks:
            for m in methods:
                for s in args.seeds:
                    jobs.append((b, m, s, part, args.budget_factor, args.num_configs))
    t0 = time.perf_counter()
    results = []
    if args.workers > 1:
        with ProcessPoolExecutor(max_workers=args.workers) as pool:
            for r in pool.map(run_one, jobs, chunksize=1):
                results.append(r)
    else:
        results = [run_one(j) for j in jobs]
    elapsed = time.perf_counter() - t0
    summary = summarize(results)
    verdict = print_report(summary)
    print(f"\n{len(jobs)} runs in {elapsed:.0f}s")
    if args.out:
        with open(args.out, "w") as f:
            json.dump({"runs": results, "summary": summary, "verdict": verdict}, f, indent=1, default=str)
    return summary, verdict


if __name__ == "__main__":
    main()
