"""Trusted traders: the MRAs this node applies and each MRA's trader id mapping.

Revision ID: 0017_trusted_traders
Revises: 0016_taxii_credentials
Create Date: 2026-12-02 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017_trusted_traders"
down_revision: str | Sequence[str] | None = "0016_taxii_credentials"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "mras",
        sa.Column("mra_id", sa.String(length=64), nullable=False),
        sa.Column("partner_id", sa.String(length=64), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("mra_id", name=op.f("pk_mras")),
    )
    with op.batch_alter_table("mras", schema=None) as batch_op:
        batch_op.create_index("ix_mras_partner_id", ["partner_id"], unique=False)
    op.create_table(
        "mra_trader_ids",
        sa.Column("mra_id", sa.String(length=64), nullable=False),
        sa.Column("partner_trader_id", sa.String(length=64), nullable=False),
        sa.Column("local_trader_id", sa.String(length=64), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("added_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint(
            "mra_id", "partner_trader_id", "local_trader_id", name=op.f("pk_mra_trader_ids")
        ),
    )


def downgrade() -> None:
    op.drop_table("mra_trader_ids")
    with op.batch_alter_table("mras", schema=None) as batch_op:
        batch_op.drop_index("ix_mras_partner_id")
    op.drop_table("mras")
