"""Quarantine for envelopes a sync refused, and both parties' signed copies of agreements.

Revision ID: 0010_quarantine
Revises: 0009_merge
Create Date: 2026-12-01 22:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_quarantine"
down_revision: str | Sequence[str] | None = "0009_merge"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "quarantine",
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("partner_id", sa.String(length=64), nullable=False),
        sa.Column("envelope", sa.Text(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_tried", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("digest", name=op.f("pk_quarantine")),
    )
    op.create_index(op.f("ix_quarantine_partner_id"), "quarantine", ["partner_id"], unique=False)
    op.create_table(
        "agreement_copies",
        sa.Column("agreement_id", sa.String(length=64), nullable=False),
        sa.Column("node_id", sa.String(length=64), nullable=False),
        sa.Column("terms_hash", sa.String(length=64), nullable=False),
        sa.Column("token", sa.Text(), nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("agreement_id", "node_id", name=op.f("pk_agreement_copies")),
    )


def downgrade() -> None:
    op.drop_table("agreement_copies")
    op.drop_index(op.f("ix_quarantine_partner_id"), table_name="quarantine")
    op.drop_table("quarantine")
