"""Training script of the SageMaker backend tests (the contract suite's
semantics): reports epoch = 1..epochs with loss = 1 / epoch, keeps its last
epoch in <st_checkpoint_dir>/state.json and continues from there, and exits
with code 3 before epoch ``fail_at`` (if > 0)."""

import argparse
import json
import os
import sys
import time

from syne_tune import Reporter
from syne_tune.utils import load_config_json

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=1)
parser.add_argument("--fail_at", type=int, default=0)
parser.add_argument("--sleep", type=float, default=0.02)
parser.add_argument("--st_checkpoint_dir")
parser.add_argument("--st_config_json_filename")
args, _ = parser.parse_known_args()
config = load_config_json(vars(args))
path = os.path.join(config["st_checkpoint_dir"], "state.json")
start = json.load(open(path))["epoch"] if os.path.exists(path) else 0
report = Reporter()
for epoch in range(start + 1, int(config["epochs"]) + 1):
    if epoch == int(config["fail_at"]):
        sys.exit(3)
    time.sleep(float(config["sleep"]))
    report(epoch=epoch, loss=1.0 / epoch)
    os.makedirs(config["st_checkpoint_dir"], exist_ok=True)
    with open(path + ".tmp", "w") as f:
        json.dump({"epoch": epoch}, f)
    os.replace(path + ".tmp", path)
