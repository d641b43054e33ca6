"""Hyper-Tune (searchers/bayesopt/hypertune.py) and DyHPO
(searchers/bayesopt/dyhpo.py, multifidelity/dyhpo_rung_system.py)."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pytest

from sim_util import simulate
from syne_tune.config_space import choice, uniform
from syne_tune.optimizer.baselines import DyHPO, HyperTune
from syne_tune.optimizer.scheduler import SchedulerDecision
from syne_tune.optimizer.schedulers.hyperband import HyperbandScheduler
from syne_tune.optimizer.schedulers.multifidelity import RUNG_SYSTEMS, DyHPORungSystem
from syne_tune.optimizer.schedulers.searchers.bayesopt.dyhpo import DynamicHPOSearcher
from syne_tune.optimizer.schedulers.searchers.bayesopt.hypertune import (
    EnsemblePredictor,
    HyperTuneBracketDistribution,
    HyperTuneSearcher,
    hypertune_bracket_probabilities,
    hypertune_weights,
    ranking_loss,
)
from syne_tune.trial import Trial
from syne_tune.utils.validation import InvalidParameterError

pytest.importorskip("autograd")
pytest.importorskip("scipy")

SMALL = {"num_init_candidates": 50, "num_local_starts": 2, "num_local_steps": 3, "opt_maxiter": 10}


def trial(tid, config):
    return Trial(tid, dict(config), datetime(2024, 1, 1))


# -- Hyper-Tune: formulas ------------------------------------------------------------------


def test_ranking_loss_counts_discordant_pairs():
    targets = np.array([0.1, 0.2, 0.3, 0.4])
    samples = np.array([[1.0, 2.0, 3.0, 4.0], [4.0, 3.0, 2.0, 1.0], [2.0, 1.0, 3.0, 4.0]])
    np.testing.assert_allclose(ranking_loss(samples, targets), [0.0, 1.0, 1.0 / 6.0])


def test_weights_are_a_probability_vector_counting_wins():
    losses = np.array([[0.1, 0.5, 0.2, 0.3], [0.2, 0.1, 0.2, 0.4], [0.3, 0.3, 0.6, 0.3]])
    theta = hypertune_weights(losses)
    assert np.all(theta >= 0) and theta.sum() == pytest.approx(1.0)
    # wins (ties count for each): level 0 in samples 0, 2, 3; level 1 in 1, 2; level 2 in 3
    np.testing.assert_allclose(theta, np.array([3.0, 2.0, 1.0]) / 6.0)


def test_bracket_probabilities_replace_the_head_of_the_default():
    default = np.array([0.5, 0.3, 0.2])
    # theta over the first two levels [1, 3]; the tail keeps its default mass
    probs = hypertune_bracket_probabilities(np.array([0.25, 0.75]), [1, 3, 9], default)
    head = np.array([0.25 / 1, 0.75 / 3])
    np.testing.assert_allclose(probs, np.r_[0.8 * head / head.sum(), 0.2])
    full = hypertune_bracket_probabilities(np.array([0.0, 0.0, 1.0]), [1, 3, 9], default)
    np.testing.assert_allclose(full, [0.0, 0.0, 1.0])


class _FixedModel:
    def __init__(self, per_level):
        self.per_level = per_level

    def predict(self, X, resources=None):
        return self.per_level[int(resources)]


def test_ensemble_predictive_distribution():
    model = _FixedModel(
        {1: (np.array([1.0, 2.0]), np.array([1.0, 2.0])), 3: (np.array([3.0, 0.0]), np.array([2.0, 1.0]))}
    )
    mean, std = EnsemblePredictor(model, {1: 0.25, 3: 0.75}).predict(np.zeros((2, 1)))
    np.testing.assert_allclose(mean, [0.25 * 1 + 0.75 * 3, 0.25 * 2])
    np.testing.assert_allclose(std, np.sqrt([0.0625 * 1 + 0.5625 * 4, 0.0625 * 4 + 0.5625 * 1]))
    # fantasy samples (columns) mix with single predictions
    model.per_level[3] = (np.array([[3.0, 5.0], [0.0, 2.0]]), np.array([2.0, 1.0]))
    mean, _ = EnsemblePredictor(model, {1: 0.5, 3: 0.5}).predict(np.zeros((2, 1)))
    np.testing.assert_allclose(mean, [[2.0, 3.0], [1.0, 2.0]])


# -- Hyper-Tune: learned weights --------------------------------------------------------------


SPACE27 = {"x": uniform(0.0, 1.0), "z": uniform(0.0, 1.0), "epochs": 27}


def _hypertune(seed=0, **kwargs):
    return HyperTune(
        SPACE27, metric="y", resource_attr="epoch", max_resource_attr="epochs", random_seed=seed,
        search_options=dict(SMALL, num_init_random=2), points_to_evaluate=[], **kwargs,
    )


@pytest.mark.parametrize("informative", [1, 3])
def test_weights_favour_the_rung_that_ranks_like_the_top(informative):
    scheduler = _hypertune()
    searcher = scheduler.searcher
    assert searcher.hypertune_levels() == [1, 3, 9, 27]
    rs = np.random.RandomState(0)

    def g(c):
        return (c["x"] - 0.3) ** 2 + 0.5 * c["z"]

    noise = 4 - informative  # the other one of levels 1 and 3
    for tid in range(30):
        config = {"x": float(rs.rand()), "z": float(rs.rand()), "epochs": 27}
        # one of levels 1, 3 is pure noise, the other ranks like the top level 9
        searcher.on_trial_result(tid, config, {"y": g(config), "epoch": informative}, update=True)
        searcher.on_trial_result(tid, config, {"y": float(rs.rand()), "epoch": noise}, update=True)
        if tid < 8:
            searcher.on_trial_result(tid, config, {"y": g(config) + 0.01 * rs.randn(), "epoch": 9}, update=True)
    searcher._num_random_left = 0
    searcher.get_config(trial_id=100)  # fits the models and the weights
    theta = np.asarray(searcher.hypertune_theta)
    assert theta.shape == (3,)  # levels 1, 3, 9 (9 has >= 6 observations, 27 none)
    assert theta.sum() == pytest.approx(1.0) and np.all(theta >= 0)
    pos = {1: 0, 3: 1}
    assert theta[pos[informative]] > 0.3
    assert theta[pos[noise]] < 0.05
    weights = searcher.current_ensemble_weights()
    assert sum(weights.values()) == pytest.approx(1.0) and noise not in weights
    # the scheduler samples brackets from the learned distribution
    distribution = scheduler.bracket_manager.bracket_distribution
    assert isinstance(distribution, HyperTuneBracketDistribution)
    probs = distribution()
    assert probs.shape == (4,) and probs.sum() == pytest.approx(1.0)
    assert probs[pos[noise]] < 0.05 and probs[pos[informative]] > 0.3


def test_hypertune_baseline_end_to_end():
    scheduler = _hypertune(seed=1)
    assert isinstance(scheduler.searcher, HyperTuneSearcher)
    assert scheduler.brackets == 4  # all brackets by default
    assert scheduler.searcher.model == "gp_independent"
    result = simulate(scheduler, max_epochs=27, max_results=200, max_resource_attr="epochs")
    assert result.num_started > 5
    theta = scheduler.searcher.hypertune_theta
    assert theta is not None and sum(theta) == pytest.approx(1.0)
    brackets = set(scheduler.bracket_manager.trial_bracket.values())
    assert len(brackets) > 1
    with pytest.raises(ValueError, match="gp_expdecay"):
        HyperTune(SPACE27, metric="y", resource_attr="epoch", max_t=27, search_options={"model": "gp_expdecay"})


def test_hypertune_with_multitask_model():
    scheduler = HyperTune(
        SPACE27, metric="y", resource_attr="epoch", max_resource_attr="epochs", random_seed=0,
        search_options=dict(SMALL, model="gp_multitask", num_init_random=2, hypertune_distribution_num_samples=10),
    )
    simulate(scheduler, max_epochs=27, max_results=150, max_resource_attr="epochs")
    assert scheduler.searcher.hypertune_theta is not None


# -- DyHPO ---------------------------------------------------------------------------------------

SPACE9 = {"x": uniform(0.0, 1.0), "act": choice(["a", "b"]), "epochs": 9}


def _dyhpo(seed=0, probability_sh=0.0, **kwargs):
    return DyHPO(
        SPACE9, metric="y", resource_attr="epoch", max_resource_attr="epochs", random_seed=seed,
        probability_sh=probability_sh, search_options=dict(SMALL, num_init_random=3), points_to_evaluate=[],
        **kwargs,
    )


def test_dyhpo_baseline_configuration():
    scheduler = DyHPO(SPACE9, metric="y", resource_attr="epoch", max_resource_attr="epochs")
    assert "dyhpo" in RUNG_SYSTEMS
    assert scheduler.scheduler_type == "dyhpo" and scheduler.rung_levels == [1, 3, 5, 7]
    assert isinstance(scheduler.rung_system, DyHPORungSystem)
    assert scheduler.rung_system.probability_sh == 0.25
    searcher = scheduler.searcher
    assert isinstance(searcher, DynamicHPOSearcher)
    assert searcher.model_options["opt_skip_period"] == 3
    assert _dyhpo(probability_sh=0.7).rung_system.probability_sh == 0.7
    with pytest.raises(InvalidParameterError, match="gp_independent"):
        DyHPO(SPACE9, metric="y", resource_attr="epoch", max_t=9, search_options={"model": "gp_independent"})
    with pytest.raises(InvalidParameterError, match="type='dyhpo'"):
        HyperbandScheduler(SPACE9, searcher="dyhpo", metric="y", max_t=9)
    with pytest.raises(InvalidParameterError, match="searcher='dyhpo'"):
        HyperbandScheduler(SPACE9, type="dyhpo", metric="y", max_t=9)
    with pytest.raises(InvalidParameterError, match="probability_sh"):
        _dyhpo(probability_sh=1.5)


def _pause_at_first_rung(scheduler, configs, values):
    """Starts one trial per config (in this order); each reports epoch 1
    with its value and is paused there."""
    scheduler.searcher._points_to_evaluate.extend(dict(c, epochs=9) for c in configs)
    trials = {}
    for tid in range(len(configs)):
        suggestion = scheduler.suggest(tid)
        assert suggestion.spawn_new_trial_id and suggestion.config["x"] == configs[tid]["x"]
        trials[tid] = trial(tid, suggestion.config)
        scheduler.on_trial_add(trials[tid])
    for tid, value in enumerate(values):
        assert scheduler.on_trial_result(trials[tid], {"y": value, "epoch": 1}) == SchedulerDecision.PAUSE
        scheduler.on_trial_remove(trials[tid])
    scheduler.searcher._num_random_left = 0
    return trials


def test_dyhpo_resumes_a_clearly_good_paused_trial():
    scheduler = _dyhpo()
    # the space is covered; one configuration is far better than all others
    configs = [{"x": x, "act": act} for act in ("a", "b") for x in np.linspace(0.0, 1.0, 11).tolist()]
    good = 5  # x = 0.5, act = "a"
    values = [0.01 if tid == good else 1.0 + 0.05 * np.sin(7.0 * tid) for tid in range(len(configs))]
    _pause_at_first_rung(scheduler, configs, values)
    suggestion = scheduler.suggest(len(configs))
    assert not suggestion.spawn_new_trial_id and suggestion.checkpoint_trial_id == good
    assert suggestion.config["epochs"] == 3  # resumed up to the next rung level
    num_paused, num_new, winner = scheduler.searcher.last_comparison
    assert (num_paused, winner) == (len(configs), good) and num_new >= 50
    assert scheduler.rung_system.schedule_records[-1] == (good, "promoted_by_dyhpo", 3)


def test_dyhpo_starts_new_configurations_when_the_paused_ones_are_poor():
    scheduler = _dyhpo(seed=1)
    # a trend over x: the paused trials (all at large x) are much worse than
    # what the model expects at small x
    configs = [{"x": x, "act": "a"} for x in (0.9, 0.8, 0.85, 0.95)]
    _pause_at_first_rung(scheduler, configs, [10.0 * c["x"] for c in configs])
    suggestion = scheduler.suggest(4)
    assert suggestion.spawn_new_trial_id
    assert suggestion.config["x"] < 0.8
    assert scheduler.rung_system.schedule_records[-1] == (4, "started_by_dyhpo", 1)


def test_probability_sh_one_is_successive_halving_promotion():
    scheduler = _dyhpo(probability_sh=1.0)

    def fail(*args, **kwargs):
        raise AssertionError("the DyHPO comparison must not be used with probability_sh=1")

    scheduler.searcher.score_paused_trials_and_new_configs = fail
    result = simulate(scheduler, max_epochs=9, max_results=120, max_resource_attr="epochs")
    counts = scheduler.rung_system.summary_schedule_records()
    assert counts["promoted_by_dyhpo"] == counts["started_by_dyhpo"] == 0
    assert counts["promoted_by_sh"] == result.num_resumed > 0
    assert counts["started_by_sh"] == result.num_started


def test_dyhpo_end_to_end_hybrid():
    scheduler = _dyhpo(seed=2, probability_sh=0.25)
    result = simulate(scheduler, max_epochs=9, max_results=150, max_resource_attr="epochs")
    counts = scheduler.rung_system.summary_schedule_records()
    assert counts["promoted_by_dyhpo"] + counts["promoted_by_sh"] == result.num_resumed
    assert counts["started_by_dyhpo"] == result.num_started
    assert result.num_resumed > 0 and np.isfinite(result.best)
    assert scheduler.searcher.observations.num_pending() <= 4
