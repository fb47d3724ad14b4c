"""Access: login throttling, who reset a password or issued a token; TRUNCATE on the audit log
refused like UPDATE and DELETE.

Revision ID: 0012_access
Revises: 0011_merge
Create Date: 2026-12-01 22:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_access"
down_revision: str | Sequence[str] | None = "0011_merge"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_throttle",
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("refused", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_throttle")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("password_reset_by", sa.String(length=64), nullable=True))
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("issued_by", sa.String(length=64), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        # Row triggers do not fire on TRUNCATE: a statement trigger does (the function raises
        # whatever the operation). The privilege goes too, from everyone and from the role the
        # node connects as (which owns the table when it ran the migrations); a superuser
        # bypasses both, as it can drop any trigger.
        op.execute(
            "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()"
        )
        op.execute("REVOKE TRUNCATE ON audit_log FROM PUBLIC")
        op.execute("REVOKE TRUNCATE ON audit_log FROM CURRENT_USER")
    # SQLite has no TRUNCATE: its "DELETE FROM audit_log" fires the row trigger of 0005.


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
        op.execute("GRANT TRUNCATE ON audit_log TO CURRENT_USER")
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_column("issued_by")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("password_reset_by")
    op.drop_table("login_throttle")
