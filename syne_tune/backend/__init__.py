"""Trial backends: where and how trials run.

``from syne_tune.backend import LocalBackend, PythonBackend``. The names are
imported lazily, so ``import syne_tune.backend`` (e.g. for
``syne_tune.backend.trial_status`` in a training script) stays cheap.
"""

from __future__ import annotations

__all__ = ["TrialBackend", "LocalBackend", "PythonBackend", "SimulatorBackend", "SimulatorConfig"]

_LAZY = {
    "TrialBackend": ("syne_tune.backend.trial_backend", "TrialBackend"),
    "LocalBackend": ("syne_tune.backend.local_backend", "LocalBackend"),
    "PythonBackend": ("syne_tune.backend.python_backend.python_backend", "PythonBackend"),
    "SimulatorBackend": ("syne_tune.backend.simulator_backend.simulator_backend", "SimulatorBackend"),
    "SimulatorConfig": ("syne_tune.backend.simulator_backend.simulator_backend", "SimulatorConfig"),
    "RayBackend": ("syne_tune.backend.ray_backend.ray_backend", "RayBackend"),
    "SageMakerBackend": ("syne_tune.backend.sagemaker_backend.sagemaker_backend", "SageMakerBackend"),
}


def __getattr__(name: str):
    target = _LAZY.get(name)
    if target is None:
        raise AttributeError(f"module 'syne_tune.backend' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(target[0]), target[1])
    globals()[name] = value
    return value


def __dir__():
    return sorted(list(globals()) + list(_LAZY))
