"""Tune a plain Python function instead of a training script.

    def train(width: float, height: float, epochs: int):
        import time                      # imports go inside the function
        from syne_tune import Reporter

        report = Reporter()
        for epoch in range(1, epochs + 1):
            report(epoch=epoch, mean_loss=(0.1 + width * epoch / 100) ** -1 + height / 10)

    backend = PythonBackend(tune_function=train, config_space=config_space)

Each trial runs the function in a subprocess (a :class:`LocalBackend` whose
entry point re-creates the function), so everything LocalBackend does applies:
trial folders, stop/pause of the whole process group, GPU rotation.

How the function travels: its code object is serialized with :mod:`marshal`
(no dill or cloudpickle needed) and re-created in the trial **without the
globals of the module that defined it**. So:

* imports, helper functions and constants it uses must be inside the function
  (a global name it uses raises a ``ValueError`` here, up front);
* it cannot be a closure over local variables of an enclosing function;
* default values of its parameters must be plain data (numbers, strings,
  tuples, lists, dicts, ...).

Its parameters are filled from the trial's configuration (types preserved:
the configuration is passed as JSON); every parameter without a default must
be a key of ``config_space``. A parameter named ``st_checkpoint_dir`` receives
the trial's checkpoint folder; a ``**kwargs`` parameter receives the whole
configuration plus ``st_checkpoint_dir``.
"""

from __future__ import annotations

import builtins
import dis
import hashlib
import inspect
import marshal
import sys
import types
from pathlib import Path

from syne_tune.backend.local_backend import LocalBackend
from syne_tune.constants import ST_CHECKPOINT_DIR

_ENTRY_POINT = Path(__file__).with_name("python_entrypoint.py")


def _global_names(code: types.CodeType) -> set[str]:
    """Names ``code`` (and nested functions) reads from the module globals."""
    loaded, stored = set(), set()
    stack = [code]
    while stack:
        c = stack.pop()
        for ins in dis.get_instructions(c):
            if ins.opname == "LOAD_GLOBAL":
                loaded.add(ins.argval)
            elif ins.opname in ("STORE_GLOBAL", "DELETE_GLOBAL"):
                stored.add(ins.argval)
        stack.extend(k for k in c.co_consts if isinstance(k, types.CodeType))
    return loaded - stored


def serialize_function(fn) -> bytes:
    """Serialize ``fn``'s code for :mod:`python_entrypoint` (see the module
    docstring for what such a function may not do)."""
    if not isinstance(fn, types.FunctionType):
        raise TypeError(f"tune_function must be a plain Python function, got {type(fn).__name__}")
    code = fn.__code__
    if code.co_freevars:
        raise ValueError(
            f"tune_function {fn.__name__} uses variables of an enclosing function "
            f"({', '.join(code.co_freevars)}); PythonBackend cannot send a closure to a trial: "
            "define the function at module level and pass values through the config space"
        )
    missing = sorted(n for n in _global_names(code) if not hasattr(builtins, n))
    if missing:
        raise ValueError(
            f"tune_function {fn.__name__} uses the global name(s) {', '.join(missing)}. PythonBackend "
            "re-creates the function in the trial without the globals of its module, so imports, "
            "helper functions and constants must be inside the function"
        )
    params = inspect.signature(fn).parameters
    accepts = None
    if not any(p.kind == p.VAR_KEYWORD for p in params.values()):
        accepts = [
            name for name, p in params.items() if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
        ]
    data = {
        "code": code,
        "name": fn.__name__,
        "defaults": fn.__defaults__,
        "kwdefaults": fn.__kwdefaults__,
        "accepts": accepts,
        "python": tuple(sys.version_info[:2]),
    }
    try:
        return marshal.dumps(data)
    except ValueError as ex:
        raise ValueError(
            f"tune_function {fn.__name__}: its default values must be plain data (numbers, strings, "
            f"lists, dicts, ...): {ex}"
        ) from ex


def _check_parameters(fn, config_space: dict) -> None:
    params = inspect.signature(fn).parameters
    bad = [
        name for name, p in params.items() if p.kind in (p.POSITIONAL_ONLY, p.VAR_POSITIONAL)
    ]
    if bad:
        raise ValueError(
            f"tune_function {fn.__name__}: parameters {bad} cannot be passed by name; "
            "use ordinary (keyword) parameters"
        )
    missing = [
        name
        for name, p in params.items()
        if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
        and p.default is p.empty
        and name not in config_space
        and name != ST_CHECKPOINT_DIR
    ]
    if missing:
        raise ValueError(
            f"tune_function {fn.__name__} has parameter(s) {missing} that are not keys of the "
            f"config space ({sorted(config_space)}); its parameters must be a subset of the "
            "config space keys (or have default values)"
        )


class PythonBackend(LocalBackend):
    """Runs ``tune_function(**config)`` in a subprocess per trial.

    Parameters
    ----------
    tune_function
        Function to tune; reports with :class:`syne_tune.Reporter`. Must be
        self-contained: see the module docstring.
    config_space
        Configuration space (the same as the scheduler's); used to check the
        function's parameters up front.
    rotate_gpus
        As for :class:`LocalBackend`.
    delete_checkpoints
        As for :class:`LocalBackend`.
    """

    def __init__(self, tune_function, config_space: dict, rotate_gpus: bool = True, delete_checkpoints: bool = False):
        if not isinstance(tune_function, types.FunctionType):
            raise TypeError(
                f"tune_function must be a plain Python function, got {type(tune_function).__name__}"
            )
        _check_parameters(tune_function, config_space)
        payload = serialize_function(tune_function)
        super().__init__(
            entry_point=str(_ENTRY_POINT),
            delete_checkpoints=delete_checkpoints,
            pass_args_as_json=True,
            rotate_gpus=rotate_gpus,
        )
        self.config_space = config_space
        self._payload = payload
        self._payload_hash = hashlib.sha256(payload).hexdigest()
        self._function_name = tune_function.__name__
        self.tune_function = tune_function

    def __getstate__(self):
        state = super().__getstate__()
        # a function defined in __main__ or locally may not pickle; the code
        # travels as the marshal payload
        state["tune_function"] = None
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        self._written = None
        if self.tune_function is None:
            from syne_tune.backend.python_backend.python_entrypoint import load_function

            root = self.tune_function_path()
            try:
                self.tune_function = load_function(str(root), self._payload_hash)[0] if root.exists() else None
            except Exception:
                self.tune_function = None

    def tune_function_path(self) -> Path:
        """Folder holding the serialized function."""
        return self._root() / "tune_function"

    def set_path(self, results_root: str, tuner_name: str | None = None) -> None:
        super().set_path(results_root, tuner_name)
        self._written = None

    def _write_function(self) -> Path:
        root = self.tune_function_path()
        if getattr(self, "_written", None) != str(root):
            root.mkdir(parents=True, exist_ok=True)
            path = root / "tune_function.bin"
            tmp = root / "tune_function.bin.tmp"
            tmp.write_bytes(self._payload)
            tmp.replace(path)
            self._written = str(root)
        return root

    def _command(self, trial_id: int, config: dict) -> list[str]:
        root = self._write_function()
        argv = super()._command(trial_id, config)
        return argv + ["--tune_function_root", str(root), "--tune_function_hash", self._payload_hash]
