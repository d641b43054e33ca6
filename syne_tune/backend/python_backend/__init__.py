"""Run a plain Python function as a trial (see :class:`PythonBackend`)."""

from syne_tune.backend.python_backend.python_backend import PythonBackend

__all__ = ["PythonBackend"]
