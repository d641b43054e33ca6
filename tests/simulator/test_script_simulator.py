"""SimulatorBackend running a training script to completion."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from syne_tune import StoppingCriterion, Tuner
from syne_tune.backend.simulator_backend import SimulatorBackend, SimulatorCallback, SimulatorConfig
from syne_tune.trial import Status
from syne_tune.config_space import randint
from syne_tune.optimizer.baselines import RandomSearch

REPO_ROOT = Path(__file__).resolve().parents[2]

SCRIPT = '''
import argparse, json, os, sys
from syne_tune.report import Reporter

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, required=True)
parser.add_argument("--d", type=float, required=True)
parser.add_argument("--st_checkpoint_dir", required=True)
args, _ = parser.parse_known_args()
if args.d < 0:
    sys.exit(3)
path = os.path.join(args.st_checkpoint_dir, "state.json")
start = 0
if os.path.exists(path):
    with open(path) as f:
        start = json.load(f)["epoch"]
report = Reporter()
for epoch in range(start + 1, args.epochs + 1):
    os.makedirs(args.st_checkpoint_dir, exist_ok=True)
    with open(path, "w") as f:
        json.dump({"epoch": epoch}, f)
    report(epoch=epoch, loss=args.d / epoch, elapsed=(epoch - start) * args.d)
'''

NO_DELAYS = SimulatorConfig(0.0, 0.0, 0.0, 0.0, 0.0)


@pytest.fixture
def script(tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(REPO_ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    path = tmp_path / "train.py"
    path.write_text(SCRIPT)
    return str(path)


def make_backend(script, tmp_path):
    backend = SimulatorBackend(
        entry_point=script, elapsed_time_attr="elapsed", simulator_config=NO_DELAYS, add_real_time=False
    )
    backend.set_path(str(tmp_path / "run"))
    backend.time_keeper.start_of_time()
    return backend


def collect(backend, trial_ids, until=None):
    out = []
    running = set(trial_ids)
    while running:
        statuses, new = backend.fetch_status_results(sorted(running))
        out.extend((backend.time_keeper.time(), tid, r["epoch"], r["elapsed"]) for tid, r in new)
        for tid, (_, status) in statuses.items():
            if status != Status.in_progress:
                running.discard(tid)
        if until is not None and len(out) >= until:
            break
        if not new and running:
            assert backend.advance_to_next_event()
    return out


def test_script_results_on_simulated_time(script, tmp_path):
    backend = make_backend(script, tmp_path)
    backend.start_trial({"epochs": 3, "d": 10.0})
    backend.start_trial({"epochs": 2, "d": 7.0})
    got = collect(backend, [0, 1])
    assert got == [
        (7.0, 1, 1, 7.0),
        (10.0, 0, 1, 10.0),
        (14.0, 1, 2, 14.0),
        (20.0, 0, 2, 20.0),
        (30.0, 0, 3, 30.0),
    ]
    assert backend.trial_status(0) == backend.trial_status(1) == Status.completed
    assert any("tune-metric" in line for line in backend.stdout(0))


def test_script_pause_resume(script, tmp_path):
    backend = make_backend(script, tmp_path)
    backend.start_trial({"epochs": 4, "d": 5.0})
    got = collect(backend, [0], until=2)
    backend.pause_trial(0)
    backend.time_keeper.advance(100.0)
    backend.resume_trial(0)
    # same config: continues with the results the script had reported, paying the rest
    got += collect(backend, [0])
    assert got == [(5.0, 0, 1, 5.0), (10.0, 0, 2, 10.0), (115.0, 0, 3, 5.0), (120.0, 0, 4, 10.0)]
    # a new config (more epochs) runs the script again, from its checkpoint
    backend.start_trial({"epochs": 2, "d": 1.0})
    got = collect(backend, [1], until=2)
    backend.pause_trial(1)
    backend.resume_trial(1, {"epochs": 4, "d": 1.0})
    got = collect(backend, [1])
    assert [(g[2], g[3]) for g in got] == [(3, 1.0), (4, 2.0)]


def test_script_failure_and_missing_elapsed(script, tmp_path):
    backend = make_backend(script, tmp_path)
    backend.start_trial({"epochs": 2, "d": -1.0})
    collect(backend, [0])
    assert backend.trial_status(0) == Status.failed
    other = SimulatorBackend(entry_point=script, elapsed_time_attr="seconds", add_real_time=False)
    other.set_path(str(tmp_path / "other"))
    with pytest.raises(ValueError, match="seconds"):
        other.start_trial({"epochs": 2, "d": 1.0})


def test_script_simulator_argument_checks(tmp_path):
    with pytest.raises(FileNotFoundError):
        SimulatorBackend(entry_point=str(tmp_path / "missing.py"), elapsed_time_attr="elapsed")
    with pytest.raises(ValueError, match="entry_point"):
        SimulatorBackend(entry_point=None, elapsed_time_attr="elapsed")
    with pytest.raises(ValueError, match="elapsed_time_attr"):
        SimulatorBackend(entry_point=__file__, elapsed_time_attr="")


def test_script_simulator_with_tuner(script):
    backend = SimulatorBackend(entry_point=script, elapsed_time_attr="elapsed")
    tuner = Tuner(
        trial_backend=backend,
        scheduler=RandomSearch({"epochs": 3, "d": randint(50, 100)}, metric="loss", random_seed=0),
        stop_criterion=StoppingCriterion(max_num_trials_completed=4),
        n_workers=2,
        sleep_time=0,
        callbacks=[SimulatorCallback()],
        save_tuner=False,
    )
    tuner.run()
    df = tuner.results_dataframe()
    assert tuner.tuning_status.num_trials_completed >= 4
    assert df["st_tuner_time"].max() > 300  # simulated: 3 epochs of 50-100 s
