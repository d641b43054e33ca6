"""BoundingBox (and its helpers) and the ZeroShotTransfer searcher."""

from __future__ import annotations

import pickle
from datetime import datetime

import numpy as np
import pandas as pd
import pytest

from syne_tune.config_space import (
    Categorical,
    Float,
    Integer,
    Ordinal,
    OrdinalNearestNeighbor,
    check_config_in_space,
    choice,
    finrange,
    is_log_space,
    lograndint,
    loguniform,
    ordinal,
    quniform,
    randint,
    sample_configs,
    uniform,
)
from syne_tune.optimizer.baselines import ASHA, RandomSearch
from syne_tune.optimizer.schedulers import FIFOScheduler
from syne_tune.optimizer.schedulers.searchers.utils.hp_ranges import make_hyperparameter_ranges
from syne_tune.optimizer.schedulers.transfer_learning import (
    BoundingBox,
    TransferLearningTaskEvaluations,
    ZeroShotTransfer,
    bounding_box_of,
    in_bounding_box,
)
from syne_tune.optimizer.schedulers.transfer_learning.zero_shot import greedy_portfolio, normalized_ranks
from syne_tune.testing.scheduler import SchedulerContract
from syne_tune.testing.searcher import SearcherContract
from syne_tune.trial import Trial
from syne_tune.utils.validation import InvalidParameterError


def _task(config_space, configs, values, metric="loss") -> TransferLearningTaskEvaluations:
    values = np.asarray(values, dtype=float).reshape(-1, 1, 1, 1)
    return TransferLearningTaskEvaluations(config_space, pd.DataFrame(configs), [metric], values)


def _sampled_tasks(config_space, metric="loss", num_tasks=3, num_configs=20, seed=0):
    """Tasks with random configurations of ``config_space`` and a
    deterministic objective (a task-dependent linear function of the encoding)."""
    ranges = make_hyperparameter_ranges(config_space)
    rs = np.random.RandomState(seed)
    tasks = {}
    for t in range(num_tasks):
        configs = sample_configs(config_space, num_configs, rs)
        weights = rs.uniform(-1.0, 1.0, size=ranges.ndarray_size)
        tasks[f"task{t}"] = _task(config_space, configs, ranges.to_ndarray_matrix(configs) @ weights, metric)
    return tasks


# -- bounding_box_of / in_bounding_box -------------------------------------------------

_SPACE = {
    "f": uniform(0.0, 10.0),
    "lf": loguniform(1e-4, 1.0),
    "i": randint(1, 20),
    "li": lograndint(1, 1000),
    "c": choice(["a", "b", "c", "d"]),
    "o": ordinal(["xs", "s", "m", "l", "xl"], kind="equal"),
    "nn": ordinal([1, 2, 4, 8, 16], kind="nn"),
    "fr": finrange(0.0, 1.0, 11),
    "free": uniform(0.0, 1.0),
    "epochs": 9,
}
_TOP = [
    {"f": 2.0, "lf": 1e-3, "i": 5, "li": 10, "c": "d", "o": "s", "nn": 2, "fr": 0.2, "epochs": 9},
    {"f": 7.5, "lf": 1e-1, "i": 12, "li": 300, "c": "b", "o": "l", "nn": 8, "fr": 0.7, "epochs": 9},
    {"f": 4.0, "lf": 1e-2, "i": 7, "li": 30, "c": "b", "o": "s", "nn": 4, "fr": 0.5, "epochs": 9},
]


def test_box_of_every_domain_type():
    box = bounding_box_of(_TOP, _SPACE)
    assert list(box) == list(_SPACE)
    assert isinstance(box["f"], Float) and (box["f"].lower, box["f"].upper) == (2.0, 7.5)
    assert not is_log_space(box["f"])
    assert isinstance(box["lf"], Float) and is_log_space(box["lf"])
    assert box["lf"].lower == pytest.approx(1e-3) and box["lf"].upper == pytest.approx(1e-1)
    assert isinstance(box["i"], Integer) and (box["i"].lower, box["i"].upper) == (5, 12)
    assert not is_log_space(box["i"])
    assert isinstance(box["li"], Integer) and is_log_space(box["li"])
    assert (box["li"].lower, box["li"].upper) == (10, 300)
    # categorical: the values seen, in the original order
    assert type(box["c"]) is Categorical and box["c"].categories == ["b", "d"]
    # ordinal: the contiguous run between the lowest and highest value seen
    assert type(box["o"]) is Ordinal and box["o"].categories == ["s", "m", "l"]
    assert isinstance(box["nn"], OrdinalNearestNeighbor) and box["nn"].categories == [2, 4, 8]
    assert box["fr"].values == pytest.approx([0.2, 0.3, 0.4, 0.5, 0.6, 0.7])
    # not in the top configurations, and constants: unchanged
    assert box["free"] is _SPACE["free"] and box["epochs"] == 9
    for config in _TOP:
        assert in_bounding_box(dict(config, free=0.5), box)
        assert not in_bounding_box(config, box)  # "free" is missing


