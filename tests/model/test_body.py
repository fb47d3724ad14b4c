"""The body model: generated from the schema, documenting it, passing every value on as sent."""

from __future__ import annotations

from typing import Any

from borderlink.model import DECLARATION, DeclarationIn, as_sent


def test_the_json_schema_has_every_field_described_and_the_example() -> None:
    schema = DeclarationIn.model_json_schema()
    assert schema["required"] == ["id", "date"]
    assert schema["examples"] == [DECLARATION.example()]
    header = {f.key for f in DECLARATION.group("header")}
    assert header | {"transport", "parties", "items", "outcome", "documents"} == set(
        schema["properties"]
    )
    item = schema["properties"]["items"]["items"]
    assert item["required"] == ["hs_code"]
    hs = item["properties"]["hs_code"]
    assert hs["pattern"] == r"^\d{6}(\d{2}|\d{4})?$"
    assert "6, 8 or 10 digits" in hs["description"]
    assert "WCO DM 145" in hs["description"]
    assert item["properties"]["net_mass_kg"] == item["properties"]["net_mass_kg"] | {
        "type": "number",
        "minimum": 0,
    }
    roles = schema["properties"]["parties"]["items"]["properties"]["role"]["enum"]
    assert roles == ["declarant", "importer", "exporter", "carrier"]


def test_what_was_sent_comes_back_out_unchanged() -> None:
    sent: dict[str, Any] = {
        "id": 17,  # not text: ingest will judge it, not the body
        "date": "not a date",
        "items": "not a list",
        "transport": ["not", "an", "object"],
        "parties": [{"role": "importer", "id": "IMP1", "vat": "x"}],
        "custom": {"kept": True},
    }
    assert as_sent(DeclarationIn.model_validate(sent)) == sent
    assert as_sent({"plain": "json"}) == {"plain": "json"}
