"""MOBSTER decision latency as the number of observations grows.

A :class:`~syne_tune.optimizer.baselines.MOBSTER` scheduler (ASHA stopping,
rung levels 1, 3, 9, 27 of ``max_t = 81``, ``searcher_data="rungs"``) is
driven like a tuner with ``--workers`` workers on synthetic learning curves
over a 6-d mixed space (``y(x, r) = f(x) + (0.9 - f(x)) exp(-r / tau(x))``).
Every ``suggest`` and ``on_trial_result`` call is timed and tagged with the
number of observations the searcher holds at that moment (one per trial and
rung level reached) and, for ``suggest``, with whether the GP
hyperparameters were optimized during the call (``GPModel.num_optimizations``
grew) or only the posterior was recomputed (the refit policy of
:class:`~syne_tune.optimizer.schedulers.searchers.bayesopt.surrogate.GPModel`).

Printed: one row per window of observations around ``--sizes`` (default
50, 100, 200, 400, 800: the window of size ``n`` holds the calls made with
``[n, next size)`` observations), with the number of suggestions (with /
without hyperparameter optimization), their median (and max) milliseconds,
and the median / 99th percentile of ``on_trial_result``.

Usage: python benchmarking/perf/mobster_decisions.py [--sizes 50 100 200 400 800]
       [--model gp_multitask] [--workers 4] [--seed 0] [--out mobster_decisions.json]
"""

from __future__ import annotations

import argparse
import heapq
import json
import math
import statistics
import time
from datetime import datetime

import numpy as np

from syne_tune.config_space import choice, loguniform, randint, uniform
from syne_tune.optimizer.baselines import MOBSTER
from syne_tune.optimizer.scheduler import SchedulerDecision
from syne_tune.trial import Trial

MAX_T = 81
CONFIG_SPACE = {
    "lr": loguniform(1e-4, 1.0),
    "wd": loguniform(1e-6, 1e-1),
    "layers": randint(1, 8),
    "dropout": uniform(0.0, 0.8),
    "momentum": uniform(0.5, 0.99),
    "act": choice(["relu", "tanh", "gelu"]),
    "epochs": MAX_T,
}
ACT = {"relu": 0.0, "tanh": 0.05, "gelu": 0.02}


def final_error(cfg: dict) -> float:
    return (
        0.05
        + 0.05 * (math.log10(cfg["lr"]) + 2.0) ** 2
        + 0.02 * (math.log10(cfg["wd"]) + 4.0) ** 2 / 4.0
        + 0.01 * abs(cfg["layers"] - 4)
        + 0.1 * (cfg["dropout"] - 0.3) ** 2
        + 0.2 * (cfg["momentum"] - 0.9) ** 2
        + ACT[cfg["act"]]
    )


def curve(cfg: dict, epoch: int) -> float:
    e_inf = final_error(cfg)
    tau = 3.0 + 20.0 * cfg["dropout"]
    return e_inf + (0.9 - e_inf) * math.exp(-epoch / tau)


def _num_optimizations(searcher) -> int:
    model = searcher._models.get(searcher._metric)
    if model is None:
        return 0
    if hasattr(model, "num_optimizations"):
        return int(model.num_optimizations)
    return sum(int(m.num_optimizations) for m in getattr(model, "_models", {}).values())


