"""What the benchmark campaigns of this folder share: one simulated tuning run,
and many of them in parallel processes.

* :func:`simulate` runs one ``Tuner`` on a simulator backend (``sleep_time=0``,
  ``SimulatorCallback``, no snapshots, its results in a temporary folder that
  is removed afterwards) and returns the tuner's status and the wall time.
* :func:`run_jobs` runs ``run_one(job)`` for every job, in ``workers``
  processes, each limited to one thread (several runs share the cores; the
  OpenMP and BLAS thread pools of every run competing for them slow each run
  down many times over). A job that raises is reported and left out; the
  others go on.
* :func:`progress` prints one line per finished run (or shows a tqdm bar).
* :func:`mean_sem` is the mean and standard error over seeds;
  :func:`summarize` groups runs by benchmark and method into means and
  standard errors; :func:`compare` and :func:`comparison` compare a method with a reference.
* :func:`load_sibling` imports another script of this folder by file.

A script imports this module with its own folder on ``sys.path``::

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import campaign
"""

from __future__ import annotations

import math
import os
import shutil
import tempfile
import time
import importlib.util
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any, Callable

import numpy as np

__all__ = ["simulate", "run_jobs", "progress", "mean_sem", "summarize", "compare", "comparison", "load_sibling"]

_HERE = Path(__file__).resolve().parent


def load_sibling(name: str, file: str):
    """The script ``file`` of this folder as module ``name`` (imported once)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, _HERE / file)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def simulate(backend, scheduler, stop_criterion, n_workers: int, callbacks: list, tuner_name: str):
    """One simulated tuning run.

    Returns
    -------
    tuple
        ``(tuning_status, wall_seconds)``.
    """
    from syne_tune import Tuner
    from syne_tune.backend.simulator_backend.simulator_callback import SimulatorCallback

    tmp = tempfile.mkdtemp(prefix="campaign-")
    saved_folder = os.environ.get("SYNETUNE_FOLDER")
    os.environ["SYNETUNE_FOLDER"] = tmp
    try:
        tuner = Tuner(
            trial_backend=backend,
            scheduler=scheduler,
            stop_criterion=stop_criterion,
            n_workers=n_workers,
            sleep_time=0,
            callbacks=[SimulatorCallback(), *callbacks],
            tuner_name=tuner_name,
            save_tuner=False,
            print_update_interval=1e9,
            results_update_interval=1e9,
            max_failures=1000,
        )
        t0 = time.perf_counter()
        tuner.run()
        return tuner.tuning_status, time.perf_counter() - t0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if saved_folder is None:
            os.environ.pop("SYNETUNE_FOLDER", None)
        else:
            os.environ["SYNETUNE_FOLDER"] = saved_folder


def _single_threaded_worker() -> None:
    """Limit the thread pools already loaded in a worker process (numpy's BLAS)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return
    threadpool_limits(1)


def run_jobs(
    jobs: list[tuple], run_one: Callable[[tuple], dict], workers: int, step: Callable[[dict], Any], key_names: tuple
) -> tuple[list[dict], list[dict], float]:
    """Run every job; ``step(result)`` after each.

    Parameters
    ----------
    jobs
        Arguments of ``run_one`` (picklable tuples).
    run_one
        A module-level function (it runs in worker processes).
    workers
        Parallel processes (1: in this process).
    step
        Called with each result as it arrives.
    key_names
        Names of the first entries of a job, for failure reports.

    Returns
    -------
    tuple
        ``(results in job order, failures, wall seconds)``.
    """
    results, failures = [], []

    def collect(job, get):
        try:
            results.append((job, get()))
            step(results[-1][1])
        except Exception as ex:  # a failing run is reported and left out
            failures.append(dict(zip(key_names, job), error=f"{type(ex).__name__}: {ex}"))
            print(f"Run {job[:len(key_names)]} failed: {failures[-1]['error']}", flush=True)

    t0 = time.perf_counter()
    if workers > 1 and len(jobs) > 1:
        for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ.setdefault(var, "1")
        with ProcessPoolExecutor(max_workers=min(workers, len(jobs)), initializer=_single_threaded_worker) as pool:
            futures = {pool.submit(run_one, job): job for job in jobs}
            for future in as_completed(futures):
                collect(futures[future], future.result)
    else:
        for job in jobs:
            collect(job, lambda: run_one(job))
    order = {job: i for i, job in enumerate(jobs)}
    results.sort(key=lambda pair: order[pair[0]])
    return [r for _, r in results], failures, time.perf_counter() - t0


def progress(total: int, describe: Callable[[dict], str]):
    """``(step, close)``: a tqdm bar if tqdm is installed, else one printed
    line per run (``describe(result)``)."""
    try:
        from tqdm import tqdm

        bar = tqdm(total=total, desc="runs", unit="run")
        return lambda r: bar.update(1), bar.close
    except ImportError:
        count = [0]

        def step(result):
            count[0] += 1
            print(f"[{count[0]}/{total}] {describe(result)}", flush=True)

        return step, lambda: None


def mean_sem(xs) -> tuple[float, float, int]:
    """Mean, standard error and count of the finite values of ``xs``."""
    xs = [float(x) for x in xs if x is not None and not (isinstance(x, float) and math.isnan(x))]
    if not xs:
        return float("nan"), float("nan"), 0
    sem = float(np.std(xs, ddof=1) / math.sqrt(len(xs))) if len(xs) > 1 else 0.0
    return float(np.mean(xs)), sem, len(xs)


def summarize(results: list[dict], keys: list[str]) -> dict:
    """benchmark -> method -> ``num_seeds``, ``budget`` and, per key, the
    mean (``key``) and standard error (``key + "_sem"``) over the runs."""
    groups: dict = {}
    for r in results:
        groups.setdefault((r["benchmark"], r["method"]), []).append(r)
    out: dict = {}
    for (bench, method), runs in groups.items():
        s = dict(num_seeds=len(runs), budget=runs[0]["budget"])
        for k in keys:
            s[k], s[k + "_sem"], _ = mean_sem([r.get(k) for r in runs])
        out.setdefault(bench, {})[method] = s
    return out


def compare(a: float, b: float, mode: str) -> str:
    """``"yes"`` if ``a`` is better than ``b`` (smaller for ``mode="min"``,
    larger for ``"max"``), ``"tie"``, ``"no"``, or ``"n/a"`` if one is NaN."""
    if math.isnan(a) or math.isnan(b):
        return "n/a"
    if math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12):
        return "tie"
    return "yes" if (a < b if mode == "min" else a > b) else "no"


def comparison(s: dict, ref: dict, key: str, mode: str) -> tuple[str, float, float, float]:
    """``(compare(a, b, mode), a, b, z)`` for the means ``a`` of a method and
    ``b`` of its reference (entries ``key`` of their summaries); ``z`` is
    ``|a - b|`` in standard errors of the difference (NaN if that is 0)."""
    a, b = s[key], ref[key]
    se = math.hypot(s[key + "_sem"], ref[key + "_sem"])
    return compare(a, b, mode), a, b, (abs(a - b) / se if se > 0 else float("nan"))
