"""Small blackboxes shared by the blackbox-repository tests."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import numpy as np
import pandas as pd

from syne_tune.blackbox_repository.blackbox_tabular import BlackboxTabular
from syne_tune.config_space import choice, loguniform, randint

OPS = ["a", "b", "c"]


def small_space():
    return {
        "op": choice(OPS),
        "units": choice([16, 32, 64]),
        "lr": loguniform(1e-4, 1e-1),
    }


def small_tabular(
    num_seeds: int = 2, num_fidelities: int = 5, seed: int = 0, lrs=(1e-3, 1e-2)
) -> BlackboxTabular:
    """3 ops x 3 units x 2 lrs = 18 configurations; objectives ``loss``
    (decreasing) and ``time`` (cumulative)."""
    rng = np.random.default_rng(seed)
    rows = list(itertools.product(OPS, [16, 32, 64], list(lrs)))
    hps = pd.DataFrame(rows, columns=["op", "units", "lr"])
    n = len(rows)
    epochs = np.arange(1, num_fidelities + 1)
    loss = rng.uniform(0.1, 1.0, size=(n, num_seeds, 1)) / epochs[None, None, :]
    time = np.cumsum(rng.uniform(1, 2, size=(n, num_seeds, num_fidelities)), axis=-1)
    values = np.stack([loss, time], axis=-1).astype(np.float32)
    return BlackboxTabular(
        hyperparameters=hps,
        configuration_space=small_space(),
        fidelity_space={"epoch": randint(1, num_fidelities)},
        objectives_evaluations=values,
        fidelity_values=epochs,
        objectives_names=["loss", "time"],
    )


def flip_byte(path: Path, offset: int):
    with open(path, "r+b") as f:
        f.seek(offset)
        b = f.read(1)
        f.seek(offset)
        f.write(bytes([b[0] ^ 0xFF]))


def truncate(path: Path, keep: float = 0.5):
    size = os.path.getsize(path)
    with open(path, "r+b") as f:
        f.truncate(int(size * keep))
