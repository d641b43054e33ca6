"""Every built-in searcher passes :class:`syne_tune.testing.searcher.SearcherContract`."""

import importlib.util

import pytest

from syne_tune.optimizer.schedulers.searchers import GridSearcher, RandomSearcher
from syne_tune.testing.searcher import SearcherContract

HAS_GP_DEPENDENCIES = all(importlib.util.find_spec(m) is not None for m in ("autograd", "scipy"))


class TestRandomSearcher(SearcherContract):
    def make_searcher(self, config_space, metric, mode, random_seed, points_to_evaluate):
        return RandomSearcher(
            config_space, metric=metric, mode=mode, random_seed=random_seed, points_to_evaluate=points_to_evaluate
        )


class TestRandomSearcherWithDuplicates(SearcherContract):
    allow_duplicates = True

    def make_searcher(self, config_space, metric, mode, random_seed, points_to_evaluate):
        return RandomSearcher(
            config_space,
            metric=metric,
            mode=mode,
            random_seed=random_seed,
            points_to_evaluate=points_to_evaluate,
            allow_duplicates=True,
        )


class TestGridSearcher(SearcherContract):
    def make_searcher(self, config_space, metric, mode, random_seed, points_to_evaluate):
        return GridSearcher(
            config_space, metric=metric, mode=mode, random_seed=random_seed, points_to_evaluate=points_to_evaluate
        )


class TestGridSearcherUnshuffledWithDuplicates(SearcherContract):
    allow_duplicates = True

    def make_searcher(self, config_space, metric, mode, random_seed, points_to_evaluate):
        return GridSearcher(
            config_space,
            metric=metric,
            mode=mode,
            random_seed=random_seed,
            points_to_evaluate=points_to_evaluate,
            shuffle_config=False,
            allow_duplicates=True,
        )


@pytest.mark.skipif(not HAS_GP_DEPENDENCIES, reason="needs the gpsearchers extra (autograd, scipy)")
class TestGPFIFOSearcher(SearcherContract):
    def make_searcher(self, config_space, metric, mode, random_seed, points_to_evaluate):
        from syne_tune.optimizer.schedulers.searchers.bayesopt import GPFIFOSearcher

        return GPFIFOSearcher(
            config_space,
            metric=metric,
            mode=mode,
            random_seed=random_seed,
            points_to_evaluate=points_to_evaluate,
            num_init_candidates=100,
        )


@pytest.mark.skipif(not HAS_GP_DEPENDENCIES, reason="needs the gpsearchers extra (autograd, scipy)")
class TestConstrainedGPFIFOSearcher(SearcherContract):
    def result(self, config):
        value = self.objective(config)
        return {self.metric: value, "constraint": value - 10.0}

    def make_searcher(self, config_space, metric, mode, random_seed, points_to_evaluate):
        from syne_tune.optimizer.schedulers.searchers.bayesopt.gp_searcher import ConstrainedGPFIFOSearcher

        return ConstrainedGPFIFOSearcher(
            config_space,
            metric=metric,
            constraint_attr="constraint",
            mode=mode,
            random_seed=random_seed,
            points_to_evaluate=points_to_evaluate,
            num_init_candidates=100,
        )


@pytest.mark.skipif(not HAS_GP_DEPENDENCIES, reason="needs the gpsearchers extra (autograd, scipy)")
class TestCostAwareGPFIFOSearcher(SearcherContract):
    def result(self, config):
        value = self.objective(config)
        return {self.metric: value, "elapsed_time": 1.0 + abs(value)}

    def make_searcher(self, config_space, metric, mode, random_seed, points_to_evaluate):
        from syne_tune.optimizer.schedulers.searchers.bayesopt.gp_searcher import CostAwareGPFIFOSearcher

        return CostAwareGPFIFOSearcher(
            config_space,
            metric=metric,
            mode=mode,
            random_seed=random_seed,
            points_to_evaluate=points_to_evaluate,
            num_init_candidates=100,
        )
