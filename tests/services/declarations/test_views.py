"""The declaration API's response models are read off the declaration schema, not written again."""

from __future__ import annotations

import pytest
from pydantic import BaseModel
from sqlalchemy import Table

from borderlink.model import DECLARATION
from borderlink.services.declarations import read, views
from borderlink.store.tables import declarations, goods_items


def _schema_fields(model: type[BaseModel]) -> list[str]:
    """The fields a view takes from the schema: its base's (the view's own come after)."""
    (base,) = model.__bases__
    assert issubclass(base, BaseModel)
    return [name for name in base.model_fields if name in DECLARATION.columns()]


@pytest.mark.parametrize(
    ("model", "groups"),
    [(read.DeclarationView, ("header", "transport")), (read.ItemView, ("items",))],
)
def test_a_view_has_every_field_of_its_part_in_the_schemas_order(
    model: type[BaseModel], groups: tuple[str, ...]
) -> None:
    assert _schema_fields(model) == list(DECLARATION.columns(*groups))


@pytest.mark.parametrize(
    ("model", "table"),
    [
        (read.DeclarationView, declarations),
        (read.DeclarationSummary, declarations),
        (read.ItemView, goods_items),
    ],
)
def test_a_views_schema_field_is_described_typed_and_nullable_as_declared(
    model: type[BaseModel], table: Table
) -> None:
    properties = model.model_json_schema()["properties"]
    for name in _schema_fields(model):
        field = DECLARATION.column(name)
        assert properties[name]["description"] == field.summary
        nullable = model.model_fields[name].annotation != views._PYTHON_TYPES[field.type.dtype]
        assert nullable is table.c[name].nullable, name


def test_the_store_only_columns_of_an_item_are_described_too() -> None:
    properties = read.ItemView.model_json_schema()["properties"]
    assert list(read.ItemView.model_fields)[3:4] == ["hs_code_current"]  # beside the code
    for name in ("hs_code_current", "value_reporting"):
        assert properties[name]["description"]


def test_a_reasons_message_is_redacted_like_its_words() -> None:
    from borderlink.services.declarations.redaction import redact_reasons

    reason = {
        "source": "model",
        "reason": "entity:importer",
        "text": "importer IMP-1: no earlier inspected declaration",
        "key": "entity.none",
        "params": {
            "who": {"key": "who.1", "params": {"role": {"key": "role.importer_id"}, "id": "IMP-1"}}
        },
    }
    (shown,) = redact_reasons([reason], ["IMP-1"], nominal=False)
    assert shown["text"] == "importer [redacted]: no earlier inspected declaration"
    assert shown["params"]["who"]["params"]["id"] == "[redacted]"
    elsewhere = {**reason, "text": "importer X: no earlier inspected declaration"}
    (gone,) = redact_reasons([elsewhere], ["IMP-1"], nominal=False)
    assert gone == {"source": "model", "reason": "entity:importer", "text": "[redacted]"}
