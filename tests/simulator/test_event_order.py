"""The simulator's event order against schedules computed by hand.

Three workers, trials of staggered lengths, one trial paused and resumed
later. The blackbox: trial with config ``{"d": d, "epochs": n}`` reports
epochs ``1..n`` (capped by ``max_resource_attr="epochs"``), epoch ``k`` after
``k * d`` seconds of training; ``loss = d / k``.

Trials: T0 (d=10, 3 epochs), T1 (d=7, 4), T2 (d=4, 4), T3 (d=5, 2).
T0, T1, T2 start at time 0 on the three workers. T2 is paused on its
epoch-2 result; T3 takes its worker. When T3 completes, T2 is resumed and
continues with epoch 3, paying only the remaining 4 seconds per epoch.
"""

from __future__ import annotations

import numpy as np
import pytest

from syne_tune import StoppingCriterion, Tuner
from syne_tune.backend.simulator_backend import SimulatorCallback, SimulatorConfig
from syne_tune.trial import Status
from syne_tune.blackbox_repository import UserBlackboxBackend, from_function
from syne_tune.config_space import randint
from syne_tune.optimizer.scheduler import SchedulerDecision, TrialScheduler, TrialSuggestion

NUM_EPOCHS = 4
CONFIGS = [
    {"d": 10, "epochs": 3},
    {"d": 7, "epochs": 4},
    {"d": 4, "epochs": 4},
    {"d": 5, "epochs": 2},
]
CONFIG_SPACE = {"d": randint(1, 100), "epochs": randint(1, NUM_EPOCHS)}


def _curve(config, fidelity, seed):
    epochs = np.arange(1, NUM_EPOCHS + 1, dtype=float)
    d = float(config["d"])
    return np.stack([d / epochs, d * epochs], axis=1)


def make_backend(**kwargs):
    blackbox = from_function(
        configuration_space={"d": randint(1, 100)},
        eval_fun=_curve,
        fidelity_space={"epoch": randint(1, NUM_EPOCHS)},
        objectives_names=["loss", "time"],
    )
    return UserBlackboxBackend(
        blackbox, elapsed_time_attr="time", max_resource_attr="epochs", add_real_time=False, **kwargs
    )


ZERO_DELAYS = SimulatorConfig(0.0, 0.0, 0.0, 0.0, 0.0)
DELAYS = SimulatorConfig(
    delay_on_trial_result=0.5,
    delay_complete_after_final_report=1.0,
    delay_complete_after_stop=2.0,
    delay_start=1.0,
    delay_stop=0.5,
)

# (time seen by the tuner, trial, epoch, st_worker_timestamp, reported time)
# or (time seen by the tuner, trial, "completed")
EXPECTED_ZERO_DELAYS = [
    (4, 2, 1, 4, 4),
    (7, 1, 1, 7, 7),
    (8, 2, 2, 8, 8),  # T2 paused, T3 starts at 8
    (10, 0, 1, 10, 10),
    (13, 3, 1, 13, 5),
    (14, 1, 2, 14, 14),
    (18, 3, 2, 18, 10),
    (18, 3, "completed"),  # T2 resumed at 18
    (20, 0, 2, 20, 20),
    (21, 1, 3, 21, 21),
    (22, 2, 3, 22, 4),  # epoch 3 of T2: 4 seconds after its resume
    (26, 2, 4, 26, 8),
    (26, 2, "completed"),
    (28, 1, 4, 28, 28),
    (28, 1, "completed"),
    (30, 0, 3, 30, 30),
    (30, 0, "completed"),
]

