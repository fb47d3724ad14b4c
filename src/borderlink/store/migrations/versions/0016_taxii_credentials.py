"""A partner's read-only TAXII credentials (HTTP Basic, the secret hashed with argon2).

Revision ID: 0016_taxii_credentials
Revises: 0015_usernames
Create Date: 2026-12-02 01:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_taxii_credentials"
down_revision: str | Sequence[str] | None = "0015_usernames"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "taxii_credentials",
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("partner_id", sa.String(length=64), nullable=False),
        sa.Column("secret_hash", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("username", name=op.f("pk_taxii_credentials")),
    )
    with op.batch_alter_table("taxii_credentials", schema=None) as batch_op:
        batch_op.create_index("ix_taxii_credentials_partner_id", ["partner_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("taxii_credentials", schema=None) as batch_op:
        batch_op.drop_index("ix_taxii_credentials_partner_id")
    op.drop_table("taxii_credentials")