def test_degenerate_boxes_become_constants_of_the_domain_type():
    box = bounding_box_of([_TOP[0], dict(_TOP[0])], _SPACE)
    assert box["f"] == 2.0 and type(box["f"]) is float
    assert box["lf"] == pytest.approx(1e-3)
    assert box["i"] == 5 and type(box["i"]) is int
    assert box["li"] == 10 and type(box["li"]) is int
    assert box["c"] == "d" and box["o"] == "s" and box["nn"] == 2
    assert box["fr"] == pytest.approx(0.2)
    assert isinstance(box["free"], Float)
    # a box one integer wide (values given as floats, as a DataFrame stores them)
    assert bounding_box_of([{"i": 3.0}, {"i": 3.0}], {"i": randint(1, 5)}) == {"i": 3}


def test_values_outside_the_domain_are_ignored_or_raise():
    space = {"x": uniform(0.0, 1.0), "c": choice(["a", "b", "c"])}
    box = bounding_box_of([{"x": -5.0, "c": "a"}, {"x": 0.4, "c": "z"}, {"x": 0.7, "c": "b"}], space)
    assert (box["x"].lower, box["x"].upper) == (0.0, 0.7)
    assert box["c"].categories == ["a", "b"]
    with pytest.raises(InvalidParameterError, match="'top_configs'"):
        bounding_box_of([{"x": 2.0}, {"x": 3.0}], space)
    with pytest.raises(InvalidParameterError, match="'top_configs'"):
        bounding_box_of([{"c": "y"}], space)
    with pytest.raises(InvalidParameterError, match="'top_configs'"):
        bounding_box_of([], space)


def test_quantized_domain_keeps_its_grid():
    box = bounding_box_of([{"q": 0.2}, {"q": 0.5}], {"q": quniform(0.0, 1.0, 0.1)})
    assert box["q"].q == pytest.approx(0.1)
    assert (box["q"].lower, box["q"].upper) == pytest.approx((0.2, 0.5))


def test_box_of_tasks_dict_and_in_bounding_box_mask_match_the_scalar_check():
    box = bounding_box_of({"t1": _TOP[:1], "t2": _TOP[1:]}, _SPACE)
    assert box == bounding_box_of(_TOP, _SPACE)
    configs = sample_configs(_SPACE, 300, 3) + [dict(c, free=0.5) for c in _TOP]
    configs[0] = dict(configs[0], epochs=8)  # a constant with another value
    frame = pd.DataFrame(configs)
    mask = in_bounding_box(frame, box)
    assert mask.dtype == bool and mask.shape == (len(configs),)
    assert list(mask) == [in_bounding_box(c, box) for c in configs]
    assert mask[-3:].all() and not mask[0]
    degenerate = bounding_box_of([_TOP[0]], _SPACE)
    assert in_bounding_box(dict(_TOP[0], free=0.5, f=2.0 + 1e-13), degenerate)
    assert not in_bounding_box(dict(_TOP[0], free=0.5, f=2.1), degenerate)
    assert not in_bounding_box({k: v for k, v in _TOP[0].items() if k != "free"}, degenerate)


# -- BoundingBox ---------------------------------------------------------------------

_XY = {"x": uniform(0.0, 1.0), "n": randint(1, 10), "epochs": 9}
_XY_CONFIGS = [{"x": 0.1 * k, "n": k + 1} for k in range(6)]  # x = 0, .1, ..., .5; n = 1..6


def _xy_tasks():
    # task a prefers small x, task b large x; task c is flat but for one config
    return {
        "a": _task(_XY, _XY_CONFIGS, [0, 1, 2, 3, 4, 5]),
        "b": _task(_XY, _XY_CONFIGS, [5, 4, 3, 2, 1, 0]),
        "c": _task(_XY, _XY_CONFIGS, [3, 3, 1, 3, 3, 3]),
    }


