"""Declarations for tests: a good row in our flat layout, and a writer of small CSV files."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

Row = dict[str, str]

GOOD: Row = {
    "declaration_id": "D1",
    "declared_on": "2024-03-01",
    "office_id": "OF1",
    "importer_id": "IMP1",
    "exporter_id": "EXP1",
    "declarant_id": "DCL1",
    "departure_country": "CN",
    "item_no": "1",
    "hs_code": "851713",
    "origin_country": "CN",
    "net_mass_kg": "12.5",
    "value": "1000",
    "currency": "USD",
    "quantity": "10",
    "quantity_unit": "NAR",
    "illicit": "0",
}


def good(**changes: str) -> Row:
    return GOOD | changes


def csv_writer(tmp_path: Path) -> Callable[..., Path]:
    counter = iter(range(1_000_000))

    def write(rows: list[Row], name: str | None = None) -> Path:
        path = tmp_path / (name or f"file{next(counter)}.csv")
        columns = list(dict.fromkeys(key for row in rows for key in row))
        with path.open("w", newline="", encoding="utf-8") as stream:
            writer = csv.DictWriter(stream, fieldnames=columns)
            writer.writeheader()
            writer.writerows(rows)
        return path

    return write
