"""Launcher used by test_sigkill_resume.py: start a tuning run, or resume one."""

import argparse
import logging
import sys
from pathlib import Path

from syne_tune import StoppingCriterion, Tuner
from syne_tune.backend import LocalBackend
from syne_tune.config_space import randint
from syne_tune.optimizer.baselines import RandomSearch

ENTRY_POINT = Path(__file__).resolve().parents[2] / "examples" / "training_scripts" / "height" / "train_height.py"
NUM_TRIALS = 6


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--resume", type=str, default=None)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, stream=sys.stdout)
    if args.resume:
        tuner = Tuner.load(args.resume)
    else:
        config_space = {"width": randint(1, 20), "height": randint(-100, 100), "epochs": 8, "sleep_time": 0.25}
        tuner = Tuner(
            trial_backend=LocalBackend(entry_point=str(ENTRY_POINT)),
            scheduler=RandomSearch(config_space, metric="mean_loss", random_seed=0),
            stop_criterion=StoppingCriterion(max_num_trials_completed=NUM_TRIALS),
            n_workers=2,
            sleep_time=0.05,
            results_update_interval=0.3,
            tuner_name="resume-test",
            suffix_tuner_name=False,
        )
    tuner.run()
    print("TUNING-FINISHED", tuner.tuner_path)


if __name__ == "__main__":
    main()
