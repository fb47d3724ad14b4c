"""Persistence: the tables, opening the database (SQLite file or PostgreSQL URL), migrations.

Offers :func:`open_engine`, :func:`is_postgres`, :func:`upgrade`, :func:`check` and the tables
in :mod:`borderlink.store.tables`.
"""

from borderlink.store.engine import is_postgres, open_engine
from borderlink.store.migrate import check, upgrade

__all__ = ["check", "is_postgres", "open_engine", "upgrade"]
