"""Tune the toy "height" training script with ASHA on a Ray cluster.

Without ``--address`` this starts a Ray cluster on this machine (``ray.init``
with ``--num_cpus`` CPUs, no dashboard) and shuts it down at the end; with
``--address`` it joins a running one (``auto``, ``<host>:6379`` of a cluster
started with ``ray start --head``, or ``ray://<host>:10001``). Four trials run
at a time (``--n_workers``), each on a Ray actor holding ``--cpus_per_trial``
CPUs, and report ``mean_loss`` after every epoch. ASHA (stopping type) stops
a trial that is not in the top third of the results recorded at its rung
(rungs 1, 3, 9, 27).

Trial folders (``std.out``, ``std.err``, ``checkpoints/``) go to the tuner's
folder, or to ``--storage_path/<tuner name>/`` (a folder every node of the
cluster reaches at the same path, e.g. an NFS mount).

    python examples/launch_ray_cluster.py [--address auto] [--max_wallclock_time 20]
"""

import argparse
import logging
import os
from pathlib import Path

from syne_tune import StoppingCriterion, Tuner
from syne_tune.backend import RayBackend
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


def start_or_join_cluster(address: str | None, num_cpus: int) -> bool:
    """Join the cluster at ``address``, or start one here; ``True`` if
    started here."""
    import ray

    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    if address is not None:
        ray.init(address=address, log_to_driver=False)
        print(f"Joined the Ray cluster at {address}: {ray.cluster_resources()}")
        return False
    ray.init(num_cpus=num_cpus, include_dashboard=False, log_to_driver=False)
    print(f"Started a local Ray cluster: {ray.cluster_resources()}")
    return True


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--address", default=None, help="address of a running Ray cluster (default: start one here)")
    parser.add_argument("--num_cpus", type=int, default=4, help="CPUs of the cluster started here")
    parser.add_argument("--n_workers", type=int, default=4)
    parser.add_argument("--cpus_per_trial", type=float, default=1.0)
    parser.add_argument("--storage_path", default=None)
    parser.add_argument("--max_wallclock_time", type=float, default=20.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")

    started = start_or_join_cluster(args.address, args.num_cpus)
    try:
        scheduler = ASHA(
            CONFIG_SPACE,
            metric="mean_loss",
            mode="min",
            resource_attr="epoch",
            max_resource_attr="epochs",
            grace_period=1,
            reduction_factor=3,
            random_seed=args.seed,
        )
        backend = RayBackend(
            entry_point=str(ENTRY_POINT),
            resources_per_trial={"cpu": args.cpus_per_trial},
            storage_path=args.storage_path,
        )
        tuner = Tuner(
            trial_backend=backend,
            scheduler=scheduler,
            stop_criterion=StoppingCriterion(max_wallclock_time=args.max_wallclock_time),
            n_workers=args.n_workers,
            sleep_time=0.2,
            print_update_interval=5.0,
            tuner_name="height-asha-ray",
        )
        tuner.run()
    finally:
        if started:
            import ray

            ray.shutdown()

    df = tuner.results_dataframe()
    trial_id, config = tuner.best_config()
    print(f"\n{df['trial_id'].nunique()} trials, {len(df)} results (epochs trained)")
    print("Epochs reached per trial:", df.groupby("trial_id")["epoch"].max().value_counts().sort_index().to_dict())
    print(f"Best trial {trial_id}: mean_loss = {df[df.trial_id == trial_id]['mean_loss'].min():.4f}, config = {config}")
    print(f"Trial folders: {backend.trial_path(0).parent}")
    print(f"Results: {tuner.tuner_path}")


if __name__ == "__main__":
    main()