def _random_search(config_space, mode, metric, seed=0, **kwargs):
    return RandomSearch(config_space, metric=metric, mode=mode, random_seed=seed, **kwargs)


@pytest.mark.parametrize(
    "mode, k, expected",
    [
        # best of a: x=0, of b: x=.5, of c: x=.2
        ("min", 1, (0.0, 0.5, 1, 6)),
        # worst ones: a x=.5, b x=0, c: x=0 (ties in c: the first rows)
        ("max", 1, (0.0, 0.5, 1, 6)),
        ("min", 2, (0.0, 0.5, 1, 6)),
    ],
)
def test_bounding_box_spans_the_top_k_of_every_task(mode, k, expected):
    scheduler = BoundingBox(_random_search, _XY, "loss", _xy_tasks(), mode=mode, num_hyperparameters_per_task=k)
    box = scheduler.box_config_space
    assert (box["x"].lower, box["x"].upper, box["n"].lower, box["n"].upper) == expected
    assert scheduler.metric_mode() == mode


def test_bounding_box_top_k_is_mode_aware():
    tasks = {"a": _task(_XY, _XY_CONFIGS, [0, 1, 2, 3, 4, 5]), "b": _task(_XY, _XY_CONFIGS, [0, 2, 1, 3, 4, 5])}
    low = BoundingBox(_random_search, _XY, "loss", tasks, mode="min", num_hyperparameters_per_task=2).box_config_space
    high = BoundingBox(_random_search, _XY, "loss", tasks, mode="max", num_hyperparameters_per_task=2).box_config_space
    assert (low["x"].lower, low["x"].upper) == pytest.approx((0.0, 0.2))
    assert (high["x"].lower, high["x"].upper) == pytest.approx((0.4, 0.5))
    assert BoundingBox(_random_search, _XY, "loss", tasks).mode == "min"  # mode=None


def test_the_wrapped_scheduler_suggests_only_inside_the_box():
    tasks = {"a": _task(_XY, _XY_CONFIGS, [0, 1, 2, 3, 4, 5]), "b": _task(_XY, _XY_CONFIGS, [0, 2, 1, 3, 4, 5])}
    scheduler = BoundingBox(_random_search, _XY, "loss", tasks, num_hyperparameters_per_task=2)
    for trial_id in range(50):
        config = scheduler.suggest(trial_id).config
        assert in_bounding_box(config, scheduler.box_config_space)
        check_config_in_space(_XY, config)
        assert 0.0 <= config["x"] <= 0.2 and 1 <= config["n"] <= 3 and config["epochs"] == 9


def test_restrict_configurations_filtered_by_the_caller():
    table = [{"x": 0.05 * k, "n": 1 + k % 9} for k in range(21)]

    def scheduler_fun(config_space, mode, metric):
        rows = [c for c in table if in_bounding_box(c, config_space)]
        return _random_search(config_space, mode, metric, search_options={"restrict_configurations": rows})

    scheduler = BoundingBox(scheduler_fun, _XY, "loss", _xy_tasks(), num_hyperparameters_per_task=2)
    inside = [c for c in table if in_bounding_box(c, scheduler.box_config_space)]
    assert 0 < len(inside) < len(table)
    suggested = []
    for trial_id in range(len(table)):
        suggestion = scheduler.suggest(trial_id)
        if suggestion is None:
            break
        suggested.append({k: suggestion.config[k] for k in ("x", "n")})
    key = lambda c: (round(c["x"], 9), c["n"])  # noqa: E731
    assert sorted(map(key, suggested)) == sorted(map(key, inside))


