"""Declarations as the customs management system would publish them: wco-json, one a message."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import polars as pl


def wco_json(row: dict[str, Any]) -> dict[str, Any]:
    """One synthetic flat row (``tests.risk.synthetic``) as a wco-json declaration."""
    day = row["declared_on"]
    return {
        "id": row["declaration_id"],
        "type": "IM",
        "date": day.isoformat() if isinstance(day, dt.date) else day,
        "office": row["office_id"],
        "procedure": row["procedure"],
        "import_type": row["import_type"],
        "import_use": row["import_use"],
        "payment_type": row["payment_type"],
        "transport": {"mode": row["transport_mode"], "departure_country": row["departure_country"]},
        "parties": [
            {"role": "importer", "id": row["importer_id"]},
            {"role": "exporter", "id": row["exporter_id"]},
            {"role": "declarant", "id": row["declarant_id"]},
        ],
        "items": [
            {
                "item_no": 1,
                "hs_code": row["hs_code"],
                "origin_country": row["origin_country"],
                "net_mass_kg": round(float(row["net_mass_kg"]), 3),
                "value": round(float(row["value"]), 2),
                "currency": row["currency"],
            }
        ],
    }


def bodies(frame: pl.DataFrame) -> list[bytes]:
    return [json.dumps(wco_json(row)).encode() for row in frame.iter_rows(named=True)]
