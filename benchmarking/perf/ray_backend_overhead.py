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
                local_perf.run_tuner(make(), args.n_trials, args.n_workers, args.sleep_time, seed, name)
                for seed in range(args.repeats)
            ]
            summary = res["runs"][name] = local_perf.summarize(runs, args.n_workers, bare)
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
    local_perf.write_results(res, "ray_backend_overhead", args.out)


if __name__ == "__main__":
    main()
