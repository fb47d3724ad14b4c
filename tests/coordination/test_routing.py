"""Routing: goods items in, one decision per declaration and agency out."""

from __future__ import annotations

import polars as pl

from borderlink.coordination import AgencyRule, compile_rules, route


def rule(name: str, agency: str, condition: str, *, active: bool = True) -> AgencyRule:
    return AgencyRule(
        name=name, agency=agency, condition=condition, reason=f"why {name}", active=active
    )


def items(*rows: tuple[str, str, str]) -> pl.DataFrame:
    """(declaration, hs code, origin) per goods item."""
    return pl.DataFrame(
        {
            "declaration_id": [r[0] for r in rows],
            "hs_code": [r[1] for r in rows],
            "origin_country": [r[2] for r in rows],
            "departure_country": [r[2] for r in rows],
            "value": [100.0] * len(rows),
            "net_mass_kg": [10.0] * len(rows),
        }
    )


RULES = [
    rule("meat", "health", 'hs.chapter in ["01", "02"]'),
    rule("fish", "health", 'hs.chapter == "03"'),
    rule("arms", "police", 'hs.chapter == "93" or origin in ["KP"]'),
]


def test_one_matching_item_refers_the_declaration_once_per_agency() -> None:
    frame = items(
        ("D1", "020110", "BR"),  # meat
        ("D1", "030617", "VN"),  # fish: same agency, both rules named
        ("D1", "851762", "CN"),
        ("D2", "851762", "CN"),  # nothing
        ("D3", "930200", "KP"),  # arms, twice over
        ("D3", "010121", "KP"),  # live horses from KP: health and police
    )
    out = route(frame, compile_rules(RULES))
    assert out.to_dicts() == [
        {
            "declaration_id": "D1",
            "agency": "health",
            "rules": ["fish", "meat"],
            "reasons": ["why fish", "why meat"],
        },
        {"declaration_id": "D3", "agency": "health", "rules": ["meat"], "reasons": ["why meat"]},
        {"declaration_id": "D3", "agency": "police", "rules": ["arms"], "reasons": ["why arms"]},
    ]


def test_inactive_rules_do_not_route_and_no_rules_route_nothing() -> None:
    frame = items(("D1", "020110", "BR"))
    assert route(
        frame, compile_rules([rule("meat", "health", "hs2 == '02'", active=False)])
    ).is_empty()
    assert route(frame, []).is_empty()
    assert route(frame.head(0), compile_rules(RULES)).is_empty()
    assert route(frame, []).schema == route(frame, compile_rules(RULES)).schema


def test_a_field_the_frame_lacks_is_null_so_its_rule_does_not_fire() -> None:
    risky = compile_rules([rule("risky", "police", "model.score > 0.8")])
    frame = items(("D1", "020110", "BR"), ("D2", "020110", "BR"))
    assert route(frame, risky).is_empty()
    scored = frame.with_columns(pl.Series("model_score", [0.9, 0.1]))
    assert route(scored, risky)["declaration_id"].to_list() == ["D1"]


def test_derived_fields_work_as_in_profiles() -> None:
    cheap = compile_rules([rule("cheap", "police", "unit_value_per_kg < 20 and value > 50")])
    frame = items(("D1", "020110", "BR"))  # 100 for 10 kg
    assert route(frame, cheap)["agency"].to_list() == ["police"]
