"""Speculative early checkpoint removal for promotion-type Hyperband:
the resume probability, the estimators of p_r, the removal rule and a run
with the Tuner."""

import itertools
from fractions import Fraction
from types import SimpleNamespace

import numpy as np
import pytest

from checkpoint_backend import CheckpointBackend, RecordingBackend
from syne_tune import StoppingCriterion, Tuner
from syne_tune.callbacks import HyperbandRemoveCheckpointsCallback, RemoveCheckpointsCallback, default_callbacks
from syne_tune.callbacks.hyperband_remove_checkpoints_callback import BetaBinomialEstimator
from syne_tune.callbacks.hyperband_remove_checkpoints_score import probabilities_of_getting_resumed
from syne_tune.config_space import uniform
from syne_tune.optimizer.scheduler import SchedulerDecision
from syne_tune.optimizer.schedulers import HyperbandScheduler
from syne_tune.trial import Trial
from syne_tune.tuner_callback import TunerCallback
from syne_tune.utils.validation import InvalidParameterError

C, P, S = SchedulerDecision.CONTINUE, SchedulerDecision.PAUSE, SchedulerDecision.STOP


# -- probability of getting resumed ----------------------------------------------------


def exact_resume_probability(k, n, alpha, p, horizon):
    """Enumerates all outcomes of the next ``horizon`` arrivals (1 = ranks
    better): resumed iff at some point rank <= alpha * size."""
    alpha = Fraction(alpha)
    total = 0.0
    for outcome in itertools.product((0, 1), repeat=horizon):
        better = 0
        resumed = k <= alpha * n
        for m, x in enumerate(outcome, start=1):
            better += x
            resumed = resumed or k + better <= alpha * (n + m)
        if resumed:
            total += p ** sum(outcome) * (1 - p) ** (horizon - sum(outcome))
    return total


@pytest.mark.parametrize(
    "k, n, alpha, p, time_ratio",
    [
        (3, 6, Fraction(1, 3), 0.3, 1.0),
        (5, 6, Fraction(1, 3), 0.2, 2.0),
        (4, 4, Fraction(1, 2), 0.4, 2.5),
        (2, 3, Fraction(1, 3), 0.1, 3.0),
        (3, 8, Fraction(1, 4), 0.25, 1.5),
    ],
)
def test_probability_matches_enumeration(k, n, alpha, p, time_ratio):
    horizon = int(np.ceil(n * time_ratio))
    expected = exact_resume_probability(k, n, alpha, p, horizon)
    got = probabilities_of_getting_resumed(
        np.array([k]), np.array([n]), np.array([float(alpha)]), np.array([p]), time_ratio, approx_steps=horizon
    )
    assert got[0] == pytest.approx(expected, abs=1e-12)


def test_probability_by_hand_and_properties():
    # k = 3 of n = 6, alpha = 1/3: C = 1, checkpoints after 3 and 6 arrivals;
    # horizon 6: P = (1-p)^3 + 3 p (1-p)^2 (1-p)^3
    p = 0.3
    by_hand = (1 - p) ** 3 + 3 * p * (1 - p) ** 5
    got = probabilities_of_getting_resumed(np.array([3.0]), np.array([6.0]), np.array([1 / 3]), np.array([p]), 1.0, 25)
    assert got[0] == pytest.approx(by_hand)
    ranks = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    args = dict(rung_lens=np.full(6, 6.0), prom_quants=np.full(6, 1 / 3), p_vals=np.full(6, 0.3))
    probs = probabilities_of_getting_resumed(ranks, time_ratio=2.0, approx_steps=25, **args)
    assert probs[0] == probs[1] == 1.0  # already promotable: rank <= 2
    assert np.all(np.diff(probs) <= 1e-15)  # worse rank: less likely
    # more time left, or fewer better arrivals: more likely
    assert np.all(probabilities_of_getting_resumed(ranks, time_ratio=5.0, approx_steps=25, **args) >= probs - 1e-15)
    args_low_p = dict(args, p_vals=np.full(6, 0.1))
    assert np.all(probabilities_of_getting_resumed(ranks, time_ratio=2.0, approx_steps=25, **args_low_p) >= probs)
    # truncation gives a lower bound which grows with approx_steps
    few = probabilities_of_getting_resumed(ranks, time_ratio=20.0, approx_steps=2, **args)
    many = probabilities_of_getting_resumed(ranks, time_ratio=20.0, approx_steps=30, **args)
    assert np.all(few <= many + 1e-15) and np.any(few < many)
    with pytest.raises(ValueError, match="approx_steps"):
        probabilities_of_getting_resumed(ranks, time_ratio=2.0, approx_steps=0, **args)


