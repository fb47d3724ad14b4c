"""Coordination with other border agencies: the routing rules, the referrals they create, and
the work at the border post (joint inspections, incidents, SOPs, customs inspections).

A referral's natural key is (declaration, agency): routing a declaration again never refers it
twice to the same agency. Its ``referral_id`` is a short handle for URLs and commands. Likewise a
joint inspection is one per declaration, an incident is known by its reference, an addition to
it by its entry key, an SOP version by (agency, referral type, version), an assignment and an
inspection report by their declaration.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    LargeBinary,
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

# One coordinated inspection per declaration; its parts are the agencies' own records (the
# customs outcome, each invited agency's referral), never copied here.
joint_inspections = Table(
    "joint_inspections",
    metadata,
    Column("joint_id", Integer, primary_key=True, autoincrement=True),
    Column("declaration_id", String(64), nullable=False, unique=True),
    Column("scheduled_at", DateTime(timezone=True), nullable=False, index=True),
    Column("place", String(200), nullable=False),
    Column("agencies", JSON, nullable=False),  # invited, sorted
    Column("note", Text),
    Column("planned_by", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("cancelled_at", DateTime(timezone=True)),
)

# Incident templates a node loaded (the built-in one needs no row); replaced by name.
incident_templates = Table(
    "incident_templates",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("template", JSON, nullable=False),  # the whole template, as loaded
    Column("updated_by", String(64), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

incidents = Table(
    "incidents",
    metadata,
    Column("incident_id", Integer, primary_key=True, autoincrement=True),
    Column("reference", String(64), nullable=False, unique=True),  # the natural key
    Column("template", JSON, nullable=False),  # as it was when opened: later edits break nothing
    Column("office_id", String(64), index=True),  # the border post
    Column("opened_by", String(64), nullable=False),
    Column("agency", String(64), nullable=False),  # of who opened it ("customs" for customs)
    Column("opened_at", DateTime(timezone=True), nullable=False, index=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("seizure_record_id", String(128)),  # the seizure report it became, if any
    Column("alert_record_id", String(128)),  # the alert it became, if any
)

# The opening report is entry 1; each agency's addition is the next entry.
incident_entries = Table(
    "incident_entries",
    metadata,
    Column("incident_id", Integer, primary_key=True),
    Column("entry_no", Integer, primary_key=True),
    Column("entry_key", String(64), nullable=False),  # the client's key: a retry adds nothing
    Column("agency", String(64), nullable=False),
    Column("author", String(64), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("fields", JSON, nullable=False),
    UniqueConstraint("incident_id", "entry_key"),
)

# Every version of every SOP is kept; the highest version is in force.
sops = Table(
    "sops",
    metadata,
    Column("agency", String(64), primary_key=True),
    Column("referral_type", String(64), primary_key=True),  # a rule name, or "any"
    Column("version", Integer, primary_key=True),
    Column("title", String(200), nullable=False),
    Column("body", Text, nullable=False),  # Markdown
    Column("published_by", String(64), nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=False),
)

inspection_capacity = Table(
    "inspection_capacity",
    metadata,
    Column("office_id", String(64), primary_key=True),
    Column("per_day", Integer, nullable=False),
    Column("updated_by", String(64), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

inspection_assignments = Table(
    "inspection_assignments",
    metadata,
    Column("declaration_id", String(64), primary_key=True),
    Column("officer", String(64), nullable=False),
    Column("office_id", String(64)),
    Column("day", Date, nullable=False),
    Column("assigned_by", String(64), nullable=False),
    Column("assigned_at", DateTime(timezone=True), nullable=False),
    Index("ix_inspection_assignments_office_day", "office_id", "day"),  # capacity per day
)

# The structured report behind an officer's outcome (the outcome row holds the result).
inspection_reports = Table(
    "inspection_reports",
    metadata,
    Column("declaration_id", String(64), primary_key=True),
    Column("methods", JSON, nullable=False),
    Column("findings", JSON, nullable=False),  # one per goods item examined
    Column("officer", String(64), nullable=False),
    Column("version", Integer, nullable=False),  # 1, then 2, ... for each correction
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)

# Photos of an inspection, by declaration and content digest: the same photo twice is one row.
# The bytes stay on the node (no record type the exchange serves carries them).
inspection_photos = Table(
    "inspection_photos",
    metadata,
    Column("declaration_id", String(64), primary_key=True),
    Column("sha256", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("media_type", String(32), nullable=False),
    Column("size", Integer, nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("uploaded_by", String(64), nullable=False),
    Column("uploaded_at", DateTime(timezone=True), nullable=False),
)
