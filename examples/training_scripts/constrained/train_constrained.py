"""Toy training script with a constraint: the Branin function as the loss,
and a constraint that is feasible (``<= 0``) only inside a disc.

Reports once: ``objective`` (minimize) and ``my_constraint_metric``
(``(x1 - 2.5)^2 + (x2 - 7.5)^2 - constraint_radius^2``). The unconstrained
minima of Branin (value 0.398 at (-pi, 12.275), (pi, 2.275), (9.42, 2.475))
lie outside the default disc, so a tuner that ignores the constraint finds
mostly infeasible configurations.

    python train_constrained.py --x1 1.0 --x2 5.0 --constraint_radius 3.5
"""

import argparse
import math
import time

from syne_tune import Reporter


def branin(x1: float, x2: float) -> float:
    b, c, r, s, t = 5.1 / (4 * math.pi**2), 5 / math.pi, 6.0, 10.0, 1 / (8 * math.pi)
    return (x2 - b * x1**2 + c * x1 - r) ** 2 + s * (1 - t) * math.cos(x1) + s


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--x1", type=float, required=True)
    parser.add_argument("--x2", type=float, required=True)
    parser.add_argument("--constraint_radius", type=float, default=3.5)
    parser.add_argument("--sleep_time", type=float, default=0.05)
    args, _ = parser.parse_known_args()
    if args.sleep_time > 0:
        time.sleep(args.sleep_time)
    constraint = (args.x1 - 2.5) ** 2 + (args.x2 - 7.5) ** 2 - args.constraint_radius**2
    Reporter()(objective=branin(args.x1, args.x2), my_constraint_metric=constraint)


if __name__ == "__main__":
    main()
