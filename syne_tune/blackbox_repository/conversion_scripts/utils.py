"""Where blackboxes are stored, where their source data are found, and how
missing source data are downloaded.

* Repository root: argument, else ``SYNE_TUNE_BLACKBOX_REPOSITORY``, else
  ``BLACKBOX_REPOSITORY_PATH``, else ``~/.blackbox-repository``.
* Data mirror (a local copy of the original benchmark files): argument,
  else ``SYNE_TUNE_DATA_MIRROR``, else a ``shared/data`` folder beside the
  project's checkout (``<checkout>/../shared/data``) or beside the current
  folder (``./shared/data``, ``../shared/data``).
* Download folder of a recipe: ``<repository>/.downloads/<blackbox name>/``.
* Source descriptions: :class:`SourceFile` (a file looked for in the mirror
  and the download folder, downloadable from a public URL, with its SHA-256
  where known) and :class:`PackageSource` (data shipped inside an installed
  pip package, found without importing it). Recipes list them so that
  availability can be told without loading any data.
* :func:`download_file` is the one download helper: a tqdm progress bar
  (when tqdm is installed), a temporary file renamed into place only after
  its SHA-256 matched. :func:`find_or_download` raises a
  :class:`SourceNotFoundError` with a one-line message (blackbox, missing
  file, where to put it, URL) when the file is neither present nor
  downloadable.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, List, Optional, Sequence, Tuple, Union

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
    """The source data of a recipe is neither in the mirror nor downloadable.
    Its message is one line saying what is missing and how to provide it."""


class ChecksumMismatchError(BlackboxRepositoryError, ValueError):
    """A downloaded file does not have its known SHA-256 (it is discarded)."""


#: bytes read per chunk when downloading and hashing
_CHUNK = 1 << 20


def sha256_of(path: PathLike) -> str:
    """Hex SHA-256 of the file ``path``."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _progress_bar(total: Optional[int], description: str, enabled: bool):
    """A tqdm bar in bytes, or None if disabled or tqdm is not installed."""
    if not enabled:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        logger.warning(f"{description}: install tqdm to see the progress of downloads")
        return None
    return tqdm(
        total=total, unit="B", unit_scale=True, unit_divisor=1024, desc=description
    )


