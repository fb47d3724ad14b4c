"""Options shared by every command: which database, settings resolution."""

from __future__ import annotations

from typing import Annotated

import typer

from borderlink.services import Node, open_node
from borderlink.settings import Settings, get_settings

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="Database URL (default: BORDERLINK_DB or the SQLite file)."),
]


def node_for(db: str | None) -> Node:
    settings: Settings = get_settings()
    if db:
        settings = settings.model_copy(update={"db": db})
    return open_node(settings)
