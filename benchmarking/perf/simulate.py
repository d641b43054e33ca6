"""Speed and memory of simulated tuning (Tuner + blackbox simulator backend).

1. Random search (and ASHA, if available), 4 workers, 6 simulated hours, on

   * ``synthetic``: the NAS-Bench-201-shaped table of
     ``../shared/perf/simulate_asha.py`` (15,625 configs x 3 seeds x 200
     epochs x 2 objectives), the workload Syne Tune 0.13 was measured on
     (0.142 ms per result event for random search, 0.48-0.70 ms for ASHA);
   * the largest converted benchmark of the repository that loads here
     (``--blackboxes``; largest = most configs x fidelities), if any.

   Prints the wall time, number of trials and of result events, and the time
   per result event split into: inside the scheduler (its own decisions),
   inside the backend (the simulation proper), and the rest (tuner loop,
   tuning status, results callback). "Overhead excluding the scheduler" is
   total minus scheduler. The split comes from a second, instrumented run
   (timers around every scheduler and backend call); the wall time and the
   per-event total come from the plain run.

2. Memory: a random-search simulation of 100,000 trials (1 epoch each, so
   that it runs in about a minute) on a blackbox wrapping a function of a
   continuous space (a table would run out of new configurations), in a
   fresh process; prints its peak and current RSS after 10,000 and after
   100,000 trials.

Goals: >= 5x faster than Syne Tune 0.13 (<= 28 us per result event for
random search), simulation overhead excluding the scheduler < 20 us per
result event, memory flat between 10k and 100k trials.

    python benchmarking/perf/simulate.py [--workloads synthetic best] [--methods rs asha]
        [--seeds 0 1 2] [--memory-trials 100000] [--out simulate.json]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

SHARED_PERF = REPO_ROOT.parent / "shared" / "perf" / "simulate_asha.py"
HOURS = 6.0
N_WORKERS = 4
#: candidate converted benchmarks with learning curves from real data:
#: (name, elapsed-time objective, metric, mode)
CANDIDATES = [
    ("lcbench", "time", "val_accuracy", "max"),
    ("nmt", "elapsed_time", "dev_ppl", "min"),
]


def rss_mb() -> tuple[float, float]:
    """(peak RSS, current RSS) of this process in MB: VmHWM / VmRSS (Linux;
    unlike ``ru_maxrss`` these start afresh in an exec'd child), else
    ``ru_maxrss`` and NaN."""
    try:
        fields = {}
        with open("/proc/self/status") as f:
            for line in f:
                key, _, value = line.partition(":")
                fields[key] = value
        return int(fields["VmHWM"].split()[0]) / 1024.0, int(fields["VmRSS"].split()[0]) / 1024.0
    except (OSError, KeyError, ValueError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, float("nan")


# -- workloads -------------------------------------------------------------------
def synthetic_workload(tmp: Path):
    """NB201-shaped table of the shared perf harness (same generator)."""
    spec = importlib.util.spec_from_file_location("simulate_asha", SHARED_PERF)
    if spec is None or not SHARED_PERF.exists():
        raise FileNotFoundError(f"{SHARED_PERF} not found (the team's shared/perf folder)")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    mod.build_and_serialize(str(tmp / "synthetic_nb201"))
    bb = mod.load(str(tmp / "synthetic_nb201"))
    return dict(name="synthetic-nb201", blackbox=bb, elapsed=mod.ELAPSED, metric=mod.METRIC, mode="min")


def converted_workloads(names: list[str]):
    """Converted benchmarks of the repository that load here."""
    out = []
    for name, elapsed, metric, mode in CANDIDATES:
        if names and name not in names:
            continue
        try:
            from syne_tune.blackbox_repository import load_blackbox

            tasks = load_blackbox(name)
        except Exception as ex:  # absent data, missing converter, ...
            print(f"[skip] {name}: {type(ex).__name__}: {str(ex)[:200]}", file=sys.stderr)
            continue
        tasks = tasks if isinstance(tasks, dict) else {name: tasks}
        for task, bb in tasks.items():
            meta = getattr(bb, "metadata", {}) or {}
            el = meta.get("metric_elapsed_time", elapsed)
            if el not in (bb.objectives_names or []) or metric not in bb.objectives_names:
                continue
            fv = bb.fidelity_values
            size = getattr(bb, "num_evaluations", 0) * (len(fv) if fv is not None else 1)
            out.append(
                dict(
                    name=f"{name}/{task}",
                    blackbox=bb,
                    elapsed=el,
                    metric=metric,
                    mode=mode,
                    size=size,
                    restrict=hasattr(bb, "all_configurations"),
                )
            )
    return out


# -- one simulation ----------------------------------------------------------------
class _Timers:
    def __init__(self):
        self.t = {"scheduler": 0.0, "backend": 0.0}

    def wrap(self, obj, names, key):
        t = self.t
        for name in names:
            f = getattr(obj, name, None)
            if f is None:
                continue

            def timed(*args, _f=f, **kwargs):
                t0 = time.perf_counter()
                try:
                    return _f(*args, **kwargs)
                finally:
                    t[key] += time.perf_counter() - t0

            setattr(obj, name, timed)


SCHEDULER_CALLS = ["suggest", "on_trial_add", "on_trial_result", "on_trial_complete", "on_trial_remove", "on_trial_error"]
BACKEND_CALLS = [
    "fetch_status_results",
    "start_trial",
    "resume_trial",
    "pause_trial",
    "stop_trial",
    "stop_all",
    "advance_to_next_event",
    "busy_trial_ids",
    "new_trial_id",
]


def make_scheduler(method, config_space, workload, seed, max_resource_attr):
    from syne_tune.optimizer import baselines

    kw = dict(metric=workload["metric"], mode=workload["mode"], random_seed=seed)
    if workload.get("restrict"):
        # a table of sampled configurations: search among its rows
        kw["search_options"] = {"restrict_configurations": workload["blackbox"].all_configurations()}
        kw["points_to_evaluate"] = []
    if method == "rs":
        return baselines.RandomSearch(config_space, **kw)
    if method == "asha":
        return baselines.ASHA(
            config_space, resource_attr=workload["blackbox"].fidelity_name(), max_resource_attr=max_resource_attr, **kw
        )
    raise ValueError(method)


def simulate(workload, method, seed, instrument=False, max_trials=None, epochs=None, on_trial=None):
    from syne_tune import StoppingCriterion, Tuner
    from syne_tune.backend.simulator_backend.simulator_callback import SimulatorCallback
    from syne_tune.blackbox_repository import UserBlackboxBackend
    from syne_tune.tuner_callback import TunerCallback

    bb = workload["blackbox"]
    max_resource_attr = "epochs"
    config_space = bb.configuration_space_with_max_resource_attr(max_resource_attr)
    if epochs is not None:
        config_space[max_resource_attr] = epochs
    num_seeds = getattr(bb, "num_seeds", 1) or 1
    backend = UserBlackboxBackend(
        blackbox=bb,
        elapsed_time_attr=workload["elapsed"],
        max_resource_attr=max_resource_attr,
        seed=seed % num_seeds,
    )
    scheduler = make_scheduler(method, config_space, workload, seed, max_resource_attr)
    callbacks = [SimulatorCallback()]
    if on_trial is not None:

        class _OnStart(TunerCallback):
            def on_start_trial(self, trial):
                on_trial(trial.trial_id + 1)

        callbacks.append(_OnStart())
    stop = (
        StoppingCriterion(max_num_trials_started=max_trials)
        if max_trials
        else StoppingCriterion(max_wallclock_time=HOURS * 3600)
    )
    tuner = Tuner(
        trial_backend=backend,
        scheduler=scheduler,
        stop_criterion=stop,
        n_workers=N_WORKERS,
        sleep_time=0,
        callbacks=callbacks,
        tuner_name=f"perf-simulate-{method}-{seed}",
        save_tuner=False,
        print_update_interval=1e9,
        results_update_interval=1e9,
    )
    timers = _Timers()
    if instrument:
        timers.wrap(scheduler, SCHEDULER_CALLS, "scheduler")
        timers.wrap(backend, BACKEND_CALLS, "backend")
    t0 = time.perf_counter()
    tuner.run()
    wall = time.perf_counter() - t0
    status = tuner.tuning_status
    return dict(
        wall_s=wall,
        trials=int(status.num_trials_started),
        events=int(status.overall_metric_statistics.count),
        simulated_s=float(tuner.time_keeper.time()),
        scheduler_s=timers.t["scheduler"] if instrument else None,
        backend_s=timers.t["backend"] if instrument else None,
    )


def run_workload(workload, methods, seeds):
    out = {}
    for method in methods:
        rows = []
        for seed in seeds:
            plain = simulate(workload, method, seed)
            inst = simulate(workload, method, seed, instrument=True)
            n = max(1, plain["events"])
            ni = max(1, inst["events"])
            row = dict(
                seed=seed,
                wall_s=round(plain["wall_s"], 4),
                trials=plain["trials"],
                events=plain["events"],
                simulated_h=round(plain["simulated_s"] / 3600, 3),
                us_per_event=round(1e6 * plain["wall_s"] / n, 2),
                # from the instrumented run
                scheduler_us_per_event=round(1e6 * inst["scheduler_s"] / ni, 2),
                backend_us_per_event=round(1e6 * inst["backend_s"] / ni, 2),
                rest_us_per_event=round(1e6 * (inst["wall_s"] - inst["scheduler_s"] - inst["backend_s"]) / ni, 2),
            )
            row["overhead_excl_scheduler_us_per_event"] = round(
                row["us_per_event"] - row["scheduler_us_per_event"], 2
            )
            rows.append(row)
            print(f"[{workload['name']} {method} seed={seed}] {row}", file=sys.stderr, flush=True)
        med = {
            k: statistics.median(r[k] for r in rows)
            for k in ("wall_s", "us_per_event", "scheduler_us_per_event", "backend_us_per_event",
                      "rest_us_per_event", "overhead_excl_scheduler_us_per_event")
        }
        out[method] = dict(runs=rows, median=med, min_us_per_event=min(r["us_per_event"] for r in rows))
    return out


def function_workload():
    """A blackbox around a cheap function of a continuous 4-d space (so that
    random search never runs out of new configurations): 52 epochs,
    objectives ``error`` and ``elapsed``."""
    import numpy as np

    from syne_tune.blackbox_repository import from_function
    from syne_tune.config_space import loguniform, randint, uniform

    epochs = np.arange(1, 53, dtype=float)

    def fun(config, fidelity, seed):
        final = (config["x0"] - 0.3) ** 2 + (config["x1"] - 0.6) ** 2 + 0.01 * config["x2"]
        error = final + np.exp(-epochs / (5.0 + 20.0 * config["x1"]))
        elapsed = epochs * (10.0 + 100.0 * config["x0"]) * (1.0 + 0.1 * config["x3"])
        return np.stack([error, elapsed], axis=1)

    space = {"x0": uniform(0, 1), "x1": uniform(0, 1), "x2": loguniform(1e-3, 1.0), "x3": randint(1, 8)}
    bb = from_function(space, fun, fidelity_space={"epoch": randint(1, 52)}, objectives_names=["error", "elapsed"])
    return dict(name="function-4d", blackbox=bb, elapsed="elapsed", metric="error", mode="min")


def memory_run(workload, num_trials):
    checkpoints = sorted({n for n in (10_000, 25_000, 50_000) if n < num_trials} | {num_trials})
    marks = {}
    t0 = time.perf_counter()

    def on_trial(n):
        if n in checkpoints:
            marks[n] = rss_mb() + (time.perf_counter() - t0,)

    res = simulate(workload, "rs", 0, max_trials=num_trials, epochs=1, on_trial=on_trial)
    wall = time.perf_counter() - t0
    out = dict(wall_s=round(wall, 2), trials=res["trials"], events=res["events"])
    for n in checkpoints:
        peak, cur, at = marks.get(n, (float("nan"),) * 3)
        out[f"peak_rss_mb_at_{n}"] = round(peak, 1)
        out[f"rss_mb_at_{n}"] = round(cur, 1)
        out[f"wall_s_at_{n}"] = round(at, 1)
    print(f"[memory {workload['name']}] {out}", file=sys.stderr, flush=True)
    return out


def memory_subprocess(num_trials):
    """The memory run in a fresh process, so that its RSS is the simulation's."""
    import subprocess

    proc = subprocess.run(
        [sys.executable, __file__, "--memory-only", str(num_trials)],
        capture_output=True,
        text=True,
        env=dict(os.environ),
    )
    sys.stderr.write(proc.stderr[-3000:])
    if proc.returncode != 0:
        return {"error": f"exit code {proc.returncode}"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--workloads", nargs="*", default=["synthetic", "best"], help="synthetic, best (largest converted), all; none: memory run only")
    ap.add_argument("--blackboxes", nargs="*", default=[], help="restrict converted candidates to these names")
    ap.add_argument("--methods", nargs="+", default=["rs", "asha"])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--memory-trials", type=int, default=100_000, help="0: skip the memory run")
    ap.add_argument("--out", default=None)
    ap.add_argument("--memory-only", type=int, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.memory_only is not None:
        tmp = Path(tempfile.mkdtemp(prefix="perf-simulate-mem-"))
        os.environ["SYNETUNE_FOLDER"] = str(tmp / "syne-tune")
        try:
            out = memory_run(function_workload(), args.memory_only)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        print(json.dumps(out))
        return

    tmp = Path(tempfile.mkdtemp(prefix="perf-simulate-"))
    os.environ.setdefault("SYNETUNE_FOLDER", str(tmp / "syne-tune"))
    methods = []
    for m in args.methods:
        if m == "asha":
            from syne_tune.optimizer import baselines

            if not hasattr(baselines, "ASHA"):
                print("[skip] asha: no ASHA in syne_tune.optimizer.baselines", file=sys.stderr)
                continue
        methods.append(m)
    result = {"benchmark": "simulate", "n_workers": N_WORKERS, "hours": HOURS, "workloads": {}}
    try:
        workloads = []
        if "synthetic" in args.workloads:
            workloads.append(synthetic_workload(tmp))
        if "best" in args.workloads or "all" in args.workloads:
            converted = converted_workloads(args.blackboxes)
            if converted:
                converted.sort(key=lambda w: -w["size"])
                workloads.extend(converted if "all" in args.workloads else converted[:1])
            else:
                print("[skip] no converted benchmark could be loaded", file=sys.stderr)
        for w in workloads:
            result["workloads"][w["name"]] = run_workload(w, methods, args.seeds)
        if args.memory_trials:
            result["memory"] = memory_subprocess(args.memory_trials)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if args.out:
        with open(args.out, "w") as f:
            json.dump(result, f, indent=1)
    summary = {
        name: {m: {"median_us_per_event": r["median"]["us_per_event"],
                   "overhead_excl_scheduler_us": r["median"]["overhead_excl_scheduler_us_per_event"],
                   "events": [x["events"] for x in r["runs"]], "trials": [x["trials"] for x in r["runs"]],
                   "wall_s": [x["wall_s"] for x in r["runs"]]}
               for m, r in res.items()}
        for name, res in result["workloads"].items()
    }
    print(json.dumps({"benchmark": "simulate", "summary": summary, "memory": result.get("memory")}))


if __name__ == "__main__":
    main()
