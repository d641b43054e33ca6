"""Simulate hours of tuning on a real benchmark in seconds.

The tuner runs on a tabulated benchmark of the blackbox repository with a
simulated clock: each trial "trains" for the time recorded in the table, but
nothing waits for it. ``--max_wallclock_time`` is simulated time.

Benchmarks (``--benchmark``):

* ``lcdb`` (default; runs from ``pip install "syne-tune[blackbox-repository]"``
  alone): LCDB's learning curves of up to 20 scikit-learn learners over
  training set sizes (fidelity ``anchor``) on 248 OpenML datasets, from the
  ``lcdb`` package; default dataset ``41168`` (jannis), 30 simulated minutes.
* ``lcbench``: learning curves of 2,000 MLP configurations on 34 OpenML
  tasks over 50 epochs; needs LCBench's ``data_2k_lw.zip`` (downloaded from
  figshare when online) or the YAHPO ``lcbench`` surrogate in the data mirror
  (``$SYNE_TUNE_DATA_MIRROR/yahpo/lcbench``); 6 simulated hours.
* ``nmt``: real learning curves of Transformer translation systems; needs
  the ``nmt_hpo`` folder in the data mirror; a simulated week.

    python examples/launch_simulated_benchmark.py [--benchmark lcdb|lcbench|nmt]
        [--dataset 41168] [--method RS|ASHA|ASHA-PROMOTION]
        [--n_workers 4] [--max_wallclock_time SECONDS] [--seed 0]

The first use of a benchmark converts it into the blackbox repository
(``~/.blackbox-repository`` or ``$SYNE_TUNE_BLACKBOX_REPOSITORY``): seconds
for ``lcdb``. If its source data are missing, the script prints one line
saying what is missing and how to provide it, and exits with status 1.
"""

import argparse
import logging
import sys
import time

from syne_tune import StoppingCriterion, Tuner
from syne_tune.backend.simulator_backend import SimulatorCallback
from syne_tune.blackbox_repository import BlackboxRepositoryBackend
from syne_tune.blackbox_repository.errors import BlackboxRepositoryError
from syne_tune.optimizer.baselines import RandomSearch

#: benchmark -> (default task, metric, mode, elapsed-time objective, default budget in simulated seconds)
BENCHMARKS = {
    # sklearn training times: seconds to minutes per anchor
    "lcdb": ("41168", "val_accuracy", "max", "elapsed_time", 1800.0),
    "lcbench": ("Fashion-MNIST", "val_accuracy", "max", "time", 6 * 3600.0),
    # nmt's elapsed time counts checkpoint intervals of minutes each: longer budget
    "nmt": ("sw-en", "dev_ppl", "min", "elapsed_time", 7 * 24 * 3600.0),
}
MAX_RESOURCE_ATTR = "epochs"


def make_scheduler(method, blackbox, metric, mode, seed):
    config_space = blackbox.configuration_space_with_max_resource_attr(MAX_RESOURCE_ATTR)
    common = dict(
        metric=metric,
        mode=mode,
        random_seed=seed,
        # the table holds a sample of configurations: search among them
        search_options={"restrict_configurations": blackbox.all_configurations()},
        points_to_evaluate=[],
    )
    if method == "RS":
        return RandomSearch(config_space, **common)
    if method in ("ASHA", "ASHA-PROMOTION"):
        from syne_tune.optimizer.baselines import ASHA

        return ASHA(
            config_space,
            resource_attr=blackbox.fidelity_name(),
            max_resource_attr=MAX_RESOURCE_ATTR,
            type="promotion" if method == "ASHA-PROMOTION" else "stopping",
            **common,
        )
    raise ValueError(f"Unknown method {method!r}; choose RS, ASHA or ASHA-PROMOTION")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--benchmark", default="lcdb", choices=sorted(BENCHMARKS))
    parser.add_argument("--dataset", default=None, help="task of the benchmark (default: see BENCHMARKS)")
    parser.add_argument("--method", default="ASHA", choices=["RS", "ASHA", "ASHA-PROMOTION"])
    parser.add_argument("--n_workers", type=int, default=4)
    parser.add_argument(
        "--max_wallclock_time", type=float, default=None,
        help="simulated seconds (default: 30 min lcdb, 6 h lcbench, 7 days nmt)"
    )
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    logging.getLogger("syne_tune").setLevel(logging.WARNING)

    dataset, metric, mode, elapsed_time_attr, budget = BENCHMARKS[args.benchmark]
    dataset = args.dataset or dataset
    max_wallclock_time = args.max_wallclock_time or budget
    try:
        backend = BlackboxRepositoryBackend(
            blackbox_name=args.benchmark,
            dataset=dataset,
            elapsed_time_attr=elapsed_time_attr,
            max_resource_attr=MAX_RESOURCE_ATTR,
            seed=0,
        )
    except BlackboxRepositoryError as ex:  # source data missing: say what to do, no traceback
        print(f"{args.benchmark}: {ex}", file=sys.stderr)
        sys.exit(1)
    tuner = Tuner(
        trial_backend=backend,
        scheduler=make_scheduler(args.method, backend.blackbox, metric, mode, args.seed),
        stop_criterion=StoppingCriterion(max_wallclock_time=max_wallclock_time),
        n_workers=args.n_workers,
        sleep_time=0,  # the simulator jumps from event to event
        callbacks=[SimulatorCallback()],
        tuner_name=f"sim-{args.benchmark}-{args.method.lower()}",
        print_update_interval=1e9,
    )
    start = time.perf_counter()
    tuner.run()
    wall = time.perf_counter() - start

    status = tuner.tuning_status
    best = status.best_metric(metric, mode)
    print(
        f"\n{args.method} on {args.benchmark}/{dataset}, {args.n_workers} workers: "
        f"{tuner.time_keeper.time() / 3600:.2f} simulated hours in {wall:.2f} s "
        f"({status.num_trials_started} trials, {status.overall_metric_statistics.count} results)"
    )
    trial_id, config = tuner.best_config()
    print(f"Best {metric} ({mode}) = {best:.4f}, trial {trial_id}: {config}")
    print(f"Results: {tuner.tuner_path}")


if __name__ == "__main__":
    main()
