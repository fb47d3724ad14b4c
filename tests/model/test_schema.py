"""The schema's building blocks: fields, groups, a schema and its example."""

from __future__ import annotations

import pytest

from borderlink.model import Field, Group, Schema, registry


def _schema() -> Schema:
    head = Group(
        "header",
        "top",
        (
            Field(
                "id",
                registry.identifier,
                "Ref",
                column="ref",
                required=True,
                max_length=8,
                example="R1",
            ),
        ),
    )
    items = Group(
        "items",
        "lines",
        (Field("code", registry.hs_code, "Code", example="851713"),),
        many=True,
        level="item",
    )
    party = Group(
        "buyer",
        "who buys",
        (Field("id", registry.identifier, "Id", column="buyer_id", example="B1"),),
        party=True,
    )
    return Schema("order", "An order", (head, party, items))  # fmt: skip


def test_columns_and_lookups() -> None:
    schema = _schema()
    assert schema.columns() == ("ref", "buyer_id", "code")
    assert schema.columns("items") == ("code",)
    assert schema.column("ref").key == "id"
    assert schema.group("items").get("code").type is registry.hs_code
    with pytest.raises(KeyError):
        schema.group("items").get("nope")


def test_the_example_is_nested_like_the_wco_json_layout() -> None:
    assert _schema().example() == {
        "id": "R1",
        "parties": [{"role": "buyer", "id": "B1"}],
        "items": [{"code": "851713"}],
    }


def test_a_column_declared_twice_is_refused() -> None:
    twice = Group("g", "g", (Field("a", registry.text, "A"), Field("b", registry.text, "B",
                                                                  column="a")))  # fmt: skip
    with pytest.raises(ValueError, match="declared twice"):
        Schema("s", "s", (twice,))


def test_a_summary_says_the_rule_and_the_wco_element() -> None:
    f = Field("hs_code", registry.hs_code, "Commodity code", wco="145")
    assert f.summary == f"Commodity code. {registry.hs_code.description}. WCO DM 145."
