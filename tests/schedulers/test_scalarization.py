"""Scalarization-based multi-objective tuning: :class:`LinearScalarizedScheduler`
and the random-scalarization GP searcher
:class:`MultiObjectiveMultiSurrogateSearcher`."""

from __future__ import annotations

import json
import pickle
from datetime import datetime

import numpy as np
import pytest

from syne_tune.config_space import choice, uniform
from syne_tune.optimizer.scheduler import SchedulerDecision, TrialScheduler, TrialSuggestion
from syne_tune.optimizer.schedulers import FIFOScheduler
from syne_tune.optimizer.schedulers.hyperband import HyperbandScheduler
from syne_tune.optimizer.schedulers.multiobjective import (
    LinearScalarizedScheduler,
    MultiObjectiveMultiSurrogateSearcher,
    RandomScalarizationLCB,
    pareto_mask,
)
from syne_tune.optimizer.schedulers.multiobjective.multi_surrogate_multi_objective_searcher import (
    MultiObjectiveMultiSurrogateSearcher as SearcherFromSyneTunePath,
)
from syne_tune.optimizer.schedulers.multiobjective.random_scalarization import sample_simplex_weights
from syne_tune.optimizer.schedulers.searchers.bayesopt.surrogate import GPModel
from syne_tune.testing.scheduler import MultiObjectiveSchedulerContract, SchedulerContract, SchedulerDriver, crossing_curve
from syne_tune.testing.searcher import SearcherContract
from syne_tune.trial import Trial
from syne_tune.utils.validation import InvalidParameterError

#: Small GP settings (as in tests/schedulers/test_scheduler_contract.py).
_GP_OPTIONS = {
    "num_init_candidates": 30,
    "skip_local_optimization": True,
    "opt_nstarts": 1,
    "opt_maxiter": 10,
    "refit_fraction": 0.5,
    "num_fantasy_samples": 5,
}

#: The contract driver reports ``"cost" = 0.5 * epoch`` with every result: it
#: serves as the second metric of the schedulers under test.
_SECOND = "cost"


def _trial(trial_id: int, config: dict) -> Trial:
    return Trial(trial_id, dict(config), datetime(2024, 1, 1))


def _hb(seed: int) -> dict:
    return dict(resource_attr="epoch", max_resource_attr="epochs", random_seed=seed)


class _Recorder(TrialScheduler):
    """Base scheduler that records what it is given and pauses every trial."""

    def __init__(self, config_space, metric, mode, **kwargs):
        super().__init__(config_space)
        self.metric, self.mode, self.kwargs = metric, mode, kwargs
        self.events: list = []

    def _suggest(self, trial_id):
        self.events.append(("suggest", trial_id))
        return TrialSuggestion.start_suggestion({"x": 0.25})

    def on_trial_add(self, trial):
        self.events.append(("add", trial.trial_id))

    def on_trial_result(self, trial, result):
        self.events.append(("result", trial.trial_id, dict(result)))
        return SchedulerDecision.PAUSE

    def on_trial_complete(self, trial, result):
        self.events.append(("complete", trial.trial_id, dict(result)))

    def on_trial_error(self, trial):
        self.events.append(("error", trial.trial_id))

    def on_trial_remove(self, trial):
        self.events.append(("remove", trial.trial_id))

    def metric_names(self):
        return [self.metric]

    def trials_checkpoints_can_be_removed(self):
        return [7]


_SPACE = {"x": uniform(0.0, 1.0), "act": choice(["a", "b"]), "epochs": 9}


# -- LinearScalarizedScheduler ------------------------------------------------------------------


