"""Trained risk models as stored: the newest, or a named version, loaded once per process.

Its own module so that scoring (``score``) and profile replay (``profiles``) both read models
without importing each other.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from borderlink import risk
from borderlink.errors import NotFound
from borderlink.services.node import Node
from borderlink.store.risk_tables import risk_models

_LOADED: dict[str, risk.RiskModel] = {}


def load_model(node: Node, version: str | None = None) -> risk.RiskModel:
    """The named model version, or the newest one recorded."""
    query = select(risk_models.c.version, risk_models.c.path)
    if version:
        query = query.where(risk_models.c.version == version)
    else:
        query = query.order_by(risk_models.c.created_at.desc()).limit(1)
    with node.engine.connect() as conn:
        row = conn.execute(query).first()
    if row is None:
        raise NotFound(f"risk model {version}" if version else "no risk model trained yet")
    key = f"{row.path}"
    if key not in _LOADED:  # models are immutable (hash-checked), so a cache is safe
        _LOADED[key] = risk.load(Path(row.path))
    return _LOADED[key]
