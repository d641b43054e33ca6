"""The Tuner on simulated time."""

from __future__ import annotations

import time

import pandas as pd
import pytest

from syne_tune import StoppingCriterion, Tuner
from syne_tune.backend.simulator_backend import SimulatorBackend, SimulatorCallback
from syne_tune.blackbox_repository import UserBlackboxBackend
from syne_tune.optimizer.baselines import RandomSearch
from sim_blackboxes import NUM_EPOCHS

METRIC = "error"


def make_tuner(tabular, max_wallclock_time=6 * 3600.0, seed=0, add_real_time=True, sleep_time=0, callbacks=None, **kw):
    config_space = dict(tabular.configuration_space, epochs=NUM_EPOCHS)
    backend = UserBlackboxBackend(
        tabular, elapsed_time_attr="elapsed", max_resource_attr="epochs", seed=seed % 2, add_real_time=add_real_time
    )
    scheduler = RandomSearch(config_space, metric=METRIC, random_seed=seed)
    return Tuner(
        trial_backend=backend,
        scheduler=scheduler,
        stop_criterion=StoppingCriterion(max_wallclock_time=max_wallclock_time),
        n_workers=4,
        sleep_time=sleep_time,
        callbacks=[SimulatorCallback()] if callbacks is None else callbacks,
        save_tuner=kw.pop("save_tuner", False),
        **kw,
    )


def test_six_simulated_hours_in_seconds(tabular):
    tuner = make_tuner(tabular)
    t0 = time.perf_counter()
    tuner.run()
    wall = time.perf_counter() - t0
    status = tuner.tuning_status
    df = tuner.results_dataframe()
    assert wall < 20.0
    # ~105 s per epoch on average, 20 epochs, 4 workers, 6 hours: ~820 results
    assert 40 <= status.num_trials_started <= 60
    assert len(df) == status.overall_metric_statistics.count > 700
    # stop criterion on simulated time: no result after 6 hours
    assert df["st_tuner_time"].max() < 6 * 3600
    assert 6 * 3600 <= tuner.time_keeper.time() < 6 * 3600 + 300
    assert status.wallclock_time >= 6 * 3600
    # time is simulated: results are spread over the 6 hours
    assert df["st_worker_timestamp"].min() < 200
    assert (df["st_tuner_time"] >= df["st_worker_timestamp"]).all()
    assert df["st_tuner_time"].is_monotonic_increasing


def test_runs_are_deterministic_given_seeds(tabular):
    frames = []
    for _ in range(2):
        tuner = make_tuner(tabular, max_wallclock_time=3 * 3600.0, seed=3, add_real_time=False)
        tuner.run()
        frames.append(tuner.results_dataframe())
    pd.testing.assert_frame_equal(frames[0], frames[1])
    assert len(frames[0]) > 300
    # another seed gives another run
    tuner = make_tuner(tabular, max_wallclock_time=3 * 3600.0, seed=4, add_real_time=False)
    tuner.run()
    other = tuner.results_dataframe()
    assert not other[["trial_id", "error"]].head(50).equals(frames[0][["trial_id", "error"]].head(50))


def test_real_time_added_keeps_the_sequence(tabular):
    """With the tuner's real time added to simulated time, the same seeds give
    the same sequence of trials and results (times differ by the real time
    spent deciding)."""
    a = make_tuner(tabular, max_wallclock_time=3600.0, seed=5, add_real_time=False)
    a.run()
    b = make_tuner(tabular, max_wallclock_time=3600.0, seed=5, add_real_time=True)
    b.run()
    da, db = a.results_dataframe(), b.results_dataframe()
    n = min(len(da), len(db)) - 10
    cols = ["trial_id", "epoch", "error"]
    pd.testing.assert_frame_equal(da[cols].head(n), db[cols].head(n))
    assert (db["st_tuner_time"].head(n).to_numpy() >= da["st_tuner_time"].head(n).to_numpy()).all()


def test_sleep_time_does_not_delay_a_simulated_tuner(tabular):
    """The backend moves its clock to the next event whenever the tuner
    waits, whatever sleep_time: results are seen as soon as they are due."""
    frames = []
    for sleep_time in (0.0, 5.0):
        tuner = make_tuner(tabular, max_wallclock_time=1800.0, seed=1, add_real_time=False, sleep_time=sleep_time)
        tuner.run()
        frames.append(tuner.results_dataframe())
    pd.testing.assert_frame_equal(frames[0], frames[1])
    lag = frames[1]["st_tuner_time"] - frames[1]["st_worker_timestamp"]
    assert len(frames[1]) > 50
    assert lag.max() == pytest.approx(0.05)  # delay_on_trial_result only


def test_tuner_without_simulator_callback_runs_on_simulated_time(tabular):
    """The backend owns the clock: no callback is needed for simulated time."""
    tuner = make_tuner(tabular, callbacks=[], max_wallclock_time=3600.0, seed=2, add_real_time=False)
    tuner.run()
    reference = make_tuner(tabular, max_wallclock_time=3600.0, seed=2, add_real_time=False)
    reference.run()
    pd.testing.assert_frame_equal(tuner.results_dataframe(), reference.results_dataframe())
    assert tuner.tuning_status.wallclock_time >= 3600.0
    assert tuner.time_keeper is tuner.trial_backend.time_keeper


