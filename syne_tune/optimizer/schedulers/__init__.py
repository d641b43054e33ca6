"""Schedulers: FIFO (full-fidelity), Hyperband family, PBT, ..."""

from syne_tune.optimizer.schedulers.fifo import FIFOScheduler
from syne_tune.optimizer.schedulers.hyperband import HyperbandScheduler
from syne_tune.optimizer.schedulers.median_stopping_rule import MedianStoppingRule
from syne_tune.optimizer.schedulers.pbt import PopulationBasedTraining

__all__ = ["FIFOScheduler", "HyperbandScheduler", "MedianStoppingRule", "PopulationBasedTraining"]
