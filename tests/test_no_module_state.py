"""No module of the package holds mutable state: process state lives in the node's runtime.

Scans every module under ``src/borderlink`` with :mod:`ast` for module-level bindings of mutable
values (dict, list and set displays or comprehensions; calls that build a mutable container, a
lock or a weak mapping), for functions memoised at module level (``functools.cache`` and
``lru_cache`` keep what they computed for the life of the process) and for ``global``
statements. Constants are immutable: tuples, frozensets, ``MappingProxyType`` and compiled
regexes. The few exceptions are in :data:`ALLOWED`, each with its reason.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import borderlink

PACKAGE = Path(borderlink.__file__).parent

MUTABLE_CALLS = frozenset(
    {
        "dict",
        "list",
        "set",
        "bytearray",
        "defaultdict",
        "OrderedDict",
        "Counter",
        "ChainMap",
        "deque",
        "Queue",
        "SimpleQueue",
        "Lock",
        "RLock",
        "Semaphore",
        "BoundedSemaphore",
        "Event",
        "Condition",
        "local",
        "WeakValueDictionary",
        "WeakKeyDictionary",
        "WeakSet",
    }
)
MEMOISERS = frozenset({"cache", "lru_cache", "cached"})

# (module, name) -> why it may stay, for now.
PACKAGED = "memoises a read of packaged, read-only data: a constant computed on first use"
REGISTRY = "discovers the installed entry points once per process; read-only afterwards"
REWORKED = (
    "a constant table in a module being reworked in parallel (issue 9): freeze it "
    "(MappingProxyType/tuple) when that rework lands"
)
ALLOWED: dict[tuple[str, str], str] = {
    ("borderlink.settings", "get_settings"): "one Settings per process, read once",
    ("borderlink.exchange.identity", "load_public_key"): "a pure parse of immutable key text",
    ("borderlink.ingest.mapping", "_load_path"): PACKAGED,
    ("borderlink.server.pages.i18n", "translations"): PACKAGED,
    ("borderlink.refdata.hs", "_builtin_rows"): PACKAGED,
    ("borderlink.refdata.snapshot", "builtin_hs_codes"): PACKAGED,
    ("borderlink.refdata.snapshot", "builtin_countries"): PACKAGED,
    ("borderlink.refdata.snapshot", "builtin_currencies"): PACKAGED,
    ("borderlink.demo.catalogue", "hs_catalogue"): PACKAGED,
    ("borderlink.ingest.readers", "registered_readers"): REGISTRY,
    ("borderlink.ingest.mapping", "registered_mappings"): REGISTRY,
    ("borderlink.ingest.mapping", "_load_named"): PACKAGED,
    ("borderlink.exchange.stix", "registered_exporters"): REGISTRY,
    ("borderlink.exchange.stix", "_by_type"): REGISTRY,
    ("borderlink.ingest.readers", "_HEADER_FIELDS"): REWORKED,
    ("borderlink.ingest.readers", "_TRANSPORT_FIELDS"): REWORKED,
    ("borderlink.ingest.readers", "_PARTY_COLUMNS"): REWORKED,
    ("borderlink.model.records_base", "NOMINAL"): REWORKED,
    ("borderlink.model.records_base", "CLASSIFICATION_ORDER"): REWORKED,
    ("borderlink.model.cooperation", "RECORD_MODELS"): REWORKED,
    ("borderlink.model.referral", "TRANSITIONS"): REWORKED,
    ("borderlink.services.refdata.load", "_FLIP"): REWORKED + " (the upsert moves to store)",
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _call_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Call):
        return _call_name(node.func)
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _mutable(value: ast.expr | None) -> bool:
    if value is None:
        return False
    if isinstance(value, ast.Dict | ast.List | ast.Set | ast.ListComp | ast.DictComp | ast.SetComp):
        return True
    if isinstance(value, ast.BinOp):  # e.g. [...] + [...], {...} | {...}
        return _mutable(value.left) or _mutable(value.right)
    if isinstance(value, ast.Call):
        return _call_name(value.func) in MUTABLE_CALLS
    return False


def _top_level(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Module-level statements, including those under a top-level if/try (not in functions)."""
    for stmt in body:
        yield stmt
        if isinstance(stmt, ast.If):
            yield from _top_level(stmt.body + stmt.orelse)
        elif isinstance(stmt, ast.Try):
            handlers = [s for h in stmt.handlers for s in h.body]
            yield from _top_level(stmt.body + handlers + stmt.orelse + stmt.finalbody)


def _names(target: ast.expr) -> Iterator[str]:
    if isinstance(target, ast.Name):
        yield target.id
    elif isinstance(target, ast.Tuple | ast.List):
        for item in target.elts:
            yield from _names(item)


def findings(source: str) -> Iterator[tuple[str, int, str]]:
    """(name, line, what) for each piece of module-level mutable state in ``source``."""
    tree = ast.parse(source)
    for stmt in _top_level(tree.body):
        if isinstance(stmt, ast.Assign) and _mutable(stmt.value):
            for target in stmt.targets:
                for name in _names(target):
                    yield name, stmt.lineno, "a mutable value"
        elif isinstance(stmt, ast.AnnAssign) and _mutable(stmt.value):
            yield from ((n, stmt.lineno, "a mutable value") for n in _names(stmt.target))
        elif isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            for decorator in stmt.decorator_list:
                if _call_name(decorator) in MEMOISERS:
                    yield stmt.name, stmt.lineno, "a memoised function"
    for node in ast.walk(tree):
        if isinstance(node, ast.Global):
            for name in node.names:
                yield name, node.lineno, "rebound through `global`"


def _scan() -> list[str]:
    problems = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = _module_name(path)
        for name, line, what in findings(path.read_text(encoding="utf-8")):
            if name.startswith("__") or (module, name) in ALLOWED:
                continue  # dunders (__all__) are read by tools, never written
            problems.append(f"{module}:{line}: {name} is {what}")
    return problems


def test_no_module_holds_mutable_state() -> None:
    problems = _scan()
    assert not problems, "module-level mutable state (move it to the node's Runtime):\n" + (
        "\n".join(problems)
    )


def test_every_allowed_exception_still_exists() -> None:
    """An exception whose name is gone must leave the list, so the list stays honest."""
    seen: set[tuple[str, str]] = set()
    for path in PACKAGE.rglob("*.py"):
        module = _module_name(path)
        seen |= {(module, name) for name, _, _ in findings(path.read_text(encoding="utf-8"))}
    assert set(ALLOWED) <= seen, sorted(set(ALLOWED) - seen)


def test_the_scan_finds_each_kind_of_state() -> None:
    source = """
import threading
from functools import cache
from types import MappingProxyType
CACHE = {}
ITEMS: list[int] = [1]
LOCK = threading.Lock()
squares = {n: n * n for n in range(3)}
OK = (1, 2)
FROZEN = frozenset({1})
TABLE = MappingProxyType({"a": 1})
@cache
def memo() -> int:
    return 1
def bump() -> None:
    global OK
"""
    found = {(name, what) for name, _, what in findings(source)}
    assert found == {
        ("CACHE", "a mutable value"),
        ("ITEMS", "a mutable value"),
        ("LOCK", "a mutable value"),
        ("squares", "a mutable value"),
        ("memo", "a memoised function"),
        ("OK", "rebound through `global`"),
    }
