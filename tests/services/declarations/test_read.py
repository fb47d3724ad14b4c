"""Recording an outcome is one use case, authorised and office-scoped, whoever calls it."""

from __future__ import annotations

import pytest

from borderlink.errors import NotFound, PermissionDenied
from borderlink.model import Outcome
from borderlink.services import Node
from borderlink.services.accounts.access import Principal, Role
from borderlink.services.declarations import read as declarations
from tests.surfaces import OFFICE_A, seed_declarations

OPS = Principal.system("test")


def test_an_officer_records_outcomes_only_at_their_office(node: Node) -> None:
    at_a, at_b = seed_declarations(node)
    officer = Principal(user_id=2, username="off", role=Role.OFFICER, office_id=OFFICE_A)
    recorded = declarations.record_outcome(
        node, officer, Outcome(declaration_id=at_a[0], illicit=True, severity=2)
    )
    assert (recorded.illicit, recorded.officer, recorded.source) == (True, "off", "officer")
    corrected = declarations.record_outcome(
        node, officer, Outcome(declaration_id=at_a[0], illicit=False)
    )
    assert corrected.illicit is False
    with pytest.raises(NotFound):  # another office's declaration does not exist for them
        declarations.record_outcome(node, officer, Outcome(declaration_id=at_b[0], illicit=True))
    analyst = Principal(user_id=3, username="ana", role=Role.RISK_ANALYST)
    with pytest.raises(PermissionDenied):
        declarations.record_outcome(node, analyst, Outcome(declaration_id=at_a[0], illicit=True))
    view = declarations.get_declaration(node, OPS, at_a[0])
    assert [h.action for h in view.history] == ["outcome.record", "outcome.correct"]
