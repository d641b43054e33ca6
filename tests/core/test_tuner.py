"""Tuner loop behaviour, on a small in-process backend."""

import logging

import pytest

from inprocess_backend import InProcessBackend
from syne_tune import StoppingCriterion, Tuner
from syne_tune.config_space import choice, randint, uniform
from syne_tune.experiments import load_experiment
from syne_tune.optimizer.baselines import GridSearch, RandomSearch
from syne_tune.optimizer.scheduler import SchedulerDecision
from syne_tune.optimizer.schedulers.fifo import FIFOScheduler
from syne_tune.optimizer.schedulers.hyperband import HyperbandScheduler
from syne_tune.tuner_callback import TunerCallback

CONFIG_SPACE = {"x": uniform(-2, 2), "n": randint(1, 5), "act": choice(["a", "b"]), "epochs": 5}


def objective(config, epoch):
    return (config["x"] - 0.5) ** 2 + config["n"] / epoch


def make_tuner(stop, n_workers=3, scheduler=None, backend=None, **kwargs):
    scheduler = scheduler or RandomSearch(CONFIG_SPACE, metric="loss", random_seed=3)
    backend = backend or InProcessBackend(objective)
    return Tuner(backend, scheduler, stop, n_workers=n_workers, sleep_time=0, tuner_name="test", **kwargs)


@pytest.mark.parametrize(
    "stop, check",
    [
        (StoppingCriterion(max_num_trials_completed=7), lambda s: s.num_trials_completed >= 7),
        (StoppingCriterion(max_num_evaluations=13), lambda s: s.overall_metric_statistics.count >= 13),
        (StoppingCriterion(max_num_trials_started=4), lambda s: s.num_trials_started == 4),
        (StoppingCriterion(max_num_trials_finished=5), lambda s: s.num_trials_finished >= 5),
        (StoppingCriterion(min_metric_value={"loss": 0.6}), lambda s: s.overall_metric_statistics.min_metrics["loss"] < 0.6),
    ],
)
def test_stopping_criteria(stop, check):
    tuner = make_tuner(stop)
    tuner.run()
    assert check(tuner.tuning_status)
    assert tuner.tuning_status.num_trials_running == 0


def test_results_stored_and_loaded():
    tuner = make_tuner(StoppingCriterion(max_num_trials_completed=6))
    tuner.run()
    exp = load_experiment(tuner.tuner_path)
    df = exp.results
    assert len(df) == tuner.tuning_status.overall_metric_statistics.count
    for col in ["trial_id", "loss", "epoch", "st_decision", "st_status", "st_tuner_time", "config_x", "config_act", "config_epochs"]:
        assert col in df.columns
    best = exp.best_config()
    assert best["loss"] == pytest.approx(df["loss"].min())
    trial_id, config = tuner.best_config()
    assert trial_id == best["trial_id"] and config["x"] == best["config_x"]
    assert exp.metadata["metric_names"] == ["loss"] and exp.metadata["scheduler_name"] == "RandomSearch"
    assert (tuner.tuner_path / "results.csv.zip").exists()


def test_plot_writes_file(tmp_path):
    pytest.importorskip("matplotlib")
    tuner = make_tuner(StoppingCriterion(max_num_trials_completed=4))
    tuner.run()
    out = tmp_path / "plot.png"
    load_experiment(tuner.tuner_path).plot(figure_path=str(out))
    assert out.stat().st_size > 1000


def test_failing_trials_below_max_failures_go_on():
    backend = InProcessBackend(objective, fail_if=lambda c: c["act"] == "b" and c["n"] == 5)
    tuner = make_tuner(StoppingCriterion(max_num_trials_completed=8), backend=backend, max_failures=100)
    tuner.run()
    assert tuner.tuning_status.num_trials_completed >= 8


def test_too_many_failures_raise_with_stderr_tail():
    backend = InProcessBackend(objective, fail_if=lambda c: True)
    tuner = make_tuner(StoppingCriterion(max_num_trials_completed=8), backend=backend, max_failures=2)
    with pytest.raises(ValueError, match="boom"):
        tuner.run()
    assert tuner.tuning_status.num_trials_failed == 3


def test_unknown_metric_fails_with_clear_error():
    scheduler = RandomSearch(CONFIG_SPACE, metric="accuracy", random_seed=0)
    tuner = make_tuner(StoppingCriterion(max_num_trials_completed=3), scheduler=scheduler)
    with pytest.raises(ValueError, match="accuracy"):
        tuner.run()


def test_grid_search_exhaustion_ends_tuning(caplog):
    cs = {"a": choice([1, 2, 3]), "b": choice(["u", "v"]), "epochs": 2}
    scheduler = GridSearch(cs, metric="loss", random_seed=0)
    backend = InProcessBackend(lambda c, e: c["a"] / e, max_epochs=2)
    tuner = make_tuner(StoppingCriterion(max_num_trials_completed=100), scheduler=scheduler, backend=backend)
    with caplog.at_level(logging.WARNING, logger="syne_tune.tuner"):
        tuner.run()
    df = load_experiment(tuner.tuner_path).results
    configs = {(r.config_a, r.config_b) for r in df.itertuples()}
    assert len(configs) == 6 and tuner.tuning_status.num_trials_started == 6
    (warning,) = [r.message for r in caplog.records if "stop criterion is met" in r.message]
    assert "restrict_configurations" in warning and "promotion" not in warning  # no trial was stopped


