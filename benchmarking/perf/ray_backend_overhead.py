"""Overhead per trial of the Tuner on the RayBackend, next to the LocalBackend.

Runs 30 trials of the trivial training script of
``local_backend_overhead.py`` (5 reports, no work) with 4 workers and random
search, once on each backend:

* ``local``: :class:`~syne_tune.backend.LocalBackend`;
* ``ray``: :class:`~syne_tune.backend.RayBackend` on a local Ray cluster
  started here (``ray.init``, one CPU per trial, ``num_cpus`` = workers),
  runners reused from trial to trial (the default);
* ``ray-fresh-workers``: the same with ``reuse_workers=False`` (a new Ray
  actor, hence a new Ray worker process, per trial).

For each it prints the wall time and the per-trial overhead in worker-seconds,
``wall * n_workers / n_trials - bare`` (``bare``: running the script on its
own), plus the tuner's CPU time and the time spent in backend calls per trial.
Starting the Ray cluster is not counted (it is printed apart).

    python benchmarking/perf/ray_backend_overhead.py [--n-trials 30] [--n-workers 4] [--repeats 1] [--out res.json]
"""

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
for folder in (str(REPO_ROOT), str(HERE)):
    if folder not in sys.path:
        sys.path.insert(0, folder)

import local_backend_overhead as local_perf  # noqa: E402


def run_tuner(backend, n_trials: int, n_workers: int, sleep_time: float, seed: int, name: str) -> dict:
    """One tuning run of ``n_trials`` trivial trials on ``backend``."""
    from syne_tune import StoppingCriterion, Tuner
    from syne_tune.config_space import uniform
    from syne_tune.optimizer.baselines import RandomSearch

    timer = local_perf.TimedBackendCalls(backend)
    tuner = Tuner(
        trial_backend=backend,
        scheduler=RandomSearch({"x": uniform(0, 1), "epochs": 5}, metric="loss", mode="min", random_seed=seed),
        stop_criterion=StoppingCriterion(max_num_trials_completed=n_trials),
        n_workers=n_workers,
        sleep_time=sleep_time,
        save_tuner=False,
        print_update_interval=1e9,
        tuner_name=f"perf-{name}-{seed}",
    )
    cpu0, t0 = time.process_time(), time.perf_counter()
    tuner.run()
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    completed = int(tuner.tuning_status.num_trials_completed)
    return {"wall_s": wall, "tuner_cpu_s": cpu, "backend_s": timer.total, "completed": completed}


def summarize(runs: list[dict], n_workers: int, bare_s: float) -> dict:
    n = [r["completed"] for r in runs]
    return {
        "wall_s": local_perf.median([r["wall_s"] for r in runs]),
        "s_per_trial": local_perf.median([r["wall_s"] / c for r, c in zip(runs, n)]),
        "overhead_worker_s_per_trial": local_perf.median([r["wall_s"] * n_workers / c - bare_s for r, c in zip(runs, n)]),
        "tuner_cpu_s_per_trial": local_perf.median([r["tuner_cpu_s"] / c for r, c in zip(runs, n)]),
        "backend_calls_s_per_trial": local_perf.median([r["backend_s"] / c for r, c in zip(runs, n)]),
        "completed": n,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n-trials", type=int, default=30)
    ap.add_argument("--n-workers", type=int, default=4)
    ap.add_argument("--sleep-time", type=float, default=0.01, help="the tuner's sleep_time")
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--out", default=None, help="write the full results as JSON here")
    args = ap.parse_args()
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")

    import ray

    from syne_tune.backend import LocalBackend, RayBackend

    tmp = Path(tempfile.mkdtemp(prefix="st-perf-ray-"))
    os.environ["SYNETUNE_FOLDER"] = str(tmp / "syne-tune")
    script = tmp / "train_noop.py"
    script.write_text(local_perf.TRAIN_SCRIPT)
    env = local_perf.child_env()
    try:
        bare = statistics.median(local_perf.time_command([sys.executable, str(script), "--x", "0.5"], 5, env))
        t0 = time.perf_counter()
        ray.init(num_cpus=args.n_workers, include_dashboard=False, log_to_driver=False)
        ray_start = time.perf_counter() - t0
        res = {
            "n_trials": args.n_trials,
            "n_workers": args.n_workers,
            "sleep_time": args.sleep_time,
            "bare_script_s": round(bare, 4),
            "ray_init_s": round(ray_start, 3),
            "runs": {},
        }
        print(f"bare script {bare:.3f} s; ray.init {ray_start:.2f} s (not counted)", file=sys.stderr)
        makers = {
            "local": lambda: LocalBackend(entry_point=str(script)),
            "ray": lambda: RayBackend(entry_point=str(script), resources_per_trial={"cpu": 1}),
            "ray-fresh-workers": lambda: RayBackend(
                entry_point=str(script), resources_per_trial={"cpu": 1}, reuse_workers=False
            ),
        }
        for name, make in makers.items():
            runs = [
                run_tuner(make(), args.n_trials, args.n_workers, args.sleep_time, seed, name)
                for seed in range(args.repeats)
            ]
            summary = res["runs"][name] = summarize(runs, args.n_workers, bare)
            print(
                f"{name:>18}: wall {summary['wall_s']:.2f} s for {summary['completed']} trials, "
                f"{summary['s_per_trial']:.3f} s/trial, overhead {summary['overhead_worker_s_per_trial']:.3f} "
                f"worker-s/trial, tuner CPU {summary['tuner_cpu_s_per_trial'] * 1e3:.1f} ms/trial, "
                f"backend calls {summary['backend_calls_s_per_trial'] * 1e3:.1f} ms/trial",
                file=sys.stderr,
            )
    finally:
        if ray.is_initialized():
            ray.shutdown()
        shutil.rmtree(tmp, ignore_errors=True)
    if args.out:
        with open(args.out, "w") as f:
            json.dump(res, f, indent=1)
    print(json.dumps({"benchmark": "ray_backend_overhead", **res}))


if __name__ == "__main__":
    main()
