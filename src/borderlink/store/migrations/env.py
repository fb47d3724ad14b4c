"""Alembic environment: the engine comes from the caller (see borderlink.store.migrate).

The check compares each backend with what exists there: what the metadata marks for one backend
only (``info={"backend": ...}``, see ``store.tables``) is left out on the other, and on
PostgreSQL the monthly partitions (``store.partitions``) are the partitioned tables' own, not
tables of the metadata. On SQLite the tables about a declaration refer to ``declarations``
(there is no ``declaration_keys``), so their foreign keys to either are compared on PostgreSQL.
``goods_items.declared_on``, the partition key on PostgreSQL, is the partitioning's, not a column
of the metadata (see ``store.tables``).
"""

from __future__ import annotations

import warnings
from typing import Any

from alembic import context
from sqlalchemy import Column, ForeignKeyConstraint, Index, Table

from borderlink.store.partitions import PARTITION_KEYS, is_partition
from borderlink.store.schema import metadata
from borderlink.store.tables import on_backend

engine = context.config.attributes["engine"]
DIALECT = engine.dialect.name


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    return not (type_ == "table" and name is not None and is_partition(name))


def include_object(
    item: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    if isinstance(item, Column) and reflected and (item.table.name, name) in PARTITION_KEYS:
        return False
    if isinstance(item, Table | Column | Index) and not on_backend(item, DIALECT):
        return False
    if isinstance(item, ForeignKeyConstraint) and DIALECT != "postgresql":
        referred = {element.target_fullname.split(".")[0] for element in item.elements}
        return not referred & {"declarations", "declaration_keys"}
    return True


with engine.connect() as connection, warnings.catch_warnings():
    # SQLite cannot reflect an index on an expression (lower(username)), so autogenerate skips
    # comparing it there and says so; PostgreSQL compares it, which keeps the migration honest.
    warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based index")
    warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified expression-based")
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters by table copy
        compare_type=True,
        include_name=include_name,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
