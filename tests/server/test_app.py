"""The server's shape: ``server/api`` and ``server/pages`` side by side, neither importing the
other; what they share lives in ``server/`` itself."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import borderlink.server

SERVER = Path(borderlink.server.__file__).parent
SIDES = {"api": "borderlink.server.pages", "pages": "borderlink.server.api"}


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


@pytest.mark.parametrize("side", sorted(SIDES))
def test_api_and_pages_never_import_each_other(side: str) -> None:
    other = SIDES[side]
    crossing = [
        f"{path.relative_to(SERVER)} imports {name}"
        for path in sorted((SERVER / side).rglob("*.py"))
        for name in _imports(path)
        if name == other or name.startswith(other + ".")
    ]
    assert not crossing, f"move what they share into borderlink.server: {crossing}"


def test_the_check_sees_a_crossing(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text("from borderlink.server.api.auth import router\n")
    assert "borderlink.server.api.auth" in _imports(probe)