def test_bounding_box_delegates_and_pickles():
    scheduler = BoundingBox(
        lambda cs, mode, metric: ASHA(cs, metric=metric, mode=mode, resource_attr="epoch", max_resource_attr="epochs"),
        _XY, "loss", _xy_tasks(), mode="max",
    )
    assert scheduler.metric_names() == ["loss"] and scheduler.metric_mode() == "max"
    assert scheduler.multi_fidelity and scheduler.searcher is scheduler.scheduler.searcher
    assert scheduler.max_t == 9
    meta = scheduler.metadata()
    assert meta["scheduler_name"] == "BoundingBox" and meta["wrapped_scheduler_name"] == "ASHA"
    assert meta["config_space"]["x"]["domain_kwargs"] == {"lower": 0.0, "upper": 1.0}
    assert meta["bounding_box_config_space"]["x"]["domain_kwargs"] == {"lower": 0.0, "upper": 0.5}
    config = scheduler.suggest(0).config
    trial = Trial(0, config, datetime(2024, 1, 1))
    scheduler.on_trial_add(trial)
    copy = pickle.loads(pickle.dumps(scheduler))
    for s in (scheduler, copy):
        assert s.on_trial_result(trial, {"loss": 1.0, "epoch": 1}) in ("CONTINUE", "STOP", "PAUSE")
    assert copy.suggest(1).config == scheduler.suggest(1).config
    with pytest.raises(AttributeError):
        scheduler.no_such_attribute


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"scheduler_fun": 3}, "scheduler_fun"),
        ({"metric": "accuracy"}, "metric"),
        ({"metric": 3}, "metric"),
        ({"transfer_learning_evaluations": {}}, "transfer_learning_evaluations"),
        ({"transfer_learning_evaluations": {"a": [1, 2]}}, "transfer_learning_evaluations"),
        ({"transfer_learning_evaluations": [1]}, "transfer_learning_evaluations"),
        ({"mode": "maximize"}, "mode"),
        ({"num_hyperparameters_per_task": 0}, "num_hyperparameters_per_task"),
        ({"num_hyperparameters_per_task": 1.5}, "num_hyperparameters_per_task"),
        ({"scheduler_fun": lambda cs, mode, metric: None}, "scheduler_fun"),
    ],
)
def test_bounding_box_bad_arguments(kwargs, name):
    arguments = dict(
        scheduler_fun=_random_search, config_space=_XY, metric="loss", transfer_learning_evaluations=_xy_tasks()
    )
    arguments.update(kwargs)
    with pytest.raises(InvalidParameterError, match=f"'{name}'"):
        BoundingBox(**arguments)


def test_bounding_box_without_any_value_raises():
    tasks = {"a": _task(_XY, _XY_CONFIGS[:2], [np.nan, np.nan])}
    with pytest.raises(InvalidParameterError, match="'transfer_learning_evaluations'"):
        BoundingBox(_random_search, _XY, "loss", tasks)


# -- ZeroShotTransfer ----------------------------------------------------------------

_X = {"x": choice([0.1, 0.2, 0.3, 0.4, 0.5]), "epochs": 3}
_CANDIDATES = [{"x": x} for x in (0.1, 0.2, 0.3, 0.4, 0.5)]
# per candidate c0..c4; task c has ties
_VALUES = {"a": [1, 2, 3, 4, 5], "b": [5, 4, 3, 2, 1], "c": [3, 3, 1, 5, 5]}


def _zero_shot_tasks(values=_VALUES, shuffle_seed=None):
    tasks = {}
    for i, (name, v) in enumerate(values.items()):
        order = np.arange(len(v))
        if shuffle_seed is not None:
            order = np.random.RandomState(shuffle_seed + i).permutation(len(v))
        tasks[name] = _task(_X, [_CANDIDATES[j] for j in order], [v[j] for j in order])
    return tasks


def _naive_greedy(values: dict, mode: str) -> list[int]:
    """The greedy definition, in plain Python: normalized average ranks, the
    candidate of smallest loss (first on ties) while the loss decreases."""
    tasks = list(values.values())
    n = len(tasks[0])
    sign = 1 if mode == "min" else -1
    scores = []
    for v in tasks:
        ranks = [
            1 + sum(sign * w < sign * u for w in v) + 0.5 * (sum(sign * w == sign * u for w in v) - 1) for u in v
        ]
        scores.append([(r - 1) / (n - 1) for r in ranks])

    def loss(portfolio):
        return sum(min([1.0] + [s[c] for c in portfolio]) for s in scores) / len(scores)

    portfolio = []
    while True:
        rest = [c for c in range(n) if c not in portfolio]
        if not rest:
            return portfolio
        losses = [loss(portfolio + [c]) for c in rest]
        best = min(losses)
        if not best < loss(portfolio) - 1e-12:
            return portfolio
        portfolio.append(rest[[i for i, l in enumerate(losses) if l <= best + 1e-12][0]])


def _suggest(searcher, num, first=0):
    configs = []
    for trial_id in range(first, first + num):
        config = searcher.get_config(trial_id=trial_id)
        if config is None:
            break
        configs.append(config)
    return configs


