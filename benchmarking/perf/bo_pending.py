"""GP Bayesian optimization with pending trials: suggest latency and
quality when ``--pending`` trials are always running.

The workload of ``../shared/perf/bo_suggest_latency.py`` (its 6-d mixed
space and synthetic loss, in ``mixed_space_workload.py``; minimum about -0.0394), driven
the way a tuner with ``pending + 1`` workers drives a scheduler: the first
``pending`` suggestions are made before any result; from then on every
suggestion is made while ``pending`` earlier trials still run (each result
is told only ``pending`` suggestions later). With ``--pending 0`` this is
the shared script's sequential protocol.

Printed per setting: ms per ``suggest`` (window median around n = 25, 50,
100, 200 observations; min and median over seeds) and the best loss after
``--budget`` trials (mean over seeds), for fantasizing on (default) and off
(``no_fantasizing=True``).

Usage: python benchmarking/perf/bo_pending.py [--pending 0 4] [--seeds 0 1 2]
       [--budget 100] [--max-n 200] [--out bo_pending.json]
"""

from __future__ import annotations

import argparse
import json

from mixed_space_workload import WINDOW, drive, scheduler_factory, summarize


def run(seed: int, pending: int, n_total: int, fantasize: bool) -> tuple[list[float], list[float], list[int]]:
    make = scheduler_factory("BayesianOptimization", search_options={"no_fantasizing": not fantasize})
    return drive(make(seed), n_total, pending)


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pending", type=int, nargs="+", default=[0, 4])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--budget", type=int, default=100)
    parser.add_argument("--max-n", type=int, default=200)
    parser.add_argument("--checkpoints", type=int, nargs="+", default=[25, 50, 100, 200])
    parser.add_argument("--no-compare", action="store_true", help="fantasizing on only")
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    out = {}
    for pending in args.pending:
        for fantasize in [True] if (args.no_compare or pending == 0) else [True, False]:
            label = f"pending={pending}" + ("" if pending == 0 else (" fantasizing" if fantasize else " no fantasizing"))
            per_seed = []
            for seed in args.seeds:
                n_total = max(args.max_n + pending + WINDOW + 1, args.budget)
                per_seed.append(run(seed, pending, n_total, fantasize))
            out[label] = summarize(per_seed, args.checkpoints, args.budget)
            ms = out[label]["ms_min_median_at_n"]
            print(f"{label:32s} ms per suggest (min/median) at n: {ms}  best@{args.budget}: {out[label]['best_mean']:.5f} {out[label]['best_per_seed']}", flush=True)
    if args.out:
        with open(args.out, "w") as f:
            json.dump(out, f, indent=1)
    print(json.dumps({"benchmark": "bo_pending", "summary": out}))
    return out


if __name__ == "__main__":
    main()
