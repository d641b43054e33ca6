"""Tune the toy "height" training script with MOBSTER on this machine.

MOBSTER is ASHA (asynchronous successive halving: trials are compared at
rung levels 1, 3, 9, 27 epochs and the worse ones stopped) whose new
configurations come from a Gaussian process fitted to every rung result,
over the configuration and the epoch, instead of at random. Four trials run
in parallel as local subprocesses.

    python examples/launch_height_mobster.py [--type stopping|promotion] [--model gp_multitask|gp_independent|gp_expdecay] [--max_wallclock_time 30]
"""

import argparse
import logging
from pathlib import Path

from syne_tune import StoppingCriterion, Tuner
from syne_tune.backend import LocalBackend
from syne_tune.config_space import randint
from syne_tune.optimizer.baselines import MOBSTER

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
    parser.add_argument("--model", default="gp_multitask", choices=["gp_multitask", "gp_independent", "gp_expdecay"])
    parser.add_argument("--n_workers", type=int, default=4)
    parser.add_argument("--max_wallclock_time", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")

    scheduler = MOBSTER(
        CONFIG_SPACE,
        metric="mean_loss",
        mode="min",
        resource_attr="epoch",
        max_resource_attr="epochs",
        type=args.type,
        search_options={"model": args.model},
        random_seed=args.seed,
    )
    tuner = Tuner(
        trial_backend=LocalBackend(entry_point=str(ENTRY_POINT)),
        scheduler=scheduler,
        stop_criterion=StoppingCriterion(max_wallclock_time=args.max_wallclock_time),
        n_workers=args.n_workers,
        sleep_time=0.2,
        print_update_interval=5.0,
        tuner_name=f"height-mobster-{args.type}",
    )
    tuner.run()

    df = tuner.results_dataframe()
    trial_id, config = tuner.best_config()
    print(f"\n{df['trial_id'].nunique()} trials, {len(df)} results (epochs trained)")
    print(f"GP observations: {scheduler.searcher.dataset_size()}")
    print(f"Best trial {trial_id}: mean_loss = {df[df.trial_id == trial_id]['mean_loss'].min():.4f}, config = {config}")
    print(f"Results: {tuner.tuner_path}")


if __name__ == "__main__":
    main()
