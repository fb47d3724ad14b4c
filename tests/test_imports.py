"""The import rules of DESIGN.md's package table, checked on the source with ``ast``.

Every module under ``src/borderlink`` is parsed (nothing is imported), and each ``import`` of
ours, wherever it stands (module level or inside a function), must stay within its package's row:

- ``model`` imports nothing of ours; ``refdata`` and the other inner packages only the packages
  their row names; ``store`` only ``model``; ``services`` everything inner plus ``store``;
- the shells (``server``, ``cli``, ``demo``) only ``services`` and ``model``: never ``store``,
  never an inner package directly, never each other;
- top-level ``borderlink.errors`` may be imported by every package (one exception tree), as may
  ``borderlink`` itself (it holds only ``__version__``), and ``borderlink.settings`` by
  ``store``, ``services`` and the shells (one ``Settings`` object);
- the command line is the process's entry point, so it may *start* the other shells: the
  module pairs in :data:`LAUNCHES` (``borderlink serve``, ``borderlink demo``, ``borderlink
  exchange demo``) are the only shell-to-shell imports allowed, each named.

It also fails when modules import each other: any import cycle between two or more modules is
reported as the chain that closes it. ``from borderlink.x import y`` counts as an import of the
module ``borderlink.x.y`` when that module exists, else of ``borderlink.x``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
ROOT = "borderlink"

_INNER: tuple[str, ...] = (
    "model",
    "refdata",
    "ingest",
    "screening",
    "risk",
    "coordination",
    "cooperation",
)
_INNER += ("exchange", "capacity", "store")
_SHELL = frozenset({"services", "model"})

# DESIGN.md's table: package -> the packages of ours it may import (besides itself).
ALLOWED: dict[str, frozenset[str]] = {
    "model": frozenset(),
    "refdata": frozenset({"model"}),
    "ingest": frozenset({"model", "refdata"}),
    "screening": frozenset({"model"}),
    "risk": frozenset({"model", "refdata", "screening"}),
    "coordination": frozenset({"model", "risk"}),
    "cooperation": frozenset({"model"}),
    "exchange": frozenset({"model", "cooperation"}),
    "capacity": frozenset({"model"}),
    "store": frozenset({"model", "settings"}),
    "services": frozenset({*_INNER, "settings"}),
    "server": _SHELL | {"settings"},
    "cli": _SHELL | {"settings"},
    "demo": _SHELL | {"settings"},
    # The top-level modules: the package docstring, the exception tree, the settings.
    "__init__": frozenset(),
    "errors": frozenset(),
    "settings": frozenset(),
}
EVERYONE_MAY_IMPORT = frozenset({"errors", "__init__"})
# (importing module, imported module): the command line starting the HTTP shell or the demo.
LAUNCHES = frozenset(
    {
        ("borderlink.cli.serve", "borderlink.server"),
        ("borderlink.cli.demo", "borderlink.demo.scenario"),
        # `borderlink training start`: the training sandbox on the demo's synthetic data.
        ("borderlink.cli.training", "borderlink.demo.training"),
        # Two partner nodes served on loopback, for `borderlink exchange demo` and demo's step.
        ("borderlink.cli.exchange", "borderlink.demo.partners"),
        ("borderlink.cli.exchange", "borderlink.demo.assistance"),
        ("borderlink.cli.exchange", "borderlink.server.app"),
        ("borderlink.cli.exchange", "borderlink.server.loopback"),
    }
)


def _modules() -> dict[str, Path]:
    """Dotted module name -> file, for every module of the package."""
    found = {}
    for path in sorted((SRC / ROOT).rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _imported(tree: ast.AST, modules: dict[str, Path]) -> Iterator[tuple[int, str]]:
    """(line, module) for each import of ours in ``tree``, resolved to the most specific module."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == ROOT:
                    yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module:
            assert node.level == 0, f"relative import at line {node.lineno}: use absolute ones"
            if node.module.split(".")[0] != ROOT:
                continue
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                yield node.lineno, sub if sub in modules else node.module


def _package(module: str) -> str:
    """The package a module belongs to: ``borderlink.risk.model`` -> ``risk``."""
    parts = module.split(".")
    if len(parts) == 1:
        return "__init__"
    return parts[1]


