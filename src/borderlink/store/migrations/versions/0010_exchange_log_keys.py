"""The log's stored subtrees (filled from the leaves already there), request nonces, key history.

Revision ID: 0010_exchange_log_keys
Revises: 0009_merge
Create Date: 2026-12-01 22:45:00
"""

import hashlib
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_exchange_log_keys"
down_revision: str | Sequence[str] | None = "0009_merge"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    nodes = op.create_table(
        "log_nodes",
        sa.Column("level", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("node_index", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.LargeBinary(length=32), nullable=False),
        sa.PrimaryKeyConstraint("level", "node_index", name=op.f("pk_log_nodes")),
    )
    op.create_table(
        "request_nonces",
        sa.Column("sender_id", sa.String(length=64), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sender_id", "nonce", name=op.f("pk_request_nonces")),
    )
    op.create_index("ix_request_nonces_expires_at", "request_nonces", ["expires_at"], unique=False)
    op.create_table(
        "node_keys",
        sa.Column("node_id", sa.String(length=64), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=True),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("statement", sa.Text(), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("node_id", "public_key", name=op.f("pk_node_keys")),
    )
    _fill_nodes(nodes)


def _fill_nodes(nodes: sa.Table) -> None:
    # The complete subtrees of a log that already has leaves, as appends would have stored them
    # (RFC 6962 interior hashes: SHA-256(0x01 || left || right)); the migration keeps its own
    # copy of the rule so it never changes with the code.
    conn = op.get_bind()
    level = [
        bytes.fromhex(h)
        for (h,) in conn.execute(sa.text("SELECT leaf_hash FROM log_leaves ORDER BY leaf_index"))
    ]
    rows = []
    height = 0
    while len(level) > 1:
        height += 1
        level = [
            hashlib.sha256(b"\x01" + level[i] + level[i + 1]).digest()
            for i in range(0, len(level) - 1, 2)
        ]
        rows += [{"level": height, "node_index": i, "hash": h} for i, h in enumerate(level)]
    for start in range(0, len(rows), 10_000):
        op.bulk_insert(nodes, rows[start : start + 10_000])


def downgrade() -> None:
    op.drop_table("node_keys")
    op.drop_index("ix_request_nonces_expires_at", table_name="request_nonces")
    op.drop_table("request_nonces")
    op.drop_table("log_nodes")
