"""Campaigns run from their entry points (subprocesses, as a user runs them):
a small simulated campaign and its analysis, resuming after SIGINT and
after SIGKILL of the driver, recorded failures, and a tiny local campaign."""

from __future__ import annotations

import csv
import functools
import json
import os
import signal
import time

import pytest
from campaign_helpers import BENCH, cell_files, last_summary, needs_lcbench, run_entry, start_entry

METHODS = ["RS", "ASHA", "REA"]


@needs_lcbench
def test_small_campaign_then_analysis_rank_table_and_figure(tmp_path):
    args = ["--experiment-tag", "small", "--benchmark", BENCH, "--method", *METHODS, "--num-seeds", "3",
            "--max-wallclock-time", "900", "--jobs", "2", "--results-root", str(tmp_path)]
    proc = run_entry("simulated", *args)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    folder = tmp_path / "small"
    assert len(cell_files(folder)) == 9
    assert last_summary(folder)["run"] == 9
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["methods"] == METHODS and manifest["benchmarks"] == [BENCH] and manifest["seeds"] == [0, 1, 2]
    assert "benchmarking.simulated" in manifest["invocations"][0]["command"]
    cell = json.loads((folder / "cells" / BENCH / "ASHA" / "seed-0.json").read_text())
    assert cell["budget"] == 900 and cell["curve"]["time"][-1] <= 900 and cell["cell_wall_s"] > 0
    assert len(cell["results"]["time"]) == len(cell["results"]["value"]) > 0

    again = run_entry("simulated", *args)  # everything finished: nothing runs
    assert again.returncode == 0
    assert last_summary(folder)["run"] == 0 and last_summary(folder)["skipped"] == 9

    proc = run_entry("analysis", "--experiment-tag", "small", "--results-root", str(tmp_path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    with open(folder / "analysis" / "ranks.csv") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["method", "all", "lcbench"]
    assert sorted(r[0] for r in rows[1:]) == sorted(METHODS)
    assert all(0.0 <= float(x) <= 1.0 for r in rows[1:] for x in r[1:])
    assert "| method | all | lcbench |" in (folder / "analysis" / "ranks.md").read_text()
    png = folder / "analysis" / f"{BENCH}.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


    proc = run_entry("analysis", "--experiment-tag", "small", "--results-root", str(tmp_path), "--no-figures",
                     "--compare", f"{METHODS[1]}:{METHODS[0]}")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    text = (folder / "analysis" / "compare.md").read_text()
    assert f"| {BENCH} | 3 |" in text and f"{METHODS[1]} beats {METHODS[0]} on " in text and "/1 at 100%" in text
    bad = run_entry("analysis", "--experiment-tag", "small", "--results-root", str(tmp_path), "--compare", "ASHA")
    assert bad.returncode == 2 and "METHOD:REFERENCE" in bad.stderr


def _interrupt_then_resume(tmp_path, sig, jobs: str):
    tag = f"cut-{sig.name.lower()}"
    args = ["--experiment-tag", tag, "--benchmark", BENCH, "--method", *METHODS, "--num-seeds", "4",
            "--jobs", jobs, "--results-root", str(tmp_path)]
    folder = tmp_path / tag
    proc = start_entry("simulated", *args)
    deadline = time.monotonic() + 120
    while not cell_files(folder) and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.02)
    os.kill(proc.pid, sig)
    proc.communicate(timeout=120)
    before = cell_files(folder)
    assert 0 < len(before) < 12, "the campaign was not interrupted half-way"
    assert not list(folder.rglob("*.tmp")), "a half-written cell file was left behind"
    proc = run_entry("simulated", *args)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    summary = last_summary(folder)
    after = cell_files(folder)
    assert len(after) == 12
    assert summary["skipped"] == len(before) and summary["run"] == 12 - len(before)
    assert {k: after[k] for k in before} == before  # finished cells were not run again
    return proc


@needs_lcbench
def test_sigint_then_rerun_runs_only_the_missing_cells(tmp_path):
    _interrupt_then_resume(tmp_path, signal.SIGINT, jobs="1")


@needs_lcbench
def test_sigkill_of_the_driver_then_rerun_runs_only_the_missing_cells(tmp_path):
    _interrupt_then_resume(tmp_path, signal.SIGKILL, jobs="2")
    # the pool's workers died with their driver (none still runs this campaign)
    import psutil

    left = [p for p in psutil.process_iter(["cmdline"]) if "cut-sigkill" in " ".join(p.info["cmdline"] or [])]
    assert left == []


@needs_lcbench
def test_a_failing_cell_is_recorded_with_its_traceback_and_the_others_go_on(tmp_path):
    from benchmarking import campaign, simulated

    folder = campaign.CampaignFolder(tmp_path, "fails", "simulated")
    cells = [campaign.Cell(BENCH, "RS", 0), campaign.Cell(BENCH, "no-such-method", 0)]
    compute = functools.partial(simulated.compute_cell, max_wallclock_time=300.0)
    summary = campaign.run_cells(folder, cells, compute, jobs=1)
    assert summary["run"] == 1 and list(summary["failed"]) == [repr(cells[1])]
    assert folder.is_finished(cells[0]) and not folder.is_finished(cells[1])
    assert "Traceback" in folder.failure_path(cells[1]).read_text()


def test_unknown_names_and_bad_flags_are_clear_errors(tmp_path):
    proc = run_entry("simulated", "--experiment-tag", "x", "--benchmark", "fcnett", "--method", "RS",
                     "--results-root", str(tmp_path))
    assert proc.returncode == 2 and "Unknown benchmark 'fcnett'" in proc.stderr and "closest: fcnet" in proc.stderr
    proc = run_entry("simulated", "--experiment-tag", "x", "--benchmark", "fcnet", "--method", "RS",
                     "--num-seeds", "0", "--results-root", str(tmp_path))
    assert proc.returncode == 2 and "--num-seeds must be an int >= 1. Got 0 instead." in proc.stderr


def test_local_campaign_runs_a_training_script(tmp_path):
    proc = run_entry("local", "--experiment-tag", "real", "--benchmark", "height", "--method", "ASHA",
                     "--num-seeds", "1", "--max-wallclock-time", "4", "--n-workers", "2", "--jobs", "1",
                     "--results-root", str(tmp_path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    cell = json.loads((tmp_path / "real" / "cells" / "height" / "ASHA" / "seed-0.json").read_text())
    assert cell["trials"] > 0 and cell["curve"]["best"], cell
    assert cell["mode"] == "min" and cell["curve"]["best"] == sorted(cell["curve"]["best"], reverse=True)
