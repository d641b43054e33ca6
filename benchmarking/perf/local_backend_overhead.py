"""Overhead of the Tuner + LocalBackend per trial.

Runs 30 trials of a trivial training script (5 reports, no work) with 2
workers and random search, and prints

* the cost of starting the script on its own (``bare``: a fresh Python
  process that imports ``syne_tune.Reporter`` and reports 5 times), and of
  ``from syne_tune import Reporter`` in it (``import``);
* the tuning run's wall time, and the per-trial overhead in worker-seconds:
  ``wall * n_workers / n_trials - bare`` (time a worker is not running a
  script: starting it, noticing it ended, sleeping between polls);
* the tuner process's own CPU time per trial, and the time spent inside
  backend calls (``start_trial``, ``fetch_status_results``, ...) per trial.

Goal: under 0.3 s of overhead per trial beyond the process start (Syne Tune
0.13: 1.4-1.55 s with ``sleep_time=0.1``, plus 1.6-1.9 s to start a script
that imports it).

    python benchmarking/perf/local_backend_overhead.py [--sleep-times 0.1 0.01] [--repeats 3] [--out res.json]
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

TRAIN_SCRIPT = """
import argparse
from syne_tune import Reporter

p = argparse.ArgumentParser()
p.add_argument("--x", type=float, required=True)
p.add_argument("--epochs", type=int, default=5)
args, _ = p.parse_known_args()
report = Reporter()
for epoch in range(1, args.epochs + 1):
    report(epoch=epoch, loss=(args.x - 0.3) ** 2 + 1.0 / epoch)
"""


def child_env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in [env.get("PYTHONPATH"), str(REPO_ROOT)] if p)
    return env


def time_command(argv, repeats, env) -> list[float]:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, env=env)
        times.append(time.perf_counter() - t0)
    return times


class TimedBackendCalls:
    """Wraps the backend's public methods to add up the time spent in them."""

    METHODS = ("start_trial", "fetch_status_results", "stop_trial", "pause_trial", "resume_trial", "stop_all")

    def __init__(self, backend):
        self.total = 0.0
        self.calls = {}
        for name in self.METHODS:
            self._wrap(backend, name)

    def _wrap(self, backend, name):
        method = getattr(backend, name)

        def timed(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                dt = time.perf_counter() - t0
                self.total += dt
                self.calls[name] = self.calls.get(name, 0) + 1

        setattr(backend, name, timed)


def run_tuner(backend, n_trials: int, n_workers: int, sleep_time: float, seed: int, name: str = "local") -> dict:
    """One tuning run of ``n_trials`` trivial trials (random search) on
    ``backend``: its wall time, the tuner's CPU time, the time spent in
    backend calls and the number of trials completed (also used by
    ``ray_backend_overhead.py``)."""
    from syne_tune import StoppingCriterion, Tuner
    from syne_tune.config_space import uniform
    from syne_tune.optimizer.baselines import RandomSearch

    timer = TimedBackendCalls(backend)
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


def median(xs):
    return round(statistics.median(xs), 4)


def summarize(runs: list[dict], n_workers: int, bare_s: float) -> dict:
    """Medians over the runs of :func:`run_tuner` of the wall time, the time
    per trial, the overhead per trial in worker-seconds (``wall * n_workers
    / n_trials - bare_s``), the tuner's CPU time and the backend calls' time
    per trial (also used by ``ray_backend_overhead.py``)."""
    n = [r["completed"] for r in runs]
    return {
        "wall_s": median([r["wall_s"] for r in runs]),
        "s_per_trial": median([r["wall_s"] / c for r, c in zip(runs, n)]),
        "overhead_worker_s_per_trial": median([r["wall_s"] * n_workers / c - bare_s for r, c in zip(runs, n)]),
        "tuner_cpu_s_per_trial": median([r["tuner_cpu_s"] / c for r, c in zip(runs, n)]),
        "backend_calls_s_per_trial": median([r["backend_s"] / c for r, c in zip(runs, n)]),
        "completed": n,
    }


def write_results(res: dict, benchmark: str, out: str | None) -> None:
    """Print ``res`` as one JSON line tagged with ``benchmark``, and write it
    to the file ``out`` too if given (also used by ``ray_backend_overhead.py``)."""
    if out:
        with open(out, "w") as f:
            json.dump(res, f, indent=1)
    print(json.dumps({"benchmark": benchmark, **res}))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n-trials", type=int, default=30)
    ap.add_argument("--n-workers", type=int, default=2)
    ap.add_argument("--sleep-times", type=float, nargs="+", default=[0.1, 0.01])
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--out", default=None, help="write the full results as JSON here")
    args = ap.parse_args()

    from syne_tune.backend import LocalBackend

    tmp = Path(tempfile.mkdtemp(prefix="st-perf-local-"))
    os.environ["SYNETUNE_FOLDER"] = str(tmp / "syne-tune")
    script = tmp / "train_noop.py"
    script.write_text(TRAIN_SCRIPT)
    env = child_env()
    try:
        bare = time_command([sys.executable, str(script), "--x", "0.5"], 5, env)
        python_only = time_command([sys.executable, "-c", "pass"], 5, env)
        with_import = time_command([sys.executable, "-c", "from syne_tune import Reporter"], 5, env)
        import_s = max(0.0, statistics.median(with_import) - statistics.median(python_only))
        res = {
            "n_trials": args.n_trials,
            "n_workers": args.n_workers,
            "bare_script_s": median(bare),
            "python_startup_s": median(python_only),
            "reporter_import_s": round(import_s, 4),
            "runs": {},
        }
        print(
            f"bare script {res['bare_script_s']:.3f} s (python alone {res['python_startup_s']:.3f} s, "
            f"Reporter import {res['reporter_import_s']:.3f} s)",
            file=sys.stderr,
        )
        for sleep_time in args.sleep_times:
            runs = [
                run_tuner(LocalBackend(entry_point=str(script)), args.n_trials, args.n_workers, sleep_time, seed)
                for seed in range(args.repeats)
            ]
            summary = res["runs"][str(sleep_time)] = summarize(runs, args.n_workers, statistics.median(bare))
            print(
                f"sleep_time={sleep_time}: wall {summary['wall_s']:.2f} s for {summary['completed']} trials, "
                f"overhead {summary['overhead_worker_s_per_trial']:.3f} worker-s/trial, "
                f"tuner CPU {summary['tuner_cpu_s_per_trial'] * 1e3:.1f} ms/trial, "
                f"backend calls {summary['backend_calls_s_per_trial'] * 1e3:.1f} ms/trial",
                file=sys.stderr,
            )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    write_results(res, "local_backend_overhead", args.out)


if __name__ == "__main__":
    main()
