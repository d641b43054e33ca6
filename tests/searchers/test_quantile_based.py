"""Quantile-based transfer learning (CTS): normalizations, surrogate, Thompson
sampling, the searcher's contract, and its use in FIFO and ASHA schedulers."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pandas as pd
import pytest
from scipy.special import ndtri
from scipy.stats import rankdata, spearmanr

from syne_tune.config_space import choice, loguniform, randint, uniform
from syne_tune.optimizer.schedulers import FIFOScheduler
from syne_tune.optimizer.schedulers.hyperband import HyperbandScheduler
from syne_tune.optimizer.schedulers.searchers.utils.hp_ranges import make_hyperparameter_ranges
from syne_tune.optimizer.schedulers.transfer_learning import (
    QuantileBasedSurrogateSearcher,
    TransferLearningTaskEvaluations,
)
from syne_tune.optimizer.schedulers.transfer_learning.quantile_based.normalization_transforms import (
    GaussianTransform,
    StandardTransform,
    from_string,
    winsorized_delta,
)
from syne_tune.optimizer.schedulers.transfer_learning.quantile_based.quantile_based_searcher import (
    GaussianThompsonSampling,
    GradientBoostingMeanStd,
    extract_input_output,
)
from syne_tune.testing.scheduler import SchedulerContract
from syne_tune.testing.searcher import SearcherContract
from syne_tune.utils.validation import InvalidParameterError

#: The scheduler contract's space: x in [0, 1], lr (log), layers 1..4, act, epochs = 9.
SPACE = SchedulerContract().config_space
#: Small, fast fits for the tests.
FAST = dict(num_candidates=200, regressor_kwargs={"max_iter": 20, "min_samples_leaf": 5})


def make_evaluations(
    config_space: dict,
    num_tasks: int = 3,
    num_configs: int = 60,
    seed: int = 0,
    objective: str = "loss",
) -> dict[str, TransferLearningTaskEvaluations]:
    """Hand-made earlier tasks over ``config_space``: random configurations,
    task ``t`` has objective ``scale_t * ||enc(x) - 0.3||^2 + offset_t`` (one
    seed, one fidelity), so all tasks agree on the order of configurations
    and differ in scale."""
    rs = np.random.RandomState(seed)
    hp_ranges = make_hyperparameter_ranges(config_space)
    evaluations = {}
    for t in range(num_tasks):
        configs = hp_ranges.random_configs(rs, num_configs)
        enc = hp_ranges.to_ndarray_matrix(configs)
        values = (10.0**t) * np.sum((enc - 0.3) ** 2, axis=1) + 5.0 * t
        evaluations[f"task{t}"] = TransferLearningTaskEvaluations(
            configuration_space=config_space,
            hyperparameters=pd.DataFrame(configs),
            objectives_names=[objective],
            objectives_evaluations=values.reshape(-1, 1, 1, 1),
        )
    return evaluations


def make_searcher(config_space=SPACE, metric="loss", evaluations=None, **kwargs):
    evaluations = evaluations if evaluations is not None else make_evaluations(config_space, objective=metric)
    return QuantileBasedSurrogateSearcher(
        config_space, metric=metric, transfer_learning_evaluations=evaluations, **{**FAST, **kwargs}
    )


def _hyperparameters(config: dict) -> dict:
    return {k: config[k] for k in ("x", "lr", "layers", "act")}


# -- normalizations ---------------------------------------------------------------------------
def test_gaussian_quantiles_mid_ranks_and_ties():
    y = np.array([3.0, 1.0, 2.0, 2.0, 5.0])
    transform = GaussianTransform(y)
    u = transform.quantiles(y)
    # sorted 1, 2, 2, 3, 5: (#below + #at most) / (2 n)
    np.testing.assert_allclose(u, [0.7, 0.1, 0.4, 0.4, 0.9])
    np.testing.assert_allclose(u, (rankdata(y, method="average") - 0.5) / len(y))
    z = transform.transform(y)
    assert z[2] == z[3]  # ties share one value
    np.testing.assert_allclose(z, ndtri(u))
    assert np.all(np.diff(z[np.argsort(y, kind="stable")]) >= 0)  # increasing


def test_gaussian_winsorized_at_the_extremes():
    y = np.arange(100.0)
    delta = winsorized_delta(100)
    np.testing.assert_allclose(delta, 1.0 / (4.0 * 100**0.25 * np.sqrt(np.pi * np.log(100))))
    transform = GaussianTransform(y)
    u = transform.quantiles(y)
    assert u.min() == pytest.approx(delta) and u.max() == pytest.approx(1.0 - delta)
    # unseen values: below the minimum, between two values, above the maximum
    np.testing.assert_allclose(transform.quantiles(np.array([-5.0, 10.5, 1e6])), [delta, 0.11, 1.0 - delta])


def test_gaussian_mode_max_is_the_mirror_of_min():
    y = np.random.RandomState(0).randint(0, 7, size=40).astype(float)  # many ties
    z_min = GaussianTransform(y).transform(y)
    z_max = GaussianTransform(-y).transform(-y)
    np.testing.assert_allclose(z_max, -z_min, atol=1e-12)


def test_inverse_normal_and_single_value():
    # Phi^{-1}(0.975) = 1.959964 ...; the median maps to 0
    t = GaussianTransform(np.array([0.0, 1.0, 2.0, 3.0] * 10))
    assert float(ndtri(0.975)) == pytest.approx(1.959963985, abs=1e-8)
    assert GaussianTransform(np.array([4.2])).transform(np.array([4.2]))[0] == 0.0
    assert winsorized_delta(1) == 0.5
    z = t.transform(np.array([1.5]))  # between the halves: u = 0.5
    assert z[0] == pytest.approx(0.0, abs=1e-12)


def test_transforms_are_per_column():
    y = np.column_stack([np.arange(10.0), -np.arange(10.0) * 3.0])
    for cls in (GaussianTransform, StandardTransform):
        z = cls(y).transform(y)
        assert z.shape == (10, 2)
        np.testing.assert_allclose(z[:, 1], -z[:, 0], atol=1e-12)
        np.testing.assert_allclose(z[:, 0], cls(y[:, 0]).transform(y[:, 0]))


def test_standard_normalization():
    y = np.array([1.0, 2.0, 4.0, 9.0])
    z = StandardTransform(y).transform(y)
    np.testing.assert_allclose(z, (y - y.mean()) / y.std())
    assert z.mean() == pytest.approx(0.0, abs=1e-12) and z.std() == pytest.approx(1.0)
    np.testing.assert_allclose(StandardTransform(-y).transform(-y), -z)
    np.testing.assert_allclose(StandardTransform(np.full(5, 3.0)).transform(np.full(5, 3.0)), 0.0)


@pytest.mark.parametrize("y", [np.array([]), np.array([1.0, np.nan]), np.zeros((2, 2, 2))])
def test_transforms_reject_bad_values(y):
    for cls in (GaussianTransform, StandardTransform):
        with pytest.raises(InvalidParameterError, match="'y'"):
            cls(y)


def test_transform_rejects_other_columns_and_unknown_name():
    with pytest.raises(InvalidParameterError, match="column"):
        GaussianTransform(np.zeros((3, 2))).transform(np.zeros((3, 3)))
    assert from_string("gaussian") is GaussianTransform and from_string("standard") is StandardTransform
    with pytest.raises(InvalidParameterError, match="'normalization'"):
        from_string("uniform")


# -- data and surrogate -----------------------------------------------------------------------
def test_extract_input_output_uses_metric_and_last_fidelity_with_value():
    hp_ranges = make_hyperparameter_ranges(SPACE)
    configs = hp_ranges.random_configs(np.random.RandomState(1), 6)
    values = np.full((6, 2, 3, 2), np.nan)
    values[:, :, :2, 1] = np.arange(6.0)[:, None, None] * np.array([1.0, 3.0])[None, :, None]  # last: fidelity 1
    values[:, :, :, 0] = 100.0  # another objective
    values[5, :, :, 1] = np.nan  # never evaluated: dropped
    evaluations = {
        "a": TransferLearningTaskEvaluations(SPACE, pd.DataFrame(configs), ["cost", "loss"], values)
    }
    X, z = extract_input_output(evaluations, hp_ranges, "loss", "gaussian")
    assert X.shape == (5, hp_ranges.ndarray_size)
    np.testing.assert_allclose(X, hp_ranges.to_ndarray_matrix(configs[:5]))
    mean_over_seeds = 2.0 * np.arange(5.0)
    np.testing.assert_allclose(z, GaussianTransform(mean_over_seeds).transform(mean_over_seeds))
    _, z_std = extract_input_output(evaluations, hp_ranges, "loss", "standard")
    np.testing.assert_allclose(z_std, StandardTransform(mean_over_seeds).transform(mean_over_seeds))
    with pytest.raises(InvalidParameterError, match="'transfer_learning_evaluations'.*several"):
        extract_input_output(evaluations, hp_ranges, "accuracy", "gaussian")


def test_extract_input_output_rejects_missing_hyperparameters():
    evaluations = make_evaluations(SPACE)
    evaluations["task0"].hyperparameters = evaluations["task0"].hyperparameters.drop(columns=["lr"])
    with pytest.raises(InvalidParameterError, match=r"'transfer_learning_evaluations'.*\['lr'\]"):
        make_searcher(evaluations=evaluations)


def test_surrogate_orders_configurations_as_the_earlier_tasks():
    searcher = make_searcher(
        evaluations=make_evaluations(SPACE, num_configs=200), regressor_kwargs={"max_iter": 50}
    )
    hp_ranges = make_hyperparameter_ranges(SPACE)
    X = hp_ranges.to_ndarray_matrix(hp_ranges.random_configs(np.random.RandomState(7), 300))
    truth = np.sum((X - 0.3) ** 2, axis=1)
    mean, std = searcher.surrogate.predict(X)
    assert spearmanr(mean, truth).correlation > 0.9
    assert np.all(std >= 1e-3) and std.shape == (300,)
    assert searcher.dataset_size() == 600
    assert searcher.model_parameters()["heteroscedastic"] is True


def test_surrogate_subsamples_and_handles_tiny_data():
    model = GradientBoostingMeanStd(max_fit_samples=50)
    from syne_tune.optimizer.schedulers.searchers.bayesopt.observations import ModelData

    rs = np.random.RandomState(0)
    X = rs.rand(200, 3)
    model.fit(ModelData(X=X, y=X[:, 0]), np.random.RandomState(0))
    assert model.num_fit_samples == 50
    tiny = GradientBoostingMeanStd()
    tiny.fit(ModelData(X=X[:4], y=np.array([0.0, 1.0, 2.0, 3.0])), np.random.RandomState(0))
    _, std = tiny.predict(X[:2])
    np.testing.assert_allclose(std, np.std([0.0, 1.0, 2.0, 3.0]))
    samples = tiny.sample(X[:5], 7, np.random.RandomState(1))
    assert samples.shape == (7, 5)
    one = make_searcher(evaluations=make_evaluations(SPACE, num_tasks=1, num_configs=1), points_to_evaluate=[])
    assert one.dataset_size() == 1 and one.get_config(trial_id=0) is not None


# -- Thompson sampling ----------------------------------------------------------------------
class _FixedModel:
    def __init__(self, mean, std):
        self.mean, self.std = np.asarray(mean, float), np.asarray(std, float)

    def predict(self, X):
        return self.mean[: len(X)], self.std[: len(X)]


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_thompson_sampling_draws_replay(sign):
    model = _FixedModel([0.0, 1.0, -2.0, 0.5], [1.0, 0.1, 2.0, 0.3])
    acquisition = GaussianThompsonSampling(model, np.random.RandomState(3), sign=sign)
    scores = acquisition(np.zeros((4, 2)))
    eps = np.random.RandomState(3).standard_normal(4)
    draws = sign * model.mean + model.std * eps
    np.testing.assert_allclose(scores, -draws, rtol=1e-10)
    assert int(np.argmax(scores)) == int(np.argmin(draws))


@pytest.mark.parametrize("mode", ["min", "max"])
def test_suggestion_is_the_argmin_of_the_draws(mode):
    restrict = make_hyperparameter_ranges(SPACE).random_configs(np.random.RandomState(11), 30)
    restrict = [{**c, "epochs": 9} for c in restrict]
    searcher = make_searcher(restrict_configurations=restrict, points_to_evaluate=[], mode=mode, random_seed=4)
    for trial_id in range(3):
        unused = list(searcher._restrict_unused)
        replay = copy.deepcopy(searcher.random_state)
        config = searcher.get_config(trial_id=trial_id)
        X = searcher._hp_ranges.to_ndarray_matrix([restrict[i] for i in unused])
        mean, std = searcher.surrogate.predict(X)
        sign = 1.0 if mode == "min" else -1.0
        draws = sign * mean + std * replay.standard_normal(len(unused))
        assert _hyperparameters(config) == _hyperparameters(restrict[unused[int(np.argmin(draws))]])


def test_suggestions_favour_the_good_region():
    searcher = make_searcher(points_to_evaluate=[], random_seed=0, evaluations=make_evaluations(SPACE, num_configs=200))
    configs = [searcher.get_config(trial_id=i) for i in range(15)]
    hp_ranges = make_hyperparameter_ranges(SPACE)
    dist = np.sum((hp_ranges.to_ndarray_matrix(configs) - 0.3) ** 2, axis=1)
    rand = hp_ranges.to_ndarray_matrix(hp_ranges.random_configs(np.random.RandomState(0), 2000))
    assert np.median(dist) < np.quantile(np.sum((rand - 0.3) ** 2, axis=1), 0.25)


def test_results_of_the_new_task_are_ignored():
    fed, unfed = make_searcher(random_seed=2), make_searcher(random_seed=2)
    for trial_id in range(6):
        a, b = fed.get_config(trial_id=trial_id), unfed.get_config(trial_id=trial_id)
        assert a == b
        fed.register_pending(trial_id, config=a)
        fed.on_trial_result(trial_id, a, {"loss": -100.0 * trial_id}, update=True)


# -- restrict_configurations, points_to_evaluate ------------------------------------------------
def test_restrict_configurations_exhausted_and_points_first():
    configs = make_hyperparameter_ranges(SPACE).random_configs(np.random.RandomState(5), 6)
    restrict = [{**c, "epochs": 9} for c in configs]
    outside = {"x": 0.5, "lr": 0.01, "layers": 2, "act": "relu"}
    searcher = make_searcher(restrict_configurations=restrict, points_to_evaluate=[restrict[3], outside])
    configs = [searcher.get_config(trial_id=i) for i in range(7)]
    assert configs[-1] is None
    assert _hyperparameters(configs[0]) == _hyperparameters(restrict[3])  # the point outside is dropped
    keys = sorted(tuple(sorted(_hyperparameters(c).items())) for c in configs[:-1])
    assert keys == sorted(tuple(sorted(_hyperparameters(c).items())) for c in restrict)


def test_points_to_evaluate_first_then_model():
    points = [{"x": 0.9, "layers": 4}, {"act": "tanh"}]
    searcher = make_searcher(points_to_evaluate=points, random_seed=1)
    first = [searcher.get_config(trial_id=i) for i in range(3)]
    assert first[0]["x"] == 0.9 and first[0]["layers"] == 4
    assert first[1]["act"] == "tanh" and first[1]["x"] == 0.5
    assert first[2] not in first[:2]


def test_mode_none_is_min_and_scheduler_mode_wins():
    searcher = make_searcher(mode=None)
    assert searcher._mode == "min"
    FIFOScheduler(SPACE, searcher=searcher, metric="loss", mode="max", random_seed=0)
    assert searcher._mode == "max"
    assert searcher._acquisition(searcher._fit_models()).sign == -1.0


def test_scheduler_context_arguments():
    searcher = make_searcher(
        resource_attr="epoch", max_epochs=9, max_resource_attr="epochs", scheduler="hyperband_stopping"
    )
    assert (searcher.resource_attr, searcher.max_t, searcher.max_resource_attr) == ("epoch", 9, "epochs")
    assert QuantileBasedSurrogateSearcher.single_fidelity_model is False
    other = make_searcher()
    HyperbandScheduler(SPACE, searcher=other, metric="loss", resource_attr="epoch", max_t=7, random_seed=0)
    assert (other.resource_attr, other.max_t) == ("epoch", 7)


def test_state_is_small_and_restores():
    searcher = make_searcher(random_seed=8)
    twin = make_searcher(random_seed=8)
    for s in (searcher, twin):
        s.get_config(trial_id=0)
    raw = pickle.dumps(searcher.get_state())
    assert len(raw) < 20_000  # the fitted surrogate is not part of the state
    state = pickle.loads(raw)
    clone = searcher.clone_from_state(state)
    assert [clone.get_config(trial_id=i) for i in range(1, 4)] == [twin.get_config(trial_id=i) for i in range(1, 4)]


# -- bad arguments ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name, value",
    [
        ("metric", 3),
        ("mode", "maximize"),
        ("max_fit_samples", 0),
        ("normalization", "uniform"),
        ("num_candidates", 0),
        ("transfer_learning_evaluations", {}),
        ("transfer_learning_evaluations", [1]),
        ("transfer_learning_evaluations", {"a": 1}),
        ("valid_fraction", 1.5),
        ("regressor_kwargs", {"loss": "absolute_error"}),
        ("regressor_kwargs", {"max_iters": 3}),
        ("random_seed", -1),
        ("max_epochs", 0),
        ("resource_attr", 1),
    ],
)
def test_bad_arguments_raise(name, value):
    kwargs = dict(config_space=SPACE, metric="loss", transfer_learning_evaluations=make_evaluations(SPACE))
    kwargs[name] = value
    with pytest.raises(InvalidParameterError, match=f"'{name}'"):
        QuantileBasedSurrogateSearcher(**kwargs)


# -- real data (one small check) -----------------------------------------------------------------
def test_real_blackbox_suggestions_beat_random():
    from syne_tune.optimizer.schedulers.transfer_learning import transfer_learning_evaluations_from_blackbox

    try:
        evaluations = transfer_learning_evaluations_from_blackbox("icml-xgboost", held_out_task="heart")
        from syne_tune.blackbox_repository import load_blackbox

        held_out = TransferLearningTaskEvaluations.from_blackbox(load_blackbox("icml-xgboost")["heart"])
    except Exception as ex:  # the repository is not available offline
        pytest.skip(f"icml-xgboost not available: {ex}")
    evaluations = dict(list(evaluations.items())[:4])
    config_space = held_out.configuration_space
    restrict = held_out.configurations()
    searcher = QuantileBasedSurrogateSearcher(
        config_space,
        metric="metric_error",
        transfer_learning_evaluations=evaluations,
        max_fit_samples=5000,
        random_seed=0,
        points_to_evaluate=[],
        restrict_configurations=restrict,
        regressor_kwargs={"max_iter": 50},
    )
    values = held_out.final_objective_values("metric_error")
    index = {tuple(sorted(c.items())): i for i, c in enumerate(restrict)}
    picked = [values[index[tuple(sorted(searcher.get_config(trial_id=i).items()))]] for i in range(10)]
    percentiles = [np.mean(values < v) for v in picked]
    assert np.mean(percentiles) < 0.35  # random search: 0.5


# -- contracts ------------------------------------------------------------------------------------
class TestQuantileBasedSearcherContract(SearcherContract):
    def make_searcher(self, config_space, metric, mode, random_seed, points_to_evaluate):
        # invalid metrics must fail in the searcher, not in building the data
        name = metric if isinstance(metric, str) and metric else "loss"
        return QuantileBasedSurrogateSearcher(
            config_space,
            metric=metric,
            transfer_learning_evaluations=make_evaluations(config_space, objective=name),
            mode=mode,
            random_seed=random_seed,
            points_to_evaluate=points_to_evaluate,
            **FAST,
        )

    # mode=None is valid here (it means "min", as in Syne Tune): checked below
    @pytest.mark.parametrize("mode", ["maximize", 1])
    def test_bad_mode_raises(self, mode):
        with pytest.raises((ValueError, TypeError)):
            self._make(mode=mode)

    def test_mode_none_means_min(self):
        a = self.run(self._make(mode=None, random_seed=1, points_to_evaluate=[]), 4)
        b = self.run(self._make(mode="min", random_seed=1, points_to_evaluate=[]), 4)
        assert a == b


def _cts(config_space, metric, mode, random_seed):
    return QuantileBasedSurrogateSearcher(
        config_space,
        metric=metric,
        transfer_learning_evaluations=make_evaluations(config_space, objective=metric),
        mode=mode,
        random_seed=random_seed,
        **FAST,
    )


class TestFIFOWithCTSContract(SchedulerContract):
    def make_scheduler(self, config_space, metric, mode, random_seed):
        return FIFOScheduler(
            config_space, searcher=_cts(config_space, metric, mode, random_seed), metric=metric, mode=mode,
            random_seed=random_seed,
        )


class TestASHACTSContract(SchedulerContract):
    """The construction of the ASHACTS baseline: ASHA with this searcher."""

    def make_scheduler(self, config_space, metric, mode, random_seed):
        return HyperbandScheduler(
            config_space, searcher=_cts(config_space, metric, mode, random_seed), metric=metric, mode=mode,
            resource_attr="epoch", max_resource_attr="epochs", random_seed=random_seed,
        )


def test_replaced_space_is_encoded_as_the_surrogate_was_fitted():
    searcher = make_searcher(points_to_evaluate=[], random_seed=3)
    narrow = {
        "x": uniform(0.0, 0.5),
        "lr": loguniform(1e-3, 1e-2),
        "layers": randint(2, 3),
        "act": choice(["relu", "tanh"]),
        "epochs": 9,
    }
    searcher.config_space = narrow
    configs = [searcher.get_config(trial_id=i) for i in range(3)]
    assert all(0.0 <= c["x"] <= 0.5 and 2 <= c["layers"] <= 3 for c in configs)
    encode = searcher._encode_for_model()
    X = searcher._hp_ranges.to_ndarray_matrix(configs)
    np.testing.assert_allclose(encode(X), searcher._fit_ranges.to_ndarray_matrix(configs))
    searcher.config_space = {"x": uniform(0.0, 1.0), "epochs": 9}
    with pytest.raises(ValueError, match="without"):
        searcher.get_config(trial_id=3)
