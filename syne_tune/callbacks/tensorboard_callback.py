"""Logging the results of a tuning run for TensorBoard (needs ``tensorboardX``).

:class:`TensorboardCallback` writes event files to
``<tuner_path>/tensorboard_output`` (view with ``tensorboard --logdir
<that folder>``). Every reported result is one step (0, 1, 2, ... over all
trials, in the order the tuner processes them), stamped with the tuner time
of the result (``st_tuner_time`` if the result has it, else the time since
tuning started). At each step it logs:

* every numeric entry of the result not in ``ignore_metrics`` (scalar under
  its own name);
* with ``log_hyperparameters``, the trial's configuration (numbers as
  scalars, other values as text);
* with ``target_metric``: under that name the best value so far (for
  ``mode``) instead of the reported one, and the configuration giving it as
  ``optimal_<name>``;
* ``runtime`` (the tuner time) and ``number_of_trials`` (distinct trials that
  reported so far).

``tensorboardX`` is imported when tuning starts, so the callback can be
created (and a tuner saved with it loaded) without it.
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from numbers import Number
from typing import Any

from syne_tune.constants import ST_TUNER_TIME
from syne_tune.trial import Trial
from syne_tune.tuner_callback import TunerCallback
from syne_tune.utils.validation import Options, validate_parameters

__all__ = ["TensorboardCallback"]

logger = logging.getLogger(__name__)

#: Folder below the tuner path that receives the event files.
TENSORBOARD_FOLDER = "tensorboard_output"


def _summary_writer(path: str):
    try:
        from tensorboardX import SummaryWriter
    except ImportError as err:
        raise ImportError(
            "TensorboardCallback needs the tensorboardX package: install the 'tensorboard' extra, "
            "pip install 'syne-tune[tensorboard]' (or pip install tensorboardX)"
        ) from err
    # event file names have a resolution of one second: a unique suffix keeps
    # a resumed run (a new writer) from overwriting the file of the last one
    return SummaryWriter(path, filename_suffix=f".{uuid.uuid4().hex[:12]}")


def _is_number(value: Any) -> bool:
    return isinstance(value, Number) and not isinstance(value, complex)


class TensorboardCallback(TunerCallback):
    """Logs results, hyperparameters and the best value so far to TensorBoard
    (see the module docstring for what is written).

    Parameters
    ----------
    ignore_metrics
        Result keys not to log (default: none).
    target_metric
        Metric whose best value so far, and the configuration giving it, are
        logged.
    mode
        "min" (default) or "max": what "best" means for ``target_metric``.
    log_hyperparameters
        Also log each result's configuration.

    Raises
    ------
    InvalidParameterError
        For an argument of the wrong type or value.
    """

    _parameter_constraints = {
        "ignore_metrics": [list, tuple, set, None],
        "target_metric": [str, None],
        "mode": [Options(str, {"min", "max"}), None],
        "log_hyperparameters": ["boolean"],
    }

    def __init__(
        self,
        ignore_metrics: list[str] | None = None,
        target_metric: str | None = None,
        mode: str | None = None,
        log_hyperparameters: bool = True,
    ):
        validate_parameters(self, locals())
        self.ignore_metrics = set(ignore_metrics or ())
        self.target_metric = target_metric
        self.mode = mode or "min"
        self.log_hyperparameters = bool(log_hyperparameters)
        self._sign = 1.0 if self.mode == "min" else -1.0
        self.output_path: str | None = None
        self.writer = None
        #: Next step (one per result).
        self.iter = 0
        self.curr_best_value: float | None = None
        self.curr_best_config: dict | None = None
        self.trial_ids: set = set()
        self._start_time = time.perf_counter()

    def on_tuning_start(self, tuner) -> None:
        self.output_path = os.path.join(str(tuner.tuner_path), TENSORBOARD_FOLDER)
        self.writer = _summary_writer(self.output_path)
        self._start_time = time.perf_counter()
        logger.info("TensorBoard logs go to %s; view them with: tensorboard --logdir %s", self.output_path, self.output_path)

    def _add_value(self, tag: str, value: Any, step: int, walltime: float) -> None:
        if _is_number(value):
            self.writer.add_scalar(tag, value, step, walltime)
        else:
            self.writer.add_text(tag, str(value), step, walltime)

    def on_trial_result(self, trial: Trial, status: str, result: dict, decision: str) -> None:
        walltime = result.get(ST_TUNER_TIME)
        if walltime is None:
            walltime = time.perf_counter() - self._start_time
        step = self.iter
        writer = self.writer
        target = self.target_metric
        if target is not None:
            if target not in result:
                raise ValueError(
                    f"TensorboardCallback: the target_metric '{target}' is missing in the result of trial "
                    f"{trial.trial_id} (keys: {sorted(result)})"
                )
            signed = self._sign * float(result[target])
            if self.curr_best_value is None or signed < self.curr_best_value:
                self.curr_best_value = signed
                self.curr_best_config = dict(trial.config)
            writer.add_scalar(target, self._sign * self.curr_best_value, step, walltime)
            for key, value in self.curr_best_config.items():
                self._add_value(f"optimal_{key}", value, step, walltime)
        for key, value in result.items():
            if key != target and key not in self.ignore_metrics and _is_number(value):
                writer.add_scalar(key, value, step, walltime)
        if self.log_hyperparameters:
            for key, value in trial.config.items():
                self._add_value(key, value, step, walltime)
        writer.add_scalar("runtime", walltime, step, walltime)
        self.trial_ids.add(trial.trial_id)
        writer.add_scalar("number_of_trials", len(self.trial_ids), step, walltime)
        self.iter += 1

    def on_tuning_end(self) -> None:
        if self.writer is not None:
            self.writer.close()
            logger.info("TensorBoard logs written to %s", self.output_path)

    def __getstate__(self) -> dict:
        # the writer holds open files; a loaded tuner opens a new one on start
        state = self.__dict__.copy()
        state["writer"] = None
        return state