def test_exhaustion_with_stopped_trials_suggests_promotion(caplog):
    cs = {"a": choice([1, 2, 3, 4, 5, 6]), "epochs": 4}
    scheduler = HyperbandScheduler(
        cs, searcher="grid", metric="loss", mode="min", resource_attr="epoch", max_t=4, grace_period=1, reduction_factor=2
    )
    backend = InProcessBackend(lambda c, e: c["a"] / e, max_epochs=4)
    tuner = make_tuner(StoppingCriterion(max_num_trials_completed=100), scheduler=scheduler, backend=backend, n_workers=1)
    with caplog.at_level(logging.WARNING, logger="syne_tune.tuner"):
        tuner.run()
    stopped = tuner.tuning_status.num_trials_stopped
    assert stopped > 0 and tuner.tuning_status.num_trials_started == 6
    (warning,) = [r.message for r in caplog.records if "stop criterion is met" in r.message]
    assert f"{stopped} of the 6 trials were stopped early" in warning and "type='promotion'" in warning


class RecordingCallback(TunerCallback):
    def __init__(self):
        self.events = []

    def on_tuning_start(self, tuner):
        self.events.append("start")

    def on_tuning_end(self):
        self.events.append("end")

    def on_start_trial(self, trial):
        self.events.append(("trial", trial.trial_id))

    def on_trial_result(self, trial, status, result, decision):
        self.events.append(("result", trial.trial_id, decision))

    def on_trial_complete(self, trial, result):
        self.events.append(("complete", trial.trial_id))

    def on_loop_start(self):
        self.events.append("loop")


def test_callback_hooks_are_called():
    cb = RecordingCallback()
    tuner = make_tuner(StoppingCriterion(max_num_trials_completed=2), n_workers=1, callbacks=[cb])
    tuner.run()
    assert cb.events[0] == "start" and cb.events[-1] == "end"
    assert ("trial", 0) in cb.events and ("complete", 0) in cb.events
    assert sum(1 for e in cb.events if isinstance(e, tuple) and e[0] == "result" and e[1] == 0) == 5
    assert "loop" in cb.events


class StopOddTrials(FIFOScheduler):
    def on_trial_result(self, trial, result):
        super().on_trial_result(trial, result)
        if trial.trial_id % 2 == 1 and result["epoch"] >= 2:
            return SchedulerDecision.STOP
        return SchedulerDecision.CONTINUE


def test_stop_decisions_stop_trials_and_hide_later_results():
    scheduler = StopOddTrials(CONFIG_SPACE, metric="loss", random_seed=0)
    tuner = make_tuner(StoppingCriterion(max_num_trials_completed=4), scheduler=scheduler)
    tuner.run()
    df = load_experiment(tuner.tuner_path).results
    odd = df[df.trial_id % 2 == 1]
    assert odd.groupby("trial_id").epoch.max().max() == 2
    assert set(odd[odd.epoch == 2].st_decision) == {"STOP"}


def test_synchronous_scheduling_starts_batches():
    cb = RecordingCallback()
    tuner = make_tuner(StoppingCriterion(max_num_trials_completed=6), n_workers=3, asynchronous_scheduling=False, callbacks=[cb])
    tuner.run()
    starts = [i for i, e in enumerate(cb.events) if isinstance(e, tuple) and e[0] == "trial"]
    # trials 0-2 start together, 3-5 only after all of 0-2 completed
    completes = [i for i, e in enumerate(cb.events) if isinstance(e, tuple) and e[0] == "complete" and e[1] < 3]
    assert max(completes) < starts[3]


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(n_workers=0), "n_workers"),
        (dict(n_workers=2.5), "n_workers"),
        (dict(n_workers=1, sleep_time=-1), "sleep_time"),
        (dict(n_workers=1, tuner_name="bad name!"), "tuner_name"),
        (dict(n_workers=1, max_failures=-1), "max_failures"),
    ],
)
def test_bad_tuner_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Tuner(InProcessBackend(objective), RandomSearch(CONFIG_SPACE, metric="loss"), StoppingCriterion(max_num_trials_completed=1), **kwargs)


def test_bad_stopping_criterion():
    with pytest.raises(ValueError, match="max_num_trials_completed"):
        StoppingCriterion(max_num_trials_completed=-3)
    with pytest.raises(ValueError, match="max_wallclock_time"):
        StoppingCriterion(max_wallclock_time="soon")


def picklable_objective(config, epoch):
    return (config["x"] - 0.5) ** 2 + 1.0 / epoch


def test_save_load_resume_keeps_results():
    backend = InProcessBackend(picklable_objective)
    tuner = make_tuner(StoppingCriterion(max_num_trials_completed=4), backend=backend)
    tuner.run()
    n_before = len(load_experiment(tuner.tuner_path).results)
    resumed = Tuner.load(tuner.tuner_path)
    resumed.stop_criterion = StoppingCriterion(max_num_trials_completed=8)
    resumed.run()
    df = load_experiment(tuner.tuner_path).results
    assert len(df) > n_before
    assert resumed.tuning_status.num_trials_completed >= 8
    # no (trial, epoch) result stored twice
    assert not df.duplicated(subset=["trial_id", "epoch"]).any()


def test_status_line_printed(caplog):
    caplog.set_level(logging.INFO, logger="syne_tune.tuner")
    tuner = make_tuner(StoppingCriterion(max_num_trials_completed=3), print_update_interval=0)
    tuner.run()
    assert any("best loss=" in r.message for r in caplog.records)
