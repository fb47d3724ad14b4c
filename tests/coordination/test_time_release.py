"""The time release view: stages, groups, p50/p90, waiting ones counted but never timed."""

from __future__ import annotations

import datetime as dt

import polars as pl

from borderlink.coordination.time_release import NO_AGENCY, time_release

T0 = dt.datetime(2026, 5, 4, 8, tzinfo=dt.UTC)


def hours(n: float) -> dt.datetime:
    return T0 + dt.timedelta(hours=n)


def frame() -> pl.DataFrame:
    rows = [  # id, office, channel, aeo, agencies, scored, referred, inspected, open, closed
        ("d1", "A", "green", True, [], 0.1, None, None, 0, None),
        ("d2", "A", "red", False, ["health"], 0.1, 0.2, 3.0, 0, 5.0),
        ("d3", "B", "yellow", False, ["health", "police"], 0.2, 0.3, 2.0, 1, None),
        ("d4", "B", "red", True, [], 0.1, None, 1.0, 0, None),
    ]
    time = pl.Datetime("us", "UTC")
    return pl.DataFrame(
        {
            "declaration_id": [r[0] for r in rows],
            "office_id": [r[1] for r in rows],
            "channel": [r[2] for r in rows],
            "aeo": [r[3] for r in rows],
            "agencies": [r[4] for r in rows],
            "arrived_at": [T0 for _ in rows],
            "scored_at": [hours(r[5]) for r in rows],
            "referred_at": [hours(r[6]) if r[6] is not None else None for r in rows],
            "inspected_at": [hours(r[7]) if r[7] is not None else None for r in rows],
            "referrals_open": [r[8] for r in rows],
            "referrals_closed_at": [hours(r[9]) if r[9] is not None else None for r in rows],
        },
        schema_overrides={
            "agencies": pl.List(pl.String),
            "referred_at": time,
            "inspected_at": time,
            "referrals_closed_at": time,
        },
    )


def test_per_channel_with_the_whole_path_and_waiting_ones() -> None:
    groups = {g.group: g for g in time_release(frame(), "channel")}
    assert list(groups) == ["green", "red", "yellow", "all"]
    red = groups["red"]
    assert (red.declarations, red.inspected, red.released, red.waiting) == (2, 2, 2, 0)
    assert red.stages["lodged_to_released"].p50_hours == 3.0  # d4 at 1h, d2 at 5h (agency)
    assert red.stages["lodged_to_inspected"].count == 2
    yellow = groups["yellow"]
    assert (yellow.released, yellow.waiting) == (0, 1)  # police still holds it
    assert yellow.stages["lodged_to_released"].p50_hours is None
    assert groups["all"].stages["lodged_to_scored"].count == 4


def test_per_agency_and_per_aeo_status() -> None:
    agencies = {g.group: g.declarations for g in time_release(frame(), "agency")}
    assert agencies == {NO_AGENCY: 2, "health": 2, "police": 1, "all": 4}
    aeo = {g.group: g for g in time_release(frame(), "aeo")}
    assert aeo["AEO"].inspection_rate == 0.5
    assert aeo["non-AEO"].inspection_rate == 1.0
    assert aeo["AEO"].stages["lodged_to_released"].p50_hours == 0.55  # 0.1h and 1h
    offices = [g.group for g in time_release(frame(), "office")]
    assert offices == ["A", "B", "all"]


def test_nothing_in_gives_the_overall_group_empty() -> None:
    empty = time_release(frame().clear(), "channel")
    assert [(g.group, g.declarations, g.inspection_rate) for g in empty] == [("all", 0, None)]
