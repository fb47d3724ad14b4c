"""TAXII paging by keyset: indexes on each collection's date_added, unique per inbox collection.

A collection is paged by (date_added, id) from an index instead of being read from its start
for every page. What a node holds from a partner (``coop_records.stored_at``, the date_added
of that partner's inbox collection) was stamped with one instant per received batch; the rows
that share one are moved apart here, by a microsecond each in record order, so every object of
an inbox has its own date_added (new receipts are stamped apart as they are stored).

Revision ID: 0017_taxii_keyset
Revises: 0016_taxii_credentials
Create Date: 2026-12-02 05:10:00
"""

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017_taxii_keyset"
down_revision: str | Sequence[str] | None = "0016_taxii_credentials"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A held seizure is served with its parts, a microsecond apart: leave room for them.
_ROOM = dt.timedelta(microseconds=64)


def _spread_inbox_instants() -> None:
    conn = op.get_bind()
    held = sa.table(
        "coop_records",
        sa.column("record_id", sa.String),
        sa.column("received_from", sa.String),
        sa.column("stored_at", sa.DateTime(timezone=True)),
    )
    rows = conn.execute(
        sa.select(held.c.record_id, held.c.received_from, held.c.stored_at)
        .where(held.c.received_from.is_not(None))
        .order_by(held.c.received_from, held.c.stored_at, held.c.record_id)
    ).all()
    last: dict[str, dt.datetime] = {}
    for record_id, sender, stored_at in rows:
        stamp = stored_at if stored_at.tzinfo else stored_at.replace(tzinfo=dt.UTC)
        floor = last.get(sender)
        if floor is not None and stamp < floor:
            stamp = floor
            conn.execute(
                sa.update(held).where(held.c.record_id == record_id).values(stored_at=stamp)
            )
        last[sender] = stamp + _ROOM


def upgrade() -> None:
    _spread_inbox_instants()
    with op.batch_alter_table("coop_records", schema=None) as batch_op:
        batch_op.create_index(
            "ix_coop_records_sender_stored",
            ["received_from", "stored_at", "record_id"],
            unique=False,
        )
    with op.batch_alter_table("released", schema=None) as batch_op:
        batch_op.create_index(
            "ix_released_partner_added", ["partner_id", "added_at", "seq"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("released", schema=None) as batch_op:
        batch_op.drop_index("ix_released_partner_added")
    with op.batch_alter_table("coop_records", schema=None) as batch_op:
        batch_op.drop_index("ix_coop_records_sender_stored")
