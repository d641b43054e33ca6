"""AWS plumbing shared by the SageMaker backend, the remote launcher and the
S3 download helper of :mod:`syne_tune.experiments.s3`.

* :func:`import_aws_sdk`: import boto3 (and the SageMaker SDK), or raise
  :class:`~.errors.MissingSageMakerSDKError`;
* :func:`check_aws_setup`: raise the named error of what is missing
  (credentials, region, role) before any job is started;
* :func:`retry_config` / :func:`make_client`: boto3 clients whose throttling
  and transient errors are retried by botocore (``standard`` or ``adaptive``
  retry mode, exponential backoff with jitter), not by a loop of ours;
* :func:`job_name`: SageMaker job names (``^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}``)
  derived from the tuner name, unique per trial and per run of a trial;
* :func:`split_s3_uri` (from :mod:`syne_tune.utils.s3`), :func:`upload_folder`, :func:`download_prefix`,
  :func:`copy_prefix`, :func:`delete_prefix`: S3 folders.

boto3 is imported inside the functions: importing this module is cheap. The
clients honour ``AWS_ENDPOINT_URL`` (botocore >= 1.31), which is how the tests
point them at a local moto server.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from syne_tune.backend.sagemaker_backend.errors import (
    MissingAWSCredentialsError,
    MissingAWSRegionError,
    MissingSageMakerRoleError,
    MissingSageMakerSDKError,
)
from syne_tune.utils.s3 import split_s3_uri  # re-exported: the AWS helpers' S3 folders

__all__ = [
    "import_aws_sdk",
    "check_aws_setup",
    "retry_config",
    "make_client",
    "clean_name",
    "job_name",
    "split_s3_uri",
    "upload_folder",
    "download_prefix",
    "copy_prefix",
    "delete_prefix",
]

#: Retry modes of botocore accepted here.
RETRY_MODES = ("standard", "adaptive")

_NOT_NAME_CHARS = re.compile(r"[^a-zA-Z0-9]+")


def import_aws_sdk(need_sagemaker: bool = True):
    """Import and return ``boto3`` (after checking that the SageMaker SDK imports).

    Raises
    ------
    MissingSageMakerSDKError
        If boto3 (or, with ``need_sagemaker``, the ``sagemaker`` package) is
        not installed.
    """
    try:
        import boto3
    except ImportError as ex:
        raise MissingSageMakerSDKError("boto3") from ex
    if need_sagemaker:
        try:
            import sagemaker  # noqa: F401
        except ImportError as ex:
            raise MissingSageMakerSDKError("the SageMaker Python SDK (package 'sagemaker')") from ex
    return boto3


def check_aws_setup(boto_session: Any, role: str | None, owner: str) -> None:
    """Check what every SageMaker job needs, in the order it would fail.

    Parameters
    ----------
    boto_session
        The ``boto3.Session`` the jobs are created with.
    role
        IAM role ARN of the jobs (``None``: no role check).
    owner
        Name used in the role error (the class being built).

    Raises
    ------
    MissingAWSRegionError
        If the session has no region.
    MissingAWSCredentialsError
        If botocore's credential chain finds no credentials.
    MissingSageMakerRoleError
        If ``role`` is empty.
    """
    if not getattr(boto_session, "region_name", None):
        raise MissingAWSRegionError()
    if boto_session.get_credentials() is None:
        raise MissingAWSCredentialsError()
    if role is not None and not str(role).strip():
        raise MissingSageMakerRoleError(owner)


def retry_config(max_attempts: int = 10, mode: str = "standard"):
    """botocore ``Config`` that retries throttling and transient errors.

    Parameters
    ----------
    max_attempts
        Attempts per call, the first included.
    mode
        ``"standard"`` (exponential backoff with jitter) or ``"adaptive"``
        (standard plus client-side rate limiting).
    """
    from botocore.config import Config

    return Config(retries={"total_max_attempts": int(max_attempts), "mode": mode})


def make_client(boto_session: Any, service: str, max_attempts: int = 10, mode: str = "standard"):
    """A client of ``service`` from ``boto_session`` with :func:`retry_config`."""
    return boto_session.client(service, config=retry_config(max_attempts, mode))


def clean_name(text: str) -> str:
    """``text`` with every run of characters other than letters and digits
    replaced by ``-`` (no leading or trailing ``-``; ``"st"`` if nothing is left)."""
    return _NOT_NAME_CHARS.sub("-", text).strip("-") or "st"


def job_name(base: str, trial_id: int, attempt: int = 0, max_length: int = 63) -> str:
    """A SageMaker job name for run ``attempt`` of trial ``trial_id``.

    Parameters
    ----------
    base
        Tuner name (any characters; runs of other characters than letters
        and digits become ``-``).
    trial_id, attempt
        The trial, and which of its runs (0: first start, 1: first resume...):
        a resumed trial is a new job, so its name differs.
    max_length
        Longest name returned (63, SageMaker's limit; less if the SDK
        appends a suffix of its own).

    Returns
    -------
    str
        ``<base>-<trial_id>[-r<attempt>]``; a base too long is cut and
        followed by 6 hex digits of its hash, so that names stay unique.
    """
    suffix = f"-{trial_id}" + (f"-r{attempt}" if attempt else "")
    clean = clean_name(base)
    room = max_length - len(suffix)
    if len(clean) > room:
        digest = hashlib.sha1(base.encode()).hexdigest()[:6]
        clean = clean[: max(room - len(digest) - 1, 1)].rstrip("-") + "-" + digest
    return clean + suffix


# -- S3 folders -------------------------------------------------------------------
def _keys(s3_client, bucket: str, prefix: str) -> list[str]:
    keys = []
    paginator = s3_client.get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=bucket, Prefix=prefix + "/" if prefix else ""):
        keys.extend(obj["Key"] for obj in page.get("Contents", []))
    return keys


def upload_folder(s3_client, folder: str | Path, uri: str) -> int:
    """Upload every file below ``folder`` to ``uri`` (same relative paths).
    Returns the number of files."""
    bucket, prefix = split_s3_uri(uri)
    folder = Path(folder)
    count = 0
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            key = "/".join(p for p in (prefix, path.relative_to(folder).as_posix()) if p)
            s3_client.upload_file(str(path), bucket, key)
            count += 1
    return count


def download_prefix(s3_client, uri: str, folder: str | Path) -> int:
    """Download every object below ``uri`` into ``folder`` (same relative
    paths). Returns the number of files (0 if there is nothing there).

    Raises
    ------
    ValueError
        If an object's key would leave ``folder`` (``..`` in a key).
    """
    bucket, prefix = split_s3_uri(uri)
    folder = Path(folder)
    count = 0
    for key in _keys(s3_client, bucket, prefix):
        relative = key[len(prefix) :].lstrip("/") if prefix else key
        if not relative or relative.endswith("/"):
            continue
        target = (folder / relative).resolve()
        if folder.resolve() not in target.parents:
            raise ValueError(f"S3 key {key!r} points outside {folder}")
        target.parent.mkdir(parents=True, exist_ok=True)
        s3_client.download_file(bucket, key, str(target))
        count += 1
    return count


def copy_prefix(s3_client, src_uri: str, tgt_uri: str) -> int:
    """Copy every object below ``src_uri`` to ``tgt_uri`` (server side), after
    deleting what was below ``tgt_uri``. Returns the number of objects copied."""
    delete_prefix(s3_client, tgt_uri)
    src_bucket, src_prefix = split_s3_uri(src_uri)
    tgt_bucket, tgt_prefix = split_s3_uri(tgt_uri)
    count = 0
    for key in _keys(s3_client, src_bucket, src_prefix):
        relative = key[len(src_prefix) :].lstrip("/")
        new_key = "/".join(p for p in (tgt_prefix, relative) if p)
        s3_client.copy_object(Bucket=tgt_bucket, Key=new_key, CopySource={"Bucket": src_bucket, "Key": key})
        count += 1
    return count


def delete_prefix(s3_client, uri: str) -> int:
    """Delete every object below ``uri``. Returns the number deleted."""
    bucket, prefix = split_s3_uri(uri)
    keys = _keys(s3_client, bucket, prefix)
    for start in range(0, len(keys), 1000):
        chunk = keys[start : start + 1000]
        s3_client.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in chunk], "Quiet": True})
    return len(keys)

