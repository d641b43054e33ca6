"""Blackbox repository: tabulated and surrogate benchmarks for simulated
tuning.

``load_blackbox(name)`` returns ``{task_name: Blackbox}`` from the local
repository (``~/.blackbox-repository`` unless ``SYNE_TUNE_BLACKBOX_REPOSITORY``
says otherwise), generating it from the local data mirror when needed;
``blackbox_list()`` names the known blackboxes and ``blackbox_availability()``
tells which of them can be loaded here (stored, or with their source data
installed or in the mirror) and what the others need. Names are imported
lazily so that importing the package stays cheap.
"""

from __future__ import annotations

import importlib

from syne_tune.utils.logging_setup import install_default_handler

install_default_handler()

__all__ = [
    "load_blackbox",
    "blackbox_list",
    "blackbox_availability",
    "BlackboxAvailability",
    "add_surrogate",
    "BlackboxOffline",
    "BlackboxTabular",
    "BlackboxSurrogate",
    "Blackbox",
    "from_function",
    "serialize",
    "deserialize",
    "BlackboxRepositoryBackend",
    "UserBlackboxBackend",
]

_LAZY = {
    "load_blackbox": "syne_tune.blackbox_repository.repository",
    "blackbox_list": "syne_tune.blackbox_repository.repository",
    "blackbox_availability": "syne_tune.blackbox_repository.repository",
    "BlackboxAvailability": "syne_tune.blackbox_repository.conversion_scripts.blackbox_recipe",
    "add_surrogate": "syne_tune.blackbox_repository.blackbox_surrogate",
    "BlackboxSurrogate": "syne_tune.blackbox_repository.blackbox_surrogate",
    "BlackboxOffline": "syne_tune.blackbox_repository.blackbox_offline",
    "BlackboxTabular": "syne_tune.blackbox_repository.blackbox_tabular",
    "Blackbox": "syne_tune.blackbox_repository.blackbox",
    "from_function": "syne_tune.blackbox_repository.blackbox",
    "serialize": "syne_tune.blackbox_repository.serialization",
    "deserialize": "syne_tune.blackbox_repository.serialization",
    "BlackboxRepositoryBackend": "syne_tune.blackbox_repository.simulated_tabular_backend",
    "UserBlackboxBackend": "syne_tune.blackbox_repository.simulated_tabular_backend",
}


def __getattr__(name: str):
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(
            f"module 'syne_tune.blackbox_repository' has no attribute {name!r}"
        )
    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(list(globals()) + list(_LAZY))
