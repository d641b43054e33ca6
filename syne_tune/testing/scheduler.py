"""``SchedulerContract``: the pytest test suite every
:class:`~syne_tune.optimizer.scheduler.TrialScheduler` passes.

Subclass it in a test module (the class name must start with ``Test``) and
implement :meth:`SchedulerContract.make_scheduler`::

    from syne_tune.testing.scheduler import SchedulerContract

    class TestMyScheduler(SchedulerContract):
        def make_scheduler(self, config_space, metric, mode, random_seed):
            return MyScheduler(config_space, metric=metric, mode=mode, random_seed=random_seed)

The scheduler gets :attr:`SchedulerContract.config_space` (a constant
``"epochs"`` holds the maximum resource, which pause-and-resume schedulers may
lower in their suggestions) and is driven by :class:`SchedulerDriver`, a
small deterministic simulated cluster: trials report ``metric``, ``"epoch"``
(from 1) and ``"cost"`` once per time unit on crossing learning curves; a
paused trial resumes from where it was paused; a trial started from another
one's checkpoint (PBT) continues from that trial's epoch. Checked:

* suggestions lie in the space (or resume a paused trial; a checkpoint
  comes from a started trial), decisions are :class:`SchedulerDecision`
  values, results flow in both modes;
* the same seed gives the same suggestions and decisions;
* **pickled after N events and unpickled, the scheduler continues with
  exactly the decisions of the original** (the tuner saves its scheduler in
  its snapshots and a resumed tuner relies on this);
* ``on_trial_complete``, ``on_trial_error`` and ``on_trial_remove`` do not
  crash, also for trials the scheduler never suggested;
* ``metric_names``, ``metric_mode`` and ``metadata`` are consistent and
  JSON-serializable;
* a result without the metric raises ``ValueError`` naming it;
* an invalid ``mode`` raises ``ValueError``.

:class:`MultiObjectiveSchedulerContract` is the same suite for schedulers of
several metrics (``metric`` and ``mode`` are lists, results report a second,
conflicting metric).

The suite needs pytest (the ``dev`` extra).
"""

from __future__ import annotations

import heapq
import json
import math
import pickle
from datetime import datetime

import pytest

from syne_tune.config_space import check_config_in_space, choice, loguniform, randint, uniform
from syne_tune.optimizer.scheduler import SchedulerDecision, TrialScheduler, TrialSuggestion
from syne_tune.trial import Trial

__all__ = ["SchedulerContract", "MultiObjectiveSchedulerContract", "SchedulerDriver"]


def model_size(config: dict, epoch: int) -> float:
    """A second objective that conflicts with :func:`crossing_curve` (smaller
    ``x`` and fewer ``layers`` are cheaper); it does not change over epochs."""
    return float(config.get("x", 0.5)) + 0.1 * int(config.get("layers", 1))


def crossing_curve(config: dict, epoch: int) -> float:
    """Decreasing learning curve; ``config["x"]`` in [0, 1] sets the final
    value, and curves of different ``x`` cross (fast starters are not the
    best)."""
    x = float(config.get("x", 0.5))
    return (x - 0.3) ** 2 + math.exp(-(0.2 + 2.0 * x) * epoch)


