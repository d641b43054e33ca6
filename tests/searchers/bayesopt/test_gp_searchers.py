"""GP searchers for FIFO scheduling: fantasizing, constraints, cost,
state, robustness."""

import logging
import pickle
import warnings
from datetime import datetime

import numpy as np
import pytest

pytest.importorskip("autograd")
pytest.importorskip("scipy")

from syne_tune.config_space import choice, loguniform, randint, uniform  # noqa: E402
from syne_tune.optimizer.baselines import BayesianOptimization, ConstrainedBayesianOptimization  # noqa: E402
from syne_tune.optimizer.schedulers.ask_tell_scheduler import AskTellScheduler  # noqa: E402
from syne_tune.optimizer.schedulers.fifo import FIFOScheduler  # noqa: E402
from syne_tune.optimizer.schedulers.searchers.bayesopt.gp_searcher import (  # noqa: E402
    ConstrainedGPFIFOSearcher,
    CostAwareGPFIFOSearcher,
    GPFIFOSearcher,
)
from syne_tune.trial import Trial  # noqa: E402
from syne_tune.utils.validation import InvalidParameterError  # noqa: E402

SPACE = {"x": uniform(0.0, 1.0), "y": uniform(0.0, 1.0)}


def branin_like(config):
    x, y = config["x"], config["y"]
    return (x - 0.3) ** 2 + (y - 0.7) ** 2 + 0.1 * np.sin(8 * x)


def _trial(tid, config):
    return Trial(trial_id=tid, config=config, creation_time=datetime.now())


def _observe(searcher, n, objective=branin_like, extra=None, start=0):
    for tid in range(start, start + n):
        config = searcher.get_config(trial_id=tid)
        searcher.register_pending(tid, config=config)
        result = {"loss": objective(config)}
        if extra:
            result.update(extra(config))
        searcher.on_trial_result(tid, config, result, update=True)


def _spread(configs):
    X = np.array([[c["x"], c["y"]] for c in configs])
    d = np.sqrt(((X[:, None, :] - X[None, :, :]) ** 2).sum(-1))
    return d[np.triu_indices(len(X), 1)].mean()


def _concurrent(no_fantasizing, seed):
    searcher = GPFIFOSearcher(
        SPACE, metric="loss", random_seed=seed, points_to_evaluate=[], no_fantasizing=no_fantasizing
    )
    _observe(searcher, 10)
    configs = []
    for tid in range(10, 14):  # 4 workers ask before any of them reports
        config = searcher.get_config(trial_id=tid)
        searcher.register_pending(tid, config=config)
        configs.append(config)
    return configs


def test_fantasizing_spreads_concurrent_suggestions():
    with_f = [_spread(_concurrent(False, seed)) for seed in range(4)]
    without = [_spread(_concurrent(True, seed)) for seed in range(4)]
    assert np.mean(with_f) > 1.5 * np.mean(without)


def test_pending_evaluations_enter_and_leave_the_model():
    searcher = GPFIFOSearcher(SPACE, metric="loss", random_seed=0, points_to_evaluate=[])
    _observe(searcher, 6)
    config = searcher.get_config(trial_id=6)
    searcher.register_pending(6, config=config)
    assert searcher.observations.num_pending() == 1
    searcher.evaluation_failed(6)
    assert searcher.observations.num_pending() == 0
    config = searcher.get_config(trial_id=7)
    searcher.register_pending(7, config=config)
    searcher.on_trial_result(7, config, {"loss": 0.5}, update=True)
    assert searcher.observations.num_pending() == 0 and searcher.dataset_size() == 7


def test_state_round_trip_continues_identically():
    searcher = GPFIFOSearcher(SPACE, metric="loss", random_seed=3, points_to_evaluate=[])
    _observe(searcher, 8)
    pending = searcher.get_config(trial_id=8)
    searcher.register_pending(8, config=pending)
    clone = pickle.loads(pickle.dumps(searcher)).clone_from_state(searcher.get_state())
    for tid in range(9, 13):
        a, b = searcher.get_config(trial_id=tid), clone.get_config(trial_id=tid)
        assert a == b
        for s in (searcher, clone):
            s.register_pending(tid, config=a)
            s.on_trial_result(tid, a, {"loss": branin_like(a)}, update=True)
    assert searcher.dataset_size() == clone.dataset_size() == 12
    assert searcher.model_parameters() == clone.model_parameters()


def test_ask_tell_save_restore_continues():
    def make():
        return AskTellScheduler(BayesianOptimization(SPACE, metric="loss", random_seed=1, points_to_evaluate=[]))

    ask_tell = make()
    for _ in range(6):
        trial = ask_tell.ask()
        ask_tell.tell(trial, {"loss": branin_like(trial.config)})
    restored = pickle.loads(pickle.dumps(ask_tell))
    for _ in range(3):
        a, b = ask_tell.ask(), restored.ask()
        assert a.config == b.config
        ask_tell.tell(a, {"loss": branin_like(a.config)})
        restored.tell(b, {"loss": branin_like(b.config)})


