"""Risk use cases: train a model from stored outcomes, score declarations, record outcomes
(evaluating on files is :mod:`borderlink.services.risk.evaluation`).

Declarations are read from the store item by item (declarations ⋈ goods_items, outcomes joined
by declaration). The model scores each item and a declaration takes its riskiest item (see
:mod:`borderlink.risk.scoring`): unit value, HS code and origin are item facts, and one bad
item is enough to inspect the consignment. Training labels are per declaration, so each item of
an illicit declaration counts as illicit.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import Connection, and_, case, func, select

from borderlink import risk
from borderlink.errors import InvalidInput, NotFound
from borderlink.model.outcome import Outcome
from borderlink.services.accounts import audit
from borderlink.services.coordination.routing import RouteSummary, compiled_rules, route_scored
from borderlink.services.node import Node
from borderlink.services.risk._store import read_items, unscored_days
from borderlink.services.risk.models import load_model as load_model  # its callers read it here
from borderlink.services.risk.profiles import load_active_profiles
from borderlink.services.screening.partner_alerts import alerts_in_force, apply_alerts
from borderlink.store.bulk import insert_ignore
from borderlink.store.risk_tables import profile_hits, risk_models, scores
from borderlink.store.tables import declarations, outcomes

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ModelInfo:
    version: str
    sha256: str
    path: str
    trained_from: dt.date | None
    trained_to: dt.date | None
    n_train: int
    metrics: dict[str, Any]


@dataclass(frozen=True)
class ScoreSummary:
    model_version: str
    scored: int
    skipped: int
    channels: dict[str, int] = field(default_factory=dict)
    referred: dict[str, int] = field(default_factory=dict)  # new referrals per agency


# --- models ------------------------------------------------------------------------------------


def models_dir(node: Node) -> Path:
    return node.settings.data_dir / "models"


def train(
    node: Node,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    config: risk.ModelConfig | None = None,
    actor: str = "cli",
) -> ModelInfo:
    """Train on every stored declaration with an outcome (in the window), save and record it."""
    frame = read_items(node.engine, since=since, until=until, labelled_only=True)
    if frame.height == 0:
        raise InvalidInput("no declarations with inspection outcomes to learn from")
    model = risk.train(frame, config)
    path = risk.save(model, models_dir(node))
    info = ModelInfo(
        model.version,
        model.sha256,
        str(path),
        model.trained_from,
        model.trained_to,
        model.n_train,
        model.metrics,
    )
    with node.engine.begin() as conn:
        insert_ignore(
            conn,
            risk_models,
            [
                {
                    "version": info.version,
                    "sha256": info.sha256,
                    "path": info.path,
                    "trained_from": info.trained_from,
                    "trained_to": info.trained_to,
                    "n_train": info.n_train,
                    "features": model.features,
                    "metrics": _jsonable(model.metrics),
                    "config": _jsonable(asdict(model.config)),
                    "created_by": actor,
                    "created_at": dt.datetime.now(dt.UTC),
                }
            ],
        )
        audit.record(
            conn,
            actor=actor,
            action="risk.train",
            object_type="risk_model",
            object_id=info.version,
            details={"n_train": info.n_train, "metrics": _jsonable(model.metrics)},
        )
    return info


def _jsonable(value: Any) -> Any:
    """Plain JSON values; NaN and infinities (an AUC on a validation month without positives)
    become null, since PostgreSQL's json type has no NaN."""

    def finite(item: Any) -> Any:
        if isinstance(item, float) and not math.isfinite(item):
            return None
        if isinstance(item, dict):
            return {key: finite(inner) for key, inner in item.items()}
        if isinstance(item, list):
            return [finite(inner) for inner in item]
        return item

    return finite(json.loads(json.dumps(value, default=str)))


# --- scoring -----------------------------------------------------------------------------------


def capacity(node: Node) -> risk.CapacityPolicy:
    """The node's configured inspection capacity (``BORDERLINK_RISK_*_SHARE``)."""
    s = node.settings
    return risk.CapacityPolicy(s.risk_red_share, s.risk_yellow_share, s.risk_random_share)


def _store_scores(conn: Connection, scored: pl.DataFrame, version: str) -> None:
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


def _store_hits(conn: Connection, scored: pl.DataFrame, versions: dict[str, int]) -> None:
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