def test_scalarized_value_passed_to_base_scheduler():
    scheduler = LinearScalarizedScheduler(
        _SPACE, metric=["loss", "acc", "size"], mode=["min", "max", "min"], scalarization_weights=[2.0, 0.5, 0.0],
        base_scheduler_factory=_Recorder, extra=1,
    )
    base = scheduler.base_scheduler
    name = scheduler.single_objective_metric
    assert name == "scalarized_loss_acc_size"
    assert (base.metric, base.mode, base.kwargs) == (name, "min", {"extra": 1})
    trial = _trial(0, scheduler.suggest(0).config)
    scheduler.on_trial_add(trial)
    result = {"loss": 0.3, "acc": 0.9, "size": 100.0, "epoch": 1}
    assert scheduler.on_trial_result(trial, result) == SchedulerDecision.PAUSE
    scheduler.on_trial_complete(trial, {"loss": -1.0, "acc": 2.0, "size": 5.0})
    scheduler.on_trial_error(trial)
    scheduler.on_trial_remove(trial)
    kinds = [e[0] for e in base.events]
    assert kinds == ["suggest", "add", "result", "complete", "error", "remove"]
    seen = base.events[2][2]
    assert seen[name] == pytest.approx(2.0 * 0.3 - 0.5 * 0.9 + 0.0 * 100.0)
    assert {k: seen[k] for k in result} == result  # the original entries are kept
    assert "scalarized_loss_acc_size" not in result  # the caller's dict is not modified
    assert base.events[3][2][name] == pytest.approx(2.0 * -1.0 - 0.5 * 2.0)
    assert scheduler.trials_checkpoints_can_be_removed() == [7]


def test_default_weights_are_ones_and_not_normalized():
    scheduler = LinearScalarizedScheduler(_SPACE, metric=["a", "b"], mode="max", base_scheduler_factory=_Recorder)
    assert scheduler._scalarized_metric({"a": 2.0, "b": 3.0}) == pytest.approx(-5.0)
    weighted = LinearScalarizedScheduler(
        _SPACE, metric=["a", "b"], scalarization_weights=np.array([3.0, 1.0]), base_scheduler_factory=_Recorder
    )
    assert weighted._scalarized_metric({"a": 2.0, "b": 3.0}) == pytest.approx(9.0)


def test_long_names_get_a_deterministic_short_name():
    metrics = [f"a_very_long_metric_name_{i}" for i in range(4)]
    names = {
        LinearScalarizedScheduler(_SPACE, metric=metrics, base_scheduler_factory=_Recorder).single_objective_metric
        for _ in range(2)
    }
    assert len(names) == 1
    (name,) = names
    assert name.startswith("scalarized_objective_") and len(name) <= 64


def test_missing_metric_raises_naming_it():
    scheduler = LinearScalarizedScheduler(_SPACE, metric=["loss", "size"], base_scheduler_factory=_Recorder)
    trial = _trial(0, scheduler.suggest(0).config)
    with pytest.raises(ValueError, match="'size'"):
        scheduler.on_trial_result(trial, {"loss": 1.0})
    with pytest.raises(ValueError, match="'loss'"):
        scheduler.on_trial_complete(trial, {"size": 1.0})
    with pytest.raises(ValueError, match="non-numeric"):
        scheduler.on_trial_result(trial, {"loss": "high", "size": 1.0})


def test_description_and_metadata():
    scheduler = LinearScalarizedScheduler(
        _SPACE, metric=["loss", "acc"], mode=["min", "max"], scalarization_weights=[1.0, 2.0], random_seed=3
    )
    assert isinstance(scheduler.base_scheduler, FIFOScheduler)  # Syne Tune's default factory
    assert scheduler.base_scheduler.metric == scheduler.single_objective_metric
    assert scheduler.metric_names() == ["loss", "acc"]
    assert scheduler.metric_mode() == ["min", "max"]
    assert scheduler.is_multiobjective_scheduler()
    meta = json.loads(json.dumps(scheduler.metadata()))
    assert meta["scheduler_name"] == "LinearScalarizedScheduler"
    assert meta["metric_names"] == ["loss", "acc"]
    assert meta["metric_mode"] == ["min", "max"]
    assert meta["scalarized_metric"] == "scalarized_loss_acc"
    assert meta["scalarization_weights"] == [1.0, 2.0]
    assert meta["base_scheduler"] == "FIFOScheduler"


def _scalarized_curve(weights, signs):
    def curve(config, epoch):
        return weights[0] * signs[0] * crossing_curve(config, epoch) + weights[1] * signs[1] * 0.5 * epoch

    return curve


