"""Agency routing rules as data: parsing, checking, the built-in example."""

from __future__ import annotations

from pathlib import Path

import pytest

from borderlink.coordination import AgencyRule, builtin_rules, parse_rules, read_rules_file
from borderlink.errors import ExpressionError, InvalidInput, NotFound

FOOD = {
    "name": "sps-food",
    "agency": "health",
    "condition": 'hs.chapter in ("01", "02", "03")',
    "reason": "animal products",
}


def test_rules_come_as_a_list_one_mapping_or_under_a_key() -> None:
    police = FOOD | {"name": "arms", "agency": "police", "condition": 'hs.chapter == "93"'}
    assert [r.name for r in parse_rules([FOOD, police])] == ["sps-food", "arms"]
    assert parse_rules(FOOD) == [AgencyRule(**FOOD)]
    assert parse_rules({"rules": [FOOD]})[0].agency == "health"
    assert parse_rules(FOOD)[0].active is True


def test_a_condition_that_does_not_parse_names_the_rule_and_the_position() -> None:
    with pytest.raises(ExpressionError) as caught:
        parse_rules([FOOD, FOOD | {"name": "bad", "condition": 'hs.chapter == "01" and nope'}])
    assert "rule #2 ('bad')" in caught.value.detail
    assert "unknown field 'nope'" in caught.value.detail
    assert caught.value.position == len('hs.chapter == "01" and ')
    assert caught.value.field == "condition"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"agency": ""}, "agency"),
        ({"agency": "health agency"}, "agency"),  # a name, not a sentence
        ({"name": None}, "name"),
        ({"reason": ""}, "reason"),
        ({"active": "perhaps"}, "active"),
    ],
)
def test_a_bad_field_is_named(change: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_rules([FOOD | change])
    assert caught.value.field == field
    assert "rule #1" in caught.value.detail


def test_a_name_twice_and_a_non_mapping_are_refused() -> None:
    with pytest.raises(InvalidInput, match="appears twice"):
        parse_rules([FOOD, FOOD | {"agency": "police"}])
    with pytest.raises(InvalidInput, match="rule #1 is not a mapping"):
        parse_rules(["sps-food"])


def test_files_are_read_as_yaml_and_unreadable_ones_say_why(tmp_path: Path) -> None:
    path = tmp_path / "rules.json"
    path.write_text('[{"name": "x", "agency": "police", "condition": "value > 1", "reason": "r"}]')
    assert read_rules_file(path)[0].condition == "value > 1"
    broken = tmp_path / "broken.yaml"
    broken.write_text("- name: [unclosed\n")
    with pytest.raises(InvalidInput, match="cannot read agency rules"):
        read_rules_file(broken)
    with pytest.raises(InvalidInput, match="cannot read agency rules"):
        read_rules_file(tmp_path / "missing.yaml")


def test_the_built_in_example_parses_and_routes_to_several_agencies() -> None:
    rules = read_rules_file(builtin_rules("example"))
    assert {r.agency for r in rules} >= {"health", "police", "environment"}
    with pytest.raises(NotFound, match="known: example"):
        builtin_rules("nope")
