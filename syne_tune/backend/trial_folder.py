"""One folder per trial: what the backends that run a script share.

:class:`~syne_tune.backend.LocalBackend` (local subprocesses) and
:class:`~syne_tune.backend.RayBackend` (subprocesses on Ray nodes) keep, for
every trial, a folder ``<root>/<trial_id>/`` with ``config.json``,
``std.out``, ``std.err``, ``end`` and ``checkpoints/`` (the script's
``--st_checkpoint_dir``), and start the trial's script with the same command
line and environment. This module holds that common part, once:

* :class:`TrialFolderMixin`: the folder paths, reading a trial's ``std.out``
  / ``std.err``, copying and deleting checkpoints (deferred while a run of
  the trial is still ending), clearing a folder for a fresh trial, and the
  warning logged when a trial fails. It is a mixin of those two backends
  rather than part of :class:`~syne_tune.backend.trial_backend.PollingBackend`,
  whose other subclass (SageMaker) keeps no local trial folders.
* :func:`script_arguments`: the argument convention of a trial's script.
* :func:`trial_environment`: the environment a trial's process gets.
* :func:`exit_reason`, :func:`end_partial_line`, :func:`file_tail`,
  :func:`binary_argv`: small helpers both backends use.

It imports the standard library and :mod:`syne_tune.constants` only, so that
the Ray runner (:mod:`syne_tune.backend.ray_backend.runner`) may import it
on a worker node cheaply.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
from datetime import datetime
from pathlib import Path

from syne_tune.constants import ST_CHECKPOINT_DIR, ST_CONFIG_JSON_FNAME_ARG, SYNETUNE_FOLDER

__all__ = [
    "TrialFolderMixin",
    "binary_argv",
    "end_partial_line",
    "exit_reason",
    "file_tail",
    "script_arguments",
    "trial_environment",
]

_STDERR_TAIL_BYTES = 4096
_STDERR_TAIL_LINES = 30

_PACKAGE_ROOT: str | None = None


def _site_dirs() -> set[str]:
    import site

    dirs = set()
    try:
        dirs.update(site.getsitepackages())
    except AttributeError:  # pragma: no cover - virtualenv's old site.py
        pass
    try:
        dirs.add(site.getusersitepackages())
    except AttributeError:  # pragma: no cover
        pass
    return {os.path.realpath(d) for d in dirs}


def package_root_for_children() -> str | None:
    """Folder to add to a child's ``PYTHONPATH`` so that it imports this
    ``syne_tune``.

    Returns
    -------
    str or None
        The folder holding this ``syne_tune`` package, or ``None`` if the
        package is installed in site-packages (a child finds it anyway).
    """
    global _PACKAGE_ROOT
    if _PACKAGE_ROOT is None:
        root = os.path.realpath(str(Path(__file__).resolve().parents[2]))
        _PACKAGE_ROOT = "" if root in _site_dirs() else root
    return _PACKAGE_ROOT or None


def trial_environment() -> dict[str, str]:
    """Environment of a trial's process: this process's environment, plus
    ``OMP_NUM_THREADS=1`` unless it is set, and this ``syne_tune`` appended
    to ``PYTHONPATH`` when it is not installed in site-packages.

    Returns
    -------
    dict[str, str]
        A new dict (the caller may add to it, e.g. ``CUDA_VISIBLE_DEVICES``).
    """
    env = dict(os.environ)
    env.setdefault("OMP_NUM_THREADS", "1")
    root = package_root_for_children()
    if root is not None:
        path = env.get("PYTHONPATH")
        parts = path.split(os.pathsep) if path else []
        if root not in parts:
            env["PYTHONPATH"] = os.pathsep.join(parts + [root])
    return env


def script_arguments(config: dict, checkpoint_dir: str, config_json_path: str | None = None) -> list[str]:
    """Arguments a training script gets after its path (the backends' argv
    convention, see :mod:`syne_tune.backend.local_backend`).

    Parameters
    ----------
    config
        The trial's configuration; ignored when ``config_json_path`` is given.
    checkpoint_dir
        Passed as ``--st_checkpoint_dir``.
    config_json_path
        With ``pass_args_as_json``: the JSON file holding the configuration,
        passed as ``--st_config_json_filename`` instead of one argument per key.

    Returns
    -------
    list[str]
        ``["--name", "value", ..., "--st_checkpoint_dir", checkpoint_dir]``
        (``--name=value`` for a value starting with ``-``).
    """
    args: list[str] = []
    if config_json_path is not None:
        args += [f"--{ST_CONFIG_JSON_FNAME_ARG}", config_json_path]
    else:
        for key, value in config.items():
            if key in (ST_CHECKPOINT_DIR, ST_CONFIG_JSON_FNAME_ARG):
                continue
            value = str(value)
            if value.startswith("-"):
                args.append(f"--{key}={value}")
            else:
                args += [f"--{key}", value]
    return args + [f"--{ST_CHECKPOINT_DIR}", checkpoint_dir]


def exit_reason(code: int | None) -> str:
    """Words for how a trial's process ended.

    Parameters
    ----------
    code
        Its exit code (negative: killed by that signal), ``None`` if unknown.

    Returns
    -------
    str
        ``"exit code 3"``, ``"killed by signal SIGKILL"`` or ``"its process
        is gone"``.
    """
    if code is None:
        return "its process is gone"
    if code < 0:
        try:
            return f"killed by signal {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


def end_partial_line(path: Path) -> None:
    """If an earlier run was killed in the middle of a line of ``path``, end
    that line (append a newline), so that the next run starts on a fresh
    one. Nothing happens if the file is missing or empty."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return
    if size:
        with open(path, "rb+") as f:
            f.seek(size - 1)
            if f.read(1) != b"\n":
                f.write(b"\n")


