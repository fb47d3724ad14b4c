"""The declaration layout as a reference document (Markdown), generated from the schema."""

from __future__ import annotations

from borderlink.model.schema import Field, Schema
from borderlink.model.types import registry


def _row(f: Field) -> str:
    limits = []
    if f.max_length is not None:
        limits.append(f"≤ {f.max_length} chars")
    if f.minimum is not None:
        limits.append(f"≥ {f.minimum:g}")
    if f.maximum is not None:
        limits.append(f"≤ {f.maximum:g}")
    column = f"`{f.name}`" if f.flat else "(not stored)"
    cells = [
        f"`{f.key}`",
        column,
        f.type.name,
        "yes" if f.required else "",
        ", ".join(limits),
        f.wco or "",
        f.description.replace("|", "\\|"),
    ]
    return "| " + " | ".join(cells) + " |"


def reference(schema: Schema | None = None) -> str:
    """Every group and field of ``schema`` (the declaration by default), then every value type."""
    from borderlink.model.declaration import DECLARATION

    schema = schema or DECLARATION
    lines = [f"# The {schema.name} layout", "", schema.description, ""]
    for group in schema.groups:
        where = "`parties[]` with `role`" if group.party else f"`{group.name}`"
        if group is schema.groups[0]:
            where = "top level"
        lines += [f"## {group.name} ({where})", "", group.description, ""]
        lines += [
            "| key | flat column | type | required | limits | WCO DM | description |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        lines += [_row(f) for f in group.fields]
        lines.append("")
    lines += ["## Value types", "", "| type | rule | refused as |", "| --- | --- | --- |"]
    lines += [f"| {t.name} | {t.description} | `{t.reason}` |" for t in registry]
    return "\n".join(lines) + "\n"
