"""Named errors of the SageMaker backend and the remote launcher.

Each says what is missing and how to provide it. They are raised when a
:class:`~syne_tune.backend.sagemaker_backend.SageMakerBackend` or a
:class:`~syne_tune.remote.remote_launcher.RemoteLauncher` is created, before
any training job is started. Standard library only.
"""

from __future__ import annotations

__all__ = [
    "SageMakerSetupError",
    "MissingSageMakerSDKError",
    "MissingAWSCredentialsError",
    "MissingAWSRegionError",
    "MissingSageMakerRoleError",
]


class SageMakerSetupError(RuntimeError):
    """Base class: something needed to start SageMaker training jobs is missing."""


class MissingSageMakerSDKError(ImportError):
    """``boto3`` or the SageMaker Python SDK cannot be imported."""

    def __init__(self, missing: str):
        super().__init__(
            f"The SageMaker backend needs {missing}, which cannot be imported. "
            'Install it with: pip install "syne-tune[aws]"'
        )
        self.missing = missing


class MissingAWSCredentialsError(SageMakerSetupError):
    """No AWS credentials are found by botocore's credential chain."""

    def __init__(self):
        super().__init__(
            "No AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, "
            "or configure them with 'aws configure' (or run where an instance role provides them)."
        )


class MissingAWSRegionError(SageMakerSetupError):
    """The boto3 session has no region."""

    def __init__(self):
        super().__init__(
            "No AWS region set: set AWS_DEFAULT_REGION (e.g. us-east-1), or a region in ~/.aws/config, "
            "or create the SDK session with boto3.Session(region_name=...)."
        )


class MissingSageMakerRoleError(SageMakerSetupError):
    """No IAM role ARN is given for the training jobs."""

    def __init__(self, owner: str):
        super().__init__(
            f"{owner}: no IAM role for the SageMaker training jobs. Pass role='arn:aws:iam::<account>:role/<name>' "
            "to the estimator (or ModelTrainer); the role needs the permissions listed in docs/sagemaker.md."
        )
