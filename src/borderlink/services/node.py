"""Opening a node: settings → engine with an up-to-date schema. Every service starts here."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from borderlink.settings import Settings, get_settings
from borderlink.store import open_engine, upgrade


@dataclass(frozen=True)
class Node:
    """A running node's settings and database engine."""

    settings: Settings
    engine: Engine
    # What services keep between calls in this process (e.g. risk cut-offs); per node, so two
    # nodes in one process (tests, the partner demo) never share it.
    cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


def open_node(settings: Settings | None = None, *, migrate: bool | None = None) -> Node:
    settings = settings or get_settings()
    engine = open_engine(settings.database_url)
    if settings.auto_migrate if migrate is None else migrate:
        upgrade(engine)
    return Node(settings=settings, engine=engine)
