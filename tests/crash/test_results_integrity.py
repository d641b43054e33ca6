"""The results store knows its parts: a missing, duplicated or corrupt part
is a named error on load and on resume, with a way to recover what is
readable; an existing run folder is not overwritten; a promoted trial's
stored config reflects the resource it ran to."""

from __future__ import annotations

import json
import shutil

import pytest

from inprocess_backend import InProcessBackend
from syne_tune import StoppingCriterion, Tuner
from syne_tune.config_space import choice, uniform
from syne_tune.experiments import load_experiment
from syne_tune.optimizer.baselines import RandomSearch
from syne_tune.results_callback import StoreResultsCallback
from syne_tune.results_store import ResultsIntegrityError, read_results, repair_results

CONFIG_SPACE = {"x": uniform(0.0, 1.0), "act": choice(["a", "b"]), "epochs": 5}


def objective(config, epoch):
    return (config["x"] - 0.3) ** 2 + 1.0 / epoch


def make_tuner(name="integrity", trials=8, suffix=False, flush_every_rows=6):
    return Tuner(
        trial_backend=InProcessBackend(objective),
        scheduler=RandomSearch(CONFIG_SPACE, metric="loss", random_seed=1),
        stop_criterion=StoppingCriterion(max_num_trials_completed=trials),
        n_workers=2,
        sleep_time=0,
        tuner_name=name,
        suffix_tuner_name=suffix,
        callbacks=[StoreResultsCallback(flush_every_rows=flush_every_rows)],
    )


@pytest.fixture
def run():
    tuner = make_tuner()
    tuner.run()
    folder = tuner.tuner_path / "results"
    manifest = json.loads((folder / "manifest.json").read_text())
    assert len(manifest["parts"]) >= 3
    return tuner, folder, manifest


def test_complete_store_reads_back(run):
    tuner, folder, manifest = run
    df = load_experiment(tuner.tuner_path).results
    assert len(df) == sum(p["rows"] for p in manifest["parts"]) == tuner.tuning_status.overall_metric_statistics.count


def test_missing_part_is_named(run):
    tuner, folder, manifest = run
    name = manifest["parts"][1]["file"]
    (folder / name).unlink()
    with pytest.raises(ResultsIntegrityError, match=f"{name}.*missing"):
        load_experiment(tuner.tuner_path)
    with pytest.raises(ResultsIntegrityError, match=name):
        resumed = Tuner.load(tuner.tuner_path)
        resumed.stop_criterion = StoppingCriterion(max_num_trials_completed=12)
        resumed.run()
    # what is readable can be read, and the store repaired and resumed
    partial = load_experiment(tuner.tuner_path, errors="recover").results
    assert len(partial) == sum(p["rows"] for p in manifest["parts"]) - manifest["parts"][1]["rows"]
    kept = repair_results(tuner.tuner_path)
    assert kept == len(partial)
    assert len(load_experiment(tuner.tuner_path).results) == kept
    resumed = Tuner.load(tuner.tuner_path)
    resumed.stop_criterion = StoppingCriterion(max_num_trials_completed=12)
    resumed.run()
    assert len(read_results(tuner.tuner_path)) > kept


def test_duplicated_part_is_named(run):
    tuner, folder, manifest = run
    copy = folder / "part-000099.parquet"
    shutil.copy(folder / manifest["parts"][0]["file"], copy)
    with pytest.raises(ResultsIntegrityError, match="part-000099.parquet is not in"):
        read_results(tuner.tuner_path)
    df = read_results(tuner.tuner_path, errors="recover")
    assert len(df) == sum(p["rows"] for p in manifest["parts"])  # the copy is not read twice


def test_corrupt_part_is_named(run):
    tuner, folder, manifest = run
    path = folder / manifest["parts"][0]["file"]
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ResultsIntegrityError, match=f"{path.name} is corrupt"):
        load_experiment(tuner.tuner_path)


def test_duplicated_journal_row_is_named(tmp_path):
    tuner = make_tuner(flush_every_rows=10_000)
    tuner.run()
    folder = tuner.tuner_path / "results"
    # a run killed before its parts were written keeps its rows in the journal
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["parts"]
    # put the rows back into a journal and duplicate a line
    df = read_results(tuner.tuner_path)
    journal = folder / manifest["journal"]["file"]
    first = manifest["journal"]["first_row"]
    rows = [json.dumps(["r", first + i, {"trial_id": int(t), "loss": float(v)}]) for i, (t, v) in enumerate(zip(df["trial_id"], df["loss"]))][:5]
    journal.write_text("\n".join(rows + [rows[2]]) + "\n")
    with pytest.raises(ResultsIntegrityError, match="repeats rows"):
        read_results(tuner.tuner_path)
    assert len(read_results(tuner.tuner_path, errors="recover")) == len(df) + 5


def test_existing_run_folder_is_not_overwritten():
    first = make_tuner(name="same-name")
    first.run()
    second = make_tuner(name="same-name")
    with pytest.raises(FileExistsError, match="Tuner.load"):
        second.run()
    assert len(read_results(first.tuner_path)) > 0


def test_names_made_in_the_same_millisecond_get_their_own_folder():
    a = make_tuner(name="twins", suffix=True)
    b = make_tuner(name="twins", suffix=True)
    b.name, b.tuner_path = a.name, a.tuner_path  # as if created in the same millisecond
    a.run()
    b.run()
    assert a.tuner_path != b.tuner_path
    assert len(read_results(a.tuner_path)) > 0 and len(read_results(b.tuner_path)) > 0


def test_promoted_trial_config_reflects_its_resource():
    from syne_tune.backend.simulator_backend import SimulatorCallback
    from syne_tune.blackbox_repository import UserBlackboxBackend
    from syne_tune.optimizer.baselines import ASHA

    from sim_blackboxes import NUM_EPOCHS, make_tabular

    tabular = make_tabular()
    config_space = dict(tabular.configuration_space, epochs=NUM_EPOCHS)
    tuner = Tuner(
        trial_backend=UserBlackboxBackend(tabular, elapsed_time_attr="elapsed", max_resource_attr="epochs", seed=0),
        scheduler=ASHA(config_space, metric="error", resource_attr="epoch", max_resource_attr="epochs",
                       type="promotion", random_seed=0),
        stop_criterion=StoppingCriterion(max_wallclock_time=4 * 3600),
        n_workers=4,
        sleep_time=0,
        callbacks=[SimulatorCallback()],
    )
    tuner.run()
    df = tuner.results_dataframe()
    assert (df["epoch"] <= df["config_epochs"]).all()
    promoted = df[df["epoch"] > 1].groupby("trial_id")["config_epochs"].nunique()
    assert (promoted > 1).any()  # resumed trials ran to new milestones, and the rows show it
