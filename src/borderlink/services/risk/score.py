"""Scoring use cases: score the stored flow a day at a time, or declarations on arrival, one by
one or batched (:func:`score_queued`). Training and loading models is :mod:`.models`; recording
an inspection's outcome is :func:`borderlink.services.declarations.read.record_outcome`.

Declarations are read from the store item by item (declarations ⋈ goods_items, outcomes joined
by declaration). The model scores each item and a declaration takes its riskiest item (see
:mod:`borderlink.risk.scoring`): unit value, HS code and origin are item facts, and one bad
item is enough to inspect the consignment. Training labels are per declaration, so each item of
an illicit declaration counts as illicit.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from types import MappingProxyType
from typing import Any

import polars as pl

from borderlink import risk
from borderlink.coordination import CompiledRule
from borderlink.errors import NotFound
from borderlink.model.aeo import TrustedTrader
from borderlink.risk import explain_rows
from borderlink.risk.aeo import apply_benefits
from borderlink.risk.blue import apply_blue, apply_blue_rows
from borderlink.services.accounts import audit
from borderlink.services.accounts.access import Permission, Principal, require, sees_nominal
from borderlink.services.cooperation.aeo import trusted_in_force
from borderlink.services.coordination.routing import RouteSummary, compiled_rules, route_scored
from borderlink.services.declarations.read import visible_parties
from borderlink.services.declarations.redaction import redact_reasons, reveals_party
from borderlink.services.node import Node
from borderlink.services.risk._store import (
    ToScore,
    item_dicts,
    items_frame,
    read_item_rows,
    read_items,
    settled_among,
    unscored_days,
)
from borderlink.services.risk.batcher import ScoreBatcher
from borderlink.services.risk.cutoffs import blue_cutoff, thresholds
from borderlink.services.risk.models import load_model
from borderlink.services.risk.profiles import compiled_active
from borderlink.services.risk.writes import store_flow, store_hits, store_scores
from borderlink.services.screening.hits import apply_screening, apply_screening_rows
from borderlink.services.screening.partner_alerts import alerts_in_force, apply_alerts

Progress = Callable[[int, int], None]
# Scores made on arrival (a submission, the batcher) and the referrals they route are this
# system actor's; whoever asked was authorised before.
SCORER = Principal.system("risk.score")


@dataclass(frozen=True)
class ScoreSummary:
    model_version: str
    scored: int
    skipped: int
    channels: dict[str, int] = field(default_factory=dict)
    referred: dict[str, int] = field(default_factory=dict)  # new referrals per agency


# --- scoring -----------------------------------------------------------------------------------


def capacity(node: Node) -> risk.CapacityPolicy:
    """The node's configured inspection capacity (``BORDERLINK_RISK_*_SHARE``)."""
    s = node.settings
    return risk.CapacityPolicy(s.risk_red_share, s.risk_yellow_share, s.risk_random_share)


def score_batch(
    node: Node,
    principal: Principal,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    version: str | None = None,
    policy: risk.CapacityPolicy | None = None,
    seed: int | None = None,
    as_of: dt.date | None = None,
    progress: Progress | None = None,
    rescore: bool = False,
) -> ScoreSummary:
    """Score what is new, a day's flow at a time: declarations this model has not scored,
    undecided (neither inspected nor released green), declared after its training window.
    ``rescore`` takes the history too (all in [since, until] this model has not scored);
    routing never refers one already decided. Capacity quotas apply per day."""
    require(principal, Permission.MODELS_MANAGE)
    actor = principal.username
    model = load_model(node, version)
    policy = policy or capacity(node)
    on = as_of or dt.datetime.now(dt.UTC).date()
    compiled = compiled_active(node, on)
    versions = {c.profile.name: c.profile.version for c in compiled}
    which = ToScore(model.version, history=rescore, after=model.trained_to)
    days = unscored_days(node, which, since, until)
    channels: dict[str, int] = {"red": 0, "yellow": 0, "green": 0}
    scored_count = 0
    flows = (  # read lazily: only the flows being scored (two) and the next are in memory
        read_items(node, since=day, until=day, to_score=which) for day in days
    )
    alerts = alerts_in_force(node, on)
    trusted = trusted_in_force(node, on)  # AEOs under the MRAs in force
    rules = compiled_rules(node)  # agency routing rules: none, no routing
    routed = RouteSummary()
    recent: dict[int, pl.DataFrame] = {}  # flows being scored (in order), to match alerts on

    def remembered(frames: Iterator[pl.DataFrame]) -> Iterator[pl.DataFrame]:
        for i, frame in enumerate(frames):
            recent[i] = frame
            yield frame

    scored_flows = risk.scoring.score_flows(
        model, remembered(flows), compiled, policy=policy, seed=seed
    )
    for i, out in enumerate(scored_flows):
        items = recent.pop(i, None)
        if items is not None:
            out = apply_alerts(out, items, alerts)
            out = apply_screening(node, out, items)
            out = _trade_steps(node, out, items, trusted, compiled)
            items = _new_only(node, items, model.trained_to) if rescore else items
        routed += store_flow(node, out, items, model.version, versions, rules, actor)
        _count_channels(channels, out)
        scored_count += out.height
        if progress:
            progress(i + 1, len(days))
    summary = ScoreSummary(model.version, scored_count, 0, channels, routed.agencies)
    _audit_batch(node, actor, summary)
    return summary


