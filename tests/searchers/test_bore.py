"""BORE and multi-fidelity BORE: labels, classifiers, acquisition
optimizers, level choice, contract suites, argument checks."""

from __future__ import annotations

import numpy as np
import pytest

from syne_tune.config_space import check_config_in_space, choice, loguniform, randint, uniform
from syne_tune.optimizer.baselines import ASHABORE, BORE
from syne_tune.optimizer.schedulers import FIFOScheduler
from syne_tune.optimizer.schedulers.searchers.bore import Bore, MultiFidelityBore
from syne_tune.optimizer.schedulers.searchers.bore.bore import (
    ACQ_OPTIMIZERS,
    CLASSIFIERS,
    DifferentialEvolutionAcquisitionOptimizer,
    RandomSearchAcquisitionOptimizer,
    bore_labels,
)
from syne_tune.testing.scheduler import SchedulerContract
from syne_tune.testing.searcher import SearcherContract
from syne_tune.utils.validation import InvalidParameterError

SPACE = {
    "x": uniform(0.0, 1.0),
    "lr": loguniform(1e-4, 1e-1),
    "n": randint(1, 6),
    "act": choice(["relu", "tanh", "sigmoid"]),
    "epochs": 9,
}


def objective(config: dict) -> float:
    return (config["x"] - 0.3) ** 2 + 0.1 * config["n"] + (0.2 if config["act"] == "relu" else 0.0)


def _bore(**kwargs):
    kwargs.setdefault("points_to_evaluate", [])
    kwargs.setdefault("random_seed", 0)
    kwargs.setdefault("feval_acq", 100)
    return Bore(SPACE, metric="loss", **kwargs)


def _run(searcher, num, first_trial_id=0, sign=1.0):
    configs = []
    for trial_id in range(first_trial_id, first_trial_id + num):
        config = searcher.get_config(trial_id=trial_id)
        if config is None:
            break
        searcher.register_pending(trial_id, config=config)
        searcher.on_trial_result(trial_id, config, {"loss": sign * objective(config)}, update=True)
        configs.append(config)
    return configs


class _Recorder:
    """Wraps the score function passed to an acquisition optimizer."""

    def __init__(self, searcher):
        self.rows, self.scores, self.calls = [], [], 0
        optimizer = searcher.acquisition_optimizer
        original = optimizer.optimize

        def optimize(score, *args, **kwargs):
            self.calls += 1

            def recorded(X):
                values = np.asarray(score(X), dtype=float)
                self.rows.append(np.array(X))
                self.scores.append(values)
                return values

            return original(recorded, *args, **kwargs)

        optimizer.optimize = optimize


# -- labels -----------------------------------------------------------------------------
def test_labels_are_the_gamma_quantile_with_ties_included():
    z, tau = bore_labels(np.array([5.0, 1.0, 4.0, 2.0, 3.0]), 0.25)
    assert tau == 2.0 and z.tolist() == [0, 1, 0, 1, 0]
    z, tau = bore_labels(np.array([1.0, 1.0, 1.0, 5.0]), 0.25)
    assert tau == 1.0 and z.tolist() == [1, 1, 1, 0]
    z, tau = bore_labels(np.array([0.0, 10.0]), 0.5)  # linear interpolation
    assert tau == 5.0 and z.tolist() == [1, 0]
    z, _ = bore_labels(np.array([2.0, 2.0, 2.0]), 0.25)
    assert z.tolist() == [1, 1, 1]


@pytest.mark.parametrize("mode, sign", [("min", 1.0), ("max", -1.0)])
def test_labels_of_the_searcher_follow_the_mode(mode, sign):
    searcher = _bore(mode=mode, init_random=0)
    rs = np.random.RandomState(3)
    values = rs.permutation(8).astype(float)
    configs = [dict(c) for c in searcher._hp_ranges.random_configs(rs, 8)]
    for trial_id, (config, value) in enumerate(zip(configs, values)):
        searcher.on_trial_result(trial_id, config, {"loss": value}, update=True)
    data = searcher._model_data("loss")
    z, _ = bore_labels(data.y, 0.25)
    good = sorted(values)[:2] if mode == "min" else sorted(values)[-2:]  # quantile 0.25 of 8 values: 2 of them
    assert sorted(values[z == 1].tolist()) == good
    searcher.get_config(trial_id=8)
    model = searcher._models["loss"]
    assert model.is_fitted and model.num_positive == 2
    assert model.threshold == pytest.approx(np.quantile(values * sign, 0.25))  # in the signed (smaller is better) scale


