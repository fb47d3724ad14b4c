from __future__ import annotations

import datetime as dt

import pytest

from borderlink.cooperation import TRANSITIONS, in_force, load_agreement_yaml, transition
from borderlink.errors import Conflict, InvalidInput
from borderlink.model import AgreementState
from tests.coop_samples import agreement

YAML = """
agreement_id: AB-2026
title: A-B mutual assistance
type: cmaa
parties: [A, B]
legal_basis: CMAA 2026 art. 4
categories: [seizure, alert]
purposes: [risk-management]
max_classification: restricted
redact:
  seizure: [concealment, parties]
review_on: 2027-06-30
"""


def test_yaml_document_becomes_a_draft_agreement() -> None:
    a = load_agreement_yaml(YAML)
    assert a.state == AgreementState.DRAFT
    assert a.review_on == dt.date(2027, 6, 30)
    assert a.redact["seizure"] == ("concealment", "parties")  # type: ignore[index]


@pytest.mark.parametrize(
    ("text", "field"),
    [
        (YAML.replace("parties: [A, B]", "parties: [A]"), "parties"),
        (YAML.replace("type: cmaa", "type: handshake"), "type"),
        (YAML.replace("[concealment, parties]", "[colour]"), "redact.seizure"),
        (YAML + "\nsurprise: 1\n", "surprise"),
    ],
)
def test_invalid_documents_are_refused_naming_the_field(text: str, field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        load_agreement_yaml(text)
    assert caught.value.field == field


def test_lifecycle_walks_forward_and_refuses_shortcuts() -> None:
    a = agreement(state="draft")
    with pytest.raises(Conflict, match="cannot go from draft to in_force"):
        transition(a, AgreementState.IN_FORCE)
    for step in ("signed", "ratified", "in_force", "suspended", "in_force", "expired"):
        a = transition(a, AgreementState(step))
    assert a.state == "expired"
    assert TRANSITIONS[a.state] == frozenset()


def test_in_force_needs_state_and_dates() -> None:
    day = dt.date(2026, 11, 23)
    assert in_force(agreement(), day)
    assert not in_force(agreement(state="suspended"), day)
    assert not in_force(agreement(valid_until=day - dt.timedelta(days=1)), day)
