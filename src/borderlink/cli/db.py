"""``borderlink db``: the node's schema."""

from __future__ import annotations

import typer
from rich.console import Console

from borderlink.cli.options import DbOption
from borderlink.settings import get_settings
from borderlink.store import check, open_engine, upgrade

app = typer.Typer(help="Database schema: upgrade and check migrations.", no_args_is_help=True)
out = Console()


def _url(db: str | None) -> str:
    return db or get_settings().database_url


@app.command("upgrade")
def upgrade_cmd(db: DbOption = None) -> None:
    """Run the Alembic migrations up to the newest schema."""
    url = _url(db)
    upgrade(open_engine(url))
    out.print(f"schema up to date on {open_engine(url).url.render_as_string(hide_password=True)}")


@app.command("check")
def check_cmd(db: DbOption = None) -> None:
    """Fail if the tables in code differ from what the migrations build."""
    engine = open_engine(_url(db))
    upgrade(engine)
    check(engine)
    out.print("migrations match the code")
