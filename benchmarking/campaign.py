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
* :func:`write_report_section` replaces one generated section of a Markdown
  report (or appends it) and keeps the rest of the file;
  :func:`check_report_section` raises its errors before a campaign runs.

Campaigns of (method, benchmark, seed) cells (``benchmarking/simulated.py``,
``benchmarking/local.py``):

* :class:`Cell` names one cell; :class:`CampaignFolder` is the folder of a
  campaign: ``manifest.json`` (tag, command lines, methods, benchmarks,
  seeds, versions, start and end times of every invocation, cells that do not
  apply), one JSON file per finished cell under ``cells/`` (written
  atomically: a temporary file, then ``os.replace``) and the traceback of
  every failed cell under ``failed/``.
* :func:`run_cells` runs the cells that have no result file yet, in a local
  process pool or as Ray tasks, with a tqdm bar (cells done, ETA), and
  returns the summary (run, skipped, failed, wall time, cells per minute).
  Re-running a campaign therefore resumes it.
* :func:`best_so_far` is the best-so-far trajectory of a run.
* :func:`campaign_parser` holds the command-line flags the entry points share.

A script imports this module with its own folder on ``sys.path``::

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import campaign
"""

from __future__ import annotations

import json
import logging
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

__all__ = [
    "simulate",
    "run_jobs",
    "progress",
    "mean_sem",
    "summarize",
    "compare",
    "comparison",
    "load_sibling",
    "Cell",
    "CampaignFolder",
    "run_cells",
    "best_so_far",
    "campaign_parser",
    "check_campaign_args",
    "print_summary",
    "default_results_root",
]

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


#: Objective added by :func:`with_unit_time`.
UNIT_TIME_ATTR = "unit_time"


def with_unit_time(table, seconds: float = 1.0):
    """``table`` (a ``BlackboxTabular`` whose evaluations record no training
    time) with one more objective, :data:`UNIT_TIME_ATTR`, equal to
    ``seconds`` for every evaluation: the simulator's elapsed-time objective
    when each evaluation is to take ``seconds`` simulated seconds."""
    from syne_tune.blackbox_repository import BlackboxTabular

    values = np.asarray(table.objectives_evaluations)
    unit = np.full(values.shape[:3] + (1,), seconds, dtype=np.float32)
    return BlackboxTabular(
        hyperparameters=table.hyperparameters,
        configuration_space=dict(table.configuration_space),
        fidelity_space=table.fidelity_space,
        objectives_evaluations=np.concatenate([values, unit], axis=3).astype(np.float32),
        fidelity_values=table.fidelity_values,
        objectives_names=list(table.objectives_names) + [UNIT_TIME_ATTR],
    )


def simulate(
    backend, scheduler, stop_criterion, n_workers: int, callbacks: list, tuner_name: str, simulated: bool = True
):
    """One simulated tuning run (``simulated=False``: a real one, e.g. on a
    local backend, without the simulator's results store).

    Returns
    -------
    tuple
        ``(tuning_status, wall_seconds)``.
    """
    from syne_tune import Tuner
    from syne_tune.backend.simulator_backend.simulator_callback import SimulatorCallback
    from syne_tune.results_callback import StoreResultsCallback

    tuner_logger = logging.getLogger("syne_tune.tuner")
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
            callbacks=[SimulatorCallback() if simulated else StoreResultsCallback(), *callbacks],
            tuner_name=tuner_name,
            save_tuner=False,
            print_update_interval=1e9,
            results_update_interval=1e9,
            max_failures=1000,
        )
        t0 = time.perf_counter()
        tuner_logger.addFilter(_drop_ends_early)
        tuner.run()
        return tuner.tuning_status, time.perf_counter() - t0
    finally:
        tuner_logger.removeFilter(_drop_ends_early)
        shutil.rmtree(tmp, ignore_errors=True)
        if saved_folder is None:
            os.environ.pop("SYNETUNE_FOLDER", None)
        else:
            os.environ["SYNETUNE_FOLDER"] = saved_folder


def _drop_ends_early(record: logging.LogRecord) -> bool:
    """Logging filter of :func:`simulate`: a run on a table that its budget
    uses up ends early by design (its figures show it: ``sim_time`` below
    the budget), so the tuner's warning about it would only repeat in every
    run of a campaign."""
    from syne_tune.tuner import ENDS_EARLY_MESSAGE

    return not record.getMessage().startswith(ENDS_EARLY_MESSAGE)


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


# ------------------------------------------------------------------ campaigns
#: environment variable overriding the root folder of the campaigns
RESULTS_ROOT_ENV = "SYNE_TUNE_BENCHMARK_ROOT"
_REPO_ROOT = _HERE.parent


def default_results_root() -> Path:
    """``$SYNE_TUNE_BENCHMARK_ROOT`` or ``~/syne-tune/benchmarks``."""
    env = os.environ.get(RESULTS_ROOT_ENV)
    return Path(env).expanduser() if env else Path.home() / "syne-tune" / "benchmarks"


class Cell(tuple):
    """One run of a campaign: ``(benchmark, method, seed)``."""

    __slots__ = ()

    def __new__(cls, benchmark: str, method: str, seed: int):
        return super().__new__(cls, (str(benchmark), str(method), int(seed)))

    def __getnewargs__(self):
        return tuple(self)

    benchmark = property(lambda self: self[0])
    method = property(lambda self: self[1])
    seed = property(lambda self: self[2])

    def __repr__(self) -> str:
        return f"{self.benchmark}/{self.method}/seed {self.seed}"


def _atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file of the same folder
    and ``os.replace``: readers see the old file or the whole new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _section_span(text: str, key: str, path: Path) -> tuple[int, int] | None:
    """Start and end (past the end marker) of section ``key`` in ``text``,
    ``None`` if it has none; raises what :func:`write_report_section` does."""
    if not key or "-->" in key or "\n" in key:
        raise ValueError(f"The 'key' parameter must be a non-empty one-line name without '-->'. Got {key!r} instead.")
    begin, end = _section_markers(key)
    i, j = text.find(begin), text.find(end)
    if i < 0 and j < 0:
        return None
    if i < 0 or j < i:
        raise ValueError(
            f"{path}: the markers of section {key!r} are incomplete or out of order; expected {begin!r} before {end!r}"
        )
    return i, j + len(end)


def _section_markers(key: str) -> tuple[str, str]:
    return f"<!-- begin generated section: {key} -->", f"<!-- end generated section: {key} -->"


def check_report_section(path: Path, key: str) -> None:
    """Raise now the ``ValueError`` that :func:`write_report_section` would
    raise for ``path`` and ``key`` (a bad key, broken markers), so a campaign
    can refuse them before it runs."""
    path = Path(path)
    _section_span(path.read_text() if path.exists() else "", key, path)


def write_report_section(path: Path, key: str, lines: list[str], title: str) -> None:
    """Put ``lines`` into the Markdown report ``path`` as its section ``key``.

    A section is the text between the markers ``<!-- begin generated
    section: KEY -->`` and ``<!-- end generated section: KEY -->``. The
    section ``key`` is replaced if the report has it and appended otherwise;
    everything outside it (other sections, hand-written text between them)
    is kept. A missing report is created with the heading ``# title``. The
    file is written atomically.

    Raises
    ------
    ValueError
        If ``key`` is empty, holds ``-->`` or a line break, or if the report
        holds one marker of ``key`` without the other (or the end before the
        beginning).
    """
    path = Path(path)
    text = path.read_text() if path.exists() else f"# {title}\n"
    span = _section_span(text, key, path)
    begin, end = _section_markers(key)
    block = "\n".join([begin, *lines, end])
    if span is None:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    else:
        text = text[: span[0]] + block + text[span[1] :]
    _atomic_write_text(path, text)


def _versions() -> dict:
    import platform

    import syne_tune

    return dict(python=platform.python_version(), syne_tune=syne_tune.__version__, numpy=np.__version__)


class CampaignFolder:
    """The folder of one campaign, ``<root>/<tag>``.

    Parameters
    ----------
    root
        Folder holding the campaigns.
    tag
        Name of the campaign (letters, digits, ``-``, ``_``, ``.``).
    kind
        ``"simulated"`` or ``"local"``; a folder holds campaigns of one kind.

    Raises
    ------
    ValueError
        If ``tag`` is empty or holds other characters.
    """

    def __init__(self, root: str | Path, tag: str, kind: str):
        import re

        if not isinstance(tag, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.\-]*", tag):
            raise ValueError(
                f"The 'experiment_tag' parameter must be a str of letters, digits, '-', '_' and '.'. Got {tag!r} instead."
            )
        self.root = Path(root).expanduser()
        self.tag = tag
        self.kind = kind
        self.path = self.root / tag

    @property
    def manifest_path(self) -> Path:
        return self.path / "manifest.json"

    def cell_path(self, cell: Cell) -> Path:
        return self.path / "cells" / cell.benchmark / cell.method / f"seed-{cell.seed}.json"

    def failure_path(self, cell: Cell) -> Path:
        return self.path / "failed" / cell.benchmark / cell.method / f"seed-{cell.seed}.txt"

    def is_finished(self, cell: Cell) -> bool:
        return self.cell_path(cell).is_file()

    def write_cell(self, cell: Cell, payload: dict) -> None:
        """Store the result of a finished cell (atomically) and drop an
        earlier failure report of it."""
        _atomic_write_text(self.cell_path(cell), json.dumps(payload, separators=(",", ":")))
        self.failure_path(cell).unlink(missing_ok=True)

    def write_failure(self, cell: Cell, text: str) -> None:
        _atomic_write_text(self.failure_path(cell), text)

    def cells(self) -> list[dict]:
        """The stored results of all finished cells."""
        out = []
        for p in sorted((self.path / "cells").glob("*/*/seed-*.json")):
            out.append(json.loads(p.read_text()))
        return out

    def failures(self) -> dict[Cell, str]:
        """Cell -> traceback of the cells whose latest run failed."""
        out = {}
        for p in sorted((self.path / "failed").glob("*/*/seed-*.txt")):
            out[Cell(p.parent.parent.name, p.parent.name, int(p.stem[len("seed-"):]))] = p.read_text()
        return out

    def read_manifest(self) -> dict | None:
        if not self.manifest_path.is_file():
            return None
        return json.loads(self.manifest_path.read_text())

    def start(
        self,
        argv: list[str],
        methods: list[str],
        benchmarks: list[str],
        seeds: list[int],
        settings: dict,
        not_applicable: dict[str, str],
        runner: dict,
    ) -> dict:
        """Create or extend the manifest for one invocation of an entry point.

        Raises
        ------
        ValueError
            If the folder holds a campaign of another kind, or one run with
            other ``settings`` (budget or workers overridden differently):
            its finished cells would not be comparable.
        """
        import datetime

        m = self.read_manifest()
        if m is None:
            m = dict(tag=self.tag, kind=self.kind, settings=settings, methods=[], benchmarks=[], seeds=[],
                     not_applicable={}, invocations=[])
        if m.get("kind") != self.kind:
            raise ValueError(f"campaign {self.tag!r} in {self.path} is a {m.get('kind')!r} campaign, not {self.kind!r}")
        if m.get("settings") != settings:
            raise ValueError(
                f"campaign {self.tag!r} was run with settings {m.get('settings')}, now {settings}: use another "
                "--experiment-tag (finished cells would not be comparable)"
            )
        for key, new in (("methods", methods), ("benchmarks", benchmarks), ("seeds", seeds)):
            m[key] = m[key] + [x for x in new if x not in m[key]]
        m["not_applicable"].update(not_applicable)
        m["invocations"].append(
            dict(
                command=" ".join([sys.executable, *argv]),
                argv=list(argv),
                started=datetime.datetime.now().isoformat(timespec="seconds"),
                versions=_versions(),
                **runner,
            )
        )
        self.path.mkdir(parents=True, exist_ok=True)
        _atomic_write_text(self.manifest_path, json.dumps(m, indent=1))
        return m

    def finish(self, summary: dict) -> None:
        """Record the end time and the summary of the latest invocation."""
        import datetime

        m = self.read_manifest()
        m["invocations"][-1].update(ended=datetime.datetime.now().isoformat(timespec="seconds"), summary=summary)
        _atomic_write_text(self.manifest_path, json.dumps(m, indent=1))


def _die_with_parent() -> None:
    """Worker initializer: single-threaded, and (Linux) killed when the
    driver dies, so a killed driver leaves no process behind."""
    _single_threaded_worker()
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        try:
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
        except OSError:
            pass


def _compute(compute: Callable[[Cell], dict], cell: Cell) -> tuple[bool, Any, float]:
    """``(True, payload, wall)`` or ``(False, traceback, wall)``."""
    import traceback

    t0 = time.perf_counter()
    try:
        payload = compute(cell)
    except Exception:
        return False, traceback.format_exc(), time.perf_counter() - t0
    wall = time.perf_counter() - t0
    payload["cell_wall_s"] = wall
    return True, payload, wall


def _execute(compute: Callable[[Cell], dict], folder: CampaignFolder, cell: Cell) -> tuple[Cell, bool, str, float]:
    """Run a cell and store its result or failure; ``(cell, ok, error line, wall)``."""
    ok, out, wall = _compute(compute, cell)
    if ok:
        folder.write_cell(cell, out)
        return cell, True, "", wall
    folder.write_failure(cell, out)
    return cell, False, out.strip().splitlines()[-1], wall


def _compute_remote(compute, cell):
    _single_threaded_worker()
    return _compute(compute, cell)


def run_cells(
    folder: CampaignFolder,
    cells: list[Cell],
    compute: Callable[[Cell], dict],
    jobs: int,
    ray_address: str | None = None,
) -> dict:
    """Run the cells of ``cells`` that have no result in ``folder`` yet.

    Parameters
    ----------
    folder
        The campaign folder.
    cells
        All cells of this invocation (finished ones are skipped).
    compute
        ``compute(cell) -> payload``, a picklable module-level function (or
        ``functools.partial`` of one); it runs in worker processes. The
        payload (a JSON-serializable dict) is stored with the cell's wall
        time (``cell_wall_s``). A cell that raises is recorded as failed
        (traceback under ``failed/``); the others go on.
    jobs
        Parallel worker processes (1: in this process). With Ray, the CPUs
        of a local cluster started here.
    ray_address
        ``None``: a local process pool; ``"local"``: start a local Ray
        cluster; else the address of one (``"auto"``, ``"ray://host:port"``);
        an already initialized Ray is used as it is. Every cell is a Ray
        task (``num_cpus=1``); the driver writes its result.

    Returns
    -------
    dict
        ``cells``, ``skipped`` (finished before), ``run``, ``failed`` (cells
        and their last error line), ``interrupted``, ``wall_s`` and
        ``cells_per_minute`` (cells run per minute of wall time).
    """
    from tqdm import tqdm

    pending = [c for c in cells if not folder.is_finished(c)]
    summary = dict(cells=len(cells), skipped=len(cells) - len(pending), run=0, failed={}, interrupted=False)
    bar = tqdm(total=len(cells), initial=summary["skipped"], unit="cell", desc=folder.tag, dynamic_ncols=True)

    def done(cell: Cell, ok: bool, error: str) -> None:
        if ok:
            summary["run"] += 1
        else:
            summary["failed"][repr(cell)] = error
            bar.write(f"cell {cell!r} failed: {error} (traceback in {folder.failure_path(cell)})")
        bar.set_postfix(failed=len(summary["failed"]))
        bar.update(1)

    t0 = time.perf_counter()
    try:
        if ray_address is not None:
            _run_ray(folder, pending, compute, jobs, ray_address, done)
        elif jobs > 1 and len(pending) > 1:
            for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
                os.environ.setdefault(var, "1")
            pool = ProcessPoolExecutor(max_workers=min(jobs, len(pending)), initializer=_die_with_parent)
            try:
                futures = [pool.submit(_execute, compute, folder, c) for c in pending]
                for future in as_completed(futures):
                    cell, ok, error, _ = future.result()
                    done(cell, ok, error)
            except KeyboardInterrupt:
                # the running cells finish (and are stored); the others are not started
                pool.shutdown(wait=True, cancel_futures=True)
                raise
            pool.shutdown()
        else:
            for c in pending:
                cell, ok, error, _ = _execute(compute, folder, c)
                done(cell, ok, error)
    except KeyboardInterrupt:
        summary["interrupted"] = True
    finally:
        bar.close()
    wall = time.perf_counter() - t0
    summary.update(wall_s=wall, cells_per_minute=(60.0 * summary["run"] / wall if wall > 0 else float("nan")))
    return summary


def _run_ray(folder, pending, compute, jobs, ray_address, done) -> None:
    import ray

    env = {
        "PYTHONPATH": os.pathsep.join([str(_REPO_ROOT)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]),
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    started_here = False
    if not ray.is_initialized():
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
        if ray_address == "local":
            ray.init(num_cpus=max(1, jobs), include_dashboard=False, log_to_driver=False)
        else:
            ray.init(address=ray_address, log_to_driver=False)
        started_here = True
    try:
        task = ray.remote(num_cpus=1)(_compute_remote).options(runtime_env={"env_vars": env})
        refs = {task.remote(compute, cell): cell for cell in pending}
        try:
            while refs:
                ready, _ = ray.wait(list(refs), num_returns=1)
                cell = refs.pop(ready[0])
                ok, out, _ = ray.get(ready[0])
                if ok:
                    folder.write_cell(cell, out)
                    done(cell, True, "")
                else:
                    folder.write_failure(cell, out)
                    done(cell, False, out.strip().splitlines()[-1])
        except KeyboardInterrupt:
            for ref in refs:
                ray.cancel(ref, force=True)
            raise
    finally:
        if started_here:
            ray.shutdown()


def group_not_applicable(not_applicable: dict[str, str]) -> list[str]:
    """One line per method and reason of the cells that do not apply
    (``"ASHA: needs several fidelities (...): fcnet-protein_structure,
    nas201-cifar10 (seeds 0-4)"``), instead of one per cell.

    Parameters
    ----------
    not_applicable
        Cell key (``benchmark/method/seed N``) -> reason.
    """
    groups: dict[tuple[str, str], dict[str, list[int]]] = {}
    for key, reason in not_applicable.items():
        benchmark, method, seed = key.rsplit("/", 2)
        seeds = groups.setdefault((method, reason), {}).setdefault(benchmark, [])
        seeds.append(int(seed.split()[-1]))
    lines = []
    for (method, reason), benchmarks in sorted(groups.items()):
        seed_sets = {tuple(sorted(s)) for s in benchmarks.values()}
        if len(seed_sets) == 1:
            seeds = sorted(seed_sets.pop())
            span = f"seed {seeds[0]}" if len(seeds) == 1 else f"seeds {seeds[0]}-{seeds[-1]}"
            if seeds != list(range(seeds[0], seeds[-1] + 1)):
                span = "seeds " + ", ".join(map(str, seeds))
            lines.append(f"{method}: {reason}: {', '.join(sorted(benchmarks))} ({span})")
        else:
            parts = [f"{b} (seeds {', '.join(map(str, sorted(s)))})" for b, s in sorted(benchmarks.items())]
            lines.append(f"{method}: {reason}: {', '.join(parts)}")
    return lines


def print_summary(summary: dict, folder: CampaignFolder, not_applicable: dict[str, str]) -> None:
    """Print the summary of :func:`run_cells`."""
    lines = [
        f"campaign {folder.tag} ({folder.path}): {summary['cells']} cells: {summary['run']} run, "
        f"{summary['skipped']} skipped (finished before), {len(summary['failed'])} failed"
        + (", interrupted" if summary["interrupted"] else ""),
        f"wall time {summary['wall_s']:.1f} s, {summary['cells_per_minute']:.1f} cells per minute",
    ]
    if not_applicable:
        lines.append(f"{len(not_applicable)} cells do not apply (not run):")
        lines += [f"  {line}" for line in group_not_applicable(not_applicable)]
    for k, v in summary["failed"].items():
        lines.append(f"  failed {k}: {v}")
    print("\n".join(lines), flush=True)


def best_so_far(rows, mode: str, budget: float | None = None) -> tuple[list[float], list[float]]:
    """Best-so-far trajectory: the times at which the best value improved and
    the values (rows ``(time, trial_id, value, ...)`` in time order; rows
    after ``budget`` are left out)."""
    times, values = [], []
    better = (lambda a, b: a < b) if mode == "min" else (lambda a, b: a > b)
    for row in rows:
        t, v = row[0], row[2]
        if budget is not None and t > budget:
            break
        if not values or better(v, values[-1]):
            times.append(float(t))
            values.append(float(v))
    return times, values


def campaign_parser(description: str, default_jobs: int | None = None):
    """The flags every campaign entry point takes."""
    import argparse

    ap = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--experiment-tag", required=True, help="name of the campaign (its folder)")
    ap.add_argument("--benchmark", nargs="+", required=True, help="benchmark names, blackbox names, or 'all'")
    ap.add_argument("--method", nargs="+", required=True, help="method names (benchmarking/methods.py) or 'all'")
    ap.add_argument("--num-seeds", type=int, default=1, help="seeds start-seed .. start-seed + num-seeds - 1")
    ap.add_argument("--start-seed", type=int, default=0)
    ap.add_argument("--n-workers", type=int, default=None, help="workers per run (default: the benchmark's)")
    ap.add_argument("--max-wallclock-time", type=float, default=None, help="budget per run (default: the benchmark's)")
    ap.add_argument("--jobs", type=int, default=default_jobs or os.cpu_count() or 1, help="cells run in parallel")
    ap.add_argument("--ray-address", default=None, help="'local' (start a Ray cluster) or a Ray address")
    ap.add_argument("--results-root", default=None, help=f"folder of the campaigns (default: ${RESULTS_ROOT_ENV} or ~/syne-tune/benchmarks)")
    return ap


def check_campaign_args(args) -> None:
    """Raise ``ValueError`` for flags out of range (named as on the command line)."""
    for flag, value, low in (("--num-seeds", args.num_seeds, 1), ("--jobs", args.jobs, 1), ("--start-seed", args.start_seed, 0)):
        if value < low:
            raise ValueError(f"{flag} must be an int >= {low}. Got {value} instead.")
    if args.n_workers is not None and args.n_workers < 1:
        raise ValueError(f"--n-workers must be an int >= 1. Got {args.n_workers} instead.")
    if args.max_wallclock_time is not None and not args.max_wallclock_time > 0:
        raise ValueError(f"--max-wallclock-time must be a number > 0. Got {args.max_wallclock_time} instead.")
