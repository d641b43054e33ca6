"""A launcher that changes the config space of a loaded tuner before
``run()`` again, as Syne Tune's ``examples/launch_resume_tuning.py`` does::

    tuner = load_experiment(name, load_tuner=True).tuner     # dill-unpickled
    tuner.scheduler.config_space = new_config_space
    tuner.scheduler.searcher._hp_ranges = make_hyperparameter_ranges(new_config_space)
    tuner.scheduler.searcher.configure_scheduler(tuner.scheduler)
    tuner.run()

Here the tuner is played by a loop over the scheduler (suggest, then report
a result), and "loading" is a pickle round trip, as the tuner saves its
scheduler. Later suggestions must come from the new space.
"""

import pickle
from datetime import datetime

import dill
import pytest

from syne_tune.config_space import check_config_in_space, randint
from syne_tune.optimizer.baselines import ASHA, BayesianOptimization, GridSearch, RandomSearch
from syne_tune.optimizer.schedulers.searchers.utils import make_hyperparameter_ranges
from syne_tune.trial import Trial

OLD_SPACE = {"steps": 100, "width": randint(0, 10), "height": randint(0, 10)}
NEW_SPACE = {"steps": 100, "width": randint(10, 20), "height": randint(1, 10)}


def loss(config):
    return 0.1 * config["width"] + (config["height"] - 4) ** 2


def make(name):
    common = dict(metric="mean_loss", mode="min", random_seed=0)
    if name == "ASHA":  # the scheduler of Syne Tune's example
        return ASHA(OLD_SPACE, max_t=100, resource_attr="epoch", search_options={"allow_duplicates": True}, **common)
    return {"RandomSearch": RandomSearch, "GridSearch": GridSearch, "BayesianOptimization": BayesianOptimization}[name](
        OLD_SPACE, **common
    )


def run(scheduler, first_trial_id, num):
    configs = []
    for trial_id in range(first_trial_id, first_trial_id + num):
        suggestion = scheduler.suggest(trial_id)
        if suggestion is None:
            break
        trial = Trial(trial_id, suggestion.config, datetime(2024, 1, 1))
        scheduler.on_trial_add(trial)
        for epoch in (1, 100):
            result = {"mean_loss": loss(suggestion.config), "epoch": epoch}
            scheduler.on_trial_result(trial, result)
        scheduler.on_trial_complete(trial, result)
        configs.append(suggestion.config)
    return configs


def change_space_as_syne_tune_example(scheduler):
    scheduler.config_space = NEW_SPACE
    scheduler.searcher._hp_ranges = make_hyperparameter_ranges(NEW_SPACE)
    scheduler.searcher.configure_scheduler(scheduler)


def change_searcher_config_space(scheduler):
    scheduler.config_space = NEW_SPACE
    scheduler.searcher.config_space = NEW_SPACE


@pytest.mark.parametrize("name", ["ASHA", "RandomSearch", "GridSearch", "BayesianOptimization"])
@pytest.mark.parametrize("serializer", [pickle, dill])
@pytest.mark.parametrize("change_space", [change_space_as_syne_tune_example, change_searcher_config_space])
def test_resumed_scheduler_suggests_from_the_new_space(name, serializer, change_space):
    if name == "BayesianOptimization":
        pytest.importorskip("autograd")
    scheduler = make(name)
    before = run(scheduler, 0, 6)
    assert len(before) == 6
    for config in before:
        check_config_in_space(OLD_SPACE, config)
    scheduler = serializer.loads(serializer.dumps(scheduler))
    change_space(scheduler)
    after = run(scheduler, 6, 10)
    assert len(after) == 10
    for config in after:
        check_config_in_space(NEW_SPACE, config)
    assert scheduler.searcher.config_space is NEW_SPACE
    if name != "ASHA":  # no duplicates (ASHA's example asks for allow_duplicates)
        keys = [(c["width"], c["height"]) for c in before + after]
        assert len(set(keys)) == len(keys)


def test_gp_model_uses_the_observations_in_the_new_space():
    pytest.importorskip("autograd")
    scheduler = make("BayesianOptimization")
    before = run(scheduler, 0, 6)
    in_new_space = sum(1 for c in before if 10 <= c["width"] and 1 <= c["height"])
    scheduler = pickle.loads(pickle.dumps(scheduler))
    change_space_as_syne_tune_example(scheduler)
    searcher = scheduler.searcher
    assert searcher.dataset_size() == in_new_space
    run(scheduler, 6, 4)
    assert searcher.dataset_size() == in_new_space + 4
    assert len(searcher.model_parameters()["lengthscales"]) == searcher._hp_ranges.ndarray_size


def test_grid_searcher_exhausts_the_new_grid_without_repeating():
    scheduler = GridSearch({"a": randint(1, 3)}, metric="y", points_to_evaluate=[], random_seed=0)
    first = run_simple(scheduler, 2)
    scheduler = pickle.loads(pickle.dumps(scheduler))
    new = {"a": randint(2, 5)}
    scheduler.config_space = new
    scheduler.searcher._hp_ranges = make_hyperparameter_ranges(new)
    rest = run_simple(scheduler, 10)
    assert sorted(first + rest) == sorted(set(first) | {2, 3, 4, 5})
    assert all(2 <= a <= 5 for a in rest)


def run_simple(scheduler, num):
    values = []
    for trial_id in range(num):
        suggestion = scheduler.suggest(trial_id)
        if suggestion is None:
            break
        values.append(suggestion.config["a"])
    return values
