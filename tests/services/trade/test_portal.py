"""The public portal's figures over the store (SQLite and PostgreSQL): from the node's rules,
release times and MRAs, with no declaration and no party in them."""

from __future__ import annotations

import pytest

from borderlink.coordination import AgencyRule
from borderlink.errors import InvalidInput, NotFound
from borderlink.services import Node
from borderlink.services.accounts.access import Principal
from borderlink.services.cooperation import aeo
from borderlink.services.coordination import agency_rules
from borderlink.services.trade import portal
from tests.surfaces import DAY, seed, seed_scores

SYSTEM = Principal.system("test")
FRUIT = AgencyRule(
    name="citrus",
    agency="plant-health",
    condition='hs.chapter == "08" and origin in ["MA", "EG"]',
    reason="citrus fruit: phytosanitary certificate checked",
)
VALUED = AgencyRule(name="dear", agency="police", condition="value > 100000", reason="value")


def test_goods_info_from_the_rules_release_times_and_mras(node: Node) -> None:
    seeded = seed(node)
    ids = seeded.office_a + seeded.office_b
    seed_scores(seeded.node, dict.fromkeys(ids[:5], "green") | {ids[5]: "red"})
    agency_rules.save_rules(node, SYSTEM, [FRUIT, VALUED])
    aeo.put_mra(
        node,
        SYSTEM,
        {
            "mra_id": "NATIONAL",
            "title": "national AEO programme",
            "partner": node.settings.node_id,
            "programmes": ["AEOC", "AEOF"],
            "benefits": {"risk_weight": 0.5, "priority_inspection": True},
            "how_to_apply": "Apply at the AEO desk with your self-assessment questionnaire.",
        },
    )
    info = portal.goods_info(node, "0805.10", "ma", DAY)
    assert (info.hs_code, info.origin, info.origin_name) == ("080510", "MA", "Morocco")
    assert [(a.agency, a.reasons) for a in info.agencies] == [
        ("plant-health", ["citrus fruit: phytosanitary certificate checked"])
    ]  # the rule on value depends on the consignment: not listed
    assert portal.goods_info(node, "080510", "CN", DAY).agencies == []
    assert [(t.channel, t.declarations) for t in info.release_times] == [("green", 5), ("all", 6)]
    assert [m.title for m in info.mras] == ["national AEO programme"]
    assert info.mras[0].own_programme
    assert info.duty_rate is None  # no tariff loaded
    text = info.model_dump_json()
    for secret in ("IMP-1", "EXP-1", "Acme", "Zeta", *ids):
        assert secret not in text
    with pytest.raises(NotFound):
        portal.goods_info(node, "080510", "QQ", DAY)
    with pytest.raises(InvalidInput):
        portal.goods_info(node, "08x", "MA", DAY)


def test_search_over_the_nomenclature(node: Node) -> None:
    hits = portal.search_goods(node, "Oranges")
    assert "080510" in [h.code for h in hits]
    assert all("orange" in h.description.lower() for h in hits)
    with pytest.raises(InvalidInput):
        portal.search_goods(node, "a")
