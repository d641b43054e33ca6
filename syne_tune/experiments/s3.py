"""Downloading a tuning run's results folder from S3, for
:func:`~syne_tune.experiments.load_experiment`.

A run executed as a SageMaker job (e.g. by
:class:`~syne_tune.remote.remote_launcher.RemoteLauncher`) writes its results
folder (``metadata.json``, the results, ``tuner.dill``, ...) under
``/opt/ml/checkpoints/<tuner name>/``, which SageMaker syncs to the job's
``checkpoint_s3_uri``. :func:`download_experiment` copies such a folder into
the local experiments root, where ``load_experiment`` reads it::

    download_experiment("my-tuner", "s3://bucket/syne-tune/remote/my-job/")
    result = load_experiment("my-tuner")

or in one call: ``load_experiment("my-tuner", s3_path="s3://...")``.
Needs boto3 (the ``aws`` extra); honours ``AWS_ENDPOINT_URL``.
"""

from __future__ import annotations

from pathlib import Path

from syne_tune.constants import ST_METADATA_FILENAME
from syne_tune.utils.paths import experiment_path

__all__ = ["download_experiment"]


def download_experiment(tuner_name: str, s3_path: str, local_root: str | Path | None = None) -> Path:
    """Download the results folder of run ``tuner_name`` from S3.

    Parameters
    ----------
    tuner_name
        The run's name, or a prefix of it matching exactly one run (a tuner
        name gets a timestamp suffix unless ``suffix_tuner_name=False``).
    s3_path
        S3 folder holding run folders, e.g. the ``checkpoint_s3_uri`` of the
        SageMaker job that ran the tuner.
    local_root
        Experiments root to download into (default: ``$SYNETUNE_FOLDER``,
        else ``~/syne-tune``).

    Returns
    -------
    Path
        The local folder of the run (``<local_root>/<run name>``).

    Raises
    ------
    FileNotFoundError
        If no run folder (one with ``metadata.json``) under ``s3_path``
        starts with ``tuner_name``.
    ValueError
        If several do, or ``s3_path`` is not an S3 location.
    MissingSageMakerSDKError
        If boto3 is not installed.
    """
    import syne_tune.backend.sagemaker_backend.aws as aws

    boto3 = aws.import_aws_sdk(need_sagemaker=False)
    bucket, prefix = aws.split_s3_uri(s3_path)
    s3 = boto3.client("s3")
    base = prefix + "/" if prefix else ""
    runs = set()
    paginator = s3.get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=bucket, Prefix=base + tuner_name):
        for obj in page.get("Contents", []):
            relative = obj["Key"][len(base) :]
            run, _, rest = relative.partition("/")
            if rest == ST_METADATA_FILENAME:
                runs.add(run)
    if not runs:
        raise FileNotFoundError(f"No run {tuner_name!r} under {s3_path} (no {tuner_name}*/{ST_METADATA_FILENAME} there)")
    if len(runs) > 1:
        raise ValueError(f"Several runs under {s3_path} match {tuner_name!r}: {sorted(runs)}")
    (run,) = runs
    target = experiment_path(run, local_path=local_root)
    aws.download_prefix(s3, f"s3://{bucket}/{base}{run}/", target)
    return target
