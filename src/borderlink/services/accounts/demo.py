"""Demo accounts: one user per role on a demo node, named after the role."""

from __future__ import annotations

import secrets

from borderlink.errors import Conflict
from borderlink.services.accounts.access import AGENCY_SCOPED, OFFICE_SCOPED, Principal, Role
from borderlink.services.accounts.users import add_user, list_users
from borderlink.services.node import Node

DEMO = Principal.system("demo")  # the actor of what the demo sets up

DEMO_OFFICE = "OF1"
DEMO_AGENCY = "health"  # the agency of the demo's example routing rules (sanitary checks)


def demo_accounts(node: Node, *, office_id: str = DEMO_OFFICE) -> dict[str, str]:
    """One user per role for a demo node, named after the role; {username: password}.

    Idempotent: existing demo users are left as they are (their password is not shown again).
    Refused in production.
    """
    if node.settings.environment == "production":
        raise Conflict("demo accounts are not created on a production node")
    made: dict[str, str] = {}
    existing = {u.username for u in list_users(node, DEMO)}
    for role in Role:
        username = f"demo-{role.value.replace('_', '-')}"
        if username in existing:
            continue
        password = secrets.token_urlsafe(9)
        add_user(
            node,
            DEMO,
            username=username,
            password=password,
            role=role,
            office_id=office_id if role in OFFICE_SCOPED else None,
            agency=DEMO_AGENCY if role in AGENCY_SCOPED else None,
        )
        made[username] = password
    return made
