"""Alembic environment: the engine comes from the caller (see borderlink.store.migrate)."""

from __future__ import annotations

import warnings

from alembic import context

from borderlink.store.schema import metadata

engine = context.config.attributes["engine"]
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
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
