"""Cost per decision and anytime quality of the single-fidelity searchers.

Drives the baselines of :mod:`syne_tune.optimizer.baselines` named by
``--methods`` on the workload of ``../shared/perf/bo_suggest_latency.py``
(6-d mixed space, synthetic loss; see ``mixed_space_workload.py``), one
trial at a time (``--pending 0``) or with ``--pending`` trials always
running. Printed per method: ms per ``suggest`` around n = 25, 50, 100,
200 observations (min and median over seeds) and the best loss after
``--budget`` trials (mean over seeds, and per seed).

Usage: python benchmarking/perf/searcher_suggest.py
       [--methods RandomSearch KDE REA BORE CQR BayesianOptimization]
       [--seeds 0 1 2] [--budget 100] [--max-n 200] [--pending 0] [--out f.json]
"""

from __future__ import annotations

import argparse
import json

from mixed_space_workload import WINDOW, drive, scheduler_factory, summarize

DEFAULT_METHODS = ["RandomSearch", "KDE", "REA", "BORE", "CQR", "BayesianOptimization"]


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--methods", nargs="+", default=DEFAULT_METHODS, help="baseline class names")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--budget", type=int, default=100)
    parser.add_argument("--max-n", type=int, default=200)
    parser.add_argument("--pending", type=int, default=0)
    parser.add_argument("--checkpoints", type=int, nargs="+", default=[25, 50, 100, 200])
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    out = {}
    n_total = max(args.max_n + args.pending + WINDOW + 1, args.budget)
    for method in args.methods:
        make = scheduler_factory(method)
        per_seed = [drive(make(seed), n_total, args.pending) for seed in args.seeds]
        out[method] = summarize(per_seed, args.checkpoints, args.budget)
        ms = out[method]["ms_min_median_at_n"]
        print(
            f"{method:22s} ms per suggest (min/median) at n: {ms}  "
            f"best@{args.budget}: {out[method]['best_mean']:.5f} {out[method]['best_per_seed']}",
            flush=True,
        )
    if args.out:
        with open(args.out, "w") as f:
            json.dump(out, f, indent=1)
    print(json.dumps({"benchmark": "searcher_suggest", "pending": args.pending, "summary": out}))
    return out


if __name__ == "__main__":
    main()
