"""The text limits ingest checks, read from the store's tables: `ingest` never opens `store`."""

from __future__ import annotations

from functools import cache

from borderlink.ingest.columns import INPUT
from borderlink.store.tables import declarations, goods_items


@cache
def text_limits() -> dict[str, int]:
    """Text limits from the tables, so a long value is refused by ingest, not by PostgreSQL
    mid-batch; columns kept outside those tables get their own."""
    limits: dict[str, int] = {}
    for table in (declarations, goods_items):
        for column in table.columns:
            length = getattr(column.type, "length", None)
            if length and column.name in INPUT:
                limits[column.name] = length
    limits["exporter_country"] = 2
    limits["importer_name"] = limits["exporter_name"] = 10_000
    return limits
