"""Clearance times: how long agencies take to answer referrals, per agency and overall.

Pure: a frame of referrals in (``agency``, ``status``, ``created_at``, ``acknowledged_at``,
``answered_at``, ``closed_at``, all datetimes in UTC), figures out. "Answered" is the agency's
first decision (cleared, held or rejected): an acknowledgement alone only stops the response
clock. "Closed" is the final one (cleared or rejected): a consignment held for a laboratory test
is answered at once but closed only when the result is in.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
from pydantic import BaseModel, Field

from borderlink.model.referral import DECISIONS, PENDING, ReferralStatus

OVERALL = "all agencies"


class AgencyClearance(BaseModel):
    agency: str
    referrals: int
    pending: int = Field(description="Open or acknowledged: still waiting on the agency")
    answered: int = Field(description="Cleared, held or rejected")
    statuses: dict[str, int]
    response_p50_hours: float | None = Field(description="Creation to first response (median)")
    answer_p50_hours: float | None = Field(description="Creation to decision (median)")
    answer_p90_hours: float | None = Field(description="Creation to decision (90th percentile)")
    close_p50_hours: float | None = Field(description="Creation to cleared or rejected (median)")
    close_p90_hours: float | None = Field(description="Creation to cleared or rejected (p90)")
    oldest_pending_hours: float | None = Field(description="Age of the oldest one still waiting")


def _hours(end: str, start: str = "created_at") -> pl.Expr:
    return (pl.col(end) - pl.col(start)).dt.total_microseconds() / 3.6e9


def _rounded(value: Any) -> float | None:
    # to the second, not to 0.01 h (36 s): a release within a minute must not read "0 s"
    return None if value is None else round(float(value) * 3600) / 3600


def _durations(part: pl.DataFrame, end: str) -> pl.Series:
    return part.filter(pl.col(end).is_not_null()).select(_hours(end).alias("h"))["h"]


def _quantile(hours: pl.Series, q: float) -> float | None:
    return _rounded(hours.quantile(q, "linear")) if hours.len() else None


def _summary(agency: str, part: pl.DataFrame, now: dt.datetime) -> AgencyClearance:
    statuses = {s.value: 0 for s in ReferralStatus}
    for status, n in part["status"].value_counts().iter_rows():
        statuses[status] = n
    pending = part.filter(pl.col("status").is_in([s.value for s in PENDING]))
    response = _durations(part, "acknowledged_at")
    answer = _durations(part, "answered_at")
    close = _durations(part, "closed_at")
    ages = pending.select((pl.lit(now) - pl.col("created_at")).dt.total_microseconds() / 3.6e9)
    return AgencyClearance(
        agency=agency,
        referrals=part.height,
        pending=pending.height,
        answered=sum(statuses[s.value] for s in DECISIONS),
        statuses=statuses,
        response_p50_hours=_quantile(response, 0.5),
        answer_p50_hours=_quantile(answer, 0.5),
        answer_p90_hours=_quantile(answer, 0.9),
        close_p50_hours=_quantile(close, 0.5),
        close_p90_hours=_quantile(close, 0.9),
        oldest_pending_hours=_rounded(ages.to_series().max()) if ages.height else None,
    )


def clearance_times(referrals: pl.DataFrame, now: dt.datetime) -> list[AgencyClearance]:
    """One summary per agency (by name), then the overall one (named :data:`OVERALL`)."""
    agencies = sorted(referrals["agency"].unique().to_list()) if referrals.height else []
    out = [_summary(a, referrals.filter(pl.col("agency") == a), now) for a in agencies]
    return [*out, _summary(OVERALL, referrals, now)]


# --- declarations: arrival to release, per declaration day -----------------------------------


class DayClearance(BaseModel):
    """How long the declarations of one day took from arrival to release."""

    day: dt.date
    inspected: int = Field(description="Sent red or yellow (or referred)")
    released: int = Field(description="Of those, released: inspected and every referral closed")
    waiting: int = Field(description="Of those, still held by an inspection or an agency")
    p50_hours: float | None = Field(description="Arrival to release (median)")
    p90_hours: float | None = Field(description="Arrival to release (90th percentile)")


def release_times(frame: pl.DataFrame) -> pl.DataFrame:
    """When each declaration was released (null while it waits), from what held it.

    ``frame``: one row per declaration with ``declared_on``, ``channel`` (of its first score),
    ``arrived_at``, ``scored_at``, ``inspected_at`` (the officer's recorded outcome),
    ``referrals_open`` and ``referrals_closed_at`` (the last agency's closing). A green one is
    released when scored; a red or yellow one when its inspection is recorded; any referral
    holds it until the agency closes it.
    """
    by_channel = (
        pl.when(pl.col("channel") == "green")
        .then(pl.col("scored_at"))
        .otherwise(pl.col("inspected_at"))
    )
    released = (
        pl.when(pl.col("referrals_open") > 0)
        .then(None)
        .otherwise(pl.max_horizontal(by_channel, pl.col("referrals_closed_at")))
    )
    # max_horizontal ignores nulls: a red one with a closed referral but no inspection recorded
    # is not released
    released = pl.when(by_channel.is_null()).then(None).otherwise(released)
    return frame.with_columns(released.alias("released_at"))


def clearance_by_day(frame: pl.DataFrame, days: list[dt.date]) -> list[DayClearance]:
    """:class:`DayClearance` for each of ``days`` from a :func:`release_times` input frame."""
    timed = release_times(frame).with_columns(
        _hours("released_at", "arrived_at").alias("hours"),
        pl.col("declared_on").cast(pl.Date),
    )
    out = []
    for day in days:
        part = timed.filter(pl.col("declared_on") == day)
        hours = part["hours"].drop_nulls()
        out.append(
            DayClearance(
                day=day,
                inspected=part.height,
                released=hours.len(),
                waiting=part.height - hours.len(),
                p50_hours=_quantile(hours, 0.5),
                p90_hours=_quantile(hours, 0.9),
            )
        )
    return out
