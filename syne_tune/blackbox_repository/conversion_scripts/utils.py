"""Where blackboxes are stored and where their source data are found.

* Repository root: argument, else ``SYNE_TUNE_BLACKBOX_REPOSITORY``, else
  ``BLACKBOX_REPOSITORY_PATH``, else ``~/.blackbox-repository``.
* Data mirror (a local copy of the original benchmark files): argument,
  else ``SYNE_TUNE_DATA_MIRROR``, else a ``shared/data`` folder beside the
  project's checkout (``<checkout>/../shared/data``) or beside the current
  folder (``./shared/data``, ``../shared/data``).
"""

from __future__ import annotations

import logging
import os
import shutil
import urllib.request
from pathlib import Path
from typing import Iterable, List, Optional, Union

from syne_tune.blackbox_repository.errors import BlackboxRepositoryError

logger = logging.getLogger(__name__)

REPOSITORY_ENV_VARS = ("SYNE_TUNE_BLACKBOX_REPOSITORY", "BLACKBOX_REPOSITORY_PATH")
MIRROR_ENV_VAR = "SYNE_TUNE_DATA_MIRROR"
S3_ENV_VAR = "SYNE_TUNE_BLACKBOX_S3"

PathLike = Union[str, Path]


def repository_path(path: Optional[PathLike] = None) -> Path:
    """Root folder of the local blackbox repository."""
    if path is not None:
        return Path(path).expanduser()
    for var in REPOSITORY_ENV_VARS:
        value = os.environ.get(var)
        if value:
            return Path(value).expanduser()
    return Path("~/.blackbox-repository").expanduser()


def _project_root() -> Path:
    # syne_tune/blackbox_repository/conversion_scripts/utils.py -> checkout root
    return Path(__file__).resolve().parents[3]


def mirror_candidates() -> List[Path]:
    """Folders :func:`data_mirror_path` tries when neither an argument nor
    ``SYNE_TUNE_DATA_MIRROR`` names the mirror, in order."""
    root = _project_root()
    cwd = Path.cwd()
    return [
        root.parent / "shared" / "data",
        root / "shared" / "data",
        cwd / "shared" / "data",
        cwd.parent / "shared" / "data",
    ]


def data_mirror_path(path: Optional[PathLike] = None) -> Optional[Path]:
    """Folder of the local data mirror: the one place that decides where the
    shared benchmark data are (library, recipes and tests all ask here).

    Parameters
    ----------
    path
        Explicit mirror folder (returned as is, ``~`` expanded).

    Returns
    -------
    pathlib.Path or None
        ``path``, else ``$SYNE_TUNE_DATA_MIRROR``, else the first existing
        folder of :func:`mirror_candidates`; None if there is none.
    """
    if path is not None:
        return Path(path).expanduser()
    value = os.environ.get(MIRROR_ENV_VAR)
    if value:
        return Path(value).expanduser()
    for candidate in mirror_candidates():
        if candidate.is_dir():
            return candidate
    return None


class SourceNotFoundError(BlackboxRepositoryError, FileNotFoundError):
    """The source data of a recipe is neither in the mirror nor downloadable."""


def find_source(
    relative_paths: Iterable[str],
    mirror_path: Optional[PathLike] = None,
    extra_dirs: Iterable[PathLike] = (),
) -> Optional[Path]:
    """First existing file or folder among ``relative_paths`` under the
    mirror (and ``extra_dirs``), or None."""
    roots = []
    mirror = data_mirror_path(mirror_path)
    if mirror is not None:
        roots.append(Path(mirror))
    roots.extend(Path(d) for d in extra_dirs)
    for root in roots:
        for rel in relative_paths:
            candidate = root / rel
            if candidate.exists():
                return candidate
    return None


def download_file(url: str, target: Path, timeout: float = 60.0) -> Path:
    """Downloads ``url`` to ``target`` (via a temporary file)."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".part")
    logger.info(f"downloading {url} to {target}")
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response, open(tmp, "wb") as f:
            shutil.copyfileobj(response, f, length=1 << 20)
        os.replace(tmp, target)
    except BaseException:
        try:
            tmp.unlink()
        except OSError:
            pass
        raise
    return target


def find_or_download(
    name: str,
    relative_paths: List[str],
    url: Optional[str],
    mirror_path: Optional[PathLike],
    download_dir: Optional[PathLike],
    filename: Optional[str] = None,
) -> Path:
    """Source file of a recipe: from the mirror, an earlier download, or a
    fresh download of ``url``; raises :class:`SourceNotFoundError` saying
    where it looked and why the download failed."""
    extra = [download_dir] if download_dir is not None else []
    found = find_source(relative_paths, mirror_path, extra_dirs=extra)
    if found is not None:
        return found
    mirror = data_mirror_path(mirror_path)
    where = (
        f"the data mirror {mirror}" if mirror is not None
        else f"a data mirror (none found; set {MIRROR_ENV_VAR})"
    )
    if url is None or download_dir is None:
        raise SourceNotFoundError(
            f"source data of blackbox '{name}' not found: looked for {relative_paths} "
            f"in {where}"
        )
    target = Path(download_dir) / (filename or Path(relative_paths[0]).name)
    try:
        return download_file(url, target)
    except Exception as ex:
        raise SourceNotFoundError(
            f"source data of blackbox '{name}' not found: looked for {relative_paths} "
            f"in {where}, and downloading {url} failed ({type(ex).__name__}: {ex}). "
            f"Put the file into the mirror, or download it by hand to {target}."
        ) from ex
