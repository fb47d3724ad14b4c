"""Photos attached to an inspection report: by declaration and content digest (the same photo
twice is one row), the bytes in the database, with their name, media type, size and uploader.

Revision ID: 0021_inspection_photos
Revises: 0020_received_by_record
Create Date: 2026-12-03 10:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021_inspection_photos"
down_revision: str | Sequence[str] | None = "0020_received_by_record"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "inspection_photos",
        sa.Column("declaration_id", sa.String(length=64), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("media_type", sa.String(length=32), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=64), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("declaration_id", "sha256", name=op.f("pk_inspection_photos")),
    )


def downgrade() -> None:
    op.drop_table("inspection_photos")