def score_batch(
    node: Node,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    version: str | None = None,
    policy: risk.CapacityPolicy | None = None,
    seed: int | None = None,
    as_of: dt.date | None = None,
    actor: str = "cli",
    progress: Progress | None = None,
) -> ScoreSummary:
    """Score the stored declarations this model has not scored yet, one day's flow at a time.

    Capacity quotas apply per day. Idempotent: a declaration already scored by this model
    version is skipped.
    """
    model = load_model(node, version)
    policy = policy or capacity(node)
    compiled = risk.compile_profiles(
        load_active_profiles(node, as_of or dt.datetime.now(dt.UTC).date())
    )
    versions = {c.profile.name: c.profile.version for c in compiled}
    days = unscored_days(node.engine, model.version, since, until)
    channels: dict[str, int] = {"red": 0, "yellow": 0, "green": 0}
    scored_count = 0
    flows = (  # read lazily: only the flows being scored (two) and the next are in memory
        read_items(node.engine, since=day, until=day, unscored_for=model.version) for day in days
    )
    alerts = alerts_in_force(node, as_of or dt.datetime.now(dt.UTC).date())
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
        with node.engine.begin() as conn:
            _store_scores(conn, out, model.version)
            _store_hits(conn, out, versions)
            if items is not None:
                routed += route_scored(conn, items, out, rules, actor=actor).figures_only()
        for name, n in out["channel"].value_counts().iter_rows():
            channels[name] = channels.get(name, 0) + n
        scored_count += out.height
        if progress:
            progress(i + 1, len(days))
    with node.engine.begin() as conn:
        audit.record(
            conn,
            actor=actor,
            action="risk.score",
            object_type="risk_model",
            object_id=model.version,
            details={"scored": scored_count, "channels": channels, "referred": routed.agencies},
        )
    return ScoreSummary(model.version, scored_count, 0, channels, routed.agencies)


CUTOFF_SAMPLE = 100_000


def _thresholds(node: Node, model_version: str, policy: risk.CapacityPolicy) -> tuple[float, float]:
    """Risk cut-offs for red and yellow: quantiles of this model's latest scores.

    Reading them is the one part of a single score that grows with the node's history (up to
    ``CUTOFF_SAMPLE`` rows), and they move slowly, so they are kept for
    ``risk_cutoff_seconds``.
    """
    # (model version, shares) -> (monotonic time read, red cut-off, yellow cut-off)
    cutoffs: dict[tuple[str, float, float], tuple[float, float, float]]
    cutoffs = node.cache.setdefault("risk_cutoffs", {})
    key = (model_version, policy.red_share, policy.yellow_share)
    now = time.monotonic()
    cached = cutoffs.get(key)
    if cached is not None and now - cached[0] < node.settings.risk_cutoff_seconds:
        return cached[1], cached[2]
    with node.engine.connect() as conn:
        risks = (
            conn.execute(
                select(scores.c.risk)
                .where(scores.c.model_version == model_version)
                .order_by(scores.c.scored_at.desc())
                .limit(CUTOFF_SAMPLE)
            )
            .scalars()
            .all()
        )
    if not risks:
        return 0.5, 0.3  # nothing scored yet: fixed cut-offs, and look again next time
    series = pl.Series(risks, dtype=pl.Float64)
    red = float(series.quantile(1 - policy.red_share) or 1.0)
    yellow = float(series.quantile(1 - policy.red_share - policy.yellow_share) or 1.0)
    cutoffs[key] = (now, red, yellow)
    return red, yellow


def score_one(
    node: Node,
    declaration_id: str,
    *,
    version: str | None = None,
    policy: risk.CapacityPolicy | None = None,
    as_of: dt.date | None = None,
    route: bool = True,
    actor: str = "risk.score",
) -> dict[str, Any]:
    """Score one declaration on arrival and store it (no quota: the cut-offs are the risk
    quantiles of this model's recent scores). Returns the stored score with its reasons.

    With ``route`` and active agency rules, the declaration is also referred where they say
    (``referred``: the agencies newly referred to).
    """
    found = score_many(
        node,
        [declaration_id],
        version=version,
        policy=policy,
        as_of=as_of,
        route=route,
        actor=actor,
    )
    if declaration_id not in found:
        raise NotFound(f"declaration {declaration_id} not found")
    return found[declaration_id]


