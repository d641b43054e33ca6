"""Starting one training job from the user's SageMaker SDK object.

Two kinds of objects are supported, recognised by what they offer (duck
typing), whichever SDK the user has installed:

* an *Estimator* of SDK 2.x (``sagemaker.estimator.Estimator``,
  ``sagemaker.pytorch.PyTorch``, ...): it has ``fit``, ``instance_type``
  and ``instance_count``; a job is started with
  ``fit(job_name=..., wait=False)``;
* a *ModelTrainer* (``sagemaker.modules.train.ModelTrainer`` in SDK 2.x >=
  2.237, ``sagemaker.train.ModelTrainer`` in SDK 3.x): it has ``train`` and
  ``compute``; a job is started with ``train(wait=False)``, the job name
  being ``base_job_name`` plus the SDK's timestamp.

Tested with SDK 2.257.7 (both kinds) only; the SDK 3.x path relies on the
same attribute names and is untested.

Before each job the backend sets the job's hyperparameters (the trial's
configuration, on top of the hyperparameters the object was created with)
and its checkpoint location (``checkpoint_s3_uri`` / ``checkpoint_config``):
the object is changed in place, so do not use it for other jobs while the
backend runs. The SageMaker SDK is imported only by the functions here.
"""

from __future__ import annotations

import copy
import typing
from typing import Any

__all__ = ["JobLauncher", "EstimatorLauncher", "ModelTrainerLauncher", "make_launcher"]

#: Where SageMaker puts the checkpoint folder in the container by default.
DEFAULT_CHECKPOINT_LOCAL_PATH = "/opt/ml/checkpoints"


class JobLauncher:
    """Starts jobs from one SDK object (see the module docstring).

    Parameters
    ----------
    sdk_object
        The Estimator or ModelTrainer.
    fit_kwargs
        Extra arguments of every ``fit`` / ``train`` call.
    """

    #: most characters of the name we choose (the SDK may append its own suffix)
    max_name_length = 63

    def __init__(self, sdk_object: Any, fit_kwargs: dict):
        self.sdk_object = sdk_object
        self.fit_kwargs = dict(fit_kwargs)
        self.base_hyperparameters = dict(self._current_hyperparameters() or {})
        session = self._sdk_session()
        self._session_class = type(session) if session is not None else None
        self.region = session.boto_session.region_name if session is not None else None

    # -- what the object says ----------------------------------------------------
    @property
    def instance_type(self) -> str:
        raise NotImplementedError

    @property
    def instance_count(self) -> int:
        raise NotImplementedError

    @property
    def role(self) -> str | None:
        return getattr(self.sdk_object, "role", None)

    @property
    def checkpoint_local_path(self) -> str:
        return DEFAULT_CHECKPOINT_LOCAL_PATH

    def boto_session(self):
        """The ``boto3.Session`` the SDK object creates jobs with (a fresh
        default session if the object has none)."""
        session = self._sdk_session()
        if session is None:
            import boto3

            return boto3.Session(region_name=self.region) if self.region else boto3.Session()
        return session.boto_session

    def _sdk_session(self):
        return getattr(self.sdk_object, "sagemaker_session", None)

    def _current_hyperparameters(self) -> dict | None:
        raise NotImplementedError

    # -- starting a job ----------------------------------------------------------
    def launch(
        self,
        name: str,
        hyperparameters: dict,
        checkpoint_s3_uri: str,
        extra_inputs: dict[str, str] | None = None,
    ) -> str:
        """Start a job; returns its name.

        Parameters
        ----------
        name
            Job name (ModelTrainer: the base name, the SDK appends a timestamp).
        hyperparameters
            Passed to the script (on top of the object's own).
        checkpoint_s3_uri
            S3 folder synced with :attr:`checkpoint_local_path` in the job.
        extra_inputs
            Input channel name -> S3 URI, added to the job's inputs.
        """
        raise NotImplementedError

    def set_metric_definitions(self, metric_names: list[str], regex_for) -> None:
        """Declare the metrics to SageMaker (shown in its console); no-op if
        the object already has metric definitions."""

    def restore_session(self, sagemaker_client=None) -> None:
        """Give the object a SageMaker session again (after unpickling)."""
        if self._sdk_session() is not None or self._session_class is None:
            return
        import boto3

        boto_session = boto3.Session(region_name=self.region) if self.region else boto3.Session()
        self._set_session(self._new_session(boto_session, sagemaker_client))

    def _new_session(self, boto_session, sagemaker_client):
        return self._session_class(boto_session=boto_session)

    def _set_session(self, session) -> None:
        self.sdk_object.sagemaker_session = session

    def __getstate__(self):
        # SDK sessions hold boto3 clients, which cannot be pickled
        state = dict(self.__dict__)
        state["sdk_object"] = self._without_session()
        return state

    def _without_session(self):
        raise NotImplementedError


