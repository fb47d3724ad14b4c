"""Scores and profile hits written from frames in bulk store what the row-by-row inserts
stored: the same rows, values and reasons (a green row's as JSON null, not SQL NULL), and a
second write of the same flow adds nothing. A few declarations (a single score) go as plain
rows (``ROW_WRITE_LIMIT``) and store the same."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import polars as pl
import pytest
from sqlalchemy import Connection, Engine, select, text

from borderlink.services.risk import writes
from borderlink.services.risk.writes import store_hits, store_scores
from borderlink.store.bulk import insert_ignore
from borderlink.store.risk_tables import profile_hits, scores

REASONS = [
    {"source": "profile", "profile": "p1", "text": 'under "half" \\ très bon marché\n'},
    {"source": "model", "reason": "unit_value", "contribution": -0.0123, "text": "中"},
]


def _scored() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "declaration_id": ["D1", "D2", "D3", "D4"],
            "model_score": [0.9, 0.1, 0.5, 0.25],
            "risk": [0.95, 0.1, 0.6, 0.25],
            "channel": ["red", "green", "yellow", "green"],
            "selection": ["profile", "none", "risk", "none"],
            "reasons": [json.dumps(REASONS, ensure_ascii=False), None, "[]", None],
            "profile_hits": [["p1", "p2"], [], None, ["p3"]],
        },
        schema_overrides={"profile_hits": pl.List(pl.Utf8)},
    )


def _old_store(conn: Connection, scored: pl.DataFrame, version: str, v: dict[str, int]) -> None:
    """The row-by-row writes these replaced."""
    now = dt.datetime.now(dt.UTC)
    rows: list[dict[str, Any]] = [
        {
            "declaration_id": r["declaration_id"],
            "model_version": version,
            "score": float(r["model_score"]),
            "risk": float(r["risk"]),
            "channel": r["channel"],
            "selection": r["selection"],
            "reasons": json.loads(r["reasons"]) if r["reasons"] else None,
            "scored_at": now,
        }
        for r in scored.iter_rows(named=True)
    ]
    insert_ignore(conn, scores, rows)
    hits = [
        {"declaration_id": d, "profile_name": n, "profile_version": v.get(n, 1), "hit_at": now}
        for d, names in zip(scored["declaration_id"], scored["profile_hits"].to_list(), strict=True)
        for n in names or []
    ]
    insert_ignore(conn, profile_hits, hits)


def _stored(conn: Connection, version: str) -> tuple[list[Any], list[Any], int]:
    got = conn.execute(
        select(*(c for c in scores.c if c.name != "scored_at"))
        .where(scores.c.model_version == version)
        .order_by(scores.c.declaration_id)
    ).all()
    hits = conn.execute(
        select(profile_hits.c.declaration_id, profile_hits.c.profile_name)
        .add_columns(profile_hits.c.profile_version, profile_hits.c.hit_at.is_not(None))
        .order_by(profile_hits.c.declaration_id, profile_hits.c.profile_name)
    ).all()
    sql_null = conn.execute(
        text("SELECT count(*) FROM scores WHERE reasons IS NULL AND model_version = :v"),
        {"v": version},
    ).scalar_one()
    return [tuple(r) for r in got], [tuple(r) for r in hits], int(sql_null)


@pytest.mark.parametrize("as_rows", [True, False], ids=["plain-rows", "frame"])
def test_bulk_writes_store_what_row_by_row_inserts_stored(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, as_rows: bool
) -> None:
    monkeypatch.setattr(writes, "ROW_WRITE_LIMIT", 50 if as_rows else 0)
    scored, versions = _scored(), {"p1": 3, "p2": 1}
    with engine.begin() as conn:
        _old_store(conn, scored, "old", versions)
        old = _stored(conn, "old")
        conn.execute(profile_hits.delete())
        store_scores(conn, scored, "new")
        store_hits(conn, scored, versions)
        new = _stored(conn, "new")
        store_scores(conn, scored.with_columns(pl.lit(0.0).alias("risk")), "new")  # again
        store_hits(conn, scored, versions)
        again = _stored(conn, "new")
        stamped = conn.execute(
            select(scores.c.scored_at).where(scores.c.model_version == "new")
        ).scalars()
        assert all(isinstance(t, dt.datetime) for t in stamped)
    assert [r[0] for r in new[0]] == ["D1", "D2", "D3", "D4"]
    assert [r[:1] + r[2:] for r in new[0]] == [r[:1] + r[2:] for r in old[0]]
    assert new[0][0][6] == REASONS
    assert new[0][1][6] is None
    assert new[0][2][6] == []
    assert (
        new[1]
        == old[1]
        == [
            ("D1", "p1", 3, True),
            ("D1", "p2", 1, True),
            ("D4", "p3", 1, True),
        ]
    )
    assert new[2] == old[2] == 0  # green rows hold JSON null, as before
    assert again == new
