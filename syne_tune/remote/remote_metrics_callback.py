"""Best-so-far metrics of a remote tuning job, for SageMaker's console.

:class:`RemoteTuningMetricsCallback` is the callback that ``remote_main.py``
adds to the tuner of a :class:`~syne_tune.remote.remote_launcher.RemoteLauncher`
job when ``publish_tuning_metrics=True``: whenever the best value reported so
far of one of the scheduler's metrics improves, it prints one line

    [st-tuning-metric]: best_<metric>=<value>

to the job's standard output (which SageMaker sends to CloudWatch Logs).
:meth:`RemoteTuningMetricsCallback.metric_definitions` gives the matching
``metric_definitions`` of the job's estimator, so that SageMaker extracts
these lines as the job's metrics ``best_<metric>`` (shown as curves in the
console). Standard library only: no AWS package is needed to use it.
"""

from __future__ import annotations

import math
import re
from numbers import Real

from syne_tune.trial import Trial
from syne_tune.tuner_callback import TunerCallback

__all__ = ["RemoteTuningMetricsCallback", "TUNING_METRIC_TAG"]

#: Tag opening the lines printed by :class:`RemoteTuningMetricsCallback`.
TUNING_METRIC_TAG = "[st-tuning-metric]"


class RemoteTuningMetricsCallback(TunerCallback):
    """Prints the best value so far of each of the scheduler's metrics when it
    improves (see the module docstring). The metrics and their modes are the
    scheduler's (``metric_names()``, ``metric_mode()``), read when tuning starts."""

    def __init__(self):
        self._modes: dict[str, str] = {}
        self._best: dict[str, float] = {}

    @staticmethod
    def published_name(metric: str) -> str:
        """Name of the SageMaker metric of ``metric``'s best value: ``best_<metric>``."""
        return f"best_{metric}"

    @classmethod
    def metric_definitions(cls, metric_names: list[str]) -> list[dict[str, str]]:
        """``metric_definitions`` of a SageMaker estimator that extract the
        lines this callback prints for ``metric_names``.

        Parameters
        ----------
        metric_names
            The scheduler's metrics.

        Returns
        -------
        list[dict[str, str]]
            One ``{"Name": "best_<metric>", "Regex": ...}`` per metric.
        """
        return [
            {
                "Name": cls.published_name(name),
                "Regex": re.escape(f"{TUNING_METRIC_TAG}: {cls.published_name(name)}=") + r"([-+0-9.eE]+)",
            }
            for name in metric_names
        ]

    def on_tuning_start(self, tuner) -> None:
        names = list(tuner.scheduler.metric_names())
        modes = tuner.scheduler.metric_mode()
        modes = [modes] * len(names) if isinstance(modes, str) else list(modes)
        self._modes = dict(zip(names, modes))

    def on_trial_result(self, trial: Trial, status: str, result: dict, decision: str) -> None:
        for name, mode in self._modes.items():
            value = result.get(name)
            if not isinstance(value, Real) or isinstance(value, bool) or not math.isfinite(value):
                continue
            best = self._best.get(name)
            if best is None or (value < best if mode == "min" else value > best):
                self._best[name] = float(value)
                print(f"{TUNING_METRIC_TAG}: {self.published_name(name)}={float(value)!r}", flush=True)