def score_many(
    node: Node,
    declaration_ids: Sequence[str],
    *,
    version: str | None = None,
    policy: risk.CapacityPolicy | None = None,
    as_of: dt.date | None = None,
    route: bool = True,
    actor: str = "risk.score",
) -> dict[str, dict[str, Any]]:
    """:func:`score_one` for several declarations at once, by id; unknown ids are left out.

    Each declaration gets exactly what it would get alone (channels come from the cut-offs, not
    from a quota over the group), so requests that arrive together can be scored together.
    """
    policy = policy or capacity(node)
    model = load_model(node, version)
    frame = read_items(node.engine, declaration_ids=list(dict.fromkeys(declaration_ids)))
    if frame.height == 0:
        return {}
    on = as_of or dt.datetime.now(dt.UTC).date()
    compiled = risk.compile_profiles(load_active_profiles(node, on))
    red, yellow = _thresholds(node, model.version, policy)
    items = risk.score_items(model, frame, compiled)
    decls = risk.scoring.to_declarations(items)
    by_risk = (
        pl.when(pl.col("risk") >= red)
        .then(pl.lit("red"))
        .when(pl.col("risk") >= yellow)
        .then(pl.lit("yellow"))
        .otherwise(pl.lit("green"))
    )
    decls = decls.with_columns(pl.coalesce(pl.col("forced_channel"), by_risk).alias("channel"))
    decls = decls.with_columns(
        pl.when(pl.col("forced_channel").is_not_null())
        .then(pl.lit("profile"))
        .when(pl.col("channel") != "green")
        .then(pl.lit("risk"))
        .otherwise(pl.lit("none"))
        .alias("selection")
    )
    scored = risk.scoring.attach_reasons(model, items, decls, compiled)
    scored = apply_alerts(scored, frame, alerts_in_force(node, on))
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
        for row in scored.iter_rows(named=True)
    }
    rules = compiled_rules(node) if route else []
    with node.engine.begin() as conn:
        _store_scores(conn, scored, model.version)
        _store_hits(conn, scored, {c.profile.name: c.profile.version for c in compiled})
        routed = route_scored(conn, frame, scored, rules, actor=actor)
    for declaration_id, agency in sorted(routed.created):
        results[declaration_id]["referred"].append(agency)
    return results


# --- feedback ----------------------------------------------------------------------------------


def record_outcome(node: Node, outcome: Outcome, *, actor: str = "officer") -> None:
    """Store an inspection result (replacing an earlier one for the declaration).

    It becomes training data for the next model, and the hit rates of the profiles that fired
    on the declaration change with it (they are counted from ``profile_hits`` ⋈ ``outcomes``).
    """
    with node.engine.begin() as conn:
        exists = conn.execute(
            select(declarations.c.declaration_id).where(
                declarations.c.declaration_id == outcome.declaration_id
            )
        ).first()
        if exists is None:
            raise NotFound(f"declaration {outcome.declaration_id} not found")
        conn.execute(outcomes.delete().where(outcomes.c.declaration_id == outcome.declaration_id))
        conn.execute(
            outcomes.insert().values(
                **outcome.model_dump(),
                source="officer",
                recorded_at=dt.datetime.now(dt.UTC),
            )
        )
        audit.record(
            conn,
            actor=actor,
            action="risk.outcome",
            object_type="declaration",
            object_id=outcome.declaration_id,
            details={"illicit": outcome.illicit, "severity": outcome.severity},
        )


def profile_hit_rates(node: Node) -> dict[str, dict[str, float]]:
    """Per profile: hits, hits with a known outcome, illicit among them, hit rate."""
    query = (
        select(
            profile_hits.c.profile_name,
            func.count().label("hits"),
            func.count(outcomes.c.declaration_id).label("inspected"),
            func.sum(case((outcomes.c.illicit.is_(True), 1), else_=0)).label("illicit"),
        )
        .select_from(
            profile_hits.outerjoin(
                outcomes, and_(outcomes.c.declaration_id == profile_hits.c.declaration_id)
            )
        )
        .group_by(profile_hits.c.profile_name)
    )
    with node.engine.connect() as conn:
        rows = conn.execute(query).all()
    return {
        r.profile_name: {
            "hits": r.hits,
            "inspected": r.inspected,
            "illicit": int(r.illicit or 0),
            "hit_rate": (int(r.illicit or 0) / r.inspected) if r.inspected else 0.0,
        }
        for r in rows
    }
