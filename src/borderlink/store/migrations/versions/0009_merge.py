"""Join the coordination and audit chain branches into one line of history.

Revision ID: 0009_merge
Revises: 0007_coordination, 0008_audit_chain
Create Date: 2026-11-23 12:30:00
"""

from collections.abc import Sequence

revision: str = "0009_merge"
down_revision: str | Sequence[str] | None = ("0007_coordination", "0008_audit_chain")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
