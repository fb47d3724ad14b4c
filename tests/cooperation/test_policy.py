from __future__ import annotations

import datetime as dt

import pytest

from borderlink.cooperation import Denial, Released, release
from borderlink.cooperation.policy import NOMINAL, Removal, RulesMemo, redact
from borderlink.cooperation.projection import WITHHELD
from borderlink.errors import PolicyDenied
from borderlink.model import Alert, Route, SeizedParty, Seizure
from borderlink.model.cooperation import Tlp
from tests.coop_samples import NOW, agreement


def _released(result: Released | Denial) -> Released:
    assert isinstance(result, Released), result
    return result


def test_denied_by_default_without_any_agreement(seizure: Seizure) -> None:
    result = release(seizure, "B", "risk-management", [], NOW, me="A")
    assert isinstance(result, Denial)
    assert result.code == "no_agreement"
    assert isinstance(result.error(), PolicyDenied)


def test_agreement_between_other_parties_does_not_count(seizure: Seizure) -> None:
    result = release(seizure, "C", "risk-management", [agreement()], NOW, me="A")
    assert isinstance(result, Denial)
    assert result.code == "no_agreement"


@pytest.mark.parametrize("state", ["draft", "signed", "ratified", "suspended", "expired"])
def test_only_an_agreement_in_force_lets_anything_flow(seizure: Seizure, state: str) -> None:
    result = release(seizure, "B", "risk-management", [agreement(state=state)], NOW, me="A")
    assert isinstance(result, Denial)
    assert result.code == "not_in_force"
    assert state in result.detail


def test_validity_dates_bound_an_agreement_in_force(seizure: Seizure) -> None:
    later = agreement(valid_from=NOW.date() + dt.timedelta(days=1))
    ended = agreement(valid_until=NOW.date() - dt.timedelta(days=1))
    for a in (later, ended):
        result = release(seizure, "B", "risk-management", [a], NOW, me="A")
        assert isinstance(result, Denial)
        assert result.code == "not_in_force"


def test_category_purpose_and_classification_are_checked(seizure: Seizure) -> None:
    alerts_only = agreement(categories=["alert"])
    result = release(seizure, "B", "risk-management", [alerts_only], NOW, me="A")
    assert isinstance(result, Denial)
    assert result.code == "category"
    result = release(seizure, "B", "marketing", [agreement()], NOW, me="A")
    assert isinstance(result, Denial)
    assert result.code == "purpose"
    secret = seizure.model_copy(update={"classification": "confidential"})
    result = release(secret, "B", "risk-management", [agreement()], NOW, me="A")
    assert isinstance(result, Denial)
    assert result.code == "classification"


def test_redaction_removes_agreed_and_nominal_fields_and_says_why(seizure: Seizure) -> None:
    out = _released(release(seizure, "B", "risk-management", [agreement()], NOW, me="A"))
    copy = out.record
    assert isinstance(copy, Seizure)
    assert (copy.concealment, copy.parties, copy.declaration_id) == (None, (), None)
    assert copy.hs_code == "240220"
    assert copy.route == seizure.route
    assert {(r.field, r.reason) for r in out.removed} == {
        ("concealment", "agreement-redaction"),
        ("declaration_id", "nominal-data-not-permitted"),
        ("parties", "nominal-data-not-permitted"),
    }
    assert seizure.parties, "the original is untouched"
    assert out.details()["agreement"] == "AB-2026"


def test_trader_identity_category_keeps_nominal_fields(seizure: Seizure, alert: Alert) -> None:
    a = agreement(categories=["seizure", "alert", "trader-identity"], redact={})
    out = _released(release(seizure, "B", "investigation", [a], NOW, me="A"))
    assert out.record == seizure
    assert out.removed == ()
    out = _released(release(alert, "B", "investigation", [a], NOW, me="A"))
    assert isinstance(out.record, Alert)
    assert out.record.trader_ids == ("T-42",)


def test_one_permissive_agreement_among_several_is_enough(alert: Alert) -> None:
    narrow = agreement(agreement_id="AB-0", categories=["seizure"])
    wide = agreement(agreement_id="AB-1", categories=["alert"])
    out = _released(release(alert, "B", "risk-management", [narrow, wide], NOW, me="A"))
    assert out.agreement_id == "AB-1"


def test_aeo_status_needs_its_category_and_identity_to_be_of_use() -> None:
    from borderlink.cooperation.records import new_record
    from borderlink.model import AeoStatus

    aeo = new_record(
        "aeo-status",
        {
            "trader_id": "AT-EORI-1",
            "trader_name": "ACME",
            "country": "AT",
            "programme": "AEOF",
            "status": "granted",
            "valid_from": "2026-01-01",
        },
        issuer="A",
        now=NOW,
    )
    assert isinstance(aeo, AeoStatus)
    assert aeo.id.startswith("identity--")  # its STIX object
    result = release(aeo, "B", "risk-management", [agreement()], NOW, me="A")
    assert isinstance(result, Denial)
    assert result.code == "category"
    mra = agreement(categories=["aeo-status", "trader-identity"])
    out = _released(release(aeo, "B", "risk-management", [mra], NOW, me="A"))
    assert out.record == aeo
    anonymous = agreement(categories=["aeo-status"])
    out = _released(release(aeo, "B", "risk-management", [anonymous], NOW, me="A"))
    assert {r.field for r in out.removed} == {"trader_id", "trader_name"}


