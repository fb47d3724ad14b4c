"""Options shared by every command: which database, settings resolution, who is acting.

The CLI acts as one principal, :data:`CLI`: the node's local administrator
(``Principal.system("cli")``, named ``cli`` in the audit log). Whoever can run it against a node
already holds the database (its file or URL) and the node's signing key, so signing in as a
user would protect nothing; what the CLI may do is still decided by the same use cases, with the
same permission policy, as the API and the pages. Commands that take ``--as USER`` act as that
(active) user instead, with their role, office and agency (:func:`acting`).
"""

from __future__ import annotations

from typing import Annotated

import typer

from borderlink.errors import PermissionDenied
from borderlink.services import Node, open_node
from borderlink.services.accounts import users as accounts
from borderlink.services.accounts.access import Principal
from borderlink.settings import Settings, get_settings

CLI = Principal.system("cli")

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="Database URL (default: BORDERLINK_DB or the SQLite file)."),
]


def node_for(db: str | None) -> Node:
    settings: Settings = get_settings()
    if db:
        settings = settings.model_copy(update={"db": db})
    return open_node(settings)


def acting(node: Node, username: str | None) -> Principal:
    """The CLI's principal, or the named (active) user's for ``--as USER``."""
    if username is None:
        return CLI
    user = accounts.get_user(node, CLI, username)
    if not user.active:
        raise PermissionDenied(f"user {username!r} is disabled")
    return Principal(
        user_id=user.user_id,
        username=user.username,
        role=user.role,
        office_id=user.office_id,
        agency=user.agency,
        via="cli",
    )
