"""Fixtures of the benchmarking tests: the repository root, whether a
blackbox is stored here, and running an entry point as a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
#: the small multi-fidelity benchmark of the campaign tests
BENCH = "lcbench-airlines"


def stored(blackbox_name: str) -> bool:
    """Whether the blackbox is in the local repository (generating it would take minutes)."""
    from syne_tune.blackbox_repository.repository import repository_path

    return (repository_path() / blackbox_name / "metadata.json").is_file()


needs_lcbench = pytest.mark.skipif(not stored("lcbench"), reason="lcbench is not in the blackbox repository here")


def entry_env() -> dict:
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONPATH=str(REPO_ROOT), RAY_USAGE_STATS_ENABLED="0")
    return env


def run_entry(module: str, *args: str, timeout: float = 240) -> subprocess.CompletedProcess:
    """``python -m benchmarking.<module> args`` from the repository root."""
    return subprocess.run(
        [sys.executable, "-m", f"benchmarking.{module}", *args],
        cwd=REPO_ROOT,
        env=entry_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def start_entry(module: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", f"benchmarking.{module}", *args],
        cwd=REPO_ROOT,
        env=entry_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def last_summary(folder: Path) -> dict:
    """The summary of the latest invocation, from the manifest."""
    return json.loads((folder / "manifest.json").read_text())["invocations"][-1]["summary"]


def cell_files(folder: Path) -> dict[str, float]:
    """Relative path -> modification time of the stored cells."""
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in (folder / "cells").glob("*/*/seed-*.json")}
