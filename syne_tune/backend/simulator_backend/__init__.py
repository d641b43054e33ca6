"""Simulated tuning: trials run on a simulated clock (see
:mod:`syne_tune.backend.simulator_backend.simulator_backend`)."""

from __future__ import annotations

from syne_tune.backend.simulator_backend.simulator_backend import SimulatorBackend, SimulatorConfig
from syne_tune.backend.simulator_backend.time_keeper import SimulatedTimeKeeper

__all__ = ["SimulatorBackend", "SimulatorConfig", "SimulatedTimeKeeper", "SimulatorCallback"]


def __getattr__(name: str):
    # the callback imports the results callback and tuner modules: load it on demand
    if name == "SimulatorCallback":
        from syne_tune.backend.simulator_backend.simulator_callback import SimulatorCallback

        globals()[name] = SimulatorCallback
        return SimulatorCallback
    raise AttributeError(f"module 'syne_tune.backend.simulator_backend' has no attribute {name!r}")
