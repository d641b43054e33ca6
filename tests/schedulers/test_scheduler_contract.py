"""Every scheduler of the library passes :class:`syne_tune.testing.SchedulerContract`."""

from __future__ import annotations

from syne_tune.optimizer.baselines import (
    ASHA,
    MOBSTER,
    PASHA,
    BayesianOptimization,
    ConstrainedBayesianOptimization,
    DyHPO,
    GridSearch,
    Hyperband,
    HyperTune,
    MedianStoppingRule,
    PopulationBasedTraining,
    RandomSearch,
    SyncHyperband,
    SyncMOBSTER,
)
from syne_tune.optimizer.schedulers import FIFOScheduler
from syne_tune.optimizer.schedulers.hyperband import HyperbandScheduler
from syne_tune.optimizer.schedulers.synchronous.hyperband import SynchronousHyperbandScheduler
from syne_tune.testing.scheduler import SchedulerContract


def _hb(seed):
    return dict(resource_attr="epoch", max_resource_attr="epochs", random_seed=seed)


class TestRandomSearch(SchedulerContract):
    def make_scheduler(self, config_space, metric, mode, random_seed):
        return RandomSearch(config_space, metric=metric, mode=mode, random_seed=random_seed)


class TestGridSearch(SchedulerContract):
    def make_scheduler(self, config_space, metric, mode, random_seed):
        return GridSearch(config_space, metric=metric, mode=mode, random_seed=random_seed)


class TestFIFOScheduler(SchedulerContract):
    def make_scheduler(self, config_space, metric, mode, random_seed):
        return FIFOScheduler(config_space, searcher="random", metric=metric, mode=mode, random_seed=random_seed)


class TestBayesianOptimization(SchedulerContract):
    num_results = 150

    def make_scheduler(self, config_space, metric, mode, random_seed):
        return BayesianOptimization(config_space, metric=metric, mode=mode, random_seed=random_seed)


class TestConstrainedBayesianOptimization(SchedulerContract):
    # the suite's results carry "cost" (> 0): every configuration is infeasible
    def make_scheduler(self, config_space, metric, mode, random_seed):
        return ConstrainedBayesianOptimization(
            config_space, metric=metric, mode=mode, random_seed=random_seed, constraint_attr="cost"
        )


class TestCostAwareBayesianOptimization(SchedulerContract):
    def make_scheduler(self, config_space, metric, mode, random_seed):
        return FIFOScheduler(
            config_space, searcher="bayesopt_cost", metric=metric, mode=mode, random_seed=random_seed,
            search_options={"cost_attr": "cost"},
        )


class TestASHA(SchedulerContract):
    def make_scheduler(self, config_space, metric, mode, random_seed):
        return ASHA(config_space, metric=metric, mode=mode, **_hb(random_seed))


class TestASHAPromotion(SchedulerContract):
    def make_scheduler(self, config_space, metric, mode, random_seed):
        return ASHA(config_space, metric=metric, mode=mode, type="promotion", **_hb(random_seed))


class TestHyperband(SchedulerContract):
    def make_scheduler(self, config_space, metric, mode, random_seed):
        return Hyperband(config_space, metric=metric, mode=mode, **_hb(random_seed))


class TestHyperbandPromotionPerBracket(SchedulerContract):
    def make_scheduler(self, config_space, metric, mode, random_seed):
        return Hyperband(
            config_space, metric=metric, mode=mode, type="promotion", rung_system_per_bracket=True, **_hb(random_seed)
        )


class TestPASHA(SchedulerContract):
    def make_scheduler(self, config_space, metric, mode, random_seed):
        return PASHA(config_space, metric=metric, mode=mode, **_hb(random_seed))


class TestCostPromotion(SchedulerContract):
    def make_scheduler(self, config_space, metric, mode, random_seed):
        return HyperbandScheduler(
            config_space, metric=metric, mode=mode, type="cost_promotion", cost_attr="cost", **_hb(random_seed)
        )


