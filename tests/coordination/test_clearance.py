"""Clearance times and the referral lifecycle."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from borderlink.coordination import OVERALL, check_transition, clearance_times
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
