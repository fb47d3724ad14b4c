"""Charts: durations in the unit that suits them, signed contributions with labels."""

from __future__ import annotations

from borderlink.server.pages.charts import contribution_chart, duration


def test_durations_read_in_their_unit() -> None:
    assert duration(7 / 3600) == "7 s"
    assert duration(0.2) == "12 min"
    assert duration(3.4) == "3.4 h"
    assert duration(60.0) == "2.5 days"
    assert duration(None) == "\u2013"


def test_contributions_are_signed_and_labelled() -> None:
    svg = str(contribution_chart([("Value per kg", 1.5), ("Route", -0.4)], title="Why"))
    assert "Value per kg" in svg
    assert "+1.50" in svg
    assert "-0.40" in svg
    assert 'class="bar raises"' in svg
    assert 'class="bar lowers"' in svg
    assert "raised the risk" in svg
    assert "lowered the risk" in svg
    assert "No data yet" in str(contribution_chart([], title="Why"))
