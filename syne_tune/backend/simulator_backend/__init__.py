"""Simulated tuning: trials run on a simulated clock (see
:mod:`syne_tune.backend.simulator_backend.simulator_backend`)."""

from __future__ import annotations

import sys

from syne_tune.backend import time_keeper as _time_keeper
from syne_tune.backend.simulator_backend.simulator_backend import SimulatorBackend, SimulatorConfig
from syne_tune.backend.time_keeper import SimulatedTimeKeeper

# Syne Tune's import path of the simulated clock; all clocks live in
# syne_tune.backend.time_keeper
sys.modules[__name__ + ".time_keeper"] = _time_keeper
time_keeper = _time_keeper

__all__ = ["SimulatorBackend", "SimulatorConfig", "SimulatedTimeKeeper", "SimulatorCallback"]


def __getattr__(name: str):
    # the callback imports the results store: load it on demand
    if name == "SimulatorCallback":
        from syne_tune.backend.simulator_backend.simulator_callback import SimulatorCallback

        globals()[name] = SimulatorCallback
        return SimulatorCallback
    raise AttributeError(f"module 'syne_tune.backend.simulator_backend' has no attribute {name!r}")
