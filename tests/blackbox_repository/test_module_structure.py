"""Structure of the ``syne_tune.blackbox_repository`` package: the imports
between its modules (at module level or inside functions alike) form no
cycle, the format layer knows no blackbox class, and the public import paths
of Syne Tune keep working."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path
from typing import Dict, List, Set

import syne_tune.blackbox_repository as package

PACKAGE = "syne_tune.blackbox_repository"
ROOT = Path(package.__file__).parent


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join([PACKAGE] + parts)


def _modules() -> Dict[str, Path]:
    return {_module_name(p): p for p in ROOT.rglob("*.py")}


def _imports(path: Path, modules: Dict[str, Path]) -> Set[str]:
    """Modules of the package that ``path`` imports anywhere in its code;
    names taken from the package itself are resolved through its lazy
    attribute table."""
    lazy = package._LAZY
    found: Set[str] = set()
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            base = node.module
            if node.level:
                anchor = _module_name(path).split(".")
                if path.name != "__init__.py":
                    anchor = anchor[:-1]
                base = ".".join(anchor[: len(anchor) - node.level + 1] + [node.module])
            targets = []
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                if sub in modules:
                    targets.append(sub)
                elif base == PACKAGE and alias.name in lazy:
                    targets.append(lazy[alias.name])
                else:
                    targets.append(base)
        else:
            continue
        found.update(t for t in targets if t in modules and t != PACKAGE)
    return found


def _graph() -> Dict[str, Set[str]]:
    modules = _modules()
    return {name: _imports(path, modules) - {name} for name, path in modules.items()}


def _find_cycle(graph: Dict[str, Set[str]]) -> List[str]:
    state: Dict[str, int] = {}
    stack: List[str] = []

    def visit(node: str) -> List[str]:
        state[node] = 1
        stack.append(node)
        for succ in sorted(graph.get(node, ())):
            if state.get(succ) == 1:
                return stack[stack.index(succ):] + [succ]
            if succ not in state:
                cycle = visit(succ)
                if cycle:
                    return cycle
        stack.pop()
        state[node] = 2
        return []

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return []


def test_no_import_cycles_in_the_package():
    cycle = _find_cycle(_graph())
    assert not cycle, "import cycle: " + " -> ".join(cycle)


def test_storage_modules_import_one_way():
    graph = _graph()
    name = lambda m: f"{PACKAGE}.{m}"  # noqa: E731
    classes = {name("blackbox_tabular"), name("blackbox_offline"), name("serialization")}
    assert not graph[name("storage")] & classes, "the format layer imports a blackbox module"
    assert name("storage") in graph[name("blackbox_tabular")]
    assert not graph[name("blackbox_tabular")] & {name("blackbox_offline"), name("serialization")}
    assert name("blackbox_tabular") in graph[name("blackbox_offline")]
    assert name("serialization") not in graph[name("blackbox_offline")]
    assert {name("blackbox_tabular"), name("blackbox_offline")} <= graph[name("serialization")]


def test_cycle_finder_finds_cycles():
    assert _find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _find_cycle({"a": {"b"}, "b": set()}) == []


PUBLIC_NAMES = {
    PACKAGE: ["load_blackbox", "blackbox_list", "add_surrogate", "BlackboxOffline", "deserialize"],
    f"{PACKAGE}.blackbox": ["Blackbox", "from_function"],
    f"{PACKAGE}.blackbox_tabular": ["BlackboxTabular", "serialize", "deserialize"],
    f"{PACKAGE}.blackbox_offline": ["BlackboxOffline", "serialize", "deserialize"],
    f"{PACKAGE}.blackbox_surrogate": ["BlackboxSurrogate", "add_surrogate"],
    f"{PACKAGE}.serialization": ["serialize", "deserialize"],
    f"{PACKAGE}.repository": ["load_blackbox", "blackbox_list"],
}


def test_public_import_paths():
    import importlib

    for module_name, names in PUBLIC_NAMES.items():
        module = importlib.import_module(module_name)
        for name in names:
            assert getattr(module, name) is not None, f"{module_name}.{name}"
    # simulator backends (another module's work): exported lazily
    assert {"BlackboxRepositoryBackend", "UserBlackboxBackend"} <= set(dir(package))
    from syne_tune.blackbox_repository.blackbox_tabular import deserialize, serialize

    # the signatures the shared perf harness (Syne Tune style) calls
    assert list(inspect.signature(serialize).parameters)[:3] == ["bb_dict", "path", "metadata"]
    assert list(inspect.signature(deserialize).parameters)[0] == "path"
    assert package.BlackboxOffline is importlib.import_module(f"{PACKAGE}.blackbox_offline").BlackboxOffline


def test_blackbox_is_abstract():
    import pytest

    from syne_tune.blackbox_repository.blackbox import Blackbox

    assert Blackbox.__abstractmethods__ == frozenset({"_objective_function"})
    with pytest.raises(TypeError, match="_objective_function"):
        Blackbox({"x": 1})

    class Minimal(Blackbox):
        def _objective_function(self, configuration, fidelity=None, seed=None):
            return {"y": 1.0}

    bb = Minimal({"x": 1}, objectives_names=["y"])
    assert bb({"x": 1}) == {"y": 1.0} and bb.num_seeds == 1 and bb.fidelity_values is None
    with pytest.raises(NotImplementedError):
        bb.hyperparameter_objectives_values()
    with pytest.raises(ValueError, match="The 'configuration_space' parameter of Minimal"):
        Minimal(["x"])


def test_default_fidelity_values_follow_an_integer_fidelity_space():
    from syne_tune.blackbox_repository.blackbox import Blackbox
    from syne_tune.config_space import randint, uniform

    class WithFidelity(Blackbox):
        def _objective_function(self, configuration, fidelity=None, seed=None):
            return {"y": 0.0}

    bb = WithFidelity({"x": uniform(0, 1)}, {"epoch": randint(1, 4)}, ["y"])
    assert bb.fidelity_values.tolist() == [1, 2, 3, 4]
    assert WithFidelity({"x": uniform(0, 1)}, {"f": uniform(0, 1)}, ["y"]).fidelity_values is None
