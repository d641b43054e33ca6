"""Ask-and-tell: use any scheduler without the Tuner loop.

For users with their own execution (a notebook, a cluster queue, a
hand-written loop): ``ask()`` for a trial, evaluate it however you like, then
``tell()`` the result.

Example
-------
>>> from syne_tune.config_space import uniform
>>> from syne_tune.optimizer.baselines import RandomSearch
>>> from syne_tune.optimizer.schedulers.ask_tell_scheduler import AskTellScheduler
>>> scheduler = AskTellScheduler(RandomSearch({"x": uniform(-1, 1)}, metric="y", random_seed=0))
>>> for _ in range(20):
...     trial = scheduler.ask()
...     scheduler.tell(trial, {"y": trial.config["x"] ** 2})
>>> best = scheduler.best_trial("y")
"""

from __future__ import annotations

from datetime import datetime

from syne_tune.trial import Trial
from syne_tune.optimizer.scheduler import SchedulerDecision, TrialScheduler


class AskTellScheduler:
    """Wraps a scheduler in an ``ask()`` / ``tell()`` interface.

    Parameters
    ----------
    base_scheduler
        Any :class:`~syne_tune.optimizer.scheduler.TrialScheduler`.
    """

    def __init__(self, base_scheduler: TrialScheduler):
        if not isinstance(base_scheduler, TrialScheduler):
            raise TypeError(f"base_scheduler must be a TrialScheduler, got {type(base_scheduler).__name__}")
        self.bscheduler = base_scheduler
        self.trial_counter = 0
        self.completed_experiments: dict[int, tuple[Trial, dict]] = {}

    def ask(self) -> Trial:
        """A new trial to evaluate. Raises ``StopIteration`` when the scheduler
        has nothing left to suggest (e.g. a finished grid)."""
        suggestion = self.bscheduler.suggest(trial_id=self.trial_counter)
        if suggestion is None:
            raise StopIteration("The scheduler has no more configurations to suggest")
        if not suggestion.spawn_new_trial_id:
            raise ValueError("AskTellScheduler supports only schedulers that start new trials (no pause/resume)")
        trial = Trial(trial_id=self.trial_counter, config=suggestion.config, creation_time=datetime.now())
        self.bscheduler.on_trial_add(trial)
        self.trial_counter += 1
        return trial

    def tell(self, trial: Trial, experiment_result: dict, final: bool = True) -> str:
        """Report ``experiment_result`` for ``trial``.

        With ``final=True`` (default) the trial is complete; with ``final=False``
        it is an intermediate result and the scheduler's decision
        (continue/pause/stop) is returned.
        """
        if not isinstance(experiment_result, dict) or not experiment_result:
            raise ValueError("experiment_result must be a non-empty dict of metrics")
        decision = self.bscheduler.on_trial_result(trial, experiment_result)
        if final:
            self.bscheduler.on_trial_complete(trial, experiment_result)
            self.completed_experiments[trial.trial_id] = (trial, experiment_result)
        elif decision != SchedulerDecision.CONTINUE:
            self.bscheduler.on_trial_remove(trial)
        return decision

    def best_trial(self, metric: str) -> tuple[Trial, dict]:
        """The completed trial with the best value of ``metric``."""
        if not self.completed_experiments:
            raise ValueError("No trial has been told yet")
        names = self.bscheduler.metric_names()
        if metric not in names:
            raise ValueError(f"Unknown metric {metric!r}; the scheduler's metrics are {names}")
        mode = self.bscheduler.metric_mode()
        mode = mode if isinstance(mode, str) else mode[names.index(metric)]
        pick = min if mode == "min" else max
        return pick(self.completed_experiments.values(), key=lambda tr: tr[1][metric])
