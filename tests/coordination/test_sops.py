"""SOPs as pure logic: the next version, and which apply to a referral."""

from __future__ import annotations

import datetime as dt

from borderlink.coordination import Sop, SopDraft
from borderlink.coordination.sops import applicable, next_version

AT = dt.datetime(2026, 12, 2, tzinfo=dt.UTC)


def sop(agency: str, kind: str, version: int = 1, body: str = "text") -> Sop:
    return Sop(
        agency=agency,
        referral_type=kind,
        title="T",
        body=body,
        version=version,
        published_by="x",
        published_at=AT,
    )


def test_a_new_text_is_the_next_version_and_the_same_one_none() -> None:
    draft = SopDraft(agency="health", title="T", body="text\n")
    assert next_version(None, draft) == 1
    assert next_version(sop("health", "any", 3), draft) is None  # the text in force
    assert next_version(sop("health", "any", 3, body="old"), draft) == 4


def test_the_rules_that_matched_then_the_general_procedure_per_agency() -> None:
    held = [sop("health", "any"), sop("health", "sps-food"), sop("police", "weapons")]
    found = applicable(held, ["police", "health"], ["sps-food", "sps-food", "timber"])
    assert [(s.agency, s.referral_type) for s in found] == [
        ("health", "sps-food"),
        ("health", "any"),
    ]
    assert applicable(held, ["environment"]) == []
