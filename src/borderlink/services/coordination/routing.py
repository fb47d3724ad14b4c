"""Routing declarations to other border agencies: the active rules over stored declarations.

:func:`route_frame` is what scoring calls inside its own transaction (scoring a batch, scoring
one declaration, a submission), with the items it already holds; :func:`route_declarations`
reads the store a day at a time (``borderlink referrals route``). Both are idempotent: a
declaration is referred to an agency once, whatever the number of runs; a rule added later
refers declarations routed before to its agency on the next run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import polars as pl
from sqlalchemy import Connection, select
from sqlalchemy.dialects import postgresql, sqlite

from borderlink import coordination
from borderlink.coordination import CompiledRule
from borderlink.model.referral import ReferralStatus
from borderlink.services.accounts import audit
from borderlink.services.accounts.access import Permission, Principal, require
from borderlink.services.coordination.agency_rules import active_rules
from borderlink.services.node import Node
from borderlink.services.risk._store import read_items
from borderlink.store.coordination_tables import referrals
from borderlink.store.risk_tables import scores
from borderlink.store.tables import declarations

CHUNK = 1000  # declaration ids per IN (...) lookup


@dataclass(frozen=True)
class RouteSummary:
    declarations: int = 0  # declarations the rules were evaluated on
    referred: int = 0  # referrals created by this run
    already: int = 0  # (declaration, agency) pairs referred before
    agencies: dict[str, int] = field(default_factory=dict)  # created now, per agency
    created: frozenset[tuple[str, str]] = field(default=frozenset(), repr=False)  # (decl, agency)

    def __add__(self, other: RouteSummary) -> RouteSummary:
        agencies = dict(self.agencies)
        for agency, n in other.agencies.items():
            agencies[agency] = agencies.get(agency, 0) + n
        return RouteSummary(
            self.declarations + other.declarations,
            self.referred + other.referred,
            self.already + other.already,
            agencies,
            self.created | other.created,
        )

    def figures_only(self) -> RouteSummary:
        """The same counts without the pairs created (to add up many runs in little memory)."""
        return replace(self, created=frozenset())

    def figures(self) -> dict[str, Any]:
        """The counts, for a report (without the pairs created)."""
        return {
            "declarations": self.declarations,
            "referred": self.referred,
            "already": self.already,
            "agencies": self.agencies,
        }


def compiled_rules(node: Node) -> list[CompiledRule]:
    """The active rules, compiled; empty when there are none (routing then costs nothing)."""
    rules = tuple(active_rules(node))
    # Rules are immutable values: the same set compiles to the same expressions, so scoring one
    # declaration after another pays one small query, not a parse per rule.
    return node.runtime.rules.get(rules, lambda: coordination.compile_rules(rules))


def _insert_new(conn: Connection, rows: list[dict[str, Any]]) -> set[tuple[str, str]]:
    """Insert the referrals whose (declaration, agency) is new; the keys actually inserted
    (RETURNING: exact even when another run inserts the same ones concurrently)."""
    if not rows:
        return set()
    dialect: Any = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(referrals)
        .on_conflict_do_nothing(index_elements=["declaration_id", "agency"])
        .returning(referrals.c.declaration_id, referrals.c.agency)
    )
    return {(r.declaration_id, r.agency) for r in conn.execute(statement, rows)}


def route_frame(
    conn: Connection, frame: pl.DataFrame, compiled: Sequence[CompiledRule], *, actor: str
) -> RouteSummary:
    """Refer the declarations of an item-level frame, in the caller's transaction.

    Each new referral is audited on its declaration (so the declaration's history says where it
    was referred and why).
    """
    if not compiled or frame.height == 0:
        return RouteSummary()
    n_declarations = frame["declaration_id"].n_unique()
    decisions = coordination.route(frame, compiled)
    now = dt.datetime.now(dt.UTC)
    rows = [
        {
            "declaration_id": d["declaration_id"],
            "agency": d["agency"],
            "rules": d["rules"],
            "reasons": d["reasons"],
            "status": ReferralStatus.OPEN.value,
            "created_by": actor,
            "created_at": now,
            "updated_at": now,
        }
        for d in decisions.iter_rows(named=True)
    ]
    created = _insert_new(conn, rows)
    agencies: dict[str, int] = {}
    for row in rows:
        if (row["declaration_id"], row["agency"]) not in created:
            continue  # referred before: left as it is
        agencies[row["agency"]] = agencies.get(row["agency"], 0) + 1
        audit.record(
            conn,
            actor=actor,
            action="referral.create",
            object_type="declaration",
            object_id=row["declaration_id"],
            reason=f"referred to {row['agency']}: {'; '.join(row['reasons'])}",
            details={"agency": row["agency"], "rules": row["rules"]},
        )
    return RouteSummary(
        n_declarations, len(created), len(rows) - len(created), agencies, frozenset(created)
    )


def route_scored(
    conn: Connection,
    items: pl.DataFrame,
    scored: pl.DataFrame,
    compiled: Sequence[CompiledRule],
    *,
    actor: str,
) -> RouteSummary:
    """:func:`route_frame` for a flow just scored: ``scored`` (one row per declaration, with
    ``model_score``) gives each item its declaration's score, a field the rules may read."""
    if not compiled:
        return RouteSummary()
    model_scores = scored.select("declaration_id", "model_score")
    frame = items.join(model_scores, on="declaration_id", how="left")
    return route_frame(conn, frame, compiled, actor=actor)


