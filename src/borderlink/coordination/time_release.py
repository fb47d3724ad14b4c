"""The time release view (the WCO Time Release Study's measures), as a pure function.

One row per declaration in (``declaration_id``, ``office_id``, ``channel`` of its first score,
``aeo`` whether a trusted trader's, ``agencies`` a list of the agencies it was referred to,
``arrived_at`` lodged, ``scored_at``, ``referred_at`` the first referral, ``inspected_at`` the
officer's recorded inspection, ``referrals_open``, ``referrals_closed_at``); figures out, per
group, for each stage of the path a declaration takes:

- lodged → scored (the machine), scored → referred (routing), lodged → inspected (held by
  customs), referred → closed by the last agency, and lodged → released (the whole of it:
  released as :func:`borderlink.coordination.clearance.release_times` decides).

Each stage counts the declarations that went through it, with its p50 and p90 in hours; a
declaration still waiting counts in ``waiting`` and in no duration. Groups: ``office``,
``channel``, ``agency`` (a declaration referred to two agencies counts under both; one never
referred under :data:`NO_AGENCY`) or ``aeo`` (``AEO`` / ``non-AEO``).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Literal

import polars as pl
from pydantic import BaseModel, Field

from borderlink.coordination.clearance import release_times

GroupBy = Literal["office", "channel", "agency", "aeo"]
NO_AGENCY = "customs only"
# stage name -> (from, to)
STAGES: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "lodged_to_scored": ("arrived_at", "scored_at"),
        "scored_to_referred": ("scored_at", "referred_at"),
        "lodged_to_inspected": ("arrived_at", "inspected_at"),
        "referred_to_closed": ("referred_at", "referrals_closed_at"),
        "lodged_to_released": ("arrived_at", "released_at"),
    }
)
HELD = ("red", "yellow")


class Stage(BaseModel):
    count: int = Field(description="Declarations that went through this stage")
    p50_hours: float | None
    p90_hours: float | None


class ReleaseGroup(BaseModel):
    group: str = Field(description="The office, channel, agency, or AEO / non-AEO")
    declarations: int
    inspected: int = Field(description="Sent red or yellow")
    inspection_rate: float | None = Field(description="inspected / declarations")
    released: int
    waiting: int = Field(description="Not released yet")
    stages: dict[str, Stage]


def _hours(start: str, end: str) -> pl.Expr:
    return (pl.col(end) - pl.col(start)).dt.total_microseconds() / 3.6e9


def _stage(part: pl.DataFrame, start: str, end: str) -> Stage:
    hours = part.select(_hours(start, end).alias("h"))["h"].drop_nulls()
    hours = hours.filter(hours >= 0)  # a clock out of step is not a negative wait

    def q(value: float) -> float | None:
        found = hours.quantile(value, "linear") if hours.len() else None
        return None if found is None else round(float(found), 2)

    return Stage(count=hours.len(), p50_hours=q(0.5), p90_hours=q(0.9))


def _group(name: str, part: pl.DataFrame) -> ReleaseGroup:
    inspected = part.filter(pl.col("channel").is_in(HELD)).height
    released = part["released_at"].is_not_null().sum()
    return ReleaseGroup(
        group=name,
        declarations=part.height,
        inspected=inspected,
        inspection_rate=round(inspected / part.height, 4) if part.height else None,
        released=released,
        waiting=part.height - released,
        stages={s: _stage(part, *ends) for s, ends in STAGES.items()},
    )


def _keyed(frame: pl.DataFrame, by: GroupBy) -> pl.DataFrame:
    if by == "aeo":
        label = pl.when(pl.col("aeo")).then(pl.lit("AEO")).otherwise(pl.lit("non-AEO"))
        return frame.with_columns(label.alias("_group"))
    if by == "agency":
        agencies = pl.when(pl.col("agencies").list.len() > 0).then(pl.col("agencies"))
        frame = frame.with_columns(agencies.otherwise(pl.lit([NO_AGENCY])).alias("_group"))
        return frame.explode("_group")
    column = "office_id" if by == "office" else "channel"
    return frame.with_columns(pl.col(column).fill_null("unscored").cast(pl.String).alias("_group"))


def time_release(frame: pl.DataFrame, by: GroupBy) -> list[ReleaseGroup]:
    """One :class:`ReleaseGroup` per value of ``by`` (sorted), then ``all`` over every row."""
    # blue is released when scored, as green is (its audit comes after clearance)
    as_green = pl.col("channel").replace({"blue": "green"})
    timed = release_times(frame.with_columns(as_green)).with_columns(frame["channel"])
    keyed = _keyed(timed, by)
    names = sorted(keyed["_group"].unique().drop_nulls().to_list()) if keyed.height else []
    out = [_group(n, keyed.filter(pl.col("_group") == n)) for n in names]
    return [*out, _group("all", timed)]
