"""``borderlink db partitions --ahead N`` on both backends: it says what it made, once."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, text
from typer.testing import CliRunner

from borderlink.cli import app

runner = CliRunner()


def test_on_sqlite_there_is_nothing_to_make(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'x.db'}"
    result = runner.invoke(app, ["db", "partitions", "--ahead", "2", "--db", db])
    assert result.exit_code == 0, result.output
    assert "keeps no partitions" in result.output


def test_on_postgres_the_months_ahead_are_made_once(postgres_engine: Engine) -> None:
    db = postgres_engine.url.render_as_string(hide_password=False)
    first = runner.invoke(app, ["db", "partitions", "--ahead", "5", "--db", db])
    again = runner.invoke(app, ["db", "partitions", "--ahead", "5", "--db", db])
    assert first.exit_code == 0, first.output
    assert again.exit_code == 0, again.output
    assert "0 partition(s) created" in again.output
    with postgres_engine.begin() as conn:
        names = conn.execute(
            text(
                "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                "WHERE i.inhparent = 'declarations'::regclass"
            )
        ).scalars()
        assert "declarations_default" in set(names)
