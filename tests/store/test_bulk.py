"""Bulk writes on SQLite and PostgreSQL: insert, idempotent re-insert, conflict update, chunking,
empty input, and the other helpers the ingest path relies on."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from sqlalchemy import Engine, select

from borderlink.store import bulk
from borderlink.store.tables import exchange_rates, hs_correlations, locations

DAY = dt.date(2026, 1, 1)


def _rates(*rows: tuple[str, float]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "currency": [c for c, _ in rows],
            "quote_currency": ["EUR"] * len(rows),
            "valid_from": [DAY] * len(rows),
            "rate": [r for _, r in rows],
        }
    )


def _stored_rates(engine: Engine) -> dict[str, float]:
    with engine.connect() as conn:
        rows = conn.execute(select(exchange_rates.c.currency, exchange_rates.c.rate)).all()
    return {currency: rate for currency, rate in rows}


def _locations(n: int) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "code": [f"XX{i:03d}" for i in range(n)],
            "country": ["XX"] * n,
            "name": [f"Place {i}" for i in range(n)],
            "subdivision": [None] * n,
            "functions": ["1-------"] * n,
            "status": ["AI"] * n,
            "coordinates": [None] * n,
        },
        schema_overrides={"subdivision": pl.String, "coordinates": pl.String},
    )


def test_upsert_inserts_new_rows(engine: Engine) -> None:
    with engine.begin() as conn:
        assert bulk.upsert(conn, exchange_rates, _rates(("USD", 0.9), ("GBP", 1.2))) == 2
    assert _stored_rates(engine) == {"USD": 0.9, "GBP": 1.2}


def test_upsert_again_changes_nothing(engine: Engine) -> None:
    frame = _rates(("USD", 0.9), ("GBP", 1.2))
    with engine.begin() as conn:
        bulk.upsert(conn, exchange_rates, frame)
    with engine.begin() as conn:
        assert bulk.upsert(conn, exchange_rates, frame) == 0
    assert _stored_rates(engine) == {"USD": 0.9, "GBP": 1.2}


def test_upsert_updates_the_row_of_the_same_key_when_a_value_differs(engine: Engine) -> None:
    with engine.begin() as conn:
        bulk.upsert(conn, exchange_rates, _rates(("USD", 0.9), ("GBP", 1.2)))
    with engine.begin() as conn:
        # One changed, one the same, one new: two rows written.
        assert (
            bulk.upsert(conn, exchange_rates, _rates(("USD", 0.95), ("GBP", 1.2), ("JPY", 0.006)))
            == 2
        )
    assert _stored_rates(engine) == {"USD": 0.95, "GBP": 1.2, "JPY": 0.006}


def test_a_null_in_a_keep_when_null_column_keeps_the_stored_value(engine: Engine) -> None:
    key = {"from_edition": ["HS2022"], "from_code": ["010121"], "to_edition": ["HS2017"]}

    def frame(relationship: str | None) -> pl.DataFrame:
        return pl.DataFrame(
            {**key, "to_code": ["010121"], "relationship": [relationship]},
            schema_overrides={"relationship": pl.String},
        )

    with engine.begin() as conn:
        bulk.upsert(conn, hs_correlations, frame("1:1"), keep_when_null=["relationship"])
        assert bulk.upsert(conn, hs_correlations, frame(None), keep_when_null=["relationship"]) == 0
        assert (
            bulk.upsert(conn, hs_correlations, frame("n:1"), keep_when_null=["relationship"]) == 1
        )
        stored = conn.execute(select(hs_correlations.c.relationship)).scalar_one()
    assert stored == "n:1"


def test_upsert_stages_in_chunks_and_writes_every_row(engine: Engine) -> None:
    frame = _locations(25)
    with engine.begin() as conn:
        assert bulk.upsert(conn, locations, frame, chunk_rows=7) == 25
        # A changed name in the last (short) chunk only.
        changed = frame.with_columns(
            pl.when(pl.col("code") == "XX024")
            .then(pl.lit("Renamed"))
            .otherwise("name")
            .alias("name")
        )
        assert bulk.upsert(conn, locations, changed, chunk_rows=7) == 1
        names = dict(conn.execute(select(locations.c.code, locations.c.name)).all())
    assert len(names) == 25
    assert names["XX024"] == "Renamed"
    assert names["XX000"] == "Place 0"


def test_upsert_refuses_a_chunk_size_below_one(engine: Engine) -> None:
    with engine.begin() as conn, pytest.raises(ValueError, match="chunk_rows"):
        bulk.upsert(conn, exchange_rates, _rates(("USD", 0.9)), chunk_rows=0)


def test_empty_input_writes_nothing(engine: Engine) -> None:
    empty = _rates()
    with engine.begin() as conn:
        assert bulk.upsert(conn, exchange_rates, empty) == 0
        assert bulk.insert_frame(conn, "exchange_rates", empty, empty.columns, ["currency"]) == 0
        bulk.insert_ignore(conn, exchange_rates, [])
    assert _stored_rates(engine) == {}


def test_insert_frame_inserts_only_new_keys(engine: Engine) -> None:
    columns = ["currency", "quote_currency", "valid_from", "rate"]
    key = ["currency", "quote_currency", "valid_from"]
    with engine.begin() as conn:
        assert bulk.insert_frame(conn, "exchange_rates", _rates(("USD", 0.9)), columns, key) == 1
        again = _rates(("USD", 0.5), ("GBP", 1.2))
        assert bulk.insert_frame(conn, "exchange_rates", again, columns, key) == 1
    assert _stored_rates(engine) == {"USD": 0.9, "GBP": 1.2}  # the stored USD rate is kept


def test_insert_ignore_skips_rows_whose_key_is_taken(engine: Engine) -> None:
    rows = [
        {"currency": "USD", "quote_currency": "EUR", "valid_from": DAY, "rate": 0.9},
        {"currency": "USD", "quote_currency": "EUR", "valid_from": DAY, "rate": 0.1},
    ]
    with engine.begin() as conn:
        bulk.insert_ignore(conn, exchange_rates, rows[:1])
        bulk.insert_ignore(conn, exchange_rates, rows[1:])
    assert _stored_rates(engine) == {"USD": 0.9}


def test_compare_tells_duplicates_from_conflicts(engine: Engine) -> None:
    columns = ["code", "country", "name"]
    with engine.begin() as conn:
        bulk.insert_frame(conn, "locations", _locations(3).select(columns), columns, ["code"])
        incoming = pl.DataFrame(
            {
                "code": ["XX000", "XX001", "XX009"],
                "country": ["XX"] * 3,
                "name": ["Place 0", "Other", "New"],
            }
        )
        staged = bulk.stage(conn, "locations", incoming, columns)
        same, conflicts = bulk.compare(conn, staged, "locations", ["code"], "name")
    assert same == 1
    assert conflicts["code"].to_list() == ["XX001"]
