"""Risk tables: trained models, versioned profiles, scores and the profiles each score hit.

Profile hit rates are not stored: they are counted from ``profile_hits`` joined to ``outcomes``,
so recording an outcome updates them at once.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from borderlink.store.tables import metadata

risk_models = Table(
    "risk_models",
    metadata,
    Column("version", String(64), primary_key=True),  # rm-<window end>-<sha256 prefix>
    Column("sha256", String(64), nullable=False),
    Column("path", Text, nullable=False),
    Column("trained_from", Date),
    Column("trained_to", Date),
    Column("n_train", Integer, nullable=False),
    Column("features", JSON, nullable=False),
    Column("metrics", JSON),
    Column("config", JSON),
    Column("created_by", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
    # Promoting an older model makes it the active one again: the active model is the one with
    # the latest of these two times (see services.risk.models.active_order).
    Column("promoted_at", DateTime(timezone=True)),
    Column("promoted_by", String(64)),
)

profiles = Table(
    "profiles",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("version", Integer, primary_key=True),  # every edit adds a version
    Column("expression", Text, nullable=False),
    Column("weight", Float, nullable=False, default=0.0),
    Column("channel", String(8)),  # forced channel: red, yellow or null
    Column("reason", Text, nullable=False),
    Column("valid_from", Date),
    Column("valid_to", Date),
    Column("owner", String(64), nullable=False),
    Column("enabled", Boolean, nullable=False, default=True),
    Column("created_by", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

scores = Table(
    "scores",
    metadata,
    Column("declaration_id", String(64), primary_key=True),
    Column("model_version", String(64), primary_key=True),
    Column("score", Float, nullable=False),  # the model's probability
    Column("risk", Float, nullable=False),  # combined with the profiles
    Column("channel", String(8), nullable=False, index=True),
    Column("selection", String(8), nullable=False),  # profile, risk, random, none
    Column("reasons", JSON),
    Column("scored_at", DateTime(timezone=True), nullable=False),
)

profile_hits = Table(
    "profile_hits",
    metadata,
    Column("declaration_id", String(64), primary_key=True),
    Column("profile_name", String(64), primary_key=True, index=True),
    Column("profile_version", Integer, nullable=False),
    Column("hit_at", DateTime(timezone=True), nullable=False),
)

# The declarations still waiting for an officer: those whose newest score is red or yellow,
# with no outcome yet and not cancelled, one row each, kept in step by every write of scores
# and outcomes (and an amendment) in the same transaction
# (:mod:`borderlink.services.risk.waiting`). The queue of every one waiting reads it instead of
# every declaration ever scored; ``declared_on`` joins the declaration by its partition key
# (PostgreSQL reads one partition per row), ``model_version`` the score's reasons by theirs.
waiting = Table(
    "waiting",
    metadata,
    Column("declaration_id", String(64), primary_key=True),
    Column("declared_on", Date, nullable=False),
    Column("office_id", String(64)),
    Column("channel", String(8), nullable=False),
    Column("risk", Float, nullable=False),
    Column("model_version", String(64), nullable=False),
)
# In the queue's order (red before yellow, riskiest first), of all offices and of one.
Index("ix_waiting_queue", waiting.c.channel, waiting.c.risk.desc())
Index("ix_waiting_office", waiting.c.office_id, waiting.c.channel, waiting.c.risk.desc())
