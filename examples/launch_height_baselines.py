"""Tune the toy "height" training script on this machine.

Four trials run in parallel as local subprocesses; each reports its loss
after every epoch. At the end, the best configuration is printed and a plot
of the best loss over time is written next to the results.

    python examples/launch_height_baselines.py [--method RS|GRID|ASHA] [--max_wallclock_time 30]
"""

import argparse
import logging
from pathlib import Path

from syne_tune import StoppingCriterion, Tuner
from syne_tune.backend import LocalBackend
from syne_tune.config_space import randint
from syne_tune.experiments import load_experiment
from syne_tune.optimizer.baselines import GridSearch, RandomSearch

ENTRY_POINT = Path(__file__).parent / "training_scripts" / "height" / "train_height.py"
MAX_EPOCHS = 20

CONFIG_SPACE = {
    "width": randint(1, 20),
    "height": randint(-100, 100),
    "epochs": MAX_EPOCHS,
    "sleep_time": 0.05,
}


def make_scheduler(method: str, seed: int):
    common = dict(metric="mean_loss", mode="min", random_seed=seed)
    if method == "RS":
        return RandomSearch(CONFIG_SPACE, **common)
    if method == "GRID":
        return GridSearch(CONFIG_SPACE, search_options={"num_samples": {"width": 4, "height": 5}}, **common)
    if method == "ASHA":
        from syne_tune.optimizer.baselines import ASHA

        return ASHA(CONFIG_SPACE, resource_attr="epoch", max_resource_attr="epochs", **common)
    raise ValueError(f"Unknown method {method!r}; choose RS, GRID or ASHA")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--method", default="RS", choices=["RS", "GRID", "ASHA"])
    parser.add_argument("--n_workers", type=int, default=4)
    parser.add_argument("--max_wallclock_time", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")

    tuner = Tuner(
        trial_backend=LocalBackend(entry_point=str(ENTRY_POINT)),
        scheduler=make_scheduler(args.method, args.seed),
        stop_criterion=StoppingCriterion(max_wallclock_time=args.max_wallclock_time),
        n_workers=args.n_workers,
        sleep_time=0.2,
        print_update_interval=5.0,
        tuner_name=f"height-{args.method.lower()}",
    )
    tuner.run()

    experiment = load_experiment(tuner.tuner_path)
    best = experiment.best_config()  # the best row: metrics and config_* values
    print(f"\nBest configuration (trial {best['trial_id']}, mean_loss={best['mean_loss']:.4f}, epoch {best['epoch']}):")
    for key, value in best.items():
        if key.startswith("config_"):
            print(f"  {key[len('config_'):]} = {value}")
    figure = tuner.tuner_path / "best_mean_loss.png"
    experiment.plot(figure_path=str(figure))
    print(f"Results: {tuner.tuner_path}\nPlot:    {figure}")


if __name__ == "__main__":
    main()
