"""Schedulers: FIFO (full-fidelity), Hyperband family, PBT, ..."""

from syne_tune.optimizer.schedulers.fifo import FIFOScheduler

__all__ = ["FIFOScheduler"]
