"""Alembic, driven from code: the node's schema is upgraded and checked on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "heads") -> None:
    command.upgrade(alembic_config(engine), revision)


def check(engine: Engine) -> None:
    """Raise if the tables in code differ from what the migrations build."""
    command.check(alembic_config(engine))


def revision(engine: Engine, message: str) -> None:
    """Autogenerate a migration from the difference between code and database (developers)."""
    command.revision(alembic_config(engine), message=message, autogenerate=True)
