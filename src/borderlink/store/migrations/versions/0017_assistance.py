"""Mutual assistance requests at either end, and their attachments stored by content digest.

Revision ID: 0017_assistance
Revises: 0017_stream_intake
Create Date: 2026-12-02 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017_assistance"
down_revision: str | Sequence[str] | None = "0017_stream_intake"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "assistance_cases",
        sa.Column("request_id", sa.String(length=128), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("requester", sa.String(length=64), nullable=False),
        sa.Column("requested", sa.String(length=64), nullable=False),
        sa.Column("agreement_id", sa.String(length=64), nullable=False),
        sa.Column("measure", sa.String(length=16), nullable=False),
        sa.Column("urgency", sa.String(length=16), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("request_state", sa.String(length=16), nullable=False),
        sa.Column("reply_state", sa.String(length=24), nullable=True),
        sa.Column("reply_id", sa.String(length=128), nullable=True),
        sa.Column("draft", sa.JSON(), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("request_id", name=op.f("pk_assistance_cases")),
    )
    with op.batch_alter_table("assistance_cases", schema=None) as batch_op:
        batch_op.create_index(
            "ix_assistance_cases_direction_deadline", ["direction", "deadline"], unique=False
        )
    op.create_table(
        "assistance_attachments",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_assistance_attachments")),
    )


def downgrade() -> None:
    op.drop_table("assistance_attachments")
    with op.batch_alter_table("assistance_cases", schema=None) as batch_op:
        batch_op.drop_index("ix_assistance_cases_direction_deadline")
    op.drop_table("assistance_cases")
