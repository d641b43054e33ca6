"""Parsing of S3 locations (``s3://bucket/prefix``), standard library only.

One function, :func:`split_s3_uri`, shared by everything in the library that
takes an S3 folder: the SageMaker backend and the remote launcher (through
:mod:`syne_tune.backend.sagemaker_backend.aws`), the experiment download
helper, and the S3 mirror of the blackbox repository. It imports neither
boto3 nor anything else outside the standard library, so that argument
checks can run before (and without) the AWS SDK.
"""

from __future__ import annotations

__all__ = ["split_s3_uri"]

_SCHEME = "s3://"


def split_s3_uri(uri: str) -> tuple[str, str]:
    """Split an S3 location into its bucket and its key prefix.

    Parameters
    ----------
    uri
        An S3 location ``s3://bucket[/prefix[/]]``.

    Returns
    -------
    tuple[str, str]
        ``(bucket, prefix)``, the prefix without leading or trailing ``/``
        (``""`` for the bucket's root): ``"s3://b/a/c/"`` gives ``("b", "a/c")``.

    Raises
    ------
    ValueError
        If ``uri`` is not a string starting with ``s3://``, or names no bucket.
    """
    if not isinstance(uri, str) or not uri.startswith(_SCHEME):
        raise ValueError(f"An S3 location must look like s3://bucket/prefix. Got {uri!r} instead.")
    bucket, _, prefix = uri[len(_SCHEME) :].partition("/")
    if not bucket:
        raise ValueError(f"An S3 location must name a bucket (s3://bucket/prefix). Got {uri!r} instead.")
    return bucket, prefix.strip("/")
