"""Registry of conversion recipes: blackbox name -> recipe.

Each module listed in :data:`RECIPE_MODULES` defines ``RECIPES``, a list of
:class:`~syne_tune.blackbox_repository.conversion_scripts.blackbox_recipe.BlackboxRecipe`
instances (or ``get_recipes()`` returning one). Modules are imported on
first use; one that cannot be imported (missing optional dependency) is
skipped with a log message. :func:`register_recipe` adds a recipe at run
time (e.g. for a user's own benchmark).
"""

from __future__ import annotations

import importlib
import logging
from typing import Dict, List

from syne_tune.blackbox_repository.conversion_scripts.blackbox_recipe import (
    BlackboxRecipe,
)

logger = logging.getLogger(__name__)

_PREFIX = "syne_tune.blackbox_repository.conversion_scripts.scripts."

RECIPE_MODULES: List[str] = [
    _PREFIX + "icml2020_import",
    _PREFIX + "fcnet_import",
    _PREFIX + "nasbench201_import",
    _PREFIX + "hpobench_import",
    _PREFIX + "lcbench_import",
    _PREFIX + "pd1_import",
    _PREFIX + "hpob_import",
    _PREFIX + "yahpo_import",
    _PREFIX + "lcbench_surrogate_import",
    _PREFIX + "nmt_import",
    _PREFIX + "lcdb_import",
]

_registry: Dict[str, BlackboxRecipe] = {}
_loaded_modules: set = set()
_import_errors: Dict[str, str] = {}


def _load_modules():
    for module_name in RECIPE_MODULES:
        if module_name in _loaded_modules:
            continue
        _loaded_modules.add(module_name)
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as ex:
            if ex.name == module_name:
                continue  # not written (yet)
            _import_errors[module_name] = f"{type(ex).__name__}: {ex}"
            logger.info(f"recipes of {module_name} unavailable: {ex}")
            continue
        except Exception as ex:  # a broken optional module must not break the rest
            _import_errors[module_name] = f"{type(ex).__name__}: {ex}"
            logger.warning(f"recipes of {module_name} unavailable: {ex}")
            continue
        recipes = getattr(module, "RECIPES", None)
        if recipes is None and hasattr(module, "get_recipes"):
            recipes = module.get_recipes()
        for recipe in recipes or []:
            _registry.setdefault(recipe.name, recipe)


def register_recipe(recipe: BlackboxRecipe, overwrite: bool = False):
    """Makes ``recipe`` known to ``load_blackbox`` under ``recipe.name``."""
    _load_modules()
    if recipe.name in _registry and not overwrite:
        raise ValueError(f"a recipe named {recipe.name!r} is registered already")
    _registry[recipe.name] = recipe


def get_recipes() -> Dict[str, BlackboxRecipe]:
    """All known recipes, by blackbox name."""
    _load_modules()
    return dict(_registry)


def get_recipe(name: str) -> BlackboxRecipe:
    recipes = get_recipes()
    if name not in recipes:
        from syne_tune.blackbox_repository.errors import BlackboxNotFoundError

        hint = ""
        if _import_errors:
            hint = f" (modules that failed to import: {_import_errors})"
        raise BlackboxNotFoundError(
            f"no blackbox named {name!r}; known: {sorted(recipes)}{hint}"
        )
    return recipes[name]


def import_errors() -> Dict[str, str]:
    """Recipe modules that could not be imported, with the reason."""
    _load_modules()
    return dict(_import_errors)


class _LazyRegistry(dict):
    """``generate_blackbox_recipes`` as in Syne Tune: a dict filled on first
    access."""

    def _fill(self):
        if not dict.__len__(self):
            dict.update(self, get_recipes())

    def __getitem__(self, key):
        self._fill()
        return dict.__getitem__(self, key)

    def __iter__(self):
        self._fill()
        return dict.__iter__(self)

    def __len__(self):
        self._fill()
        return dict.__len__(self)

    def __contains__(self, key):
        self._fill()
        return dict.__contains__(self, key)

    def keys(self):
        self._fill()
        return dict.keys(self)

    def items(self):
        self._fill()
        return dict.items(self)

    def values(self):
        self._fill()
        return dict.values(self)

    def get(self, key, default=None):
        self._fill()
        return dict.get(self, key, default)


generate_blackbox_recipes = _LazyRegistry()