# --- redact: the one projection, for a partner (agreement) or a reader (principal) ----------


def test_redact_masks_only_fields_that_hold_something() -> None:
    view = redact(
        {"importer_id": "IMP1", "exporter_id": None, "office_id": "OF1"},
        ["importer_id", "exporter_id", "carrier_id"],
        mask="[redacted]",
    )
    assert view.values == {"importer_id": "[redacted]", "exporter_id": None, "office_id": "OF1"}
    assert view.removed == (Removal("importer_id", NOMINAL),)


def test_redact_with_blank_puts_the_empty_value_back_and_keeps_reasons_sorted() -> None:
    copy = redact(
        {"parties": ("ACME",), "concealment": "in the doors", "hs_code": "8517"},
        {"parties": "nominal-data-not-permitted", "concealment": "agreement-redaction"},
        empty={"parties": ()},
    )
    assert copy.values == {"parties": (), "concealment": None, "hs_code": "8517"}
    assert copy.removed == (
        Removal("concealment", "agreement-redaction"),
        Removal("parties", "nominal-data-not-permitted"),
    )
    nothing = redact({"parties": ()}, {"parties": "x"}, empty={"parties": ()})
    assert nothing.removed == ()


# --- allow-lists, nested paths, free text, derived records (issue 11, items 1-2) -----------


def _derived(seizure: Seizure) -> Alert:
    from borderlink.cooperation import alert_from_seizure

    return alert_from_seizure(seizure, alert_id="x-borderlink-alert--derived")


def test_a_derived_alert_carries_nothing_its_seizure_may_not(seizure: Seizure) -> None:
    """The alert implied by a seizure: concealment redacted for seizures, parties excluded
    (no trader-identity), so neither the concealment nor the trader ids (carrier included)
    may reach the partner through the alert."""
    carrier = (*seizure.parties, SeizedParty(role="carrier", party_id="CAR-7", name="Ship Co"))
    source = seizure.model_copy(update={"parties": carrier})
    alert = _derived(source)
    assert alert.concealment
    assert alert.trader_ids == ("T-42", "CAR-7")
    out = _released(release(alert, "B", "risk-management", [agreement()], NOW, me="A"))
    copy = out.record
    assert isinstance(copy, Alert)
    assert copy.concealment is None
    assert copy.trader_ids == ()
    assert "sofa" not in copy.model_dump_json()
    assert "CAR-7" not in copy.model_dump_json()
    assert {(r.field, r.reason) for r in out.removed} >= {
        ("concealment", "derived-from-withheld"),
        ("trader_ids", "nominal-data-not-permitted"),
    }
    assert copy.hs_codes == ("240220",)  # what the seizure may share, the alert shares too


def test_rules_worked_out_once_per_batch_release_the_same_copies(
    seizure: Seizure, alert: Alert
) -> None:
    """A batch shares one memo of rules: a derived alert, a plain alert and a seizure under the
    same agreement each keep their own rules (the derived alert is not released as a plain one)."""
    derived = _derived(seizure)
    memo: RulesMemo = {}
    terms = [agreement()]
    for record in (derived, alert, seizure, derived, alert):
        alone = release(record, "B", "risk-management", terms, NOW, me="A")
        batched = release(record, "B", "risk-management", terms, NOW, me="A", memo=memo)
        assert batched == alone
    assert len(memo) == 3


def test_only_allow_listed_fields_leave(seizure: Seizure) -> None:
    narrow = agreement(fields={"seizure": ["hs_code", "origin_country"]}, redact={})
    out = _released(release(seizure, "B", "risk-management", [narrow], NOW, me="A"))
    copy = out.record
    assert isinstance(copy, Seizure)
    assert (copy.hs_code, copy.origin_country, copy.seized_on) == ("240220", "CN", NOW.date())
    assert copy.office_id is None
    assert copy.quantity is None
    assert copy.route == Route()
    assert copy.goods_description == WITHHELD  # required free text that may not flow
    assert ("office_id", "not-in-agreement") in {(r.field, r.reason) for r in out.removed}


