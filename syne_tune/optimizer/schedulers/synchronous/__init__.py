"""Synchronous Hyperband: brackets whose rungs are promoted only once complete."""

from syne_tune.optimizer.schedulers.synchronous.hyperband import (
    SynchronousGeometricHyperbandScheduler,
    SynchronousHyperbandScheduler,
)
from syne_tune.optimizer.schedulers.synchronous.hyperband_bracket import (
    SlotInRung,
    SynchronousHyperbandBracket,
)
from syne_tune.optimizer.schedulers.synchronous.hyperband_bracket_manager import (
    SynchronousHyperbandBracketManager,
)
from syne_tune.optimizer.schedulers.synchronous.hyperband_rung_system import (
    SynchronousHyperbandRungSystem,
)
from syne_tune.optimizer.schedulers.synchronous.dehb import DifferentialEvolutionHyperbandScheduler
from syne_tune.optimizer.schedulers.synchronous.hyperband_impl import (
    GeometricDifferentialEvolutionHyperbandScheduler,
)

__all__ = [
    "SynchronousHyperbandScheduler",
    "SynchronousGeometricHyperbandScheduler",
    "SynchronousHyperbandBracket",
    "SynchronousHyperbandBracketManager",
    "SynchronousHyperbandRungSystem",
    "SlotInRung",
    "DifferentialEvolutionHyperbandScheduler",
    "GeometricDifferentialEvolutionHyperbandScheduler",
]
