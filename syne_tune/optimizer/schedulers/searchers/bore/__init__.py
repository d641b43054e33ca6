"""BORE (Tiao et al. 2021): Bayesian optimization by density-ratio
estimation, single-fidelity (:class:`Bore`) and for multi-fidelity
schedulers (:class:`MultiFidelityBore`)."""

from syne_tune.optimizer.schedulers.searchers.bore.bore import Bore
from syne_tune.optimizer.schedulers.searchers.bore.multi_fidelity_bore import MultiFidelityBore

__all__ = ["Bore", "MultiFidelityBore"]
