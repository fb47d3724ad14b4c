"""Both parties sign their copy of an agreement; nothing flows until the copies have the same
terms hash, and a difference is shown (issue 11, item 6)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from borderlink.errors import IntegrityFailure, InvalidInput
from borderlink.model import Agreement, AgreementState
from borderlink.services.accounts.access import Principal
from borderlink.services.cooperation.agreements import (
    accept_copy,
    add_agreement,
    copy_checks,
    signed_copy,
    transition_agreement,
)
from borderlink.services.cooperation.records import held_objects, issue
from tests.coop_mesh import Mesh, build_mesh, connect
from tests.coop_samples import agreement, new_alert

OPS = Principal.system("test")
STEPS = (AgreementState.SIGNED, AgreementState.RATIFIED, AgreementState.IN_FORCE)


@pytest.fixture
def mesh(tmp_path: Path, _sqlite_template: Path) -> Iterator[Mesh]:
    m = build_mesh(tmp_path, ["A", "B", "C"], template=_sqlite_template)
    connect(m, "A", "B")
    connect(m, "A", "C")
    yield m
    m.close()


def _register(mesh: Mesh, party: str, terms: Agreement) -> None:
    node = mesh.nodes[party]
    add_agreement(node, OPS, terms.model_copy(update={"state": AgreementState.DRAFT}))
    for step in STEPS:
        transition_agreement(node, OPS, terms.agreement_id, step)


def test_nothing_flows_until_the_partner_copy_matches(mesh: Mesh) -> None:
    a, b = mesh.nodes["A"], mesh.nodes["B"]
    _register(mesh, "A", agreement())
    _register(mesh, "B", agreement())
    assert [(c.partner_id, c.status) for c in copy_checks(a, OPS)] == [("B", "missing")]
    result = issue(a, OPS, new_alert(1), transport_for=mesh.transport_for)
    assert result.released_to == []
    assert "both copies match" in result.denied["B"]

    accept_copy(a, OPS, signed_copy(b, OPS, "AB-2026"))
    assert [c.status for c in copy_checks(a, OPS)] == ["confirmed"]
    issue(a, OPS, new_alert(2), notify=False)
    assert held_objects(b) == []  # B has not taken A's copy yet
    check = accept_copy(b, OPS, signed_copy(a, OPS, "AB-2026"))
    assert check.status == "confirmed"
    third = issue(a, OPS, new_alert(3), transport_for=mesh.transport_for)
    assert third.released_to == ["B"]
    assert {o["name"] for o in held_objects(b)} >= {"alert 3"}


def test_copies_that_drift_are_shown_and_block_the_exchange(mesh: Mesh) -> None:
    a, b = mesh.nodes["A"], mesh.nodes["B"]
    _register(mesh, "A", agreement())
    _register(mesh, "B", agreement(redact={"seizure": ["concealment", "office_id"]}))
    check = accept_copy(a, OPS, signed_copy(b, OPS, "AB-2026"))
    assert check.status == "mismatch"
    assert "other terms" in check.detail
    accept_copy(b, OPS, signed_copy(a, OPS, "AB-2026"))
    assert [c.status for c in copy_checks(b, OPS)] == ["mismatch"]
    assert issue(a, OPS, new_alert(1), notify=False).released_to == []


def test_a_copy_must_be_signed_by_a_party_and_untampered(mesh: Mesh) -> None:
    a, c = mesh.nodes["A"], mesh.nodes["C"]
    _register(mesh, "A", agreement())
    _register(mesh, "B", agreement())
    token = signed_copy(mesh.nodes["B"], OPS, "AB-2026")
    head, body, sig = token.split(".")
    with pytest.raises(IntegrityFailure):
        accept_copy(a, OPS, f"{head}.{body[:-4]}AAAA.{sig}")
    add_agreement(c, OPS, agreement(agreement_id="AC-1", parties=["A", "C"], state="draft"))
    add_agreement(a, OPS, agreement(agreement_id="AC-1", parties=["A", "B"], state="draft"))
    with pytest.raises(InvalidInput, match="not a party"):
        accept_copy(a, OPS, signed_copy(c, OPS, "AC-1"))
