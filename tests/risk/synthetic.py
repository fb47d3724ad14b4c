"""Small synthetic declarations in canonical columns, with planted risk, for the risk tests.

Illicit is likelier for a few "bad" importers, for undervalued items (unit value far below the
usual for the HS code) and for goods shipped through a third country.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
from sqlalchemy import Engine, insert

from borderlink.store import declaration_writes
from borderlink.store.tables import declarations as declarations_table
from borderlink.store.tables import goods_items, outcomes

HS = ["851713", "851762", "620822", "940350", "071080", "220429", "440890", "690722"]
COUNTRIES = ["CN", "VN", "DE", "US", "IT", "BE", "SG", "TH"]


def declarations(
    n: int, *, seed: int = 0, start: dt.date = dt.date(2020, 1, 1), days: int = 360
) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    importers = np.array([f"IMP{i:04d}" for i in range(150)])
    bad = set(importers[:8])
    imp = rng.choice(importers, n)
    hs = rng.choice(HS, n)
    origin = rng.choice(COUNTRIES, n)
    transit = rng.random(n) < 0.15
    departure = np.where(transit, rng.choice(COUNTRIES, n), origin)
    base_uv = {h: 5.0 * (i + 1) for i, h in enumerate(HS)}
    under = rng.random(n) < 0.1
    uv = np.array([base_uv[h] for h in hs]) * np.exp(rng.normal(0, 0.3, n))
    uv = np.where(under, uv * 0.2, uv)
    mass = np.exp(rng.normal(4, 1, n))
    logit = -2.5 + 3.5 * np.isin(imp, list(bad)) + 3.0 * under + 1.2 * (departure != origin)
    illicit = rng.random(n) < 1 / (1 + np.exp(-logit))
    day = rng.integers(0, days, n)
    return pl.DataFrame(
        {
            "declaration_id": [f"D{seed}-{i:07d}" for i in range(n)],
            "declared_on": [start + dt.timedelta(days=int(d)) for d in day],
            "office_id": rng.choice(["10", "20", "30"], n),
            "procedure": "B",
            "import_type": rng.choice(["11", "80"], n),
            "import_use": "21",
            "payment_type": rng.choice(["11", "43"], n),
            "transport_mode": rng.choice(["10", "40"], n),
            "departure_country": departure,
            "declarant_id": rng.choice([f"DCL{i}" for i in range(30)], n),
            "importer_id": imp,
            "exporter_id": rng.choice([f"EXP{i}" for i in range(200)], n),
            "carrier_id": None,
            "item_no": 1,
            "hs_code": hs,
            "hs_code_current": hs,
            "origin_country": origin,
            "net_mass_kg": mass,
            "value": mass * uv,
            "currency": "USD",
            "duty_rate": rng.choice([0.0, 5.0, 8.0], n),
            "duty_type": "A",
            "origin_marking": "Y",
            "flags": np.where(rng.random(n) < 0.03, "hs_older_edition", ""),
            "illicit": illicit,
            "severity": illicit.astype(np.int64),
        }
    ).sort("declared_on")


def store(engine: Engine, frame: pl.DataFrame, *, with_outcomes: bool = True) -> None:
    """Write declarations (and their outcomes) straight into the tables."""
    now = dt.datetime.now(dt.UTC)
    decl_cols = [c.name for c in declarations_table.c if c.name in frame.columns]
    item_cols = [c.name for c in goods_items.c if c.name in frame.columns]
    rows = frame.to_dicts()
    with engine.begin() as conn:
        declaration_writes.insert_rows(
            conn,
            [
                {**{c: r[c] for c in decl_cols}, "declaration_type": "IM", "created_at": now}
                for r in rows
            ],
            [
                {**{c: r[c] for c in item_cols}, "hs_edition": "HS2022", "row_hash": "x"}
                for r in rows
            ],
        )
        if with_outcomes:
            conn.execute(
                insert(outcomes),
                [
                    {
                        "declaration_id": r["declaration_id"],
                        "illicit": r["illicit"],
                        "severity": r["severity"],
                        "source": "test",
                        "recorded_at": now,
                    }
                    for r in rows
                ],
            )
