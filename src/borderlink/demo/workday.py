"""The demo's border at work: officers inspect the scored flow and agencies answer their
referrals, except for the last days, which are left waiting for a person to work.

What an inspection finds comes from the sampler's hidden result for that declaration (the
``pending`` file written beside the declarations); nothing is invented here.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from borderlink.model.outcome import Outcome
from borderlink.model.referral import ReferralAnswer, ReferralStatus
from borderlink.services.accounts.access import SYSTEM_USER_ID, Principal, Role
from borderlink.services.accounts.demo import DEMO
from borderlink.services.coordination.referrals import (
    ReferralFilter,
    answer_referral,
    list_referrals,
)
from borderlink.services.declarations.read import MAX_PAGE, record_outcome
from borderlink.services.node import Node
from borderlink.services.risk.targeting import queue


def _findings(pending: Path) -> dict[str, tuple[bool, int, float | None]]:
    if not pending.is_file() or pending.stat().st_size == 0:
        return {}
    frame = pl.read_csv(pending, schema_overrides={"declaration_id": pl.String})
    return {
        r["declaration_id"]: (bool(r["illicit"]), int(r["severity"] or 0), r["revenue_recovered"])
        for r in frame.iter_rows(named=True)
    }


def inspect_flow(node: Node, pending: Path, before: dt.date) -> tuple[int, int]:
    """Record the inspection of every red and yellow declaration waiting that was declared
    before ``before``: (inspected, found illicit)."""
    findings = _findings(pending)
    inspected = illicit = 0
    left = 0  # waiting declarations left for a person, skipped on later pages
    while True:
        page = queue(node, DEMO, limit=MAX_PAGE, offset=left).items
        if not page:
            return inspected, illicit
        for entry in page:
            found = findings.get(entry.declaration_id)
            if found is None or entry.declared_on >= before:
                left += 1  # the last days', or not generated here (another file)
                continue
            _record(node, entry.declaration_id, entry.declared_on, found)
            inspected += 1
            illicit += found[0]


def _record(
    node: Node, declaration_id: str, day: dt.date, found: tuple[bool, int, float | None]
) -> None:
    bad, severity, recovered = found
    note = "goods not as declared" if bad else "goods as declared"
    record_outcome(
        node,
        DEMO,
        Outcome(
            declaration_id=declaration_id,
            illicit=bad,
            severity=severity if bad else 0,
            revenue_recovered=recovered if bad and recovered else None,
            inspected_on=day,
            note=f"demo inspection: {note}",
        ),
    )


def _agency_officer(agency: str) -> Principal:
    return Principal(
        user_id=SYSTEM_USER_ID,
        username=f"demo:{agency}",
        role=Role.AGENCY_OFFICER,
        agency=agency,
        via="system",
    )


def answer_referrals(node: Node, before: dt.date) -> dict[str, int]:
    """Each agency clears the open referrals on declarations declared before ``before``; the
    younger ones stay open for a person. {agency: answered}."""
    answered: dict[str, int] = {}
    younger = 0  # open referrals left for a person, skipped on later pages
    cleared = ReferralAnswer(
        status=ReferralStatus.CLEARED, finding="checked against the documents: no objection"
    )
    while True:
        page = list_referrals(
            node, DEMO, ReferralFilter(status=ReferralStatus.OPEN), limit=MAX_PAGE, offset=younger
        ).items
        if not page:
            return answered
        for referral in page:
            if referral.declared_on >= before:
                younger += 1
                continue
            answer_referral(node, _agency_officer(referral.agency), referral.referral_id, cleared)
            answered[referral.agency] = answered.get(referral.agency, 0) + 1