@pytest.mark.parametrize(
    "base", ["hyperband", "fifo_bayesopt"],
)
def test_decisions_equal_those_of_the_base_scheduler_on_the_scalarized_stream(base):
    weights, modes = [2.0, 0.3], ["min", "max"]
    space = SchedulerContract().config_space
    if base == "hyperband":
        factory, kwargs = HyperbandScheduler, dict(reduction_factor=3, **_hb(11))
    else:
        factory, kwargs = FIFOScheduler, dict(searcher="bayesopt", search_options=dict(_GP_OPTIONS), random_seed=11)
    wrapper = LinearScalarizedScheduler(
        space, metric=["loss", _SECOND], mode=modes, scalarization_weights=weights, base_scheduler_factory=factory,
        **kwargs,
    )
    alone = factory(config_space=space, metric=wrapper.single_objective_metric, mode="min", **kwargs)
    a = SchedulerDriver(wrapper, max_epochs=9, metric="loss").run(120)
    b = SchedulerDriver(
        alone, max_epochs=9, metric=wrapper.single_objective_metric, curve=_scalarized_curve(weights, [1, -1])
    ).run(120)
    assert a.log == b.log
    decisions = {entry[3] for entry in a.log if entry[0] == "decision"}
    if base == "hyperband":
        assert "STOP" in decisions  # the stream was scalarized as the base expects


@pytest.mark.parametrize(
    "kwargs, parameter",
    [
        (dict(metric="loss"), "metric"),
        (dict(metric=["loss"]), "metric"),
        (dict(metric=["loss", "loss"]), "metric"),
        (dict(mode="maximize"), "mode"),
        (dict(mode=["min"]), "mode"),
        (dict(scalarization_weights=[1.0]), "scalarization_weights"),
        (dict(scalarization_weights=[1.0, -0.5]), "scalarization_weights"),
        (dict(scalarization_weights=[0.0, 0.0]), "scalarization_weights"),
        (dict(scalarization_weights=[1.0, float("nan")]), "scalarization_weights"),
        (dict(scalarization_weights="ones"), "scalarization_weights"),
        (dict(scalarization_weights=[[1.0, 1.0]]), "scalarization_weights"),
        (dict(base_scheduler_factory="fifo"), "base_scheduler_factory"),
        (dict(base_scheduler_factory=lambda **kw: object()), "base_scheduler_factory"),
    ],
)
def test_bad_arguments_raise_naming_the_parameter(kwargs, parameter):
    args = dict(metric=["loss", "size"])
    args.update(kwargs)
    with pytest.raises(InvalidParameterError, match=parameter):
        LinearScalarizedScheduler(_SPACE, **args)


class _TwoMetricContract(MultiObjectiveSchedulerContract):
    num_results = 100


class TestLinearScalarizedFIFO(_TwoMetricContract):
    num_results = 300

    def make_scheduler(self, config_space, metric, mode, random_seed):
        return LinearScalarizedScheduler(
            config_space, metric=metric, mode=mode, scalarization_weights=[1.0, 0.1], random_seed=random_seed
        )


class TestLinearScalarizedBayesOpt(_TwoMetricContract):
    # what MOLinearScalarizationBayesOpt builds
    def make_scheduler(self, config_space, metric, mode, random_seed):
        return LinearScalarizedScheduler(
            config_space, metric=metric, mode=mode, searcher="bayesopt",
            search_options=dict(_GP_OPTIONS), random_seed=random_seed,
        )


class TestLinearScalarizedHyperband(_TwoMetricContract):
    num_results = 300

    def make_scheduler(self, config_space, metric, mode, random_seed):
        return LinearScalarizedScheduler(
            config_space, metric=metric, mode=mode, base_scheduler_factory=HyperbandScheduler,
            type="promotion", **_hb(random_seed),
        )


# -- random-scalarization searcher ---------------------------------------------------------------


