"""Entity resolution: linking runs, trader clusters, scored links, analysts' judgements.

Revision ID: 0017_linking
Revises: 0017_assistance
Create Date: 2026-12-02 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017_linking"
down_revision: str | Sequence[str] | None = "0017_assistance"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "linking_runs",
        sa.Column("run_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("links", sa.Integer(), nullable=False),
        sa.Column("clusters", sa.Integer(), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("trained", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("run_id", name=op.f("pk_linking_runs")),
    )
    op.create_table(
        "trader_clusters",
        sa.Column("record_key", sa.String(length=200), nullable=False),
        sa.Column("cluster_id", sa.String(length=200), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("record_key", name=op.f("pk_trader_clusters")),
    )
    with op.batch_alter_table("trader_clusters", schema=None) as batch_op:
        batch_op.create_index("ix_trader_clusters_cluster_id", ["cluster_id"], unique=False)
    op.create_table(
        "trader_links",
        sa.Column("left_key", sa.String(length=200), nullable=False),
        sa.Column("right_key", sa.String(length=200), nullable=False),
        sa.Column("probability", sa.Float(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("left_key", "right_key", name=op.f("pk_trader_links")),
    )
    with op.batch_alter_table("trader_links", schema=None) as batch_op:
        batch_op.create_index("ix_trader_links_right_key", ["right_key"], unique=False)
    op.create_table(
        "trader_judgements",
        sa.Column("left_key", sa.String(length=200), nullable=False),
        sa.Column("right_key", sa.String(length=200), nullable=False),
        sa.Column("judgement", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("left_key", "right_key", name=op.f("pk_trader_judgements")),
    )


def downgrade() -> None:
    op.drop_table("trader_judgements")
    with op.batch_alter_table("trader_links", schema=None) as batch_op:
        batch_op.drop_index("ix_trader_links_right_key")
    op.drop_table("trader_links")
    with op.batch_alter_table("trader_clusters", schema=None) as batch_op:
        batch_op.drop_index("ix_trader_clusters_cluster_id")
    op.drop_table("trader_clusters")
    op.drop_table("linking_runs")
