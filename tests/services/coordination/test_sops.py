"""SOPs over the store, on SQLite and PostgreSQL: versioned on a new text, unchanged on the same,
published by the agency's own officers, and the ones that apply to a referral."""

from __future__ import annotations

import pytest

from borderlink.coordination import SopDraft
from borderlink.errors import NotFound, PermissionDenied
from borderlink.services import Node
from borderlink.services.accounts.access import Principal, Role
from borderlink.services.coordination import sops

HEALTH = Principal(user_id=1, username="vet-1", role=Role.AGENCY_OFFICER, agency="health")
POLICE = Principal(user_id=2, username="cop-1", role=Role.AGENCY_OFFICER, agency="police")
OFFICER = Principal(user_id=3, username="officer-1", role=Role.OFFICER, office_id="OFA")
FOOD = SopDraft(agency="health", referral_type="sps-food", title="Food", body="# Check\n- temp")


def test_a_new_text_is_the_next_version_and_the_same_text_changes_nothing(node: Node) -> None:
    first, made = sops.publish(node, HEALTH, FOOD)
    assert (first.version, made) == (1, True)
    again, made_again = sops.publish(
        node, HEALTH, FOOD.model_copy(update={"body": FOOD.body + "\n"})
    )
    assert (again.version, made_again) == (1, False)
    second, _ = sops.publish(node, HEALTH, FOOD.model_copy(update={"body": "# Check\n- seals"}))
    assert second.version == 2
    current, versions = sops.get_sop(node, OFFICER, "health", "sps-food")
    assert (current.body, versions) == ("# Check\n- seals", [1, 2])
    old, _ = sops.get_sop(node, OFFICER, "health", "sps-food", 1)
    assert old.body == FOOD.body
    assert [s.version for s in sops.list_sops(node, OFFICER)] == [2]
    with pytest.raises(NotFound):
        sops.get_sop(node, OFFICER, "health", "sps-food", 3)


def test_an_agency_publishes_its_own_and_a_referral_links_what_applies(node: Node) -> None:
    with pytest.raises(PermissionDenied, match="police"):
        sops.publish(node, POLICE, FOOD)
    with pytest.raises(PermissionDenied):
        sops.publish(node, OFFICER, FOOD)
    sops.publish(node, HEALTH, FOOD)
    general = SopDraft(agency="health", title="Any consignment", body="Always check seals")
    sops.publish(node, HEALTH, general)
    sops.publish(node, POLICE, SopDraft(agency="police", title="Weapons", body="Call EOD"))
    found = sops.for_agencies(node, OFFICER, ["health"], ["sps-food", "other"])
    assert [(s.agency, s.referral_type) for s in found] == [
        ("health", "sps-food"),
        ("health", "any"),
    ]
    assert [s.agency for s in sops.for_agencies(node, OFFICER, ["police", "health"])] == [
        "police",
        "health",
    ]
