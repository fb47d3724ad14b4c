"""Property: no STIX object built from a released copy carries a value the release withheld.

The primary object carries the released record in its extension; its standard properties (an
indicator's pattern, a report's name) and the parts built for other tools (locations, the goods
note, party identities) are derived from it. Seizures whose every text is unmistakable are
drawn with arbitrary agreements (tests.cooperation.test_policy_properties); whenever a copy, or
the alert derived from the seizure, is released, each text of the original the copy no longer
holds must appear in none of the objects.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from borderlink.cooperation.alerts import alert_from_seizure
from borderlink.cooperation.policy import Released, release
from borderlink.exchange.stix import derived_record_id, to_stix, with_parts
from borderlink.model import Agreement, CoopRecord, Seizure
from tests.coop_samples import NOW, parse_strictly, stix_errors
from tests.cooperation.test_policy_properties import (
    ME,
    PARTNER,
    PURPOSES,
    agreement_lists,
    marked_seizures,
)


def _texts(value: Any) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, BaseModel):
        return _texts(value.model_dump())
    if isinstance(value, dict):
        return {t for v in value.values() for t in _texts(v)}
    if isinstance(value, list | tuple):
        return {t for v in value for t in _texts(v)}
    return set()


def _marked(record: CoopRecord) -> set[str]:
    """The record's distinctive texts (the drawn ones carry a token of four letters or more)."""
    skip = {"id", "issuer", "kind", "tlp", "classification", "source_seizure"}
    return {t for t in _texts(record.model_dump(exclude=skip)) if len(t) >= 6}


def _objects(out: Released) -> str:
    removed = tuple(r.field for r in out.removed)
    primary = to_stix(out.record, agreement_id=out.agreement_id, redacted=removed)
    return json.dumps(with_parts([primary]))


def _check(original: CoopRecord, out: Released | Any) -> None:
    if not isinstance(out, Released):
        return
    kept = _texts(out.record.model_dump())
    text = _objects(out)
    for value in _marked(original) - kept:
        if any(value in k for k in kept):
            continue  # part of a text that may go (a derived alert's title names the goods)
        assert value not in text, f"{value!r} was withheld but reached the STIX objects"


@settings(max_examples=150, deadline=None)
@given(marked_seizures(), agreement_lists(), st.sampled_from(PURPOSES))
def test_no_stix_object_carries_what_the_release_withheld(
    seizure: Seizure, drawn: list[Agreement], purpose: str
) -> None:
    _check(seizure, release(seizure, PARTNER, purpose, drawn, NOW, me=ME))
    alert = alert_from_seizure(seizure, alert_id=derived_record_id("alert", seizure.id))
    _check(seizure, release(alert, PARTNER, purpose, drawn, NOW, me=ME))


@settings(max_examples=25, deadline=None)
@given(marked_seizures(), agreement_lists(), st.sampled_from(PURPOSES))
def test_every_released_copy_is_valid_standard_stix(
    seizure: Seizure, drawn: list[Agreement], purpose: str
) -> None:
    out = release(seizure, PARTNER, purpose, drawn, NOW, me=ME)
    if isinstance(out, Released):
        objects = json.loads(_objects(out))
        assert stix_errors(objects) == []
        assert len(parse_strictly(objects)) == len(objects)
