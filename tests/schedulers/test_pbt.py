"""Population based training: exploit (clone a top member's checkpoint) and
explore (perturb or resample)."""

from datetime import datetime

import pytest

from syne_tune.trial import Trial
from syne_tune.config_space import choice, loguniform, ordinal, randint
from syne_tune.optimizer.baselines import PopulationBasedTraining
from syne_tune.optimizer.scheduler import SchedulerDecision

C, S = SchedulerDecision.CONTINUE, SchedulerDecision.STOP
SPACE = {"lr": loguniform(1e-4, 1.0), "n": randint(1, 100), "act": choice(["a", "b", "c"]), "bs": ordinal([16, 32, 64])}


def make(**kwargs):
    args = dict(
        metric="y", resource_attr="epoch", max_t=100, perturbation_interval=2, population_size=4,
        quantile_fraction=0.25, random_seed=0, resample_probability=0.0,
    )
    args.update(kwargs)
    return PopulationBasedTraining(SPACE, **args)


def start_population(pbt, n=4):
    trials = []
    for tid in range(n):
        sug = pbt.suggest(tid)
        assert sug.spawn_new_trial_id and sug.checkpoint_trial_id is None
        t = Trial(tid, sug.config, datetime(2024, 1, 1))
        pbt.on_trial_add(t)
        trials.append(t)
    return trials


def test_exploit_and_explore():
    pbt = make()
    trials = start_population(pbt)
    # Before the perturbation interval: continue
    for t in trials:
        assert pbt.on_trial_result(t, {"y": 1.0, "epoch": 1}) == C
    # At epoch 2, scores 4, 3, 2, 1 (min): bottom quarter = trial 0 (only once
    # the population of 4 has scores)
    assert pbt.on_trial_result(trials[0], {"y": 4.0, "epoch": 2}) == C
    assert pbt.on_trial_result(trials[1], {"y": 3.0, "epoch": 2}) == C
    assert pbt.on_trial_result(trials[2], {"y": 2.0, "epoch": 2}) == C
    assert pbt.on_trial_result(trials[3], {"y": 1.0, "epoch": 2}) == C  # best: continues
    # Trial 0 reaches its next perturbation point still worst: replaced
    assert pbt.on_trial_result(trials[0], {"y": 4.0, "epoch": 4}) == S
    pbt.on_trial_remove(trials[0])
    sug = pbt.suggest(4)
    assert sug.spawn_new_trial_id and sug.checkpoint_trial_id == 3  # clone of the best
    src = trials[3].config
    new = sug.config
    # Explore (no resampling): numbers x0.8 / x1.2 clipped, categories to a neighbour
    assert new["lr"] in (pytest.approx(src["lr"] * 0.8), pytest.approx(min(src["lr"] * 1.2, 1.0)))
    assert new["n"] != src["n"] and abs(new["n"] - src["n"]) <= max(1, round(0.2 * src["n"]) + 1)
    cats = ["a", "b", "c"]
    assert abs(cats.index(new["act"]) - cats.index(src["act"])) == 1
    sizes = [16, 32, 64]
    assert abs(sizes.index(new["bs"]) - sizes.index(src["bs"])) == 1
    # The clone continues from the source's perturbation point
    t4 = Trial(4, new, datetime(2024, 1, 1))
    pbt.on_trial_add(t4)
    assert pbt.on_trial_result(t4, {"y": 1.0, "epoch": 3}) == C


def test_mode_max_and_max_t():
    pbt = PopulationBasedTraining(SPACE, metric="acc", mode="max", resource_attr="epoch", max_t=4,
                                  perturbation_interval=2, population_size=2, random_seed=0)
    trials = start_population(pbt, 2)
    assert pbt.on_trial_result(trials[0], {"acc": 0.9, "epoch": 2}) == C
    # worse (lower accuracy) of two, population complete: replaced by a clone of 0
    assert pbt.on_trial_result(trials[1], {"acc": 0.1, "epoch": 2}) == S
    assert pbt.suggest(2).checkpoint_trial_id == 0
    assert pbt.on_trial_result(trials[0], {"acc": 0.9, "epoch": 4}) == S  # max_t


def test_resample_probability_one_samples_from_domain():
    pbt = make(resample_probability=1.0)
    config = {"lr": 0.01, "n": 10, "act": "a", "bs": 32}
    for _ in range(20):
        new = pbt._explore(config)
        assert 1e-4 <= new["lr"] <= 1.0 and 1 <= new["n"] <= 100


def test_custom_explore_and_errors():
    pbt = make(custom_explore_fn=lambda c: dict(c, n=7))
    assert pbt._explore({"lr": 0.1, "n": 3, "act": "a", "bs": 16})["n"] == 7
    with pytest.raises(ValueError, match="quantile_fraction"):
        make(quantile_fraction=0.7)
    with pytest.raises(ValueError, match="random"):
        make(searcher="grid")
    pbt = make()
    t = start_population(pbt, 1)[0]
    with pytest.raises(ValueError, match="'epoch'"):
        pbt.on_trial_result(t, {"y": 1.0})


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"population_size": 0}, "The 'population_size' parameter of PopulationBasedTraining must be an int in the range [1, inf). Got 0 instead."),
        ({"perturbation_interval": 0}, "The 'perturbation_interval' parameter of PopulationBasedTraining must be a float in the range (0, inf). Got 0 instead."),
        ({"quantile_fraction": 0.7}, "The 'quantile_fraction' parameter of PopulationBasedTraining must be a float in the range [0, 0.5]. Got 0.7 instead."),
        ({"resample_probability": -0.1}, "The 'resample_probability' parameter of PopulationBasedTraining must be a float in the range [0, 1]."),
        ({"resource_attr": ""}, "The 'resource_attr' parameter of PopulationBasedTraining must be a non-empty str."),
        ({"searcher": "grid"}, "The 'searcher' parameter of PopulationBasedTraining must be a str among {'random'}. Got 'grid' instead."),
        ({"custom_explore_fn": 3}, "The 'custom_explore_fn' parameter of PopulationBasedTraining must be a callable or None."),
    ],
)
def test_argument_errors_name_the_parameter(kwargs, message):
    from syne_tune.utils.validation import InvalidParameterError

    with pytest.raises(InvalidParameterError) as err:
        make(**kwargs)
    assert message in str(err.value)
