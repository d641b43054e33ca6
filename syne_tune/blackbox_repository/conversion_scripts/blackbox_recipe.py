"""Base class of the conversion recipes.

A recipe turns the published data of one benchmark into a stored blackbox
``<repository>/<name>/`` (see :mod:`syne_tune.blackbox_repository.serialization`).
Subclasses implement :meth:`BlackboxRecipe._generate_on_disk`, which must
write the blackbox with
:func:`~syne_tune.blackbox_repository.serialization.serialize` (atomically,
so an interrupted conversion leaves nothing half-written behind). A recipe
whose blackbox is not a stored table (e.g. one built around a surrogate
model) may override :meth:`load` and :meth:`is_generated` as well.

A recipe says where its data come from with :meth:`BlackboxRecipe.data_sources`
(alternatives, each a :class:`~.utils.PackageSource` or a tuple of
:class:`~.utils.SourceFile`); :meth:`BlackboxRecipe.availability` answers from
these declarations and the file system only (no data are read), as a
:class:`BlackboxAvailability`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple, Union

from syne_tune.blackbox_repository.conversion_scripts.utils import (
    PackageSource,
    PathLike,
    SourceFile,
    data_mirror_path,
    repository_path as default_repository_path,
)
from syne_tune.blackbox_repository.serialization import (
    deserialize,
    is_stored_blackbox,
)

#: keyword arguments of ``load_blackbox`` that :meth:`BlackboxRecipe.load`
#: passes on to ``deserialize``
DESERIALIZE_KWARGS = ("verify_checksums", "ignore_hash", "memory_map", "tasks")

logger = logging.getLogger(__name__)

#: one way of obtaining a blackbox's data: a pip package, or files that are
#: all needed
DataSource = Union[PackageSource, Tuple[SourceFile, ...]]


@dataclass(frozen=True)
class BlackboxAvailability:
    """Whether a blackbox can be loaded here, and what it needs otherwise.

    Attributes
    ----------
    name
        Blackbox name.
    available
        True if ``load_blackbox(name)`` works now without network: stored
        already, or its source data are installed or in the data mirror or
        download folder.
    stored
        True if it is in the local repository already.
    source
        Where its data come from (pip package, data mirror file, URL),
        alternatives separated by ``"; else "``.
    missing
        None if available; else one line saying what is missing and how to
        provide it.
    """

    name: str
    available: bool
    stored: bool
    source: str
    missing: Optional[str]


def _locate(alternative: DataSource, mirror_path, download_dir) -> Tuple[bool, Optional[str]]:
    """(present, message about the first missing piece) of one alternative."""
    if isinstance(alternative, PackageSource):
        if alternative.locate() is not None:
            return True, None
        return False, None
    for spec in alternative:
        if spec.locate(mirror_path, download_dir) is None:
            return False, spec
    return True, None


def _describe(alternative: DataSource) -> str:
    if isinstance(alternative, PackageSource):
        return alternative.describe()
    if len(alternative) == 1:
        return alternative[0].describe()
    first = alternative[0]
    urls = " (downloadable)" if all(f.url for f in alternative) else ""
    return f"{len(alternative)} data mirror files ({first.relative_paths[0]}, ...){urls}"


def stored_recipe_version(path: Path) -> Optional[int]:
    """``recipe_version`` of the blackbox stored in ``path`` (1 if its metadata
    has none), or None if the metadata cannot be read (loading it will say
    why)."""
    from syne_tune.blackbox_repository.errors import CorruptBlackboxError
    from syne_tune.blackbox_repository.serialization import read_metadata

    try:
        metadata = read_metadata(path)
    except (CorruptBlackboxError, OSError):
        return None
    version = (metadata.get("metadata") or {}).get("recipe_version", 1)
    return version if isinstance(version, int) else None


class BlackboxRecipe:
    """
    :param name: name of the blackbox (folder name in the repository)
    :param cite_reference: how to cite the benchmark
    :param hash: optional sha256 of the main source file (checked when the
        recipe downloads or finds it, if the recipe does so)

    A recipe whose conversion changes (other values, not only other code)
    raises :attr:`recipe_version` and stores it in the blackbox's metadata
    (``"recipe_version"``); a stored blackbox of another version is then not
    :meth:`is_generated`, so ``load_blackbox`` converts it again instead of
    serving the old table (blackboxes stored without the key count as
    version 1).
    """

    #: version of the conversion (see the class docstring)
    recipe_version: int = 1

    def __init__(self, name: str, cite_reference: str, hash: Optional[str] = None):
        self.name = name
        self.cite_reference = cite_reference
        self.hash = hash

    def target_path(self, repository_path: Optional[PathLike] = None) -> Path:
        return default_repository_path(repository_path) / self.name

    def download_dir(self, repository_path: Optional[PathLike] = None) -> Path:
        """Folder that downloads of this recipe go to."""
        return default_repository_path(repository_path) / ".downloads" / self.name

    def data_sources(self) -> Optional[List[DataSource]]:
        """Where the data come from: alternatives, preferred first, each a
        :class:`~.utils.PackageSource` or a tuple of
        :class:`~.utils.SourceFile` (all needed). None (the default): not
        declared; the recipe is then taken to need nothing."""
        return None

    def availability(
        self,
        repository_path: Optional[PathLike] = None,
        mirror_path: Optional[PathLike] = None,
    ) -> BlackboxAvailability:
        """Whether the blackbox can be loaded here now (see
        :class:`BlackboxAvailability`); reads no data."""
        stored = self.is_generated(self.target_path(repository_path))
        alternatives = self.data_sources()
        if alternatives is None:
            return BlackboxAvailability(
                self.name, True, stored, "generated by its recipe (no source declared)", None
            )
        source = "; else ".join(_describe(a) for a in alternatives) or "none"
        if stored:
            return BlackboxAvailability(self.name, True, True, source, None)
        download_dir = self.download_dir(repository_path)
        messages = []
        for alternative in alternatives:
            present, missing_file = _locate(alternative, mirror_path, download_dir)
            if present:
                return BlackboxAvailability(self.name, True, stored, source, None)
            if isinstance(alternative, PackageSource):
                messages.append(alternative.missing_message(self.name))
            else:
                messages.append(
                    missing_file.missing_message(self.name, mirror_path, download_dir)
                )
        prefix = f"blackbox '{self.name}' needs "
        missing = messages[0] + "".join("; or " + m.replace(prefix, "", 1) for m in messages[1:])
        return BlackboxAvailability(self.name, False, False, source, missing)

    def generate(
        self,
        repository_path: Optional[PathLike] = None,
        mirror_path: Optional[PathLike] = None,
    ) -> Path:
        """Generates the blackbox into the repository; returns its folder."""
        target = self.target_path(repository_path)
        target.parent.mkdir(parents=True, exist_ok=True)
        mirror = data_mirror_path(mirror_path)
        logger.info(
            f"generating blackbox {self.name} into {target} (data mirror: {mirror})"
        )
        self._generate_on_disk(
            target,
            mirror_path=mirror,
            download_dir=self.download_dir(repository_path),
        )
        return target

    def _generate_on_disk(
        self,
        target: Path,
        mirror_path: Optional[Path],
        download_dir: Path,
    ):
        """Writes the blackbox to folder ``target``. ``mirror_path`` is the
        data mirror (or None); downloads, if any, go to ``download_dir``."""
        raise NotImplementedError

    def is_generated(self, path: Path) -> bool:
        """Whether ``path`` holds the blackbox, generated by this version of
        the recipe (:attr:`recipe_version`)."""
        if not is_stored_blackbox(path):
            return False
        stored = stored_recipe_version(path)
        if stored is not None and stored != self.recipe_version:
            logger.warning(
                f"the stored blackbox {self.name!r} in {path} was converted by version {stored} "
                f"of its recipe, this library converts with version {self.recipe_version}: "
                "it is converted again"
            )
            return False
        return True

    def load(self, path: Path, **kwargs) -> Dict[str, Any]:
        """Loads the generated blackbox (dict task -> blackbox). Keyword
        arguments are those of ``load_blackbox`` not used by it
        (those of :data:`DESERIALIZE_KWARGS`, and recipe-specific ones)."""
        known = {k: kwargs[k] for k in DESERIALIZE_KWARGS if k in kwargs}
        return deserialize(path, **known)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"
