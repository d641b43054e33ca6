"""Constrained Bayesian optimization (CBO) of a toy training script on this
machine, compared with plain Bayesian optimization.

The script (``training_scripts/constrained/train_constrained.py``) reports
a loss (Branin) and a constraint, feasible iff ``<= 0`` (a disc that
excludes the unconstrained minima). ``ConstrainedBayesianOptimization``
fits a second Gaussian process to the constraint and scores candidates by
expected improvement times the probability of being feasible; plain BO
ignores the constraint. Four trials run in parallel; the script prints, for
each method, how many trials were feasible and the best feasible loss.

    python examples/launch_bayesopt_constrained.py [--num_trials 30] [--method CBO|BO|both]
"""

import argparse
import logging
from pathlib import Path

from syne_tune import StoppingCriterion, Tuner
from syne_tune.backend import LocalBackend
from syne_tune.config_space import uniform
from syne_tune.optimizer.baselines import BayesianOptimization, ConstrainedBayesianOptimization

ENTRY_POINT = Path(__file__).parent / "training_scripts" / "constrained" / "train_constrained.py"
CONFIG_SPACE = {
    "x1": uniform(-5.0, 10.0),
    "x2": uniform(0.0, 15.0),
    "constraint_radius": 3.5,
    "sleep_time": 0.05,
}
METRIC, CONSTRAINT = "objective", "my_constraint_metric"


def run(method: str, num_trials: int, seed: int) -> None:
    common = dict(metric=METRIC, mode="min", random_seed=seed)
    if method == "CBO":
        scheduler = ConstrainedBayesianOptimization(CONFIG_SPACE, constraint_attr=CONSTRAINT, **common)
    else:
        scheduler = BayesianOptimization(CONFIG_SPACE, **common)
    tuner = Tuner(
        trial_backend=LocalBackend(entry_point=str(ENTRY_POINT)),
        scheduler=scheduler,
        stop_criterion=StoppingCriterion(max_num_trials_completed=num_trials),
        n_workers=4,
        sleep_time=0.1,
        print_update_interval=10.0,
        tuner_name=f"constrained-{method.lower()}",
    )
    tuner.run()
    df = tuner.results_dataframe()
    feasible = df[df[CONSTRAINT] <= 0]
    best = feasible[METRIC].min() if len(feasible) else float("nan")
    print(f"{method}: {len(feasible)} of {len(df)} trials feasible, best feasible {METRIC} = {best:.4f}")
    if len(feasible):
        row = feasible.loc[feasible[METRIC].idxmin()]
        print(f"{method}: best feasible configuration x1 = {row['config_x1']:.3f}, x2 = {row['config_x2']:.3f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--num_trials", type=int, default=30)
    parser.add_argument("--method", default="both", choices=["CBO", "BO", "both"])
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    for method in (["CBO", "BO"] if args.method == "both" else [args.method]):
        run(method, args.num_trials, args.seed)


if __name__ == "__main__":
    main()
