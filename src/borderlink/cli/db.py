"""``borderlink db``: the node's schema."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from borderlink.cli.options import CLI, DbOption, node_for
from borderlink.services.database import check_database, close_database, upgrade_database
from borderlink.services.partitions import create_partitions
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


@app.command("partitions")
def partitions_cmd(
    ahead: Annotated[
        int, typer.Option("--ahead", help="Months to create after this one.", min=0)
    ] = 3,
    db: DbOption = None,
) -> None:
    """Create the monthly partitions of declarations and goods items ahead (PostgreSQL)."""
    node = node_for(db)
    try:
        made = create_partitions(node, CLI, ahead=ahead)
    finally:
        close_database(node.engine)
    if not made.partitioned:
        out.print("this database keeps no partitions (SQLite): nothing to do")
        return
    first, last = made.months[0], made.months[-1]
    out.print(
        f"{len(made.created)} partition(s) created for {first:%Y-%m} to {last:%Y-%m}; "
        f"{made.partitions} in all"
    )
