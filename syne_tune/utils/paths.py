"""Where experiments are stored, and how tuning runs are named.

Standard library only: the training-script side may import it.

* :func:`experiment_path`: folder of a run, ``$SYNETUNE_FOLDER/<tuner name>``
  (default ``~/syne-tune``; ``/opt/ml/checkpoints`` inside a SageMaker job);
* :func:`s3_experiment_path`: the S3 counterpart;
* :func:`name_from_base`: a unique run name (base + UTC timestamp);
* :func:`check_valid_tuner_name`, :func:`check_valid_sagemaker_name`,
  :func:`sanitize_sagemaker_name`: name checks;
* :func:`random_string`.
"""

from __future__ import annotations

import os
import random
import re
import string
import time
from pathlib import Path

from syne_tune.constants import ST_DATETIME_FORMAT, SYNETUNE_FOLDER

__all__ = [
    "DEFAULT_FOLDER_NAME",
    "SAGEMAKER_CHECKPOINT_PATH",
    "experiment_path",
    "s3_experiment_path",
    "name_from_base",
    "check_valid_tuner_name",
    "check_valid_sagemaker_name",
    "sanitize_sagemaker_name",
    "random_string",
]

#: Folder under the home directory (and S3 prefix) used when
#: ``$SYNETUNE_FOLDER`` is not set.
DEFAULT_FOLDER_NAME = "syne-tune"

#: Results folder inside a SageMaker training job (synced to S3 by SageMaker).
SAGEMAKER_CHECKPOINT_PATH = "/opt/ml/checkpoints"

#: Set by SageMaker in its training jobs.
_SAGEMAKER_ENV = "SM_MODEL_DIR"

_VALID_TUNER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-_/]*$")
_VALID_SAGEMAKER_NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")


def experiment_path(tuner_name: str | None = None, local_path: str | Path | None = None) -> Path:
    """Folder of a tuning run, used by the Tuner and by the experiment tools.

    Parameters
    ----------
    tuner_name
        Name of the run (a sub-folder); ``None``: the root folder itself.
    local_path
        Root folder to use instead of the default (ignored inside a SageMaker
        job).

    Returns
    -------
    Path
        ``/opt/ml/checkpoints`` inside a SageMaker training job (environment
        variable ``SM_MODEL_DIR`` set); else ``local_path`` if given, else
        ``$SYNETUNE_FOLDER`` if set, else ``~/syne-tune``; followed by
        ``tuner_name`` if given.
    """
    if _SAGEMAKER_ENV in os.environ:
        root = Path(SAGEMAKER_CHECKPOINT_PATH)
    elif local_path is not None:
        root = Path(local_path)
    else:
        env = os.environ.get(SYNETUNE_FOLDER)
        root = Path(env).expanduser() if env else Path.home() / DEFAULT_FOLDER_NAME
    return root / tuner_name if tuner_name else root


def s3_experiment_path(
    s3_bucket: str | None = None,
    experiment_name: str | None = None,
    tuner_name: str | None = None,
) -> str:
    """S3 location of results: ``s3://<bucket>/syne-tune/[<experiment>/][<tuner>/]``.

    Parameters
    ----------
    s3_bucket
        Bucket; ``None``: the default bucket of the SageMaker session (needs
        the ``aws`` extra).
    experiment_name
        First folder level, optional.
    tuner_name
        Second folder level, optional.

    Returns
    -------
    str
        The S3 path, ending with ``/``.

    Raises
    ------
    ImportError
        If ``s3_bucket`` is ``None`` and the SageMaker SDK is not installed.
    """
    if s3_bucket is None:
        try:
            import sagemaker
        except ImportError as ex:
            from syne_tune.try_import import try_import_aws_message

            raise ImportError(
                "s3_experiment_path: s3_bucket=None needs the SageMaker SDK for the default bucket. "
                + try_import_aws_message()
            ) from ex
        s3_bucket = sagemaker.Session().default_bucket()
    parts = [DEFAULT_FOLDER_NAME] + [p for p in (experiment_name, tuner_name) if p is not None]
    return f"s3://{s3_bucket}/" + "".join(part + "/" for part in parts)


def check_valid_tuner_name(name: str) -> None:
    """Check a tuner name, which becomes a folder name.

    Parameters
    ----------
    name
        Letters, digits, ``-``, ``_`` and ``/`` (for sub-folders), starting
        with a letter or digit, without ``..``.

    Raises
    ------
    ValueError
        If ``name`` is not such a string.
    """
    if not isinstance(name, str) or not _VALID_TUNER_NAME.match(name) or ".." in name:
        raise ValueError(
            f"Invalid tuner_name {name!r}: use letters, digits, '-', '_' (and '/' for sub-folders), "
            "starting with a letter or digit"
        )


def check_valid_sagemaker_name(name: str) -> None:
    """Check a SageMaker job name: at most 63 letters and digits, possibly
    separated by ``-``.

    Raises
    ------
    ValueError
        If ``name`` is not a valid SageMaker name.
    """
    if not isinstance(name, str) or not _VALID_SAGEMAKER_NAME.match(name):
        raise ValueError(
            f"Invalid SageMaker name {name!r}: use at most 63 letters and digits, possibly separated by '-'"
        )


def sanitize_sagemaker_name(name: str) -> str:
    """``name`` with ``_`` replaced by ``-``, checked by :func:`check_valid_sagemaker_name`."""
    new_name = name.replace("_", "-")
    check_valid_sagemaker_name(new_name)
    return new_name


def name_from_base(
    base: str | None,
    default: str = "st-tuner",
    max_length: int | None = 63,
    suffix: bool = True,
) -> str:
    """A unique run name: ``base`` followed by ``-<UTC time>-<milliseconds>``.

    Parameters
    ----------
    base
        Prefix; ``None``: ``default``.
    default
        Prefix used when ``base`` is ``None``.
    max_length
        The prefix is shortened so that the whole name has at most this many
        characters (SageMaker's limit is 63); ``None``: never shortened.
    suffix
        ``False``: return the prefix unchanged, without timestamp.

    Returns
    -------
    str
        E.g. ``"my-tuner-2024-02-01-13-05-59-042"``.
    """
    if base is None:
        base = default
    if not suffix:
        return base
    moment = time.time()
    millis = int((moment % 1) * 1000)
    timestamp = time.strftime(ST_DATETIME_FORMAT, time.gmtime(moment)) + f"-{millis:03d}"
    if max_length is not None:
        base = base[: max(max_length - len(timestamp) - 1, 0)]
    return f"{base}-{timestamp}"


def random_string(length: int) -> str:
    """``length`` random letters and digits (not for secrets)."""
    pool = string.ascii_letters + string.digits
    return "".join(random.choice(pool) for _ in range(length))