def file_tail(path: Path) -> str:
    """The last lines (up to 30, of the last 4 KiB) of a text file, ``""``
    if it cannot be read."""
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - _STDERR_TAIL_BYTES))
            data = f.read()
    except OSError:
        return ""
    lines = data.decode("utf-8", errors="replace").splitlines()
    if size > _STDERR_TAIL_BYTES and lines:
        lines = lines[1:]  # probably cut
    return "\n".join(lines[-_STDERR_TAIL_LINES:])


def binary_argv(binary: str | os.PathLike | list | None) -> list[str] | None:
    """The ``binary`` argument of a backend as an argument list (``None``:
    the default interpreter)."""
    if binary is None:
        return None
    if isinstance(binary, (str, os.PathLike)):
        return [str(binary)]
    return [str(b) for b in binary]


class TrialFolderMixin:
    """Trial folders of a backend that runs scripts (see the module docstring).

    The backend sets ``results_root`` (``set_path``), ``_copied_checkpoint``
    and ``_delete_when_dead`` (sets of trial ids), and implements
    :meth:`_run_in_progress`. Class attributes it may set:
    :attr:`_backend_label`, :attr:`_run_files`, :attr:`_log`.
    """

    #: name of the backend in messages, and prefix of its default root folder
    _backend_label: str = "TrialBackend"
    #: files of an earlier run that a fresh trial must not find in its folder
    _run_files: tuple[str, ...] = ("std.out", "std.err", "end", "config.json")
    #: logger of the backend's module
    _log: logging.Logger = logging.getLogger(__name__)

    # -- paths -----------------------------------------------------------------
    def _resolved_entry_point(self, entry_point: str) -> str:
        """Absolute path of the training script ``entry_point``.

        Raises
        ------
        FileNotFoundError
            If ``entry_point`` is not a file.
        """
        path = Path(entry_point).expanduser()
        if not path.is_file():
            raise FileNotFoundError(f"{self._backend_label}: entry point {entry_point} is not a file")
        return str(path.resolve())

    def _root(self) -> Path:
        """Folder holding the trial folders: the tuner's folder, or a new
        time-stamped one under ``$SYNETUNE_FOLDER`` if ``set_path`` was not called."""
        if self.results_root is None:
            base = Path(os.environ.get(SYNETUNE_FOLDER, Path.home() / "syne-tune")).expanduser()
            stamp = datetime.now().strftime("%Y-%m-%d-%H-%M-%S-%f")[:-3]
            prefix = self._backend_label.replace("Backend", "-backend").lower()
            self.results_root = base / f"{prefix}-{stamp}"
            self._log.info(f"{self._backend_label}: set_path was not called; trial folders go to {self.results_root}")
        return Path(self.results_root)

    def trial_path(self, trial_id: int) -> Path:
        """Folder of a trial."""
        return self._root() / str(trial_id)

    def checkpoint_path(self, trial_id: int) -> Path:
        """Checkpoint folder of a trial (``--st_checkpoint_dir``); it exists
        only once the script (or a checkpoint copy) created it."""
        return self.trial_path(trial_id) / "checkpoints"

    def checkpoint_trial_path(self, trial_id: int) -> Path:
        """Syne Tune's name of :meth:`checkpoint_path`."""
        return self.checkpoint_path(trial_id)

    def _script_arguments(self, trial_id: int, config: dict) -> list[str]:
        """:func:`script_arguments` of a trial (its checkpoint folder, and its
        ``config.json`` with ``pass_args_as_json``)."""
        config_json = str(self.trial_path(trial_id) / "config.json") if self.pass_args_as_json else None
        return script_arguments(config, str(self.checkpoint_path(trial_id)), config_json)

    def _prepare_fresh_folder(self, trial_id: int, trial_path: Path) -> None:
        """A new trial must not read files left by an earlier run in the same
        folder (a checkpoint copied by :meth:`copy_checkpoint` is kept)."""
        if trial_path.exists():
            for name in self._run_files:
                try:
                    (trial_path / name).unlink()
                except FileNotFoundError:
                    pass
            if trial_id not in self._copied_checkpoint:
                shutil.rmtree(trial_path / "checkpoints", ignore_errors=True)
        else:
            trial_path.mkdir(parents=True, exist_ok=True)
        self._copied_checkpoint.discard(trial_id)

    # -- output ----------------------------------------------------------------
    def _read_lines(self, trial_id: int, name: str) -> list[str]:
        self._check_known(trial_id)
        try:
            with open(self.trial_path(trial_id) / name, encoding="utf-8", errors="replace") as f:
                return f.readlines()
        except FileNotFoundError:
            return []

    def stdout(self, trial_id: int) -> list[str]:
        """Lines the trial printed to stdout (all its runs)."""
        return self._read_lines(trial_id, "std.out")

    def stderr(self, trial_id: int) -> list[str]:
        """Lines the trial printed to stderr (all its runs)."""
        return self._read_lines(trial_id, "std.err")

    def stderr_path(self, trial_id: int) -> str | None:
        """The trial's ``std.err``."""
        return str(self.trial_path(trial_id) / "std.err")

    def _log_failure(self, trial_id: int, why: str, tail: str | None = None) -> None:
        """Warn that a trial failed (``why``), with the last lines of its
        stderr (``tail``; read from ``std.err`` if ``None``)."""
        err_path = self.trial_path(trial_id) / "std.err"
        if tail is None:
            tail = file_tail(err_path)
        self._log.warning(
            f"Trial {trial_id} failed ({why}). Last lines of {err_path}:\n{tail}"
            if tail
            else f"Trial {trial_id} failed ({why}); its stderr ({err_path}) is empty"
        )

    # -- checkpoints -----------------------------------------------------------
    def _run_in_progress(self, trial_id: int) -> bool:
        """Is a run of ``trial_id`` still going or ending (its checkpoint may
        still be written)?"""
        raise NotImplementedError

    def copy_checkpoint(self, src_trial_id: int, tgt_trial_id: int) -> None:
        """Replace the checkpoint of ``tgt_trial_id`` by a copy of that of
        ``src_trial_id`` (none if the source has none)."""
        src = self.checkpoint_path(src_trial_id)
        tgt = self.checkpoint_path(tgt_trial_id)
        if tgt.exists():
            shutil.rmtree(tgt)
        if src.exists():
            shutil.copytree(src, tgt)
        self._copied_checkpoint.add(tgt_trial_id)

    def delete_checkpoint(self, trial_id: int) -> None:
        """Delete the checkpoint of ``trial_id``; if a run of it is still
        going or ending, once it is over (see :meth:`_run_gone`)."""
        if self._run_in_progress(trial_id):
            self._delete_when_dead.add(trial_id)
            return
        self._remove_checkpoint(trial_id)

    def _remove_checkpoint(self, trial_id: int) -> None:
        """Delete the checkpoint folder of ``trial_id`` now (a backend that
        keeps checkpoints elsewhere too deletes them there as well)."""
        shutil.rmtree(self.checkpoint_path(trial_id), ignore_errors=True)

    def _run_gone(self, trial_id: int, others_left: bool) -> None:
        """A run of ``trial_id`` is over (``others_left``: another run of it
        is still going or ending): delete its checkpoint now if that was
        asked for meanwhile."""
        if trial_id in self._delete_when_dead and not others_left:
            self._delete_when_dead.discard(trial_id)
            self._remove_checkpoint(trial_id)
