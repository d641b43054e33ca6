"""GP Bayesian optimization with pending trials: suggest latency and
quality when ``--pending`` trials are always running.

The workload of ``../shared/perf/bo_suggest_latency.py`` (its 6-d mixed
space and synthetic loss, restated below; minimum about -0.0394), driven
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
import math
import statistics
import time
from collections import deque
from datetime import datetime

from syne_tune.config_space import choice, loguniform, lograndint, randint, uniform
from syne_tune.optimizer.baselines import BayesianOptimization
from syne_tune.trial import Trial

ACT_PENALTY = {"relu": 0.0, "tanh": 0.3, "gelu": 0.1}
CONFIG_SPACE = {
    "lr": loguniform(1e-5, 1.0),
    "wd": loguniform(1e-6, 1e-1),
    "layers": randint(1, 8),
    "units": lograndint(16, 1024),
    "dropout": uniform(0.0, 0.8),
    "act": choice(["relu", "tanh", "gelu"]),
}
WINDOW = 2


def objective(cfg: dict) -> float:
    """The synthetic loss of ``bo_suggest_latency.py`` (minimize)."""
    lr, wd, layers, units, dropout = cfg["lr"], cfg["wd"], cfg["layers"], cfg["units"], cfg["dropout"]
    return (
        (math.log10(lr) + 2.5) ** 2
        + 0.5 * (math.log10(wd) + 4.0) ** 2
        + 0.1 * (layers - 4) ** 2
        + 0.25 * (math.log2(units) - 8.0) ** 2
        + 2.0 * (dropout - 0.3) ** 2
        + ACT_PENALTY[cfg["act"]]
        + 0.05 * math.sin(3.0 * math.log10(lr)) * math.cos(2.0 * dropout)
    )


def run(seed: int, pending: int, n_total: int, fantasize: bool) -> tuple[list[float], list[float], list[int]]:
    scheduler = BayesianOptimization(
        CONFIG_SPACE, metric="loss", mode="min", random_seed=seed, search_options={"no_fantasizing": not fantasize}
    )
    running: deque = deque()
    times, ys, observed = [], [], []

    def tell(trial):
        y = objective(trial.config)
        result = {"loss": y, "epoch": 1}
        scheduler.on_trial_result(trial, result)
        scheduler.on_trial_complete(trial, result)
        ys.append(y)

    for tid in range(n_total):
        observed.append(len(ys))
        t0 = time.perf_counter()
        suggestion = scheduler.suggest(trial_id=tid)
        times.append(time.perf_counter() - t0)
        trial = Trial(trial_id=tid, config=dict(suggestion.config), creation_time=datetime.now())
        scheduler.on_trial_add(trial)
        running.append(trial)
        if len(running) > pending:
            tell(running.popleft())
    while running:
        tell(running.popleft())
    return times, ys, observed


def window_ms(times: list[float], observed: list[int], n: int) -> float | None:
    idx = [i for i, k in enumerate(observed) if abs(k - n) <= WINDOW]
    return statistics.median(times[i] for i in idx) * 1e3 if idx else None


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
            ms = {}
            for n in args.checkpoints:
                values = [w for w in (window_ms(t, o, n) for t, _, o in per_seed) if w is not None]
                if values:
                    ms[n] = (round(min(values), 1), round(statistics.median(values), 1))
            bests = [min(ys[: args.budget]) for _, ys, _ in per_seed]
            out[label] = {"ms_min_median_at_n": ms, "best_mean": round(statistics.mean(bests), 5), "best_per_seed": [round(b, 5) for b in bests]}
            print(f"{label:32s} ms per suggest (min/median) at n: {ms}  best@{args.budget}: {out[label]['best_mean']:.5f} {out[label]['best_per_seed']}", flush=True)
    if args.out:
        with open(args.out, "w") as f:
            json.dump(out, f, indent=1)
    print(json.dumps({"benchmark": "bo_pending", "summary": out}))
    return out


if __name__ == "__main__":
    main()
