"""``screening link``: the same trader across the node's records, linked with Splink
(:mod:`borderlink.screening.linking`); the analysts' judgements on links; a trader's cluster.

The records are the stored parties (``party:<id>``; an id shaped like an EORI is also an
identifier) and the parties named in seizure reports received from partners under an agreement
(``partner:<sender>:<record>:<n>``). A run reads them a page at a time, links them, and replaces
the clusters and the scored links in one transaction: a run that fails half-way leaves the
previous one whole. Judgements (``same`` / ``different``) outlive runs: the next run learns
its m probabilities from the confirmed pairs too, joins them, and never puts a pair judged
different in one cluster.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

import polars as pl
from pydantic import BaseModel, Field
from sqlalchemy import Connection, delete, func, insert, or_, select

from borderlink.errors import InvalidInput, NotFound
from borderlink.screening import Party, linking
from borderlink.services.accounts import audit
from borderlink.services.accounts.access import Permission, Principal, require
from borderlink.services.declarations.read import MAX_PAGE, Page
from borderlink.services.node import Node
from borderlink.services.screening.run import party_of
from borderlink.store.cooperation_tables import coop_records
from borderlink.store.screening_tables import (
    linking_runs,
    trader_clusters,
    trader_judgements,
    trader_links,
)
from borderlink.store.tables import parties

PAGE = 20_000  # records read, and rows written, at a time
Judgement = Literal["same", "different"]
PARTY = "party:"


@dataclass
class LinkSummary:
    run_id: int = 0
    records: int = 0
    links: int = 0
    clusters: int = 0  # of two records or more
    largest: int = 0
    judgements_used: int = 0
    trained: list[str] = field(default_factory=list)
    seconds: float = 0.0


@dataclass(frozen=True)
class _Named:
    """A partner's party as :func:`.run.party_of` reads a stored one."""

    party_id: str
    name: str | None
    country: str | None


class LinkView(BaseModel):
    left_key: str
    right_key: str
    left_name: str | None
    right_name: str | None
    probability: float
    joined: bool = Field(description="Both records are in one cluster")
    judgement: Judgement | None
    decided_by: str | None


class ClusterView(BaseModel):
    record_key: str
    cluster_id: str | None = Field(description="None: not linked yet (no run since)")
    members: list[dict[str, Any]] = Field(description="record_key, name, country")
    links: list[LinkView]


def _identifier(party: Party) -> str | None:
    """An id shaped like an EORI is one (as screening takes it), and decides a link."""
    return party.identifiers[0].key if party.identifiers else None


def _party_pages(node: Node) -> Iterator[list[dict[str, Any]]]:
    after = ""
    while True:
        with node.read() as conn:
            rows = conn.execute(
                select(parties.c.party_id, parties.c.name, parties.c.country)
                .where(parties.c.party_id > after)
                .order_by(parties.c.party_id)
                .limit(PAGE)
            ).all()
        if not rows:
            return
        yield [
            {
                "record_key": f"{PARTY}{r.party_id}",
                "name": r.name,
                "country": r.country,
                "identifier": _identifier(party_of(r)),
            }
            for r in rows
        ]
        after = rows[-1].party_id


def _partner_records(node: Node) -> list[dict[str, Any]]:
    """The parties named in seizures partners sent (what an agreement let through)."""
    out: list[dict[str, Any]] = []
    with node.read() as conn:
        rows = conn.execute(
            select(coop_records.c.record_id, coop_records.c.received_from, coop_records.c.document)
            .where(coop_records.c.received_from.is_not(None), coop_records.c.kind == "seizure")
            .order_by(coop_records.c.record_id)
        )
        for row in rows:
            for n, named in enumerate((row.document or {}).get("parties") or []):
                given = party_of(_Named(str(named.get("party_id") or ""), None, None))
                out.append(
                    {
                        "record_key": f"partner:{row.received_from}:{row.record_id}:{n}",
                        "name": named.get("name"),
                        "country": named.get("country"),
                        "identifier": _identifier(given) if given.party_id else None,
                    }
                )
    return out


def _records(node: Node) -> pl.DataFrame:
    schema = {c: pl.String for c in ("record_key", "name", "country", "identifier")}
    frames = [pl.DataFrame(page, schema=schema) for page in _party_pages(node)]
    frames.append(pl.DataFrame(_partner_records(node), schema=schema))
    return pl.concat(frames)