def test_beta_binomial_estimator():
    est = BetaBinomialEstimator(beta_mean=0.25, beta_size=4)
    assert est.posterior_mean() == pytest.approx(0.25)
    est.update([True, False, False, True, True, True])
    # (a + ones) / (size + total) with a = 1
    assert est.posterior_mean() == pytest.approx((1 + 4) / (4 + 6))
    assert (est.num_one, est.num_total) == (4, 6)


# -- the rule, hooks called directly -------------------------------------------------------


SPACE = {"x": uniform(0, 1), "epochs": 9}


def make_scheduler(mode="min"):
    return HyperbandScheduler(SPACE, metric="y", mode=mode, type="promotion", max_resource_attr="epochs",
                              random_seed=0, early_checkpoint_removal_kwargs={"max_num_checkpoints": 3})


def make_callback(sched, wallclock=10.0, **kwargs):
    callback = sched.callback_for_checkpoint_removal(StoppingCriterion(max_wallclock_time=100))
    for key, value in kwargs.items():
        setattr(callback, key, value)
    tuner = SimpleNamespace(scheduler=sched, trial_backend=RecordingBackend(), n_workers=1,
                            tuning_status=SimpleNamespace(wallclock_time=wallclock))
    callback.on_tuning_start(tuner)
    return callback, tuner


def report(sched, callback, tid, y, epoch, epochs=1):
    t = Trial(tid, {"x": 0.5, "epochs": epochs}, None)
    decision = sched.on_trial_result(t, {"y": y, "epoch": epoch})
    if decision != C:
        sched.on_trial_remove(t)
    callback.on_trial_result(t, "InProgress", {"y": y, "epoch": epoch}, decision)
    return decision


@pytest.mark.parametrize("mode", ["min", "max"])
def test_removes_checkpoints_of_worst_ranked_paused_trials(mode):
    sign = 1 if mode == "min" else -1
    sched = make_scheduler(mode)
    callback, tuner = make_callback(sched)
    values = {0: 5.0, 1: 1.0, 2: 4.0, 3: 2.0, 4: 6.0, 5: 3.0}
    for tid, y in values.items():
        t = Trial(tid, {"x": 0.5, "epochs": 1}, None)
        sched.on_trial_add(t)
        callback.on_start_trial(t)
        assert report(sched, callback, tid, sign * y, 1) == P
    assert callback.num_trials_with_checkpoints() == 6
    callback.on_loop_end()
    # rung 1 has 6 values, alpha = 1/3: ranks 1, 2 are promotable (p = 1);
    # the three worst (values 6, 5, 4) are the least likely to be resumed
    assert sorted(tuner.trial_backend.deleted) == [0, 2, 4]
    assert callback.num_trials_with_checkpoints() == 3
    callback.on_loop_end()
    assert callback.num_checkpoints_removed == 3  # nothing more to remove
    # a removed trial is resumed anyway: recorded (it trains again from scratch)
    t2 = Trial(2, {"x": 0.5, "epochs": 3}, None)
    callback.on_resume_trial(t2)
    assert callback.trials_resumed_without_checkpoint() == [(2, 1)]
    assert callback.extra_results() == {"num_checkpoints_removed": 3, "num_trials_resumed": 1, "cost_resources": 1}
    assert HyperbandRemoveCheckpointsCallback.extra_results_keys() == list(callback.extra_results())


def test_score_is_level_times_probability():
    sched = make_scheduler()
    callback, tuner = make_callback(sched, wallclock=25.0)
    for tid, y in enumerate([1.0, 2.0, 3.0, 4.0]):
        sched.on_trial_add(Trial(tid, {"x": 0.5, "epochs": 1}, None))
        report(sched, callback, tid, y, 1)
    candidates = sched.terminator.paused_trials()
    scores = callback.scores(candidates)
    expected = probabilities_of_getting_resumed(
        np.array([c[1] + 1 for c in candidates]), np.full(4, 4.0), np.full(4, 1 / 3),
        np.full(4, callback.probability_for_rung(1)), (100 - 25) / 25, 25,
    )
    np.testing.assert_allclose(scores, 1 * expected)
    assert callback.time_ratio() == pytest.approx(3.0)