def _mo_searcher(config_space, metric, mode, random_seed, points_to_evaluate=None, **kwargs):
    options = dict(_GP_OPTIONS)
    options.update(kwargs)
    return MultiObjectiveMultiSurrogateSearcher(
        config_space, metric=metric, mode=mode, random_seed=random_seed, points_to_evaluate=points_to_evaluate,
        **options,
    )


class TestRandomScalarizationScheduler(_TwoMetricContract):
    # what MORandomScalarizationBayesOpt builds (FIFOScheduler with the searcher)
    def make_scheduler(self, config_space, metric, mode, random_seed):
        searcher = _mo_searcher(config_space, metric, mode, random_seed, no_fantasizing=True)
        return FIFOScheduler(config_space, searcher=searcher, metric=metric, mode=mode, random_seed=random_seed)


class TestRandomScalarizationSchedulerFantasizing(_TwoMetricContract):
    # pending trials of the 3 workers enter the GPs as fantasy samples
    def make_scheduler(self, config_space, metric, mode, random_seed):
        searcher = _mo_searcher(config_space, metric, mode, random_seed)
        return FIFOScheduler(config_space, searcher=searcher, metric=metric, mode=mode, random_seed=random_seed)


class TestRandomScalarizationSearcher(SearcherContract):
    metric = ["loss", "size"]

    def result(self, config):
        size = sum(abs(float(v)) for v in config.values() if isinstance(v, (int, float)) and not isinstance(v, bool))
        return {"loss": self.objective(config), "size": size}

    def make_searcher(self, config_space, metric, mode, random_seed, points_to_evaluate):
        return _mo_searcher(config_space, metric, mode, random_seed, points_to_evaluate)


class TestRandomScalarizationSearcherLinear(TestRandomScalarizationSearcher):
    def make_searcher(self, config_space, metric, mode, random_seed, points_to_evaluate):
        return _mo_searcher(config_space, metric, mode, random_seed, points_to_evaluate, scalarization="linear")


def test_syne_tune_module_path_has_the_same_class():
    assert SearcherFromSyneTunePath is MultiObjectiveMultiSurrogateSearcher


_TOY_SPACE = {"x1": uniform(0.0, 1.0), "x2": uniform(0.0, 1.0)}


def _toy(config: dict) -> dict:
    """ZDT1-like: the Pareto front is ``f2 = 1 - sqrt(f1)`` at ``x2 = 0.5``."""
    g = 1.0 + 4.0 * (config["x2"] - 0.5) ** 2
    return {"f1": config["x1"], "f2": g * (1.0 - np.sqrt(config["x1"] / g))}


def _run_toy(searcher, num: int) -> tuple[list[dict], np.ndarray]:
    configs, values = [], []
    for trial_id in range(num):
        config = searcher.get_config(trial_id=trial_id)
        searcher.register_pending(trial_id, config=config)
        result = _toy(config)
        searcher.on_trial_result(trial_id, config, result, update=True)
        configs.append(config)
        values.append([result["f1"], result["f2"]])
    return configs, np.array(values)


class _FixedWeight(MultiObjectiveMultiSurrogateSearcher):
    def _sample_weights(self):
        return np.array([0.5, 0.5])


def _toy_searcher(cls, seed, **kwargs):
    return cls(
        _TOY_SPACE, metric=["f1", "f2"], random_seed=seed, num_initial_candidates=100, skip_local_optimization=True,
        opt_nstarts=1, opt_maxiter=10, refit_fraction=0.5, **kwargs,
    )


