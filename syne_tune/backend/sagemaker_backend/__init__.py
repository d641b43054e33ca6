"""The SageMaker backend: one SageMaker training job per trial.

``from syne_tune.backend import SageMakerBackend`` (or from this package).
Needs the ``aws`` extra (``pip install "syne-tune[aws]"``: boto3 and the
SageMaker SDK); they are imported only when a backend is created, so
importing this package is cheap. See ``docs/sagemaker.md``.
"""

from __future__ import annotations

from syne_tune.backend.sagemaker_backend.errors import (
    MissingAWSCredentialsError,
    MissingAWSRegionError,
    MissingSageMakerRoleError,
    MissingSageMakerSDKError,
    SageMakerSetupError,
)
from syne_tune.backend.sagemaker_backend.instance_info import INSTANCE_PRICES, instance_price, job_cost
from syne_tune.backend.sagemaker_backend.sagemaker_backend import SageMakerBackend

__all__ = [
    "SageMakerBackend",
    "SageMakerSetupError",
    "MissingSageMakerSDKError",
    "MissingAWSCredentialsError",
    "MissingAWSRegionError",
    "MissingSageMakerRoleError",
    "INSTANCE_PRICES",
    "instance_price",
    "job_cost",
]
