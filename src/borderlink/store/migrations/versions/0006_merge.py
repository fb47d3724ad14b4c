"""Join the risk, cooperation and accounts branches into one line of history.

Revision ID: 0006_merge
Revises: 0003_risk, 0004_cooperation, 0005_accounts
Create Date: 2026-11-23 10:00:00
"""

from collections.abc import Sequence

revision: str = "0006_merge"
down_revision: str | Sequence[str] | None = ("0003_risk", "0004_cooperation", "0005_accounts")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
