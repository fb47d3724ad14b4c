"""Capacity building: training records (and so certifications), the node's certification
requirements, and the training exercises with their answer keys and attempts.

A training record's natural key is (person, course, completion day): recording it again changes
nothing, or corrects it. Certifications are read from the passed records that grant one.
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
    UniqueConstraint,
)

from borderlink.store.tables import metadata

training_records = Table(
    "training_records",
    metadata,
    Column("record_id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False),
    Column("course", String(64), nullable=False),
    Column("title", Text),
    Column("started_on", Date),
    Column("completed_on", Date, nullable=False),
    Column("result", String(16), nullable=False),  # see borderlink.model.capacity
    Column("score", Float),
    Column("certification", String(64), index=True),  # what passing it certifies
    Column("expires_on", Date),  # the certification's last valid day; null: never lapses
    Column("note", Text),
    Column("source", String(80), nullable=False),  # "recorded" or "exercise:<name>"
    Column("recorded_by", String(64), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("withdrawn_at", DateTime(timezone=True)),  # a certification withdrawn before expiry
    Column("withdrawn_by", String(64)),
    UniqueConstraint("username", "course", "completed_on"),
    Index("ix_training_records_username_certification", "username", "certification"),
)

# The node's rules: an action (borderlink.model.capacity.GatedAction) needs a certification.
certification_requirements = Table(
    "certification_requirements",
    metadata,
    Column("action", String(32), primary_key=True),
    Column("certification", String(64), nullable=False),
    Column("reason", Text, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("updated_by", String(64), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# Exercises installed on this (sandbox) node, each over a window of its declarations.
exercises = Table(
    "exercises",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("definition", JSON, nullable=False),  # borderlink.model.capacity.Exercise
    Column("window_from", Date, nullable=False),
    Column("window_to", Date, nullable=False),
    Column("updated_by", String(64), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# The planted truth of a sandbox's synthetic declarations, which exercises are marked against:
# never shown to a trainee.
planted_patterns = Table(
    "planted_patterns",
    metadata,
    Column("declaration_id", String(64), primary_key=True),
    Column("pattern", String(32), primary_key=True),
    Column("declared_on", Date, nullable=False, index=True),
)

exercise_attempts = Table(
    "exercise_attempts",
    metadata,
    Column("attempt_id", Integer, primary_key=True, autoincrement=True),
    Column("exercise", String(64), nullable=False),
    Column("username", String(64), nullable=False),
    Column("answer", Text, nullable=False),  # the ids, or the profile expression
    Column("submitted", Integer, nullable=False),
    Column("correct", Integer, nullable=False),
    Column("expected", Integer, nullable=False),
    Column("precision", Float, nullable=False),
    Column("recall", Float, nullable=False),
    Column("score", Float, nullable=False),
    Column("passed", Boolean, nullable=False),
    Column("attempted_at", DateTime(timezone=True), nullable=False),
    Index("ix_exercise_attempts_username_exercise", "username", "exercise"),
)
