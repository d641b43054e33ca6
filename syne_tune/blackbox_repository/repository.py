"""Loading blackboxes by name: local repository, optional S3 mirror, or
generation from the source data with the blackbox's recipe; telling which
blackboxes can be loaded here (:func:`blackbox_availability`)."""

from __future__ import annotations

import logging
import os
import shutil
import uuid
from pathlib import Path
from typing import Any, Dict, List, Optional

from syne_tune.blackbox_repository.conversion_scripts.blackbox_recipe import (
    BlackboxAvailability,
)
from syne_tune.blackbox_repository.conversion_scripts.utils import (
    S3_ENV_VAR,
    PathLike,
    repository_path as _repository_path,
)
from syne_tune.blackbox_repository.errors import (
    BlackboxNotFoundError,
    CorruptBlackboxError,
)
from syne_tune.blackbox_repository.serialization import deserialize
from syne_tune.blackbox_repository.storage import (
    METADATA_FILENAME,
    check_verification_arguments,
    is_stored_blackbox,
    read_metadata,
    replace_folder,
    verify_files,
)
from syne_tune.utils.s3 import split_s3_uri
from syne_tune.utils.validation import validate_parameters

logger = logging.getLogger(__name__)


def blackbox_list(available_only: bool = False) -> List[str]:
    """Names of the blackboxes that :func:`load_blackbox` knows.

    Parameters
    ----------
    available_only
        If True, only those that can be loaded here now (stored, or with
        their source data at hand: see :func:`blackbox_availability`, which
        also says what the others need).

    Returns
    -------
    list of str
        Sorted names.
    """
    validate_parameters("blackbox_list", locals(), {"available_only": ["boolean"]})
    if available_only:
        return [a.name for a in blackbox_availability() if a.available]
    from syne_tune.blackbox_repository.conversion_scripts.recipes import get_recipes

    return sorted(get_recipes())


def blackbox_availability(
    names: Optional[List[str]] = None,
    *,
    repository_path: Optional[PathLike] = None,
    mirror_path: Optional[PathLike] = None,
) -> List[BlackboxAvailability]:
    """Which blackboxes can be loaded here, and what the others need.

    Cheap: looks at the repository folder, the data mirror, the download
    folders and the installed packages; reads no data.

    Parameters
    ----------
    names
        Blackboxes to report (default: all of :func:`blackbox_list`).
    repository_path, mirror_path
        As in :func:`load_blackbox`.

    Returns
    -------
    list of BlackboxAvailability
        One per name, sorted by name: ``name``, ``available``, ``stored``,
        ``source``, ``missing`` (one line, or None).

    Raises
    ------
    BlackboxNotFoundError
        If a name has no recipe.
    """
    validate_parameters("blackbox_availability", locals(), {"names": [list, None]})
    from syne_tune.blackbox_repository.conversion_scripts.recipes import get_recipe, get_recipes

    recipes = get_recipes()
    chosen = sorted(recipes) if names is None else sorted(names)
    return [
        get_recipe(name).availability(repository_path=repository_path, mirror_path=mirror_path)
        for name in chosen
    ]


def repository_path(path: Optional[PathLike] = None) -> Path:
    """Root of the local blackbox repository (argument, else
    ``SYNE_TUNE_BLACKBOX_REPOSITORY``, else ``BLACKBOX_REPOSITORY_PATH``,
    else ``~/.blackbox-repository``)."""
    return _repository_path(path)


def _recipe_or_none(name: str):
    from syne_tune.blackbox_repository.conversion_scripts.recipes import get_recipes

    return get_recipes().get(name)


