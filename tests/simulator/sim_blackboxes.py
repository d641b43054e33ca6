"""Small blackboxes for the simulator tests (imported as ``sim_blackboxes``)."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from syne_tune.blackbox_repository.blackbox_tabular import BlackboxTabular
from syne_tune.config_space import choice, randint

VALUES = [1, 2, 3, 4]
HP_NAMES = ["a", "b", "c"]
NUM_EPOCHS = 20
NUM_SEEDS = 2


def make_tabular(nan_lengths: dict | None = None) -> BlackboxTabular:
    """64 configurations x 2 seeds x 20 epochs, objectives ``error`` and
    ``elapsed`` (cumulative, ~ 30..120 s per epoch). ``nan_lengths``: row ->
    curve length; later epochs are NaN (like the nmt blackbox)."""
    rng = np.random.default_rng(0)
    rows = list(itertools.product(VALUES, repeat=len(HP_NAMES)))
    idx = np.asarray(rows, dtype=float)
    n = len(rows)
    final = 0.1 + 0.05 * np.abs(idx - 2.5).sum(axis=1)
    epochs = np.arange(1, NUM_EPOCHS + 1)
    err = final[:, None, None] + 0.5 * np.exp(-epochs[None, None, :] / 5.0) + 0.01 * rng.standard_normal((n, NUM_SEEDS, NUM_EPOCHS))
    per_epoch = (30.0 + 30.0 * idx[:, 0])[:, None, None] * rng.lognormal(0.0, 0.1, size=(n, NUM_SEEDS, NUM_EPOCHS))
    elapsed = np.cumsum(per_epoch, axis=2)
    objectives = np.stack([err, elapsed], axis=-1)
    for row, length in (nan_lengths or {}).items():
        objectives[row, :, length:, :] = np.nan
    return BlackboxTabular(
        hyperparameters=pd.DataFrame(rows, columns=HP_NAMES),
        configuration_space={name: choice(VALUES) for name in HP_NAMES},
        fidelity_space={"epoch": randint(1, NUM_EPOCHS)},
        objectives_evaluations=objectives,
        fidelity_values=np.arange(1, NUM_EPOCHS + 1),
        objectives_names=["error", "elapsed"],
    )
