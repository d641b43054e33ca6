"""Pick the instance type together with the hyperparameters: error against dollar cost.

The instance type a model trains on is one more hyperparameter: a faster
instance finishes an epoch sooner but costs more per hour, and a larger batch
uses its accelerator better but may train a worse model. This example tunes
the instance type, batch size and learning rate of a (synthetic) training job
for two objectives at once, the validation error and the dollar cost of
training, with MOASHA (or random search / NSGA-II / MOREA for comparison),
and prints the Pareto front: the configurations for which no other one is
both cheaper and better.

The training job is simulated: a table of learning curves is generated below
(deterministic; error falls with the epochs, faster for good learning rates,
and large batches converge to a slightly worse error), epoch times follow
each instance type's relative throughput, and the cost of a result is the
training time so far times the instance's hourly price (list prices of
SageMaker training instances in us-east-1, rounded; what matters here is
their ratio). The simulator backend replays the table in simulated time, so
a day of tuning takes a few seconds.

    python examples/launch_instance_type_tuning.py [--method MOASHA|RS|NSGA2|MOREA]
        [--max_wallclock_time 21600] [--n_workers 4] [--seed 0] [--plot pareto.png]
"""

from __future__ import annotations

import argparse
import itertools
import logging
from pathlib import Path

import numpy as np
import pandas as pd

from syne_tune import StoppingCriterion, Tuner
from syne_tune.backend.simulator_backend import SimulatorCallback
from syne_tune.blackbox_repository import BlackboxTabular, UserBlackboxBackend
from syne_tune.config_space import choice, logordinal, randint
from syne_tune.experiments import load_experiment

#: instance type -> (relative throughput, price in USD per hour)
INSTANCE_TYPES = {
    "ml.m5.2xlarge": (0.25, 0.46),
    "ml.c5.4xlarge": (0.45, 0.95),
    "ml.g4dn.xlarge": (1.0, 0.74),
    "ml.g5.xlarge": (1.7, 1.41),
    "ml.p3.2xlarge": (2.6, 3.83),
}
BATCH_SIZES = [32, 64, 128, 256, 512]
LEARNING_RATES = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2]
MAX_EPOCHS = 30
#: seconds of one epoch at batch size 32 on a throughput-1.0 instance
EPOCH_SECONDS = 600.0
METRICS = ["error", "cost"]


def make_blackbox() -> BlackboxTabular:
    """The learning-curve table of every (instance type, batch size, learning rate)."""
    rows, curves = [], []
    epochs = np.arange(1, MAX_EPOCHS + 1)
    for instance, batch, lr in itertools.product(INSTANCE_TYPES, BATCH_SIZES, LEARNING_RATES):
        throughput, price = INSTANCE_TYPES[instance]
        # larger batches use the accelerator better (up to 3x), but converge worse
        speedup = min(3.0, (batch / 32) ** 0.5) if throughput >= 1.0 else min(1.5, (batch / 32) ** 0.2)
        epoch_time = EPOCH_SECONDS / (throughput * speedup)
        final = 0.08 + 0.02 * abs(np.log10(lr) + 2.7) ** 2 + 0.01 * np.log2(batch / 32)
        rate = 0.15 * np.clip(1.0 - 0.3 * abs(np.log10(lr) + 2.5), 0.2, 1.0)
        error = final + (0.9 - final) * np.exp(-rate * epochs)
        elapsed = epoch_time * epochs
        cost = elapsed / 3600.0 * price
        rows.append({"instance_type": instance, "batch_size": batch, "learning_rate": lr})
        curves.append(np.stack([error, cost, elapsed], axis=-1))
    config_space = {
        "instance_type": choice(list(INSTANCE_TYPES)),
        "batch_size": logordinal(BATCH_SIZES),
        "learning_rate": logordinal(LEARNING_RATES),
    }
    values = np.asarray(curves, dtype=np.float32)[:, None, :, :]  # (evals, seeds, epochs, objectives)
    return BlackboxTabular(
        hyperparameters=pd.DataFrame(rows),
        configuration_space=config_space,
        fidelity_space={"epoch": randint(1, MAX_EPOCHS)},
        objectives_evaluations=values,
        fidelity_values=epochs,
        objectives_names=METRICS + ["elapsed_time"],
    )


def make_scheduler(method: str, config_space: dict, configs: list[dict], seed: int):
    from syne_tune.optimizer import baselines

    common = dict(
        mode=["min", "min"],
        random_seed=seed,
        points_to_evaluate=[],
        search_options={"restrict_configurations": configs},
    )
    if method == "MOASHA":
        return baselines.MOASHA(config_space, metrics=METRICS, time_attr="epoch", max_t=MAX_EPOCHS, **common)
    if method == "RS":
        return baselines.RandomSearch(config_space, metric=METRICS, **common)
    if method == "NSGA2":
        return baselines.NSGA2(config_space, metric=METRICS, population_size=10, **common)
    if method == "MOREA":
        return baselines.MOREA(config_space, metric=METRICS, population_size=10, sample_size=5, **common)
    raise ValueError(method)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--method", default="MOASHA", choices=["MOASHA", "RS", "NSGA2", "MOREA"])
    parser.add_argument("--max_wallclock_time", type=float, default=6 * 3600.0, help="simulated seconds")
    parser.add_argument("--n_workers", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--plot", default="instance_type_pareto.png", help="figure of the Pareto front")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    blackbox = make_blackbox()
    config_space = dict(blackbox.configuration_space, epochs=MAX_EPOCHS)
    configs = blackbox.all_configurations()
    tuner = Tuner(
        trial_backend=UserBlackboxBackend(blackbox, elapsed_time_attr="elapsed_time", max_resource_attr="epochs"),
        scheduler=make_scheduler(args.method, config_space, configs, args.seed),
        stop_criterion=StoppingCriterion(max_wallclock_time=args.max_wallclock_time),
        n_workers=args.n_workers,
        sleep_time=0,
        callbacks=[SimulatorCallback()],
        tuner_name=f"instance-type-{args.method.lower()}",
        print_update_interval=1e9,
    )
    tuner.run()

    experiment = load_experiment(str(tuner.tuner_path))
    front = experiment.pareto_front().sort_values("cost")
    shown = ["config_instance_type", "config_batch_size", "config_learning_rate", "epoch", "error", "cost"]
    print(f"{args.method}: {experiment.results['trial_id'].nunique()} trials, {len(experiment.results)} results")
    print(f"Pareto front (error vs dollar cost of training, {len(front)} configurations):")
    print(front[shown].to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    # the same reference point for every method: the worst error and cost of the table
    reference = [float(blackbox.objectives_evaluations[..., i].max()) for i in range(len(METRICS))]
    hv = experiment.hypervolume(reference_point=reference)
    print(f"Hypervolume (reference point: error {reference[0]:.3g}, cost {reference[1]:.3g} USD): {hv:.4g}")
    try:
        experiment.plot_pareto(figure_path=args.plot)
        print(f"Plot: {Path(args.plot).resolve()}")
    except ImportError as ex:  # matplotlib is the 'visual' extra
        print(f"No plot: {ex}")


if __name__ == "__main__":
    main()