class SchedulerDriver:
    """A deterministic simulated cluster driving a scheduler, event by event.

    Every running trial reports one epoch per time unit (ties broken by
    order of scheduling). The driver and the scheduler pickle together, so a
    pickled copy continues exactly like the original.

    Parameters
    ----------
    scheduler
        The scheduler under test.
    max_epochs
        Epochs of a trial (unless its config sets ``max_resource_attr`` lower).
    n_workers
        Trials running at once.
    metric, mode
        Reported metric and whether smaller or larger is better.
    max_resource_attr
        Config key capping a trial's epochs.
    curve
        ``curve(config, epoch)`` -> metric value.
    check_suggestion
        Called with every suggestion (for assertions).
    extra_metrics
        Further reported metrics: name -> ``f(config, epoch)`` (module-level
        functions, so that the driver pickles).
    """

    def __init__(
        self,
        scheduler: TrialScheduler,
        max_epochs: int,
        n_workers: int = 3,
        metric: str = "loss",
        mode: str = "min",
        max_resource_attr: str | None = "epochs",
        curve=crossing_curve,
        check_suggestion=None,
        extra_metrics: dict | None = None,
    ):
        self.scheduler = scheduler
        self.extra_metrics = dict(extra_metrics or {})
        self.max_epochs = max_epochs
        self.n_workers = n_workers
        self.metric = metric
        self.mode = mode
        self.max_resource_attr = max_resource_attr
        self.curve = curve
        self.check_suggestion = check_suggestion
        self.now = 0.0
        self.events: list = []  # (time, seq, trial_id, epoch)
        self.seq = 0
        self.progress: dict[int, int] = {}
        self.trials: dict[int, Trial] = {}
        self.running: set[int] = set()
        self.paused: set[int] = set()
        self.next_id = 0
        self.exhausted = False
        #: what happened, in order: ("start" | "resume" | "decision" | "complete", ...)
        self.log: list = []
        self.num_results = 0

    def _end_of(self, trial_id: int) -> int:
        config = self.trials[trial_id].config
        cap = config.get(self.max_resource_attr) if self.max_resource_attr else None
        return min(int(cap), self.max_epochs) if cap is not None else self.max_epochs

    def _schedule_next(self, trial_id: int) -> None:
        self.seq += 1
        heapq.heappush(self.events, (self.now + 1.0, self.seq, trial_id, self.progress[trial_id] + 1))

    def _fill_workers(self) -> None:
        while len(self.running) < self.n_workers and not self.exhausted:
            suggestion = self.scheduler.suggest(self.next_id)
            if suggestion is None:
                self.exhausted = True
                self.log.append(("exhausted",))
                return
            if self.check_suggestion is not None:
                self.check_suggestion(self, suggestion)
            if suggestion.spawn_new_trial_id:
                trial_id = self.next_id
                self.next_id += 1
                source = suggestion.checkpoint_trial_id
                self.progress[trial_id] = self.progress[source] if source is not None else 0
                self.trials[trial_id] = Trial(trial_id, dict(suggestion.config), datetime(2024, 1, 1))
                self.scheduler.on_trial_add(self.trials[trial_id])
                self.log.append(("start", trial_id, sorted(suggestion.config.items(), key=str), source))
            else:
                trial_id = suggestion.checkpoint_trial_id
                assert trial_id in self.paused, f"resume of trial {trial_id}, which is not paused"
                self.paused.discard(trial_id)
                if suggestion.config is not None:
                    self.trials[trial_id] = Trial(trial_id, dict(suggestion.config), datetime(2024, 1, 1))
                self.log.append(("resume", trial_id))
            self.running.add(trial_id)
            self._schedule_next(trial_id)

    def step(self) -> bool:
        """Process one event (a result, then fill free workers). ``False``
        once nothing is left to do."""
        if not self.events and not self.running:
            self._fill_workers()
        while self.events:
            self.now, _, trial_id, epoch = heapq.heappop(self.events)
            if trial_id in self.running:
                break
        else:
            return False
        trial = self.trials[trial_id]
        self.progress[trial_id] = epoch
        result = {self.metric: self.curve(trial.config, epoch), "epoch": epoch, "cost": 0.5 * epoch}
        for name, f in self.extra_metrics.items():
            result[name] = f(trial.config, epoch)
        self.num_results += 1
        decision = self.scheduler.on_trial_result(trial, result)
        assert decision in SchedulerDecision.ALL, f"invalid decision {decision!r}"
        self.log.append(("decision", trial_id, epoch, str(decision)))
        if decision == SchedulerDecision.STOP:
            self.running.discard(trial_id)
            self.scheduler.on_trial_remove(trial)
        elif decision == SchedulerDecision.PAUSE:
            self.running.discard(trial_id)
            self.paused.add(trial_id)
            self.scheduler.on_trial_remove(trial)
            self.exhausted = False  # a promotion may now be possible
        elif epoch >= self._end_of(trial_id):
            self.running.discard(trial_id)
            self.scheduler.on_trial_complete(trial, result)
            self.log.append(("complete", trial_id))
            self.exhausted = False
        else:
            self._schedule_next(trial_id)
        self._fill_workers()
        return True

    def run(self, max_results: int) -> "SchedulerDriver":
        """Step until ``max_results`` results were reported (or nothing is left)."""
        if not self.events:
            self._fill_workers()
        while self.num_results < max_results and self.step():
            pass
        return self