def test_greedy_portfolio_of_the_hand_computed_example():
    # normalized ranks: a (0, .25, .5, .75, 1), b reversed, c (.375, .375, 0, .875, .875):
    # c2 has the best average (1/3); then c0 and c4 tie at 1/6 (c0 first); then c4 makes it 0
    assert _naive_greedy(_VALUES, "min") == [2, 0, 4]
    searcher = ZeroShotTransfer(_X, "loss", _zero_shot_tasks(shuffle_seed=0), random_seed=0, points_to_evaluate=[])
    assert [c["x"] for c in searcher.portfolio] == [0.3, 0.1, 0.5]
    scores = normalized_ranks(np.array(list(_VALUES.values()), dtype=float), "min")
    assert scores[2] == pytest.approx([0.375, 0.375, 0.0, 0.875, 0.875])
    configs = _suggest(searcher, 6)
    assert [c["x"] for c in configs[:3]] == [0.3, 0.1, 0.5]
    assert sorted(c["x"] for c in configs) == [0.1, 0.2, 0.3, 0.4, 0.5]  # then random, no duplicates
    assert all(c["epochs"] == 3 for c in configs)
    assert searcher.get_config(trial_id=7) is None


@pytest.mark.parametrize("mode", ["min", "max"])
@pytest.mark.parametrize("seed", range(6))
def test_greedy_portfolio_equals_the_naive_definition(mode, seed):
    rs = np.random.RandomState(seed)
    # few distinct values, so that there are many ties
    values = {name: list(rs.randint(0, 4, size=5)) for name in "abc"}
    expected = _naive_greedy(values, mode)
    assert greedy_portfolio(normalized_ranks(np.array(list(values.values()), dtype=float), mode)) == expected
    assert [c["x"] for c in ZeroShotTransfer(_X, "loss", _zero_shot_tasks(values), mode=mode).portfolio] == [
        _CANDIDATES[j]["x"] for j in expected
    ]
    # rows shuffled: the same portfolio (candidates are sorted, which also breaks ties)
    searcher = ZeroShotTransfer(_X, "loss", _zero_shot_tasks(values, shuffle_seed=seed), mode=mode, random_seed=0)
    assert [c["x"] for c in searcher.portfolio] == [_CANDIDATES[j]["x"] for j in expected]
    # the first entry has the best average normalized rank, and every entry is
    # the best next one among all candidates (brute force over the others)
    scores = normalized_ranks(np.array(list(values.values()), dtype=float), mode)
    for step in range(len(expected)):
        chosen = expected[:step]
        best = np.min(np.vstack([np.ones(3)] + [scores[:, c] for c in chosen]), axis=0)
        losses = {c: np.minimum(best, scores[:, c]).mean() for c in range(5) if c not in chosen}
        assert losses[expected[step]] == pytest.approx(min(losses.values()))


def test_sort_option_aligns_rows_by_configuration_or_by_position():
    aligned = ZeroShotTransfer(_X, "loss", _zero_shot_tasks(), sort_transfer_learning_evaluations=False)
    assert [c["x"] for c in aligned.portfolio] == [0.3, 0.1, 0.5]
    # rows in another order: sorting finds the same portfolio, positions do not
    shuffled = _zero_shot_tasks(shuffle_seed=1)
    sorted_ = ZeroShotTransfer(_X, "loss", shuffled, sort_transfer_learning_evaluations=True)
    assert [c["x"] for c in sorted_.portfolio] == [0.3, 0.1, 0.5]
    positional = ZeroShotTransfer(_X, "loss", shuffled, sort_transfer_learning_evaluations=False)
    # by position: the candidates are the rows of the first task, values row by row
    first = shuffled["a"].configurations()
    by_row = {name: list(task.final_objective_values("loss")) for name, task in shuffled.items()}
    assert [c["x"] for c in positional.portfolio] == [first[j]["x"] for j in _naive_greedy(by_row, "min")]
    uneven = dict(_zero_shot_tasks(), d=_task(_X, _CANDIDATES[:3], [1, 2, 3]))
    with pytest.raises(InvalidParameterError, match="'sort_transfer_learning_evaluations'"):
        ZeroShotTransfer(_X, "loss", uneven, sort_transfer_learning_evaluations=False)