def _trade_steps(
    node: Node,
    out: pl.DataFrame,
    items: pl.DataFrame,
    trusted: Sequence[TrustedTrader],
    compiled: Sequence[risk.CompiledProfile],
) -> pl.DataFrame:
    """A day's flow after alerts and screening (never lowered): AEO benefits, then blue."""
    out = apply_benefits(out, items, trusted)
    share = node.settings.risk_blue_share
    return apply_blue(out, profiles=_blue_profiles(compiled), share=share)


def _count_channels(channels: dict[str, int], scored: pl.DataFrame) -> None:
    for name, n in scored["channel"].value_counts().iter_rows():
        channels[name] = channels.get(name, 0) + n


def _new_only(node: Node, items: pl.DataFrame, after: dt.date | None) -> pl.DataFrame:
    """The items of new declarations (what routing may refer): not decided yet, and declared
    after the model's training window, whose declarations are history even when no outcome
    says what became of them."""
    if after is not None:
        items = items.filter(pl.col("declared_on") > after)
    done = settled_among(node, items["declaration_id"].unique().to_list())
    return items.filter(~pl.col("declaration_id").is_in(list(done)))


def _audit_batch(node: Node, actor: str, summary: ScoreSummary) -> None:
    with node.transaction() as conn:
        audit.record(
            conn,
            actor=actor,
            action="risk.score",
            object_type="risk_model",
            object_id=summary.model_version,
            details={
                "scored": summary.scored,
                "channels": summary.channels,
                "referred": summary.referred,
            },
        )


def _blue_profiles(compiled: Sequence[risk.CompiledProfile]) -> set[str]:
    return {c.profile.name for c in compiled if c.profile.channel == "blue"}


def score_one(
    node: Node,
    principal: Principal,
    declaration_id: str,
    *,
    version: str | None = None,
    policy: risk.CapacityPolicy | None = None,
    as_of: dt.date | None = None,
    route: bool = True,
) -> dict[str, Any]:
    """Score one declaration on arrival and store it (no quota: the cut-offs are the risk
    quantiles of this model's recent scores). Returns the stored score with its reasons.

    With ``route`` and active agency rules, the declaration is also referred where they say
    (``referred``: the agencies newly referred to).
    """
    found = score_many(
        node, principal, [declaration_id], version=version, policy=policy, as_of=as_of, route=route
    )
    if declaration_id not in found:
        raise NotFound(f"declaration {declaration_id} not found")
    return found[declaration_id]


def _channelled(decls: pl.DataFrame, red: float, yellow: float) -> pl.DataFrame:
    """Each declaration's channel (a profile's forced one, else its risk against the cut-offs)
    and why it was selected (``profile``, ``risk`` or ``none``)."""
    by_risk = (
        pl.when(pl.col("risk") >= red)
        .then(pl.lit("red"))
        .when(pl.col("risk") >= yellow)
        .then(pl.lit("yellow"))
        .otherwise(pl.lit("green"))
    )
    decls = decls.with_columns(pl.coalesce(pl.col("forced_channel"), by_risk).alias("channel"))
    return decls.with_columns(
        pl.when(pl.col("forced_channel").is_not_null())
        .then(pl.lit("profile"))
        .when(pl.col("channel") != "green")
        .then(pl.lit("risk"))
        .otherwise(pl.lit("none"))
        .alias("selection")
    )