class TestSyncHyperband(SchedulerContract):
    def make_scheduler(self, config_space, metric, mode, random_seed):
        return SyncHyperband(config_space, metric=metric, mode=mode, **_hb(random_seed))


class TestSynchronousHyperbandScheduler(SchedulerContract):
    def make_scheduler(self, config_space, metric, mode, random_seed):
        return SynchronousHyperbandScheduler(
            config_space, bracket_rungs=[[(6, 1), (2, 3), (1, 9)], [(3, 3), (1, 9)]], metric=metric, mode=mode,
            **_hb(random_seed),
        )


class TestMedianStoppingRule(SchedulerContract):
    def make_scheduler(self, config_space, metric, mode, random_seed):
        return MedianStoppingRule(
            RandomSearch(config_space, metric=metric, mode=mode, random_seed=random_seed),
            resource_attr="epoch",
            grace_population=3,
        )


class TestPopulationBasedTraining(SchedulerContract):
    def make_scheduler(self, config_space, metric, mode, random_seed):
        return PopulationBasedTraining(
            config_space, metric=metric, mode=mode, resource_attr="epoch", max_t=self.max_epochs,
            perturbation_interval=2, random_seed=random_seed,
        )


# -- model-based multi-fidelity schedulers (GP searchers; cheaper acquisition
# optimization than the defaults, to keep the suite fast) -----------------------------

_GP_OPTIONS = {
    "num_init_candidates": 30,
    "skip_local_optimization": True,
    "opt_nstarts": 1,
    "opt_maxiter": 10,
    "refit_fraction": 0.5,
    "num_fantasy_samples": 5,
}


def _gp_options(**kwargs):
    return dict(_GP_OPTIONS, **kwargs)


class _ModelBasedContract(SchedulerContract):
    num_results = 100


class TestMOBSTER(_ModelBasedContract):
    def make_scheduler(self, config_space, metric, mode, random_seed):
        return MOBSTER(config_space, metric=metric, mode=mode, search_options=_gp_options(), **_hb(random_seed))


class TestMOBSTERPromotion(_ModelBasedContract):
    def make_scheduler(self, config_space, metric, mode, random_seed):
        return MOBSTER(
            config_space, metric=metric, mode=mode, type="promotion", search_options=_gp_options(), **_hb(random_seed)
        )


class TestMOBSTERIndependent(_ModelBasedContract):
    def make_scheduler(self, config_space, metric, mode, random_seed):
        return MOBSTER(
            config_space, metric=metric, mode=mode, search_options=_gp_options(model="gp_independent"),
            **_hb(random_seed),
        )


class TestMOBSTERExpDecayPromotion(_ModelBasedContract):
    def make_scheduler(self, config_space, metric, mode, random_seed):
        return MOBSTER(
            config_space, metric=metric, mode=mode, type="promotion", search_options=_gp_options(model="gp_expdecay"),
            **_hb(random_seed),
        )


class TestCostAwareMOBSTER(_ModelBasedContract):
    def make_scheduler(self, config_space, metric, mode, random_seed):
        return MOBSTER(
            config_space, metric=metric, mode=mode, searcher="bayesopt_cost", type="cost_promotion", cost_attr="cost",
            search_options=_gp_options(), **_hb(random_seed),
        )


class TestHyperTune(_ModelBasedContract):
    def make_scheduler(self, config_space, metric, mode, random_seed):
        return HyperTune(
            config_space, metric=metric, mode=mode,
            search_options=_gp_options(hypertune_distribution_num_samples=20), **_hb(random_seed),
        )


class TestDyHPO(_ModelBasedContract):
    def make_scheduler(self, config_space, metric, mode, random_seed):
        return DyHPO(config_space, metric=metric, mode=mode, search_options=_gp_options(), **_hb(random_seed))


class TestSyncMOBSTER(_ModelBasedContract):
    def make_scheduler(self, config_space, metric, mode, random_seed):
        return SyncMOBSTER(config_space, metric=metric, mode=mode, search_options=_gp_options(), **_hb(random_seed))
