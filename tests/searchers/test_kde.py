"""KDE / TPE searcher (BOHB's model) and its multi-fidelity variant
(syne_tune/optimizer/schedulers/searchers/kde/)."""

from __future__ import annotations

import copy
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import truncnorm

from syne_tune.config_space import (
    check_config_in_space,
    choice,
    finrange,
    lograndint,
    loguniform,
    ordinal,
    randint,
    uniform,
)
from syne_tune.optimizer.baselines import BOHB, KDE, SyncBOHB
from syne_tune.optimizer.schedulers.fifo import FIFOScheduler
from syne_tune.optimizer.schedulers.hyperband import HyperbandScheduler
from syne_tune.optimizer.schedulers.searchers.kde import (
    KernelDensityEstimator,
    MultiFidelityKernelDensityEstimator,
)
from syne_tune.optimizer.schedulers.searchers.kde.kde_searcher import (
    KDECoordinates,
    ProductKernelDensity,
    split_good_bad,
)
from syne_tune.testing.scheduler import SchedulerContract
from syne_tune.testing.searcher import SearcherContract
from syne_tune.utils.validation import InvalidParameterError

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "schedulers"))
from sim_util import simulate  # noqa: E402

SPACE = {
    "lr": loguniform(1e-4, 1.0),
    "n": randint(1, 8),
    "units": lograndint(8, 512),
    "act": choice(["relu", "tanh", "gelu"]),
    "size": ordinal([16, 32, 64, 128]),
    "x": uniform(0.0, 1.0),
    "epochs": 9,
}


def feed(searcher, values, configs=None, first=0, resource=None):
    """Report ``values`` (one per config, random configs if not given)."""
    rs = np.random.RandomState(123)
    configs = configs or searcher._hp_ranges.random_configs(rs, len(values))
    for i, (config, value) in enumerate(zip(configs, values)):
        result = {"loss": value}
        if resource is not None:
            result["epoch"] = resource
        searcher.on_trial_result(first + i, config, result, update=True)
    return configs


# -- good / bad split -------------------------------------------------------------------------


def test_split_good_bad_on_hand_made_values():
    y = np.array([5.0, 1.0, 3.0, 2.0, 4.0, 0.0, 9.0, 8.0, 7.0, 6.0])
    good, bad = split_good_bad(y, top_n_percent=30, num_min_data_points=2)
    assert list(good) == [5, 1, 3]  # 0.0, 1.0, 2.0
    assert sorted(bad) == [0, 2, 4, 6, 7, 8, 9]
    # at least num_min_data_points good points
    good, bad = split_good_bad(y, top_n_percent=15, num_min_data_points=4)
    assert list(good) == [5, 1, 3, 2] and len(bad) == 6


@pytest.mark.parametrize("mode", ["min", "max"])
def test_searcher_split_follows_mode(mode):
    space = {"x": uniform(0.0, 1.0)}
    searcher = KernelDensityEstimator(space, metric="loss", mode=mode, num_min_data_points=2, top_n_percent=20)
    xs = np.linspace(0.05, 0.95, 10)
    feed(searcher, list(xs), configs=[{"x": float(x)} for x in xs])
    good, bad = searcher.fit_densities()
    expected_good = xs[:2] if mode == "min" else xs[-2:]
    np.testing.assert_allclose(np.sort(good.data[:, 0]), np.sort(expected_good))
    assert good.data.shape[0] == 2 and bad.data.shape[0] == 8


def test_no_model_before_enough_observations():
    searcher = KernelDensityEstimator({"x": uniform(0, 1), "y": uniform(0, 1)}, metric="loss")
    assert searcher.num_min_data_points == 2
    feed(searcher, [1.0, 2.0, 3.0])
    assert searcher.fit_densities() is None
    feed(searcher, [4.0], first=3)
    assert searcher.fit_densities() is not None