def run(sizes: list[int], model: str, workers: int, seed: int) -> list[dict]:
    scheduler = MOBSTER(
        CONFIG_SPACE,
        metric="error",
        resource_attr="epoch",
        max_resource_attr="epochs",
        random_seed=seed,
        search_options={"model": model},
    )
    searcher = scheduler.searcher
    rng = np.random.RandomState(seed)
    suggests, results = [], []  # (n, ms, optimized) / (n, ms)
    events, trials, progress, seq = [], {}, {}, 0
    next_id, now = 0, 0.0
    target = sizes[-1] * 2

    def start():
        nonlocal next_id, seq
        n = searcher.dataset_size()
        before = _num_optimizations(searcher)
        t0 = time.perf_counter()
        suggestion = scheduler.suggest(next_id)
        ms = 1e3 * (time.perf_counter() - t0)
        suggests.append((n, ms, _num_optimizations(searcher) > before))
        trial = Trial(next_id, dict(suggestion.config), datetime(2024, 1, 1))
        trials[next_id], progress[next_id] = trial, 0
        scheduler.on_trial_add(trial)
        seq += 1
        heapq.heappush(events, (now + rng.uniform(0.5, 1.5), seq, next_id))
        next_id += 1

    for _ in range(workers):
        start()
    while events and searcher.dataset_size() < target:
        now, _, tid = heapq.heappop(events)
        trial = trials[tid]
        progress[tid] += 1
        epoch = progress[tid]
        result = {"error": curve(trial.config, epoch) + 0.003 * rng.randn(), "epoch": epoch}
        n = searcher.dataset_size()
        t0 = time.perf_counter()
        decision = scheduler.on_trial_result(trial, result)
        results.append((n, 1e3 * (time.perf_counter() - t0)))
        if decision == SchedulerDecision.CONTINUE and epoch < MAX_T:
            seq += 1
            heapq.heappush(events, (now + rng.uniform(0.5, 1.5), seq, tid))
            continue
        if decision == SchedulerDecision.CONTINUE:
            scheduler.on_trial_complete(trial, result)
        else:
            scheduler.on_trial_remove(trial)
        start()

    rows = []
    bounds = list(sizes) + [target + 1]
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        s_opt = [ms for n, ms, opt in suggests if lo <= n < hi and opt]
        s_plain = [ms for n, ms, opt in suggests if lo <= n < hi and not opt]
        res = sorted(ms for n, ms in results if lo <= n < hi)
        rows.append(
            dict(
                n=lo,
                suggests_plain=len(s_plain),
                suggests_opt=len(s_opt),
                ms_plain_median=statistics.median(s_plain) if s_plain else None,
                ms_plain_max=max(s_plain) if s_plain else None,
                ms_opt_median=statistics.median(s_opt) if s_opt else None,
                ms_opt_max=max(s_opt) if s_opt else None,
                results=len(res),
                ms_result_median=statistics.median(res) if res else None,
                ms_result_p99=res[min(len(res) - 1, int(0.99 * len(res)))] if res else None,
            )
        )
    return rows


def _fmt(x) -> str:
    return "-" if x is None else f"{x:.1f}"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[50, 100, 200, 400, 800])
    ap.add_argument("--model", default="gp_multitask", choices=["gp_multitask", "gp_independent", "gp_expdecay"])
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    rows = run(sorted(args.sizes), args.model, args.workers, args.seed)
    wall = time.perf_counter() - t0
    header = (
        f"{'obs n':>7} | {'suggest plain':>13} {'median ms':>9} {'max ms':>8} | {'suggest +hp opt':>15} "
        f"{'median ms':>9} {'max ms':>8} | {'results':>7} {'median ms':>9} {'p99 ms':>7}"
    )
    print(f"MOBSTER ({args.model}, {args.workers} workers, seed {args.seed}): decisions by observations held")
    print(header)
    print("-" * len(header))
    for r in rows:
        print(
            f"{r['n']:>7} | {r['suggests_plain']:>13} {_fmt(r['ms_plain_median']):>9} {_fmt(r['ms_plain_max']):>8} | "
            f"{r['suggests_opt']:>15} {_fmt(r['ms_opt_median']):>9} {_fmt(r['ms_opt_max']):>8} | "
            f"{r['results']:>7} {_fmt(r['ms_result_median']):>9} {_fmt(r['ms_result_p99']):>7}"
        )
    summary = {"benchmark": "mobster_decisions", "model": args.model, "wall_s": round(wall, 2), "rows": rows}
    if args.out:
        with open(args.out, "w") as f:
            json.dump(summary, f, indent=1)
    print(json.dumps({"benchmark": "mobster_decisions", "model": args.model, "wall_s": round(wall, 2)}))


if __name__ == "__main__":
    main()
