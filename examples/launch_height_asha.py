"""Tune the toy "height" training script with ASHA on this machine.

Four trials run in parallel as local subprocesses and report ``mean_loss``
after every epoch. ASHA compares them at rung levels 1, 3, 9 (grace period 1,
reduction factor 3, at most 27 epochs):

* ``--type stopping`` (default): a trial that is not in the top third of the
  results recorded at a rung is stopped;
* ``--type promotion``: every trial pauses at each rung and the best ones are
  resumed later from their checkpoint (the script checkpoints the epoch
  reached in ``--st_checkpoint_dir``), each run only up to its next rung
  (``epochs`` is set to it).

    python examples/launch_height_asha.py [--type promotion] [--max_wallclock_time 30]
"""

import argparse
import logging
from pathlib import Path

from syne_tune import StoppingCriterion, Tuner
from syne_tune.backend import LocalBackend
from syne_tune.config_space import randint
from syne_tune.optimizer.baselines import ASHA

ENTRY_POINT = Path(__file__).parent / "training_scripts" / "height" / "train_height.py"
MAX_EPOCHS = 27

CONFIG_SPACE = {
    "width": randint(1, 20),
    "height": randint(-100, 100),
    "epochs": MAX_EPOCHS,
    "sleep_time": 0.05,
}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--type", default="stopping", choices=["stopping", "promotion"])
    parser.add_argument("--n_workers", type=int, default=4)
    parser.add_argument("--max_wallclock_time", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")

    scheduler = ASHA(
        CONFIG_SPACE,
        metric="mean_loss",
        mode="min",
        resource_attr="epoch",
        max_resource_attr="epochs",
        grace_period=1,
        reduction_factor=3,
        type=args.type,
        random_seed=args.seed,
    )
    print(f"Rung levels: {scheduler.rung_levels} (max_t = {scheduler.max_t})")
    tuner = Tuner(
        trial_backend=LocalBackend(entry_point=str(ENTRY_POINT)),
        scheduler=scheduler,
        stop_criterion=StoppingCriterion(max_wallclock_time=args.max_wallclock_time),
        n_workers=args.n_workers,
        sleep_time=0.2,
        print_update_interval=5.0,
        tuner_name=f"height-asha-{args.type}",
    )
    tuner.run()

    df = tuner.results_dataframe()
    trial_id, config = tuner.best_config()
    print(f"\n{df['trial_id'].nunique()} trials, {len(df)} results (epochs trained)")
    print("Epochs reached per trial:", df.groupby("trial_id")["epoch"].max().value_counts().sort_index().to_dict())
    print(f"Best trial {trial_id}: mean_loss = {df[df.trial_id == trial_id]['mean_loss'].min():.4f}, config = {config}")
    print(f"Results: {tuner.tuner_path}")


if __name__ == "__main__":
    main()
