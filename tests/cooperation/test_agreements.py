from __future__ import annotations

import datetime as dt

import pytest

from borderlink.cooperation import TRANSITIONS, in_force, load_agreement_yaml, transition
from borderlink.cooperation.agreements import (
    STANDARD_FIELDS,
    parse_agreement,
    terms_hash,
    withdrawal_due,
)
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
        (YAML.replace("[concealment, parties]", "[parties.colour]"), "redact.seizure"),
        (YAML + "fields: {alert: [title, trader_ids.x]}\n", "fields.alert"),
        (YAML + "replace: {seizure: {hs_code: '24'}}\n", "replace.seizure"),
        (YAML + "replace: {seizure: {concealment: ' '}}\n", "replace.seizure.concealment"),
        (YAML + "amber_recipients: [C]\n", "amber_recipients"),
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


def test_nested_paths_parse_and_every_category_lists_its_fields() -> None:
    a = load_agreement_yaml(YAML.replace("[concealment, parties]", "[parties.name]"))
    assert a.redact["seizure"] == ("parties.name",)  # type: ignore[index]
    assert a.fields["alert"] == STANDARD_FIELDS["alert"]  # type: ignore[index]
    own = load_agreement_yaml(YAML + "fields: {seizure: [hs_code, route.loading_location]}\n")
    assert own.fields["seizure"] == ("hs_code", "route.loading_location")  # type: ignore[index]


def test_terms_hash_ignores_state_and_order_but_not_terms() -> None:
    base = agreement()
    same = parse_agreement(
        {**base.as_document(), "state": "draft", "purposes": ["investigation", "risk-management"]}
    )
    assert terms_hash(same) == terms_hash(base)
    changes: list[dict[str, object]] = [
        {"max_classification": "confidential"},
        {"redact": {}},
        {"retention_days": 9},
    ]
    for change in changes:
        assert terms_hash(agreement(**change)) != terms_hash(base)


def test_withdrawal_is_due_once_the_agreement_ended_and_its_grace_passed() -> None:
    day = dt.date(2026, 11, 23)
    assert not withdrawal_due(agreement(), day, day)
    assert withdrawal_due(agreement(state="expired"), day, day)
    kept = agreement(state="expired", retain_after_end_days=30)
    assert not withdrawal_due(kept, day, day + dt.timedelta(days=29))
    assert withdrawal_due(kept, day, day + dt.timedelta(days=30))
    lapsed = agreement(valid_until=day - dt.timedelta(days=1))
    assert withdrawal_due(lapsed, day - dt.timedelta(days=100), day)