def test_random_weights_are_on_the_simplex_seeded_and_change_per_suggestion():
    def weights(seed):
        searcher = _toy_searcher(MultiObjectiveMultiSurrogateSearcher, seed)
        drawn = []
        for trial_id in range(10):
            config = searcher.get_config(trial_id=trial_id)
            if searcher.last_weights is not None and (not drawn or searcher.last_weights is not drawn[-1]):
                drawn.append(searcher.last_weights)
            searcher.register_pending(trial_id, config=config)
            searcher.on_trial_result(trial_id, config, _toy(config), update=True)
        return np.array(drawn)

    W = weights(0)
    assert W.shape == (6, 2)  # 1 midpoint + 3 random, then the model
    assert np.all(W >= 0) and np.allclose(W.sum(axis=1), 1.0)
    assert len({tuple(w) for w in W}) == len(W)
    np.testing.assert_array_equal(W, weights(0))
    assert not np.allclose(W, weights(1))
    # uniform on the simplex: Dirichlet(1, 1, 1) has mean 1/3 and marginal variance 1/18
    np.testing.assert_array_equal(
        sample_simplex_weights(np.random.RandomState(0), 3), np.random.RandomState(0).dirichlet(np.ones(3))
    )
    many = np.stack([sample_simplex_weights(np.random.RandomState(s), 3) for s in range(3000)])
    np.testing.assert_allclose(many.mean(axis=0), 1 / 3, atol=0.02)
    np.testing.assert_allclose(many.var(axis=0), 1 / 18, atol=0.01)


def test_random_scalarization_spreads_along_the_front_better_than_a_fixed_weight():
    """Model-based suggestions near the front (``|x2 - 0.5| < 0.1``) cover a
    wide range of ``f1`` with random weights, a narrow one with a fixed
    weight (which aims at one point of the front)."""
    num_initial = 4  # midpoint + 3 random

    def f1_range(cls, seed):
        configs, values = _run_toy(_toy_searcher(cls, seed), 25)
        x2 = np.array([c["x2"] for c in configs])[num_initial:]
        f1 = values[num_initial:, 0]
        near = np.abs(x2 - 0.5) < 0.1
        assert near.sum() >= 10  # both find the front
        return float(np.ptp(f1[near])), int(pareto_mask(values).sum())

    random = [f1_range(MultiObjectiveMultiSurrogateSearcher, seed) for seed in range(3)]
    fixed = [f1_range(_FixedWeight, seed) for seed in range(3)]
    assert min(r for r, _ in random) > 0.5
    assert max(r for r, _ in fixed) < 0.3
    assert sum(n for _, n in random) > sum(n for _, n in fixed)


class _FakeModel:
    def __init__(self, mean, std):
        self.mean, self.std = np.asarray(mean, dtype=float), np.asarray(std, dtype=float)

    def predict(self, X):
        return self.mean, self.std


def test_acquisition_formula():
    m1 = _FakeModel([1.0, 3.0], [1.0, 0.0])
    m2 = _FakeModel([[0.0, 2.0], [4.0, 6.0]], [2.0, 2.0])  # two fantasy samples
    weights, means, stds = np.array([0.25, 0.75]), np.array([1.0, 2.0]), np.array([2.0, 4.0])
    ideal = np.array([-1.0, -0.5])
    X = np.zeros((2, 3))
    kappa = 0.5
    u1 = (np.array([1.0 - 0.5, 3.0]) - 1.0) / 2.0
    u2 = (np.array([[0.0, 2.0], [4.0, 6.0]]) - kappa * 2.0 - 2.0) / 4.0
    gaps = np.stack([weights[0] * (np.repeat(u1[:, None], 2, axis=1) - ideal[0]), weights[1] * (u2 - ideal[1])])
    cheb = (gaps.max(axis=0) + 0.05 * gaps.sum(axis=0)).mean(axis=1)
    lin = (weights[0] * u1[:, None] + weights[1] * u2).mean(axis=1)
    acq = RandomScalarizationLCB([m1, m2], weights, means, stds, ideal, kappa=kappa, scalarization="chebyshev")
    np.testing.assert_allclose(acq(X), -cheb, rtol=1e-10)
    acq = RandomScalarizationLCB([m1, m2], weights, means, stds, ideal, kappa=kappa, scalarization="linear")
    np.testing.assert_allclose(acq(X), -lin, rtol=1e-10)