def _judgements(node: Node) -> tuple[list[linking.Pair], list[linking.Pair]]:
    with node.read() as conn:
        rows = conn.execute(select(trader_judgements)).all()
    same = [(r.left_key, r.right_key) for r in rows if r.judgement == "same"]
    return same, [(r.left_key, r.right_key) for r in rows if r.judgement == "different"]


def _write_run(
    conn: Connection, raw: pl.DataFrame, groups: pl.DataFrame, pairs: pl.DataFrame, run_id: int
) -> None:
    conn.execute(delete(trader_clusters))
    conn.execute(delete(trader_links))
    named = groups.join(raw.select("record_key", "name", "country"), on="record_key", how="left")
    named = named.with_columns(pl.col("country").str.slice(0, 2), pl.lit(run_id).alias("run_id"))
    for chunk in named.iter_slices(PAGE):
        conn.execute(insert(trader_clusters), chunk.to_dicts())
    scored = pairs.rename({"left": "left_key", "right": "right_key"}).with_columns(
        pl.lit(run_id).alias("run_id")
    )
    for chunk in scored.iter_slices(PAGE):
        conn.execute(insert(trader_links), chunk.to_dicts())


def _predict(
    node: Node,
    records: pl.DataFrame,
    same: list[linking.Pair],
    review_from: float,
    engine: Literal["duckdb", "spark"],
    master: str | None,
) -> tuple[pl.DataFrame, linking.Trained]:
    if engine == "duckdb":
        return linking.predict(records, same, review_from=review_from)
    from borderlink.services.risk.spark import spark_session

    with spark_session(node, master) as spark:
        return linking.predict(records, same, review_from=review_from, spark=spark)


def link_traders(
    node: Node,
    principal: Principal,
    *,
    threshold: float = linking.THRESHOLD,
    engine: Literal["duckdb", "spark"] = "duckdb",
    master: str | None = None,
) -> LinkSummary:
    """Link every trader record; replace the clusters and links in one transaction; audited.
    ``engine="spark"``: the pairs are compared and scored by Splink's Spark backend
    (``master``: ``local[N]`` or a cluster; default the settings'), the rest as on DuckDB."""
    require(principal, Permission.WATCHLISTS_MANAGE)
    if not 0 < threshold <= 1:
        raise InvalidInput("the threshold is above 0 and at most 1", field="threshold")
    started = dt.datetime.now(dt.UTC)
    raw = _records(node)
    records = linking.trader_records(raw)
    same, different = _judgements(node)
    review_from = min(linking.REVIEW_FROM, threshold)
    pairs, trained = _predict(node, records, same, review_from, engine, master)
    keys = records["unique_id"].to_list()
    groups = linking.clusters(keys, pairs, same=same, different=different, threshold=threshold)
    sizes = groups.group_by("cluster_id").len().filter(pl.col("len") > 1)
    summary = LinkSummary(
        records=len(keys),
        links=pairs.height,
        clusters=sizes.height,
        largest=int(sizes["len"].max() or 0) if sizes.height else 0,  # type: ignore[arg-type]
        judgements_used=len(same) + len(different),
        trained=trained.steps + [f"skipped: {s}" for s in trained.skipped],
    )
    finished = dt.datetime.now(dt.UTC)
    summary.seconds = round((finished - started).total_seconds(), 2)
    with node.transaction() as conn:
        summary.run_id = int(
            conn.execute(
                insert(linking_runs)
                .values(
                    started_at=started,
                    finished_at=finished,
                    actor=principal.username,
                    records=summary.records,
                    links=summary.links,
                    clusters=summary.clusters,
                    threshold=threshold,
                    trained=summary.trained,
                )
                .returning(linking_runs.c.run_id)
            ).scalar_one()
        )
        _write_run(conn, raw, groups, pairs, summary.run_id)
        audit.record(
            conn,
            actor=principal.username,
            action="screening.link",
            object_type="linking_run",
            object_id=str(summary.run_id),
            details={k: v for k, v in vars(summary).items() if k != "trained"},
        )
    return summary