def test_a_replaced_observation_is_re_encoded():
    space = {"x": uniform(0.0, 1.0)}
    searcher = KernelDensityEstimator(space, metric="loss", num_min_data_points=1, top_n_percent=50)
    feed(searcher, [1.0, 2.0], configs=[{"x": 0.1}, {"x": 0.9}])
    good, _ = searcher.fit_densities()
    np.testing.assert_allclose(good.data, [[0.1]])
    searcher.on_trial_result(0, {"x": 0.4}, {"loss": 0.5}, update=True)  # same key (trial 0)
    good, _ = searcher.fit_densities()
    np.testing.assert_allclose(good.data, [[0.4]])
    clone = searcher.clone_from_state(searcher.get_state())
    np.testing.assert_allclose(clone.fit_densities()[0].data, [[0.4]])


# -- densities ---------------------------------------------------------------------------------


def test_truncated_gaussian_density_matches_scipy():
    data = np.array([[0.1], [0.5], [0.95]])
    kde = ProductKernelDensity(data, num_categories=np.array([0]))
    h = kde.bandwidths[0]
    np.testing.assert_allclose(h, 1.06 * data.std() * 3 ** (-1 / 5))
    z = np.linspace(0.0, 1.0, 11)
    direct = np.mean(
        [truncnorm.pdf(z, (0 - x) / h, (1 - x) / h, loc=x, scale=h) for x in data[:, 0]], axis=0
    )
    np.testing.assert_allclose(np.exp(kde.log_pdf(z[:, None])), direct, rtol=1e-10)


def test_aitchison_aitken_and_product_density_match_direct_computation():
    data = np.array([[0.0, 0.2], [2.0, 0.6], [2.0, 0.4], [1.0, 0.9]])  # (category of 3, continuous)
    kde = ProductKernelDensity(data, num_categories=np.array([3, 0]))
    lam, h = kde.bandwidths
    assert 0 < lam <= 2 / 3
    query = np.array([[2.0, 0.5], [0.0, 0.1], [1.0, 1.0]])
    expected = []
    for c, u in query:
        total = 0.0
        for dc, du in data:
            k_cat = (1 - lam) if c == dc else lam / 2
            k_cont = truncnorm.pdf(u, -du / h, (1 - du) / h, loc=du, scale=h)
            total += k_cat * k_cont
        expected.append(total / len(data))
    np.testing.assert_allclose(np.exp(kde.log_pdf(query)), expected, rtol=1e-10)
    # the categorical kernel sums to one over the categories
    k = np.array([np.exp(kde.log_pdf(np.array([[c, 0.5]])))[0] for c in range(3)])
    marginal = np.mean([truncnorm.pdf(0.5, -du / h, (1 - du) / h, loc=du, scale=h) for du in data[:, 1]])
    assert k.sum() == pytest.approx(marginal, rel=1e-10)


def test_bandwidth_floors():
    data = np.full((5, 2), 0.5)
    kde = ProductKernelDensity(data, num_categories=np.array([0, 0]), min_bandwidth=1e-3, num_values=np.array([0, 8]))
    assert kde.bandwidths[0] == pytest.approx(1e-3)
    assert kde.bandwidths[1] == pytest.approx(1 / 16)  # half a cell of 8 values
    cat = ProductKernelDensity(np.zeros((5, 1)), num_categories=np.array([4]))
    assert cat.bandwidths[0] == pytest.approx(1 / 8)


# -- sampling ---------------------------------------------------------------------------------


