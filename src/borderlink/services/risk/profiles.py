"""Profile use cases: save (a new version), list (with hit rates), show, disable (also a new
version), replay (over stored history, before saving). A profile's current state is its
highest version; older versions stay, so every score can be traced to the profile text that
made it. Reading needs ``profiles:read``, changing and replaying ``profiles:manage``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl
import yaml
from pydantic import BaseModel, ValidationError
from sqlalchemy import Connection, and_, case, func, select

from borderlink import risk
from borderlink.errors import ExpressionError, InvalidInput, NotFound
from borderlink.model import GatedAction
from borderlink.services.accounts import audit
from borderlink.services.accounts.access import Permission, Principal, require
from borderlink.services.capacity.certifications import require_certified
from borderlink.services.cooperation.operations import operation_profiles
from borderlink.services.node import Node
from borderlink.services.risk._store import read_items
from borderlink.services.risk.models import load_model
from borderlink.store.risk_tables import profile_hits, profiles
from borderlink.store.tables import outcomes

FIELDS = (
    "name",
    "expression",
    "weight",
    "channel",
    "reason",
    "valid_from",
    "valid_to",
    "owner",
    "enabled",
    "version",
)


SAMPLE = 20  # declarations a replay lists by id
BROAD_SHARE = 0.5  # a replay hitting more of the checked flow than this carries a warning


class ProfileView(BaseModel):
    profile: risk.Profile
    hits: int = 0
    inspected: int = 0
    illicit: int = 0
    hit_rate: float | None = None  # illicit / inspected; None before any inspection


def _to_profile(row: Any) -> risk.Profile:
    return risk.Profile(**{f: getattr(row, f) for f in FIELDS})


def parse_profiles(data: Any) -> list[risk.Profile]:
    """Profiles from parsed YAML/JSON: one mapping, a list, or ``{"profiles": [...]}``."""
    if isinstance(data, dict) and "profiles" in data:
        data = data["profiles"]
    items = data if isinstance(data, list) else [data]
    out = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise InvalidInput(f"profile #{i + 1} is not a mapping")
        try:
            out.append(risk.Profile(**item))
        except ExpressionError as error:
            raise ExpressionError(
                f"profile {item.get('name')!r}: {error.detail}",
                position=error.position,
                field="expression",
            ) from None
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or None
            raise InvalidInput(
                f"profile #{i + 1} ({item.get('name')!r}): {first['msg']}", field=where
            ) from None
    return out


def read_profiles_file(path: Path) -> list[risk.Profile]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise InvalidInput(f"cannot read profiles from {path}: {error}") from None
    return parse_profiles(data)


def _latest(conn: Connection, name: str) -> risk.Profile | None:
    row = conn.execute(
        select(profiles).where(profiles.c.name == name).order_by(profiles.c.version.desc()).limit(1)
    ).first()
    return _to_profile(row) if row is not None else None


def _write(conn: Connection, profile: risk.Profile, actor: str, action: str) -> risk.Profile:
    current = _latest(conn, profile.name)
    version = current.version + 1 if current else 1
    stored = profile.model_copy(update={"version": version})
    conn.execute(
        profiles.insert().values(
            **stored.model_dump(), created_by=actor, created_at=dt.datetime.now(dt.UTC)
        )
    )
    audit.record(
        conn,
        actor=actor,
        action=action,
        object_type="profile",
        object_id=f"{stored.name}@{version}",
        details={"expression": stored.expression, "enabled": stored.enabled},
    )
    return stored


def save_profile(node: Node, principal: Principal, profile: risk.Profile) -> risk.Profile:
    """Store the profile as a new version (1 for a new name); an identical one is not repeated.

    The owner is the person saving it; a system principal (the CLI loading a file) keeps the
    owner the profile names.
    """
    require(principal, Permission.PROFILES_MANAGE)
    if not principal.is_system:
        profile = profile.model_copy(update={"owner": principal.username})
    with node.transaction() as conn:
        if profile.enabled and profile.channel == "red":
            require_certified(conn, principal, GatedAction.PROFILE_FORCE_RED)
        current = _latest(conn, profile.name)
        if current and current.model_dump(exclude={"version"}) == profile.model_dump(
            exclude={"version"}
        ):
            return current
        return _write(conn, profile, principal.username, "profile.add")


def disable_profile(node: Node, principal: Principal, name: str) -> risk.Profile:
    require(principal, Permission.PROFILES_MANAGE)
    with node.transaction() as conn:
        current = _latest(conn, name)
        if current is None:
            raise NotFound(f"profile {name} not found")
        if not current.enabled:
            return current
        disabled = current.model_copy(update={"enabled": False})
        return _write(conn, disabled, principal.username, "profile.disable")


def enable_profile(node: Node, principal: Principal, name: str) -> risk.Profile:
    """Enable a disabled profile again: a new version, as every change is."""
    require(principal, Permission.PROFILES_MANAGE)
    with node.transaction() as conn:
        current = _latest(conn, name)
        if current is None:
            raise NotFound(f"profile {name} not found")
        if current.enabled:
            return current
        if current.channel == "red":
            require_certified(conn, principal, GatedAction.PROFILE_FORCE_RED)
        enabled = current.model_copy(update={"enabled": True})
        return _write(conn, enabled, principal.username, "profile.enable")


class ProfileVersion(BaseModel):
    profile: risk.Profile
    created_by: str
    created_at: dt.datetime


def profile_history(node: Node, principal: Principal, name: str) -> list[ProfileVersion]:
    """Every version of a profile, newest first, with who stored it and when."""
    require(principal, Permission.PROFILES_READ)
    with node.read() as conn:
        rows = conn.execute(
            select(profiles).where(profiles.c.name == name).order_by(profiles.c.version.desc())
        ).all()
    if not rows:
        raise NotFound(f"profile {name} not found")
    return [
        ProfileVersion(profile=_to_profile(r), created_by=r.created_by, created_at=r.created_at)
        for r in rows
    ]


def get_profile(
    node: Node, principal: Principal, name: str, version: int | None = None
) -> risk.Profile:
    require(principal, Permission.PROFILES_READ)
    query = select(profiles).where(profiles.c.name == name)
    if version is not None:
        query = query.where(profiles.c.version == version)
    with node.read() as conn:
        row = conn.execute(query.order_by(profiles.c.version.desc()).limit(1)).first()
    if row is None:
        raise NotFound(
            f"profile {name}" + (f" version {version}" if version else "") + " not found"
        )
    return _to_profile(row)


def _current(node: Node) -> list[risk.Profile]:
    """The current (highest) version of every profile, by name."""
    newest = (
        select(profiles.c.name, func.max(profiles.c.version).label("version"))
        .group_by(profiles.c.name)
        .subquery()
    )
    query = (
        select(profiles)
        .join(
            newest,
            (profiles.c.name == newest.c.name) & (profiles.c.version == newest.c.version),
        )
        .order_by(profiles.c.name)
    )
    with node.read() as conn:
        return [_to_profile(r) for r in conn.execute(query).all()]


def list_profiles(node: Node, principal: Principal) -> list[ProfileView]:
    """Every profile's current version, with its hits and their hit rate."""
    require(principal, Permission.PROFILES_READ)
    rates = _hit_rates(node)
    views = []
    for p in _current(node):
        hits, inspected, illicit = rates.get(p.name, (0, 0, 0))
        views.append(
            ProfileView(
                profile=p,
                hits=hits,
                inspected=inspected,
                illicit=illicit,
                hit_rate=illicit / inspected if inspected else None,
            )
        )
    return views


