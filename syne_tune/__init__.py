"""syne_tune: hyperparameter optimization on local, simulated and cloud backends.

The top-level names are imported lazily, so that a training script doing
``from syne_tune import Reporter`` loads only the small reporting module.

The modules a launcher uses (the tuner, the schedulers, config spaces, the
blackbox repository, experiments) attach the library's default log handler
to the ``"syne_tune"`` logger (see :mod:`syne_tune.utils.logging_setup`): a
launcher that only sets a level (``logging.getLogger().setLevel(logging.INFO)``)
sees the library's log lines, and one that configures logging itself sees
them once, through its own handlers. The package itself does not (importing
``logging`` would cost every trial's start-up a few milliseconds).
"""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["Tuner", "StoppingCriterion", "Reporter", "__version__"]

_LAZY = {
    "Tuner": ("syne_tune.tuner", "Tuner"),
    "StoppingCriterion": ("syne_tune.stopping_criterion", "StoppingCriterion"),
    "Reporter": ("syne_tune.report", "Reporter"),
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        module_name, attr = _LAZY[name]
        value = getattr(importlib.import_module(module_name), attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'syne_tune' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_LAZY))
