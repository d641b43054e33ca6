"""Running a whole tuning launcher as one SageMaker training job
(:class:`~syne_tune.remote.remote_launcher.RemoteLauncher`). Needs the
``aws`` extra; importing this package imports neither boto3 nor sagemaker."""

__all__ = ["RemoteLauncher"]


def __getattr__(name: str):
    if name == "RemoteLauncher":
        from syne_tune.remote.remote_launcher import RemoteLauncher

        return RemoteLauncher
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
