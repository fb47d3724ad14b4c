"""House rule: modules under ~500 lines, functions under ~60 unless a reason is written beside them.

A function longer than :data:`MAX_FUNCTION` lines passes only with a ``# long: why`` comment on
its ``def`` line or in the comment lines right above it (above its decorators, for a decorated
one), so a reason may take two lines. A module longer than :data:`MAX_MODULE` lines does not
pass.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "borderlink"
MAX_FUNCTION = 60
MAX_MODULE = 500
_REASON = re.compile(r"#\s*long:\s*\S")

# Being split in the open issues, by the engineers who own these files: each entry goes when its
# function is split (the test fails on an entry that is no longer too long, so the list shrinks).
BEING_SPLIT: frozenset[tuple[str, str]] = frozenset()


def long_functions(source: str) -> Iterator[tuple[str, int, int]]:
    """(name, first line, length) of each function over :data:`MAX_FUNCTION` lines in
    ``source`` that has no ``# long:`` reason beside it."""
    lines = source.splitlines()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        assert node.end_lineno is not None
        length = node.end_lineno - node.lineno + 1
        if length <= MAX_FUNCTION:
            continue
        if not any(_REASON.search(line) for line in _beside(lines, node)):
            yield node.name, node.lineno, length


def _beside(lines: list[str], node: ast.FunctionDef | ast.AsyncFunctionDef) -> Iterator[str]:
    """The ``def`` line, then the comment lines right above the function, nearest first."""
    yield lines[node.lineno - 1]
    above = min([node.lineno, *(d.lineno for d in node.decorator_list)]) - 2  # 0-based
    while above >= 0 and lines[above].lstrip().startswith("#"):
        yield lines[above]
        above -= 1


def _modules() -> Iterator[tuple[str, str]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path.relative_to(PACKAGE).as_posix(), path.read_text(encoding="utf-8")


def test_no_function_is_long_without_a_reason() -> None:
    found = {
        (module, name): f"{module}:{line} {name} ({length} lines)"
        for module, source in _modules()
        for name, line, length in long_functions(source)
    }
    unexplained = [where for key, where in sorted(found.items()) if key not in BEING_SPLIT]
    assert not unexplained, (
        f"functions over {MAX_FUNCTION} lines: split them, or write `# long: why` beside the def\n"
        + "\n".join(unexplained)
    )
    split = sorted(f"{module} {name}" for module, name in BEING_SPLIT - found.keys())
    assert not split, "split now (or gone): remove from BEING_SPLIT\n" + "\n".join(split)


def test_no_module_is_long() -> None:
    long = [
        f"{module} ({n} lines)"
        for module, source in _modules()
        if (n := len(source.splitlines())) > MAX_MODULE
    ]
    assert not long, f"modules over {MAX_MODULE} lines: split them\n" + "\n".join(long)


def _function(lines: int, comment_above: str = "", on_def: str = "") -> str:
    body = "".join("    x = 1\n" for _ in range(lines - 1))
    return f"{comment_above}def f():{on_def}\n{body}"


def test_a_long_function_needs_its_reason_beside_the_def() -> None:
    assert list(long_functions(_function(MAX_FUNCTION))) == []
    assert list(long_functions(_function(MAX_FUNCTION + 1))) == [("f", 1, MAX_FUNCTION + 1)]
    assert list(long_functions(_function(99, comment_above="# long: drawn in order\n"))) == []
    assert list(long_functions(_function(99, on_def="  # long: written once"))) == []
    # a reason must say something, and a comment elsewhere in the module does not count
    assert list(long_functions(_function(99, on_def="  # long:")))
    assert list(long_functions("# long: far away\n\n" + _function(99)))
    two_lines = "# long: one seeded stream, drawn in order:\n# the same seed, the same file.\n"
    assert list(long_functions(_function(99, comment_above=two_lines))) == []


def test_a_decorated_function_may_carry_its_reason_above_the_decorators() -> None:
    source = "# long: a table\n@decorator\n@another(1)\n" + _function(99)
    assert list(long_functions(source)) == []
    assert list(long_functions("@decorator\n" + _function(99)))
