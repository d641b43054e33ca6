"""The transfer-learning baselines (RUSH, ASHABB, ASHACTS, ZeroShotTransfer) pass the scheduler contract."""

import numpy as np
import pandas as pd

from syne_tune.optimizer import baselines
from syne_tune.optimizer.schedulers.transfer_learning import TransferLearningTaskEvaluations
from syne_tune.testing.scheduler import SchedulerContract, crossing_curve

SPACE = SchedulerContract().config_space


def _evaluations(metric: str = "loss") -> dict:
    """Two earlier tasks over the contract's space, with values of its learning curve at epoch 9."""
    rng = np.random.RandomState(0)
    tasks = {}
    for name in ("task-a", "task-b"):
        hp = pd.DataFrame(
            {
                "x": rng.uniform(0, 1, 20),
                "lr": np.exp(rng.uniform(np.log(1e-4), np.log(1e-1), 20)),
                "layers": rng.randint(1, 5, 20),
                "act": rng.choice(["relu", "tanh"], 20),
            }
        )
        y = np.array([crossing_curve(row, 9) for row in hp.to_dict("records")]).reshape(20, 1, 1, 1)
        tasks[name] = TransferLearningTaskEvaluations(SPACE, hp, [metric], y)
    return tasks


def _mf(seed):
    return dict(resource_attr="epoch", max_resource_attr="epochs", random_seed=seed)


class TestRUSHBaseline(SchedulerContract):
    def make_scheduler(self, config_space, metric, mode, random_seed):
        return baselines.RUSH(
            config_space, metric=metric, transfer_learning_evaluations=_evaluations(metric), mode=mode, **_mf(random_seed)
        )


class TestASHABBBaseline(SchedulerContract):
    def make_scheduler(self, config_space, metric, mode, random_seed):
        return baselines.ASHABB(
            config_space, metric=metric, transfer_learning_evaluations=_evaluations(metric), mode=mode,
            num_hyperparameters_per_task=3, **_mf(random_seed),
        )


class TestASHACTSBaseline(SchedulerContract):
    def make_scheduler(self, config_space, metric, mode, random_seed):
        return baselines.ASHACTS(
            config_space, metric=metric, transfer_learning_evaluations=_evaluations(metric), mode=mode,
            search_options={"num_candidates": 200}, **_mf(random_seed),
        )


class TestZeroShotTransferBaseline(SchedulerContract):
    def make_scheduler(self, config_space, metric, mode, random_seed):
        return baselines.ZeroShotTransfer(
            config_space, transfer_learning_evaluations=_evaluations(metric), metric=metric, mode=mode,
            random_seed=random_seed,
        )


def test_rush_starts_with_the_best_configuration_of_every_task():
    scheduler = baselines.RUSH(SPACE, metric="loss", transfer_learning_evaluations=_evaluations(), **_mf(0))
    best = [e.top_k_hyperparameter_configurations(1, "min")[0] for e in _evaluations().values()]
    for trial_id, config in enumerate(best):
        suggested = scheduler.suggest(trial_id).config
        assert {k: suggested[k] for k in config} == config
