"""Trusted traders and the blue lane: MRAs, their trader id mappings, post-clearance audit cases.

Revision ID: 0017_trusted_traders
Revises: 0017_border_post
Create Date: 2026-12-02 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017_trusted_traders"
down_revision: str | Sequence[str] | None = "0017_border_post"
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

    op.create_table(
        "pca_cases",
        sa.Column("case_id", sa.String(length=160), nullable=False),
        sa.Column("trader_id", sa.String(length=64), nullable=False),
        sa.Column("period_from", sa.Date(), nullable=False),
        sa.Column("period_until", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("auditor", sa.String(length=64), nullable=True),
        sa.Column("opened_by", sa.String(length=64), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("result", sa.String(length=16), nullable=True),
        sa.Column("findings", sa.Text(), nullable=True),
        sa.Column("revenue_recovered", sa.Float(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("closed_by", sa.String(length=64), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_pca_cases")),
        sa.UniqueConstraint("trader_id", "period_from", "period_until", name="uq_pca_cases_period"),
    )
    with op.batch_alter_table("pca_cases", schema=None) as batch_op:
        batch_op.create_index("ix_pca_cases_trader_id", ["trader_id"], unique=False)
    op.create_table(
        "pca_case_declarations",
        sa.Column("declaration_id", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.String(length=160), nullable=False),
        sa.PrimaryKeyConstraint("declaration_id", name=op.f("pk_pca_case_declarations")),
    )
    with op.batch_alter_table("pca_case_declarations", schema=None) as batch_op:
        batch_op.create_index("ix_pca_case_declarations_case_id", ["case_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("pca_case_declarations", schema=None) as batch_op:
        batch_op.drop_index("ix_pca_case_declarations_case_id")
    op.drop_table("pca_case_declarations")
    with op.batch_alter_table("pca_cases", schema=None) as batch_op:
        batch_op.drop_index("ix_pca_cases_trader_id")
    op.drop_table("pca_cases")
    op.drop_table("mra_trader_ids")
    with op.batch_alter_table("mras", schema=None) as batch_op:
        batch_op.drop_index("ix_mras_partner_id")
    op.drop_table("mras")
