"""Tune the toy "height" function for two objectives with MOASHA, on this machine.

Each trial "trains" for up to ``epochs`` epochs and reports, every epoch, the
toy loss (smaller for a larger ``width``, offset by ``height``) and a cost
that grows with ``width`` and the epochs trained: a wide model learns faster
but costs more. MOASHA (multi-objective asynchronous successive halving)
compares trials at rung levels 1, 3, 9 epochs by non-dominated sorting of
(loss, cost) and stops the dominated ones. Four trials run in parallel as
subprocesses of the Python-function backend. At the end, the Pareto front of
the trials (their last results) is printed and plotted.

    python examples/launch_height_moasha.py [--max_wallclock_time 20] [--n_workers 4] [--plot height_pareto.png]
"""

import argparse
import logging
from pathlib import Path

from syne_tune import StoppingCriterion, Tuner
from syne_tune.backend import PythonBackend
from syne_tune.config_space import randint
from syne_tune.experiments import load_experiment
from syne_tune.optimizer.baselines import MOASHA

MAX_EPOCHS = 27


def train_height_two_objectives(width: float, height: float, epochs: int, sleep_time: float):
    import time

    from syne_tune import Reporter

    report = Reporter()
    for epoch in range(1, epochs + 1):
        time.sleep(sleep_time)
        mean_loss = (0.1 + width * epoch / 100) ** (-1) + height * 0.1
        cost = width * epoch / 10.0
        report(epoch=epoch, mean_loss=mean_loss, cost=cost)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n_workers", type=int, default=4)
    parser.add_argument("--max_wallclock_time", type=float, default=20.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--plot", default="height_pareto.png", help="figure of the Pareto front")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")

    config_space = {
        "width": randint(1, 20),
        "height": randint(-100, 100),
        "epochs": MAX_EPOCHS,
        "sleep_time": 0.05,
    }
    scheduler = MOASHA(
        config_space,
        metrics=["mean_loss", "cost"],
        mode=["min", "min"],
        time_attr="epoch",
        max_t=MAX_EPOCHS,
        random_seed=args.seed,
    )
    tuner = Tuner(
        trial_backend=PythonBackend(tune_function=train_height_two_objectives, config_space=config_space),
        scheduler=scheduler,
        stop_criterion=StoppingCriterion(max_wallclock_time=args.max_wallclock_time),
        n_workers=args.n_workers,
        sleep_time=0.2,
        print_update_interval=5.0,
        tuner_name="height-moasha",
    )
    tuner.run()

    experiment = load_experiment(str(tuner.tuner_path))
    front = experiment.pareto_front().sort_values("cost")
    shown = ["trial_id", "config_width", "config_height", "epoch", "mean_loss", "cost"]
    print(f"\n{experiment.results['trial_id'].nunique()} trials, {len(experiment.results)} results")
    print(f"Pareto front ({len(front)} trials):")
    print(front[shown].to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    try:
        experiment.plot_pareto(figure_path=args.plot)
        print(f"Plot: {Path(args.plot).resolve()}")
    except ImportError as ex:  # matplotlib is the 'visual' extra
        print(f"No plot: {ex}")
    print(f"Results: {tuner.tuner_path}")


if __name__ == "__main__":
    main()
