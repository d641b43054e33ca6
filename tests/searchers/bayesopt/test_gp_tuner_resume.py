"""A tuner with a GP searcher, saved and loaded, continues with the same
observations, the same model and the same next suggestion."""

import sys
from pathlib import Path

import pytest

pytest.importorskip("autograd")

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "simulator"))

from sim_blackboxes import NUM_EPOCHS, make_tabular  # noqa: E402

from syne_tune import StoppingCriterion, Tuner  # noqa: E402
from syne_tune.backend.simulator_backend import SimulatorCallback  # noqa: E402
from syne_tune.blackbox_repository import UserBlackboxBackend  # noqa: E402
from syne_tune.optimizer.baselines import MOBSTER, BayesianOptimization  # noqa: E402


def _scheduler(name, config_space):
    kw = dict(metric="error", random_seed=4, search_options={"num_init_candidates": 50, "allow_duplicates": True})
    if name == "MOBSTER":
        return MOBSTER(config_space, resource_attr="epoch", max_resource_attr="epochs", **kw)
    return BayesianOptimization(config_space, **kw)


@pytest.mark.parametrize("name", ["BayesianOptimization", "MOBSTER"])
def test_loaded_tuner_continues_with_the_same_model(name):
    tabular = make_tabular()
    config_space = dict(tabular.configuration_space, epochs=NUM_EPOCHS)
    tuner = Tuner(
        trial_backend=UserBlackboxBackend(
            tabular, elapsed_time_attr="elapsed", max_resource_attr="epochs", seed=0, add_real_time=False
        ),
        scheduler=_scheduler(name, config_space),
        stop_criterion=StoppingCriterion(max_num_trials_started=14),
        n_workers=4,
        sleep_time=0,
        callbacks=[SimulatorCallback()],
        tuner_name=f"gp-resume-{name.lower()}",
    )
    tuner.run()
    loaded = Tuner.load(tuner.tuner_path)
    before, after = tuner.scheduler.searcher, loaded.scheduler.searcher
    assert after.dataset_size() == before.dataset_size() > 0
    assert after.observations.get_state() == before.observations.get_state()
    assert after.model_parameters() == before.model_parameters()
    next_before = tuner.scheduler.suggest(trial_id=1000)
    next_after = loaded.scheduler.suggest(trial_id=1000)
    assert next_before.config == next_after.config
