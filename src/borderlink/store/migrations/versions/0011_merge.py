"""Join the exchange log/keys and quarantine branches into one line of history.

Revision ID: 0011_merge
Revises: 0010_exchange_log_keys, 0010_quarantine
Create Date: 2026-12-01 23:40:00
"""

from collections.abc import Sequence

revision: str = "0011_merge"
down_revision: str | Sequence[str] | None = ("0010_exchange_log_keys", "0010_quarantine")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
