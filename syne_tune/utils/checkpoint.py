"""Helpers for training scripts: checkpointing and configuration arguments.

Only the standard library is imported here (every trial pays for its imports).

A script that checkpoints can be paused and resumed by schedulers such as
PBT or synchronous Hyperband, and restarted after a tuner crash::

    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int)
    add_checkpointing_to_argparse(parser)
    config = vars(parser.parse_args())

    start = resume_from_checkpointed_model(config, load_model_fn)  # 0 if no checkpoint
    for epoch in range(start + 1, config["epochs"] + 1):
        ...
        checkpoint_model_at_rung_level(config, save_model_fn, epoch)
        report(epoch=epoch, loss=loss)
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable

from syne_tune.constants import ST_CHECKPOINT_DIR, ST_CONFIG_JSON_FNAME_ARG

__all__ = [
    "add_checkpointing_to_argparse",
    "resume_from_checkpointed_model",
    "checkpoint_model_at_rung_level",
    "pytorch_load_save_functions",
    "parse_bool",
    "add_config_json_to_argparse",
    "load_config_json",
]


def add_checkpointing_to_argparse(parser) -> None:
    """Add ``--st_checkpoint_dir`` (the trial's checkpoint folder, passed by
    the backend) to ``parser``."""
    parser.add_argument(f"--{ST_CHECKPOINT_DIR}", type=str, default=None)


def resume_from_checkpointed_model(config: dict, load_model_fn: Callable[[str], int | None]) -> int:
    """Load the trial's checkpoint, if there is one.

    ``load_model_fn(checkpoint_dir)`` restores the model state from the folder
    and returns the resource level (e.g. epoch) it was saved at; it is called
    only if ``config["st_checkpoint_dir"]`` is set and the folder exists (it may
    be empty: return 0 then). Returns the resource level to continue after
    (0: start from scratch).
    """
    local_path = config.get(ST_CHECKPOINT_DIR)
    if local_path is None or not os.path.isdir(local_path):
        return 0
    resume_from = load_model_fn(str(local_path))
    return int(resume_from) if resume_from else 0


def checkpoint_model_at_rung_level(
    config: dict, save_model_fn: Callable[[str, int], None], resource: int
) -> None:
    """Save a checkpoint: ``save_model_fn(checkpoint_dir, resource)``, if the
    script was given a checkpoint folder (the folder is created if needed)."""
    local_path = config.get(ST_CHECKPOINT_DIR)
    if local_path is None:
        return
    os.makedirs(local_path, exist_ok=True)
    save_model_fn(str(local_path), resource)


def pytorch_load_save_functions(
    state_dict_objects: dict,
    mutable_checkpoint_state: dict | None = None,
    fname: str = "checkpoint.json",
):
    """``(load_model_fn, save_model_fn)`` for PyTorch objects with
    ``state_dict()`` / ``load_state_dict()`` (model, optimizer, scheduler, ...).

    ``mutable_checkpoint_state`` is a dict of further JSON values saved along
    (and updated in place on load). Tensors go to ``<fname stem>.pt``.
    """
    stem = os.path.splitext(os.path.basename(fname))[0]

    def save_model_fn(local_path: str, resource: int) -> None:
        import torch

        states = {k: v.state_dict() for k, v in state_dict_objects.items()}
        tensors = os.path.join(local_path, f"{stem}.pt")
        torch.save(states, tensors + ".tmp")
        os.replace(tensors + ".tmp", tensors)
        state = dict(mutable_checkpoint_state or {})
        state["resource"] = resource
        _write_json_atomic(os.path.join(local_path, fname), state)

    def load_model_fn(local_path: str) -> int:
        meta = os.path.join(local_path, fname)
        tensors = os.path.join(local_path, f"{stem}.pt")
        if not os.path.exists(meta) or not os.path.exists(tensors):
            return 0
        import torch

        states = torch.load(tensors, map_location="cpu")
        for k, v in state_dict_objects.items():
            v.load_state_dict(states[k])
        with open(meta) as f:
            state = json.load(f)
        resource = int(state.pop("resource", 0))
        if mutable_checkpoint_state is not None:
            mutable_checkpoint_state.update(state)
        return resource

    return load_model_fn, save_model_fn


def _write_json_atomic(path: str, obj) -> None:
    """Write JSON so that a process killed mid-write leaves the old file."""
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f)
    os.replace(tmp, path)


_TRUE = {"true", "yes", "y", "1", "on"}
_FALSE = {"false", "no", "n", "0", "off"}


def parse_bool(value) -> bool:
    """Parse a boolean command-line value: ``True``/``False`` (as the backend
    passes Python booleans), ``1``/``0``, ``yes``/``no``, ``on``/``off``.
    Use as ``parser.add_argument("--flag", type=parse_bool)``."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"parse_bool: cannot read {value!r} as a boolean")


def add_config_json_to_argparse(parser) -> None:
    """Add ``--st_config_json_filename`` (used with ``pass_args_as_json=True``)."""
    parser.add_argument(f"--{ST_CONFIG_JSON_FNAME_ARG}", type=str, default=None)


def load_config_json(args: dict) -> dict:
    """Configuration of the trial: ``args`` (e.g. ``vars(parser.parse_args())``)
    updated with the JSON file given by ``--st_config_json_filename``, if any.
    Values from the file win over command-line defaults."""
    fname = args.get(ST_CONFIG_JSON_FNAME_ARG)
    if fname is None:
        return dict(args)
    with open(fname) as f:
        config = json.load(f)
    result = dict(args)
    result.update(config)
    return result