def test_equal_values_give_random_suggestions():
    searcher = _bore(init_random=0)
    recorder = _Recorder(searcher)
    for trial_id in range(6):
        config = searcher.get_config(trial_id=trial_id)
        searcher.on_trial_result(trial_id, config, {"loss": 1.0}, update=True)
    assert recorder.calls == 0  # one class only: no classifier, random configurations


# -- the acquisition -------------------------------------------------------------------
@pytest.mark.parametrize("acq_optimizer", ACQ_OPTIMIZERS)
def test_suggestion_is_the_argmax_of_the_probability(acq_optimizer):
    searcher = _bore(acq_optimizer=acq_optimizer, classifier="logreg", allow_duplicates=False)
    _run(searcher, 10)
    recorder = _Recorder(searcher)
    config = searcher.get_config(trial_id=10)
    assert recorder.calls == 1
    X, scores = np.concatenate(recorder.rows), np.concatenate(recorder.scores)
    row = searcher._hp_ranges.to_ndarray(config)
    model = searcher._models["loss"]
    assert model.probability(row[None])[0] == pytest.approx(scores.max())
    assert np.allclose(X[int(np.argmax(scores))], row)
    if acq_optimizer == "rs":
        assert len(X) == 100


def test_random_search_candidates_are_distinct_and_new():
    searcher = _bore()
    _run(searcher, 8)
    optimizer = RandomSearchAcquisitionOptimizer(300)
    configs = optimizer.candidates(searcher._hp_ranges, np.random.RandomState(0), searcher.should_not_suggest)
    keys = [searcher._hp_ranges.config_to_match_string(c) for c in configs]
    assert len(configs) == 300 and len(set(keys)) == 300
    assert not any(searcher.should_not_suggest(c) for c in configs)


def test_optimizers_skip_excluded_configurations():
    hp_ranges = _bore()._hp_ranges
    def score(X):
        return -np.abs(X[:, 0] - 0.5)  # column 0 is "act" (one-hot): prefers nothing in particular

    best = None
    for optimizer in (RandomSearchAcquisitionOptimizer(50, with_replacement=True), DifferentialEvolutionAcquisitionOptimizer(60)):
        first = optimizer.optimize(score, hp_ranges, np.random.RandomState(1))[0]
        again = optimizer.optimize(
            score, hp_ranges, np.random.RandomState(1),
            exclude=lambda c, f=first: hp_ranges.config_to_match_string(c) == hp_ranges.config_to_match_string(f),
        )[0]
        assert again != first
        best = first
    check_config_in_space(SPACE, dict(best, epochs=9))


def test_differential_evolution_uses_about_feval_acq_evaluations():
    hp_ranges = _bore()._hp_ranges
    rows = []

    def score(X):
        rows.append(len(X))
        return -((X - 0.2) ** 2).sum(axis=1)

    DifferentialEvolutionAcquisitionOptimizer(500).optimize(score, hp_ranges, np.random.RandomState(0))
    assert 300 <= sum(rows) <= 500


@pytest.mark.parametrize("classifier", CLASSIFIERS)
@pytest.mark.parametrize("calibrate", [False, True])
def test_each_classifier_works(classifier, calibrate):
    # smaller forests and fewer MLP epochs than the defaults, to keep the test fast
    kwargs = {"rf": {"n_estimators": 20}, "mlp": {"max_iter": 50}}.get(classifier)
    searcher = _bore(classifier=classifier, calibrate=calibrate, feval_acq=50, classifier_kwargs=kwargs)
    configs = _run(searcher, 14)
    assert len(configs) == 14
    model = searcher._models["loss"]
    assert model.is_fitted
    p = model.probability(searcher._hp_ranges.to_ndarray_matrix(configs))
    assert p.shape == (14,) and np.all((p >= 0) & (p <= 1))
    assert searcher.model_parameters()["classifier"] == classifier


