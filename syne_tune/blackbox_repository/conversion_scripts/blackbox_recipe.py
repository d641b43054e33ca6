"""Base class of the conversion recipes.

A recipe turns the published data of one benchmark into a stored blackbox
``<repository>/<name>/`` (see :mod:`syne_tune.blackbox_repository.serialization`).
Subclasses implement :meth:`BlackboxRecipe._generate_on_disk`, which must
write the blackbox with
:func:`~syne_tune.blackbox_repository.serialization.serialize` (atomically,
so an interrupted conversion leaves nothing half-written behind). A recipe
whose blackbox is not a stored table (e.g. one built around a surrogate
model) may override :meth:`load` and :meth:`is_generated` as well.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Dict, Optional

from syne_tune.blackbox_repository.conversion_scripts.utils import (
    PathLike,
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


class BlackboxRecipe:
    """
    :param name: name of the blackbox (folder name in the repository)
    :param cite_reference: how to cite the benchmark
    :param hash: optional sha256 of the main source file (checked when the
        recipe downloads or finds it, if the recipe does so)
    """

    def __init__(self, name: str, cite_reference: str, hash: Optional[str] = None):
        self.name = name
        self.cite_reference = cite_reference
        self.hash = hash

    def target_path(self, repository_path: Optional[PathLike] = None) -> Path:
        return default_repository_path(repository_path) / self.name

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
            download_dir=target.parent / ".downloads" / self.name,
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
        """Whether ``path`` holds the generated blackbox."""
        return is_stored_blackbox(path)

    def load(self, path: Path, **kwargs) -> Dict[str, Any]:
        """Loads the generated blackbox (dict task -> blackbox). Keyword
        arguments are those of ``load_blackbox`` not used by it
        (those of :data:`DESERIALIZE_KWARGS`, and recipe-specific ones)."""
        known = {k: kwargs[k] for k in DESERIALIZE_KWARGS if k in kwargs}
        return deserialize(path, **known)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"
