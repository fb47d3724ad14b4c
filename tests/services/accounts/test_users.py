"""Accounts you can live with (issue 10, item 8) and the audit log's TRUNCATE (item 9)."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select, text

from borderlink.errors import Conflict, NotAuthenticated, PermissionDenied
from borderlink.services import Node
from borderlink.services.accounts import users as accounts
from borderlink.services.accounts.access import Permission, Principal, Role
from borderlink.store import is_postgres
from borderlink.store.tables import audit_log
from tests.surfaces import PASSWORD, fast

ADMIN = Principal.system("test-admin")
NEW = "a brand new one"


@pytest.fixture
def quick(node: Node) -> Node:
    return fast(node)


def test_disable_then_enable(quick: Node) -> None:
    accounts.add_user(quick, ADMIN, username="eve", password=PASSWORD, role=Role.AUDITOR)
    accounts.disable_user(quick, ADMIN, "eve")
    with pytest.raises(NotAuthenticated):
        accounts.authenticate(quick, "eve", PASSWORD)
    assert accounts.enable_user(quick, ADMIN, "eve").active is True
    assert accounts.authenticate(quick, "eve", PASSWORD).username == "eve"


def test_the_last_active_administrator_cannot_be_disabled(quick: Node) -> None:
    accounts.add_user(quick, ADMIN, username="root", password=PASSWORD, role=Role.ADMINISTRATOR)
    with pytest.raises(Conflict, match="last active administrator"):
        accounts.disable_user(quick, ADMIN, "root")
    accounts.add_user(quick, ADMIN, username="root2", password=PASSWORD, role=Role.ADMINISTRATOR)
    assert accounts.disable_user(quick, ADMIN, "root").active is False
    with pytest.raises(Conflict):
        accounts.disable_user(quick, ADMIN, "root2")


def test_a_reset_password_allows_only_changing_it(quick: Node) -> None:
    accounts.add_user(quick, ADMIN, username="rob", password=PASSWORD, role=Role.RISK_ANALYST)
    own = accounts.authenticate(quick, "rob", PASSWORD)
    session = accounts.open_session(quick, own)
    token = accounts.create_token(quick, own, name="mine").token
    accounts.reset_password(quick, ADMIN, "rob", "temporary-1", reason="forgot it")
    with pytest.raises(NotAuthenticated):  # the old session and token ended
        accounts.session_principal(quick, session.token)
    with pytest.raises(NotAuthenticated):
        accounts.token_principal(quick, token)
    signed = accounts.sign_in(quick, "rob", "temporary-1")
    assert signed.principal.password_change_due
    assert signed.principal.permissions == frozenset()
    with pytest.raises(PermissionDenied):
        accounts.create_token(quick, signed.principal, name="sneaky")
    accounts.change_password(quick, signed.principal, "temporary-1", NEW)
    again, _ = accounts.session_principal(quick, signed.session.token)
    assert again.can(Permission.DECLARATIONS_READ)
    assert not again.password_change_due
    with pytest.raises(NotAuthenticated):
        accounts.authenticate(quick, "rob", "temporary-1")


def test_changing_ones_password_needs_the_current_one_and_a_session(quick: Node) -> None:
    accounts.add_user(quick, ADMIN, username="cat", password=PASSWORD, role=Role.AUDITOR)
    own = accounts.authenticate(quick, "cat", PASSWORD)
    with pytest.raises(NotAuthenticated):
        accounts.change_password(quick, own, "not it at all", NEW)
    token = accounts.token_principal(quick, accounts.create_token(quick, own, name="t").token)
    with pytest.raises(PermissionDenied):  # a token never takes over its account
        accounts.change_password(quick, token, PASSWORD, NEW)
    accounts.change_password(quick, own, PASSWORD, NEW)
    assert accounts.authenticate(quick, "cat", NEW).username == "cat"
    with quick.read() as conn:
        actions = conn.execute(select(audit_log.c.action, audit_log.c.actor)).all()
    assert ("user.password_change", "cat") in actions


def test_the_audit_log_refuses_truncate_and_delete(quick: Node) -> None:
    """Item 9: PostgreSQL's TRUNCATE bypassed the append-only row triggers."""
    accounts.add_user(quick, ADMIN, username="x", password=PASSWORD, role=Role.AUDITOR)
    with pytest.raises(Exception, match="append-only"), quick.transaction() as conn:
        conn.execute(delete(audit_log))
    if is_postgres(quick.engine):
        with pytest.raises(Exception, match="append-only"), quick.transaction() as conn:
            conn.execute(text("TRUNCATE audit_log CASCADE"))
        with quick.read() as conn:
            privilege = conn.execute(
                text("SELECT has_table_privilege(current_user, 'audit_log', 'TRUNCATE')")
            ).scalar_one()
        assert privilege is True  # the tests connect as a superuser: only the trigger stops it
    with quick.read() as conn:
        assert conn.execute(select(audit_log.c.action)).scalars().all()
