"""Accounts: users, passwords, sessions and tokens, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from borderlink.errors import Conflict, InvalidInput, NotAuthenticated, PermissionDenied
from borderlink.services import Node
from borderlink.services.accounts import users as accounts
from borderlink.services.accounts.access import Permission, Principal, Role
from borderlink.services.accounts.demo import DEMO_OFFICE, demo_accounts
from borderlink.store.accounts_tables import api_tokens, login_throttle, sessions, users
from borderlink.store.tables import audit_log
from tests.surfaces import PASSWORD, fast

ADMIN = Principal.system("test-admin")


@pytest.fixture
def quick(node: Node) -> Node:
    return fast(node)


def test_passwords_are_stored_as_argon2_hashes(quick: Node) -> None:
    accounts.add_user(quick, ADMIN, username="ana", password=PASSWORD, role=Role.RISK_ANALYST)
    with quick.engine.connect() as conn:
        stored = conn.execute(select(users.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored
    assert accounts.authenticate(quick, "ana", PASSWORD).role is Role.RISK_ANALYST
    with pytest.raises(NotAuthenticated):
        accounts.authenticate(quick, "ana", PASSWORD + "x")


def test_standard_hashing_is_the_rfc_9106_low_memory_profile(node: Node) -> None:
    hashed = accounts.hash_password(node, PASSWORD)
    assert hashed.startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def test_users_are_validated(quick: Node) -> None:
    with pytest.raises(InvalidInput, match="role"):
        accounts.add_user(quick, ADMIN, username="x", password=PASSWORD, role="emperor")
    with pytest.raises(InvalidInput) as short:
        accounts.add_user(quick, ADMIN, username="x", password="short", role=Role.AUDITOR)
    assert short.value.field == "password"
    with pytest.raises(InvalidInput) as office:
        accounts.add_user(quick, ADMIN, username="x", password=PASSWORD, role=Role.OFFICER)
    assert office.value.field == "office_id"
    with pytest.raises(InvalidInput) as agency:
        accounts.add_user(quick, ADMIN, username="x", password=PASSWORD, role=Role.AGENCY_OFFICER)
    assert agency.value.field == "agency"
    accounts.add_user(quick, ADMIN, username="x", password=PASSWORD, role=Role.AUDITOR)
    with pytest.raises(Conflict):
        accounts.add_user(quick, ADMIN, username="x", password=PASSWORD, role=Role.AUDITOR)
    assert [u.username for u in accounts.list_users(quick, ADMIN)] == ["x"]


def test_disabling_a_user_ends_sign_in_sessions_and_tokens(quick: Node) -> None:
    accounts.add_user(
        quick, ADMIN, username="o", password=PASSWORD, role=Role.OFFICER, office_id="OF1"
    )
    principal = accounts.authenticate(quick, "o", PASSWORD)
    opened = accounts.open_session(quick, principal)
    token = accounts.issue_token(quick, ADMIN, reason="t", username="o", name="t").token
    assert accounts.session_principal(quick, opened.token)[1] == opened.csrf_token
    assert accounts.token_principal(quick, token).username == "o"
    assert accounts.disable_user(quick, ADMIN, "o").active is False
    with pytest.raises(NotAuthenticated):
        accounts.authenticate(quick, "o", PASSWORD)
    with pytest.raises(NotAuthenticated):
        accounts.session_principal(quick, opened.token)
    with pytest.raises(NotAuthenticated):
        accounts.token_principal(quick, token)


def test_sessions_and_tokens_are_stored_hashed_and_expire(quick: Node) -> None:
    accounts.add_user(quick, ADMIN, username="a", password=PASSWORD, role=Role.AUDITOR)
    opened = accounts.open_session(quick, accounts.authenticate(quick, "a", PASSWORD))
    made = accounts.issue_token(quick, ADMIN, reason="t", username="a", name="t", days=1)
    with quick.engine.begin() as conn:
        stored = {conn.execute(select(sessions.c.session_hash)).scalar_one()}
        stored |= {conn.execute(select(api_tokens.c.token_hash)).scalar_one()}
        assert opened.token not in stored
        assert made.token not in stored
        past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        conn.execute(update(sessions).values(expires_at=past))
        conn.execute(update(api_tokens).values(expires_at=past))
    with pytest.raises(NotAuthenticated, match="expired"):
        accounts.session_principal(quick, opened.token)
    with pytest.raises(NotAuthenticated, match="expired"):
        accounts.token_principal(quick, made.token)


def test_token_scopes_narrow_the_role_and_cannot_widen_it(quick: Node) -> None:
    accounts.add_user(
        quick, ADMIN, username="o", password=PASSWORD, role=Role.OFFICER, office_id="OF1"
    )
    made = accounts.issue_token(
        quick, ADMIN, reason="t", username="o", name="r", scopes=["declarations:read"]
    )
    principal = accounts.token_principal(quick, made.token)
    assert principal.permissions == frozenset({Permission.DECLARATIONS_READ})
    with pytest.raises(InvalidInput, match="cannot carry"):
        accounts.issue_token(
            quick, ADMIN, reason="t", username="o", name="w", scopes=["audit:read"]
        )
    with pytest.raises(InvalidInput, match="unknown scopes"):
        accounts.issue_token(
            quick, ADMIN, reason="t", username="o", name="w", scopes=["everything"]
        )
    with pytest.raises(InvalidInput):
        accounts.issue_token(quick, ADMIN, reason="t", username="o", name="w", days=1000)


def test_only_the_owner_or_an_administrator_manages_a_token(quick: Node) -> None:
    for name, role in (("o1", Role.OFFICER), ("o2", Role.OFFICER), ("adm", Role.ADMINISTRATOR)):
        accounts.add_user(
            quick, ADMIN, username=name, password=PASSWORD, role=role, office_id="OF1"
        )
    o1 = accounts.authenticate(quick, "o1", PASSWORD)
    o2 = accounts.authenticate(quick, "o2", PASSWORD)
    admin = accounts.authenticate(quick, "adm", PASSWORD)
    made = accounts.create_token(quick, o1, username="o1", name="mine")
    with pytest.raises(PermissionDenied):
        accounts.create_token(quick, o2, username="o1", name="theirs")
    with pytest.raises(PermissionDenied):
        accounts.revoke_token(quick, o2, made.info.token_id)
    assert [t.token_id for t in accounts.list_tokens(quick, o2)] == []
    assert [t.token_id for t in accounts.list_tokens(quick, o1)] == [made.info.token_id]
    assert accounts.revoke_token(quick, admin, made.info.token_id).revoked_at is not None


def test_repeated_failures_lock_the_account_for_a_while(quick: Node) -> None:
    node = Node(
        settings=quick.settings.model_copy(update={"login_max_failures": 3}), engine=quick.engine
    )
    accounts.add_user(node, ADMIN, username="v", password=PASSWORD, role=Role.AUDITOR)
    accounts.add_user(node, ADMIN, username="w", password=PASSWORD, role=Role.AUDITOR)
    for _ in range(3):
        with pytest.raises(NotAuthenticated, match="wrong"):
            accounts.authenticate(node, "v", "guess")
    with pytest.raises(NotAuthenticated, match="locked until"):
        accounts.authenticate(node, "v", PASSWORD)  # even the right password, for now
    assert accounts.authenticate(node, "w", PASSWORD).username == "w"  # others unaffected
    with node.engine.begin() as conn:  # the lock runs out
        past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        conn.execute(update(login_throttle).values(locked_until=past))
    assert accounts.authenticate(node, "v", PASSWORD).username == "v"
    with node.engine.connect() as conn:
        actions = (
            conn.execute(select(audit_log.c.action).where(audit_log.c.object_id == "v"))
            .scalars()
            .all()
        )
    assert actions.count("auth.login_refused") == 1


def test_demo_accounts_one_per_role_once(quick: Node) -> None:
    made = demo_accounts(quick)
    assert len(made) == len(Role)
    for username, password in made.items():
        assert accounts.authenticate(quick, username, password).username == username
    assert demo_accounts(quick) == {}
    officer = accounts.get_user(quick, ADMIN, "demo-officer")
    assert officer.office_id == DEMO_OFFICE


def test_sign_in_opens_a_session_and_user_management_is_the_administrators(quick: Node) -> None:
    accounts.add_user(
        quick, ADMIN, username="o", password=PASSWORD, role=Role.OFFICER, office_id="A"
    )
    signed = accounts.sign_in(quick, "o", PASSWORD, source="web")
    assert signed.principal.username == "o"
    assert accounts.session_principal(quick, signed.session.token)[0] == signed.principal
    with pytest.raises(PermissionDenied):
        accounts.add_user(quick, signed.principal, username="x", password=PASSWORD, role="auditor")
    with pytest.raises(PermissionDenied):
        accounts.list_users(quick, signed.principal)
    with pytest.raises(NotAuthenticated):
        accounts.sign_in(quick, "o", "wrong-password")
    accounts.close_session(quick, signed.principal, signed.session.token)
    with pytest.raises(NotAuthenticated):
        accounts.session_principal(quick, signed.session.token)