def test_estimators_learn_from_arrivals_at_rungs():
    sched = make_scheduler()
    callback, _ = make_callback(sched, min_data_at_rung=2)
    assert callback.probability_for_rung(1) == pytest.approx(0.33)  # prior mean
    sched.on_trial_add(Trial(0, {"x": 0.5, "epochs": 1}, None))
    report(sched, callback, 0, 2.0, 1)  # nobody paused before: no data
    assert callback._estimator_overall.num_total == 0
    for tid, y in [(1, 1.0), (2, 3.0)]:
        sched.on_trial_add(Trial(tid, {"x": 0.5, "epochs": 1}, None))
        report(sched, callback, tid, y, 1)
    # arrival 1 (1.0) beats paused 0 (2.0); arrival 2 (3.0) beats neither 0 nor 1
    est = callback._estimator_for_rung[1]
    assert (est.num_one, est.num_total) == (1, 3)
    assert callback.probability_for_rung(1) == pytest.approx((0.66 + 1) / (2 + 3))
    assert callback.probability_for_rung(3) == callback._estimator_overall.posterior_mean()


def test_constructor_checks_arguments():
    with pytest.raises(InvalidParameterError, match="The 'prior_beta_mean' parameter of HyperbandRemoveCheckpointsCallback"):
        HyperbandRemoveCheckpointsCallback(5, 100, "y", "epoch", "min", prior_beta_mean=1.5)
    with pytest.raises(InvalidParameterError, match="The 'mode' parameter"):
        HyperbandRemoveCheckpointsCallback(5, 100, "y", "epoch", "maximize")
    with pytest.raises(TypeError, match="HyperbandScheduler"):
        HyperbandRemoveCheckpointsCallback(5, 100, "y", "epoch", "min").on_tuning_start(
            SimpleNamespace(scheduler=object(), trial_backend=None)
        )


# -- with the Tuner ------------------------------------------------------------------------------


class CheckpointCount(TunerCallback):
    """Runs after the removal callback: records how many checkpoints exist."""

    def __init__(self, backend):
        self.backend = backend
        self.counts = []

    def on_loop_end(self):
        self.counts.append(len(self.backend.checkpoints))


def objective(config, epoch):
    return (config["x"] - 0.3) ** 2 + 1.0 / epoch


def test_tuner_keeps_at_most_max_num_checkpoints():
    backend = CheckpointBackend(objective)
    scheduler = HyperbandScheduler(
        {"x": uniform(0, 1), "epochs": 9}, metric="loss", type="promotion", resource_attr="epoch",
        max_resource_attr="epochs", random_seed=2, early_checkpoint_removal_kwargs={"max_num_checkpoints": 4},
    )
    stop = StoppingCriterion(max_wallclock_time=120, max_num_trials_started=30)
    tuner = Tuner(backend, scheduler, stop, n_workers=2, sleep_time=0, tuner_name="hb-remove-cp")
    removal = (RemoveCheckpointsCallback, HyperbandRemoveCheckpointsCallback)
    if not any(isinstance(cb, removal) for cb in tuner.callbacks):
        tuner.callbacks.extend(default_callbacks(backend, scheduler, stop))
    [callback] = [cb for cb in tuner.callbacks if isinstance(cb, HyperbandRemoveCheckpointsCallback)]
    counter = CheckpointCount(backend)
    tuner.callbacks.append(counter)
    tuner.run()
    assert max(counter.counts) <= 4
    paused_deleted = [tid for tid, status in backend.delete_log if status == "Paused"]
    assert callback.num_checkpoints_removed == len(paused_deleted) > 0
    # trials resumed after their checkpoint was removed restarted from scratch
    for tid, level in callback.trials_resumed_without_checkpoint():
        assert 0 in backend.start_epochs[tid][1:]
    assert callback.extra_results()["num_checkpoints_removed"] == len(paused_deleted)
