"""Writing scores and profile hits back: insert if new on their natural keys, so a rerun or a
redelivery never writes a second score. Shared by the single-machine path (:mod:`.score`) and the
Spark driver (:mod:`.spark`), which store the same scored frame (one row per declaration, with
``model_score``, ``risk``, ``channel``, ``selection``, ``reasons`` as JSON text and
``profile_hits`` as a list of profile names).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

import polars as pl
from sqlalchemy import Connection

from borderlink.coordination import CompiledRule
from borderlink.services.coordination.routing import RouteSummary, route_scored
from borderlink.services.node import Node
from borderlink.store.bulk import insert_ignore
from borderlink.store.risk_tables import profile_hits, scores


def store_scores(conn: Connection, scored: pl.DataFrame, version: str) -> None:
    """Each declaration's score under model ``version``, if it has none under it yet."""
    now = dt.datetime.now(dt.UTC)
    rows = [
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


def store_hits(conn: Connection, scored: pl.DataFrame, versions: dict[str, int]) -> None:
    """Each declaration's profile hits, at the profile's version (``versions``, 1 if unknown)."""
    now = dt.datetime.now(dt.UTC)
    rows = [
        {
            "declaration_id": decl,
            "profile_name": name,
            "profile_version": versions.get(name, 1),
            "hit_at": now,
        }
        for decl, hits in zip(
            scored["declaration_id"].to_list(), scored["profile_hits"].to_list(), strict=True
        )
        for name in hits or []
    ]
    insert_ignore(conn, profile_hits, rows)


def store_flow(
    node: Node,
    out: pl.DataFrame,
    items: pl.DataFrame | None,
    version: str,
    versions: dict[str, int],
    rules: Sequence[CompiledRule],
    actor: str,
) -> RouteSummary:
    """One scored flow's scores and profile hits stored, and (with its items) routed by the
    agency ``rules``, in one transaction; the routing's figures."""
    with node.transaction() as conn:
        store_scores(conn, out, version)
        store_hits(conn, out, versions)
        if items is None:
            return RouteSummary()
        return route_scored(conn, items, out, rules, actor=actor).figures_only()
