"""Usernames unique whatever their case: a unique index on lower(username).

Revision ID: 0015_usernames
Revises: 0014_amendments
Create Date: 2026-12-02 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_usernames"
down_revision: str | Sequence[str] | None = "0014_amendments"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    clashes = (
        op.get_bind()
        .execute(
            sa.text(
                "SELECT lower(username) AS name, count(*) AS n FROM users "
                "GROUP BY lower(username) HAVING count(*) > 1 ORDER BY 1"
            )
        )
        .all()
    )
    if clashes:
        # Which account a person meant cannot be guessed: an administrator renames or
        # disables one of each pair (and deletes it) before the index can exist.
        names = ", ".join(f"{row.name!r} ({row.n} accounts)" for row in clashes)
        raise RuntimeError(
            "usernames that differ only by case must be merged before upgrading: " + names
        )
    op.create_index("uq_users_username_lower", "users", [sa.text("lower(username)")], unique=True)


def downgrade() -> None:
    op.drop_index("uq_users_username_lower", table_name="users")
