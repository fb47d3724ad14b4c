"""A release of shared statistics needs an agreement in force for technical assistance or model
knowledge with the partner, and is audited with its terms."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from borderlink.errors import PermissionDenied, PolicyDenied
from borderlink.model import Agreement, AgreementState
from borderlink.risk.shared_stats import SharingPolicy
from borderlink.services import Node
from borderlink.services.accounts.access import Principal, Role
from borderlink.services.cooperation import agreements
from borderlink.services.risk.shared import release_statistics
from borderlink.store.tables import audit_log
from tests.surfaces import OPS, agreement_document, seed

STATES = (AgreementState.SIGNED, AgreementState.RATIFIED, AgreementState.IN_FORCE)


def _agreement(node: Node, agreement_id: str, purposes: list[str]) -> None:
    document = agreement_document(node, agreement_id) | {"purposes": purposes}
    agreements.add_agreement(node, OPS, Agreement.model_validate(document))
    for state in STATES:
        agreements.transition_agreement(node, OPS, agreement_id, state, reason="test")


def test_a_release_goes_only_under_an_agreement_that_allows_it(node: Node) -> None:
    seed(node)
    policy = SharingPolicy(k=1)
    _agreement(node, "AG-RISK", ["risk-management"])
    with pytest.raises(PolicyDenied) as refused:
        release_statistics(node, OPS, "node-b", policy=policy, seed=1)
    assert refused.value.field == "partner_id"
    _agreement(node, "AG-TA", ["technical-assistance"])
    done = release_statistics(node, OPS, "node-b", policy=policy, seed=1)
    assert done.agreement_id == "AG-TA"
    assert done.stats.rates["hs6"].height >= 1
    assert "importer_id" not in done.stats.rates["hs6"].columns
    with pytest.raises(PolicyDenied):  # no agreement with another partner
        release_statistics(node, OPS, "node-c", policy=policy, seed=1)
    with node.read() as conn:
        entry = conn.execute(
            select(audit_log.c.object_id, audit_log.c.details).where(
                audit_log.c.action == "shared_stats.release"
            )
        ).one()
    assert entry.object_id == "node-b"
    assert (entry.details["agreement_id"], entry.details["k"]) == ("AG-TA", 1)
    officer = Principal(user_id=1, username="o", role=Role.OFFICER, office_id="OFA")
    with pytest.raises(PermissionDenied):
        release_statistics(node, officer, "node-b", seed=1, on=dt.date(2026, 12, 2))