def test_sampling_from_l_is_in_domain_and_near_good_points():
    searcher = KernelDensityEstimator(SPACE, metric="loss", random_seed=0, num_min_data_points=3, top_n_percent=17)
    rs = np.random.RandomState(0)
    target = {"lr": 1e-2, "n": 6, "units": 64, "act": "tanh", "size": 32, "x": 0.8}
    good_configs = []
    for _ in range(6):
        c = dict(target)
        c["lr"] = float(np.clip(1e-2 * np.exp(rs.normal(0, 0.2)), 1e-4, 1))
        c["x"] = float(np.clip(0.8 + rs.normal(0, 0.02), 0, 1))
        good_configs.append(c)
    bad_configs = searcher._hp_ranges.random_configs(rs, 30)
    feed(searcher, [0.0] * 6 + [1.0] * 30, configs=good_configs + bad_configs)
    good, _ = searcher.fit_densities()
    assert good.data.shape[0] == 6
    coords = searcher._coordinates()
    samples = coords.to_configs(good.sample(400, np.random.RandomState(1), bandwidth_factor=1.0))
    uniform_samples = searcher._hp_ranges.random_configs(np.random.RandomState(2), 400)
    for config in samples:
        check_config_in_space(SPACE, config)
        for name in target:
            assert type(config[name]) is SPACE[name].value_type
    for name in ("n", "units", "act", "size"):
        frac = np.mean([c[name] == target[name] for c in samples])
        base = np.mean([c[name] == target[name] for c in uniform_samples])
        assert frac > 0.4 and frac > 2 * base, name
    lr_dist = np.median([abs(np.log(c["lr"] / 1e-2)) for c in samples])
    assert lr_dist < 0.5
    assert np.median([abs(c["x"] - 0.8) for c in samples]) < 0.05


def test_coordinates_round_trip_every_domain_type():
    space = dict(SPACE, f=finrange(0.0, 1.0, 5), b=choice([True, False]))
    coords = KDECoordinates(KernelDensityEstimator(space, metric="loss")._hp_ranges)
    configs = KernelDensityEstimator(space, metric="loss")._hp_ranges.random_configs(np.random.RandomState(0), 50)
    Z = coords.from_configs(configs)
    assert Z.shape == (50, 8)
    back = coords.to_configs(Z)
    for a, b in zip(configs, back):
        assert a == pytest.approx(b)


# -- suggestions ----------------------------------------------------------------------------


def test_suggestion_is_the_argmax_of_l_over_g_among_the_candidates():
    searcher = KernelDensityEstimator(
        SPACE, metric="loss", random_seed=4, points_to_evaluate=[], random_fraction=0.0, num_candidates=16
    )
    rs = np.random.RandomState(7)
    configs = searcher._hp_ranges.random_configs(rs, 20)
    feed(searcher, [c["x"] + np.log10(c["lr"]) ** 2 for c in configs], configs=configs)
    good, bad = searcher.fit_densities()
    replay = copy.deepcopy(searcher.random_state)
    replay.uniform()  # the random_fraction draw
    coords = searcher._coordinates()
    candidates = coords.to_configs(good.sample(16, replay, searcher.bandwidth_factor))
    Z = coords.from_configs(candidates)
    scores = good.log_pdf(Z) - bad.log_pdf(Z)
    suggested = searcher.get_config(trial_id=20)
    assert {k: suggested[k] for k in candidates[0]} == candidates[int(np.argmax(scores))]


def test_restrict_configurations_scores_the_unused_ones():
    space = {"x": uniform(0.0, 1.0), "c": choice(["a", "b"])}
    restrict = [{"x": float(x), "c": c} for x in np.linspace(0, 1, 21) for c in "ab"]
    searcher = KernelDensityEstimator(
        space, metric="loss", random_seed=0, points_to_evaluate=[], restrict_configurations=restrict,
        random_fraction=0.0,
    )
    seen = []
    for tid in range(30):
        config = searcher.get_config(trial_id=tid)
        assert {k: config[k] for k in ("x", "c")} in restrict
        seen.append((config["x"], config["c"]))
        searcher.on_trial_result(tid, config, {"loss": (config["x"] - 0.3) ** 2 + (config["c"] == "b")}, update=True)
    assert len(set(seen)) == 30  # no duplicates
    # after the initial random phase, the model picks configurations near the optimum
    late = seen[10:20]
    assert np.mean([abs(x - 0.3) for x, c in late]) < 0.25


