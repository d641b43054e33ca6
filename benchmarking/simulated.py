"""Simulated benchmark campaigns: every (method, benchmark, seed) cell is one
tuning run on the simulator, on a converted real benchmark of the blackbox
repository.

    python -m benchmarking.simulated --experiment-tag TAG --benchmark B [B ...]
        --method M [M ...] [--num-seeds N] [--start-seed S] [--n-workers K]
        [--max-wallclock-time SECONDS] [--jobs J] [--ray-address local|ADDRESS]
        [--results-root FOLDER]

``--benchmark`` takes names of :func:`benchmarking.benchmarks.benchmark_definitions`
(``lcbench-airlines``), blackbox names (``fcnet``: all its tasks) or
``all``; ``--method`` takes names of :data:`benchmarking.methods.METHODS`
or ``all``. The cells run in ``--jobs`` processes (or as Ray tasks with
``--ray-address``), each limited to one thread, with a progress bar; the
campaign folder ``<results root>/<TAG>`` gets a manifest and one result file
per finished cell, so running the same command again runs only the missing
cells (an interrupted campaign resumes). Cells whose method does not apply to
the benchmark (it needs several fidelities, or other tasks for transfer
learning) are listed in the manifest and the summary, not run.

A run is determined by its seed: the scheduler's ``random_seed`` is the
seed, the blackbox is evaluated with its seed 0, and the simulator adds no
real time (``add_real_time=False``). Benchmarks with a surrogate are
evaluated through it (a 1-nearest-neighbour model of the table), so every
method searches the whole configuration space; the transfer-learning methods
get the evaluations of all other tasks of the blackbox.
"""

from __future__ import annotations

import functools
import logging
import sys

import numpy as np

from benchmarking import campaign
from benchmarking.benchmarks import benchmark_definitions, select_benchmarks
from benchmarking.methods import METHODS, MethodArguments, make_scheduler, not_applicable, select_methods

__all__ = ["prepare", "compute_cell", "plan", "main"]

#: objective added to tables that record no training time
UNIT_TIME_ATTR = campaign.UNIT_TIME_ATTR

_PREPARED: dict[str, dict] = {}
_TRANSFER: dict[str, dict] = {}


def _task_count(blackbox_name: str) -> int:
    return sum(d.blackbox_name == blackbox_name for d in benchmark_definitions().values())


def prepare(name: str) -> dict:
    """The blackbox (through its surrogate if the definition has one), the
    configuration space and the elapsed-time objective of benchmark ``name``
    (cached per process).

    Raises
    ------
    ValueError
        If the benchmark's blackbox cannot be loaded here (the message names
        the benchmark and the blackbox).
    """
    if name in _PREPARED:
        return _PREPARED[name]
    from syne_tune.blackbox_repository import load_blackbox
    from syne_tune.blackbox_repository.blackbox_surrogate import add_surrogate, make_surrogate
    from syne_tune.blackbox_repository.errors import BlackboxRepositoryError

    d = benchmark_definitions()[name]
    try:
        tasks = load_blackbox(d.blackbox_name)
    except (BlackboxRepositoryError, FileNotFoundError, ImportError) as ex:
        raise ValueError(
            f"benchmark {name!r}: blackbox {d.blackbox_name!r} cannot be loaded here ({type(ex).__name__}: {ex})"
        ) from ex
    if d.dataset_name not in tasks:
        raise ValueError(f"benchmark {name!r}: blackbox {d.blackbox_name!r} has no task {d.dataset_name!r}")
    bb = tasks[d.dataset_name]
    if hasattr(bb, "to_tabular"):  # offline evaluations
        bb = bb.to_tabular()
    elapsed = d.elapsed_time_attr
    if elapsed is None:  # every evaluation takes time_per_evaluation simulated seconds
        bb = campaign.with_unit_time(bb, d.time_per_evaluation)
        elapsed = campaign.UNIT_TIME_ATTR
    if d.surrogate is not None:
        bb = add_surrogate(bb, surrogate=make_surrogate(d.surrogate, d.surrogate_kwargs))
    config_space = dict(bb.configuration_space)
    if d.multi_fidelity:
        config_space[d.max_resource_attr] = int(np.max(bb.fidelity_values))
    _PREPARED[name] = dict(definition=d, blackbox=bb, config_space=config_space, elapsed=elapsed)
    return _PREPARED[name]


def _transfer_evaluations(name: str) -> dict:
    if name not in _TRANSFER:
        from syne_tune.optimizer.schedulers.transfer_learning import transfer_learning_evaluations_from_blackbox

        d = benchmark_definitions()[name]
        _TRANSFER[name] = transfer_learning_evaluations_from_blackbox(d.blackbox_name, held_out_task=d.dataset_name)
    return _TRANSFER[name]


