"""Screening: watchlists, their entries (ended, never deleted, when gone from the source), the
hits of parties against them with the analyst's decision, and when each party was screened.

Revision ID: 0013_screening
Revises: 0012_access
Create Date: 2026-12-02 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_screening"
down_revision: str | Sequence[str] | None = "0012_access"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:  # long: one create_table per table, as Alembic writes them
    op.create_table(
        "screened_parties",
        sa.Column("party_id", sa.String(length=64), nullable=False),
        sa.Column("screened_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("party_id", name=op.f("pk_screened_parties")),
    )
    op.create_table(
        "screening_hits",
        sa.Column("hit_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("party_id", sa.String(length=64), nullable=False),
        sa.Column("list_name", sa.String(length=64), nullable=False),
        sa.Column("entry_id", sa.String(length=128), nullable=False),
        sa.Column("entry_digest", sa.String(length=64), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("method", sa.String(length=32), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("decided_digest", sa.String(length=64), nullable=True),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("hit_id", name=op.f("pk_screening_hits")),
        sa.UniqueConstraint(
            "party_id", "list_name", "entry_id", name=op.f("uq_screening_hits_party_id")
        ),
    )
    with op.batch_alter_table("screening_hits", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_screening_hits_party_id"), ["party_id"], unique=False)

    op.create_table(
        "watchlist_entries",
        sa.Column("list_name", sa.String(length=64), nullable=False),
        sa.Column("entry_id", sa.String(length=128), nullable=False),
        sa.Column("schema", sa.String(length=32), nullable=True),
        sa.Column("names", sa.JSON(), nullable=False),
        sa.Column("identifiers", sa.JSON(), nullable=False),
        sa.Column("countries", sa.JSON(), nullable=False),
        sa.Column("programmes", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("first_loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("list_name", "entry_id", name=op.f("pk_watchlist_entries")),
    )
    op.create_table(
        "watchlists",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("format", sa.String(length=16), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("loads", sa.Integer(), nullable=False),
        sa.Column("loaded_by", sa.String(length=64), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_watchlists")),
    )


def downgrade() -> None:
    op.drop_table("watchlists")
    op.drop_table("watchlist_entries")
    with op.batch_alter_table("screening_hits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_screening_hits_party_id"))

    op.drop_table("screening_hits")
    op.drop_table("screened_parties")
