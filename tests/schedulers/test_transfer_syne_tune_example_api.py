"""The calls of Syne Tune 0.13's transfer-learning example work here unchanged.

That example tunes five "preliminary" tasks, turns each run's
``tuner.tuning_status.get_dataframe()`` (completed trials; hyperparameter
columns named as in the config space, constants included) into a
``TransferLearningTaskEvaluations`` with ``np.array(df[metric], ndmin=4).T``,
and then tunes a sixth task with ``ZeroShotTransfer(use_surrogates=True, ...)``,
``FIFOScheduler(points_to_evaluate=[], searcher=QuantileBasedSurrogateSearcher(...))``
and ``BoundingBox(scheduler_fun=..., ...)``, all with keyword arguments, and reads
``objective_values(metric)[:n, 0, 0]``. Here the preliminary results are made up
(no training runs), the calls are the same.
"""

from datetime import datetime

import numpy as np
import pandas as pd

from syne_tune.config_space import randint
from syne_tune.optimizer.baselines import ZeroShotTransfer
from syne_tune.optimizer.schedulers import FIFOScheduler
from syne_tune.optimizer.schedulers.transfer_learning import BoundingBox, TransferLearningTaskEvaluations
from syne_tune.optimizer.schedulers.transfer_learning.quantile_based.quantile_based_searcher import (
    QuantileBasedSurrogateSearcher,
)
from syne_tune.trial import Trial

METRIC = "mean_loss"


def space(steps: int) -> dict:
    return {"steps": steps, "width": randint(0, 20), "height": randint(-100, 100), "sleep_time": 0.0}


def loss(config: dict) -> float:
    return (0.1 + config["width"] * config["steps"] / 100) ** (-1) + 0.1 * config["height"]


def preliminary_dataframe(steps: int, rng) -> pd.DataFrame:
    """What ``tuning_status.get_dataframe()`` holds after 10 trials (2 failed)."""
    rows = []
    for trial_id in range(10):
        config = {"steps": steps, "width": int(rng.randint(0, 21)), "height": int(rng.randint(-100, 101)), "sleep_time": 0.0}
        status = "Failed" if trial_id in (3, 7) else "Completed"
        rows.append({"trial_id": trial_id, "status": status, **config, METRIC: loss(config)})
    return pd.DataFrame(rows)


def evaluations_from(df: pd.DataFrame, config_space: dict) -> TransferLearningTaskEvaluations:
    done = df[df["status"] == "Completed"].reset_index()
    return TransferLearningTaskEvaluations(
        configuration_space=config_space,
        hyperparameters=done[config_space.keys()],
        objectives_names=[METRIC],
        objectives_evaluations=np.array(done[METRIC], ndmin=4).T,
    )


def _drive(scheduler, num: int) -> list[dict]:
    configs = []
    for trial_id in range(num):
        config = dict(scheduler.suggest(trial_id).config)
        trial = Trial(trial_id, config, datetime(2024, 1, 1))
        scheduler.on_trial_add(trial)
        result = {METRIC: loss(config), "epoch": 1}
        scheduler.on_trial_result(trial, result)
        scheduler.on_trial_complete(trial, result)
        configs.append(config)
    return configs


def test_the_calls_of_syne_tune_transfer_learning_example():
    rng = np.random.RandomState(1)
    transfer = {steps: evaluations_from(preliminary_dataframe(steps, rng), space(steps)) for steps in range(1, 6)}
    assert transfer[1].objective_values(METRIC)[:10, 0, 0].shape == (8,)  # the example's indexing
    kwargs = {"metric": METRIC, "config_space": space(6), "mode": "min", "random_seed": 6}
    with_transfer = dict(kwargs, transfer_learning_evaluations=transfer)

    zero_shot = ZeroShotTransfer(use_surrogates=True, **with_transfer)
    quantiles = FIFOScheduler(points_to_evaluate=[], searcher=QuantileBasedSurrogateSearcher(**with_transfer), **kwargs)
    sched_kwargs = {k: v for k, v in kwargs.items() if k != "config_space"}
    box_kwargs = dict(with_transfer)
    box_kwargs["scheduler_fun"] = lambda new_config_space, mode, metric: FIFOScheduler(
        new_config_space, points_to_evaluate=[], searcher="random", **sched_kwargs
    )
    del box_kwargs["random_seed"]
    bounding_box = BoundingBox(**box_kwargs)

    best_before = [e.top_k_hyperparameter_configurations(1, "min", METRIC)[0] for e in transfer.values()]
    for scheduler in (zero_shot, quantiles, bounding_box):
        configs = _drive(scheduler, 6)
        assert all(c["steps"] == 6 and 0 <= c["width"] <= 20 and -100 <= c["height"] <= 100 for c in configs)
    # the bounding box spans the earlier tasks' best configurations
    box = bounding_box.box_config_space
    assert box["width"].lower == min(c["width"] for c in best_before)
    assert box["height"].upper == max(c["height"] for c in best_before)