def download_file(
    url: str,
    target: PathLike,
    timeout: float = 60.0,
    *,
    sha256: Optional[str] = None,
    progress: bool = True,
) -> Path:
    """Downloads ``url`` to ``target``: into a temporary file beside it, with
    a progress bar, renamed to ``target`` only once complete and, if
    ``sha256`` is given, matching it.

    Parameters
    ----------
    url
        What to download (any scheme ``urllib`` opens: ``https``, ``http``,
        ``file``).
    target
        File to write (its folder is created).
    timeout
        Seconds to wait for the connection and for each read.
    sha256
        Expected hex SHA-256 of the file; None: not checked (the digest of
        the download is logged so that it can be recorded).
    progress
        Show a tqdm progress bar (if tqdm is installed).

    Returns
    -------
    pathlib.Path
        ``target``.

    Raises
    ------
    ChecksumMismatchError
        If the download does not have the SHA-256 ``sha256``.
    OSError
        If the download fails (``urllib.error.URLError`` when offline);
        nothing is left behind.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.part")
    digest = hashlib.sha256()
    logger.info(f"downloading {url} to {target}")
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response, open(tmp, "wb") as f:
            length = response.headers.get("Content-Length")
            bar = _progress_bar(
                int(length) if length and length.isdigit() else None,
                f"downloading {target.name}",
                progress,
            )
            try:
                for chunk in iter(lambda: response.read(_CHUNK), b""):
                    f.write(chunk)
                    digest.update(chunk)
                    if bar is not None:
                        bar.update(len(chunk))
            finally:
                if bar is not None:
                    bar.close()
        got = digest.hexdigest()
        if sha256 is not None and got != sha256.lower():
            raise ChecksumMismatchError(
                f"the download of {url} has sha256 {got}, expected {sha256.lower()}; "
                f"discarded it (a changed or damaged file): download it again"
            )
        if sha256 is None:
            logger.warning(f"{url} has no known checksum; sha256 of this download: {got}")
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            try:
                tmp.unlink()
            except OSError:
                pass
    return target


@dataclass(frozen=True)
class SourceFile:
    """A source file of a recipe.

    Parameters
    ----------
    relative_paths
        Where it may be in the data mirror, preferred first (e.g.
        ``("icml2020/DeepAR.csv.zip", "DeepAR.csv.zip")``).
    url
        Public URL it is downloaded from, or None (not downloadable
        automatically).
    sha256
        Its hex SHA-256, or None where it is not known (then the download
        is not checked).
    filename
        Its name in the download folder (default: the last part of
        ``relative_paths[0]``).
    """

    relative_paths: Tuple[str, ...]
    url: Optional[str] = None
    sha256: Optional[str] = None
    filename: Optional[str] = None

    @property
    def download_name(self) -> str:
        return self.filename or Path(self.relative_paths[0]).name

    def locate(
        self, mirror_path: Optional[PathLike], download_dir: Optional[PathLike]
    ) -> Optional[Path]:
        """The file in the mirror or the download folder, or None."""
        extra = [download_dir] if download_dir is not None else []
        found = find_source(self.relative_paths, mirror_path, extra_dirs=extra)
        if found is not None:
            return found
        if download_dir is not None:
            candidate = Path(download_dir) / self.download_name
            if candidate.exists():
                return candidate
        return None

    def describe(self) -> str:
        """Where the file comes from, for people."""
        where = f"data mirror file {self.relative_paths[0]}"
        return where + (f" (or URL {self.url})" if self.url else "")

    def missing_message(
        self,
        blackbox: str,
        mirror_path: Optional[PathLike],
        download_dir: Optional[PathLike],
        reason: Optional[str] = None,
    ) -> str:
        """One line: what is missing for ``blackbox``, where to put it and
        where to get it."""
        mirror = data_mirror_path(mirror_path)
        if mirror is not None:
            places = f"{Path(mirror) / self.relative_paths[0]}"
        else:
            places = f"$SYNE_TUNE_DATA_MIRROR/{self.relative_paths[0]} (no data mirror is set)"
        if download_dir is not None and self.url:
            places += f" or {Path(download_dir) / self.download_name}"
        line = f"blackbox '{blackbox}' needs {self.download_name}: put it at {places}"
        if self.url:
            line += f"; it is downloaded from {self.url} when online"
        if reason:
            line += f" (download failed: {reason})"
        return line


def package_folder(module: str) -> Optional[Path]:
    """Folder of the installed top-level package ``module``, found without
    importing it (so a package whose import fails still counts), or None."""
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    if spec.submodule_search_locations:
        return Path(list(spec.submodule_search_locations)[0])
    return Path(spec.origin).parent if spec.origin else None


@dataclass(frozen=True)
class PackageSource:
    """Data shipped inside an installed pip package.

    Parameters
    ----------
    distribution
        Name on PyPI (``pip install <distribution>``).
    module
        Top-level import name.
    files
        Files the recipe reads, relative to the package folder (all must
        exist).
    note
        What the recipe makes of them, for people (e.g. "final epoch only").
    """

    distribution: str
    module: str
    files: Tuple[str, ...] = ()
    note: Optional[str] = None

    def locate(self) -> Optional[Path]:
        """The package folder if the package and its files are installed."""
        folder = package_folder(self.module)
        if folder is None or not all((folder / f).is_file() for f in self.files):
            return None
        return folder

    def describe(self) -> str:
        text = f"pip package {self.distribution}"
        return text + (f" ({self.note})" if self.note else "")

    def missing_message(self, blackbox: str) -> str:
        return (
            f"blackbox '{blackbox}' needs the pip package {self.distribution}: "
            f"pip install {self.distribution}"
        )


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


def find_or_download(
    name: str,
    relative_paths: Sequence[str],
    url: Optional[str],
    mirror_path: Optional[PathLike],
    download_dir: Optional[PathLike],
    filename: Optional[str] = None,
    sha256: Optional[str] = None,
) -> Path:
    """Source file of blackbox ``name``: from the mirror, an earlier
    download, or a fresh download of ``url`` (checked against ``sha256``
    if given).

    Raises
    ------
    SourceNotFoundError
        If it is not present and ``url`` is None or the download failed;
        the message is one line (see :meth:`SourceFile.missing_message`).
    ChecksumMismatchError
        If the download does not match ``sha256``.
    """
    spec = SourceFile(tuple(relative_paths), url=url, sha256=sha256, filename=filename)
    found = spec.locate(mirror_path, download_dir)
    if found is not None:
        return found
    if url is None or download_dir is None:
        raise SourceNotFoundError(spec.missing_message(name, mirror_path, download_dir))
    target = Path(download_dir) / spec.download_name
    logger.warning(f"blackbox '{name}': downloading {spec.download_name} from {url}")
    try:
        # ``sha256`` is passed only when known (replacements of ``download_file``
        # in tests take the first three arguments)
        extra_kwargs = {"sha256": sha256} if sha256 is not None else {}
        return download_file(url, target, **extra_kwargs)
    except ChecksumMismatchError:
        raise
    except Exception as ex:
        reason = f"{type(ex).__name__}: {ex}".replace("\n", " ")
        raise SourceNotFoundError(
            spec.missing_message(name, mirror_path, download_dir, reason=reason)
        ) from None