class SchedulerContract:
    """The contract tests (see the module docstring). Subclasses implement
    :meth:`make_scheduler`; the class attributes describe the set-up."""

    #: Name of the reported metric.
    metric = "loss"
    #: Maximum resource (the constant ``"epochs"`` of the config space).
    max_epochs = 9
    #: Config key of the maximum resource.
    max_resource_attr = "epochs"
    #: Results of the longer runs of the suite.
    num_results = 300

    @property
    def config_space(self) -> dict:
        return {
            "x": uniform(0.0, 1.0),
            "lr": loguniform(1e-4, 1e-1),
            "layers": randint(1, 4),
            "act": choice(["relu", "tanh"]),
            self.max_resource_attr: self.max_epochs,
        }

    def make_scheduler(self, config_space: dict, metric: str, mode: str, random_seed: int) -> TrialScheduler:
        """The scheduler under test, for this space, metric, mode and seed."""
        raise NotImplementedError

    # -- what the scheduler is asked for (multi-objective suites override these) ------
    def _metric_arg(self):
        """The ``metric`` passed to :meth:`make_scheduler`."""
        return self.metric

    def _mode_arg(self, mode: str):
        """The ``mode`` passed to :meth:`make_scheduler` for the primary metric's ``mode``."""
        return mode

    def _extra_metrics(self) -> dict:
        """Metrics reported besides :attr:`metric`: name -> ``f(config, epoch)``."""
        return {}

    def _make(self, mode: str = "min", seed: int = 0) -> TrialScheduler:
        return self.make_scheduler(self.config_space, self._metric_arg(), self._mode_arg(mode), seed)

    def _result(self, value: float, epoch: int, config: dict) -> dict:
        result = {self.metric: value, "epoch": epoch, "cost": 1.0}
        for name, f in self._extra_metrics().items():
            result[name] = f(config, epoch)
        return result

    # -- helpers ---------------------------------------------------------------------
    def _check_suggestion(self, driver: SchedulerDriver, suggestion) -> None:
        assert isinstance(suggestion, TrialSuggestion)
        if suggestion.config is not None:
            config = dict(suggestion.config)
            if self.max_resource_attr in config:
                assert 1 <= config[self.max_resource_attr] <= self.max_epochs
                config[self.max_resource_attr] = self.max_epochs
            check_config_in_space(self.config_space, config)
        if suggestion.spawn_new_trial_id:
            assert suggestion.config is not None, "a new trial needs a config"
            if suggestion.checkpoint_trial_id is not None:
                assert suggestion.checkpoint_trial_id in driver.trials
        else:
            assert suggestion.checkpoint_trial_id in driver.paused

    def _driver(self, mode: str = "min", seed: int = 0) -> SchedulerDriver:
        return SchedulerDriver(
            self._make(mode, seed),
            max_epochs=self.max_epochs,
            metric=self.metric,
            mode=mode,
            max_resource_attr=self.max_resource_attr,
            check_suggestion=self._check_suggestion,
            extra_metrics=self._extra_metrics(),
        )

    @staticmethod
    def _trial(trial_id: int, config: dict) -> Trial:
        return Trial(trial_id, dict(config), datetime(2024, 1, 1))

    def _some_config(self) -> dict:
        return {"x": 0.5, "lr": 0.01, "layers": 2, "act": "relu", self.max_resource_attr: self.max_epochs}

    # -- the contract ----------------------------------------------------------------
    def test_is_a_trial_scheduler(self):
        assert isinstance(self._make(), TrialScheduler)

    @pytest.mark.parametrize("mode", ["min", "max"])
    def test_suggestions_and_decisions_are_valid(self, mode):
        driver = self._driver(mode).run(self.num_results)
        assert driver.next_id > 0
        assert driver.num_results > 0
        assert driver.scheduler.metric_names() == self._metric_names()
        assert driver.scheduler.metric_mode() == self._mode_arg(mode)
        assert driver.scheduler.is_multiobjective_scheduler() == (len(self._metric_names()) > 1)

    def test_same_seed_same_decisions(self):
        a = self._driver(seed=123).run(self.num_results // 2)
        b = self._driver(seed=123).run(self.num_results // 2)
        assert a.log == b.log

    @pytest.mark.parametrize("after", [1, 25, 80])
    def test_pickled_mid_run_continues_with_identical_decisions(self, after):
        driver = self._driver(seed=7).run(after)
        copy = pickle.loads(pickle.dumps(driver, protocol=pickle.HIGHEST_PROTOCOL))
        start = len(driver.log)
        driver.run(after + 120)
        copy.run(after + 120)
        assert copy.log[start:] == driver.log[start:]
        assert len(driver.log) > start

    def test_lifecycle_calls_do_not_crash(self):
        scheduler = self._make()
        result = self._result(1.0, self.max_epochs, self._some_config())
        # trials the scheduler never suggested
        scheduler.on_trial_complete(self._trial(100, self._some_config()), result)
        scheduler.on_trial_error(self._trial(101, self._some_config()))
        scheduler.on_trial_remove(self._trial(102, self._some_config()))
        # suggested and running trials
        for trial_id, method in enumerate(["complete", "error", "remove"]):
            suggestion = scheduler.suggest(trial_id)
            assert suggestion is not None
            trial = self._trial(trial_id, suggestion.config)
            scheduler.on_trial_add(trial)
            early = self._result(1.0 + trial_id, 1, trial.config)
            assert scheduler.on_trial_result(trial, early) in SchedulerDecision.ALL
            if method == "complete":
                scheduler.on_trial_complete(trial, early)
            elif method == "error":
                scheduler.on_trial_error(trial)
            else:
                scheduler.on_trial_remove(trial)
        assert scheduler.suggest(3) is not None

    def test_metadata_is_json_serializable(self):
        scheduler = self._make("max")
        meta = json.loads(json.dumps(scheduler.metadata()))
        assert meta["metric_names"] == self._metric_names()
        assert meta["metric_mode"] == self._mode_arg("max")
        json.dumps(scheduler.metric_names())
        json.dumps(scheduler.metric_mode())

    def test_result_without_the_metric_raises_naming_it(self):
        scheduler = self._make()
        suggestion = scheduler.suggest(0)
        trial = self._trial(0, suggestion.config)
        scheduler.on_trial_add(trial)
        with pytest.raises(ValueError, match=f"'{self.metric}'"):
            scheduler.on_trial_result(trial, {"accuracy": 0.5, "epoch": 1, "cost": 1.0})

    def test_bad_mode_raises(self):
        with pytest.raises(ValueError, match="mode"):
            self.make_scheduler(self.config_space, self._metric_arg(), self._mode_arg("maximize"), 0)

    def _metric_names(self) -> list[str]:
        metric = self._metric_arg()
        return list(metric) if isinstance(metric, (list, tuple)) else [metric]


class MultiObjectiveSchedulerContract(SchedulerContract):
    """The contract for multi-objective schedulers: :meth:`make_scheduler`
    gets ``metric = [SchedulerContract.metric, second_metric]`` and ``mode =
    [mode, "min"]`` (lists), and every result reports both metrics (the second
    is :func:`model_size`, which conflicts with the first); the checks are
    those of :class:`SchedulerContract`, with ``metric_names() ==
    metric``, ``metric_mode() == mode`` and ``is_multiobjective_scheduler()``."""

    #: Name of the second reported metric.
    second_metric = "size"

    def make_scheduler(
        self, config_space: dict, metric: list[str], mode: list[str], random_seed: int
    ) -> TrialScheduler:
        """The scheduler under test, for this space, these metrics and modes, and seed."""
        raise NotImplementedError

    def _metric_arg(self):
        return [self.metric, self.second_metric]

    def _mode_arg(self, mode: str):
        return [mode, "min"]

    def _extra_metrics(self) -> dict:
        return {self.second_metric: model_size}
