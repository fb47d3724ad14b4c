"""The border post: joint inspections, incidents and their templates, SOPs, inspection capacity,
assignments and structured inspection reports.

Revision ID: 0017_border_post
Revises: 0017_taxii_keyset
Create Date: 2026-12-02 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017_border_post"
down_revision: str | Sequence[str] | None = "0017_taxii_keyset"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TZ = sa.DateTime(timezone=True)


def _index(table: str, name: str, columns: list[str]) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.create_index(name, columns, unique=False)


# long: a migration is written once and never edited again: one create_table after another
def upgrade() -> None:
    op.create_table(
        "joint_inspections",
        sa.Column("joint_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("declaration_id", sa.String(length=64), nullable=False),
        sa.Column("scheduled_at", TZ, nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("agencies", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("planned_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.Column("cancelled_at", TZ, nullable=True),
        sa.PrimaryKeyConstraint("joint_id", name=op.f("pk_joint_inspections")),
        sa.UniqueConstraint("declaration_id", name=op.f("uq_joint_inspections_declaration_id")),
    )
    _index("joint_inspections", "ix_joint_inspections_scheduled_at", ["scheduled_at"])
    op.create_table(
        "incident_templates",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("template", sa.JSON(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_incident_templates")),
    )
    op.create_table(
        "incidents",
        sa.Column("incident_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("template", sa.JSON(), nullable=False),
        sa.Column("office_id", sa.String(length=64), nullable=True),
        sa.Column("opened_by", sa.String(length=64), nullable=False),
        sa.Column("agency", sa.String(length=64), nullable=False),
        sa.Column("opened_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.Column("seizure_record_id", sa.String(length=128), nullable=True),
        sa.Column("alert_record_id", sa.String(length=128), nullable=True),
        sa.PrimaryKeyConstraint("incident_id", name=op.f("pk_incidents")),
        sa.UniqueConstraint("reference", name=op.f("uq_incidents_reference")),
    )
    _index("incidents", "ix_incidents_office_id", ["office_id"])
    _index("incidents", "ix_incidents_opened_at", ["opened_at"])
    op.create_table(
        "incident_entries",
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("entry_no", sa.Integer(), nullable=False),
        sa.Column("entry_key", sa.String(length=64), nullable=False),
        sa.Column("agency", sa.String(length=64), nullable=False),
        sa.Column("author", sa.String(length=64), nullable=False),
        sa.Column("at", TZ, nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("incident_id", "entry_no", name=op.f("pk_incident_entries")),
        sa.UniqueConstraint(
            "incident_id", "entry_key", name=op.f("uq_incident_entries_incident_id")
        ),
    )
    op.create_table(
        "sops",
        sa.Column("agency", sa.String(length=64), nullable=False),
        sa.Column("referral_type", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("published_by", sa.String(length=64), nullable=False),
        sa.Column("published_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("agency", "referral_type", "version", name=op.f("pk_sops")),
    )
    op.create_table(
        "inspection_capacity",
        sa.Column("office_id", sa.String(length=64), nullable=False),
        sa.Column("per_day", sa.Integer(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("office_id", name=op.f("pk_inspection_capacity")),
    )
    op.create_table(
        "inspection_assignments",
        sa.Column("declaration_id", sa.String(length=64), nullable=False),
        sa.Column("officer", sa.String(length=64), nullable=False),
        sa.Column("office_id", sa.String(length=64), nullable=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("assigned_by", sa.String(length=64), nullable=False),
        sa.Column("assigned_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("declaration_id", name=op.f("pk_inspection_assignments")),
    )
    _index("inspection_assignments", "ix_inspection_assignments_office_day", ["office_id", "day"])
    op.create_table(
        "inspection_reports",
        sa.Column("declaration_id", sa.String(length=64), nullable=False),
        sa.Column("methods", sa.JSON(), nullable=False),
        sa.Column("findings", sa.JSON(), nullable=False),
        sa.Column("officer", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("recorded_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("declaration_id", name=op.f("pk_inspection_reports")),
    )


def downgrade() -> None:
    for table in (
        "inspection_reports",
        "inspection_assignments",
        "inspection_capacity",
        "sops",
        "incident_entries",
        "incidents",
        "incident_templates",
        "joint_inspections",
    ):
        op.drop_table(table)