# Runs start 1.0 after being started (delay_start); results are seen 0.5
# after being reported, completions 1.0 after the final report. T2 is paused
# at 9.5: its worker is free at 9.5 + 0.5 + 2.0 = 12.0, so T3 (started at 9.5)
# trains from 13.0. T3 completes at 23 + 1 = 24; T2 is resumed then and trains
# from 25.0. At 29.5 T1's epoch 4 and T2's epoch 3 are seen together, T1's
# first (its event was queued first).
EXPECTED_DELAYS = [
    (5.5, 2, 1, 5.0, 4),
    (8.5, 1, 1, 8.0, 7),
    (9.5, 2, 2, 9.0, 8),
    (11.5, 0, 1, 11.0, 10),
    (15.5, 1, 2, 15.0, 14),
    (18.5, 3, 1, 18.0, 5),
    (21.5, 0, 2, 21.0, 20),
    (22.5, 1, 3, 22.0, 21),
    (23.5, 3, 2, 23.0, 10),
    (24.0, 3, "completed"),
    (29.5, 1, 4, 29.0, 28),
    (29.5, 2, 3, 29.0, 4),
    (30.0, 1, "completed"),
    (31.5, 0, 3, 31.0, 30),
    (32.0, 0, "completed"),
    (33.5, 2, 4, 33.0, 8),
    (34.0, 2, "completed"),
]


def drive(backend):
    """A minimal tuner loop over the backend API with the policy described
    in the module docstring. Returns the log of what the tuner saw."""
    tk = backend.time_keeper
    tk.start_of_time()
    log = []
    running = set()
    to_start = list(CONFIGS)
    to_resume = []
    for _ in range(3):
        running.add(backend.start_trial(to_start.pop(0)).trial_id)
    while running:
        statuses, results = backend.fetch_status_results(sorted(running))
        now = tk.time()
        progress = bool(results)
        decided = set()
        for trial_id, result in results:
            if trial_id in decided:
                continue
            log.append((now, trial_id, result["epoch"], result["st_worker_timestamp"], result["time"]))
            if trial_id == 2 and result["epoch"] == 2 and not to_resume and backend.trial_status(2) != Status.paused:
                backend.pause_trial(2, result)
                running.discard(2)
                decided.add(2)
        for trial_id, (trial, status) in statuses.items():
            if trial_id in decided or trial_id not in running:
                continue
            if status == Status.completed:
                progress = True
                log.append((now, trial_id, "completed"))
                running.discard(trial_id)
                if trial_id == 3:
                    to_resume.append(2)
        while len(running) < 3 and (to_start or to_resume):
            progress = True
            if to_resume:
                running.add(backend.resume_trial(to_resume.pop(0)).trial_id)
            else:
                running.add(backend.start_trial(to_start.pop(0)).trial_id)
        if not progress:
            assert backend.advance_to_next_event(), "trials running but no event pending"
    return log


@pytest.mark.parametrize(
    "simulator_config, expected",
    [(ZERO_DELAYS, EXPECTED_ZERO_DELAYS), (DELAYS, EXPECTED_DELAYS)],
    ids=["no-delays", "delays"],
)
def test_backend_event_order_matches_hand_computed_schedule(simulator_config, expected):
    backend = make_backend(simulator_config=simulator_config)
    log = drive(backend)
    assert log == expected
    assert backend.busy_trial_ids() == []
    assert [backend.trial_status(i) for i in range(4)] == [Status.completed] * 4


class ScriptedScheduler(TrialScheduler):
    """Starts CONFIGS in order, pauses T2 at epoch 2, resumes it when T3 completes."""

    def __init__(self):
        super().__init__(CONFIG_SPACE)
        self.to_start = list(CONFIGS)
        self.to_resume = []
        self.paused = False

    def _suggest(self, trial_id):
        if self.to_resume:
            return TrialSuggestion.resume_suggestion(self.to_resume.pop(0))
        if self.to_start:
            return TrialSuggestion.start_suggestion(self.to_start.pop(0))
        return None

    def on_trial_result(self, trial, result):
        if trial.trial_id == 2 and result["epoch"] == 2 and not self.paused:
            self.paused = True
            return SchedulerDecision.PAUSE
        return SchedulerDecision.CONTINUE

    def on_trial_complete(self, trial, result):
        if trial.trial_id == 3:
            self.to_resume.append(2)

    def metric_names(self):
        return ["loss"]

    def metric_mode(self):
        return "min"


