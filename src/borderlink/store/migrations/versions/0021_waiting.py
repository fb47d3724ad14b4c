"""The declarations waiting for an officer (newest score red or yellow, no outcome yet, not
cancelled), one row each: the queue of every one waiting reads them instead of every
declaration ever scored (on PostgreSQL that anti-join read every month's partition). Filled
from what is stored, in one statement; kept in step from here on by the writes of scores,
outcomes and amendments.

Revision ID: 0021_waiting
Revises: 0021_inspection_photos
Create Date: 2026-12-03 10:45:00
"""

from collections.abc import Sequence
from types import MappingProxyType

import sqlalchemy as sa
from alembic import op

revision: str = "0021_waiting"
down_revision: str | Sequence[str] | None = "0021_inspection_photos"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Of two scores at the same newest time, the greater model version's (as services.risk.waiting).
FILL = """
INSERT INTO waiting (declaration_id, declared_on, office_id, channel, risk, model_version)
SELECT s.declaration_id, d.declared_on, d.office_id, s.channel, s.risk, s.model_version
FROM scores s {found}
WHERE s.channel IN ('red', 'yellow')
AND NOT EXISTS (SELECT 1 FROM scores n WHERE n.declaration_id = s.declaration_id
    AND (n.scored_at > s.scored_at
         OR (n.scored_at = s.scored_at AND n.model_version > s.model_version)))
AND NOT EXISTS (SELECT 1 FROM outcomes o WHERE o.declaration_id = s.declaration_id)
AND d.status IS NULL
"""
FOUND = MappingProxyType(
    {
        "postgresql": "JOIN declaration_keys k ON k.declaration_id = s.declaration_id "
        "JOIN declarations d ON d.declaration_id = k.declaration_id "
        "AND d.declared_on = k.declared_on",
        "sqlite": "JOIN declarations d ON d.declaration_id = s.declaration_id",
    }
)


def upgrade() -> None:
    op.create_table(
        "waiting",
        sa.Column("declaration_id", sa.String(length=64), nullable=False),
        sa.Column("declared_on", sa.Date(), nullable=False),
        sa.Column("office_id", sa.String(length=64), nullable=True),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("risk", sa.Float(), nullable=False),
        sa.Column("model_version", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("declaration_id", name=op.f("pk_waiting")),
    )
    op.create_index("ix_waiting_queue", "waiting", ["channel", sa.text("risk DESC")])
    op.create_index("ix_waiting_office", "waiting", ["office_id", "channel", sa.text("risk DESC")])
    bind = op.get_bind()
    op.execute(sa.text(FILL.format(found=FOUND[bind.dialect.name])))
    if bind.dialect.name == "postgresql":
        op.execute(sa.text("ANALYZE waiting"))


def downgrade() -> None:
    op.drop_index("ix_waiting_office", table_name="waiting")
    op.drop_index("ix_waiting_queue", table_name="waiting")
    op.drop_table("waiting")
