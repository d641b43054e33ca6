"""What both LCBench conversions (:mod:`.lcbench_import` from the original
file, :mod:`.lcbench_surrogate_import` from the YAHPO surrogate) share: the
search space, the epochs kept of a logged curve and the conversion's
version.

A curve of LCBench's file logs 52 values per configuration: the first scores
the network before any training (chance-level accuracy: about 10% on
Fashion-MNIST), the last is one beyond the 50 epochs of LCBench's paper
(what it measures is not documented). The table keeps the 50 in between as
epochs 1..50 and counts ``time`` from the end of the first scoring
(:func:`training_epochs`): the conversion Syne Tune has used since its
LCBench fix, and YAHPO Gym's v2 data. Kept, the untrained first value would
be the first rung of every multi-fidelity scheduler, a rung that ranks the
configurations at random.
"""

from __future__ import annotations

import numpy as np

from syne_tune.config_space import loguniform, lograndint, randint, uniform

__all__ = ["CONFIGURATION_SPACE", "MAX_RESOURCE_LEVEL", "RECIPE_VERSION", "training_epochs"]

#: LCBench search space (same as Syne Tune's ``lcbench``)
CONFIGURATION_SPACE = {
    "num_layers": randint(1, 5),
    "max_units": lograndint(64, 1024),
    "batch_size": lograndint(16, 512),
    "learning_rate": loguniform(1e-4, 1e-1),
    "weight_decay": uniform(1e-5, 1e-1),
    "momentum": uniform(0.1, 0.99),
    "max_dropout": uniform(0.0, 1.0),
}

#: epochs of the table
MAX_RESOURCE_LEVEL = 50

#: version of this conversion, stored with the blackbox (``recipe_version``):
#: a blackbox stored by an older version is converted again on load.
#: 2: the untrained first and the last logged value of each curve are dropped.
RECIPE_VERSION = 2


def training_epochs(curve, is_time: bool = False, axis: int = -1) -> np.ndarray:
    """The 50 training epochs of logged LCBench curves of 52 values.

    Parameters
    ----------
    curve
        Values logged along the epochs (along ``axis``; one curve or an array
        of them); the first scores the untrained network, the last is beyond
        LCBench's 50 epochs.
    is_time
        Whether ``curve`` is the cumulative ``time``: it is then counted from
        the first logged value (the time spent before training).
    axis
        Axis of the epochs.

    Returns
    -------
    numpy.ndarray
        ``curve[1:-1]`` along ``axis`` (minus ``curve[0]`` if ``is_time``),
        in the float type of ``curve`` (float64 for other types).

    Raises
    ------
    ValueError
        If ``curve`` has fewer than 3 values along ``axis``.
    """
    values = np.asarray(curve)
    if not np.issubdtype(values.dtype, np.floating):
        values = values.astype(np.float64)
    if values.ndim == 0 or values.shape[axis] < 3:
        raise ValueError(
            f"an LCBench curve needs at least 3 logged values (untrained, epochs, last), got shape {values.shape}"
        )
    kept = np.take(values, np.arange(1, values.shape[axis] - 1), axis=axis)
    return kept - np.take(values, [0], axis=axis) if is_time else kept
