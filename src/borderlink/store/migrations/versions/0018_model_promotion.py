"""A risk model can be promoted: the active model is the one promoted or trained last.

Revision ID: 0018_model_promotion
Revises: 0017_linking
Create Date: 2026-12-02 12:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018_model_promotion"
down_revision: str | Sequence[str] | None = "0017_linking"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("risk_models") as batch:
        batch.add_column(sa.Column("promoted_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("promoted_by", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("risk_models") as batch:
        batch.drop_column("promoted_by")
        batch.drop_column("promoted_at")