def test_many_restricted_configurations_are_subsampled(monkeypatch):
    import syne_tune.optimizer.schedulers.searchers.kde.kde_searcher as module

    monkeypatch.setattr(module, "MAX_RESTRICTED_CANDIDATES", 5)
    space = {"x": uniform(0.0, 1.0)}
    restrict = [{"x": float(x)} for x in np.linspace(0, 1, 50)]
    searcher = KernelDensityEstimator(
        space, metric="loss", random_seed=0, points_to_evaluate=[], restrict_configurations=restrict,
        random_fraction=0.0, num_min_data_points=2,
    )
    calls = []
    scores = searcher._scores
    monkeypatch.setattr(searcher, "_scores", lambda l, g, Z: calls.append(len(Z)) or scores(l, g, Z))
    suggested = []
    for tid in range(12):
        config = searcher.get_config(trial_id=tid)
        suggested.append(config["x"])
        searcher.on_trial_result(tid, config, {"loss": abs(config["x"] - 0.5)}, update=True)
    assert len(set(suggested)) == 12 and set(suggested) <= {c["x"] for c in restrict}
    assert calls and all(n == 5 for n in calls)


def test_registry_and_baselines_give_the_kde_searchers():
    fifo = FIFOScheduler(SPACE, searcher="kde", metric="loss")
    assert type(fifo.searcher) is KernelDensityEstimator
    assert type(KDE(SPACE, metric="loss").searcher) is KernelDensityEstimator
    hb = HyperbandScheduler(SPACE, searcher="kde", metric="loss", max_resource_attr="epochs")
    assert type(hb.searcher) is MultiFidelityKernelDensityEstimator
    assert hb.searcher.resource_attr == "epoch" and hb.searcher.max_t == 9
    sync = SyncBOHB(SPACE, metric="loss", resource_attr="epoch", max_resource_attr="epochs")
    assert type(sync.searcher) is MultiFidelityKernelDensityEstimator
    with pytest.raises(InvalidParameterError):
        FIFOScheduler(SPACE, searcher=MultiFidelityKernelDensityEstimator(SPACE, metric="loss"), metric="loss")
    with pytest.raises(InvalidParameterError):
        HyperbandScheduler(SPACE, searcher=KernelDensityEstimator(SPACE, metric="loss"), metric="loss", max_t=9)


# -- multi-fidelity ------------------------------------------------------------------------------


def test_multi_fidelity_fits_the_highest_level_with_enough_points():
    space = {"x": uniform(0.0, 1.0), "y": uniform(0.0, 1.0)}  # num_min_data_points = 2: 4 points needed
    searcher = MultiFidelityKernelDensityEstimator(space, metric="loss", resource_attr="epoch")
    assert searcher.resource_for_model() is None
    feed(searcher, [1.0, 2.0, 3.0], resource=1)
    assert searcher.resource_for_model() is None and searcher.fit_densities() is None
    feed(searcher, [4.0, 5.0, 6.0, 7.0, 8.0], resource=1, first=3)
    assert searcher.resource_for_model() == 1
    configs = feed(searcher, [0.5, 0.1, 0.3, 0.2], resource=3, first=0)
    feed(searcher, [0.05, 0.01, 0.02], resource=9, first=0)  # too few at level 9
    assert searcher.resource_for_model() == 3
    good, bad = searcher.fit_densities()
    assert good.data.shape[0] + bad.data.shape[0] == 4
    assert searcher.dataset_size() == 15
    # the good points at level 3 are the two best there
    coords = searcher._coordinates().from_configs([configs[1], configs[3]])
    np.testing.assert_allclose(good.data, coords)
    feed(searcher, [0.03], resource=9, first=3)
    assert searcher.resource_for_model() == 9
    searcher.remove_case(3, epoch=9)
    assert searcher.resource_for_model() == 3


def test_multi_fidelity_needs_the_resource_attribute():
    searcher = MultiFidelityKernelDensityEstimator(SPACE, metric="loss")
    with pytest.raises(ValueError, match="resource attribute"):
        searcher.on_trial_result(0, {"x": 0.5}, {"loss": 1.0}, update=True)


def test_bohb_simulated_run_uses_the_model():
    space = {"x": uniform(0.0, 1.0), "y": uniform(0.0, 1.0), "epochs": 9}
    scheduler = BOHB(space, metric="y", resource_attr="epoch", max_resource_attr="epochs", random_seed=1, mode="min")
    result = simulate(scheduler, max_epochs=9, max_results=300, metric="y", max_resource_attr="epochs")
    searcher = scheduler.searcher
    assert result.num_started > 20 and np.isfinite(result.best)
    assert searcher.resource_for_model() is not None
    assert searcher.fit_densities() is not None
    assert result.best < 0.05  # optimum (x - 0.3)^2 + exp(-(0.2 + 2x) * 9) is about 0.005