def test_classifier_kwargs_reach_the_estimator():
    searcher = _bore(classifier="rf", classifier_kwargs={"n_estimators": 7})
    _run(searcher, 9)
    assert searcher._models["loss"].estimator.n_estimators == 7


def test_classifier_is_refitted_only_for_new_data():
    searcher = _bore(classifier="logreg")
    _run(searcher, 8)
    searcher.get_config(trial_id=8)
    estimator = searcher._models["loss"].estimator
    searcher.register_pending(100, config=searcher._hp_ranges.random_configs(np.random.RandomState(0), 1)[0])
    searcher.get_config(trial_id=9)
    assert searcher._models["loss"].estimator is estimator
    searcher.on_trial_result(9, dict(searcher._hp_ranges.random_configs(np.random.RandomState(1), 1)[0]),
                             {"loss": 0.0}, update=True)
    searcher.get_config(trial_id=10)
    assert searcher._models["loss"].estimator is not estimator


def test_init_random_and_random_prob():
    searcher = _bore(init_random=4)
    recorder = _Recorder(searcher)
    _run(searcher, 4)
    assert recorder.calls == 0
    _run(searcher, 1, first_trial_id=4)
    assert recorder.calls == 1
    searcher = _bore(init_random=2, random_prob=1.0)
    recorder = _Recorder(searcher)
    _run(searcher, 10)
    assert recorder.calls == 0


def test_restricted_configurations_are_scored_and_used_once():
    rs = np.random.RandomState(5)
    allowed = [dict(c, epochs=9) for c in _bore()._hp_ranges.random_configs(rs, 20)]
    searcher = _bore(restrict_configurations=allowed, init_random=3, classifier="logreg")
    keys = {tuple(sorted(c.items())) for c in allowed}
    configs = _run(searcher, 25)
    assert len(configs) == 20 and {tuple(sorted(c.items())) for c in configs} == keys
    assert searcher.get_config(trial_id=99) is None
    # the model-based choice is the best-scoring unused configuration
    searcher = _bore(restrict_configurations=allowed, init_random=3, classifier="logreg")
    configs = _run(searcher, 8)
    config = searcher.get_config(trial_id=8)
    used = {tuple(sorted(c.items())) for c in configs}
    unused = [c for c in allowed if tuple(sorted(c.items())) not in used]
    p = searcher._models["loss"].probability(searcher._hp_ranges.to_ndarray_matrix(unused))
    assert config == unused[int(np.argmax(p))]


# -- multi-fidelity ----------------------------------------------------------------------
def _mf(**kwargs):
    kwargs.setdefault("points_to_evaluate", [])
    kwargs.setdefault("random_seed", 0)
    kwargs.setdefault("feval_acq", 50)
    return MultiFidelityBore(SPACE, metric="loss", resource_attr="epoch", **kwargs)


def _feed_levels(searcher, counts: dict):
    rs = np.random.RandomState(0)
    trial_id = 0
    for level, count in counts.items():
        for config in searcher._hp_ranges.random_configs(rs, count):
            searcher.on_trial_result(trial_id, config, {"loss": objective(config), "epoch": level}, update=True)
            trial_id += 1


@pytest.mark.parametrize(
    "gamma, counts, level",
    [
        (0.25, {1: 6, 3: 4, 9: 3}, 3),  # n_min = 4
        (0.5, {1: 6, 3: 4, 9: 3}, 9),  # n_min = 2
        (0.25, {1: 3, 3: 2}, None),  # no level has 4 observations
        (0.2, {1: 9, 3: 5, 9: 4}, 3),  # n_min = 5
    ],
)
def test_multi_fidelity_level_is_the_highest_with_enough_observations(gamma, counts, level):
    searcher = _mf(gamma=gamma, init_random=0)
    _feed_levels(searcher, counts)
    assert searcher.resource_level() == level
    data = searcher._model_data("loss")
    assert data.num_observations == (counts[level] if level is not None else 0)
    searcher.get_config(trial_id=100)
    model = searcher._models.get("loss")
    if level is None:
        assert model is None
    else:
        assert model.num_observations == counts[level]


