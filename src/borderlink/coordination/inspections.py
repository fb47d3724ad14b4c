"""Customs inspections as officers do them: assignment within an office's daily capacity, and a
structured report (what was found against what was declared, item by item, and how).

A report is more than "illicit yes or no": the methods used (non-intrusive imaging, physical
examination, documentary check), per goods item what was found and in what quantity, the image
result, whether a sample was taken; its result (compliant or irregular) is what the risk engine
learns from, so it must agree with the findings: an item found not as declared makes the
inspection irregular.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from borderlink.errors import Conflict, InvalidInput


class Method(StrEnum):
    NII = "nii"  # non-intrusive inspection: X-ray or gamma scanner image
    PHYSICAL = "physical"  # opened and examined
    DOCUMENTARY = "documentary"  # documents checked against the declaration


class NiiResult(StrEnum):
    CLEAR = "clear"  # the image matches the declared goods
    ANOMALY = "anomaly"  # something the declaration does not explain


class ItemFinding(BaseModel):
    model_config = ConfigDict(frozen=True)

    item_no: int = Field(ge=1)
    as_declared: bool = Field(description="Goods found as declared (nature and quantity)")
    found_description: str | None = Field(default=None, max_length=1000)
    found_quantity: float | None = Field(default=None, ge=0)
    quantity_unit: str | None = Field(default=None, max_length=8)
    nii_result: NiiResult | None = None
    sample_taken: bool = False
    seized_quantity: float | None = Field(
        default=None, ge=0, description="Seized, in the item's unit (reported to partners later)"
    )
    note: str | None = Field(default=None, max_length=2000)


class InspectionReport(BaseModel):
    """What the officer records once the inspection is over."""

    model_config = ConfigDict(frozen=True)

    methods: tuple[Method, ...] = Field(min_length=1)
    findings: tuple[ItemFinding, ...] = ()
    illicit: bool = Field(description="Irregular: anything found not as declared")
    severity: int = Field(default=0, ge=0, le=9)
    revenue_recovered: float | None = Field(default=None, ge=0)
    inspected_on: dt.date | None = None
    note: str | None = Field(default=None, max_length=4000)


def check_report(declaration_id: str, report: InspectionReport, item_nos: Collection[int]) -> None:
    """Refuse a report that names an item the declaration lacks or contradicts itself."""
    where = f"declaration {declaration_id}"
    seen: set[int] = set()
    for finding in report.findings:
        if finding.item_no not in item_nos:
            raise InvalidInput(f"{where} has no goods item {finding.item_no}", field="item_no")
        if finding.item_no in seen:
            raise InvalidInput(f"{where}: item {finding.item_no} reported twice", field="item_no")
        seen.add(finding.item_no)
        if finding.nii_result is not None and Method.NII not in report.methods:
            raise InvalidInput(
                f"{where}: item {finding.item_no} has an image result but no NII was used",
                field="nii_result",
            )
    wrong = [f.item_no for f in report.findings if not f.as_declared or f.seized_quantity]
    if wrong and not report.illicit:
        items = ", ".join(str(n) for n in wrong)
        raise InvalidInput(
            f"{where}: item(s) {items} not as declared or seized, yet the result is compliant",
            field="illicit",
        )
    if report.illicit and not report.severity:
        raise InvalidInput(f"{where}: an irregular result needs a severity 1-9", field="severity")


def check_capacity(office_id: str, day: dt.date, assigned: int, per_day: int | None) -> None:
    """Refuse one more inspection on a day the office's capacity is already taken."""
    if per_day is not None and assigned >= per_day:
        raise Conflict(
            f"office {office_id} has {assigned} inspections assigned on {day}: its capacity is "
            f"{per_day} a day; choose another day or raise the capacity",
            field="day",
        )
