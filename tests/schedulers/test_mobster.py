"""MOBSTER: HyperbandScheduler(searcher="bayesopt") with the multi-fidelity GP
searcher (syne_tune/optimizer/schedulers/searchers/bayesopt/gp_multifidelity_searcher.py)."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pytest

from sim_util import simulate
from syne_tune.config_space import choice, loguniform, uniform
from syne_tune.optimizer.baselines import MOBSTER, SyncMOBSTER
from syne_tune.optimizer.schedulers.hyperband import HyperbandScheduler
from syne_tune.optimizer.schedulers.searchers.bayesopt.gp_multifidelity_searcher import (
    CostAwareGPMultiFidelitySearcher,
    GPMultiFidelitySearcher,
    resource_for_acquisition_bohb,
)
from syne_tune.optimizer.schedulers.searchers.bayesopt.surrogate import GPModel, IndependentGPModel
from syne_tune.optimizer.schedulers.synchronous.hyperband import SynchronousGeometricHyperbandScheduler
from syne_tune.trial import Trial
from syne_tune.utils.validation import InvalidParameterError

pytest.importorskip("autograd")
pytest.importorskip("scipy")

SPACE = {"x": uniform(0.0, 1.0), "lr": loguniform(1e-3, 1.0), "act": choice(["a", "b"]), "epochs": 9}
SMALL = {"num_init_candidates": 50, "num_local_starts": 2, "num_local_steps": 3, "opt_maxiter": 10}


def mobster(seed=0, search_options=None, **kwargs):
    options = dict(SMALL, **(search_options or {}))
    return MOBSTER(
        SPACE, metric="y", resource_attr="epoch", max_resource_attr="epochs", random_seed=seed,
        search_options=options, **kwargs,
    )


def trial(tid, config):
    return Trial(tid, dict(config), datetime(2024, 1, 1))


def run_trial(scheduler, tid, epochs, value=lambda e: 1.0 / e):
    suggestion = scheduler.suggest(tid)
    t = trial(tid, suggestion.config)
    scheduler.on_trial_add(t)
    decisions = []
    for epoch in epochs:
        decisions.append(scheduler.on_trial_result(t, {"y": value(epoch), "epoch": epoch}))
    return t, decisions


# -- construction -----------------------------------------------------------------------


def test_hyperband_bayesopt_gives_the_multi_fidelity_searcher():
    scheduler = HyperbandScheduler(SPACE, searcher="bayesopt", metric="y", max_resource_attr="epochs")
    assert type(scheduler.searcher) is GPMultiFidelitySearcher
    assert scheduler.searcher.resource_attr == "epoch" and scheduler.searcher.max_t == 9
    cost = HyperbandScheduler(
        SPACE, searcher="bayesopt_cost", metric="y", max_resource_attr="epochs", type="cost_promotion", cost_attr="c"
    )
    assert type(cost.searcher) is CostAwareGPMultiFidelitySearcher
    assert cost.searcher.cost_attr == "total_c"  # summed over resumptions
    assert type(mobster().searcher) is GPMultiFidelitySearcher


@pytest.mark.parametrize(
    "model, kind", [("gp_multitask", GPModel), ("gp_independent", IndependentGPModel), ("gp_expdecay", GPModel)]
)
def test_each_model_runs_and_is_used(model, kind):
    scheduler = mobster(search_options={"model": model, "num_init_random": 3})
    result = simulate(scheduler, max_epochs=9, max_results=70, max_resource_attr="epochs")
    searcher = scheduler.searcher
    fitted = searcher._models["y"]
    assert isinstance(fitted, kind)
    if model == "gp_expdecay":
        assert fitted.kernel_name == "expdecay"
    assert result.num_started > 4 and np.isfinite(result.best)


def test_gp_issm_is_refused_clearly():
    with pytest.raises(InvalidParameterError, match="gp_issm.*not implemented.*gp_expdecay"):
        mobster(search_options={"model": "gp_issm"})
    with pytest.raises(InvalidParameterError, match="model"):
        mobster(search_options={"model": "gp_unknown"})
    with pytest.raises(InvalidParameterError, match="not implemented"):
        mobster(search_options={"gp_resource_kernel": "freeze-thaw"})


def test_baseline_arguments():
    with pytest.raises(ValueError, match="max_t"):
        MOBSTER(SPACE, metric="y", resource_attr="epoch")
    with pytest.raises(ValueError, match="bayesopt"):
        MOBSTER(SPACE, metric="y", resource_attr="epoch", max_t=9, searcher="random")


# -- data --------------------------------------------------------------------------------


@pytest.mark.parametrize("searcher_data, expected", [("rungs", [1, 3]), ("all", [1, 2, 3, 4])])
def test_learns_from_rung_results_by_trial_and_resource(searcher_data, expected):
    scheduler = mobster(searcher_data=searcher_data)
    searcher = scheduler.searcher
    run_trial(scheduler, 0, [1, 2, 3, 4])
    keys = sorted(o.resource for o in searcher.observations.observations())
    assert keys == expected
    assert searcher.dataset_size() == len(expected)
    run_trial(scheduler, 1, [1, 2, 3])
    assert searcher.dataset_size() == len(expected) + (2 if searcher_data == "rungs" else 3)
    assert {o.trial_id for o in searcher.observations.observations()} == {0, 1}


def test_pending_evaluations_at_milestones_are_registered_and_cleared():
    scheduler = mobster()
    store = scheduler.searcher.observations
    suggestion = scheduler.suggest(0)
    t = trial(0, suggestion.config)
    scheduler.on_trial_add(t)
    assert [(tid, r) for tid, r, _ in store.pending()] == [(0, 1)]
    assert scheduler.on_trial_result(t, {"y": 0.5, "epoch": 1}) == "CONTINUE"
    assert [(tid, r) for tid, r, _ in store.pending()] == [(0, 3)]  # next milestone
    scheduler.on_trial_result(t, {"y": 0.4, "epoch": 2})
    assert [(tid, r) for tid, r, _ in store.pending()] == [(0, 3)]
    scheduler.on_trial_result(t, {"y": 0.3, "epoch": 3})
    assert [(tid, r) for tid, r, _ in store.pending()] == [(0, 9)]
    scheduler.on_trial_complete(t, {"y": 0.3, "epoch": 3})
    assert store.pending() == []
    # a failed trial leaves no pending evaluation behind
    suggestion = scheduler.suggest(1)
    t1 = trial(1, suggestion.config)
    scheduler.on_trial_add(t1)
    assert store.num_pending() == 1
    scheduler.on_trial_error(t1)
    assert store.num_pending() == 0


def test_pending_evaluations_enter_the_model_as_fantasies():
    scheduler = mobster(search_options={"num_init_random": 2})
    for tid in range(3):
        run_trial(scheduler, tid, [1, 2, 3], value=lambda e, tid=tid: 1.0 / e + 0.1 * tid)
    scheduler.suggest(3)  # model-based: fitted with the pending evaluation of trial 3
    searcher = scheduler.searcher
    assert searcher.observations.num_pending() >= 1
    assert searcher._models["y"].is_fitted
    mean, _ = searcher._models["y"].predict(np.zeros((2, searcher._hp_ranges.ndarray_size)), resources=3)
    assert mean.ndim == 2  # one column per fantasy sample


def test_resource_for_acquisition_bohb_rule():
    assert resource_for_acquisition_bohb([1, 1, 1, 3, 3, 9], 3) == 1
    assert resource_for_acquisition_bohb([1, 1, 1, 3, 3, 3, 9], 3) == 3
    assert resource_for_acquisition_bohb([3, 9], 3) == 3  # none has 3: the smallest
    assert resource_for_acquisition_bohb([], 3) is None
    scheduler = mobster()
    searcher = scheduler.searcher
    for tid in range(4):  # each better than the ones before: none is stopped
        run_trial(scheduler, tid, [1, 2, 3], value=lambda e, tid=tid: 1.0 / e - 0.1 * tid)
    # 4 observations at 1 and at 3 (searcher_data="rungs"): r_acq = 3
    assert searcher.resource_for_acquisition() == 3
    assert searcher.best_value_at(3) == pytest.approx(1.0 / 3 - 0.3)
    searcher.resource_acq = "first"
    assert searcher.resource_for_acquisition() == 1
    searcher.resource_acq = "final"
    assert searcher.resource_for_acquisition() == 9
    assert searcher.best_value_at(9) == pytest.approx(1.0 / 3 - 0.3)  # nothing at 9: best anywhere


def test_mode_max_signs_the_metric():
    scheduler = mobster(mode="max")
    run_trial(scheduler, 0, [1], value=lambda e: 0.7)
    assert [o.outputs["y"] for o in scheduler.searcher.observations.observations()] == [-0.7]


# -- determinism and state -----------------------------------------------------------------


def test_same_seed_same_decisions():
    a = simulate(mobster(seed=3), max_epochs=9, max_results=60, max_resource_attr="epochs")
    b = simulate(mobster(seed=3), max_epochs=9, max_results=60, max_resource_attr="epochs")
    assert a.decisions == b.decisions and a.trials == b.trials


def _drive(searcher, tid, config, epochs):
    for epoch in epochs:
        result = {"y": float(config["x"]) + 1.0 / epoch, "epoch": epoch}
        searcher.on_trial_result(tid, config, result, update=True)


def test_clone_from_state_continues_identically():
    def make():
        scheduler = mobster(seed=5, search_options={"num_init_random": 2})
        return scheduler.searcher

    a, b = make(), make()
    for tid in range(5):
        configs = [s.get_config(trial_id=tid) for s in (a, b)]
        assert configs[0] == configs[1]
        for s in (a, b):
            s.register_pending(tid, configs[0], milestone=3)
            _drive(s, tid, configs[0], [1, 3])
    pending = a.get_config(trial_id=5)
    assert pending == b.get_config(trial_id=5)
    for s in (a, b):
        s.register_pending(5, pending, milestone=1)
    b = b.clone_from_state(b.get_state())
    for tid in range(6, 10):
        configs = [s.get_config(trial_id=tid) for s in (a, b)]
        assert configs[0] == configs[1]
        for s in (a, b):
            s.register_pending(tid, configs[0], milestone=1)
            _drive(s, tid, configs[0], [1])
    assert a.dataset_size() == b.dataset_size()
    # the models draw their fantasies from the searcher's random state, in both
    assert a.random_state.randint(2**31) == b.random_state.randint(2**31)


# -- end to end ------------------------------------------------------------------------------


def test_simulated_run_end_to_end_finds_good_configs():
    # the curves cross: the best final value needs x near 0.3
    scheduler = mobster(seed=1, search_options={"num_init_random": 4})
    result = simulate(scheduler, max_epochs=9, max_results=200, max_resource_attr="epochs")
    assert result.num_started > 20
    assert result.best < 0.05
    assert scheduler.searcher.dataset_size() >= result.num_started


def test_promotion_type_end_to_end():
    scheduler = mobster(seed=2, type="promotion")
    result = simulate(scheduler, max_epochs=9, max_results=120, max_resource_attr="epochs")
    assert result.num_paused > 0 and result.num_resumed > 0
    assert scheduler.searcher.observations.num_pending() <= 4


def test_cost_aware_mobster_end_to_end():
    scheduler = mobster(seed=0, searcher="bayesopt_cost", type="cost_promotion", cost_attr="cost")
    result = simulate(
        scheduler, max_epochs=9, max_results=80, max_resource_attr="epochs",
        extra_result=lambda config, epoch: {"cost": (1.0 + 3.0 * config["x"]) * epoch},
    )
    searcher = scheduler.searcher
    assert isinstance(searcher, CostAwareGPMultiFidelitySearcher)
    assert set(searcher._models) == {"y", "log_total_cost"}
    assert result.num_resumed > 0


def test_sync_mobster_uses_the_multi_fidelity_searcher():
    scheduler = SyncMOBSTER(
        SPACE, metric="y", resource_attr="epoch", max_resource_attr="epochs", random_seed=0, search_options=SMALL
    )
    assert isinstance(scheduler, SynchronousGeometricHyperbandScheduler)
    searcher = scheduler.searcher
    assert type(searcher) is GPMultiFidelitySearcher and searcher.model == "gp_independent"
    assert searcher.resource_attr == "epoch" and searcher.max_t == 9
    assert searcher.rung_levels == [1, 3]  # known once the brackets are built
    result = simulate(scheduler, max_epochs=9, max_results=120, max_resource_attr="epochs")
    # learns from the results at slot levels only (searcher_data="rungs")
    assert {o.resource for o in searcher.observations.observations()} <= {1, 3, 9}
    assert searcher.dataset_size() > 0 and result.num_resumed > 0
    # a pending evaluation per running trial at most
    assert searcher.observations.num_pending() <= 4
    assert isinstance(searcher._models["y"], IndependentGPModel)


def test_sync_mobster_registers_and_clears_pending_evaluations():
    scheduler = SyncMOBSTER(SPACE, metric="y", resource_attr="epoch", max_resource_attr="epochs", random_seed=0)
    store = scheduler.searcher.observations
    t0 = trial(0, scheduler.suggest(0).config)
    scheduler.on_trial_add(t0)
    assert [(tid, r) for tid, r, _ in store.pending()] == [(0, 1)]  # the slot's level
    assert scheduler.on_trial_result(t0, {"y": 1.0, "epoch": 1}) == "PAUSE"
    assert store.pending() == [] and [(o.trial_id, o.resource) for o in store.observations()] == [(0, 1)]
    t1 = trial(1, scheduler.suggest(1).config)
    scheduler.on_trial_add(t1)
    scheduler.on_trial_remove(t1)  # stopped by someone else while pending
    assert store.pending() == []
    t2 = trial(2, scheduler.suggest(2).config)
    scheduler.on_trial_add(t2)
    scheduler.on_trial_result(t2, {"y": 1.0, "epoch": 2})  # jumps over the slot's level 1
    assert store.pending() == []


def test_pending_evaluation_of_a_skipped_rung_is_cleared():
    scheduler = mobster()
    store = scheduler.searcher.observations
    t = trial(0, scheduler.suggest(0).config)
    scheduler.on_trial_add(t)
    scheduler.on_trial_result(t, {"y": 1.0, "epoch": 1})
    assert [(tid, r) for tid, r, _ in store.pending()] == [(0, 3)]
    scheduler.on_trial_result(t, {"y": 0.9, "epoch": 4})  # recorded at rung 3
    assert [(tid, r) for tid, r, _ in store.pending()] == [(0, 9)]