def _graph() -> dict[str, dict[str, int]]:
    """module -> {imported module: line of the first such import}."""
    modules = _modules()
    graph: dict[str, dict[str, int]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        edges: dict[str, int] = {}
        for line, target in _imported(tree, modules):
            if target != name:
                edges.setdefault(target, line)
        graph[name] = edges
    return graph


def _violations(graph: dict[str, dict[str, int]]) -> list[str]:
    found = []
    for module, edges in sorted(graph.items()):
        package = _package(module)
        allowed = ALLOWED.get(package)
        if allowed is None:
            found.append(f"{module}: package {package!r} is not in DESIGN.md's table")
            continue
        for target, line in sorted(edges.items()):
            other = _package(target)
            if other == package or other in allowed or other in EVERYONE_MAY_IMPORT:
                continue
            if (module, target) in LAUNCHES:
                continue
            found.append(
                f"{module}, line {line}: {package} imports {target} ({other} is not in its row)"
            )
    return found


def _cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """Each strongly connected group of modules, as one cycle through it (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next((c for c in children if c in graph), None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        groups.append(_cycle_through(sorted(group), graph))
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(graph[child]))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return groups


def _cycle_through(group: list[str], graph: dict[str, dict[str, int]]) -> list[str]:
    """A shortest cycle from the group's first module back to itself, within the group."""
    members = set(group)
    start = group[0]
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        nxt = []
        for node in frontier:
            for child in sorted(graph[node]):
                if child == start:
                    return [*paths[node], start]
                if child in members and child not in paths:
                    paths[child] = [*paths[node], child]
                    nxt.append(child)
        frontier = nxt
    raise AssertionError(f"no cycle through {start}")  # a strongly connected group has one


def test_every_package_imports_only_within_its_row() -> None:
    violations = _violations(_graph())
    assert not violations, "imports outside DESIGN.md's table:\n" + "\n".join(violations)


def test_no_modules_import_each_other() -> None:
    cycles = _cycles(_graph())
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


# --- the checker itself ---------------------------------------------------------------------


def test_checker_reports_a_shell_reaching_into_store() -> None:
    graph = {"borderlink.cli.db": {"borderlink.store": 3}, "borderlink.store": {}}
    assert _violations(graph) == [
        "borderlink.cli.db, line 3: cli imports borderlink.store (store is not in its row)"
    ]


def test_checker_allows_errors_everywhere_and_settings_where_the_table_says() -> None:
    graph = {
        "borderlink.model.hs": {"borderlink.errors": 1},
        "borderlink.server.app": {"borderlink.settings": 1, "borderlink.model": 2},
        "borderlink.risk.model": {"borderlink.settings": 4},
    }
    assert _violations(graph) == [
        "borderlink.risk.model, line 4: risk imports borderlink.settings "
        "(settings is not in its row)"
    ]


def test_checker_allows_only_the_named_launches_between_shells() -> None:
    graph = {
        "borderlink.cli.serve": {"borderlink.server": 1},
        "borderlink.cli.users": {"borderlink.server.security": 2},
        "borderlink.server.app": {"borderlink": 3},
    }
    assert _violations(graph) == [
        "borderlink.cli.users, line 2: cli imports borderlink.server.security "
        "(server is not in its row)"
    ]


def test_checker_reports_a_cycle_as_its_chain() -> None:
    graph = {
        "borderlink.a": {"borderlink.b": 1},
        "borderlink.b": {"borderlink.c": 1},
        "borderlink.c": {"borderlink.a": 1, "borderlink.d": 1},
        "borderlink.d": {},
    }
    assert _cycles(graph) == [["borderlink.a", "borderlink.b", "borderlink.c", "borderlink.a"]]


def test_checker_resolves_from_imports_to_submodules() -> None:
    modules = {"borderlink.risk": Path(), "borderlink.risk.model": Path()}
    tree = ast.parse("from borderlink.risk import model, Profile\nimport borderlink.store\n")
    assert sorted(_imported(tree, modules)) == [
        (1, "borderlink.risk"),
        (1, "borderlink.risk.model"),
        (2, "borderlink.store"),
    ]
