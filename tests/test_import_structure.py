"""The library's modules import each other one way: no import cycle, not even
through imports inside functions (they hide a layering problem)."""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "syne_tune"


def _modules() -> dict[str, Path]:
    mods = {}
    for path in PACKAGE.rglob("*.py"):
        name = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        mods[name.removesuffix(".__init__")] = path
    return mods


def _graph(mods: dict[str, Path]) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for name, path in mods.items():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("syne_tune"):
                for alias in node.names:
                    if f"{node.module}.{alias.name}" in mods:
                        graph[name].add(f"{node.module}.{alias.name}")
                if node.module in mods:
                    graph[name].add(node.module)
            elif isinstance(node, ast.Import):
                graph[name].update(alias.name for alias in node.names if alias.name in mods)
    return graph


def _cycles(graph: dict[str, set[str]], nodes) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for node in nodes:
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles():
    mods = _modules()
    assert _cycles(_graph(mods), mods) == []


def test_core_types_sit_below_every_layer():
    graph = _graph(_modules())
    assert not {m for m in graph["syne_tune.trial"] if m != "syne_tune.constants"}
    assert not any(m.startswith("syne_tune.experiments") for m in graph["syne_tune.tuner"])
