"""Core API behaviour found missing when Syne Tune launchers ran against ours."""

from __future__ import annotations

import logging
import pickle
from pathlib import Path

import pytest

from inprocess_backend import InProcessBackend
from syne_tune import StoppingCriterion, Tuner
from syne_tune.backend import LocalBackend
from syne_tune.backend.trial_backend import PollingBackend, TrialBackend
from syne_tune.config_space import uniform
from syne_tune.optimizer.baselines import RandomSearch
from syne_tune.optimizer.scheduler import SchedulerDecision, TrialScheduler, TrialSuggestion
from syne_tune.trial import Status

REPO_ROOT = Path(__file__).resolve().parents[2]


def objective(config, epoch):
    return config["x"] / epoch


class Minimal(TrialScheduler):
    """A user's scheduler: only the abstract methods."""

    def __init__(self, config_space, mode="max"):
        super().__init__(config_space)
        self.mode = mode

    def _suggest(self, trial_id):
        return TrialSuggestion.start_suggestion({"x": 0.5})

    def metric_names(self):
        return ["loss"]


def test_abstract_bases_are_real_contracts():
    with pytest.raises(TypeError, match="abstract"):
        TrialScheduler({})
    with pytest.raises(TypeError, match="abstract"):
        TrialBackend()

    class Incomplete(TrialScheduler):
        def metric_names(self):
            return ["loss"]

    with pytest.raises(TypeError, match="_suggest"):
        Incomplete({})


def test_metric_mode_defaults_to_mode():
    assert Minimal({"x": uniform(0, 1)}).metric_mode() == "max"
    assert Minimal({"x": uniform(0, 1)}, mode="min").metric_mode() == "min"
    assert Minimal({"x": uniform(0, 1)}).on_trial_result(None, {}) == SchedulerDecision.CONTINUE


def test_decisions_are_a_string_enum():
    assert SchedulerDecision.STOP == "STOP" and str(SchedulerDecision.PAUSE) == "PAUSE"
    assert "CONTINUE" in SchedulerDecision.ALL
    assert SchedulerDecision.parse("PAUSE") is SchedulerDecision.PAUSE
    with pytest.raises(ValueError, match="CONTINUE"):
        SchedulerDecision.parse("GO")


def test_syne_tune_style_backend_gets_a_pointer_to_the_template():
    with pytest.raises(TypeError, match="PollingBackend"):

        class Old(TrialBackend):  # hooks of Syne Tune's template on the bare interface
            def _schedule(self, trial_id, config):
                pass

    class New(PollingBackend):
        def _schedule(self, trial_id, config):
            pass

        def _poll(self, trial_ids):
            return []

        def _pause_trial(self, trial_id, result):
            pass

        def _stop_trial(self, trial_id, result):
            pass

    assert New().new_trial_id() == 0


def test_error_writing_metadata_is_not_hidden(caplog):
    class BrokenMetadata(RandomSearch):
        def metadata(self):
            raise RuntimeError("metadata broke")

    class BrokenEnd(InProcessBackend):
        def stop_all(self):
            raise OSError("second error while stopping")

    tuner = Tuner(
        trial_backend=BrokenEnd(objective),
        scheduler=BrokenMetadata({"x": uniform(0, 1), "epochs": 3}, metric="loss", random_seed=0),
        stop_criterion=StoppingCriterion(max_num_trials_completed=2),
        n_workers=1,
        sleep_time=0,
    )
    with pytest.raises(RuntimeError, match="metadata broke"):
        tuner.run()


def test_tuner_state_is_saved_with_dill_when_pickle_cannot():
    tuner = Tuner(
        trial_backend=InProcessBackend(objective),
        scheduler=RandomSearch({"x": uniform(0, 1), "epochs": 3}, metric="loss", random_seed=0),
        stop_criterion=lambda status: status.num_trials_completed >= 3,  # a lambda: pickle fails
        n_workers=2,
        sleep_time=0,
    )
    with pytest.raises(Exception):
        pickle.dumps(tuner.stop_criterion)
    tuner.run()
    loaded = Tuner.load(tuner.tuner_path)
    assert loaded.stop_criterion(loaded.tuning_status)
    assert loaded.tuning_status.num_trials_completed == tuner.tuning_status.num_trials_completed


def test_local_backend_checkpoint_folder(tmp_path):
    script = tmp_path / "check.py"
    script.write_text(
        "import argparse, os\n"
        "from syne_tune import Reporter\n"
        "p = argparse.ArgumentParser(); p.add_argument('--st_checkpoint_dir'); a, _ = p.parse_known_args()\n"
        "Reporter()(exists=int(os.path.exists(a.st_checkpoint_dir)))\n"
    )
    backend = LocalBackend(entry_point=str(script))
    backend.set_path(str(tmp_path / "trials"), "t")
    trial = backend.start_trial({})
    assert backend.checkpoint_trial_path(trial.trial_id) == tmp_path / "trials" / "0" / "checkpoints"
    results = []
    while backend.trial_status(0) != Status.completed:
        results += backend.fetch_status_results([0])[1]
        backend.wait_for_activity(0.1)
    assert results[0][1]["exists"] == 0  # not pre-created: a script decides from it whether to resume


def test_library_logs_visible_with_only_a_level(tmp_path):
    import subprocess
    import sys

    code = (
        "import logging\n"
        "logging.getLogger().setLevel(logging.INFO)\n"
        "import sys; sys.path.insert(0, %r)\n"
        "from inprocess_backend import InProcessBackend\n"
        "from syne_tune import StoppingCriterion, Tuner\n"
        "from syne_tune.config_space import uniform\n"
        "from syne_tune.optimizer.baselines import RandomSearch\n"
        "Tuner(InProcessBackend(lambda c, e: c['x']), RandomSearch({'x': uniform(0, 1), 'epochs': 2}, metric='loss'),\n"
        "      StoppingCriterion(max_num_trials_completed=2), n_workers=1, sleep_time=0).run()\n"
    ) % str(Path(__file__).parent)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path,
                         env={"PYTHONPATH": str(REPO_ROOT), "SYNETUNE_FOLDER": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr
    assert out.stderr.count("Best loss found") == 1