def test_modes_sign_the_outputs_and_estimators_are_copied():
    estimator = GPModel(opt_nstarts=1, opt_maxiter=5, fantasize=False)
    searcher = _mo_searcher(_TOY_SPACE, ["f1", "f2"], ["min", "max"], 0, estimators={"f2": estimator})
    _run_toy(searcher, 6)
    observation = searcher.observations.observations()[0]
    result = _toy(observation.config)
    assert observation.outputs == pytest.approx({"f1": result["f1"], "f2": -result["f2"]})
    model = searcher._models["f2"]
    assert isinstance(model, GPModel) and model is not estimator and model.fantasize is False
    assert estimator.is_fitted is False
    assert set(searcher.model_parameters()) == {"f1", "f2"}


def test_restrict_configurations():
    allowed = [{"x1": x, "x2": 0.5} for x in np.linspace(0.0, 1.0, 9)]
    searcher = _mo_searcher(_TOY_SPACE, ["f1", "f2"], "min", 0, restrict_configurations=allowed, points_to_evaluate=[])
    configs, _ = _run_toy(searcher, 9)
    keys = sorted(c["x1"] for c in configs)
    assert keys == pytest.approx(sorted(c["x1"] for c in allowed))
    assert searcher.get_config(trial_id=9) is None


def test_pickled_searcher_draws_the_same_weights():
    searcher = _toy_searcher(MultiObjectiveMultiSurrogateSearcher, 4)
    _run_toy(searcher, 6)
    twin = pickle.loads(pickle.dumps(searcher))
    a, b = searcher.get_config(trial_id=6), twin.get_config(trial_id=6)
    assert a == b
    np.testing.assert_array_equal(searcher.last_weights, twin.last_weights)


@pytest.mark.parametrize(
    "kwargs, parameter",
    [
        (dict(metric=None), "metric"),
        (dict(mode=None), "mode"),
        (dict(mode=["min"]), "mode"),
        (dict(scalarization="tchebycheff"), "scalarization"),
        (dict(kappa=-1.0), "kappa"),
        (dict(estimators={"f3": GPModel()}), "estimators"),
        (dict(estimators={"f1": "gp"}), "estimators"),
        (dict(estimators=[GPModel()]), "estimators"),
        (dict(num_initial_candidates=0), "num_initial_candidates"),
        (dict(num_initial_candidates=10, num_init_candidates=20), "num_initial_candidates"),
        (dict(acq_function="ei"), "kwargs"),
        (dict(scoring_class_and_args=None), "kwargs"),
        (dict(opt_maxiter=0), "opt_maxiter"),
    ],
)
def test_searcher_bad_arguments_raise_naming_the_parameter(kwargs, parameter):
    args = dict(metric=["f1", "f2"])
    args.update(kwargs)
    with pytest.raises(InvalidParameterError, match=parameter):
        MultiObjectiveMultiSurrogateSearcher(_TOY_SPACE, **args)


def test_syne_tune_option_names_are_aliases():
    searcher = MultiObjectiveMultiSurrogateSearcher(
        _TOY_SPACE, metric=["f1", "f2"], num_initial_candidates=17, num_initial_random_choices=1
    )
    assert searcher.acquisition_optimizer.num_init_candidates == 17
    assert searcher.num_init_random == 1
    searcher = MultiObjectiveMultiSurrogateSearcher(_TOY_SPACE, metric=["f1", "f2"], num_init_candidates=13)
    assert searcher.acquisition_optimizer.num_init_candidates == 13


# -- the baselines -----------------------------------------------------------------


class TestMOLinearScalarizationBayesOptBaseline(_TwoMetricContract):
    def make_scheduler(self, config_space, metric, mode, random_seed):
        from syne_tune.optimizer.baselines import MOLinearScalarizationBayesOpt

        return MOLinearScalarizationBayesOpt(
            config_space, metric=metric, mode=mode, random_seed=random_seed,
            search_options=dict(_GP_OPTIONS),
        )


class TestMORandomScalarizationBayesOptBaseline(_TwoMetricContract):
    def make_scheduler(self, config_space, metric, mode, random_seed):
        from syne_tune.optimizer.baselines import MORandomScalarizationBayesOpt

        return MORandomScalarizationBayesOpt(
            config_space, metric=metric, mode=mode, random_seed=random_seed,
            search_options=dict(_GP_OPTIONS),
        )