# Up to this many items, declarations scored on demand take the one-row path
# (:mod:`borderlink.risk.single`); a larger group is cheaper through frames.
ONE_ROW_PATH_ITEMS = 256
# as risk.scoring.attach_reasons encodes them
_JSON = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode
SCORED_SCHEMA: Mapping[str, Any] = MappingProxyType(
    {
        "declaration_id": pl.Utf8,
        "_item": pl.UInt32,
        "model_score": pl.Float64,
        "risk": pl.Float64,
        "profile_hits": pl.List(pl.Utf8),
        "forced_channel": pl.Utf8,
        "channel": pl.Utf8,
        "selection": pl.Utf8,
    }
)


def _score_rows(
    model: risk.RiskModel,
    items: Sequence[Mapping[str, Any]],
    compiled: Sequence[risk.CompiledProfile],
    red: float,
    yellow: float,
) -> list[dict[str, Any]]:
    """What the frame path gives (:func:`_channelled`, then reasons), scored row by row,
    reasons included (:mod:`borderlink.risk.explain_rows`): one dict per declaration with the
    columns of :data:`SCORED_SCHEMA` and ``reasons``, no frames."""
    scored_items, decls = risk.single.score_rows(model, items, compiled)
    rows: list[dict[str, Any]] = []
    for d in decls:
        by_risk = "red" if d.risk >= red else "yellow" if d.risk >= yellow else "green"
        channel = d.forced_channel or by_risk
        selection = "profile" if d.forced_channel else "risk" if channel != "green" else "none"
        rows.append(
            {
                "declaration_id": d.declaration_id,
                "_item": d.item,
                "model_score": d.model_score,
                "risk": d.risk,
                "profile_hits": d.profile_hits,
                "forced_channel": d.forced_channel,
                "channel": channel,
                "selection": selection,
                "reasons": None,
            }
        )
    flagged = [row for row in rows if row["channel"] != "green"]
    why = explain_rows.declaration_reasons(
        model,
        [scored_items[row["_item"]].row for row in flagged],  # the riskiest item's features
        [(row["profile_hits"], row["selection"], row["risk"]) for row in flagged],
        compiled,
    )
    for row, w in zip(flagged, why, strict=True):
        row["reasons"] = _JSON(w)
    return rows


def _frame_of(scored: Sequence[Mapping[str, Any]]) -> pl.DataFrame:
    schema = {**SCORED_SCHEMA, "reasons": pl.Utf8}
    return pl.DataFrame([tuple(r[c] for c in schema) for r in scored], schema=schema, orient="row")


def score_many(
    node: Node,
    principal: Principal,
    declaration_ids: Sequence[str],
    *,
    version: str | None = None,
    policy: risk.CapacityPolicy | None = None,
    as_of: dt.date | None = None,
    route: bool = True,
) -> dict[str, dict[str, Any]]:
    """:func:`score_one` for several declarations at once, by id; unknown ids are left out.

    Each declaration gets exactly what it would get alone (channels come from the cut-offs, not
    from a quota over the group), so requests that arrive together can be scored together.
    """
    require(principal, Permission.RISK_SCORE)
    policy = policy or capacity(node)
    with node.reading():  # the reads below share one connection (and snapshot)
        found = _scored(node, declaration_ids, version, policy, as_of, route)
    if found is None:
        return {}
    model, items, scored, compiled, rules = found
    rows = scored.to_dicts() if isinstance(scored, pl.DataFrame) else scored
    results = {
        row["declaration_id"]: {
            "declaration_id": row["declaration_id"],
            "model_version": model.version,
            "score": row["model_score"],
            "risk": row["risk"],
            "channel": row["channel"],
            "selection": row["selection"],
            "reasons": json.loads(row["reasons"]) if row["reasons"] else None,
            "profile_hits": row["profile_hits"],
            "referred": [],
        }
        for row in rows
    }
    with node.transaction() as conn:
        store_scores(conn, scored, model.version)
        store_hits(conn, scored, {c.profile.name: c.profile.version for c in compiled})
        if rules:  # agency rules run over frames
            frame = scored if isinstance(scored, pl.DataFrame) else _frame_of(scored)
            routed = route_scored(conn, items.frame(), frame, rules, actor=principal.username)
            for declaration_id, agency in sorted(routed.created):
                results[declaration_id]["referred"].append(agency)
    return results


