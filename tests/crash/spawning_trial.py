"""Trial script of the signal tests: starts two grandchild processes (which
sleep), writes their pids to ``<checkpoint folder>/../pids``, then reports
``mean_loss`` every ``--sleep_time`` seconds for ``--epochs`` epochs."""

import argparse
import os
import subprocess
import sys
import time

from syne_tune import Reporter

parser = argparse.ArgumentParser()
parser.add_argument("--width", type=float)
parser.add_argument("--height", type=float)
parser.add_argument("--epochs", type=int)
parser.add_argument("--sleep_time", type=float)
parser.add_argument("--st_checkpoint_dir")
args, _ = parser.parse_known_args()

children = [subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"]) for _ in range(2)]
trial_dir = os.path.dirname(args.st_checkpoint_dir)
with open(os.path.join(trial_dir, "pids"), "a") as f:
    f.write(" ".join(str(p) for p in [os.getpid()] + [c.pid for c in children]) + "\n")
report = Reporter()
for epoch in range(1, args.epochs + 1):
    time.sleep(args.sleep_time)
    report(epoch=epoch, mean_loss=args.height / 10 + 1.0 / (1 + args.width * epoch))
