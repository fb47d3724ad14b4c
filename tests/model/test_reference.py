"""The reference document lists every field and every value type."""

from __future__ import annotations

from borderlink.model import DECLARATION, reference, registry


def test_every_field_and_type_is_in_the_reference() -> None:
    text = reference()
    for f in DECLARATION.fields(flat=False):
        assert f"| `{f.key}` |" in text
    for column in DECLARATION.columns():
        assert f"`{column}`" in text
    for kind in registry:
        assert f"| {kind.name} |" in text
    assert "## importer (`parties[]` with `role`)" in text