def load_blackbox(
    name: str,
    skip_if_present: bool = True,
    s3_root: Optional[str] = None,
    generate_if_not_found: bool = True,
    yahpo_kwargs: Optional[dict] = None,
    ignore_hash: bool = True,
    *,
    repository_path: Optional[PathLike] = None,
    mirror_path: Optional[PathLike] = None,
    verify_checksums: bool = True,
    memory_map: bool = True,
    **kwargs,
) -> Dict[str, Any]:
    """Returns the blackbox ``name`` as a dict task name -> blackbox.

    Looks in the local repository first (see :func:`repository_path`); if
    absent (or ``skip_if_present`` is False), copies it from the S3 mirror
    when one is configured (``s3_root`` or ``SYNE_TUNE_BLACKBOX_S3``, e.g.
    ``s3://bucket/blackbox-repository``), else generates it with its recipe
    from the local data mirror (see
    :func:`~syne_tune.blackbox_repository.conversion_scripts.utils.data_mirror_path`)
    or by downloading the original data; a generated blackbox is uploaded to
    the S3 mirror if one is configured.

    The first six parameters are those of Syne Tune 0.13, in its order; the
    others are keyword-only.

    Parameters
    ----------
    name
        One of :func:`blackbox_list`, or the name of a blackbox stored in
        the repository by other means.
    skip_if_present
        Use the local copy if there is one.
    s3_root
        S3 mirror of the repository.
    generate_if_not_found
        Allow generation from the source data.
    yahpo_kwargs
        Passed to YAHPO-based recipes (``{"fidelities": [...]}``).
    ignore_hash
        True (default): a data file whose size, mtime and inode are unchanged
        since a successful sha256 verification (recorded in the folder's
        ``.verified.json`` or in this process) is not hashed again. False:
        the sha256 of every data file is computed again now, which also
        catches damage that left the file's stat unchanged. In both cases
        ``metadata.json`` must match its own hash, every file must have its
        recorded size, files changed since their last verification are
        hashed, and a mismatch raises
        :class:`~syne_tune.blackbox_repository.errors.CorruptBlackboxError`
        (see :mod:`~syne_tune.blackbox_repository.storage`). Unlike Syne
        Tune, there is no recipe hash to compare with.
    repository_path
        Repository root (default: see above).
    mirror_path
        Local data mirror (default: see above).
    verify_checksums
        False skips the sha256 of data files altogether (sizes, metadata
        hash and structure are still checked); needs ``ignore_hash=True``.
    memory_map
        Map objective tables instead of reading them.
    kwargs
        Further recipe-specific arguments (e.g. ``tasks``).

    Returns
    -------
    dict
        Task name -> blackbox.

    Raises
    ------
    BlackboxNotFoundError
        If the blackbox is unknown, or absent and may not be generated.
    CorruptBlackboxError
        If the stored copy is damaged (the message says how to regenerate
        it).
    InvalidParameterError
        If an argument has the wrong type, or ``ignore_hash=False`` comes
        with ``verify_checksums=False``.
    """
    validate_parameters(
        "load_blackbox",
        locals(),
        {
            "name": [str],
            "skip_if_present": ["boolean"],
            "s3_root": [str, None],
            "generate_if_not_found": ["boolean"],
            "yahpo_kwargs": [dict, None],
            "memory_map": ["boolean"],
        },
    )
    check_verification_arguments("load_blackbox", verify_checksums, ignore_hash)
    root = _repository_path(repository_path)
    recipe = _recipe_or_none(name)
    target = recipe.target_path(root) if recipe is not None else root / name
    is_present = (
        recipe.is_generated(target) if recipe is not None else is_stored_blackbox(target)
    )
    s3_uri = s3_root or os.environ.get(S3_ENV_VAR) or None

    if not (is_present and skip_if_present):
        fetched = False
        if s3_uri:
            try:
                fetched = download_blackbox(name, s3_uri, repository_path=root)
            except Exception as ex:
                logger.warning(f"could not copy blackbox {name} from {s3_uri}: {ex}")
            # a copy converted by another version of the recipe is not used
            # (is_generated warns): it is converted again and uploaded
            fetched = fetched and (recipe is None or recipe.is_generated(target))
        if not fetched:
            if recipe is None:
                if not is_present:  # else: stored by other means, nothing to regenerate from
                    raise BlackboxNotFoundError(
                        f"blackbox {name!r} is not in the repository {root} and no "
                        f"recipe generates it; known blackboxes: {blackbox_list()}"
                    )
            elif not generate_if_not_found and not is_present:
                raise BlackboxNotFoundError(
                    f"blackbox {name!r} is not in the repository {root}"
                    + (f" nor on {s3_uri}" if s3_uri else "")
                    + " and generate_if_not_found=False"
                )
            elif generate_if_not_found:
                recipe.generate(repository_path=root, mirror_path=mirror_path)
                if s3_uri and is_stored_blackbox(target):
                    try:
                        upload_blackbox(name, s3_uri, repository_path=root)
                    except Exception as ex:
                        logger.warning(f"could not upload blackbox {name} to {s3_uri}: {ex}")

    load_kwargs = dict(
        kwargs,
        verify_checksums=verify_checksums,
        ignore_hash=ignore_hash,
        memory_map=memory_map,
    )
    if yahpo_kwargs is not None:
        load_kwargs["yahpo_kwargs"] = yahpo_kwargs
    try:
        if recipe is not None:
            return recipe.load(target, **load_kwargs)
        return deserialize(
            target,
            verify_checksums=verify_checksums,
            ignore_hash=ignore_hash,
            memory_map=memory_map,
        )
    except CorruptBlackboxError as ex:
        raise CorruptBlackboxError(
            f"{ex}\nThe stored blackbox {name!r} in {target} is damaged; regenerate it "
            f"with load_blackbox({name!r}, skip_if_present=False) or delete the folder."
        ) from None


