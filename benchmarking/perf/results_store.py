"""Cost of storing results durably, per result, and of the tuner's snapshots.

1. **Per result** (``StoreResultsCallback.on_trial_result``, the path every
   result takes before its decision is acted on), amortized over
   ``--results`` results of ``--trials`` trials, part writes and the final
   close included:

   * ``journaled``: real backends: one journal line per result, written to
     the operating system at once;
   * ``buffered``: the simulator: rows kept in memory, written as parquet parts.

2. **Per snapshot** (``tuner.dill``): the tuner saves itself after every
   trial it starts on a real backend; timed for random search and Bayesian
   optimization after ``--trials`` completed trials.

Prints one line per figure and a JSON summary last.

    python benchmarking/perf/results_store.py [--results 20000] [--trials 200] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))


def _result(i: int, trial_id: int) -> dict:
    return {
        "epoch": i % 50 + 1,
        "mean_loss": 1.0 / (1 + i % 50),
        "accuracy": 0.5 + (i % 7) / 100,
        "st_worker_timestamp": 1.7e9 + i * 0.01,
        "st_worker_time": i * 0.01,
        "st_worker_iter": i % 50,
    }


def per_result_us(journaled: bool, num_results: int, num_trials: int) -> float:
    from syne_tune.backend.time_keeper import RealTimeKeeper
    from syne_tune.results_callback import StoreResultsCallback
    from syne_tune.trial import Trial

    with tempfile.TemporaryDirectory() as folder:
        keeper = RealTimeKeeper()
        keeper.start_of_time()
        tuner = SimpleNamespace(
            tuner_path=Path(folder),
            time_keeper=keeper,
            trial_backend=SimpleNamespace(reproduces_from_snapshot=not journaled),
        )
        callback = StoreResultsCallback()
        callback.on_tuning_start(tuner)
        trials = [Trial(t, {"lr": 0.01 * t, "width": t, "act": "relu", "epochs": 50}, None) for t in range(num_trials)]
        results = [(trials[i % num_trials], _result(i, i % num_trials)) for i in range(num_results)]
        start = time.perf_counter()
        for trial, result in results:
            callback.on_trial_result(trial, "InProgress", result, "CONTINUE")
        callback.on_tuning_end()
        elapsed = time.perf_counter() - start
        assert len(callback.dataframe()) == num_results
    return 1e6 * elapsed / num_results


def snapshot_ms(method: str, num_trials: int) -> tuple[float, int]:
    sys.path.insert(0, str(REPO_ROOT / "tests" / "core"))
    from inprocess_backend import InProcessBackend

    from syne_tune import StoppingCriterion, Tuner
    from syne_tune.config_space import choice, loguniform, randint, uniform
    from syne_tune.optimizer.baselines import BayesianOptimization, RandomSearch

    space = {"x": uniform(0, 1), "lr": loguniform(1e-4, 1e-1), "n": randint(1, 9), "act": choice(["a", "b"]), "epochs": 3}
    scheduler_cls = {"rs": RandomSearch, "bo": BayesianOptimization}[method]
    with tempfile.TemporaryDirectory() as folder:
        import os

        os.environ["SYNETUNE_FOLDER"] = folder
        tuner = Tuner(
            trial_backend=InProcessBackend(_objective),
            scheduler=scheduler_cls(space, metric="loss", random_seed=0),
            stop_criterion=StoppingCriterion(max_num_trials_completed=num_trials),
            n_workers=4,
            sleep_time=0,
            save_tuner=False,
        )
        tuner.run()
        tuner.save_tuner = True
        times = []
        snapshot = getattr(tuner, "_write_snapshot", None) or tuner.save  # (older versions: save)
        for _ in range(20):
            start = time.perf_counter()
            snapshot()
            times.append(time.perf_counter() - start)
        size = (tuner.tuner_path / "tuner.dill").stat().st_size
    return 1e3 * statistics.median(times), size


def _objective(config, epoch):
    return (config["x"] - 0.3) ** 2 + 1.0 / epoch


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--results", type=int, default=20_000)
    parser.add_argument("--trials", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    summary = {}
    for mode in ("journaled", "buffered"):
        figures = [per_result_us(mode == "journaled", args.results, args.trials) for _ in range(args.repeats)]
        summary[f"{mode}_us_per_result"] = {"min": round(min(figures), 2), "median": round(statistics.median(figures), 2)}
        print(f"[{mode}] µs per result: min {min(figures):.2f}, median {statistics.median(figures):.2f}")
    for method in ("rs", "bo"):
        ms, size = snapshot_ms(method, args.trials)
        summary[f"snapshot_{method}_ms"] = round(ms, 2)
        summary[f"snapshot_{method}_bytes"] = size
        print(f"[snapshot {method}] after {args.trials} trials: {ms:.2f} ms, {size / 1024:.0f} KiB")
    print(json.dumps({"benchmark": "results_store", "summary": summary}))


if __name__ == "__main__":
    main()