def judge_link(
    node: Node, principal: Principal, left: str, right: str, judgement: Judgement, reason: str
) -> dict[str, Any]:
    """An analyst says two records are the same trader, or different ones; the next run uses
    it (idempotent on the pair: judging again replaces the judgement). Audited."""
    require(principal, Permission.SCREENING_REVIEW)
    if judgement not in ("same", "different"):
        raise InvalidInput(f"judgement {judgement!r}: same or different", field="judgement")
    if not reason.strip():
        raise InvalidInput("a judgement needs a reason", field="reason")
    a, b = linking.pair(left, right)
    if a == b:
        raise InvalidInput("a record is always itself", field="right")
    now = dt.datetime.now(dt.UTC)
    values = {"judgement": judgement, "reason": reason.strip(), "decided_by": principal.username}
    with node.transaction() as conn:
        known = set(
            conn.execute(
                select(trader_clusters.c.record_key).where(trader_clusters.c.record_key.in_([a, b]))
            ).scalars()
        )
        for key, name in ((left, "left"), (right, "right")):  # named as given
            if key not in known:
                raise NotFound(f"no linked trader record {key!r}", field=name)
        where = (trader_judgements.c.left_key == a, trader_judgements.c.right_key == b)
        conn.execute(delete(trader_judgements).where(*where))
        conn.execute(
            insert(trader_judgements).values(left_key=a, right_key=b, decided_at=now, **values)
        )
        audit.record(
            conn,
            actor=principal.username,
            action=f"screening.link.{judgement}",
            object_type="trader_link",
            object_id=f"{a}|{b}",
            reason=reason.strip(),
        )
    return {"left_key": a, "right_key": b, "decided_at": now, **values}


def _link_views(conn: Connection, where: Any, limit: int, offset: int) -> list[LinkView]:
    left, right = trader_clusters.alias("l"), trader_clusters.alias("r")
    query = (
        select(
            trader_links.c.left_key,
            trader_links.c.right_key,
            trader_links.c.probability,
            left.c.name.label("left_name"),
            right.c.name.label("right_name"),
            (left.c.cluster_id == right.c.cluster_id).label("joined"),
            trader_judgements.c.judgement,
            trader_judgements.c.decided_by,
        )
        .select_from(
            trader_links.join(left, left.c.record_key == trader_links.c.left_key)
            .join(right, right.c.record_key == trader_links.c.right_key)
            .outerjoin(
                trader_judgements,
                (trader_judgements.c.left_key == trader_links.c.left_key)
                & (trader_judgements.c.right_key == trader_links.c.right_key),
            )
        )
        .where(where)
        .order_by(trader_links.c.probability.desc(), trader_links.c.left_key)
        .limit(limit)
        .offset(offset)
    )
    return [LinkView(**r._asdict()) for r in conn.execute(query)]


def list_links(
    node: Node, principal: Principal, *, undecided: bool = False, limit: int = 50, offset: int = 0
) -> Page[LinkView]:
    """The scored links, strongest first (``undecided``: those no analyst judged yet)."""
    require(principal, Permission.SCREENING_REVIEW)
    require(principal, Permission.NOMINAL_READ)
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit is 1 to {MAX_PAGE}", field="limit")
    judged = trader_judgements.alias("judged")  # not the list's own outer join
    decided = select(judged.c.left_key).where(
        judged.c.left_key == trader_links.c.left_key,
        judged.c.right_key == trader_links.c.right_key,
    )
    where = ~decided.exists() if undecided else trader_links.c.probability >= 0
    with node.read() as conn:
        total = conn.execute(
            select(func.count()).select_from(trader_links).where(where)
        ).scalar_one()
        items = _link_views(conn, where, limit, offset)
    return Page[LinkView](items=items, total=total, limit=limit, offset=max(offset, 0))


def cluster_of(node: Node, principal: Principal, record_key: str) -> ClusterView:
    """The records linked with ``record_key`` (its cluster) and the scored links touching them."""
    require(principal, Permission.NOMINAL_READ)
    with node.read() as conn:
        cluster_id = conn.execute(
            select(trader_clusters.c.cluster_id).where(trader_clusters.c.record_key == record_key)
        ).scalar()
        if cluster_id is None:
            return ClusterView(record_key=record_key, cluster_id=None, members=[], links=[])
        members = [
            r._asdict()
            for r in conn.execute(
                select(
                    trader_clusters.c.record_key, trader_clusters.c.name, trader_clusters.c.country
                )
                .where(trader_clusters.c.cluster_id == cluster_id)
                .order_by(trader_clusters.c.record_key)
                .limit(500)
            )
        ]
        keys = [m["record_key"] for m in members]
        touching = or_(trader_links.c.left_key.in_(keys), trader_links.c.right_key.in_(keys))
        links = _link_views(conn, touching, 200, 0)
    return ClusterView(record_key=record_key, cluster_id=cluster_id, members=members, links=links)
