"""Streaming intake: each message taken from a JetStream stream, by stream and sequence.

Revision ID: 0017_stream_intake
Revises: 0017_capacity
Create Date: 2026-12-02 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017_stream_intake"
down_revision: str | Sequence[str] | None = "0017_capacity"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "stream_messages",
        sa.Column("stream", sa.String(length=64), nullable=False),
        sa.Column("sequence", sa.BigInteger(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("declaration_id", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("batch_id", sa.String(length=36), nullable=False),
        sa.Column("decision", sa.JSON(), nullable=False),
        sa.Column("lodged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("stream", "sequence", name=op.f("pk_stream_messages")),
    )
    with op.batch_alter_table("stream_messages", schema=None) as batch_op:
        batch_op.create_index("ix_stream_messages_declaration_id", ["declaration_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("stream_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_stream_messages_declaration_id")
    op.drop_table("stream_messages")
