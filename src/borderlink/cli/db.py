"""``borderlink db``: the node's schema."""

from __future__ import annotations

import typer
from rich.console import Console

from borderlink.cli.options import DbOption
from borderlink.services.database import check_database, upgrade_database
from borderlink.settings import get_settings

app = typer.Typer(help="Database schema: upgrade and check migrations.", no_args_is_help=True)
out = Console()


def _url(db: str | None) -> str:
    return db or get_settings().database_url


@app.command("upgrade")
def upgrade_cmd(db: DbOption = None) -> None:
    """Run the Alembic migrations up to the newest schema."""
    out.print(f"schema up to date on {upgrade_database(_url(db))}")


@app.command("check")
def check_cmd(db: DbOption = None) -> None:
    """Fail if the tables in code differ from what the migrations build."""
    check_database(_url(db))
    out.print("migrations match the code")
