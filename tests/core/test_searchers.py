"""Random and grid searchers, FIFO scheduler construction, ask/tell."""

import pytest

from syne_tune.config_space import choice, loguniform, randint, uniform
from syne_tune.optimizer.baselines import GridSearch, RandomSearch
from syne_tune.optimizer.schedulers.ask_tell_scheduler import AskTellScheduler
from syne_tune.optimizer.schedulers.fifo import FIFOScheduler
from syne_tune.optimizer.schedulers.searchers import GridSearcher, RandomSearcher, impute_points_to_evaluate

CS = {"lr": loguniform(1e-4, 1e-1), "n": randint(1, 8), "act": choice(["relu", "tanh"]), "epochs": 10}


def suggest_configs(scheduler, n):
    out = []
    for i in range(n):
        s = scheduler.suggest(i)
        if s is None:
            break
        out.append(s.config)
    return out


def test_random_search_seeded_and_first_config_is_midpoint():
    a = suggest_configs(RandomSearch(CS, metric="y", random_seed=7), 20)
    b = suggest_configs(RandomSearch(CS, metric="y", random_seed=7), 20)
    c = suggest_configs(RandomSearch(CS, metric="y", random_seed=8), 20)
    assert a == b and a != c
    assert a[0]["act"] == "relu" and a[0]["n"] in (4, 5) and a[0]["lr"] == pytest.approx(10**-2.5)
    assert all(c["epochs"] == 10 for c in a)


def test_random_search_no_duplicates_and_exhaustion():
    cs = {"a": choice([1, 2, 3]), "b": randint(0, 2)}
    configs = suggest_configs(RandomSearch(cs, metric="y", random_seed=0), 50)
    keys = [(c["a"], c["b"]) for c in configs]
    assert len(keys) == 9 and len(set(keys)) == 9


def test_points_to_evaluate_are_completed_and_validated():
    pts = impute_points_to_evaluate([{"n": 3}], CS)
    assert pts[0]["n"] == 3 and pts[0]["act"] == "relu" and pts[0]["epochs"] == 10
    assert impute_points_to_evaluate([], CS) == []
    with pytest.raises(ValueError, match="not in the config space"):
        impute_points_to_evaluate([{"zzz": 1}], CS)
    with pytest.raises(ValueError):
        impute_points_to_evaluate([{"n": 100}], CS)
    configs = suggest_configs(RandomSearch(CS, metric="y", points_to_evaluate=[{"n": 2}, {"n": 6}], random_seed=0), 3)
    assert [c["n"] for c in configs[:2]] == [2, 6]


def test_grid_search_enumerates_grid():
    cs = {"a": choice(["x", "y"]), "b": uniform(0, 1), "c": 5}
    searcher = GridSearcher(cs, metric="y", points_to_evaluate=[], num_samples={"b": 3}, random_seed=0)
    configs = []
    while (c := searcher.get_config()) is not None:
        configs.append(c)
    assert len(configs) == 6
    # Syne Tune's rule: cell centres (i + 0.5) / n of the unit interval
    assert {(c["a"], round(c["b"], 6)) for c in configs} == {(a, round(b, 6)) for a in "xy" for b in (1 / 6, 0.5, 5 / 6)}
    assert all(c["c"] == 5 for c in configs)
    with pytest.raises(ValueError, match="num_samples"):
        GridSearcher(cs, metric="y", num_samples={"nope": 2})


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(metric=None), "metric"),
        (dict(metric="y", mode="maximize"), "mode"),
        (dict(metric="y", random_seed=-1), "random_seed"),
        (dict(metric="y", searcher="nonexistent"), "nonexistent"),
        (dict(metric="y", max_resource_attr="steps"), "max_resource_attr"),
        (dict(metric="y", bogus=1), "bogus"),
    ],
)
def test_fifo_bad_arguments(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        FIFOScheduler(CS, **kwargs)


def test_bad_config_space_fails_at_construction():
    with pytest.raises(ValueError):
        RandomSearch({"x": uniform(2, 1)}, metric="y")
    with pytest.raises((ValueError, TypeError)):
        RandomSearch({3: uniform(0, 1)}, metric="y")


def test_max_t_inferred():
    assert FIFOScheduler(CS, metric="y").max_t == 10
    assert FIFOScheduler({**CS, "steps": randint(1, 30)}, metric="y", max_resource_attr="steps").max_t == 30


def test_ask_tell_finds_minimum():
    scheduler = AskTellScheduler(RandomSearch({"x": uniform(-1, 1)}, metric="y", random_seed=0))
    for _ in range(30):
        trial = scheduler.ask()
        scheduler.tell(trial, {"y": (trial.config["x"] - 0.3) ** 2})
    trial, result = scheduler.best_trial("y")
    assert abs(trial.config["x"] - 0.3) < 0.2
    with pytest.raises(ValueError, match="Unknown metric"):
        scheduler.best_trial("z")


def test_ask_tell_exhausted_grid_raises_stop_iteration():
    scheduler = AskTellScheduler(GridSearch({"a": choice([1, 2])}, metric="y"))
    for _ in range(2):
        t = scheduler.ask()
        scheduler.tell(t, {"y": 1.0})
    with pytest.raises(StopIteration):
        scheduler.ask()


def test_random_searcher_restrict_configurations():
    allowed = [{"lr": 0.001, "n": 1, "act": "relu", "epochs": 10}, {"lr": 0.01, "n": 2, "act": "tanh", "epochs": 10}]
    s = RandomSearcher(CS, metric="y", points_to_evaluate=[], restrict_configurations=allowed, random_seed=0)
    got = [s.get_config(), s.get_config(), s.get_config()]
    assert got[2] is None and sorted(g["n"] for g in got[:2]) == [1, 2]
