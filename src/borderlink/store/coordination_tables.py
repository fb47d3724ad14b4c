"""Coordination with other border agencies: the routing rules, and the referrals they create.

A referral's natural key is (declaration, agency): routing a declaration again never refers it
twice to the same agency. Its ``referral_id`` is a short handle for URLs and commands.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from borderlink.store.tables import metadata

# The current version of each rule, replaced by name (the audit log keeps every change).
agency_rules = Table(
    "agency_rules",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("agency", String(64), nullable=False, index=True),
    Column("condition", Text, nullable=False),  # the risk profile language
    Column("reason", Text, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("updated_by", String(64), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

referrals = Table(
    "referrals",
    metadata,
    Column("referral_id", Integer, primary_key=True, autoincrement=True),
    Column("declaration_id", String(64), nullable=False),
    Column("agency", String(64), nullable=False),
    Column("rules", JSON, nullable=False),  # names of the rules that matched
    Column("reasons", JSON, nullable=False),  # their reasons, in the same order
    Column("status", String(16), nullable=False),  # see borderlink.model.referral
    Column("finding", Text),  # the agency's finding or decision, in its words
    Column("answered_by", String(64)),  # the agency officer who answered last
    Column("created_by", String(64), nullable=False),  # who (or what) routed it
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
    Column("acknowledged_at", DateTime(timezone=True)),  # first response of the agency
    Column("answered_at", DateTime(timezone=True)),  # first decision: cleared, held, rejected
    Column("closed_at", DateTime(timezone=True)),  # final: cleared or rejected
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("declaration_id", "agency"),
    Index("ix_referrals_agency_status", "agency", "status"),  # an agency's work list
)
