"""Clearance times and the referral lifecycle."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from borderlink.coordination import OVERALL, check_transition, clearance_by_day, clearance_times
from borderlink.coordination.clearance import release_times
from borderlink.errors import Conflict
from borderlink.model import ReferralStatus as S

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)


def ago(hours: float | None) -> dt.datetime | None:
    return None if hours is None else NOW - dt.timedelta(hours=hours)


def frame(*rows: tuple[str, S, float, float | None, float | None, float | None]) -> pl.DataFrame:
    """(agency, status, created, acknowledged, answered, closed): hours before NOW."""
    stamp = pl.Datetime("us", "UTC")
    return pl.DataFrame(
        [(a, s.value, ago(c), ago(k), ago(d), ago(x)) for a, s, c, k, d, x in rows],
        schema={
            "agency": pl.Utf8,
            "status": pl.Utf8,
            "created_at": stamp,
            "acknowledged_at": stamp,
            "answered_at": stamp,
            "closed_at": stamp,
        },
        orient="row",
    )


def test_per_agency_and_overall() -> None:
    referrals = frame(
        ("health", S.CLEARED, 10, 9, 8, 8),  # decided after 2 h
        ("health", S.HELD, 30, 29, 26, None),  # decided (held) after 4 h, not closed
        ("health", S.OPEN, 5, None, None, None),
        ("police", S.ACKNOWLEDGED, 50, 48, None, None),
        ("police", S.REJECTED, 20, 20, 10, 10),  # 10 h
    )
    health, police, overall = clearance_times(referrals, NOW)
    assert health.agency == "health"
    assert (health.referrals, health.pending, health.answered) == (3, 1, 2)
    assert health.statuses == {
        "open": 1,
        "acknowledged": 0,
        "cleared": 1,
        "held": 1,
        "rejected": 0,
    }
    assert health.response_p50_hours == 1.0
    assert (health.answer_p50_hours, health.answer_p90_hours) == (3.0, 3.8)
    assert (health.close_p50_hours, health.close_p90_hours) == (2.0, 2.0)
    assert health.oldest_pending_hours == 5.0
    assert police.oldest_pending_hours == 50.0
    assert police.answer_p50_hours == 10.0
    assert overall.agency == OVERALL
    assert (overall.referrals, overall.pending, overall.answered) == (5, 2, 3)
    assert overall.answer_p50_hours == 4.0
    assert overall.oldest_pending_hours == 50.0


def test_no_referrals_give_empty_figures() -> None:
    (overall,) = clearance_times(frame(), NOW)
    assert overall.referrals == 0
    assert overall.answer_p50_hours is None
    assert overall.oldest_pending_hours is None


def test_the_lifecycle() -> None:
    assert check_transition(S.OPEN, S.ACKNOWLEDGED, referral="7")
    assert check_transition(S.OPEN, S.HELD, referral="7")
    assert check_transition(S.HELD, S.CLEARED, referral="7")
    assert not check_transition(S.HELD, S.HELD, referral="7")  # a repeat: nothing to do
    with pytest.raises(Conflict, match="referral 7 is held: it may become cleared, rejected"):
        check_transition(S.HELD, S.ACKNOWLEDGED, referral="7")
    with pytest.raises(Conflict, match="closed") as caught:
        check_transition(S.CLEARED, S.HELD, referral="7")
    assert caught.value.field == "status"
    with pytest.raises(Conflict):
        check_transition(S.ACKNOWLEDGED, S.OPEN, referral="7")


# --- declarations: arrival to release ---------------------------------------------------------

DAY = dt.date(2026, 11, 20)


def held(
    *rows: tuple[str, str | None, float | None, float | None, int, float | None],
) -> pl.DataFrame:
    """(id, channel, scored, inspected, open referrals, last referral closed): hours after an
    arrival at 08:00 on DAY."""
    arrived = dt.datetime.combine(DAY, dt.time(8), tzinfo=dt.UTC)

    def at(hours: float | None) -> dt.datetime | None:
        return None if hours is None else arrived + dt.timedelta(hours=hours)

    stamp = pl.Datetime("us", "UTC")
    return pl.DataFrame(
        [(i, DAY, c, arrived, at(s), at(k), n, at(x)) for i, c, s, k, n, x in rows],
        schema={
            "declaration_id": pl.Utf8,
            "declared_on": pl.Date,
            "channel": pl.Utf8,
            "arrived_at": stamp,
            "scored_at": stamp,
            "inspected_at": stamp,
            "referrals_open": pl.Int64,
            "referrals_closed_at": stamp,
        },
        orient="row",
    )


def test_what_holds_a_declaration_decides_its_release() -> None:
    frame = held(
        ("green", "green", 0.1, None, 0, None),  # released when scored
        ("green-referred", "green", 0.1, None, 0, 30.0),  # until the agency closed it
        ("green-waiting", "green", 0.1, None, 1, None),  # an agency still holds it
        ("red", "red", 0.1, 5.0, 0, None),  # released by the inspection
        ("red-uninspected", "red", 0.1, None, 0, 3.0),  # the referral closed, the check not done
        ("red-both", "red", 0.1, 5.0, 0, 2.0),  # the later of the two
        ("unscored", None, None, None, 0, 4.0),  # nothing decided yet
    )
    out = release_times(frame)
    hours = {
        r["declaration_id"]: None
        if r["released_at"] is None
        else (r["released_at"] - r["arrived_at"]).total_seconds() / 3600
        for r in out.iter_rows(named=True)
    }
    assert hours == {
        "green": pytest.approx(0.1),
        "green-referred": pytest.approx(30.0),
        "green-waiting": None,
        "red": pytest.approx(5.0),
        "red-uninspected": None,
        "red-both": pytest.approx(5.0),
        "unscored": None,
    }


def test_clearance_by_day_counts_released_and_waiting() -> None:
    frame = held(
        ("a", "red", 0.1, 2.0, 0, None),
        ("b", "yellow", 0.1, 4.0, 0, None),
        ("c", "red", 0.1, 12.0, 0, None),
        ("d", "red", 0.1, None, 0, None),
    )
    before = DAY - dt.timedelta(days=1)
    empty, day = clearance_by_day(frame, [before, DAY])
    assert (empty.inspected, empty.released, empty.p50_hours) == (0, 0, None)
    assert (day.inspected, day.released, day.waiting) == (4, 3, 1)
    assert day.p50_hours == 4.0
    assert day.p90_hours == pytest.approx(10.4)  # linear between 4 and 12


def test_a_clearance_within_a_minute_keeps_its_seconds() -> None:
    """Rounded to 0.01 h (36 s), a 7-second answer read "0 s"; kept to the second it reads 7 s."""
    seven = 7 / 3600
    (health, _) = clearance_times(frame(("health", S.CLEARED, seven, 0, 0, 0)), NOW)
    assert health.answer_p50_hours is not None
    assert round(health.answer_p50_hours * 3600) == 7
    assert health.answer_p50_hours > 0.001