def compute_cell(cell: campaign.Cell, n_workers: int | None = None, max_wallclock_time: float | None = None) -> dict:
    """One simulated tuning run of ``cell``; what the analysis needs of it.

    Parameters
    ----------
    cell
        ``(benchmark, method, seed)``.
    n_workers, max_wallclock_time
        Overrides of the benchmark's settings.

    Returns
    -------
    dict
        The cell, the benchmark's metric, mode and budget, the best-so-far
        trajectory (``curve``: times and values), every result (``results``:
        simulated time, trial id, metric), trial counts and the run's wall
        time.
    """
    logging.getLogger("syne_tune").setLevel(logging.WARNING)
    from syne_tune import StoppingCriterion
    from syne_tune.blackbox_repository import UserBlackboxBackend

    info = prepare(cell.benchmark)
    d = info["definition"]
    budget = float(max_wallclock_time or d.max_wallclock_time)
    workers = int(n_workers or d.n_workers)
    transfer = _transfer_evaluations(cell.benchmark) if METHODS[cell.method].needs_transfer else None
    args = MethodArguments(
        config_space=info["config_space"],
        metric=d.metric,
        mode=d.mode,
        random_seed=cell.seed,
        resource_attr=d.resource_attr,
        max_resource_attr=d.max_resource_attr,
        transfer_learning_evaluations=transfer,
    )
    scheduler = make_scheduler(cell.method, args)
    backend = UserBlackboxBackend(
        info["blackbox"],
        elapsed_time_attr=info["elapsed"],
        max_resource_attr=d.max_resource_attr,
        seed=0,
        add_real_time=False,
    )
    recorder = _recorder(d.metric)
    status, wall = campaign.simulate(
        backend,
        scheduler,
        StoppingCriterion(max_wallclock_time=budget),
        workers,
        [recorder],
        tuner_name=f"{cell.method}-{cell.seed}".replace("_", "-"),
    )
    return _payload(cell, d, budget, workers, recorder, status, wall, family=d.blackbox_name)


def _recorder(metric: str):
    """The recorder of ``benchmarking/model_based.py``: (time, trial, value) of every result."""
    mb = campaign.load_sibling("_model_based_for_campaigns", "model_based.py")
    return mb._make_recorder(metric, None)


def _payload(cell, d, budget, workers, recorder, status, wall, family: str) -> dict:
    """What a cell stores: the trajectory, the results and the run's figures."""
    rows = [r for r in recorder.results if r[0] <= budget]
    times, values = campaign.best_so_far(rows, d.mode, budget)
    return dict(
        benchmark=cell.benchmark,
        method=cell.method,
        seed=cell.seed,
        family=family,
        metric=d.metric,
        mode=d.mode,
        budget=budget,
        n_workers=workers,
        curve=dict(time=times, best=values),
        results=dict(
            time=[r[0] for r in rows], trial_id=[int(r[1]) for r in rows], value=[r[2] for r in rows]
        ),
        trials=int(status.num_trials_started),
        completed=int(status.num_trials_completed),
        run_wall_s=wall,
    )


def plan(benchmarks: list[str], methods: list[str], seeds: list[int], definitions: dict, applicable) -> tuple:
    """The cells to run and those that do not apply (cell key -> reason).

    ``applicable(method, definition)`` returns the reason a method does not
    apply, or ``None``.
    """
    cells, skipped = [], {}
    for b in benchmarks:
        for m in methods:
            reason = applicable(m, definitions[b])
            for s in seeds:
                if reason is None:
                    cells.append(campaign.Cell(b, m, s))
                else:
                    skipped[repr(campaign.Cell(b, m, s))] = reason
    return cells, skipped


def _applicable(method: str, d) -> str | None:
    return not_applicable(method, d.multi_fidelity, _task_count(d.blackbox_name) > 1)


def run_campaign(
    argv: list[str], kind: str, description: str, definitions: dict, applicable, compute, prepare_fn=None
) -> dict:
    """Parse the flags, plan the cells, run the missing ones; the summary.

    Shared by ``benchmarking.simulated`` and ``benchmarking.local`` (``kind``:
    ``"simulated"`` or ``"local"``, the name of the module after
    ``benchmarking.``).
    """
    ap = campaign.campaign_parser(description)
    ap.prog = f"python -m benchmarking.{kind}"
    args = ap.parse_args(argv)
    try:
        campaign.check_campaign_args(args)
        benchmarks = select_benchmarks(args.benchmark, definitions)
        methods = select_methods(args.method)
    except ValueError as ex:
        ap.error(str(ex))
    seeds = list(range(args.start_seed, args.start_seed + args.num_seeds))
    cells, skipped = plan(benchmarks, methods, seeds, definitions, applicable)
    folder = campaign.CampaignFolder(args.results_root or campaign.default_results_root(), args.experiment_tag, kind)
    settings = dict(n_workers=args.n_workers, max_wallclock_time=args.max_wallclock_time)
    folder.start(
        ["-m", f"benchmarking.{kind}", *argv],
        methods, benchmarks, seeds, settings, skipped, runner=dict(jobs=args.jobs, ray_address=args.ray_address)
    )
    pending = [c for c in cells if not folder.is_finished(c)]
    if prepare_fn is not None and args.ray_address is None:
        # load the blackboxes (and fit the surrogates) once, before the
        # worker processes are forked; a blackbox missing here fails now
        for b in dict.fromkeys(c.benchmark for c in pending):
            try:
                prepare_fn(b)
            except ValueError as ex:
                print(f"error: {ex}", file=sys.stderr)
                raise SystemExit(2)
    compute_fn = functools.partial(compute, n_workers=args.n_workers, max_wallclock_time=args.max_wallclock_time)
    summary = campaign.run_cells(folder, cells, compute_fn, jobs=args.jobs, ray_address=args.ray_address)
    summary["not_applicable"] = len(skipped)
    folder.finish(summary)
    campaign.print_summary(summary, folder, skipped)
    return summary


def main(argv: list[str] | None = None) -> dict:
    """Run (or resume) a simulated campaign; returns the summary of
    :func:`benchmarking.campaign.run_cells`."""
    argv = list(sys.argv[1:] if argv is None else argv)
    summary = run_campaign(argv, "simulated", __doc__, benchmark_definitions(), _applicable, compute_cell, prepare)
    return summary


def _exit_code(summary: dict) -> int:
    if summary["interrupted"]:
        return 130
    return 1 if summary["failed"] else 0


if __name__ == "__main__":
    from benchmarking import simulated as _module  # so that workers find the functions by module name

    sys.exit(_exit_code(_module.main()))
