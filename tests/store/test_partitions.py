"""PostgreSQL's monthly partitions: the migration moves existing rows, months are made once,
a row of a month without a partition waits in the default one and moves when its month comes.
The PostgreSQL tests skip without it."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator

import pytest
from alembic import command
from sqlalchemy import Connection, Engine, create_engine, inspect, text
from sqlalchemy.engine import make_url

from borderlink.settings import Settings
from borderlink.store import check, declaration_writes, open_engine, partitions, upgrade
from borderlink.store.migrate import alembic_config

HEADER = (
    "INSERT INTO declarations (declaration_id, declaration_type, declared_on, office_id, "
    "importer_id, created_at) VALUES (:id, 'IM', :day, 'OF1', 'IMP1', now())"
)
ITEM = (
    "INSERT INTO goods_items (declaration_id, item_no, hs_code, hs_edition, row_hash) "
    "VALUES (:id, :no, '851713', 'HS2022', 'h')"
)


@pytest.fixture
def fresh_postgres(_postgres_url: str) -> Iterator[Engine]:
    """An empty database of its own (the session's one is migrated already)."""
    admin = create_engine(Settings().test_postgres_url, isolation_level="AUTOCOMMIT")
    name = f"h_parts_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(_postgres_url).set(database=name).render_as_string(hide_password=False)
    engine = open_engine(url)
    yield engine
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _rows_in(conn: Connection, table: str) -> int:
    query = text(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - the tests' own table names
    return int(conn.execute(query).scalar_one())


@pytest.mark.postgres
def test_the_migration_moves_existing_rows_into_month_partitions(
    fresh_postgres: Engine,
) -> None:
    upgrade(fresh_postgres, "0018_model_promotion")
    with fresh_postgres.begin() as conn:
        for n, day in enumerate(["2024-01-05", "2024-01-31", "2024-03-02"]):
            conn.execute(text(HEADER), {"id": f"D{n}", "day": day})
            conn.execute(text(ITEM), {"id": f"D{n}", "no": 1})
        conn.execute(text(ITEM), {"id": "D2", "no": 2})
        conn.execute(
            text(
                "INSERT INTO outcomes (declaration_id, illicit, severity, source, recorded_at) "
                "VALUES ('D2', true, 1, 'officer', now())"
            )
        )
    upgrade(fresh_postgres)
    check(fresh_postgres)  # the metadata and the partitioned schema agree
    with fresh_postgres.begin() as conn:
        assert _rows_in(conn, "declaration_keys") == 3
        assert _rows_in(conn, "declarations_y2024m01") == 2
        assert _rows_in(conn, "declarations_y2024m03") == 1
        assert _rows_in(conn, "goods_items_y2024m01") == 2
        assert _rows_in(conn, "goods_items_y2024m03") == 2
        assert _rows_in(conn, "declarations_default") == 0
        assert partitions.partition_name(
            "declarations", dt.datetime.now(dt.UTC).date()
        ) in partitions.existing(conn)
        days = conn.execute(
            text("SELECT DISTINCT declared_on FROM goods_items WHERE declaration_id = 'D2'")
        ).scalars()
        assert list(days) == [dt.date(2024, 3, 2)]  # an item carries its declaration's day
        # The tables about a declaration refer to its key: deleting it deletes them all.
        conn.execute(text("DELETE FROM declaration_keys WHERE declaration_id = 'D2'"))
        assert _rows_in(conn, "declarations") == 2
        assert _rows_in(conn, "goods_items") == 2
        assert _rows_in(conn, "outcomes") == 0


@pytest.mark.postgres
def test_months_are_made_once_and_the_default_partition_gives_its_rows_up(
    postgres_engine: Engine,
) -> None:
    far = dt.date(2031, 7, 14)
    with postgres_engine.begin() as conn:
        conn.execute(text("INSERT INTO declaration_keys VALUES ('F1', :day)"), {"day": far})
        conn.execute(text(HEADER), {"id": "F1", "day": far})
        assert _rows_in(conn, "declarations_default") == 1  # no partition for July 2031 yet
        made = partitions.ensure_months(conn, [far, far.replace(day=1)])
        assert made == ["declarations_y2031m07", "goods_items_y2031m07"]
        assert partitions.ensure_months(conn, [far]) == []
        assert _rows_in(conn, "declarations_default") == 0
        assert _rows_in(conn, "declarations_y2031m07") == 1
        for name in made:
            conn.execute(text(f'DROP TABLE "{name}"'))  # the session's database stays as it was


def test_partition_names_and_months() -> None:
    assert partitions.partition_name("goods_items", dt.date(2026, 12, 31)) == (
        "goods_items_y2026m12"
    )
    assert partitions.is_partition("declarations_y2026m01")
    assert partitions.is_partition("goods_items_default")
    assert not partitions.is_partition("declarations")
    assert not partitions.is_partition("declaration_keys")
    assert partitions.months_ahead(dt.date(2026, 11, 30), 2) == [
        dt.date(2026, 11, 1),
        dt.date(2026, 12, 1),
        dt.date(2027, 1, 1),
    ]


@pytest.mark.postgres
def test_the_migration_goes_back_to_one_table_each_with_the_rows(fresh_postgres: Engine) -> None:
    upgrade(fresh_postgres)
    day = dt.date(2024, 5, 6)
    header = {"declaration_id": "B1", "declaration_type": "IM", "declared_on": day}
    item = {"declaration_id": "B1", "item_no": 1, "hs_code": "851713", "hs_edition": "HS2022"}
    with fresh_postgres.begin() as conn:
        declaration_writes.insert_rows(
            conn, [header | {"created_at": dt.datetime.now(dt.UTC)}], [item | {"row_hash": "h"}]
        )
    command.downgrade(alembic_config(fresh_postgres), "0018_model_promotion")
    with fresh_postgres.begin() as conn:
        assert "declaration_keys" not in inspect(conn).get_table_names()
        assert _rows_in(conn, "declarations") == 1
        assert _rows_in(conn, "goods_items") == 1
    upgrade(fresh_postgres)
    check(fresh_postgres)
    with fresh_postgres.begin() as conn:
        assert _rows_in(conn, "declarations_y2024m05") == 1
        assert _rows_in(conn, "goods_items_y2024m05") == 1
