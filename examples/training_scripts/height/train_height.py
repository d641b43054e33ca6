"""Toy training script: a "loss" that falls with the epochs, faster for a
larger ``--width``, offset by ``--height``.

Reports ``epoch`` and ``mean_loss`` once per epoch. With ``--st_checkpoint_dir``
(passed by the backends) it saves the epoch reached after each epoch and, when
started again with the same folder (a paused trial being resumed), continues
from there.

    python train_height.py --width 5 --height 3 --epochs 10 --sleep_time 0.1
"""

import argparse
import json
import os
import time

from syne_tune import Reporter
from syne_tune.utils import (
    add_checkpointing_to_argparse,
    checkpoint_model_at_rung_level,
    resume_from_checkpointed_model,
)

CHECKPOINT_FILE = "checkpoint.json"


def height_loss(epoch: int, width: float, height: float) -> float:
    return (0.1 + width * epoch / 100) ** (-1) + height * 0.1


def load_epoch(checkpoint_dir: str) -> int:
    path = os.path.join(checkpoint_dir, CHECKPOINT_FILE)
    if not os.path.exists(path):
        return 0
    with open(path) as f:
        return int(json.load(f)["epoch"])


def save_epoch(checkpoint_dir: str, epoch: int) -> None:
    path = os.path.join(checkpoint_dir, CHECKPOINT_FILE)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump({"epoch": epoch}, f)
    os.replace(tmp, path)  # a kill mid-write leaves the previous checkpoint


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--width", type=float, required=True)
    parser.add_argument("--height", type=float, required=True)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--sleep_time", type=float, default=0.1)
    add_checkpointing_to_argparse(parser)
    args, _ = parser.parse_known_args()
    config = vars(args)

    report = Reporter()
    start_epoch = resume_from_checkpointed_model(config, load_epoch)
    for epoch in range(start_epoch + 1, args.epochs + 1):
        if args.sleep_time > 0:
            time.sleep(args.sleep_time)
        loss = height_loss(epoch, args.width, args.height)
        # report, then checkpoint: a trial killed in between repeats this
        # epoch when it is restarted, instead of never reporting it
        report(epoch=epoch, mean_loss=loss)
        checkpoint_model_at_rung_level(config, save_epoch, epoch)


if __name__ == "__main__":
    main()
