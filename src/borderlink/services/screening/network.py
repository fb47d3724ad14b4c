"""A trader seen whole: its page (history, outcomes, channels, screening hits, linked records,
neighbourhood risk) and the network around it or around a seizure.

The network is read from the store two hops out: the trader's declarations, the parties and
conveyances on them, and those parties' declarations (each step bounded), with the outcomes;
entity resolution's clusters join records of one trader, and partners' seizures join the
parties they name. An office-scoped reader sees the declarations of their office only, and
every view is about parties, so it needs ``nominal:read`` and is audited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import polars as pl
from pydantic import BaseModel, Field
from sqlalchemy import Connection, func, or_, select

from borderlink.errors import NotFound
from borderlink.screening import network
from borderlink.services.accounts import audit
from borderlink.services.accounts.access import (
    Permission,
    Principal,
    office_scope,
    require,
)
from borderlink.services.node import Node
from borderlink.services.screening.linking import PARTY
from borderlink.store.risk_tables import scores
from borderlink.store.screening_tables import screening_hits, trader_clusters
from borderlink.store.tables import declarations, outcomes, parties

MAX_DECLARATIONS = 2_000  # read per hop: a hub's whole history is not one page
COLUMNS = ("declaration_id", "declared_on", "office_id", *network.ROLES, "conveyance")


class NodeView(BaseModel):
    key: str
    kind: str
    label: str
    name: str | None
    declarations: int
    inspected: int
    illicit: int
    roles: list[str]
    degree: float
    betweenness: float
    community: int
    distance: int


class EdgeView(BaseModel):
    source: str
    target: str
    kind: str
    declarations: int


class NetworkView(BaseModel):
    center: str
    nodes: list[NodeView]
    edges: list[EdgeView]
    share_illicit_within_two_hops: float | None
    inspected_within_two_hops: int
    seizures_within_two_hops: int
    truncated: bool = Field(description="A hop read its bound: the network is larger")


class TraderView(BaseModel):
    party_id: str
    name: str | None
    country: str | None
    aeo: bool | None
    first_seen: dt.date | None
    declarations: int
    channels: dict[str, int]
    inspected: int
    illicit: int
    recent: list[dict[str, Any]]
    hits: list[dict[str, Any]]
    linked: list[dict[str, Any]] = Field(description="Records entity resolution linked to it")
    network: NetworkView


def _scoped(query: Any, principal: Principal) -> Any:
    office = office_scope(principal)
    return query if office is None else query.where(declarations.c.office_id == office)


def _declarations_of(conn: Connection, principal: Principal, ids: Iterable[str]) -> list[Any]:
    ids = sorted(set(ids))
    if not ids:
        return []
    touching = or_(*(declarations.c[c].in_(ids) for c in network.ROLES))
    query = (
        select(*(declarations.c[c] for c in COLUMNS), outcomes.c.illicit)
        .select_from(
            declarations.outerjoin(
                outcomes, outcomes.c.declaration_id == declarations.c.declaration_id
            )
        )
        .where(touching)
        .order_by(declarations.c.declared_on.desc(), declarations.c.declaration_id)
        .limit(MAX_DECLARATIONS)
    )
    return list(conn.execute(_scoped(query, principal)))


def _frame(rows: list[Any]) -> pl.DataFrame:
    schema: dict[str, Any] = {c: pl.String for c in COLUMNS}
    schema |= {"declared_on": pl.Date, "illicit": pl.Boolean}
    unique = {r.declaration_id: r._asdict() for r in rows}
    return pl.DataFrame(list(unique.values()), schema=schema)


def _clusters(conn: Connection, keys: list[str]) -> list[tuple[str, str]]:
    """(record key, cluster id) of every record in the clusters of ``keys``."""
    ids = select(trader_clusters.c.cluster_id).where(trader_clusters.c.record_key.in_(keys))
    rows = conn.execute(
        select(trader_clusters.c.record_key, trader_clusters.c.cluster_id).where(
            trader_clusters.c.cluster_id.in_(ids)
        )
    )
    return [(r.record_key, r.cluster_id) for r in rows]


def _extras(
    conn: Connection, graph_keys: list[str]
) -> tuple[list[tuple[str, list[str]]], list[tuple[str, str]]]:
    """Seizures naming the graph's parties (through entity resolution's clusters, or by
    the same party id) and the same-trader pairs among the graph's parties."""
    members = _clusters(conn, graph_keys)
    by_cluster: dict[str, list[str]] = {}
    for key, cluster in members:
        by_cluster.setdefault(cluster, []).append(key)
    same = [
        (a, b)
        for keys in by_cluster.values()
        for a in keys
        for b in keys
        if a < b and a.startswith(PARTY) and b.startswith(PARTY)
    ]
    seized: dict[str, set[str]] = {}
    for keys in by_cluster.values():
        ours = [k for k in keys if k.startswith(PARTY)]
        for key in keys:
            if key.startswith("partner:"):
                record = key.split(":", 2)[2].rsplit(":", 1)[0]
                seized.setdefault(record, set()).update(ours)
    return [(r, sorted(p)) for r, p in sorted(seized.items())], same