def _disjoint_tasks():
    # f_t(x) = (x - c_t)^2 with optima .3, .5, .7, each task on its own grid
    space = {"x": uniform(0.0, 1.0)}
    tasks = {}
    for t, (optimum, offset) in enumerate([(0.3, 0.0), (0.5, 0.01), (0.7, 0.02)]):
        xs = np.round(np.arange(0.0, 0.97, 0.05) + offset, 6)
        tasks[f"t{t}"] = _task(space, [{"x": float(x)} for x in xs], (xs - optimum) ** 2)
    return space, tasks


def test_surrogates_fill_in_configurations_other_tasks_did_not_evaluate():
    space, tasks = _disjoint_tasks()
    plain = ZeroShotTransfer(space, "loss", tasks, random_seed=0)
    # without surrogates a candidate helps only its own task: every task's best (sorted)
    assert [c["x"] for c in plain.portfolio] == pytest.approx([0.3, 0.51, 0.72])
    surrogate = ZeroShotTransfer(space, "loss", tasks, use_surrogates=True, random_seed=0)
    # with them, the first entry is good on average (near the middle optimum)
    assert abs(surrogate.portfolio[0]["x"] - 0.5) <= 0.06
    assert len(surrogate.portfolio) >= 2


def test_restrict_configurations_limits_the_candidates():
    restrict = [{"x": 0.1, "epochs": 3}, {"x": 0.5, "epochs": 3}, {"x": 0.2, "epochs": 3}, {"x": 0.3, "epochs": 3}]
    # the tasks evaluate 0.1, 0.2, 0.4, 0.5; 0.4 is not allowed, 0.3 not evaluated
    tasks = {name: _task(_X, _CANDIDATES[:2] + _CANDIDATES[3:], v[:2] + v[3:]) for name, v in _VALUES.items()}
    searcher = ZeroShotTransfer(
        _X, "loss", tasks, random_seed=0, points_to_evaluate=[], restrict_configurations=restrict
    )
    # candidates 0.1, 0.2, 0.5, ranked among themselves: a (0, .5, 1), b (1, .5, 0), c (.25, .25, 1);
    # 0.1 and 0.2 tie at 5/12 (0.1 first), then 0.5 lowers the loss to 1/12, then 0.2 does not help
    assert [c["x"] for c in searcher.portfolio] == [0.1, 0.5]
    configs = [c["x"] for c in _suggest(searcher, 6)]
    assert configs[:2] == [0.1, 0.5] and sorted(configs[2:]) == [0.2, 0.3]
    with_surrogates = ZeroShotTransfer(
        _X, "loss", tasks, use_surrogates=True, random_seed=0, points_to_evaluate=[], restrict_configurations=restrict
    )
    assert {c["x"] for c in with_surrogates.portfolio} <= {0.1, 0.2, 0.3, 0.5}
    assert sorted(c["x"] for c in _suggest(with_surrogates, 6)) == [0.1, 0.2, 0.3, 0.5]


def test_state_continues_inside_the_portfolio():
    searcher = ZeroShotTransfer(_X, "loss", _zero_shot_tasks(), random_seed=1, points_to_evaluate=[{"x": 0.4}])
    assert [c["x"] for c in _suggest(searcher, 2)] == [0.4, 0.3]
    clone = searcher.clone_from_state(pickle.loads(pickle.dumps(searcher.get_state())))
    twin = pickle.loads(pickle.dumps(searcher))
    rest = [c["x"] for c in _suggest(searcher, 4, first=2)]
    assert rest[:2] == [0.1, 0.5]
    assert [c["x"] for c in _suggest(clone, 4, first=2)] == rest
    assert [c["x"] for c in _suggest(twin, 4, first=2)] == rest


def test_scheduler_with_another_mode_is_refused():
    searcher = ZeroShotTransfer(_X, "loss", _zero_shot_tasks(), mode="min")
    with pytest.raises(InvalidParameterError, match="'mode'"):
        FIFOScheduler(_X, searcher=searcher, metric="loss", mode="max")


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"metric": "accuracy"}, "metric"),
        ({"metric": ["loss"]}, "metric"),
        ({"transfer_learning_evaluations": {}}, "transfer_learning_evaluations"),
        ({"transfer_learning_evaluations": None}, "transfer_learning_evaluations"),
        ({"sort_transfer_learning_evaluations": "yes"}, "sort_transfer_learning_evaluations"),
        ({"use_surrogates": 1}, "use_surrogates"),
        ({"mode": "maximize"}, "mode"),
        ({"config_space": dict(_X, y=uniform(0, 1))}, "transfer_learning_evaluations"),
        ({"config_space": {"x": choice([0.7, 0.8])}}, "transfer_learning_evaluations"),
    ],
)
def test_zero_shot_bad_arguments(kwargs, name):
    arguments = dict(config_space=_X, metric="loss", transfer_learning_evaluations=_zero_shot_tasks())
    arguments.update(kwargs)
    with pytest.raises(InvalidParameterError, match=f"'{name}'"):
        ZeroShotTransfer(**arguments)


