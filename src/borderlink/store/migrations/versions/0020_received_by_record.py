"""An index on received envelopes by record: a sync looks up, per page, what was received of
the page's records before (under which agreement: a revocation of it always travels); without
it each page scanned every envelope ever received, so a backlog synced in O(n^2).

Revision ID: 0020_received_by_record
Revises: 0019_jobs
Create Date: 2026-12-02 21:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0020_received_by_record"
down_revision: str | Sequence[str] | None = "0019_jobs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_received_record", "received", ["record_id", "sender_id", "agreement_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_received_record", table_name="received")
