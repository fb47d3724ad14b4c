"""Clearance times of declarations over the store, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from borderlink.model import Outcome, ReferralAnswer, ReferralStatus
from borderlink.services import Node
from borderlink.services.accounts import users as accounts
from borderlink.services.accounts.access import Principal, Role
from borderlink.services.coordination import referrals
from borderlink.services.coordination.clearance import clearance_trend
from borderlink.services.declarations import dashboard
from borderlink.services.declarations import read as declarations
from tests.surfaces import DAY, Seeded, seed, seed_referrals, seed_scores


def _as(seeded: Seeded, role: Role) -> Principal:
    return accounts.token_principal(seeded.node, seeded.tokens[role])


def test_held_declarations_clear_when_inspected_and_every_agency_closed(node: Node) -> None:
    seeded = seed(node)
    a0, a1, a2 = seeded.office_a  # declared on DAY, DAY - 1, DAY - 2
    b0, b1, _ = seeded.office_b
    seed_scores(seeded.node, {a0: "red", b0: "red", a1: "yellow", b1: "green", a2: "green"})
    referral_ids = seed_referrals(seeded)  # office A → the seeded agency, office B → police
    admin = _as(seeded, Role.ADMINISTRATOR)
    since = DAY - dt.timedelta(days=2)

    def trend(principal: Principal) -> dict[dt.date, tuple[int, int, int]]:
        days = clearance_trend(seeded.node, principal, since=since, until=DAY)
        return {d.day: (d.inspected, d.released, d.waiting) for d in days}

    # every one held is waiting: no inspection recorded, every referral open (on DAY - 2 both
    # are referred, one green and one not scored at all)
    assert trend(admin) == {DAY: (2, 0, 2), DAY - dt.timedelta(days=1): (2, 0, 2), since: (2, 0, 2)}

    officer = _as(seeded, Role.OFFICER)  # office A
    declarations.record_outcome(
        seeded.node, officer, Outcome(declaration_id=a0, illicit=False, officer="officer-1")
    )
    assert trend(admin)[DAY] == (2, 0, 2)  # inspected, but the agency has not closed yet
    agency = _as(seeded, Role.AGENCY_OFFICER)
    referrals.answer_referral(
        seeded.node, agency, referral_ids["health"], ReferralAnswer(status=ReferralStatus.CLEARED)
    )
    days = {d.day: d for d in clearance_trend(seeded.node, admin, since=since, until=DAY)}
    assert (days[DAY].inspected, days[DAY].released, days[DAY].waiting) == (2, 1, 1)
    p50 = days[DAY].p50_hours
    assert p50 is not None
    assert 0 <= p50 < 1
    # the officer sees their office only: a0 released, b0 not theirs
    assert trend(officer)[DAY] == (1, 1, 0)
    # and the dashboard carries the same figures
    board = dashboard.dashboard(seeded.node, admin, DAY)
    assert [(c.day, c.released) for c in board.clearance][-1] == (DAY, 1)
