"""Load and read timings of the blackbox repository.

For a synthetic NAS-Bench-201-shaped table (15,625 configurations x 3 seeds
x 200 fidelities x 2 objectives, built here like ``simulate_asha.py`` does)
and for every blackbox already generated in the repository (or named with
``--generate``), prints:

* ``load_s``: time of ``deserialize`` / ``load_blackbox`` (min / median of
  ``--repeats``; checksums verified, verification cache warm, i.e. the
  default ``ignore_hash=True``; the synthetic table also with
  ``ignore_hash=False``, every file hashed on each load),
* ``read_us``: mean time of ``objective_function(config, seed=s)`` over
  ``--num-reads`` random configurations of the table (all fidelities at
  once; a dict for blackboxes without fidelity).

Usage: python benchmarking/perf/blackbox_io.py [--repository DIR]
       [--generate icml-deepar fcnet ...] [--repeats 5] [--num-reads 1000]
       [--out blackbox_io.json]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import statistics
import sys
import tempfile
import time

import numpy as np

OPS = ["avg_pool_3x3", "nor_conv_3x3", "skip_connect", "nor_conv_1x1", "none"]


def synthetic_nb201(path: str):
    import pandas as pd

    from syne_tune.blackbox_repository.blackbox_tabular import BlackboxTabular, serialize
    from syne_tune.config_space import choice, randint

    rng = np.random.default_rng(1234)
    rows = list(itertools.product(OPS, repeat=6))
    n = len(rows)
    values = rng.random((n, 3, 200, 2), dtype=np.float32)
    values[..., 1] = np.cumsum(values[..., 1], axis=-1)
    names = [f"hp_x{i}" for i in range(6)]
    bb = BlackboxTabular(
        hyperparameters=pd.DataFrame(rows, columns=names),
        configuration_space={k: choice(OPS) for k in names},
        fidelity_space={"hp_epoch": randint(1, 200)},
        objectives_evaluations=values,
        objectives_names=["metric_valid_error", "metric_elapsed_time"],
    )
    serialize({"synthetic_nb201": bb}, path)


def stats(xs):
    return {"min": round(min(xs), 6), "median": round(statistics.median(xs), 6)}


def time_reads(bbs: dict, num_reads: int, rng) -> float:
    tasks = list(bbs)
    plans = []
    for _ in range(num_reads):
        bb = bbs[tasks[int(rng.integers(len(tasks)))]]
        configs = getattr(bb, "_bench_configs", None)
        if configs is None:  # tabular and offline blackboxes both list them
            configs = bb._bench_configs = bb.all_configurations()
        # offline blackboxes take seed values, the others positions
        seeds = getattr(bb, "seed_values", None) or list(range(bb.num_seeds))
        config = configs[int(rng.integers(len(configs)))]
        seed = seeds[int(rng.integers(len(seeds)))]
        plans.append((bb, config, seed))
    t0 = time.perf_counter()
    for bb, config, seed in plans:
        bb.objective_function(config, seed=seed)
    return (time.perf_counter() - t0) / num_reads * 1e6


def measure(name, load_fn, repeats, num_reads, rng):
    load_times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        bbs = load_fn()
        load_times.append(time.perf_counter() - t0)
    read_us = [time_reads(bbs, num_reads, rng) for _ in range(repeats)]
    first = bbs[next(iter(bbs))]
    shape = getattr(first, "objectives_evaluations", None)
    res = {
        "tasks": len(bbs),
        "shape_first_task": list(shape.shape) if shape is not None else None,
        "load_s": stats(load_times),
        "read_us": stats(read_us),
    }
    print(f"{name:24s} tasks={res['tasks']:3d} load={res['load_s']['median'] * 1e3:8.2f} ms "
          f"(min {res['load_s']['min'] * 1e3:.2f})  read={res['read_us']['median']:7.2f} us "
          f"(min {res['read_us']['min']:.2f})  shape={res['shape_first_task']}",
          flush=True)
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repository", default=None)
    ap.add_argument("--generate", nargs="*", default=[])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--num-reads", type=int, default=1000)
    ap.add_argument("--out", default=None)
    args = ap.parse_args()

    from syne_tune.blackbox_repository import blackbox_list, load_blackbox
    from syne_tune.blackbox_repository.conversion_scripts.recipes import get_recipes
    from syne_tune.blackbox_repository.conversion_scripts.utils import repository_path
    from syne_tune.blackbox_repository.serialization import deserialize

    rng = np.random.default_rng(0)
    results = {}
    tmp = tempfile.mkdtemp(prefix="bb-io-")
    try:
        path = os.path.join(tmp, "synthetic_nb201")
        t0 = time.perf_counter()
        synthetic_nb201(path)
        print(f"synthetic NB201-shaped table written in {time.perf_counter() - t0:.2f} s "
              f"({sum(os.path.getsize(os.path.join(path, f)) for f in os.listdir(path)) / 1e6:.1f} MB)")
        results["synthetic_nb201"] = measure(
            "synthetic_nb201", lambda: deserialize(path), args.repeats, args.num_reads, rng
        )
        results["synthetic_nb201 (no mmap)"] = measure(
            "synthetic_nb201 (no mmap)", lambda: deserialize(path, memory_map=False),
            args.repeats, args.num_reads, rng,
        )
        results["synthetic_nb201 (ignore_hash=False)"] = measure(
            "synthetic_nb201 (full hash)", lambda: deserialize(path, ignore_hash=False),
            args.repeats, args.num_reads, rng,
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    root = repository_path(args.repository)
    recipes = get_recipes()
    for name in args.generate:
        t0 = time.perf_counter()
        load_blackbox(name, repository_path=root)
        print(f"{name}: generated/loaded in {time.perf_counter() - t0:.1f} s", flush=True)
    for name in blackbox_list():
        recipe = recipes[name]
        if not recipe.is_generated(recipe.target_path(root)):
            continue
        try:
            results[name] = measure(
                name, lambda: load_blackbox(name, repository_path=root), args.repeats,
                args.num_reads, rng,
            )
        except Exception as ex:  # keep going with the others
            print(f"{name}: {type(ex).__name__}: {ex}", file=sys.stderr)
    if args.out:
        with open(args.out, "w") as f:
            json.dump(results, f, indent=1)
    print(json.dumps({"benchmark": "blackbox_io", "synthetic_nb201": results["synthetic_nb201"]}))


if __name__ == "__main__":
    main()
