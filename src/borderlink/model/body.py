"""Pydantic models of the nested declaration (``wco-json``), generated from the schema.

They document the layout (OpenAPI shows every field with its description, rule and an example)
but judge nothing inside a declaration: any value of any field, and a part that is not an
object, comes through as sent, so that ingest rejects the declarations that are wrong one by
one, with a record, a field and a reason, while the rest of the batch goes on. Keys the schema
does not know are kept too (a reader ignores them), as they always were.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    WithJsonSchema,
    create_model,
)

from borderlink.model.declaration import DECLARATION, PARTIES, PartyRole
from borderlink.model.schema import Field, Group


def _json_schema(f: Field) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": f.type.json_type, "description": f.summary}
    if f.max_length is not None:
        schema["maxLength"] = f.max_length
    if f.minimum is not None:
        schema["minimum"] = f.minimum
    if f.maximum is not None:
        schema["maximum"] = f.maximum
    if f.type.pattern and f.type.json_type == "string":
        schema["pattern"] = f.type.pattern
    if f.default is not None:
        schema["default"] = f.default
    if f.example is not None:
        schema["examples"] = [f.example]
    return schema


def _field(f: Field) -> Any:
    return (Annotated[Any, WithJsonSchema(_json_schema(f))], None)


def _required(group: Group) -> list[str]:
    # A goods item's number is its position when omitted: required in the flat layout only.
    return [f.key for f in group.fields if f.required and f.key != "item_no"]


def _config(group: Group, **schema_extra: Any) -> ConfigDict:
    required = _required(group)
    if required:
        schema_extra["required"] = required
    return ConfigDict(extra="allow", json_schema_extra=schema_extra or None)


def _model(name: str, group: Group, extra: dict[str, Any] | None = None) -> type[BaseModel]:
    fields: dict[str, Any] = {f.key: _field(f) for f in group.fields}
    return create_model(
        name, __config__=_config(group), __doc__=group.description, **fields, **(extra or {})
    )


def _part(model: type[BaseModel], many: bool, description: str) -> Any:
    """A nested part: documented as ``model`` (or a list of them), taken as sent.

    Inlined rather than validated into ``model``: a part that is not an object must reach
    ingest as it is, and so must come back out of the body unchanged.
    """
    schema = model.model_json_schema()
    if many:
        schema = {"type": "array", "items": schema}
    schema["description"] = description
    return (Annotated[Any, WithJsonSchema(schema)], None)


def _party_model() -> type[BaseModel]:
    # Every role has the same keys; the first role's fields describe them all.
    role = (Annotated[Any, WithJsonSchema({"enum": [r.value for r in PartyRole]})], None)
    return _model("PartyIn", PARTIES[0], {"role": role})


def _declaration_model() -> type[BaseModel]:
    header, transport = DECLARATION.group("header"), DECLARATION.group("transport")
    roles = ", ".join(f"{p.name} ({p.description.rstrip('.').lower()})" for p in PARTIES)
    parts: dict[str, Any] = {
        "transport": _part(_model("TransportIn", transport), False, transport.description),
        "parties": _part(_party_model(), True, f"The parties, each with its role: {roles}."),
    }
    for name, model_name in (
        ("items", "GoodsItemIn"),
        ("outcome", "DeclaredOutcome"),
        ("documents", "DocumentIn"),
    ):
        group = DECLARATION.group(name)
        parts[name] = _part(_model(model_name, group), group.many, group.description)
    config = _config(header, examples=[DECLARATION.example()])
    fields: dict[str, Any] = {f.key: _field(f) for f in header.fields}
    return create_model(
        "DeclarationIn", __config__=config, __doc__=DECLARATION.description, **fields, **parts
    )


if TYPE_CHECKING:
    DeclarationIn = BaseModel
else:
    DeclarationIn = _declaration_model()


def as_sent(declaration: object) -> object:
    """A submitted declaration as plain JSON data, exactly the keys and values that were sent."""
    if isinstance(declaration, BaseModel):
        return declaration.model_dump(mode="json", exclude_unset=True)
    return declaration
