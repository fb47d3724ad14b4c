"""Trusted traders from AEO statuses under MRAs, and the MRA document's validation."""

from __future__ import annotations

import datetime as dt

import pytest

from borderlink.cooperation.aeo import counts_under, parse_mra, trusted_traders
from borderlink.errors import InvalidInput
from borderlink.model.cooperation import AeoStatus

NOW = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
ON = dt.date(2026, 5, 4)


def mra(**update: object) -> dict[str, object]:
    return {
        "mra_id": "AB-MRA",
        "title": "Atlantis-Borduria MRA",
        "partner": "customs-of-atlantis",
        "programmes": ["AEOS", "AEOF"],
        "benefits": {"risk_weight": 0.5},
        **update,
    }


def status(**update: object) -> AeoStatus:
    values: dict[str, object] = {
        "id": "identity--00000000-0000-4000-8000-000000000001",
        "issuer": "customs-of-atlantis",
        "created": NOW,
        "modified": NOW,
        "trader_id": "AT-998877",
        "country": "AT",
        "programme": "AEOF",
        "status": "granted",
        "valid_from": dt.date(2026, 1, 1),
        **update,
    }
    return AeoStatus.model_validate(values)


def test_bad_documents_name_the_mra_and_the_field() -> None:
    with pytest.raises(InvalidInput) as err:
        parse_mra(mra(benefits={"risk_weight": 1.5}))
    assert err.value.field == "benefits.risk_weight"
    assert "AB-MRA" in err.value.detail
    with pytest.raises(InvalidInput):
        parse_mra(mra(valid_from="2026-02-01", valid_until="2026-01-01"))


def test_a_partners_status_counts_through_the_mapping_only() -> None:
    terms = parse_mra(mra())
    mapping = {"AB-MRA": {"AT998877": frozenset({"BD55501"})}}
    found = trusted_traders([terms], [status()], mapping, own_node="customs-of-borduria", on=ON)
    assert [(t.party_id, t.mra_id, t.programme) for t in found] == [("BD55501", "AB-MRA", "AEOF")]
    assert trusted_traders([terms], [status()], {}, own_node="customs-of-borduria", on=ON) == []
    shared = parse_mra(mra(shared_ids=True))
    found = trusted_traders([shared], [status()], {}, own_node="customs-of-borduria", on=ON)
    assert [t.party_id for t in found] == ["AT998877"]


def test_suspended_revoked_other_programmes_and_other_issuers_do_not_count() -> None:
    terms = parse_mra(mra())
    assert counts_under(terms, status())
    assert not counts_under(terms, status(status="suspended"))
    assert not counts_under(terms, status(revoked=True))
    assert not counts_under(terms, status(programme="AEOC"))  # simplifications: not security
    assert not counts_under(terms, status(issuer="customs-of-cathay"))


def test_an_mra_out_of_force_grants_nothing() -> None:
    ended = parse_mra(mra(valid_until="2026-03-01", shared_ids=True))
    inactive = parse_mra(mra(active=False, shared_ids=True))
    for terms in (ended, inactive):
        assert trusted_traders([terms], [status()], {}, own_node="x", on=ON) == []


def test_the_own_programme_takes_its_ids_as_they_stand() -> None:
    own = parse_mra(mra(mra_id="NATIONAL", partner="customs-of-borduria", programmes=["AEOC"]))
    mine = status(issuer="customs-of-borduria", trader_id="BD 555-01", programme="AEOC")
    found = trusted_traders([own], [mine], {}, own_node="customs-of-borduria", on=ON)
    assert [t.party_id for t in found] == ["BD55501"]