@dataclass
class _Items:
    """The items read for a score: the rows as read, as dicts (the one-row path) or as
    :func:`read_items`'s frame, each made when first asked for."""

    rows: list[tuple[Any, ...]]
    _dicts: list[dict[str, Any]] | None = None
    _frame: pl.DataFrame | None = None

    def dicts(self) -> list[dict[str, Any]]:
        if self._dicts is None:
            self._dicts = item_dicts(self.rows)
        return self._dicts

    def frame(self) -> pl.DataFrame:
        if self._frame is None:
            self._frame = items_frame(self.rows)
        return self._frame


_Scored = tuple[
    risk.RiskModel,
    _Items,
    pl.DataFrame | list[dict[str, Any]],
    list[risk.CompiledProfile],
    list[CompiledRule],
]


def _scored(
    node: Node,
    declaration_ids: Sequence[str],
    version: str | None,
    policy: risk.CapacityPolicy,
    as_of: dt.date | None,
    route: bool,
) -> _Scored | None:
    """:func:`score_many`'s reads and scoring: the model, the items read, the scored
    declarations (a frame, or dicts on the one-row path), the profiles and the routing rules
    applied (None: none of the ids is stored)."""
    model = load_model(node, version)
    items = _Items(read_item_rows(node, list(dict.fromkeys(declaration_ids))))
    if not items.rows:
        return None
    on = as_of or dt.datetime.now(dt.UTC).date()
    compiled = compiled_active(node, on)
    red, yellow = thresholds(node, model.version, policy)
    alerts = alerts_in_force(node, on)
    trusted = trusted_in_force(node, on)
    blue, cutoff = _blue_profiles(compiled), blue_cutoff(node, model.version, policy)
    rules = compiled_rules(node) if route else []
    if len(items.rows) <= ONE_ROW_PATH_ITEMS:
        rows = _score_rows(model, items.dicts(), compiled, red, yellow)
        if alerts or trusted:  # these steps run over frames (in the frame path's order)
            frame = apply_alerts(_frame_of(rows), items.frame(), alerts)
            frame = apply_screening(node, frame, items.frame())
            frame = apply_benefits(frame, items.frame(), trusted, cutoffs=(red, yellow))
            rows = frame.to_dicts()
        else:
            apply_screening_rows(node, rows, items.dicts())
        apply_blue_rows(rows, profiles=blue, cutoff=cutoff)
        return model, items, rows, compiled, rules
    frame = items.frame()
    scored_items = risk.score_items(model, frame, compiled)
    decls = _channelled(risk.scoring.to_declarations(scored_items), red, yellow)
    scored = risk.scoring.attach_reasons(model, scored_items, decls, compiled)
    scored = apply_alerts(scored, frame, alerts)
    scored = apply_screening(node, scored, frame)
    scored = apply_benefits(scored, frame, trusted, cutoffs=(red, yellow))
    scored = apply_blue(scored, profiles=blue, cutoff=cutoff)
    return model, items, scored, compiled, rules


def batcher(node: Node) -> ScoreBatcher:
    """The node's score batcher: on-demand scores that arrive together are scored together,
    as :data:`SCORER` (each caller was authorised by :func:`score_queued`)."""
    return node.runtime.batcher(lambda: ScoreBatcher(partial(score_many, node, SCORER)))


def score_queued(node: Node, principal: Principal, declaration_id: str) -> dict[str, Any]:
    """:func:`score_one` through the node's batcher, for a declaration the principal may see;
    its reasons as the principal may see them (party data shown is audited)."""
    require(principal, Permission.RISK_SCORE)
    ids = visible_parties(node, principal, declaration_id)
    found = dict(batcher(node).score(declaration_id))
    reasons = found.get("reasons") or []
    nominal = sees_nominal(principal)
    if nominal and reveals_party(reasons, ids):
        with node.transaction() as conn:
            audit.record(
                conn,
                actor=principal.username,
                action="score.read",
                object_type="declaration",
                object_id=declaration_id,
                reason="scored on demand; reasons shown with nominal data",
            )
    if found.get("reasons") is not None:
        found["reasons"] = redact_reasons(reasons, ids, nominal=nominal)
    return found