class EstimatorLauncher(JobLauncher):
    """Jobs of an SDK 2.x ``Estimator`` (``fit(job_name=..., wait=False)``)."""

    @property
    def instance_type(self) -> str:
        return self.sdk_object.instance_type

    @property
    def instance_count(self) -> int:
        return int(self.sdk_object.instance_count or 1)

    @property
    def checkpoint_local_path(self) -> str:
        return getattr(self.sdk_object, "checkpoint_local_path", None) or DEFAULT_CHECKPOINT_LOCAL_PATH

    def _current_hyperparameters(self) -> dict | None:
        # the hyperparameters given by the user (``hyperparameters()`` adds the SDK's own)
        return getattr(self.sdk_object, "_hyperparameters", None)

    def use_sagemaker_client(self, sagemaker_client) -> None:
        """Create jobs through ``sagemaker_client`` (ours, with retries),
        keeping the object's boto session and default bucket."""
        old = self._sdk_session()
        session = self._new_session(old.boto_session if old is not None else self.boto_session(), sagemaker_client)
        if old is not None:
            session._default_bucket_name_override = getattr(old, "_default_bucket_name_override", None)
            session.default_bucket_prefix = getattr(old, "default_bucket_prefix", None)
        self._set_session(session)

    def _new_session(self, boto_session, sagemaker_client):
        kwargs = {"boto_session": boto_session}
        if sagemaker_client is not None:
            kwargs["sagemaker_client"] = sagemaker_client
        return self._session_class(**kwargs)

    def set_metric_definitions(self, metric_names, regex_for) -> None:
        if getattr(self.sdk_object, "metric_definitions", None):
            return
        self.sdk_object.metric_definitions = [{"Name": name, "Regex": regex_for(name)} for name in metric_names]

    def launch(self, name, hyperparameters, checkpoint_s3_uri, extra_inputs=None) -> str:
        estimator = self.sdk_object
        estimator._hyperparameters = {**self.base_hyperparameters, **hyperparameters}
        estimator.checkpoint_s3_uri = checkpoint_s3_uri
        kwargs = dict(self.fit_kwargs)
        if extra_inputs:
            inputs = kwargs.get("inputs")
            if inputs is None:
                inputs = {}
            elif not isinstance(inputs, dict):
                inputs = {"training": inputs}
            kwargs["inputs"] = {**inputs, **extra_inputs}
        kwargs.update(job_name=name, wait=False)
        estimator.fit(**kwargs)
        return estimator.latest_training_job.name

    def _without_session(self):
        clone = copy.copy(self.sdk_object)
        # what holds boto3 clients; recreated (or not needed) for the next job
        for name in ("sagemaker_session", "latest_training_job", "tensorboard_app"):
            if hasattr(clone, name):
                setattr(clone, name, None)
        if hasattr(clone, "jobs"):
            clone.jobs = []  # the SDK's records of earlier jobs, with their sessions
        return clone