# -- arguments -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, value",
    [
        ("top_n_percent", 0),
        ("top_n_percent", 100),
        ("bandwidth_factor", 0),
        ("bandwidth_factor", -1.0),
        ("random_fraction", 1.5),
        ("random_fraction", -0.1),
        ("num_candidates", 0),
        ("num_candidates", 2.5),
        ("min_bandwidth", 0.0),
        ("num_min_data_points", 0),
    ],
)
def test_bad_arguments_raise_naming_the_parameter(name, value):
    with pytest.raises(InvalidParameterError, match=name):
        KernelDensityEstimator(SPACE, metric="loss", **{name: value})
    with pytest.raises(InvalidParameterError, match=name):
        MultiFidelityKernelDensityEstimator(SPACE, metric="loss", **{name: value})


def test_bad_scheduler_context_raises():
    with pytest.raises(InvalidParameterError, match="scheduler"):
        MultiFidelityKernelDensityEstimator(SPACE, metric="loss", scheduler="fifo")
    with pytest.raises(InvalidParameterError, match="max_epochs"):
        MultiFidelityKernelDensityEstimator(SPACE, metric="loss", max_epochs=0)
    with pytest.raises(InvalidParameterError, match="search_options"):
        KDE(SPACE, metric="loss", search_options={"top_n_percnt": 10})


# -- contracts -----------------------------------------------------------------------------------


class TestKernelDensityEstimatorContract(SearcherContract):
    num_suggestions = 14

    def make_searcher(self, config_space, metric, mode, random_seed, points_to_evaluate):
        return KernelDensityEstimator(
            config_space, metric=metric, mode=mode, random_seed=random_seed, points_to_evaluate=points_to_evaluate,
            num_min_data_points=2,
        )


class TestKernelDensityEstimatorDefaultsContract(SearcherContract):
    def make_searcher(self, config_space, metric, mode, random_seed, points_to_evaluate):
        return KernelDensityEstimator(
            config_space, metric=metric, mode=mode, random_seed=random_seed, points_to_evaluate=points_to_evaluate
        )


class TestMultiFidelityKernelDensityEstimatorContract(SearcherContract):
    num_suggestions = 14

    def result(self, config):
        return {self.metric: self.objective(config), "epoch": 1}

    def make_searcher(self, config_space, metric, mode, random_seed, points_to_evaluate):
        return MultiFidelityKernelDensityEstimator(
            config_space, metric=metric, mode=mode, random_seed=random_seed, points_to_evaluate=points_to_evaluate,
            num_min_data_points=2, resource_attr="epoch",
        )


def _hb(seed):
    return dict(resource_attr="epoch", max_resource_attr="epochs", random_seed=seed)


class TestKDEScheduler(SchedulerContract):
    num_results = 150

    def make_scheduler(self, config_space, metric, mode, random_seed):
        return KDE(config_space, metric=metric, mode=mode, random_seed=random_seed)


class TestBOHBScheduler(SchedulerContract):
    def make_scheduler(self, config_space, metric, mode, random_seed):
        return BOHB(config_space, metric=metric, mode=mode, **_hb(random_seed))


class TestSyncBOHBScheduler(SchedulerContract):
    def make_scheduler(self, config_space, metric, mode, random_seed):
        return SyncBOHB(config_space, metric=metric, mode=mode, **_hb(random_seed))


def test_bohb_runs_all_hyperband_brackets_by_default():
    from syne_tune.config_space import uniform
    from syne_tune.optimizer.baselines import BOHB

    space = {"x": uniform(0, 1), "epochs": 27}
    default = BOHB(space, metric="y", resource_attr="epoch", max_resource_attr="epochs")
    one = BOHB(space, metric="y", resource_attr="epoch", max_resource_attr="epochs", brackets=1)
    assert default.brackets == len(default.rung_levels) + 1 and one.brackets == 1
