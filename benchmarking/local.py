"""Real benchmark campaigns: every (method, benchmark, seed) cell tunes a
training script of ``examples/`` with the local backend (trials are
subprocesses; time is real).

    python -m benchmarking.local --experiment-tag TAG --benchmark B [B ...]
        --method M [M ...] [--num-seeds N] [--start-seed S] [--n-workers K]
        [--max-wallclock-time SECONDS] [--jobs J] [--ray-address local|ADDRESS]
        [--results-root FOLDER]

The flags, the campaign folder, resuming and the analysis are those of
``python -m benchmarking.simulated``; the benchmarks are
:func:`benchmarking.benchmarks.real_benchmark_definitions` (``height``,
``branin-constrained``). Each cell runs ``n_workers`` trial processes, so
``--jobs`` times that many processes share the machine; real runs are not
reproducible to the last result (their timing is real), unlike simulated ones.
"""

from __future__ import annotations

import logging
import sys

from benchmarking import campaign
from benchmarking.benchmarks import real_benchmark_definitions
from benchmarking.methods import MethodArguments, make_scheduler, not_applicable
from benchmarking.simulated import _payload, _recorder, run_campaign

__all__ = ["compute_cell", "main"]


def compute_cell(cell: campaign.Cell, n_workers: int | None = None, max_wallclock_time: float | None = None) -> dict:
    """One real tuning run of ``cell`` on the local backend; the same record
    as :func:`benchmarking.simulated.compute_cell` (times are real seconds).

    Raises
    ------
    FileNotFoundError
        If the benchmark's training script is missing.
    """
    logging.getLogger("syne_tune").setLevel(logging.WARNING)
    from syne_tune import StoppingCriterion
    from syne_tune.backend import LocalBackend

    d = real_benchmark_definitions()[cell.benchmark]
    script = campaign._REPO_ROOT / d.script
    if not script.is_file():
        raise FileNotFoundError(f"benchmark {cell.benchmark!r}: training script {script} not found")
    budget = float(max_wallclock_time or d.max_wallclock_time)
    workers = int(n_workers or d.n_workers)
    args = MethodArguments(
        config_space=dict(d.config_space),
        metric=d.metric,
        mode=d.mode,
        random_seed=cell.seed,
        resource_attr=d.resource_attr,
        max_resource_attr=d.max_resource_attr,
    )
    recorder = _recorder(d.metric)
    status, wall = campaign.simulate(
        LocalBackend(entry_point=str(script)),
        make_scheduler(cell.method, args),
        StoppingCriterion(max_wallclock_time=budget),
        workers,
        [recorder],
        tuner_name=f"{cell.method}-{cell.seed}".replace("_", "-"),
        simulated=False,
    )
    return _payload(cell, d, budget, workers, recorder, status, wall, family="real")


def _applicable(method: str, d) -> str | None:
    return not_applicable(method, d.multi_fidelity, has_other_tasks=False)


def main(argv: list[str] | None = None) -> dict:
    """Run (or resume) a local campaign; returns the summary of
    :func:`benchmarking.campaign.run_cells`."""
    argv = list(sys.argv[1:] if argv is None else argv)
    return run_campaign(argv, "local", __doc__, real_benchmark_definitions(), _applicable, compute_cell)


if __name__ == "__main__":
    from benchmarking import local as _module
    from benchmarking.simulated import _exit_code

    sys.exit(_exit_code(_module.main()))
