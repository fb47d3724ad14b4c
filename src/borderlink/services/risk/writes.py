"""Writing scores and profile hits back: insert if new on their natural keys, so a rerun or a
redelivery never writes a second score. Shared by the single-machine path (:mod:`.score`) and the
Spark driver (:mod:`.spark`), which store the same scored frame (one row per declaration, with
``model_score``, ``risk``, ``channel``, ``selection``, ``reasons`` as JSON text and
``profile_hits`` as a list of profile names).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, TypeAlias

import polars as pl
from sqlalchemy import Connection, Table

from borderlink.coordination import CompiledRule
from borderlink.services.coordination.routing import RouteSummary, route_scored
from borderlink.services.node import Node
from borderlink.services.risk import waiting
from borderlink.store.bulk import driver_value, insert_frame, insert_values
from borderlink.store.risk_tables import profile_hits, scores

SCORE_COLUMNS = (
    "declaration_id",
    "model_version",
    "score",
    "risk",
    "channel",
    "selection",
    "reasons",
    "scored_at",
)
HIT_COLUMNS = ("declaration_id", "profile_name", "profile_version", "hit_at")
# Below this many declarations, rows go to the store in one plain ``executemany``: building the
# frames and staging them (a temporary table and a merge on PostgreSQL) cost ~2 ms per write for
# a single score, several times the insert itself.
ROW_WRITE_LIMIT = 50


Scored: TypeAlias = pl.DataFrame | Sequence[Mapping[str, Any]]  # a frame, or a few rows as dicts


def _columns(scored: Scored, *names: str) -> list[list[Any]]:
    if isinstance(scored, pl.DataFrame):
        return [scored.get_column(n).to_list() for n in names]
    return [[row[n] for row in scored] for n in names]


def store_scores(conn: Connection, scored: Scored, version: str) -> None:
    """Each declaration's score under model ``version``, if it has none under it yet. The
    frame goes to the store as it is (``COPY`` on PostgreSQL, one ``executemany`` on SQLite):
    the reasons' JSON text is written as it is, a green row's as JSON ``null`` (as the JSON
    column writes ``None``). A few rows (dicts of the frame's columns) go as plain rows. The
    declarations' rows of ``waiting`` follow in the same transaction."""
    at = dt.datetime.now(dt.UTC)
    if not isinstance(scored, pl.DataFrame) or scored.height < ROW_WRITE_LIMIT:
        when = driver_value(conn, scores, "scored_at", at)
        columns = ("declaration_id", "model_score", "risk", "channel", "selection", "reasons")
        values = [
            (d, version, float(s), float(r), c, sel, "null" if why is None else why, when)
            for d, s, r, c, sel, why in zip(*_columns(scored, *columns), strict=True)
        ]
        insert_values(conn, scores, SCORE_COLUMNS, values, ignore_on=_key(scores))
        waiting.scored(conn, [v[0] for v in values], [v[4] for v in values])
        return
    rows = scored.select(
        pl.col("declaration_id"),
        pl.lit(version, dtype=pl.Utf8).alias("model_version"),
        pl.col("model_score").cast(pl.Float64).alias("score"),
        pl.col("risk").cast(pl.Float64),
        pl.col("channel"),
        pl.col("selection"),
        pl.col("reasons").fill_null("null"),
        pl.lit(at, dtype=pl.Datetime("us", "UTC")).alias("scored_at"),
    )
    insert_frame(conn, scores.name, rows, SCORE_COLUMNS, _key(scores))
    waiting.scored(
        conn, scored.get_column("declaration_id").to_list(), scored.get_column("channel").to_list()
    )


def store_hits(conn: Connection, scored: Scored, versions: dict[str, int]) -> None:
    """Each declaration's profile hits, at the profile's version (``versions``, 1 if unknown),
    as one long frame written in bulk (a few declarations' as plain rows)."""
    at = dt.datetime.now(dt.UTC)
    if not isinstance(scored, pl.DataFrame) or scored.height < ROW_WRITE_LIMIT:
        when = driver_value(conn, profile_hits, "hit_at", at)
        ids, hits = _columns(scored, "declaration_id", "profile_hits")
        values = [
            (d, name, versions.get(name, 1), when)
            for d, names in zip(ids, hits, strict=True)
            for name in names or ()
            if name is not None
        ]
        insert_values(conn, profile_hits, HIT_COLUMNS, values, ignore_on=_key(profile_hits))
        return
    rows = (
        scored.select("declaration_id", pl.col("profile_hits").alias("profile_name"))
        .explode("profile_name")
        .drop_nulls("profile_name")
        .select(
            "declaration_id",
            "profile_name",
            pl.col("profile_name")
            .replace_strict(versions, default=1, return_dtype=pl.Int64)
            .alias("profile_version"),
            pl.lit(at, dtype=pl.Datetime("us", "UTC")).alias("hit_at"),
        )
    )
    insert_frame(conn, profile_hits.name, rows, HIT_COLUMNS, _key(profile_hits))


def _key(table: Table) -> list[str]:
    return [c.name for c in table.primary_key.columns]


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
