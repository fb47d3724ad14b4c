"""PostgreSQL: declarations and goods items partitioned by month; declaration_keys.

``declaration_keys`` holds each declaration id once (with its day), so ids stay unique across
the monthly partitions, whose primary keys must lead with the partition key; the tables about a
declaration refer to it. ``goods_items`` gains ``declared_on`` (its declaration's). Existing rows
move into the new tables; the months they fall in, this month and the next three get their
partitions, a default partition takes any other day. SQLite keeps its tables as they are.

Revision ID: 0019_partitioning
Revises: 0018_model_promotion
Create Date: 2026-12-02 15:00:00
"""

import datetime as dt
from collections.abc import Sequence

from alembic import op
from sqlalchemy import text

from borderlink.store import partitions

revision: str = "0019_partitioning"
down_revision: str | Sequence[str] | None = "0018_model_promotion"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AHEAD = 3  # months created ahead of today; `borderlink db partitions --ahead N` makes more
REFERRING = ("declaration_details", "declaration_versions", "outcomes")


def _run(*statements: str) -> None:
    for statement in statements:
        op.execute(text(statement))


def _drop_foreign_keys_to(table: str) -> None:
    bind = op.get_bind()
    found = bind.execute(
        text(
            "SELECT conrelid::regclass::text, conname FROM pg_constraint "
            "WHERE contype = 'f' AND confrelid = to_regclass(:t) AND conparentid = 0"
        ),
        {"t": table},
    ).all()
    for owner, name in found:
        _run(f'ALTER TABLE {owner} DROP CONSTRAINT "{name}"')


def _refer_to(owner: str, target: str) -> None:
    _run(
        f'ALTER TABLE "{owner}" ADD CONSTRAINT "fk_{owner}_declaration_id_{target}" '
        f'FOREIGN KEY (declaration_id) REFERENCES "{target}" (declaration_id) ON DELETE CASCADE'
    )


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    _run(
        "CREATE TABLE declaration_keys (declaration_id VARCHAR(64) NOT NULL, "
        "declared_on DATE NOT NULL, CONSTRAINT pk_declaration_keys PRIMARY KEY (declaration_id))",
        "INSERT INTO declaration_keys SELECT declaration_id, declared_on FROM declarations",
    )
    _drop_foreign_keys_to("declarations")
    _run(
        "DROP INDEX ix_declarations_declared_on",
        "DROP INDEX ix_declarations_office_id",
        "ALTER TABLE declarations RENAME CONSTRAINT pk_declarations TO pk_declarations_old",
        "ALTER TABLE declarations RENAME TO declarations_old",
        "ALTER TABLE goods_items RENAME CONSTRAINT pk_goods_items TO pk_goods_items_old",
        "ALTER TABLE goods_items RENAME TO goods_items_old",
        "CREATE TABLE declarations (LIKE declarations_old INCLUDING DEFAULTS) "
        "PARTITION BY RANGE (declared_on)",
        "ALTER TABLE declarations ADD CONSTRAINT pk_declarations "
        "PRIMARY KEY (declaration_id, declared_on)",
        "CREATE TABLE goods_items (LIKE goods_items_old INCLUDING DEFAULTS, "
        "declared_on DATE NOT NULL) PARTITION BY RANGE (declared_on)",
        "ALTER TABLE goods_items ADD CONSTRAINT pk_goods_items "
        "PRIMARY KEY (declaration_id, item_no, declared_on)",
    )
    _refer_to("declarations", "declaration_keys")
    _refer_to("goods_items", "declaration_keys")
    days = list(bind.execute(text("SELECT DISTINCT declared_on FROM declaration_keys")).scalars())
    partitions.create_default(bind)
    partitions.ensure_months(bind, [*days, *partitions.months_ahead(dt.date.today(), AHEAD)])
    goods = [
        name
        for (name,) in bind.execute(
            text(
                "SELECT attname FROM pg_attribute WHERE attrelid = 'goods_items_old'::regclass "
                "AND attnum > 0 AND NOT attisdropped ORDER BY attnum"
            )
        )
    ]
    columns = ", ".join(f'"{c}"' for c in goods)
    selected = ", ".join(f'g."{c}"' for c in goods)
    _run(
        "INSERT INTO declarations SELECT * FROM declarations_old",
        f"INSERT INTO goods_items ({columns}, declared_on) SELECT {selected}, k.declared_on "
        "FROM goods_items_old g JOIN declaration_keys k USING (declaration_id)",
        "DROP TABLE goods_items_old",
        "DROP TABLE declarations_old",
        "CREATE INDEX ix_declarations_declared_on ON declarations (declared_on)",
        "CREATE INDEX ix_declarations_office_id_declared_on ON declarations "
        "(office_id, declared_on)",
        "CREATE INDEX ix_declarations_importer_id_declared_on ON declarations "
        "(importer_id, declared_on)",
    )
    for owner in REFERRING:
        _refer_to(owner, "declaration_keys")
    _run("ANALYZE declaration_keys", "ANALYZE declarations", "ANALYZE goods_items")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    _drop_foreign_keys_to("declaration_keys")
    _run(
        "ALTER TABLE declarations RENAME TO declarations_parted",
        "ALTER TABLE goods_items RENAME TO goods_items_parted",
        "ALTER TABLE declarations_parted RENAME CONSTRAINT pk_declarations TO pk_decl_parted",
        "ALTER TABLE goods_items_parted RENAME CONSTRAINT pk_goods_items TO pk_goods_parted",
        "CREATE TABLE declarations (LIKE declarations_parted INCLUDING DEFAULTS)",
        "INSERT INTO declarations SELECT * FROM declarations_parted",
        "ALTER TABLE declarations ADD CONSTRAINT pk_declarations PRIMARY KEY (declaration_id)",
        "CREATE TABLE goods_items (LIKE goods_items_parted INCLUDING DEFAULTS)",
        "INSERT INTO goods_items SELECT * FROM goods_items_parted",
        "ALTER TABLE goods_items DROP COLUMN declared_on",
        "ALTER TABLE goods_items ADD CONSTRAINT pk_goods_items "
        "PRIMARY KEY (declaration_id, item_no)",
        "DROP TABLE goods_items_parted",
        "DROP TABLE declarations_parted",
        "DROP TABLE declaration_keys",
        "CREATE INDEX ix_declarations_declared_on ON declarations (declared_on)",
        "CREATE INDEX ix_declarations_office_id ON declarations (office_id)",
    )
    for owner in ("goods_items", *REFERRING):
        _run(
            f'ALTER TABLE "{owner}" ADD CONSTRAINT "fk_{owner}_declaration_id_declarations" '
            "FOREIGN KEY (declaration_id) REFERENCES declarations (declaration_id) "
            "ON DELETE CASCADE"
        )
