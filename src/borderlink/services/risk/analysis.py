"""What risk analysts read and change through the API and the pages: profiles (with their hit
rates, a replay over history before saving) and the trained models. Role checks live here."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select

from borderlink.risk import Profile
from borderlink.services.accounts.access import Permission, Principal, require
from borderlink.services.node import Node
from borderlink.services.risk import profiles
from borderlink.services.risk import score as risk
from borderlink.store.risk_tables import risk_models


class ProfileView(BaseModel):
    profile: Profile
    hits: int = 0
    inspected: int = 0
    illicit: int = 0
    hit_rate: float | None = None


class ModelView(BaseModel):
    version: str
    trained_from: dt.date | None
    trained_to: dt.date | None
    n_train: int
    features: list[str]
    metrics: dict[str, Any] | None
    created_by: str
    created_at: dt.datetime


def list_profiles(node: Node, principal: Principal) -> list[ProfileView]:
    require(principal, Permission.PROFILES_READ)
    rates = risk.profile_hit_rates(node)
    views = []
    for p in profiles.list_profiles(node):
        found = rates.get(p.name, {})
        inspected = int(found.get("inspected", 0))
        views.append(
            ProfileView(
                profile=p,
                hits=int(found.get("hits", 0)),
                inspected=inspected,
                illicit=int(found.get("illicit", 0)),
                hit_rate=float(found["hit_rate"]) if inspected else None,
            )
        )
    return views


def save_profile(node: Node, principal: Principal, profile: Profile) -> Profile:
    require(principal, Permission.PROFILES_MANAGE)
    return profiles.add_profile(
        node, profile.model_copy(update={"owner": principal.username}), actor=principal.username
    )


def test_profile(node: Node, principal: Principal, profile: Profile) -> dict[str, Any]:
    """Replay over stored history: how many it would have hit, and their hit rate."""
    require(principal, Permission.PROFILES_MANAGE)
    return profiles.replay_profile(node, profile)


def disable_profile(node: Node, principal: Principal, name: str) -> Profile:
    require(principal, Permission.PROFILES_MANAGE)
    return profiles.disable_profile(node, name, actor=principal.username)


def list_models(node: Node, principal: Principal) -> list[ModelView]:
    require(principal, Permission.PROFILES_READ)
    with node.engine.connect() as conn:
        rows = conn.execute(select(risk_models).order_by(risk_models.c.created_at.desc())).all()
    return [
        ModelView(
            version=r.version,
            trained_from=r.trained_from,
            trained_to=r.trained_to,
            n_train=r.n_train,
            features=list(r.features),
            metrics=r.metrics,
            created_by=r.created_by,
            created_at=r.created_at if r.created_at.tzinfo else r.created_at.replace(tzinfo=dt.UTC),
        )
        for r in rows
    ]
