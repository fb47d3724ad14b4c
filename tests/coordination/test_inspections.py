"""Inspection reports and capacity as pure logic: a report agrees with its findings."""

from __future__ import annotations

import datetime as dt

import pytest

from borderlink.coordination import InspectionReport, ItemFinding, Method
from borderlink.coordination.inspections import check_capacity, check_report
from borderlink.errors import Conflict, InvalidInput


def test_a_report_agrees_with_its_findings_and_the_declaration() -> None:
    clean = InspectionReport(
        methods=(Method.DOCUMENTARY,),
        findings=(ItemFinding(item_no=1, as_declared=True),),
        illicit=False,
    )
    check_report("D1", clean, {1, 2})
    seized = ItemFinding(item_no=2, as_declared=True, seized_quantity=3)
    with pytest.raises(InvalidInput, match="item\\(s\\) 2 not as declared or seized"):
        check_report("D1", clean.model_copy(update={"findings": (seized,)}), {1, 2})
    twice = (ItemFinding(item_no=1, as_declared=True),) * 2
    with pytest.raises(InvalidInput, match="item 1 reported twice"):
        check_report("D1", clean.model_copy(update={"findings": twice}), {1, 2})
    with pytest.raises(InvalidInput, match="needs a severity") as error:
        check_report("D1", clean.model_copy(update={"illicit": True}), {1})
    assert error.value.field == "severity"
    with pytest.raises(ValueError, match="at least 1"):
        InspectionReport(methods=(), illicit=False)


def test_capacity_refuses_one_more_on_a_full_day() -> None:
    day = dt.date(2026, 12, 3)
    check_capacity("OFA", day, 4, None)  # no capacity set: no limit
    check_capacity("OFA", day, 4, 5)
    with pytest.raises(Conflict, match="OFA has 5 inspections assigned on 2026-12-03"):
        check_capacity("OFA", day, 5, 5)
