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
    return None if value is None else round(float(value), 2)


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
