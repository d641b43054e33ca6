"""Helpers for training scripts (checkpointing, configuration arguments).

Importing this package is cheap: it pulls in the standard library only.
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
]

# Heavier helpers are registered here and imported on first use:
# name -> (module, attribute).
_LAZY: dict[str, tuple[str, str]] = {}


def __getattr__(name: str):
    target = _LAZY.get(name)
    if target is None:
        raise AttributeError(f"module 'syne_tune.utils' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(target[0]), target[1])
    globals()[name] = value
    return value