def test_multi_fidelity_defaults_and_context():
    searcher = MultiFidelityBore(SPACE, metric="loss", max_epochs=9, max_resource_attr="epochs", scheduler="hyperband_stopping")
    assert isinstance(searcher.acquisition_optimizer, RandomSearchAcquisitionOptimizer)
    assert searcher.acquisition_optimizer.with_replacement
    scheduler = ASHABORE(SPACE, metric="loss", resource_attr="epoch", max_resource_attr="epochs", random_seed=0)
    assert isinstance(scheduler.searcher, MultiFidelityBore)
    assert scheduler.searcher.resource_attr == "epoch" and scheduler.searcher.max_t == 9
    with pytest.raises(ValueError, match="'epoch'"):
        scheduler.searcher.on_trial_result(0, scheduler.suggest(0).config, {"loss": 1.0}, update=True)


# -- arguments ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(classifier="svm"), "'xgboost'"),
        (dict(gamma=0.0), "gamma"),
        (dict(gamma=1.0), "gamma"),
        (dict(acq_optimizer="cmaes"), "acq_optimizer"),
        (dict(feval_acq=0), "feval_acq"),
        (dict(random_prob=1.5), "random_prob"),
        (dict(init_random=-1), "init_random"),
        (dict(calibrate="yes"), "calibrate"),
        (dict(classifier_kwargs=[1]), "classifier_kwargs"),
        (dict(mode="maximize"), "mode"),
    ],
)
def test_bad_arguments_raise(kwargs, match):
    with pytest.raises(InvalidParameterError, match=match):
        _bore(**kwargs)


def test_unknown_classifier_lists_the_valid_ones():
    with pytest.raises(InvalidParameterError) as info:
        _bore(classifier="svm")
    for name in CLASSIFIERS:
        assert repr(name) in str(info.value)


def test_schedulers_get_the_right_variant():
    with pytest.raises(InvalidParameterError, match="multi-fidelity"):
        _mf(scheduler="fifo")
    with pytest.raises(InvalidParameterError, match="multi-fidelity"):
        FIFOScheduler(SPACE, metric="loss", searcher=_mf())
    with pytest.raises(InvalidParameterError, match="single-fidelity"):
        from syne_tune.optimizer.schedulers.hyperband import HyperbandScheduler

        HyperbandScheduler(SPACE, metric="loss", resource_attr="epoch", max_t=9, searcher=_bore())
    assert type(BORE(SPACE, metric="loss", random_seed=0).searcher) is Bore


# -- contract suites ----------------------------------------------------------------------
class TestBoreContract(SearcherContract):
    def make_searcher(self, config_space, metric, mode, random_seed, points_to_evaluate):
        return Bore(
            config_space, metric=metric, mode=mode, random_seed=random_seed,
            points_to_evaluate=points_to_evaluate, init_random=3, feval_acq=100,
        )


class TestBoreDifferentialEvolutionContract(SearcherContract):
    def make_searcher(self, config_space, metric, mode, random_seed, points_to_evaluate):
        return Bore(
            config_space, metric=metric, mode=mode, random_seed=random_seed, points_to_evaluate=points_to_evaluate,
            init_random=3, feval_acq=60, acq_optimizer="de", classifier="logreg", calibrate=True,
        )


class TestBORESchedulerContract(SchedulerContract):
    def make_scheduler(self, config_space, metric, mode, random_seed):
        return BORE(config_space, metric=metric, mode=mode, random_seed=random_seed, search_options={"feval_acq": 200})


class TestASHABORESchedulerContract(SchedulerContract):
    def make_scheduler(self, config_space, metric, mode, random_seed):
        return ASHABORE(
            config_space, metric=metric, mode=mode, resource_attr="epoch", max_resource_attr="epochs",
            random_seed=random_seed, search_options={"feval_acq": 200},
        )
