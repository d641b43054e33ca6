"""Entry point of a :class:`~syne_tune.remote.remote_launcher.RemoteLauncher`
job: load the uploaded tuner and run it, its results in the synced folder.

The launcher copies this file to the root of the job's code, next to:

* ``tuner/tuner.dill``: the tuner, saved by :meth:`syne_tune.Tuner.save`
  (folder :data:`~syne_tune.constants.ST_REMOTE_UPLOAD_DIR_NAME`);
* ``syne_tune/``: this package (imported from there, not installed);
* ``backend_code/``: the folder of the tuner's training script, if it has one
  outside this package.

Run as ``python remote_main.py [--options]`` (the options are the job's
hyperparameters), it:

0. puts this folder first on ``PYTHONPATH`` (so that trial processes too
   import the uploaded ``syne_tune``);
1. sets the level of the root logger to ``--log_level`` (default ``INFO``),
   and with ``--no_tuner_logging true`` the ``syne_tune.tuner`` logger to
   ``ERROR`` (no status lines of the tuner);
2. copies ``tuner.dill`` to ``<checkpoint_dir>/<tuner name>/`` unless a run
   is already there (SageMaker restarted the job, e.g. after a spot
   interruption: that run is continued), and loads it with
   :meth:`syne_tune.Tuner.load`, so the tuner's folder is the one SageMaker
   syncs to S3 (``--checkpoint_dir``, default ``/opt/ml/checkpoints``);
3. points the backend's training script at its copy in the job
   (``--entry_point``, relative to this file's folder);
4. puts the trials' folders (their ``std.out``/``std.err`` and checkpoints)
   under the tuner's folder, hence synced, with ``--store_logs true``; else in
   ``<checkpoint_dir>/../st-trials``, which is not synced;
5. with ``--publish_tuning_metrics true``, adds a
   :class:`~syne_tune.remote.remote_metrics_callback.RemoteTuningMetricsCallback`
   (best-so-far metrics printed for SageMaker's metric definitions);
6. runs the tuner.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # the uploaded syne_tune package
    sys.path.insert(0, str(HERE))
# ... also for the trials' processes (a LocalBackend's training scripts import syne_tune)
os.environ["PYTHONPATH"] = os.pathsep.join([str(HERE)] + [p for p in [os.environ.get("PYTHONPATH")] if p])

from syne_tune.constants import ST_REMOTE_UPLOAD_DIR_NAME, ST_TUNER_DILL_FILENAME  # noqa: E402
from syne_tune.utils.checkpoint import parse_bool  # noqa: E402
from syne_tune.utils.paths import SAGEMAKER_CHECKPOINT_PATH  # noqa: E402

#: Folder (next to the checkpoint folder) of the trials' files when they are not synced.
UNSYNCED_TRIALS_FOLDER = "st-trials"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The options of the job (see the module docstring)."""
    parser = argparse.ArgumentParser(description="Runs the tuner uploaded by RemoteLauncher.")
    parser.add_argument("--checkpoint_dir", default=SAGEMAKER_CHECKPOINT_PATH)
    parser.add_argument("--tuner_dir", default=ST_REMOTE_UPLOAD_DIR_NAME)
    parser.add_argument("--entry_point", default=None)
    parser.add_argument("--store_logs", type=parse_bool, default=False)
    parser.add_argument("--log_level", default="INFO")
    parser.add_argument("--no_tuner_logging", type=parse_bool, default=False)
    parser.add_argument("--publish_tuning_metrics", type=parse_bool, default=True)
    return parser.parse_args(argv)


def _level(value: str) -> int:
    return int(value) if value.lstrip("-").isdigit() else logging.getLevelName(value.upper())


def prepare_tuner(args: argparse.Namespace):
    """The uploaded tuner, set up to run in this job (steps 2 to 5)."""
    from syne_tune.backend.local_backend import LocalBackend
    from syne_tune.tuner import Tuner

    uploaded = HERE / args.tuner_dir
    name = Tuner.load(uploaded).name
    run_folder = Path(args.checkpoint_dir) / name
    if not (run_folder / ST_TUNER_DILL_FILENAME).exists():
        run_folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(uploaded / ST_TUNER_DILL_FILENAME, run_folder / ST_TUNER_DILL_FILENAME)
    else:
        logging.getLogger(__name__).info("Continuing the run found in %s", run_folder)
    tuner = Tuner.load(run_folder)
    if args.entry_point:
        tuner.trial_backend.set_entrypoint(str(HERE / args.entry_point))
    if isinstance(tuner.trial_backend, LocalBackend) and not args.store_logs:
        tuner.trial_backend_path = str(Path(args.checkpoint_dir).resolve().parent / UNSYNCED_TRIALS_FOLDER / name)
    else:
        tuner.trial_backend_path = None  # under the tuner's folder
    if args.publish_tuning_metrics:
        from syne_tune.remote.remote_metrics_callback import RemoteTuningMetricsCallback

        if not any(isinstance(cb, RemoteTuningMetricsCallback) for cb in tuner.callbacks):
            tuner.callbacks.append(RemoteTuningMetricsCallback())
    return tuner


def main(argv: list[str] | None = None) -> None:
    """Run the uploaded tuner (steps 1 to 6 of the module docstring)."""
    args = parse_args(argv)
    logging.getLogger().setLevel(_level(args.log_level))
    if args.no_tuner_logging:
        logging.getLogger("syne_tune.tuner").setLevel(logging.ERROR)
    tuner = prepare_tuner(args)
    tuner.run()


if __name__ == "__main__":
    main()