# -- real data (one small test) --------------------------------------------------------


def test_real_blackbox_box_and_portfolio():
    from syne_tune.optimizer.schedulers.transfer_learning import transfer_learning_evaluations_from_blackbox

    try:
        tasks = transfer_learning_evaluations_from_blackbox("icml-xgboost", held_out_task="heart")
    except Exception as ex:  # pragma: no cover - the repository is not available
        pytest.skip(f"icml-xgboost not available: {ex}")
    space = next(iter(tasks.values())).configuration_space
    best = {t: e.top_k_hyperparameter_configurations(1, "min", "metric_error")[0] for t, e in tasks.items()}
    scheduler = BoundingBox(_random_search, space, "metric_error", tasks)
    frame = pd.DataFrame(list(best.values()))
    assert in_bounding_box(frame, scheduler.box_config_space).all()
    for trial_id in range(20):
        check_config_in_space(space, scheduler.suggest(trial_id).config)
    # tasks share no configuration: the portfolio is a best configuration of every task
    searcher = ZeroShotTransfer(space, "metric_error", tasks, random_seed=0, points_to_evaluate=[])
    ranges = make_hyperparameter_ranges(space)
    value_of = {}
    for name, evaluations in tasks.items():
        for config, y in zip(evaluations.configurations(), evaluations.final_objective_values("metric_error")):
            value_of[ranges.config_to_match_string(config)] = (name, y)
    owners = [value_of[ranges.config_to_match_string(c)] for c in searcher.portfolio]
    assert sorted(name for name, _ in owners) == sorted(tasks)
    for name, y in owners:
        assert y == np.nanmin(tasks[name].final_objective_values("metric_error"))


# -- contracts -----------------------------------------------------------------------


class _TransferContract(SchedulerContract):
    def _tasks(self, config_space, metric):
        return _sampled_tasks(config_space, metric=self.metric, num_tasks=3, num_configs=15)


class TestBoundingBoxASHA(_TransferContract):
    def make_scheduler(self, config_space, metric, mode, random_seed):
        def scheduler_fun(cs, mode, metric):
            return ASHA(cs, metric=metric, mode=mode, resource_attr="epoch", max_resource_attr="epochs",
                        random_seed=random_seed)

        return BoundingBox(
            scheduler_fun, config_space, metric, self._tasks(config_space, metric), mode=mode,
            num_hyperparameters_per_task=3,
        )


class TestBoundingBoxRandomSearch(_TransferContract):
    def make_scheduler(self, config_space, metric, mode, random_seed):
        return BoundingBox(
            lambda cs, mode, metric: _random_search(cs, mode, metric, seed=random_seed),
            config_space, metric, self._tasks(config_space, metric), mode=mode, num_hyperparameters_per_task=2,
        )


class TestFIFOZeroShotTransfer(_TransferContract):
    def make_scheduler(self, config_space, metric, mode, random_seed):
        searcher = ZeroShotTransfer(
            config_space, metric, self._tasks(config_space, metric), mode=mode, random_seed=random_seed
        )
        return FIFOScheduler(config_space, searcher=searcher, metric=metric, mode=mode, random_seed=random_seed)


class TestZeroShotTransferSearcher(SearcherContract):
    def make_searcher(self, config_space, metric, mode, random_seed, points_to_evaluate):
        tasks = _sampled_tasks(config_space, metric=self.metric, num_tasks=3, num_configs=6)
        return ZeroShotTransfer(
            config_space, metric, tasks, mode=mode, random_seed=random_seed, points_to_evaluate=points_to_evaluate
        )


class TestZeroShotTransferSurrogateSearcher(TestZeroShotTransferSearcher):
    def make_searcher(self, config_space, metric, mode, random_seed, points_to_evaluate):
        tasks = _sampled_tasks(config_space, metric=self.metric, num_tasks=3, num_configs=6)
        return ZeroShotTransfer(
            config_space, metric, tasks, mode=mode, random_seed=random_seed, points_to_evaluate=points_to_evaluate,
            use_surrogates=True,
        )