def run_tuner(simulator_config, add_real_time=False):
    backend = UserBlackboxBackend(
        make_backend().blackbox,
        elapsed_time_attr="time",
        max_resource_attr="epochs",
        add_real_time=add_real_time,
        simulator_config=simulator_config,
    )
    tuner = Tuner(
        trial_backend=backend,
        scheduler=ScriptedScheduler(),
        stop_criterion=StoppingCriterion(max_wallclock_time=1000),
        n_workers=3,
        sleep_time=0,
        callbacks=[SimulatorCallback()],
        save_tuner=False,
    )
    tuner.run()
    return tuner


@pytest.mark.parametrize(
    "simulator_config, expected",
    [(ZERO_DELAYS, EXPECTED_ZERO_DELAYS), (DELAYS, EXPECTED_DELAYS)],
    ids=["no-delays", "delays"],
)
def test_tuner_sees_hand_computed_schedule(simulator_config, expected):
    tuner = run_tuner(simulator_config)
    df = tuner.results_dataframe()
    got = list(
        zip(
            df["st_tuner_time"].tolist(),
            df["trial_id"].tolist(),
            df["epoch"].tolist(),
            df["st_worker_timestamp"].tolist(),
            df["time"].tolist(),
        )
    )
    assert got == [row for row in expected if row[2] != "completed"]
    status = tuner.tuning_status
    assert status.num_trials_started == 4
    assert status.num_trials_completed == 4


def test_tuner_schedule_with_real_time_added_keeps_order():
    """With the tuner's real time added, times shift by (much) less than a
    second but the order of events stays the same."""
    tuner = run_tuner(DELAYS, add_real_time=True)
    df = tuner.results_dataframe()
    expected = [row for row in EXPECTED_DELAYS if row[2] != "completed"]
    assert list(zip(df["trial_id"], df["epoch"])) == [(r[1], r[2]) for r in expected]
    assert np.allclose(df["st_tuner_time"], [r[0] for r in expected], atol=0.4)
    assert np.allclose(df["time"], [r[4] for r in expected])


class SlowScheduler(ScriptedScheduler):
    """Takes 30 ms of real time to decide on each result."""

    def on_trial_result(self, trial, result):
        import time

        time.sleep(0.03)
        return SchedulerDecision.CONTINUE


@pytest.mark.parametrize("scale", [100.0, 0.001], ids=["idle-tuner", "busy-tuner"])
def test_real_time_of_decisions_is_charged_once(scale):
    """The scheduler's real decision time moves simulated time forward, at
    the time it is spent: with events far apart (idle tuner) results are
    seen on time; with events closer than the decision time (busy tuner),
    the tuner falls behind by the decision times."""
    blackbox = from_function(
        configuration_space={"d": randint(1, 100)},
        eval_fun=lambda c, f, s: _curve(c, f, s) * np.array([1.0, scale]),
        fidelity_space={"epoch": randint(1, NUM_EPOCHS)},
        objectives_names=["loss", "time"],
    )
    backend = UserBlackboxBackend(
        blackbox, elapsed_time_attr="time", max_resource_attr="epochs", simulator_config=ZERO_DELAYS
    )
    scheduler = SlowScheduler()
    scheduler.to_start = [{"d": 10, "epochs": 4}]
    tuner = Tuner(
        trial_backend=backend,
        scheduler=scheduler,
        stop_criterion=StoppingCriterion(max_wallclock_time=1e6),
        n_workers=1,
        sleep_time=0,
        callbacks=[SimulatorCallback()],
        save_tuner=False,
    )
    tuner.run()
    df = tuner.results_dataframe()
    lag = (df["st_tuner_time"] - df["st_worker_timestamp"]).to_numpy()
    assert len(df) == 4
    if scale > 1:
        assert (lag < 0.025).all()  # decisions fit between events: no lag
    else:
        # epochs 2-4 are reported while the tuner decides on epoch 1; all
        # four decisions are charged
        times = df["st_tuner_time"].to_numpy()
        assert times[1] >= times[0] + 0.03 and times[1] == times[3]
        assert tuner.time_keeper.time() >= 0.01 + 4 * 0.03