def _annotation_class(model: Any, field: str, name: str | None = None):
    """The class of a pydantic field (``Optional[X]`` -> ``X``); with
    ``name``, the class of that name among the field's types
    (``Optional[List[Union[Channel, InputData]]]`` -> ``InputData``). Found
    this way, the classes come from whichever SDK version the object is of."""
    pending = [type(model).model_fields[field].annotation]
    while pending:
        arg = pending.pop(0)
        if isinstance(arg, type) and arg is not type(None) and (name is None or arg.__name__ == name):
            return arg
        pending.extend(typing.get_args(arg))
    raise TypeError(f"cannot tell the type of {type(model).__name__}.{field}")


class ModelTrainerLauncher(JobLauncher):
    """Jobs of a ``ModelTrainer`` (``train(wait=False)``)."""

    #: the SDK appends ``-YYYYmmddHHMMSS`` to ``base_job_name``
    max_name_length = 63 - 15

    @property
    def instance_type(self) -> str:
        return self.sdk_object.compute.instance_type

    @property
    def instance_count(self) -> int:
        return int(self.sdk_object.compute.instance_count or 1)

    @property
    def checkpoint_local_path(self) -> str:
        config = getattr(self.sdk_object, "checkpoint_config", None)
        return getattr(config, "local_path", None) or DEFAULT_CHECKPOINT_LOCAL_PATH

    def _current_hyperparameters(self) -> dict | None:
        hps = getattr(self.sdk_object, "hyperparameters", None)
        if isinstance(hps, str):
            raise TypeError(
                "The SageMaker backend needs the ModelTrainer's hyperparameters as a dict, not a file name "
                f"({hps!r}): load the file and pass its content."
            )
        return hps

    def launch(self, name, hyperparameters, checkpoint_s3_uri, extra_inputs=None) -> str:
        trainer = self.sdk_object
        checkpoint_class = _annotation_class(trainer, "checkpoint_config")
        local_path = self.checkpoint_local_path
        trainer.hyperparameters = {**self.base_hyperparameters, **hyperparameters}
        trainer.checkpoint_config = checkpoint_class(s3_uri=checkpoint_s3_uri, local_path=local_path)
        trainer.base_job_name = name
        kwargs = dict(self.fit_kwargs)
        if extra_inputs:
            input_class = _annotation_class(trainer, "input_data_config", "InputData")
            channels = list(kwargs.get("input_data_config") or [])
            channels += [input_class(channel_name=k, data_source=v) for k, v in extra_inputs.items()]
            kwargs["input_data_config"] = channels
        kwargs.update(wait=False, logs=False)
        trainer.train(**kwargs)
        return trainer._latest_training_job.training_job_name

    def _without_session(self):
        clone = self.sdk_object.model_copy()
        object.__setattr__(clone, "sagemaker_session", None)
        for private in ("_latest_training_job", "_temp_code_dir", "_temp_recipe_train_dir"):
            if private in (clone.__pydantic_private__ or {}):
                clone.__pydantic_private__[private] = None
        return clone

    def _set_session(self, session) -> None:
        object.__setattr__(self.sdk_object, "sagemaker_session", session)


def make_launcher(sdk_object: Any, fit_kwargs: dict, owner: str) -> JobLauncher:
    """The launcher for ``sdk_object`` (see the module docstring).

    Raises
    ------
    InvalidParameterError
        If ``sdk_object`` is neither an Estimator nor a ModelTrainer.
    """
    if callable(getattr(sdk_object, "fit", None)) and hasattr(sdk_object, "instance_type"):
        return EstimatorLauncher(sdk_object, fit_kwargs)
    if callable(getattr(sdk_object, "train", None)) and hasattr(sdk_object, "compute"):
        return ModelTrainerLauncher(sdk_object, fit_kwargs)
    from syne_tune.utils.validation import InvalidParameterError

    raise InvalidParameterError(
        f"The 'sm_estimator' parameter of {owner} must be a SageMaker SDK Estimator (with fit and instance_type, "
        f"e.g. sagemaker.pytorch.PyTorch) or a ModelTrainer (with train and compute). "
        f"Got {type(sdk_object).__name__} instead."
    )
