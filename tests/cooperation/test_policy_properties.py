"""Property: the release policy (``cooperation.policy.release``) never lets out what an agreement
excludes, for arbitrary records and agreements, derived records included.

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
from pydantic import BaseModel

from borderlink.cooperation.agreements import (
    MODELS_BY_CATEGORY,
    allowed_fields,
    field_paths,
    in_force,
)
from borderlink.cooperation.alerts import alert_from_seizure
from borderlink.cooperation.policy import Denial, Released, release
from borderlink.cooperation.projection import WITHHELD, always
from borderlink.model import Agreement, Route, SeizedParty
from borderlink.model.cooperation import (
    CLASSIFICATION_ORDER,
    AgreementState,
    Category,
    Classification,
    CoopRecord,
    Seizure,
    Tlp,
    nominal_fields,
)
from tests.coop_samples import NOW, sample_alert, sample_seizure

ME, PARTNER = "A", "B"
PURPOSES = ("risk-management", "investigation", "statistics")
WORDS = st.text(st.characters(min_codepoint=48, max_codepoint=122), min_size=1, max_size=8)
MAYBE = st.none() | WORDS


def _record(kind: str, draw: st.DrawFn) -> CoopRecord:
    record = _drawn(kind, draw)
    return record.model_copy(update={"tlp": draw(st.sampled_from(list(Tlp)))})


def _drawn(kind: str, draw: st.DrawFn) -> CoopRecord:
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
    fields: dict[Category, tuple[str, ...]] = {}
    replace: dict[Category, dict[str, str]] = {}
    for category, model in MODELS_BY_CATEGORY.items():
        paths = sorted(field_paths(model) - {"kind", "id", "issuer", "created", "modified"})
        redact[category] = tuple(draw(st.lists(st.sampled_from(paths), unique=True, max_size=4)))
        if draw(st.booleans()):  # an allow-list of its own, else the standard one
            fields[category] = tuple(draw(st.lists(st.sampled_from(paths), unique=True)))
        if category == Category.SEIZURE and draw(st.booleans()):
            replace[category] = {"goods_description": "REPLACEMENT"}
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
        fields=fields,
        replace=replace,
        amber_recipients=tuple(p for p in values["parties"] if p != ME and draw(st.booleans())),
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

    assert record.tlp != Tlp.RED
    if record.tlp in (Tlp.AMBER, Tlp.AMBER_STRICT):
        assert PARTNER in agreement.amber_recipients
    excluded = {p for p in agreement.redact.get(record.category, ()) if "." not in p}
    if Category.TRADER_IDENTITY not in agreement.categories:
        excluded |= set(nominal_fields(type(record)))
    copy = outcome.record
    removed = {r.field.split(".")[0] for r in outcome.removed}
    for name in excluded - always(type(record), record.category):
        original = getattr(record, name)
        if original == _default(record, name):
            continue  # nothing to take out: the default says nothing
        assert getattr(copy, name) != original, f"{name} left the node"
        assert name in removed
    _within_allow_list(copy, agreement)
    for name in type(record).model_fields:
        if name not in removed:
            assert getattr(copy, name) == getattr(record, name), f"{name} changed"


def _empty(value: Any) -> bool:
    return value in (None, "", (), [], {}, Route())


def _within_allow_list(copy: CoopRecord, agreement: Agreement) -> None:
    """Every field of ``copy`` holding something is allow-listed (or it, or its parent, is)."""
    category = copy.category
    allowed = set(allowed_fields(agreement, category))
    replaced = agreement.replace.get(category, {})
    for name in type(copy).model_fields:
        value = getattr(copy, name)
        if name in always(type(copy), category) or _empty(value) or name in allowed:
            continue
        if replaced.get(name) == value or value == WITHHELD:
            continue
        items = value if isinstance(value, tuple) else (value,)
        for item in items:
            assert isinstance(item, BaseModel), f"{name} left the node, not allow-listed"
            for sub in type(item).model_fields:
                if not _empty(getattr(item, sub)) and f"{name}.{sub}" not in allowed:
                    assert sub == "role", f"{name}.{sub} left the node, not allow-listed"
                    assert getattr(item, sub) == ""  # a required sub-field, blanked


MARKED = st.text(st.characters(min_codepoint=97, max_codepoint=122), min_size=4, max_size=8)


@st.composite
def marked_seizures(draw: st.DrawFn) -> Seizure:
    """Seizures whose every text value is unmistakable, to find it in whatever is derived."""
    token = draw(MARKED)
    parties = tuple(
        SeizedParty(role=f"role{n}{token}", party_id=f"pid{n}{token}", name=f"nm{n}{token}")
        for n in range(draw(st.integers(0, 3)))
    )
    return sample_seizure(
        goods_description=f"goods{token}",
        concealment=draw(st.none() | st.just(f"hidden{token}")),
        hs_code="123456",
        origin_country="QZ",
        route=Route(loading_location="LLLZZ", departure_country="QD"),
        parties=parties,
        tlp=draw(st.sampled_from([Tlp.CLEAR, Tlp.GREEN, Tlp.AMBER])),
    )


def _values(seizure: Seizure, path: str) -> list[str]:
    name, _, sub = path.partition(".")
    value = getattr(seizure, name)
    items = value if isinstance(value, tuple) else (value,)
    found: list[Any] = [getattr(i, sub) for i in items] if sub else [value]
    out: list[str] = []
    for v in found:
        if isinstance(v, str):
            out.append(v)
        elif isinstance(v, BaseModel):
            out += [x for x in v.model_dump().values() if isinstance(x, str)]
    return out


@settings(max_examples=200, deadline=None)
@given(marked_seizures(), agreement_lists(), st.sampled_from(PURPOSES))
def test_a_derived_alert_carries_no_seizure_field_the_agreement_withholds(
    seizure: Seizure, drawn: list[Agreement], purpose: str
) -> None:
    alert = alert_from_seizure(seizure, alert_id="x-borderlink-alert--derived")
    outcome = release(alert, PARTNER, purpose, drawn, NOW, me=ME)
    if isinstance(outcome, Denial):
        return
    (agreement,) = [a for a in drawn if a.agreement_id == outcome.agreement_id]
    allowed = set(allowed_fields(agreement, Category.SEIZURE))
    blocked = set(agreement.redact.get(Category.SEIZURE, ())) | set(
        agreement.replace.get(Category.SEIZURE, {})
    )
    if Category.TRADER_IDENTITY not in agreement.categories:
        blocked |= set(nominal_fields(Seizure))
    text = outcome.record.model_dump_json()
    paths = field_paths(Seizure) - always(Seizure, Category.SEIZURE)
    leaves = {p for p in paths if not any(q.startswith(p + ".") for q in paths)}
    for path in sorted(leaves):  # a nested record's values are checked field by field
        parent = path.split(".")[0]
        if (path in allowed or parent in allowed) and not {path, parent} & blocked:
            continue
        for value in _values(seizure, path):
            assert value not in text, f"seizure {path} ({value!r}) reached {PARTNER} in the alert"
    _within_allow_list(outcome.record, agreement)


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


@settings(max_examples=200, deadline=None)
@given(records(), agreement_lists(), st.sampled_from(PURPOSES))
def test_a_receivers_check_decides_and_removes_as_the_release_does(
    record: CoopRecord, drawn: list[Agreement], purpose: str
) -> None:
    """Receiving asks ``release`` without the copy (``copy=False``): the same decision and the
    same removals, and the record itself comes back instead of a projected copy."""
    full = release(record, PARTNER, purpose, drawn, NOW, me=ME)
    check = release(record, PARTNER, purpose, drawn, NOW, me=ME, copy=False)
    if isinstance(full, Denial):
        assert check == full
        return
    assert isinstance(check, Released)
    assert check.removed == full.removed
    assert check.record is record
    assert (check.agreement_id, check.handling) == (full.agreement_id, full.handling)
