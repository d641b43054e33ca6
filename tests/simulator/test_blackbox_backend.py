"""Blackbox simulator backends through the TrialBackend API."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pytest

from syne_tune.backend.simulator_backend import SimulatorConfig
from syne_tune.trial import Status
from syne_tune.blackbox_repository import UserBlackboxBackend, from_function
from syne_tune.config_space import randint, uniform
from sim_blackboxes import NUM_EPOCHS, make_tabular

NO_DELAYS = SimulatorConfig(0.0, 0.0, 0.0, 0.0, 0.0)


def backend_for(blackbox, **kwargs):
    kwargs.setdefault("simulator_config", NO_DELAYS)
    kwargs.setdefault("add_real_time", False)
    kwargs.setdefault("seed", 0)
    backend = UserBlackboxBackend(blackbox, elapsed_time_attr="elapsed", max_resource_attr="epochs", **kwargs)
    backend.time_keeper.start_of_time()
    return backend


def run_until_idle(backend, trial_ids):
    """Fetch and jump from event to event until the trials are done; returns
    all results and the final statuses."""
    results = []
    running = set(trial_ids)
    statuses = {}
    while running:
        statuses, new = backend.fetch_status_results(sorted(running))
        results.extend(new)
        for tid, (_, status) in statuses.items():
            if status != Status.in_progress:
                running.discard(tid)
        if not new and running:
            assert backend.advance_to_next_event()
    return results, statuses


CONFIG = {"a": 1, "b": 2, "c": 3}


def test_results_follow_the_table(tabular):
    backend = backend_for(tabular)
    backend.start_trial(dict(CONFIG, epochs=NUM_EPOCHS))
    results, statuses = run_until_idle(backend, [0])
    curve = tabular.objective_function(CONFIG, seed=0)
    assert [r["epoch"] for _, r in results] == list(range(1, NUM_EPOCHS + 1))
    assert np.allclose([r["error"] for _, r in results], curve[:, 0])
    assert np.allclose([r["elapsed"] for _, r in results], curve[:, 1])
    assert np.allclose([r["st_worker_timestamp"] for _, r in results], curve[:, 1])
    assert statuses[0][1] == Status.completed
    assert backend.time_keeper.time() == pytest.approx(float(curve[-1, 1]))
    # once the tuner was shown the completion, nothing of the finished trial
    # is kept but its status and checkpoint
    statuses, new = backend.fetch_status_results([0])
    assert backend._runs == {} and backend._queue.next_time() is None
    assert backend._trials == {} and backend._status == {}
    assert backend.trial_status(0) == Status.completed
    assert new == [] and statuses[0][1] == Status.completed and statuses[0][0].trial_id == 0
    with pytest.raises(ValueError, match="Unknown trial_id"):
        backend.trial_status(1)


def test_max_resource_attr_caps_the_trial(tabular):
    backend = backend_for(tabular)
    backend.start_trial(dict(CONFIG, epochs=5))
    results, statuses = run_until_idle(backend, [0])
    assert [r["epoch"] for _, r in results] == [1, 2, 3, 4, 5]
    assert statuses[0][1] == Status.completed
    with pytest.raises(ValueError, match="below the smallest fidelity"):
        backend.start_trial(dict(CONFIG, epochs=0))
    with pytest.raises(ValueError, match="must be a number"):
        backend.start_trial(dict(CONFIG, epochs="all"))


def test_pause_resume_pays_only_remaining_time(tabular):
    backend = backend_for(tabular)
    backend.start_trial(dict(CONFIG, epochs=NUM_EPOCHS))
    curve = tabular.objective_function(CONFIG, seed=0)
    seen = []
    while len(seen) < 3:
        _, new = backend.fetch_status_results([0])
        seen.extend(new)
        if not new:
            backend.advance_to_next_event()
    assert [r["epoch"] for _, r in seen] == [1, 2, 3]
    backend.pause_trial(0, seen[-1][1])
    assert backend.trial_status(0) == Status.paused
    assert backend.busy_trial_ids() == []
    assert backend.next_event_time() is None
    # an hour later (other trials running), the trial is resumed
    backend.time_keeper.advance(3600.0)
    t_resume = backend.time_keeper.time()
    backend.resume_trial(0)
    results, statuses = run_until_idle(backend, [0])
    assert [r["epoch"] for _, r in results] == list(range(4, NUM_EPOCHS + 1))
    # elapsed time is counted from the resume; timestamps pay only the rest
    assert np.allclose([r["elapsed"] for _, r in results], curve[3:, 1] - curve[2, 1])
    assert np.allclose([r["st_worker_timestamp"] for _, r in results], t_resume + curve[3:, 1] - curve[2, 1])
    assert statuses[0][1] == Status.completed


def test_pause_uses_the_result_passed(tabular):
    """Results after the decision are hidden: the trial resumes after the
    fidelity of the result the decision was taken on."""
    backend = backend_for(tabular)
    backend.start_trial(dict(CONFIG, epochs=NUM_EPOCHS))
    curve = tabular.objective_function(CONFIG, seed=0)
    backend.time_keeper.advance_to(float(curve[3, 1]))  # epochs 1..4 at once
    _, new = backend.fetch_status_results([0])
    assert [r["epoch"] for _, r in new] == [1, 2, 3, 4]
    backend.pause_trial(0, new[1][1])  # the tuner decided on epoch 2
    backend.resume_trial(0)
    results, _ = run_until_idle(backend, [0])
    assert [r["epoch"] for _, r in results] == list(range(3, NUM_EPOCHS + 1))


def test_undelivered_results_are_hidden_after_pause(tabular):
    backend = backend_for(tabular)
    backend.start_trial(dict(CONFIG, epochs=NUM_EPOCHS))
    curve = tabular.objective_function(CONFIG, seed=0)
    backend.time_keeper.advance_to(float(curve[0, 1]))
    _, new = backend.fetch_status_results([0])
    assert len(new) == 1
    # epochs 2, 3 are reported while the tuner is deciding on epoch 1
    backend.time_keeper.advance_to(float(curve[2, 1]))
    backend.pause_trial(0, new[0][1])
    _, new = backend.fetch_status_results([0])
    assert new == []
    backend.resume_trial(0)
    results, _ = run_until_idle(backend, [0])
    assert results[0][1]["epoch"] == 2


def test_pause_on_final_result_of_capped_trial_wins_over_completion(tabular):
    """Promotion-based schedulers cap a trial at a rung (max_resource_attr)
    and pause it there: the pause must win over the trial's completion, and
    a resume with a higher cap continues from the rung."""
    backend = backend_for(tabular)
    backend.start_trial(dict(CONFIG, epochs=3))
    curve = tabular.objective_function(CONFIG, seed=0)
    backend.time_keeper.advance_to(float(curve[2, 1]))
    statuses, new = backend.fetch_status_results([0])
    assert [r["epoch"] for _, r in new] == [1, 2, 3]
    assert statuses[0][1] == Status.in_progress  # completion shown only next time
    backend.pause_trial(0, new[-1][1])
    assert backend.trial_status(0) == Status.paused
    backend.resume_trial(0, dict(CONFIG, epochs=9))
    results, statuses = run_until_idle(backend, [0])
    assert [r["epoch"] for _, r in results] == list(range(4, 10))
    assert statuses[0][1] == Status.completed


def test_completion_is_shown_after_final_result(tabular):
    backend = backend_for(tabular)
    backend.start_trial(dict(CONFIG, epochs=2))
    curve = tabular.objective_function(CONFIG, seed=0)
    backend.time_keeper.advance_to(float(curve[1, 1]))
    statuses, new = backend.fetch_status_results([0])
    assert len(new) == 2 and statuses[0][1] == Status.in_progress
    statuses, new = backend.fetch_status_results([0])
    assert new == [] and statuses[0][1] == Status.completed
    with pytest.raises(ValueError, match="cannot be paused"):
        backend.pause_trial(0)
    with pytest.raises(ValueError, match="cannot be resumed"):
        backend.resume_trial(0)


def test_stop_frees_worker_after_delays(tabular):
    config = SimulatorConfig(
        delay_on_trial_result=0.0,
        delay_complete_after_final_report=0.0,
        delay_complete_after_stop=2.0,
        delay_start=1.0,
        delay_stop=0.5,
    )
    backend = backend_for(tabular, simulator_config=config)
    backend.start_trial(dict(CONFIG, epochs=NUM_EPOCHS))
    backend.advance_to_next_event()
    _, new = backend.fetch_status_results([0])
    t_stop = backend.time_keeper.time()
    assert new[0][1]["st_worker_timestamp"] == pytest.approx(t_stop)
    backend.stop_trial(0, new[0][1])
    assert backend.trial_status(0) == Status.stopped
    backend.start_trial(dict(CONFIG, epochs=1))
    results, _ = run_until_idle(backend, [1])
    curve = tabular.objective_function(CONFIG, seed=0)
    # worker free at t_stop + 0.5 + 2.0, training starts 1.0 later
    assert results[0][1]["st_worker_timestamp"] == pytest.approx(t_stop + 3.5 + curve[0, 1])
    with pytest.raises(ValueError, match="cannot be stopped"):
        backend.stop_trial(0)


def test_support_checkpointing_false_restarts(tabular):
    backend = backend_for(tabular, support_checkpointing=False)
    backend.start_trial(dict(CONFIG, epochs=NUM_EPOCHS))
    backend.advance_to_next_event()
    _, new = backend.fetch_status_results([0])
    backend.pause_trial(0, new[0][1])
    backend.resume_trial(0)
    results, _ = run_until_idle(backend, [0])
    assert [r["epoch"] for _, r in results] == list(range(1, NUM_EPOCHS + 1))


def test_checkpoint_trial_id_continues_from_source(tabular):
    backend = backend_for(tabular)
    backend.start_trial(dict(CONFIG, epochs=NUM_EPOCHS))
    for _ in range(4):
        backend.advance_to_next_event()
        _, new = backend.fetch_status_results([0])
    assert new[-1][1]["epoch"] == 4
    backend.pause_trial(0, new[-1][1])
    other = {"a": 4, "b": 4, "c": 4, "epochs": NUM_EPOCHS}
    backend.start_trial(other, checkpoint_trial_id=0)
    results, _ = run_until_idle(backend, [1])
    curve = tabular.objective_function({"a": 4, "b": 4, "c": 4}, seed=0)
    assert [r["epoch"] for _, r in results] == list(range(5, NUM_EPOCHS + 1))
    assert np.allclose([r["elapsed"] for _, r in results], curve[4:, 1] - curve[3, 1])
    with pytest.raises(ValueError, match="Unknown trial_id"):
        backend.start_trial(other, checkpoint_trial_id=17)


def test_nan_padded_curves():
    # row 0 = (1, 1, 1): curve of 5 epochs; row 1 = (1, 1, 2): all NaN
    blackbox = make_tabular(nan_lengths={0: 5, 1: 0})
    backend = backend_for(blackbox)
    backend.start_trial({"a": 1, "b": 1, "c": 1, "epochs": NUM_EPOCHS})
    results, statuses = run_until_idle(backend, [0])
    assert [r["epoch"] for _, r in results] == [1, 2, 3, 4, 5]
    assert all(not math.isnan(v) for _, r in results for v in r.values() if isinstance(v, float))
    assert statuses[0][1] == Status.completed
    backend.start_trial({"a": 1, "b": 1, "c": 2, "epochs": NUM_EPOCHS})
    results, statuses = run_until_idle(backend, [1])
    assert results == [] and statuses[1][1] == Status.failed


def test_nan_in_one_objective_is_left_out():
    def fun(config, fidelity, seed):
        curve = np.array([[0.5, 10.0], [np.nan, 20.0], [0.3, 30.0]])
        return curve

    blackbox = from_function(
        {"x": uniform(0, 1)}, fun, fidelity_space={"epoch": randint(1, 3)}, objectives_names=["error", "elapsed"]
    )
    backend = backend_for(blackbox, seed=None)
    backend.start_trial({"x": 0.5})
    results, _ = run_until_idle(backend, [0])
    assert [sorted(r) for _, r in results][1] == ["elapsed", "epoch", "st_worker_timestamp"]
    assert results[2][1]["error"] == 0.3


def test_function_blackbox_one_fidelity_at_a_time():
    calls = []

    def fun(config, fidelity, seed):
        if fidelity is None:
            return {"error": 0.0, "elapsed": 0.0}  # no curve at once: ask per fidelity
        calls.append(fidelity)
        epoch = fidelity["epoch"]
        return {"error": config["x"] / epoch, "elapsed": 7.0 * epoch}

    blackbox = from_function(
        {"x": uniform(0, 1)},
        fun,
        fidelity_space={"epoch": randint(1, 5)},
        objectives_names=["error", "elapsed"],
    )
    backend = backend_for(blackbox, seed=None)
    backend.start_trial({"x": 0.5, "epochs": 3})
    results, _ = run_until_idle(backend, [0])
    assert [(r["epoch"], r["error"], r["st_worker_timestamp"]) for _, r in results] == [
        (1, 0.5, 7.0),
        (2, 0.25, 14.0),
        (3, 0.5 / 3, 21.0),
    ]
    assert len(calls) == 3


def test_blackbox_without_fidelity():
    blackbox = from_function(
        {"x": uniform(0, 1)}, lambda c, f, s: {"error": c["x"], "elapsed": 100.0}, objectives_names=["error", "elapsed"]
    )
    backend = backend_for(blackbox, seed=None)
    assert backend.reported_metric_names() == ["error", "elapsed"]
    backend.start_trial({"x": 0.25})
    results, statuses = run_until_idle(backend, [0])
    assert results == [(0, {"error": 0.25, "elapsed": 100.0, "st_worker_timestamp": 100.0})]
    assert statuses[0][1] == Status.completed


def test_reported_metric_names_and_argument_checks(tabular):
    backend = backend_for(tabular)
    assert backend.reported_metric_names() == ["error", "elapsed", "epoch"]
    with pytest.raises(ValueError, match="not an objective"):
        UserBlackboxBackend(tabular, elapsed_time_attr="time")
    with pytest.raises(ValueError, match="seed"):
        UserBlackboxBackend(tabular, elapsed_time_attr="elapsed", seed=2)
    with pytest.raises(ValueError, match="seed"):
        UserBlackboxBackend(tabular, elapsed_time_attr="elapsed", seed=-1)
    with pytest.raises(TypeError, match="Blackbox"):
        UserBlackboxBackend("lcbench", elapsed_time_attr="elapsed")
    with pytest.raises(TypeError, match="entry_point"):
        UserBlackboxBackend(tabular, elapsed_time_attr="elapsed", entry_point="train.py")
    with pytest.raises(TypeError, match="SimulatorConfig"):
        UserBlackboxBackend(tabular, elapsed_time_attr="elapsed", simulator_config={"delay_start": 1})
    with pytest.raises(ValueError, match="max_resource_attr"):
        UserBlackboxBackend(tabular, elapsed_time_attr="elapsed", max_resource_attr="")
    with pytest.raises(KeyError):
        backend.start_trial({"a": 7, "b": 1, "c": 1})  # not in the table
    # a trial that could not start leaves no trace
    assert backend.trial_ids == [] and backend.busy_trial_ids() == []
    backend.start_trial(dict(CONFIG, epochs=2))
    with pytest.raises(ValueError, match="below the smallest"):
        backend.start_trial(dict(CONFIG, epochs=0))
    assert backend.new_trial_id() == 1
    backend.advance_to_next_event()
    _, new = backend.fetch_status_results([0])
    backend.pause_trial(0, new[0][1])
    with pytest.raises(ValueError, match="below the smallest"):
        backend.resume_trial(0, dict(CONFIG, epochs=0))
    assert backend.trial_status(0) == Status.paused
    backend.stop_all()


def test_seed_none_draws_a_seed_per_trial(tabular):
    backend = backend_for(tabular, seed=None)
    for _ in range(20):
        backend.start_trial(dict(CONFIG, epochs=1))
    assert set(backend._seeds) == {0, 1}


def test_pickle_mid_run_continues_identically(tabular):
    backend = backend_for(tabular)
    for i in range(3):
        backend.start_trial({"a": i + 1, "b": 2, "c": 3, "epochs": NUM_EPOCHS})
    for _ in range(10):
        backend.advance_to_next_event()
        backend.fetch_status_results([0, 1, 2])
    clone = pickle.loads(pickle.dumps(backend))
    assert clone.time_keeper.time() == backend.time_keeper.time()
    a, _ = run_until_idle(backend, [0, 1, 2])
    b, _ = run_until_idle(clone, [0, 1, 2])
    assert a == b and len(a) == 3 * NUM_EPOCHS - 10


def test_simulator_config_checks():
    with pytest.raises(ValueError, match="delay_start"):
        SimulatorConfig(delay_start=-1)
    with pytest.raises(ValueError, match="delay_stop"):
        SimulatorConfig(delay_stop=float("nan"))
    with pytest.raises(ValueError, match="must not exceed"):
        SimulatorConfig(delay_on_trial_result=1.0, delay_complete_after_final_report=0.5)