def test_constrained_bo_prefers_feasible_points():
    # optimum of the loss at x = 0.9, but only x <= 0.4 is feasible
    space = {"x": uniform(0.0, 1.0)}

    def run(scheduler):
        ask_tell = AskTellScheduler(scheduler)
        feasible = []
        for _ in range(16):
            trial = ask_tell.ask()
            x = trial.config["x"]
            ask_tell.tell(trial, {"loss": (x - 0.9) ** 2, "c": x - 0.4})
            feasible.append(x <= 0.41)  # CEI settles at the boundary x = 0.4
        return np.mean(feasible[6:])

    kw = dict(metric="loss", points_to_evaluate=[])
    cbo = np.mean([run(ConstrainedBayesianOptimization(space, constraint_attr="c", random_seed=s, **kw)) for s in range(3)])
    bo = np.mean([run(BayesianOptimization(space, random_seed=s, **kw)) for s in range(3)])
    assert cbo > 0.6 and cbo > bo + 0.3


def test_constrained_searcher_needs_the_constraint():
    searcher = ConstrainedGPFIFOSearcher(SPACE, metric="loss", constraint_attr="c", random_seed=0)
    with pytest.raises(ValueError, match="constraint 'c'"):
        searcher.on_trial_result(0, {"x": 0.1, "y": 0.1}, {"loss": 1.0}, update=True)
    with pytest.raises(ValueError, match="constraint_attr"):
        ConstrainedGPFIFOSearcher(SPACE, metric="loss", constraint_attr="loss")
    scheduler = FIFOScheduler(SPACE, searcher="bayesopt_constrained", metric="loss", search_options={"constraint_attr": "c"})
    assert isinstance(scheduler.searcher, ConstrainedGPFIFOSearcher)


def test_cost_aware_search_prefers_cheap_points_at_equal_promise():
    # loss flat in y, cost grows steeply with y: EI per unit cost favours small y
    searcher = CostAwareGPFIFOSearcher(SPACE, metric="loss", cost_attr="cost", random_seed=0, points_to_evaluate=[])
    _observe(searcher, 12, objective=lambda c: (c["x"] - 0.5) ** 2, extra=lambda c: {"cost": np.exp(6 * c["y"])})
    ys = []
    for tid in range(12, 18):
        config = searcher.get_config(trial_id=tid)
        searcher.register_pending(tid, config=config)
        searcher.on_trial_result(tid, config, {"loss": (config["x"] - 0.5) ** 2, "cost": np.exp(6 * config["y"])}, update=True)
        ys.append(config["y"])
    assert np.mean(ys) < 0.3
    scheduler = FIFOScheduler(SPACE, searcher="bayesopt_cost", metric="loss", search_options={"cost_attr": "cost"})
    assert isinstance(scheduler.searcher, CostAwareGPFIFOSearcher)


def test_lcb_acquisition_and_option_checks():
    searcher = GPFIFOSearcher(SPACE, metric="loss", random_seed=0, acq_function="lcb", acq_function_kwargs={"kappa": 2.0})
    _observe(searcher, 8)
    with pytest.raises(ValueError, match="acq_function_kwargs"):
        GPFIFOSearcher(SPACE, metric="loss", acq_function_kwargs={"kappa": 2.0})
    with pytest.raises(InvalidParameterError, match="num_init_candidate"):
        FIFOScheduler(SPACE, searcher="bayesopt", metric="loss", search_options={"num_init_candidate": 5})
    with pytest.raises(InvalidParameterError, match="multi-fidelity"):
        FIFOScheduler(SPACE, searcher="hypertune", metric="loss")


@pytest.mark.parametrize(
    "case",
    ["duplicates", "ties", "single", "nan", "huge", "tiny", "all_failed", "mixed_space"],
)
def test_robustness(case, caplog):
    space = dict(SPACE)
    if case == "mixed_space":
        space = {"lr": loguniform(1e-6, 1.0), "n": randint(1, 3), "act": choice(["a", "b"]), "x": uniform(0, 1)}
    searcher = GPFIFOSearcher(
        space, metric="loss", random_seed=0, points_to_evaluate=[], num_init_random=1, allow_duplicates=(case == "duplicates")
    )
    rs = np.random.RandomState(0)
    fixed = searcher.get_config(trial_id=-1)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with caplog.at_level(logging.WARNING):
            for tid in range(12):
                config = searcher.get_config(trial_id=tid)
                assert config is not None
                if case == "duplicates":
                    config = fixed
                searcher.register_pending(tid, config=config)
                if case == "all_failed":
                    searcher.evaluation_failed(tid)
                    continue
                if case == "single" and tid > 0:
                    searcher.cleanup_pending(tid)
                    continue
                value = {
                    "ties": 1.0,
                    "nan": float("nan") if tid % 2 else rs.rand(),
                    "huge": 1e12 * rs.rand(),
                    "tiny": 1e-12 * rs.rand(),
                }.get(case, rs.rand())
                searcher.on_trial_result(tid, config, {"loss": value}, update=True)
    for _, params in searcher.model_parameters().items() if isinstance(searcher.model_parameters(), dict) else []:
        assert np.all(np.isfinite(np.asarray(params, dtype=float)))
    if case == "nan":
        assert "non-finite" in caplog.text
