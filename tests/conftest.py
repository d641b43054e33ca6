"""Shared test fixtures."""

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


def data_mirror() -> Path | None:
    """Folder of the team's real benchmark data, or None if absent."""
    env = os.environ.get("SYNE_TUNE_DATA_MIRROR")
    for candidate in [env, REPO_ROOT.parent / "shared" / "data"]:
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    return None


@pytest.fixture(autouse=True)
def _isolated_synetune_folder(tmp_path, monkeypatch):
    """Every test writes its experiments under its own temporary folder."""
    monkeypatch.setenv("SYNETUNE_FOLDER", str(tmp_path / "syne-tune"))
    yield
