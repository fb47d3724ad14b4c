"""Incident templates and reports as pure logic: the template is data, values are checked by
kind and named by field, entries merge in order, and the seizure or alert an incident becomes."""

from __future__ import annotations

import datetime as dt

import pytest

from borderlink.coordination import merge
from borderlink.coordination.incidents import (
    alert_document,
    builtin_template,
    clean_values,
    parse_template,
    seizure_document,
)
from borderlink.errors import InvalidInput, NotFound

TEMPLATE = builtin_template()


def test_the_built_in_template_has_the_fields_a_post_reports() -> None:
    names = {f.name for f in TEMPLATE.fields}
    assert names >= {"what", "where", "when", "agencies", "goods", "persons", "actions"}
    assert [f.name for f in TEMPLATE.fields if f.required] == ["what", "where", "when"]
    with pytest.raises(NotFound):
        builtin_template("nope")


def test_a_template_is_checked_naming_the_field() -> None:
    with pytest.raises(InvalidInput, match="fields appear twice: a"):
        parse_template({"name": "t", "title": "T", "fields": [{"name": "a", "label": "A"}] * 2})
    with pytest.raises(InvalidInput, match=r"fields\.0: .*seizure: 'x' is not one of") as error:
        parse_template(
            {"name": "t", "title": "T", "fields": [{"name": "a", "label": "A", "seizure": "x"}]}
        )
    assert error.value.field == "fields.0"


def test_values_are_cleaned_by_kind() -> None:
    got = clean_values(
        TEMPLATE,
        {
            "what": " found ",
            "where": "bay 3",
            "when": "2026-12-02T09:30",
            "quantity": "2.5",
            "persons": "A\n\n B ",
            "hs_code": "",
        },
        opening=True,
        incident="I1",
    )
    assert got == {
        "what": "found",
        "where": "bay 3",
        "when": "2026-12-02T09:30:00",
        "quantity": 2.5,
        "persons": ["A", "B"],
    }
    with pytest.raises(InvalidInput, match="I1: When: not a datetime") as bad:
        clean_values(
            TEMPLATE, {"what": "x", "where": "y", "when": "soon"}, opening=True, incident="I1"
        )
    assert bad.value.field == "when"
    with pytest.raises(InvalidInput, match="a number 0 or more"):
        clean_values(TEMPLATE, {"quantity": "-1"}, opening=False, incident="I1")
    with pytest.raises(InvalidInput, match="too long for a line"):
        clean_values(TEMPLATE, {"where": "a\nb"}, opening=False, incident="I1")
    with pytest.raises(InvalidInput, match="nothing to add"):
        clean_values(TEMPLATE, {"persons": ""}, opening=False, incident="I1")


def test_entries_merge_in_order_and_an_incident_becomes_a_seizure_or_an_alert() -> None:
    report = merge(
        TEMPLATE,
        [
            {"what": "ivory", "where": "bay 3", "persons": ["A"], "quantity": 2.0},
            {"what": "CITES appendix I", "persons": ["A", "B"], "where": "bay 4"},
        ],
    )
    assert report == {
        "what": "ivory\n\nCITES appendix I",
        "where": "bay 4",
        "persons": ["A", "B"],
        "quantity": 2.0,
    }
    seizure = seizure_document(TEMPLATE, report, seized_on=dt.date(2026, 12, 2), office_id="OFA")
    assert seizure["goods_description"] == report["what"]
    assert seizure["quantity"] == 2.0
    assert seizure["parties"] == [{"role": "person", "name": "A"}, {"role": "person", "name": "B"}]
    with pytest.raises(InvalidInput, match="describes no goods"):
        seizure_document(TEMPLATE, {}, seized_on=dt.date(2026, 12, 2), office_id=None)
    alert = alert_document(
        TEMPLATE, report, title="Ivory", valid_from=dt.date(2026, 12, 2), days=30, hs_codes=["0507"]
    )
    assert (alert["valid_until"], alert["description"], alert["hs_codes"]) == (
        "2026-12-31",
        report["what"],
        ["0507"],
    )
    assert "persons" not in str(alert)  # an alert names no one
