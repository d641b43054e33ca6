"""Tune the toy "height" training script with ASHA, each trial a SageMaker
training job: a PyTorch estimator, 4 workers (4 jobs at a time).

Every trial is one job (``ml.c5.xlarge`` by default) built from the
estimator below; the script reports ``mean_loss`` after each epoch with
``syne_tune.Reporter``, and the backend reads those lines from the job's
CloudWatch log stream. The tuner stops after ``--max_wallclock_time``
seconds or once the jobs cost more than ``--max_cost`` dollars (the cost
of each trial is reported as ``st_worker_cost``).

This example needs an AWS account: credentials, a region, an IAM role for
the jobs (``--role``, or the ``SAGEMAKER_ROLE`` environment variable) with the
permissions of ``docs/sagemaker.md``, and ``pip install "syne-tune[aws]"``.
It cannot run without AWS (it was checked with ``--help`` only; the backend
itself is tested against a local moto server, see
``tests/backend/sagemaker``).

    python examples/launch_sagemaker.py --role arn:aws:iam::<account>:role/<name>
        [--instance_type ml.c5.xlarge] [--max_wallclock_time 1800] [--max_cost 2.0]
"""

from __future__ import annotations

import argparse
import logging
import os
from pathlib import Path

import syne_tune
from syne_tune import StoppingCriterion, Tuner
from syne_tune.config_space import randint
from syne_tune.optimizer.baselines import ASHA

SCRIPT_FOLDER = Path(__file__).parent / "training_scripts" / "height"
MAX_EPOCHS = 27
CONFIG_SPACE = {
    "width": randint(1, 20),
    "height": randint(-100, 100),
    "epochs": MAX_EPOCHS,
    "sleep_time": 1.0,
}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--role", default=os.environ.get("SAGEMAKER_ROLE"), help="IAM role ARN of the jobs")
    parser.add_argument("--instance_type", default="ml.c5.xlarge")
    parser.add_argument("--n_workers", type=int, default=4)
    parser.add_argument("--max_wallclock_time", type=float, default=1800.0)
    parser.add_argument("--max_cost", type=float, default=2.0, help="stop once the trials cost this many USD")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")

    from sagemaker.pytorch import PyTorch

    from syne_tune.backend import SageMakerBackend

    estimator = PyTorch(
        entry_point="train_height.py",
        source_dir=str(SCRIPT_FOLDER),
        # the jobs import this syne_tune (for its Reporter) without installing it
        dependencies=[str(Path(syne_tune.__file__).parent)],
        role=args.role,
        instance_type=args.instance_type,
        instance_count=1,
        framework_version="2.2",
        py_version="py310",
        max_run=3600,
        disable_profiler=True,
    )
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
    tuner = Tuner(
        trial_backend=SageMakerBackend(estimator, metrics_names=["mean_loss"]),
        scheduler=scheduler,
        stop_criterion=StoppingCriterion(max_wallclock_time=args.max_wallclock_time, max_cost=args.max_cost),
        n_workers=args.n_workers,
        sleep_time=10.0,
        tuner_name="height-sagemaker",
    )
    tuner.run()
    trial_id, config = tuner.best_config()
    print(f"Best trial {trial_id}: {config}; tuning cost ${tuner.tuning_status.cost:.2f}")


if __name__ == "__main__":
    main()
