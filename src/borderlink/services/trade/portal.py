"""The public trade information portal: for an HS code and an origin, what the node applies.

Public use cases: no principal, because nothing they return is about a declaration or a party.
Figures come from the node's own data, aggregated: agencies from the active routing rules
(those whose condition holds on the HS code and origin alone: a rule that also needs the
value, the trader or the route to hold is not listed, since it depends on the consignment),
release times per channel over 90 days (a channel with fewer than :data:`MIN_GROUP`
declarations is withheld, so no one consignment can be read off the figures), and the MRAs
with the benefits they grant.
"""

from __future__ import annotations

import datetime as dt
import re

import polars as pl
from pydantic import BaseModel
from sqlalchemy import func, select

from borderlink.coordination import compile_rules, route
from borderlink.errors import InvalidInput, NotFound
from borderlink.model.aeo import Benefits
from borderlink.refdata.hs import builtin_nomenclature, normalise_code
from borderlink.services.cooperation.aeo import mras_in_force
from borderlink.services.coordination.agency_rules import active_rules
from borderlink.services.coordination.time_release import public_release_times
from borderlink.services.node import Node
from borderlink.services.refdata.load import show_country, show_hs
from borderlink.services.risk._store import read_items
from borderlink.store.tables import hs_nomenclature

MIN_GROUP = 5
MAX_HITS = 50
WORD = re.compile(r"\w+", re.UNICODE)


class GoodsHit(BaseModel):
    code: str
    description: str
    edition: str


class AgencyCheck(BaseModel):
    agency: str
    reasons: list[str]


class ChannelTime(BaseModel):
    channel: str
    declarations: int
    p50_hours: float | None
    p90_hours: float | None


class MraInfo(BaseModel):
    title: str
    programmes: list[str]
    roles: list[str]
    benefits: Benefits
    how_to_apply: str | None
    own_programme: bool


class GoodsInfo(BaseModel):
    hs_code: str
    description: str
    edition: str
    origin: str
    origin_name: str
    agencies: list[AgencyCheck]
    duty_rate: str | None  # None: no tariff loaded on this node
    release_since: dt.date
    release_times: list[ChannelTime]
    mras: list[MraInfo]


def search_goods(node: Node, text: str, limit: int = MAX_HITS) -> list[GoodsHit]:
    """HS codes whose description has every word of ``text`` (loaded editions, then the
    built-in HS 2022), subheadings first."""
    words = [w.lower() for w in WORD.findall(text)][:8]
    if not words or any(len(w) < 2 for w in words):
        raise InvalidInput("search for at least one word of two letters or more", field="q")
    with node.read() as conn:
        query = select(
            hs_nomenclature.c.edition, hs_nomenclature.c.code, hs_nomenclature.c.description
        )
        for w in words:
            query = query.where(func.lower(hs_nomenclature.c.description).contains(w))
        loaded = [
            GoodsHit(edition=r.edition, code=r.code, description=r.description)
            for r in conn.execute(query.limit(limit * 4))
        ]
    frame = builtin_nomenclature()
    for w in words:
        frame = frame.filter(pl.col("description").str.to_lowercase().str.contains(w, literal=True))
    builtin = [
        GoodsHit(**r) for r in frame.select("code", "description", "edition").iter_rows(named=True)
    ]
    seen: set[str] = set()
    out = []
    for hit in sorted(loaded + builtin, key=lambda h: (-len(h.code), h.code)):
        if hit.code not in seen:
            seen.add(hit.code)
            out.append(hit)
    return out[:limit]


def _agencies(node: Node, hs_code: str, origin: str, on: dt.date) -> list[AgencyCheck]:
    rules = active_rules(node)
    if not rules:
        return []
    empty = read_items(node, declaration_ids=["-"])
    values = {c: None for c in empty.columns}
    row = values | {
        "declaration_id": "portal",
        "declared_on": on,
        "item_no": 1,
        "hs_code": hs_code,
        "hs_code_current": hs_code,
        "origin_country": origin,
    }
    item = pl.DataFrame([row], schema=empty.schema)
    found = route(item, compile_rules(rules))
    return [
        AgencyCheck(agency=r["agency"], reasons=list(r["reasons"]))
        for r in found.iter_rows(named=True)
    ]


def _release(node: Node, on: dt.date) -> tuple[dt.date, list[ChannelTime]]:
    view = public_release_times(node, on)
    times = [
        ChannelTime(
            channel=g.group,
            declarations=g.declarations,
            p50_hours=g.stages["lodged_to_released"].p50_hours,
            p90_hours=g.stages["lodged_to_released"].p90_hours,
        )
        for g in view.groups
        if g.declarations >= MIN_GROUP and g.group not in ("unscored",)
    ]
    return view.since or on, times


def _mras(node: Node, on: dt.date) -> list[MraInfo]:
    me = node.settings.node_id
    return [
        MraInfo(
            title=m.title,
            programmes=list(m.programmes),
            roles=list(m.roles),
            benefits=m.benefits,
            how_to_apply=m.how_to_apply,
            own_programme=m.partner == me,
        )
        for m in mras_in_force(node, on)
    ]


def goods_info(node: Node, hs_code: str, origin: str, on: dt.date | None = None) -> GoodsInfo:
    """What applies to goods of ``hs_code`` from ``origin``, as the node applies it."""
    code = normalise_code(hs_code)
    if not code.isdigit() or len(code) not in (2, 4, 6, 8, 10):
        raise InvalidInput(f"HS code {hs_code!r}: 2 to 10 digits", field="hs")
    try:
        country = show_country(origin)
    except NotFound as error:
        raise NotFound(error.detail, field="origin") from error
    hs = show_hs(node, code)
    day = on or dt.datetime.now(dt.UTC).date()
    since, times = _release(node, day)
    return GoodsInfo(
        hs_code=hs.code,
        description=hs.description,
        edition=hs.edition,
        origin=country.alpha_2,
        origin_name=country.name,
        agencies=_agencies(node, hs.code, country.alpha_2, day),
        duty_rate=None,
        release_since=since,
        release_times=times,
        mras=_mras(node, day),
    )
