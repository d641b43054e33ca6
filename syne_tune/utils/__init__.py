"""Helpers for training scripts and launchers.

Importing this package is cheap: it pulls in the standard library only. The
checkpointing and configuration helpers used by training scripts are imported
right away; :func:`streamline_config_space` (which needs NumPy, through the
configuration space module) is imported on first use.

Modules:

* :mod:`syne_tune.utils.checkpoint`: checkpointing and ``config.json``
  arguments of training scripts;
* :mod:`syne_tune.utils.paths`: experiment folders and run names;
* :mod:`syne_tune.utils.json_io`: JSON files with NumPy values;
* :mod:`syne_tune.utils.timing`, :mod:`syne_tune.utils.collection_utils`,
  :mod:`syne_tune.utils.metrics`: small helpers;
* :mod:`syne_tune.utils.convert_domain`: :func:`streamline_config_space`;
* :mod:`syne_tune.utils.logging_setup`: the library's default log handler;
* :mod:`syne_tune.utils.validation`: argument checks.
"""

from syne_tune.utils.checkpoint import (
    add_checkpointing_to_argparse,
    add_config_json_to_argparse,
    checkpoint_model_at_rung_level,
    load_config_json,
    parse_bool,
    pytorch_load_save_functions,
    resume_from_checkpointed_model,
)

__all__ = [
    "add_checkpointing_to_argparse",
    "add_config_json_to_argparse",
    "checkpoint_model_at_rung_level",
    "load_config_json",
    "parse_bool",
    "pytorch_load_save_functions",
    "resume_from_checkpointed_model",
    "streamline_config_space",
]

# Heavier helpers, imported on first use: name -> (module, attribute).
_LAZY: dict[str, tuple[str, str]] = {
    "streamline_config_space": ("syne_tune.utils.convert_domain", "streamline_config_space"),
}


def __getattr__(name: str):
    target = _LAZY.get(name)
    if target is None:
        raise AttributeError(f"module 'syne_tune.utils' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(target[0]), target[1])
    globals()[name] = value
    return value


def __dir__():
    return sorted(list(globals()) + list(_LAZY))