def _hit_rates(node: Node) -> dict[str, tuple[int, int, int]]:
    """Per profile: hits, hits with a known outcome, illicit among them."""
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
    with node.read() as conn:
        rows = conn.execute(query).all()
    return {r.profile_name: (r.hits, r.inspected, int(r.illicit or 0)) for r in rows}


# Read by every score; built once (SQLAlchemy keeps its cache key on the statement).
PROFILES_STATE = select(func.count(), func.max(profiles.c.created_at))


def compiled_active(node: Node, on: dt.date) -> list[risk.CompiledProfile]:
    """:func:`load_active_profiles` compiled, from the node's cache while no profile changed.

    Profiles are only ever added (an edit or a disable is a new version), so the number of rows
    and the newest row's time say whether the set changed, in one small query; this holds
    across the server's processes, each with its own cache."""
    with node.read() as conn:
        state = tuple(conn.execute(PROFILES_STATE).one())
    current = node.runtime.profiles.get(state, lambda: risk.compile_profiles(_current(node)))
    return [c for c in current if c.profile.is_active(on)]


def load_active_profiles(node: Node, on: dt.date) -> list[risk.Profile]:
    """The current versions that may fire on ``on`` (enabled, inside their validity).

    Not a use case: scoring reads them for whoever it scores for. With them, the shared
    profiles of the joint operations this node takes part in that run on ``on``.
    """
    return risk.active(_current(node), on) + operation_profiles(node, on)


