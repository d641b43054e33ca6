"""Shared test fixtures."""

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


def data_mirror() -> Path | None:
    """Folder of the team's real benchmark data, or None if absent (the
    library's one lookup, ``conversion_scripts.utils.data_mirror_path``)."""
    from syne_tune.blackbox_repository.conversion_scripts.utils import data_mirror_path

    mirror = data_mirror_path()
    return mirror if mirror is not None and mirror.is_dir() else None


@pytest.fixture(autouse=True)
def _isolated_synetune_folder(tmp_path, monkeypatch):
    """Every test writes its experiments under its own temporary folder."""
    monkeypatch.setenv("SYNETUNE_FOLDER", str(tmp_path / "syne-tune"))
    yield