def test_nested_paths_let_part_of_a_party_flow(seizure: Seizure) -> None:
    a = agreement(
        categories=["seizure", "trader-identity"],
        fields={"seizure": ["hs_code", "parties.name", "route.loading_location"]},
        redact={},
    )
    out = _released(release(seizure, "B", "investigation", [a], NOW, me="A"))
    copy = out.record
    assert isinstance(copy, Seizure)
    (party,) = copy.parties
    assert (party.name, party.party_id, party.country) == ("ACME Ltd", None, None)
    assert copy.route == Route(loading_location="CNSHA")
    removed = {r.field for r in out.removed}
    assert {"parties.party_id", "parties.country", "route.departure_country"} <= removed
    redacted = agreement(
        redact={"seizure": ["parties.name"]}, categories=["seizure", "trader-identity"]
    )
    copy = _released(release(seizure, "B", "investigation", [redacted], NOW, me="A")).record
    assert isinstance(copy, Seizure)
    assert copy.parties[0].name is None
    assert copy.parties[0].party_id == "T-42"


def test_free_text_can_be_dropped_or_replaced_and_the_derived_title_follows(
    seizure: Seizure,
) -> None:
    hidden = seizure.model_copy(update={"goods_description": "hidden in sofa frames"})
    a = agreement(replace={"seizure": {"goods_description": "tobacco products"}})
    out = _released(release(hidden, "B", "risk-management", [a], NOW, me="A"))
    assert isinstance(out.record, Seizure)
    assert out.record.goods_description == "tobacco products"
    assert ("goods_description", "agreement-replacement") in {
        (r.field, r.reason) for r in out.removed
    }
    alert = _released(release(_derived(hidden), "B", "risk-management", [a], NOW, me="A")).record
    assert isinstance(alert, Alert)
    assert alert.title == "Seizure: tobacco products"
    dropped = agreement(fields={"seizure": ["hs_code"]})
    alert = _released(
        release(_derived(hidden), "B", "risk-management", [dropped], NOW, me="A")
    ).record
    assert isinstance(alert, Alert)
    assert "sofa" not in alert.model_dump_json()


def test_the_receiving_check_finds_nothing_left_to_remove_in_a_released_copy(
    seizure: Seizure,
) -> None:
    a = agreement(
        fields={"seizure": ["hs_code", "goods_description", "parties.name"]},
        categories=["seizure", "alert", "trader-identity"],
        replace={"seizure": {"goods_description": "tobacco"}},
    )
    for record in (seizure, _derived(seizure)):
        copy = _released(release(record, "B", "risk-management", [a], NOW, me="A")).record
        again = _released(release(copy, "B", "risk-management", [a], NOW, me="A"))
        assert again.removed == ()
        assert again.record == copy


# --- TLP (item 3) -------------------------------------------------------------------------


def test_tlp_red_never_leaves_automatically(alert: Alert) -> None:
    red = alert.model_copy(update={"tlp": Tlp.RED})
    wide = agreement(categories=["alert", "trader-identity"], max_classification="secret")
    result = release(red, "B", "risk-management", [wide], NOW, me="A")
    assert isinstance(result, Denial)
    assert result.code == "tlp"


@pytest.mark.parametrize("tlp", [Tlp.AMBER, Tlp.AMBER_STRICT])
def test_tlp_amber_goes_only_to_named_recipients_with_its_rules(alert: Alert, tlp: Tlp) -> None:
    amber = alert.model_copy(update={"tlp": tlp})
    three = agreement(parties=["A", "B", "C"], amber_recipients=["B"])
    out = _released(release(amber, "B", "risk-management", [three], NOW, me="A"))
    assert out.handling is not None
    assert (out.handling.tlp, out.handling.recipients) == (tlp, ("B",))
    assert "onward sharing forbidden" in out.handling.statement
    assert out.details()["handling"]["tlp"] == tlp.value
    result = release(amber, "C", "risk-management", [three], NOW, me="A")
    assert isinstance(result, Denial)
    assert result.code == "tlp"
    green = alert.model_copy(update={"tlp": Tlp.GREEN})
    assert isinstance(release(green, "C", "risk-management", [three], NOW, me="A"), Released)


# --- revocations (item 4) -----------------------------------------------------------------


@pytest.mark.parametrize("state", ["suspended", "expired"])
def test_a_revocation_travels_whatever_the_agreement_state(alert: Alert, state: str) -> None:
    ended = agreement(state=state)
    tombstone = alert.model_copy(update={"revoked": True})
    result = release(tombstone, "B", "risk-management", [ended], NOW, me="A")
    assert isinstance(result, Denial)  # never sent: nothing to withdraw
    out = _released(
        release(tombstone, "B", "risk-management", [ended], NOW, me="A", sent_under="AB-2026")
    )
    assert out.record.revoked
    assert isinstance(out.record, Alert)
    assert out.record.trader_ids == ()
    red = tombstone.model_copy(update={"tlp": Tlp.RED})
    assert isinstance(
        release(red, "B", "risk-management", [ended], NOW, me="A", sent_under="AB-2026"), Released
    )
    not_revoked = release(alert, "B", "risk-management", [ended], NOW, me="A", sent_under="AB-2026")
    assert isinstance(not_revoked, Denial)
