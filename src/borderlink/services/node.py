"""Opening a node, and its unit of work: every service starts here.

:func:`open_node` turns settings into a :class:`Node`: an engine with an up-to-date schema and the
node's in-process :class:`~borderlink.services.runtime.Runtime`. Services open their
transactions with :meth:`Node.transaction` (one atomic write, committed on leaving, rolled back
on an error) or :meth:`Node.read` (reads only), and nowhere else: the shells never see a
connection.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine

from borderlink.services.runtime import Runtime
from borderlink.settings import Settings, get_settings
from borderlink.store import open_engine, upgrade
from borderlink.store.engine import SQLITE_BEGIN


@dataclass(frozen=True)
class Node:
    """A running node's settings, database engine and in-process state."""

    settings: Settings
    engine: Engine
    # Per node, so two nodes in one process (tests, the partner demo) never share it.
    runtime: Runtime = field(default_factory=Runtime, compare=False, repr=False)

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One unit of work: committed when the block ends, rolled back if it raises.

        On SQLite it begins IMMEDIATE: it takes the write lock first (waiting its turn), so two
        writers never deadlock turning a read into a write; PostgreSQL ignores the option."""
        with self.engine.connect() as conn:
            conn.execution_options(**{SQLITE_BEGIN: "IMMEDIATE"})
            with conn.begin():
                yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection for reads; nothing written through it is committed. Inside
        :meth:`reading` on the same thread, that block's connection."""
        held = self.runtime.held_reader()
        if held is not None:
            yield held
            return
        with self.engine.connect() as conn:
            yield conn

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Every :meth:`read` on this thread inside the block shares one connection (and, on
        SQLite, one snapshot). A single score reads the model, profiles, cut-offs, alerts,
        hits and trusted traders: each read opened, began and closed a connection of its own,
        ~0.2 ms apiece, more than most of the queries. Writes (:meth:`transaction`) still take
        their own connection."""
        if self.runtime.held_reader() is not None:
            yield
            return
        with self.engine.connect() as conn:
            self.runtime.hold_reader(conn)
            try:
                yield
            finally:
                self.runtime.hold_reader(None)


def open_node(settings: Settings | None = None, *, migrate: bool | None = None) -> Node:
    settings = settings or get_settings()
    engine = open_engine(settings.database_url)
    if settings.auto_migrate if migrate is None else migrate:
        upgrade(engine)
    return Node(settings=settings, engine=engine)
