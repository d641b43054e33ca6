"""Time per scheduler decision for ASHA with many trials in the rung system.

For each population size n (default 1,000 / 10,000 / 100,000), n trials are
first recorded at the lowest rung (not timed). Then, timed:

* ``rung_us``: ``on_trial_result`` for new trials reaching the lowest rung
  (insert into a rung holding >= n values + quantile cutoff + decision);
* ``between_us``: ``on_trial_result`` for results between rung levels;
* ``suggest_us``: ``suggest`` for a new trial (random searcher included);
* ``promotion_suggest_us``: ``suggest`` of promotion-type ASHA with n
  paused trials at the lowest rung (scan for a promotable trial; when none
  is promotable a new configuration is sampled, so this mixes resumes at
  ~10 us and new trials at ``suggest_us``);
* ``msr_us``: ``on_trial_result`` of the median stopping rule (n values per
  level).

Goal: ASHA decisions under 50 us, independent of n.
Usage: python benchmarking/perf/scheduler_overhead.py [--sizes 1000 10000]
       [--repeats 3] [--out overhead.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from datetime import datetime

import numpy as np

from syne_tune.trial import Trial
from syne_tune.config_space import choice, loguniform, randint, uniform
from syne_tune.optimizer.baselines import ASHA, MedianStoppingRule, RandomSearch

CONFIG_SPACE = {
    "lr": loguniform(1e-5, 1e-1),
    "dropout": uniform(0.0, 0.5),
    "layers": randint(1, 8),
    "act": choice(["relu", "tanh", "gelu"]),
    "epochs": 81,
}
METRIC = "loss"
NOW = datetime(2024, 1, 1)


def _trials(start: int, num: int) -> list[Trial]:
    config = {"lr": 0.01, "dropout": 0.1, "layers": 2, "act": "relu", "epochs": 81}
    return [Trial(tid, config, NOW) for tid in range(start, start + num)]


def _fill(scheduler, trials, rng, epoch=1):
    values = rng.rand(len(trials))
    for t, v in zip(trials, values):
        scheduler.on_trial_result(t, {METRIC: float(v), "epoch": epoch})


def measure_asha(n: int, num_timed: int, seed: int) -> dict:
    rng = np.random.RandomState(seed)
    sched = ASHA(CONFIG_SPACE, metric=METRIC, resource_attr="epoch", max_t=81, random_seed=seed)
    _fill(sched, _trials(0, n), rng)
    assert len(sched.rung_system.rungs[0]) == n
    # Timed: new trials reaching rung 1
    timed = _trials(n, num_timed)
    results = [{METRIC: float(v), "epoch": 1} for v in rng.rand(num_timed)]
    on_result = sched.on_trial_result
    t0 = time.perf_counter()
    decisions = [on_result(t, r) for t, r in zip(timed, results)]
    rung_us = (time.perf_counter() - t0) / num_timed * 1e6
    # Timed: continuing trials, epoch 2 (not a rung level)
    cont = [t for t, d in zip(timed, decisions) if d == "CONTINUE"]
    results2 = [{METRIC: 0.5, "epoch": 2} for _ in cont]
    t0 = time.perf_counter()
    for t, r in zip(cont, results2):
        on_result(t, r)
    between_us = (time.perf_counter() - t0) / max(1, len(cont)) * 1e6
    # Timed: suggest
    t0 = time.perf_counter()
    for tid in range(n + num_timed, n + 2 * num_timed):
        sched.suggest(tid)
    suggest_us = (time.perf_counter() - t0) / num_timed * 1e6
    return {"rung_us": rung_us, "between_us": between_us, "suggest_us": suggest_us,
            "fraction_continued": len(cont) / num_timed}


def measure_promotion_suggest(n: int, num_timed: int, seed: int) -> float:
    rng = np.random.RandomState(seed)
    sched = ASHA(CONFIG_SPACE, metric=METRIC, resource_attr="epoch", max_t=81, type="promotion", random_seed=seed)
    trials = _trials(0, n)
    for t in trials:
        sched.suggest(t.trial_id)
    _fill(sched, trials, rng)
    for t in trials:
        sched.on_trial_remove(t)
    t0 = time.perf_counter()
    for tid in range(n, n + num_timed):
        sched.suggest(tid)
    return (time.perf_counter() - t0) / num_timed * 1e6


def measure_msr(n: int, num_timed: int, seed: int) -> float:
    rng = np.random.RandomState(seed)
    msr = MedianStoppingRule(RandomSearch(CONFIG_SPACE, metric=METRIC, random_seed=seed), resource_attr="epoch")
    _fill(msr, _trials(0, n), rng)
    timed = _trials(n, num_timed)
    results = [{METRIC: float(v), "epoch": 1} for v in rng.rand(num_timed)]
    t0 = time.perf_counter()
    for t, r in zip(timed, results):
        msr.on_trial_result(t, r)
    return (time.perf_counter() - t0) / num_timed * 1e6


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    ap.add_argument("--num-timed", type=int, default=5000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    out = {"benchmark": "scheduler_overhead", "goal_us": 50.0, "sizes": {}}
    for n in args.sizes:
        runs = [measure_asha(n, args.num_timed, seed) for seed in range(args.repeats)]
        entry = {
            key: round(statistics.median(r[key] for r in runs), 2)
            for key in ("rung_us", "between_us", "suggest_us")
        }
        entry["promotion_suggest_us"] = round(
            statistics.median(measure_promotion_suggest(n, min(args.num_timed, 2000), s) for s in range(args.repeats)), 2
        )
        entry["msr_us"] = round(statistics.median(measure_msr(n, args.num_timed, s) for s in range(args.repeats)), 2)
        out["sizes"][n] = entry
        print(f"n = {n:>7}: " + ", ".join(f"{k} {v}" for k, v in entry.items()), flush=True)
    worst = max(max(e["rung_us"], e["between_us"]) for e in out["sizes"].values())
    out["asha_on_trial_result_worst_us"] = worst
    out["meets_goal"] = worst < out["goal_us"]
    if args.out:
        with open(args.out, "w") as f:
            json.dump(out, f, indent=1)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
