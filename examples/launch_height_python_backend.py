"""Tune a plain Python function with PythonBackend (no separate script file).

The function below is sent to each trial's subprocess as code only, without
this module's globals: everything it needs (``time``, ``Reporter``) is
imported inside it. Its parameters are filled from the configuration.

    python examples/launch_height_python_backend.py [--method RS|ASHA] [--max_wallclock_time 20]
"""

import argparse
import logging

from syne_tune import StoppingCriterion, Tuner
from syne_tune.backend import PythonBackend
from syne_tune.config_space import randint


def train_height(width: float, height: float, epochs: int, sleep_time: float):
    import time

    from syne_tune import Reporter

    report = Reporter()
    for epoch in range(1, epochs + 1):
        time.sleep(sleep_time)
        mean_loss = (0.1 + width * epoch / 100) ** (-1) + height * 0.1
        report(epoch=epoch, mean_loss=mean_loss)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--method", default="RS", choices=["RS", "ASHA"])
    parser.add_argument("--n_workers", type=int, default=4)
    parser.add_argument("--max_wallclock_time", type=float, default=20.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")

    max_epochs = 20
    config_space = {
        "width": randint(1, 20),
        "height": randint(-100, 100),
        "epochs": max_epochs,
        "sleep_time": 0.05,
    }
    common = dict(metric="mean_loss", mode="min", random_seed=args.seed)
    if args.method == "ASHA":
        from syne_tune.optimizer.baselines import ASHA

        scheduler = ASHA(config_space, resource_attr="epoch", max_resource_attr="epochs", **common)
    else:
        from syne_tune.optimizer.baselines import RandomSearch

        scheduler = RandomSearch(config_space, **common)

    tuner = Tuner(
        trial_backend=PythonBackend(tune_function=train_height, config_space=config_space),
        scheduler=scheduler,
        stop_criterion=StoppingCriterion(max_wallclock_time=args.max_wallclock_time),
        n_workers=args.n_workers,
        sleep_time=0.2,
        print_update_interval=5.0,
        tuner_name=f"height-python-{args.method.lower()}",
    )
    tuner.run()
    trial_id, config = tuner.best_config()
    print(f"Best configuration: trial {trial_id}: {config}")
    print(f"Results: {tuner.tuner_path}")


if __name__ == "__main__":
    main()
