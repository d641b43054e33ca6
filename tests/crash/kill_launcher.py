"""Launcher used by the kill tests: tunes the height script with the
LocalBackend and the Tuner's default settings (4 workers; trials report every
0.1 s), over a finite space, so that tuning ends when every configuration
has completed (no trial is stopped by the tuner).

    python kill_launcher.py NAME              start (or, if NAME's folder holds a
                                              saved tuner, resume) the run NAME
    python kill_launcher.py NAME --signals    as above, trials spawn grandchildren
    python kill_launcher.py NAME --bo         as above, with Bayesian optimization
    python kill_launcher.py NAME --outlive    trials outlive a killed tuner (and are adopted)

Prints ``RUN`` right before ``Tuner.run()`` and ``TUNING-FINISHED`` after it.
"""

import logging
import sys
from pathlib import Path

from syne_tune import StoppingCriterion, Tuner
from syne_tune.backend import LocalBackend
from syne_tune.config_space import choice
from syne_tune.optimizer.baselines import BayesianOptimization, RandomSearch
from syne_tune.util import experiment_path

HERE = Path(__file__).resolve().parent
HEIGHT = HERE.parents[1] / "examples" / "training_scripts" / "height" / "train_height.py"
SPAWNER = HERE / "spawning_trial.py"


def main():
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    name = sys.argv[1]
    spawning = "--signals" in sys.argv
    path = experiment_path(name)
    if (path / "tuner.dill").exists():
        tuner = Tuner.load(path)
    else:
        config_space = {
            "width": choice([1, 4, 8, 16]),
            "height": choice([-50, 0, 50, 100]),
            "epochs": 10,
            "sleep_time": 0.1,
        }
        method = BayesianOptimization if "--bo" in sys.argv else RandomSearch
        tuner = Tuner(
            trial_backend=LocalBackend(
                entry_point=str(SPAWNER if spawning else HEIGHT), trials_die_with_tuner="--outlive" not in sys.argv
            ),
            scheduler=method(config_space, metric="mean_loss", mode="min", random_seed=7),
            stop_criterion=StoppingCriterion(max_wallclock_time=600),
            n_workers=4,
            tuner_name=name,
            suffix_tuner_name=False,
        )
    print("RUN", flush=True)
    tuner.run()
    print("TUNING-FINISHED", flush=True)


if __name__ == "__main__":
    main()
