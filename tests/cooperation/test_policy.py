from __future__ import annotations

import datetime as dt

import pytest

from borderlink.cooperation import Denial, Released, release
from borderlink.cooperation.policy import NOMINAL, Removal, redact
from borderlink.errors import PolicyDenied
from borderlink.model import Alert, Seizure
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
    assert aeo.id.startswith("x-borderlink-aeo-status--")
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