def replay_profile(
    node: Node,
    principal: Principal,
    profile: risk.Profile,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    model_version: str | None = None,
) -> dict[str, Any]:
    """Replay a profile over stored history: declarations it would have hit (a count and a
    sample of ids), the share of the checked declarations that is, whether that share is so
    large the profile is likely a mistake, and its hit rate (share of the hits with a known
    outcome that were illicit). Uses the newest model's
    feature state for references and trader history (none: references are empty)."""
    require(principal, Permission.PROFILES_MANAGE)
    frame = read_items(node, since=since, until=until)
    compiled = risk.compile_profiles([profile])
    if frame.height == 0:
        return _replay_summary(profile.name, pl.DataFrame())
    try:
        model = load_model(node, model_version)
        items = risk.score_items(model, frame, compiled)
    except NotFound:
        # Past illicit rates from the inspected declarations only: an empty outcome is "not
        # inspected", never "compliant" (with nothing inspected, every rate is the prior, 0).
        labelled = frame.filter(pl.col("illicit").is_not_null())
        state = risk.features.fit_state(
            labelled if labelled.height else frame.with_columns(pl.col("illicit").fill_null(False))
        )
        items = risk.apply_profiles(risk.transform(frame, state), compiled)
    return _replay_summary(profile.name, items)


def _replay_summary(name: str, items: pl.DataFrame) -> dict[str, Any]:
    """Per declaration (any of its items hit): the counts, the share, a sample of ids."""
    if items.height == 0:
        return {"profile": name, "declarations": 0, "hits": 0, "inspected": 0, "illicit": 0} | {
            "hit_rate": None,
            "hit_share": None,
            "broad": False,
            "sample": [],
        }
    per_decl = items.group_by("declaration_id").agg(
        (pl.col("profile_hits").list.len() > 0).any().alias("hit"),
        pl.col("illicit").max().alias("illicit"),
    )
    hits = per_decl.filter(pl.col("hit"))
    inspected = hits.filter(pl.col("illicit").is_not_null())
    illicit = int(inspected["illicit"].cast(pl.Int64).sum())
    share = hits.height / per_decl.height
    sample = hits["declaration_id"].cast(pl.Utf8).sort(descending=True).head(SAMPLE).to_list()
    return {
        "profile": name,
        "declarations": per_decl.height,
        "hits": hits.height,
        "inspected": inspected.height,
        "illicit": illicit,
        "hit_rate": round(illicit / inspected.height, 4) if inspected.height else None,
        # The baseline: what share of the flow it selects. A profile that selects most of it
        # (``value / 0 > 1``) is a mistake, not targeting.
        "hit_share": round(share, 4),
        "broad": share > BROAD_SHARE,
        "sample": sample,
    }


def matching_declarations(
    node: Node, profile: risk.Profile, *, since: dt.date, until: dt.date
) -> set[str]:
    """The stored declarations in [since, until] a profile hits, trader history and references
    learned from what was inspected before ``since`` (for marking a trainee's profile; the
    caller authorises)."""
    frame = read_items(node, since=since, until=until)
    if frame.height == 0:
        return set()
    history = read_items(node, until=since - dt.timedelta(days=1))
    labelled = history.filter(pl.col("illicit").is_not_null())
    if labelled.height == 0:
        labelled = frame.with_columns(pl.lit(False).alias("illicit"))
    state = risk.features.fit_state(labelled)
    items = risk.apply_profiles(risk.transform(frame, state), risk.compile_profiles([profile]))
    hits = items.filter(pl.col("profile_hits").list.len() > 0)
    return set(hits["declaration_id"].cast(pl.Utf8).to_list())
