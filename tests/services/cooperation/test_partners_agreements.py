from __future__ import annotations

import pytest
from sqlalchemy import select

from borderlink.errors import Conflict, InvalidInput, NotFound
from borderlink.exchange.identity import Partner
from borderlink.model import Agreement, AgreementState
from borderlink.services import Node
from borderlink.services.accounts.access import Principal
from borderlink.services.cooperation.agreements import (
    add_agreement,
    get_agreement,
    list_agreements,
    transition_agreement,
)
from borderlink.services.cooperation.partners import (
    add_partner,
    init_node,
    list_partners,
    node_identity,
    remove_partner,
)
from borderlink.store.tables import audit_log

OPS = Principal.system("test")  # acts for the node in the tests

KEY = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"


def _agreement(node_id: str) -> Agreement:
    return Agreement.model_validate(
        {
            "agreement_id": "AB-1",
            "title": "t",
            "type": "bilateral-mou",
            "parties": [node_id, "B"],
            "legal_basis": "MoU",
            "categories": ["alert"],
            "purposes": ["risk-management"],
        }
    )


def test_node_init_then_identity(node: Node) -> None:
    made = init_node(node, OPS)
    assert node_identity(node).public_key == made.public_key
    with pytest.raises(Conflict):
        init_node(node, OPS)


def test_partner_registry_add_is_idempotent_and_audited(node: Node) -> None:
    partner = Partner("B", "Borduria", KEY, "http://127.0.0.1:8001")
    assert add_partner(node, OPS, partner) == partner
    assert add_partner(node, OPS, partner) == partner
    assert list_partners(node, OPS) == [partner]
    with pytest.raises(Conflict):
        add_partner(node, OPS, Partner("B", "Borduria", KEY, "http://elsewhere:1"))
    with pytest.raises(InvalidInput):
        add_partner(node, OPS, Partner("C", "C", "bad", "http://x"))
    remove_partner(node, OPS, "B")
    assert list_partners(node, OPS) == []
    with pytest.raises(NotFound):
        remove_partner(node, OPS, "B")
    with node.engine.connect() as conn:
        actions = conn.execute(select(audit_log.c.action).order_by(audit_log.c.entry_id))
        assert [a for (a,) in actions] == ["partner.add", "partner.remove"]


def test_agreement_starts_as_draft_and_walks_its_lifecycle(node: Node) -> None:
    me = node.settings.node_id
    add_agreement(node, OPS, _agreement(me))
    with pytest.raises(Conflict):
        add_agreement(node, OPS, _agreement(me))
    for step in ("signed", "ratified", "in_force"):
        transition_agreement(node, OPS, "AB-1", AgreementState(step), reason="test")
    assert get_agreement(node, OPS, "AB-1").state == AgreementState.IN_FORCE
    with pytest.raises(Conflict):
        transition_agreement(node, OPS, "AB-1", AgreementState.DRAFT)
    assert [a.agreement_id for a in list_agreements(node, OPS)] == ["AB-1"]


def test_agreement_must_involve_this_node_and_be_a_draft(node: Node) -> None:
    with pytest.raises(InvalidInput, match="not a party"):
        add_agreement(node, OPS, _agreement("X"))
    in_force = _agreement(node.settings.node_id).model_copy(update={"state": "in_force"})
    with pytest.raises(InvalidInput, match="draft"):
        add_agreement(node, OPS, in_force)