def test_unknown_metric_is_rejected_before_any_trial(tabular):
    config_space = dict(tabular.configuration_space, epochs=NUM_EPOCHS)
    backend = UserBlackboxBackend(tabular, elapsed_time_attr="elapsed", max_resource_attr="epochs", seed=0)
    tuner = Tuner(
        trial_backend=backend,
        scheduler=RandomSearch(config_space, metric="accuracy", random_seed=0),
        stop_criterion=StoppingCriterion(max_wallclock_time=3600),
        n_workers=2,
        sleep_time=0,
        callbacks=[SimulatorCallback()],
        save_tuner=False,
    )
    with pytest.raises(ValueError, match="accuracy"):
        tuner.run()
    assert backend.trial_ids == []


def test_simulator_callback_needs_simulator_backend(tmp_path, tabular):
    from syne_tune.backend import LocalBackend

    script = tmp_path / "train.py"
    script.write_text("print('hello')\n")
    tuner = Tuner(
        trial_backend=LocalBackend(entry_point=str(script)),
        scheduler=RandomSearch(dict(tabular.configuration_space), metric=METRIC, random_seed=0),
        stop_criterion=StoppingCriterion(max_wallclock_time=10),
        n_workers=1,
        sleep_time=0,
        callbacks=[SimulatorCallback()],
        save_tuner=False,
    )
    with pytest.raises(TypeError, match="simulator backend"):
        tuner.run()


def test_saved_tuner_resumes_on_simulated_time(tabular):
    tuner = make_tuner(tabular, max_wallclock_time=1800.0, seed=2, add_real_time=False, save_tuner=True)
    tuner.run()
    n1 = tuner.tuning_status.overall_metric_statistics.count
    loaded = Tuner.load(tuner.tuner_path)
    assert isinstance(loaded.trial_backend, SimulatorBackend)
    loaded.stop_criterion = StoppingCriterion(max_wallclock_time=3600.0)
    loaded.run()
    df = loaded.results_dataframe()
    assert loaded.tuning_status.overall_metric_statistics.count > n1
    assert df["st_tuner_time"].max() > 1800.0
    assert df["st_tuner_time"].is_monotonic_increasing


def test_resumed_trial_at_end_of_curve_completes():
    """nmt-style curve of 2 real epochs (NaN after): paused at epoch 2 by a
    promotion-type decision and resumed with a higher cap, the trial has
    nothing left to report and completes at once, with the result it was
    paused on as its final one."""
    import numpy as np

    from syne_tune.blackbox_repository import from_function
    from syne_tune.config_space import randint
    from syne_tune.optimizer.scheduler import SchedulerDecision, TrialScheduler, TrialSuggestion

    def curve(config, fidelity, seed):
        return np.array([[1.0, 10.0], [0.5, 20.0], [np.nan, np.nan], [np.nan, np.nan]])

    blackbox = from_function(
        {"d": randint(1, 9)}, curve, fidelity_space={"epoch": randint(1, 4)}, objectives_names=["loss", "time"]
    )

    class PromoteOnce(TrialScheduler):
        def __init__(self):
            super().__init__({"d": randint(1, 9), "epochs": randint(1, 4)})
            self.started = False
            self.to_resume = []

        def _suggest(self, trial_id):
            if self.to_resume:
                return TrialSuggestion.resume_suggestion(self.to_resume.pop(), {"d": 1, "epochs": 4})
            if not self.started:
                self.started = True
                return TrialSuggestion.start_suggestion({"d": 1, "epochs": 2})
            return None

        def on_trial_result(self, trial, result):
            if result["epoch"] == 2 and trial.config["epochs"] == 2:
                self.to_resume.append(trial.trial_id)
                return SchedulerDecision.PAUSE
            return SchedulerDecision.CONTINUE

        def metric_names(self):
            return ["loss"]

        def metric_mode(self):
            return "min"

    tuner = Tuner(
        trial_backend=UserBlackboxBackend(blackbox, "time", max_resource_attr="epochs", add_real_time=False),
        scheduler=PromoteOnce(),
        stop_criterion=StoppingCriterion(max_wallclock_time=1000),
        n_workers=1,
        sleep_time=0,
        callbacks=[SimulatorCallback()],
        save_tuner=False,
    )
    tuner.run()
    assert tuner.tuning_status.num_trials_completed == 1
    assert tuner.tuning_status.num_trials_failed == 0


@pytest.mark.parametrize("write_csv_zip", [False, True])
def test_results_files(tabular, write_csv_zip):
    from syne_tune.experiments import load_experiment

    tuner = make_tuner(tabular, max_wallclock_time=1800.0, callbacks=[SimulatorCallback(write_csv_zip=write_csv_zip)])
    tuner.run()
    assert (tuner.tuner_path / "results.csv.zip").exists() == write_csv_zip
    df = load_experiment(tuner.tuner_path).results
    assert len(df) == tuner.tuning_status.overall_metric_statistics.count > 0
