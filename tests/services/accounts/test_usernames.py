"""Usernames are one per person whatever their case or padding (issue 10, item 13)."""

from __future__ import annotations

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from borderlink.errors import Conflict, InvalidInput
from borderlink.services import Node
from borderlink.services.accounts import users as accounts
from borderlink.services.accounts._common import now
from borderlink.services.accounts.access import Principal, Role
from borderlink.store.accounts_tables import users
from tests.surfaces import PASSWORD, fast

ADMIN = Principal.system("test-admin")


@pytest.fixture
def quick(node: Node) -> Node:
    return fast(node)


def test_names_differing_only_by_case_or_spaces_are_one(quick: Node) -> None:
    accounts.add_user(quick, ADMIN, username="Alice", password=PASSWORD, role=Role.AUDITOR)
    for twin in ("alice", "ALICE", " alice ", "Alice "):
        with pytest.raises(Conflict, match="already exists"):
            accounts.add_user(quick, ADMIN, username=twin, password=PASSWORD, role=Role.AUDITOR)
    assert [u.username for u in accounts.list_users(quick, ADMIN)] == ["Alice"]


def test_sign_in_matches_the_name_ignoring_case(quick: Node) -> None:
    accounts.add_user(quick, ADMIN, username="Bob.Smith", password=PASSWORD, role=Role.AUDITOR)
    for typed in ("bob.smith", "BOB.SMITH", " Bob.Smith"):
        assert accounts.authenticate(quick, typed, PASSWORD).username == "Bob.Smith"
    assert accounts.get_user(quick, ADMIN, "bob.smith").username == "Bob.Smith"


@pytest.mark.parametrize(
    "name",
    ["eve\u200b", "\u202eeve", "\ufeffeve", "ev\ne", "ev\x00e", "ev\te", "   ", ""],
)
def test_invisible_and_control_characters_are_refused(quick: Node, name: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        accounts.add_user(quick, ADMIN, username=name, password=PASSWORD, role=Role.AUDITOR)
    assert refused.value.field == "username"


def test_a_name_is_stored_in_nfc(quick: Node) -> None:
    decomposed = "Ame\u0301lie"  # e + combining acute
    made = accounts.add_user(
        quick, ADMIN, username=decomposed, password=PASSWORD, role=Role.AUDITOR
    )
    assert made.username == "Am\u00e9lie"
    with pytest.raises(Conflict):
        accounts.add_user(quick, ADMIN, username="Am\u00e9lie", password=PASSWORD, role="auditor")


def test_the_database_itself_refuses_a_second_case(quick: Node) -> None:
    """The index holds whatever writes the row (another process, an older release)."""
    row = {"password_hash": "x", "role": "auditor", "active": True, "created_at": now()}
    with quick.transaction() as conn:
        conn.execute(insert(users).values(username="carol", **row))
    with pytest.raises(IntegrityError), quick.transaction() as conn:
        conn.execute(insert(users).values(username="Carol", **row))
