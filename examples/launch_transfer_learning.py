"""Tune a new task with what earlier tasks taught: transfer learning on real data.

The blackbox repository's ``lcbench`` table holds learning curves of the same
kind of MLP on 34 OpenML datasets. Here one dataset is the "new" task and the
evaluations of the other 33 (``TransferLearningTaskEvaluations``) are what we
know from before. The new task is tuned on the simulator (4 workers; every
configuration is evaluated through the curves of its nearest configuration in
the table) by ASHA, and by four transfer-learning methods built on it:

* RUSH: ASHA that first evaluates the best configuration of every earlier
  task, whose rung results are thresholds later trials must reach;
* ASHA-BB: ASHA in the bounding box of the earlier tasks' best configurations;
* ASHA-CTS: ASHA whose configurations come from a surrogate of the earlier
  tasks (quantile-based, Thompson sampling);
* ZS: zero-shot, a greedy portfolio of earlier configurations run to the end.

It prints the best validation accuracy found after 25%, 50% and 100% of the
budget for each method (one seed; ``benchmarking/transfer.py`` runs ten).

    python examples/launch_transfer_learning.py [--task airlines] [--seed 0] [--budget_factor 10]

The first run converts ``lcbench`` from the data mirror into
``~/.blackbox-repository`` if it is not there yet (see docs/simulation.md).
"""

from __future__ import annotations

import argparse
import logging

import numpy as np

from syne_tune import StoppingCriterion, Tuner
from syne_tune.backend.simulator_backend import SimulatorCallback
from syne_tune.blackbox_repository import UserBlackboxBackend, load_blackbox
from syne_tune.blackbox_repository.blackbox_surrogate import add_surrogate, make_surrogate
from syne_tune.optimizer import baselines
from syne_tune.optimizer.schedulers.transfer_learning import transfer_learning_evaluations_from_blackbox

METRIC, MODE, ELAPSED, MAX_RESOURCE_ATTR = "val_accuracy", "max", "time", "epochs"
METHODS = ["ASHA", "RUSH", "ASHA-BB", "ASHA-CTS", "ZS"]


def make_scheduler(method: str, config_space: dict, transfer: dict, seed: int):
    common = dict(metric=METRIC, mode=MODE, random_seed=seed)
    mf = dict(resource_attr="epoch", max_resource_attr=MAX_RESOURCE_ATTR)
    if method == "ASHA":
        return baselines.ASHA(config_space, **mf, **common)
    if method == "RUSH":
        return baselines.RUSH(config_space, transfer_learning_evaluations=transfer, **mf, **common)
    if method == "ASHA-BB":
        return baselines.ASHABB(config_space, transfer_learning_evaluations=transfer, **mf, **common)
    if method == "ASHA-CTS":
        return baselines.ASHACTS(
            config_space, transfer_learning_evaluations=transfer, search_options={"num_candidates": 1000}, **mf, **common
        )
    return baselines.ZeroShotTransfer(config_space, transfer_learning_evaluations=transfer, **common)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--task", default="airlines", help="the lcbench dataset tuned now")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--budget_factor", type=float, default=10.0, help="budget: x median full training time")
    parser.add_argument("--methods", nargs="+", default=METHODS, choices=METHODS)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    table = load_blackbox("lcbench")[args.task]
    transfer = transfer_learning_evaluations_from_blackbox("lcbench", held_out_task=args.task)
    print(f"Earlier tasks: {len(transfer)} lcbench datasets; tuned now: {args.task}")
    blackbox = add_surrogate(table, surrogate=make_surrogate("KNeighborsRegressor", {"n_neighbors": 1}))
    config_space = dict(table.configuration_space, **{MAX_RESOURCE_ATTR: int(max(table.fidelity_values))})
    times = table.objectives_evaluations[:, 0, :, table.objectives_names.index(ELAPSED)]
    budget = args.budget_factor * float(np.nanmedian(np.nanmax(times, axis=1)))

    print(f"Budget: {budget:.0f} simulated seconds, 4 workers\n")
    print(f"{'method':10s} {'best@25%':>9s} {'best@50%':>9s} {'best@100%':>9s} {'trials':>7s}")
    for method in args.methods:
        tuner = Tuner(
            trial_backend=UserBlackboxBackend(blackbox, elapsed_time_attr=ELAPSED, max_resource_attr=MAX_RESOURCE_ATTR),
            scheduler=make_scheduler(method, config_space, transfer, args.seed),
            stop_criterion=StoppingCriterion(max_wallclock_time=budget),
            n_workers=4,
            sleep_time=0,
            callbacks=[SimulatorCallback()],
            tuner_name=f"transfer-{method.lower()}",
            print_update_interval=1e9,
        )
        tuner.run()
        df = tuner.results_dataframe().sort_values("st_tuner_time")
        best = df[METRIC].cummax()
        cells = []
        for fraction in (0.25, 0.5, 1.0):
            within = best[df["st_tuner_time"].to_numpy() <= fraction * budget]
            cells.append(f"{within.iloc[-1]:9.3f}" if len(within) else f"{'-':>9s}")
        print(f"{method:10s} {' '.join(cells)} {df['trial_id'].nunique():7d}")


if __name__ == "__main__":
    main()