def _with_model_scores(conn: Connection, frame: pl.DataFrame) -> pl.DataFrame:
    """Add ``model_score`` (the newest score of each declaration), for rules on model.score."""
    ids = frame["declaration_id"].unique().to_list()
    newest: dict[str, float] = {}
    for start in range(0, len(ids), CHUNK):
        query = (
            select(scores.c.declaration_id, scores.c.score)
            .where(scores.c.declaration_id.in_(ids[start : start + CHUNK]))
            .order_by(scores.c.scored_at.desc())
        )
        for row in conn.execute(query):
            newest.setdefault(row.declaration_id, row.score)
    known = pl.DataFrame(
        {"declaration_id": list(newest), "model_score": list(newest.values())},
        schema={"declaration_id": pl.Utf8, "model_score": pl.Float64},
    )
    return frame.join(known, on="declaration_id", how="left")


def _flows(
    node: Node,
    since: dt.date | None,
    until: dt.date | None,
    declaration_ids: Sequence[str] | None,
) -> Iterator[pl.DataFrame]:
    """The declarations to route, as item frames: the ids given in chunks, else a day at a time."""
    if declaration_ids is not None:
        ids = list(dict.fromkeys(declaration_ids))
        for start in range(0, len(ids), CHUNK):
            yield read_items(node, declaration_ids=ids[start : start + CHUNK])
        return
    query = select(declarations.c.declared_on).distinct().order_by(declarations.c.declared_on)
    if since:
        query = query.where(declarations.c.declared_on >= since)
    if until:
        query = query.where(declarations.c.declared_on <= until)
    with node.read() as conn:
        days = list(conn.execute(query).scalars())
    for day in days:
        yield read_items(node, since=day, until=day)


def route_declarations(
    node: Node,
    principal: Principal,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    declaration_ids: Sequence[str] | None = None,
) -> RouteSummary:
    """Route stored declarations (all, those declared in [since, until], or the ids given),
    one day's flow per transaction; the run is audited with its figures."""
    require(principal, Permission.REFERRALS_MANAGE)
    return _route(node, principal.username, since, until, declaration_ids)


def route_submitted(
    node: Node, principal: Principal, declaration_ids: Sequence[str]
) -> RouteSummary:
    """Route declarations their submitter just sent (part of submitting them)."""
    require(principal, Permission.DECLARATIONS_SUBMIT)
    return _route(node, principal.username, None, None, declaration_ids)


def _route(
    node: Node,
    actor: str,
    since: dt.date | None,
    until: dt.date | None,
    declaration_ids: Sequence[str] | None,
) -> RouteSummary:
    compiled = compiled_rules(node)
    if not compiled:
        return RouteSummary()
    summary = RouteSummary()
    for frame in _flows(node, since, until, declaration_ids):
        if frame.height == 0:
            continue
        with node.transaction() as conn:
            part = route_frame(conn, _with_model_scores(conn, frame), compiled, actor=actor)
        summary += part.figures_only()  # a whole store may refer many: keep the counts only
    if declaration_ids is not None and not summary.referred:
        return summary  # on arrival, nothing referred: nothing to record (no write was made)
    with node.transaction() as conn:
        audit.record(
            conn,
            actor=actor,
            action="referral.route",
            object_type="referral",
            details={
                "since": since.isoformat() if since else None,
                "until": until.isoformat() if until else None,
                "declaration_ids": list(declaration_ids)[:100] if declaration_ids else None,
                "declarations": summary.declarations,
                "referred": summary.referred,
                "agencies": summary.agencies,
            },
        )
    return summary
