"""Property: the release policy (``cooperation.policy.release``) never lets out what an agreement
excludes, for arbitrary records and agreements.

Records are the samples of ``tests.coop_samples`` with their classification and every optional
field drawn afresh; agreements draw their parties, state, validity, categories, purposes,
classification ceiling and redaction lists. Whenever ``release`` lets a copy go, it went under
an agreement in force between both nodes that covers the category, purpose and classification,
and in that copy no field the agreement redacts, and no nominal field unless it covers trader
identities, still holds its original value; each removal is reported.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import event, given, settings
from hypothesis import strategies as st

from borderlink.cooperation.agreements import MODELS_BY_CATEGORY, in_force
from borderlink.cooperation.policy import Denial, Released, release
from borderlink.model import Agreement, SeizedParty
from borderlink.model.cooperation import (
    CLASSIFICATION_ORDER,
    AgreementState,
    Category,
    Classification,
    CoopRecord,
    nominal_fields,
)
from tests.coop_samples import NOW, sample_alert, sample_seizure

ME, PARTNER = "A", "B"
PURPOSES = ("risk-management", "investigation", "statistics")
WORDS = st.text(st.characters(min_codepoint=48, max_codepoint=122), min_size=1, max_size=8)
MAYBE = st.none() | WORDS


def _record(kind: str, draw: st.DrawFn) -> CoopRecord:
    classification = draw(st.sampled_from(list(Classification)))
    if kind == "seizure":
        party = st.builds(SeizedParty, role=WORDS, party_id=MAYBE, name=MAYBE, country=MAYBE)
        return sample_seizure(
            classification=classification,
            office_id=draw(MAYBE),
            hs_code=draw(MAYBE),
            origin_country=draw(MAYBE),
            concealment=draw(MAYBE),
            declaration_id=draw(MAYBE),
            parties=tuple(draw(st.lists(party, max_size=3))),
        )
    return sample_alert(
        classification=classification,
        description=draw(MAYBE),
        concealment=draw(MAYBE),
        trader_ids=tuple(draw(st.lists(WORDS, max_size=3))),
        source_seizure=draw(MAYBE),
    )


@st.composite
def records(draw: st.DrawFn) -> CoopRecord:
    return _record(draw(st.sampled_from(["seizure", "alert"])), draw)


@st.composite
def agreements(draw: st.DrawFn, number: int) -> Agreement:
    redact: dict[Category, tuple[str, ...]] = {}
    for category, model in MODELS_BY_CATEGORY.items():
        names = sorted(set(model.model_fields) - {"kind", "id", "issuer", "created", "modified"})
        redact[category] = tuple(draw(st.lists(st.sampled_from(names), unique=True, max_size=4)))
    categories = draw(st.frozensets(st.sampled_from(list(Category))))
    values: dict[str, Any] = {
        "parties": (ME, PARTNER),
        "state": AgreementState.IN_FORCE,
        "categories": categories | {Category.ALERT, Category.SEIZURE},
        "purposes": frozenset(PURPOSES),
    }
    if draw(st.booleans()):  # half of them anything at all; the others likely to let records go
        others = draw(
            st.lists(st.sampled_from(["B", "C", "D"]), min_size=1, max_size=2, unique=True)
        )
        values = {
            "parties": (ME, *others) if draw(st.booleans()) else ("C", "D"),
            "state": draw(st.sampled_from(list(AgreementState))),
            "categories": categories,
            "purposes": draw(st.frozensets(st.sampled_from(PURPOSES), min_size=1)),
        }
    today = NOW.date()
    return Agreement(
        agreement_id=f"AG-{number}",
        title="drawn",
        type="cmaa",
        legal_basis="drawn",
        max_classification=draw(st.sampled_from(list(Classification))),
        redact=redact,
        valid_from=draw(st.none() | st.dates(today - dt.timedelta(days=30), today)),
        valid_until=draw(st.none() | st.dates(today, today + dt.timedelta(days=30))),
        **values,
    )


@st.composite
def agreement_lists(draw: st.DrawFn) -> list[Agreement]:
    return [draw(agreements(n)) for n in range(draw(st.integers(0, 3)))]


def _default(record: CoopRecord, name: str) -> Any:
    return type(record).model_fields[name].get_default(call_default_factory=True)


@settings(max_examples=200, deadline=None)
@given(records(), agreement_lists(), st.sampled_from(PURPOSES))
def test_nothing_excluded_leaves(record: CoopRecord, drawn: list[Agreement], purpose: str) -> None:
    outcome = release(record, PARTNER, purpose, drawn, NOW, me=ME)
    event(type(outcome).__name__)  # --hypothesis-show-statistics: how many were released
    if isinstance(outcome, Denial):
        return
    assert isinstance(outcome, Released)
    (agreement,) = [a for a in drawn if a.agreement_id == outcome.agreement_id]
    assert ME in agreement.parties
    assert PARTNER in agreement.parties
    assert in_force(agreement, NOW.date())
    assert record.category in agreement.categories
    assert purpose in agreement.purposes
    ceiling = CLASSIFICATION_ORDER[agreement.max_classification]
    assert CLASSIFICATION_ORDER[record.classification] <= ceiling

    excluded = set(agreement.redact.get(record.category, ()))
    if Category.TRADER_IDENTITY not in agreement.categories:
        excluded |= set(nominal_fields(type(record)))
    copy = outcome.record
    removed = {r.field for r in outcome.removed}
    for name in excluded:
        original = getattr(record, name)
        if original == _default(record, name):
            continue  # nothing to take out: the default says nothing
        assert getattr(copy, name) != original, f"{name} left the node"
        assert name in removed
    for name in type(record).model_fields:
        if name not in excluded:
            assert getattr(copy, name) == getattr(record, name), f"{name} changed"


@settings(max_examples=100, deadline=None)
@given(records(), agreement_lists(), st.sampled_from(PURPOSES))
def test_without_an_agreement_in_force_for_both_nothing_leaves(
    record: CoopRecord, drawn: list[Agreement], purpose: str
) -> None:
    eligible = [
        a for a in drawn if ME in a.parties and PARTNER in a.parties and in_force(a, NOW.date())
    ]
    if not eligible:
        assert isinstance(release(record, PARTNER, purpose, drawn, NOW, me=ME), Denial)