def _network(conn: Connection, principal: Principal, center: str, ids: list[str]) -> NetworkView:
    first = _declarations_of(conn, principal, ids)
    near = {r._mapping[c] for r in first for c in network.ROLES if r._mapping[c]}
    second = _declarations_of(conn, principal, near - set(ids))
    frame = _frame(first + second)
    keys = sorted(
        {f"{PARTY}{p}" for r in first + second for c in network.ROLES if (p := r._mapping[c])}
    )
    keys = sorted(set(keys) | {f"{PARTY}{i}" for i in ids})  # the centre, declared or not
    seizures, same = _extras(conn, keys)
    names = {
        f"{PARTY}{r.party_id}": r.name
        for r in conn.execute(
            select(parties.c.party_id, parties.c.name).where(
                parties.c.party_id.in_([k.removeprefix(PARTY) for k in keys][:5_000])
            )
        )
        if r.name
    }
    graph = network.build_graph(frame, names=names, seizures=seizures, same=same)
    around = network.neighbourhood(graph, center)
    risk = network.neighbourhood_risk(graph, center)
    found, links = network.describe(around, center)
    nodes = [NodeView(**n) for n in found]
    edges = [EdgeView(**e) for e in links]
    return NetworkView(
        center=center,
        nodes=nodes,
        edges=edges,
        share_illicit_within_two_hops=risk.share,
        inspected_within_two_hops=risk.inspected,
        seizures_within_two_hops=risk.seizures,
        truncated=len(first) >= MAX_DECLARATIONS or len(second) >= MAX_DECLARATIONS,
    )


def _audit(node: Node, principal: Principal, what: str, key: str) -> None:
    with node.transaction() as conn:
        audit.record(
            conn,
            actor=principal.username,
            action=f"{what}.read",
            object_type=what,
            object_id=key,
            reason="shown with nominal data",
        )


def network_around(node: Node, principal: Principal, center: str) -> NetworkView:
    """The network two hops around ``party:ID`` or ``seizure:RECORD`` (a partner's seizure:
    around the parties it names)."""
    require(principal, Permission.DECLARATIONS_READ)
    require(principal, Permission.NOMINAL_READ)
    with node.read() as conn:
        if center.startswith(network.SEIZURE):
            record = center.removeprefix(network.SEIZURE)
            named = conn.execute(
                select(trader_clusters.c.record_key).where(
                    trader_clusters.c.record_key.like(f"partner:%:{record}:%")
                )
            ).scalars()
            members = _clusters(conn, list(named))
            keys = [k.removeprefix(PARTY) for k, _ in members if k.startswith(PARTY)]
            if not members:
                raise NotFound(f"no linked seizure {record!r}", field="center")
            view = _network(conn, principal, center, keys)
        elif center.startswith(PARTY):
            view = _network(conn, principal, center, [center.removeprefix(PARTY)])
        else:
            raise NotFound(
                f"no network node {center!r} (party:ID or seizure:RECORD)", field="center"
            )
    _audit(node, principal, "network", center)
    return view


