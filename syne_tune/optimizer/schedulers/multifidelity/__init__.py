"""Building blocks of the multi-fidelity schedulers (ASHA, Hyperband, PASHA):
rung levels, rung systems with their decision rules, brackets.

Importing this package also registers ``type="dyhpo"``
(:mod:`.dyhpo_rung_system`), so that every import of a rung system sees it.
"""

from syne_tune.optimizer.schedulers.multifidelity.bracket_manager import (
    BracketDistribution,
    DefaultHyperbandBracketDistribution,
    HyperbandBracketManager,
)
from syne_tune.optimizer.schedulers.multifidelity.rung_levels import (
    get_promotion_quantiles,
    get_rung_levels,
    hyperband_bracket_sizes,
)
from syne_tune.optimizer.schedulers.multifidelity.rung_system import (
    RUNG_SYSTEMS,
    CostPromotionRungSystem,
    PASHARungSystem,
    Promotion,
    PromotionRungSystem,
    Rung,
    RungReport,
    RungSystem,
    StoppingRungSystem,
    register_rung_system,
)
from syne_tune.optimizer.schedulers.multifidelity.sorted_values import SortedValues
from syne_tune.optimizer.schedulers.multifidelity.dyhpo_rung_system import DyHPORungSystem  # registers "dyhpo"

__all__ = [
    "BracketDistribution",
    "DefaultHyperbandBracketDistribution",
    "HyperbandBracketManager",
    "get_promotion_quantiles",
    "get_rung_levels",
    "hyperband_bracket_sizes",
    "RUNG_SYSTEMS",
    "CostPromotionRungSystem",
    "PASHARungSystem",
    "Promotion",
    "PromotionRungSystem",
    "Rung",
    "RungReport",
    "RungSystem",
    "StoppingRungSystem",
    "register_rung_system",
    "SortedValues",
    "DyHPORungSystem",
]
