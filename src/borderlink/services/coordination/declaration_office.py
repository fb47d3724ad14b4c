"""The office of a declaration the principal may see (their own office's, for an officer)."""

from __future__ import annotations

from sqlalchemy import Connection, select

from borderlink.errors import NotFound
from borderlink.services.accounts.access import Principal, office_scope
from borderlink.store.tables import declarations


def office_of(conn: Connection, principal: Principal, declaration_id: str) -> str | None:
    """The declaration's office; NotFound when it does not exist or is another office's."""
    query = select(declarations.c.office_id).where(declarations.c.declaration_id == declaration_id)
    office = office_scope(principal)
    if office is not None:
        query = query.where(declarations.c.office_id == office)
    row = conn.execute(query).first()
    if row is None:
        raise NotFound(f"no declaration {declaration_id!r}", field="declaration_id")
    return row.office_id  # type: ignore[no-any-return]
