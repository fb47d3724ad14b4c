"""The CUSDEC reader (UN/EDIFACT, through pydifact): a sample interchange made from the node's
own synthetic declaration shapes, and what it refuses."""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl

from borderlink.ingest.cusdec import CUSDEC
from borderlink.ingest.readers import reader

SAMPLE = Path(__file__).parent / "data" / "cusdec-sample.edi"


def rows(source: Path | io.BytesIO) -> pl.DataFrame:
    return pl.concat(list(CUSDEC.read(source, 1000)), how="diagonal_relaxed")


def test_the_sample_is_read_as_its_segments_say() -> None:
    assert reader("cusdec") is CUSDEC  # registered like the built-in readers
    found = rows(SAMPLE)
    good = found.filter(pl.col("declaration_id") == "D-EDI-0001", pl.col("_error").is_null())
    assert good["item_no"].to_list() == ["1", "2"]
    first = good.row(0, named=True)
    assert (first["declaration_type"], first["declared_on"], first["office_id"]) == (
        "IM",
        "2026-11-20",
        "OFA",
    )
    assert (first["importer_id"], first["importer_name"], first["exporter_country"]) == (
        "IMP-1",
        "Acme Imports Ltd",
        "CN",
    )
    assert (first["declarant_id"], first["conveyance"], first["transport_mode"]) == (
        "IMP-1",
        "MSCSUPERGUN",
        "1",
    )
    assert (first["loading_location"], first["discharge_location"]) == ("CNSHA", "NLRTM")
    assert (first["hs_code"], first["origin_country"], first["net_mass_kg"]) == (
        "851762",
        "CN",
        "12.5",
    )
    assert (first["quantity"], first["quantity_unit"]) == ("10", "PCE")
    assert '"national_code":"00"' in first["_wco"]  # the national digits kept
    second = good.row(1, named=True)
    assert second["description"] == "wooden bedroom furniture: oak"  # ?: is an escaped colon
    assert (second["value"], second["currency"]) == ("2400.50", "USD")


def test_what_is_not_a_declaration_is_refused_naming_the_message() -> None:
    errors = rows(SAMPLE).filter(pl.col("_error").is_not_null())["_error"].to_list()
    assert errors == [
        "cusdec-sample.edi, message 2: UNH: 'CUSRES' is not a CUSDEC message",
        "cusdec-sample.edi, message 3 (D-EDI-0002): CST (goods item): the message has no goods "
        "item",
    ]
    cut = io.BytesIO(b"UNA:+.? 'UNH+1+CUSDEC:D:96B:UN'BGM+929+X+9'")
    assert "cut short" in rows(cut)["_error"][0]
    assert "not an EDIFACT" in rows(io.BytesIO(b"id,date\n1,2026-01-01\n"))["_error"][0]


def test_an_amendment_message_amends_the_declaration_it_names() -> None:
    text = "UNA:+.? 'UNH+1+CUSDEC:D:96B:UN'BGM+929+D-EDI-0001+5'UNT+3+1'"
    found = rows(io.BytesIO(text.encode())).row(0, named=True)
    assert (found["_amends"], found["_amendment"]) == ("D-EDI-0001", "COR")
