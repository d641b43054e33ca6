"""Run a whole tuning experiment remotely, in Syne Tune's shape: build the
Tuner as for a local run (ASHA on the toy "height" script, trials as local
subprocesses), then hand it to ``RemoteLauncher``, which runs it as one
SageMaker training job on ``--instance_type``.

``RemoteLauncher`` saves the tuner (``Tuner.save``), uploads it with the
training script's folder (``examples/training_scripts/height``) and this
``syne_tune`` package, and runs ``remote_main.py`` in the job, which loads
the tuner and runs it; SageMaker syncs the tuner's results folder to S3, and
``load_experiment(tuner.name, s3_path=launcher.results_s3_uri)`` downloads it.
The job's console shows the best ``mean_loss`` so far as the metric
``best_mean_loss``.

This example needs an AWS account: credentials, a region, an IAM role for
the job (``--role`` or ``SAGEMAKER_ROLE``) with the permissions of
``docs/sagemaker.md``, and ``pip install "syne-tune[aws]"``. It was checked
with ``--help`` only; the launcher (and the job's entry point, run on this
machine) are tested against a local moto server, see ``tests/backend/sagemaker``.

    python examples/launch_remote.py --role arn:aws:iam::<account>:role/<name>
        [--instance_type ml.c5.4xlarge] [--max_wallclock_time 120] [--no_wait]
"""

from __future__ import annotations

import argparse
import logging
import os
from pathlib import Path

ENTRY_POINT = Path(__file__).parent / "training_scripts" / "height" / "train_height.py"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--role", default=os.environ.get("SAGEMAKER_ROLE"), help="IAM role ARN of the job")
    parser.add_argument("--instance_type", default="ml.c5.4xlarge")
    parser.add_argument("--n_workers", type=int, default=4)
    parser.add_argument("--max_wallclock_time", type=float, default=120.0)
    parser.add_argument("--no_wait", action="store_true", help="start the job and return")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")

    from syne_tune import StoppingCriterion, Tuner
    from syne_tune.backend import LocalBackend
    from syne_tune.config_space import randint
    from syne_tune.experiments import load_experiment
    from syne_tune.optimizer.baselines import ASHA
    from syne_tune.remote.remote_launcher import RemoteLauncher

    config_space = {"width": randint(1, 20), "height": randint(-100, 100), "epochs": 27, "sleep_time": 0.05}
    tuner = Tuner(
        trial_backend=LocalBackend(entry_point=str(ENTRY_POINT)),
        scheduler=ASHA(
            config_space, metric="mean_loss", mode="min", resource_attr="epoch", max_resource_attr="epochs"
        ),
        stop_criterion=StoppingCriterion(max_wallclock_time=args.max_wallclock_time),
        n_workers=args.n_workers,
        tuner_name="height-asha-remote",
    )
    launcher = RemoteLauncher(tuner=tuner, role=args.role, instance_type=args.instance_type)
    job = launcher.run(wait=not args.no_wait)
    print(f"SageMaker job {job}; results of {tuner.name} in {launcher.results_s3_uri}")
    if not args.no_wait:
        result = load_experiment(tuner.name, s3_path=launcher.results_s3_uri)
        print(result)
        print("Best configuration:", result.best_config())


if __name__ == "__main__":
    main()
