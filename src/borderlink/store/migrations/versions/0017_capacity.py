"""Capacity building: training records (certifications), certification requirements, training
exercises with their answer keys and attempts; an outcome's inspection method.

Revision ID: 0017_capacity
Revises: 0017_trusted_traders
Create Date: 2026-12-02 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017_capacity"
down_revision: str | Sequence[str] | None = "0017_trusted_traders"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _training_records() -> None:
    op.create_table(
        "training_records",
        sa.Column("record_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("course", sa.String(length=64), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("started_on", sa.Date(), nullable=True),
        sa.Column("completed_on", sa.Date(), nullable=False),
        sa.Column("result", sa.String(length=16), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("certification", sa.String(length=64), nullable=True),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("source", sa.String(length=80), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_by", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("record_id", name=op.f("pk_training_records")),
        sa.UniqueConstraint(
            "username", "course", "completed_on", name=op.f("uq_training_records_username")
        ),
    )
    with op.batch_alter_table("training_records", schema=None) as batch_op:
        batch_op.create_index("ix_training_records_certification", ["certification"], unique=False)
        batch_op.create_index(
            "ix_training_records_username_certification",
            ["username", "certification"],
            unique=False,
        )


def _exercises() -> None:
    op.create_table(
        "exercises",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("window_from", sa.Date(), nullable=False),
        sa.Column("window_to", sa.Date(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_exercises")),
    )
    op.create_table(
        "planted_patterns",
        sa.Column("declaration_id", sa.String(length=64), nullable=False),
        sa.Column("pattern", sa.String(length=32), nullable=False),
        sa.Column("declared_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("declaration_id", "pattern", name=op.f("pk_planted_patterns")),
    )
    with op.batch_alter_table("planted_patterns", schema=None) as batch_op:
        batch_op.create_index("ix_planted_patterns_declared_on", ["declared_on"], unique=False)
    op.create_table(
        "exercise_attempts",
        sa.Column("attempt_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("exercise", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("submitted", sa.Integer(), nullable=False),
        sa.Column("correct", sa.Integer(), nullable=False),
        sa.Column("expected", sa.Integer(), nullable=False),
        sa.Column("precision", sa.Float(), nullable=False),
        sa.Column("recall", sa.Float(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("attempt_id", name=op.f("pk_exercise_attempts")),
    )
    with op.batch_alter_table("exercise_attempts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_exercise_attempts_username_exercise", ["username", "exercise"], unique=False
        )


def upgrade() -> None:
    _training_records()
    op.create_table(
        "certification_requirements",
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("certification", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("action", name=op.f("pk_certification_requirements")),
    )
    _exercises()
    with op.batch_alter_table("outcomes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("method", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outcomes", schema=None) as batch_op:
        batch_op.drop_column("method")
    with op.batch_alter_table("exercise_attempts", schema=None) as batch_op:
        batch_op.drop_index("ix_exercise_attempts_username_exercise")
    op.drop_table("exercise_attempts")
    with op.batch_alter_table("planted_patterns", schema=None) as batch_op:
        batch_op.drop_index("ix_planted_patterns_declared_on")
    op.drop_table("planted_patterns")
    op.drop_table("exercises")
    op.drop_table("certification_requirements")
    with op.batch_alter_table("training_records", schema=None) as batch_op:
        batch_op.drop_index("ix_training_records_username_certification")
        batch_op.drop_index("ix_training_records_certification")
    op.drop_table("training_records")