# --------------------------------------------------------------------- S3
def _s3_client():
    try:
        import boto3
    except ImportError as ex:
        raise ImportError(
            "the S3 mirror of the blackbox repository needs boto3: pip install boto3"
        ) from ex
    endpoint = os.environ.get("SYNE_TUNE_S3_ENDPOINT_URL")
    return boto3.client("s3", endpoint_url=endpoint) if endpoint else boto3.client("s3")


def _s3_key(prefix: str, *parts: str) -> str:
    return "/".join([p for p in (prefix,) + parts if p])


def upload_blackbox(
    name: str, s3_uri: str, repository_path: Optional[PathLike] = None
) -> str:
    """Copies the stored blackbox ``name`` to ``<s3_uri>/<name>/`` (data
    files first, ``metadata.json`` last, so that a partial upload is never
    taken for a complete one). Returns the S3 location."""
    folder = _repository_path(repository_path) / name
    doc = read_metadata(folder)
    verify_files(folder, doc["files"], list(doc["files"]))
    bucket, prefix = split_s3_uri(s3_uri)
    client = _s3_client()
    for fname in list(doc["files"]) + [METADATA_FILENAME]:
        client.upload_file(str(folder / fname), bucket, _s3_key(prefix, name, fname))
    return f"s3://{bucket}/{_s3_key(prefix, name)}"


def download_blackbox(
    name: str, s3_uri: str, repository_path: Optional[PathLike] = None
) -> bool:
    """Copies ``<s3_uri>/<name>/`` into the local repository, checking every
    file against its checksum before the folder is put in place. Returns
    False if the blackbox is not on S3."""
    bucket, prefix = split_s3_uri(s3_uri)
    client = _s3_client()
    from botocore.exceptions import ClientError

    root = _repository_path(repository_path)
    root.mkdir(parents=True, exist_ok=True)
    tmp = root / f".{name}.s3-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        try:
            client.download_file(
                bucket, _s3_key(prefix, name, METADATA_FILENAME), str(tmp / METADATA_FILENAME)
            )
        except ClientError as ex:
            code = str(ex.response.get("Error", {}).get("Code", ""))
            if code in ("404", "NoSuchKey", "NotFound", "NoSuchBucket"):
                return False
            raise
        doc = read_metadata(tmp)
        for fname in doc["files"]:
            client.download_file(bucket, _s3_key(prefix, name, fname), str(tmp / fname))
        verify_files(tmp, doc["files"], list(doc["files"]))
        replace_folder(tmp, root / name)
        return True
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    for entry in blackbox_availability():
        state = "stored" if entry.stored else ("available" if entry.available else "missing")
        print(f"{entry.name:24s} {state:9s} {entry.missing or entry.source}")