def _history(conn: Connection, principal: Principal, party_id: str) -> dict[str, Any]:
    touching = or_(*(declarations.c[c] == party_id for c in network.ROLES))
    latest = (
        select(scores.c.declaration_id, func.max(scores.c.scored_at).label("at"))
        .group_by(scores.c.declaration_id)
        .subquery()
    )
    channel = (
        select(scores.c.channel)
        .join(
            latest,
            (latest.c.declaration_id == scores.c.declaration_id)
            & (latest.c.at == scores.c.scored_at),
        )
        .where(scores.c.declaration_id == declarations.c.declaration_id)
        .limit(1)
        .scalar_subquery()
    )
    rows = conn.execute(
        _scoped(
            select(
                declarations.c.declaration_id,
                declarations.c.declared_on,
                declarations.c.office_id,
                *(declarations.c[c] for c in network.ROLES),
                channel.label("channel"),
                outcomes.c.illicit,
                outcomes.c.severity,
            )
            .select_from(
                declarations.outerjoin(
                    outcomes, outcomes.c.declaration_id == declarations.c.declaration_id
                )
            )
            .where(touching),
            principal,
        ).order_by(declarations.c.declared_on.desc(), declarations.c.declaration_id)
    ).all()
    channels: dict[str, int] = {}
    for r in rows:
        channels[r.channel or "not scored"] = channels.get(r.channel or "not scored", 0) + 1
    recent = [
        r._asdict()
        | {"roles": [c.removesuffix("_id") for c in network.ROLES if r._mapping[c] == party_id]}
        for r in rows[:50]
    ]
    return {
        "declarations": len(rows),
        "channels": channels,
        "inspected": sum(r.illicit is not None for r in rows),
        "illicit": sum(bool(r.illicit) for r in rows),
        "recent": recent,
    }


def trader(node: Node, principal: Principal, party_id: str) -> TraderView:
    """One trader: who, its declarations (latest 50), channels and outcomes, its screening
    hits (for those who review them), the records linked to it, its network's risk."""
    require(principal, Permission.DECLARATIONS_READ)
    require(principal, Permission.NOMINAL_READ)
    with node.read() as conn:
        party = conn.execute(select(parties).where(parties.c.party_id == party_id)).first()
        if party is None:
            raise NotFound(f"no trader {party_id!r}", field="party_id")
        history = _history(conn, principal, party_id)
        hits = []
        if principal.can(Permission.SCREENING_REVIEW):
            hits = [
                r._asdict()
                for r in conn.execute(
                    select(screening_hits)
                    .where(screening_hits.c.party_id == party_id)
                    .order_by(screening_hits.c.score.desc())
                )
            ]
        key = f"{PARTY}{party_id}"
        cluster = conn.execute(
            select(trader_clusters.c.cluster_id).where(trader_clusters.c.record_key == key)
        ).scalar()
        linked = (
            [
                r._asdict()
                for r in conn.execute(
                    select(
                        trader_clusters.c.record_key,
                        trader_clusters.c.name,
                        trader_clusters.c.country,
                    )
                    .where(
                        trader_clusters.c.cluster_id == cluster, trader_clusters.c.record_key != key
                    )
                    .order_by(trader_clusters.c.record_key)
                )
            ]
            if cluster is not None
            else []
        )
        view = _network(conn, principal, key, [party_id])
    _audit(node, principal, "trader", party_id)
    return TraderView(
        party_id=party.party_id,
        name=party.name,
        country=party.country,
        aeo=party.aeo,
        first_seen=party.first_seen,
        hits=hits,
        linked=linked,
        network=view,
        **history,
    )
