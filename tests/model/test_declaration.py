"""The declaration schema: the flat layout it gives, its lengths, its example."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from sqlalchemy import String, Table

from borderlink.ingest import columns, load_mapping, prepare
from borderlink.ingest.readers import flatten_declaration
from borderlink.model import DECLARATION, PARTIES, PartyRole
from borderlink.refdata import builtin
from borderlink.store.tables import declarations, goods_items, parties

# The flat layout as it was before it was derived: its order is part of every row's hash.
FLAT = (
    "declaration_id", "declaration_type", "declared_on", "office_id", "procedure", "import_type",
    "import_use", "payment_type", "transport_mode", "conveyance", "departure_country",
    "loading_location", "discharge_location", "declarant_id", "importer_id", "exporter_id",
    "carrier_id", "item_no", "hs_code", "hs_edition", "description", "origin_country",
    "origin_marking", "net_mass_kg", "quantity", "quantity_unit", "value", "currency",
    "duty_rate", "duty_type", "aeo", "illicit", "severity", "revenue_recovered",
    "importer_name", "exporter_name", "exporter_country",
)  # fmt: skip


def test_the_flat_layout_is_unchanged_column_for_column() -> None:
    assert columns.INPUT == FLAT
    assert columns.REQUIRED == ("declaration_id", "declared_on", "item_no", "hs_code")
    assert columns.FLOATS == ("net_mass_kg", "quantity", "value", "duty_rate", "revenue_recovered")
    assert columns.INTEGERS == ("item_no", "severity")
    assert columns.BOOLEANS == ("aeo", "illicit")
    assert columns.COUNTRIES == ("departure_country", "origin_country", "exporter_country")
    assert columns.DTYPES["declared_on"] == pl.Date


def test_every_part_is_there_with_its_fields_described() -> None:
    names = [g.name for g in DECLARATION.groups]
    assert names == [
        "header", "transport", "declarant", "importer", "exporter", "carrier", "items",
        "outcome", "documents",
    ]  # fmt: skip
    assert [p.name for p in PARTIES] == [r.value for r in PartyRole]
    for party in PARTIES:
        assert [f.key for f in party] == ["id", "name", "country", "aeo"]
    for f in DECLARATION.fields(flat=False):
        assert f.description, f


@pytest.mark.parametrize("table", [declarations, goods_items], ids=lambda t: t.name)
def test_the_store_takes_its_widths_from_the_schema(table: Table) -> None:
    for column in table.columns:
        if column.name in columns.FIELDS and isinstance(column.type, String):
            expected = columns.FIELDS[column.name].max_length
            assert column.type.length == expected, column.name
    party_id = parties.c.party_id.type
    assert isinstance(party_id, String)
    assert party_id.length == DECLARATION.length("importer_id")


def test_a_length_is_asked_only_of_a_field_that_has_one() -> None:
    assert DECLARATION.length("hs_code") == 10
    with pytest.raises(KeyError):
        DECLARATION.length("description")
    with pytest.raises(KeyError):
        DECLARATION.column("no_such_column")


def test_the_documented_example_is_accepted_by_ingest() -> None:
    [row] = flatten_declaration(DECLARATION.example())  # as the wco-json reader reads it
    raw = pl.DataFrame(
        [{"_record_no": 1, **row}],
        schema={"_record_no": pl.Int64} | {c: pl.String for c in columns.INPUT},
    )
    prepared = prepare(raw, load_mapping("borderlink"), builtin(), today=dt.date(2025, 1, 1))
    assert not prepared.rejects, prepared.rejects
    assert prepared.accepted["declaration_id"].to_list() == ["D2024-000001"]
