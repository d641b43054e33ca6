"""The workload of ``../shared/perf/bo_suggest_latency.py``, shared by the
suggest-latency scripts of this folder.

A 6-d mixed space (two log floats, an integer, a log integer, a float, a
categorical) and a deterministic synthetic loss to minimize, restated from
the shared script (minimum about -0.0394, near lr=10^-2.5, wd=1e-4,
layers=4, units=256, dropout=0.3, act=relu). :func:`drive` runs a
scheduler on it the way a tuner with ``pending + 1`` workers does.
"""

from __future__ import annotations

import math
import statistics
import time
from collections import deque
from datetime import datetime
from typing import Callable

from syne_tune.config_space import choice, loguniform, lograndint, randint, uniform
from syne_tune.trial import Trial

__all__ = ["CONFIG_SPACE", "WINDOW", "objective", "drive", "window_ms"]

ACT_PENALTY = {"relu": 0.0, "tanh": 0.3, "gelu": 0.1}
CONFIG_SPACE = {
    "lr": loguniform(1e-5, 1.0),
    "wd": loguniform(1e-6, 1e-1),
    "layers": randint(1, 8),
    "units": lograndint(16, 1024),
    "dropout": uniform(0.0, 0.8),
    "act": choice(["relu", "tanh", "gelu"]),
}
#: Suggestions within +- WINDOW observations of a checkpoint are timed together.
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


def drive(scheduler, n_total: int, pending: int = 0) -> tuple[list[float], list[float], list[int]]:
    """Run ``scheduler`` for ``n_total`` suggestions; every suggestion is made
    while ``pending`` earlier trials still run (each result is told only
    ``pending`` suggestions later).

    Returns
    -------
    tuple
        Seconds per ``suggest``, the losses in the order they were told,
        and the number of observations at each suggestion.
    """
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
        if suggestion is None:
            break
        trial = Trial(trial_id=tid, config=dict(suggestion.config), creation_time=datetime.now())
        scheduler.on_trial_add(trial)
        running.append(trial)
        if len(running) > pending:
            tell(running.popleft())
    while running:
        tell(running.popleft())
    return times, ys, observed


def window_ms(times: list[float], observed: list[int], n: int) -> float | None:
    """Median ms per suggest of the suggestions made with ``n +- WINDOW`` observations."""
    idx = [i for i, k in enumerate(observed) if abs(k - n) <= WINDOW]
    return statistics.median(times[i] for i in idx) * 1e3 if idx else None


def summarize(per_seed: list[tuple], checkpoints: list[int], budget: int) -> dict:
    """ms per suggest (min and median over seeds) at each checkpoint, and the
    best loss after ``budget`` trials (mean and per seed)."""
    ms = {}
    for n in checkpoints:
        values = [w for w in (window_ms(t, o, n) for t, _, o in per_seed) if w is not None]
        if values:
            ms[n] = (round(min(values), 2), round(statistics.median(values), 2))
    bests = [min(ys[:budget]) for _, ys, _ in per_seed]
    return {
        "ms_min_median_at_n": ms,
        "best_mean": round(statistics.mean(bests), 5),
        "best_per_seed": [round(b, 5) for b in bests],
    }


def scheduler_factory(name: str, **kwargs) -> Callable[[int], object]:
    """``seed -> scheduler`` for the baseline ``name`` of
    :mod:`syne_tune.optimizer.baselines` on :data:`CONFIG_SPACE`."""
    from syne_tune.optimizer import baselines

    cls = getattr(baselines, name)
    return lambda seed: cls(CONFIG_SPACE, metric="loss", mode="min", random_seed=seed, **kwargs)
