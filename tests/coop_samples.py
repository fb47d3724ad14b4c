"""Sample records and agreements for the cooperation and exchange tests (plain data)."""

from __future__ import annotations

import datetime as dt

from borderlink.model import Agreement, Alert, Route, SeizedParty, Seizure

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)


def sample_seizure(**update: object) -> Seizure:
    s = Seizure(
        id="x-borderlink-seizure--6f1c6c2e-2b1e-4a53-9d55-0c1c1b8e9a01",
        issuer="A",
        created=NOW,
        modified=NOW,
        seized_on=NOW.date(),
        office_id="ATL01",
        goods_description="cigarettes hidden in furniture",
        hs_code="240220",
        origin_country="CN",
        quantity=120000,
        quantity_unit="PCE",
        concealment="false bottom in sofas",
        route=Route(departure_country="CN", loading_location="CNSHA", discharge_location="ATPRT"),
        declaration_id="D-1",
        parties=(SeizedParty(role="importer", party_id="T-42", name="ACME Ltd", country="AT"),),
    )
    return s.model_copy(update=update)


def sample_alert(**update: object) -> Alert:
    a = Alert(
        id="x-borderlink-alert--0b7f4d3e-8a2b-4c3d-9e1f-2a3b4c5d6e7f",
        issuer="A",
        created=NOW,
        modified=NOW,
        title="Cigarettes in furniture from Shanghai",
        valid_from=NOW.date(),
        valid_until=NOW.date() + dt.timedelta(days=90),
        hs_codes=("2402", "9401"),
        origins=("CN",),
        trader_ids=("T-42",),
    )
    return a.model_copy(update=update)


def agreement(**update: object) -> Agreement:
    """An A-B agreement in force (seizures + alerts), with ``update`` applied."""
    base: dict[str, object] = {
        "agreement_id": "AB-2026",
        "title": "A-B mutual assistance",
        "type": "cmaa",
        "parties": ["A", "B"],
        "state": "in_force",
        "legal_basis": "CMAA of 2026, art. 4",
        "categories": ["seizure", "alert"],
        "purposes": ["risk-management", "investigation"],
        "max_classification": "restricted",
        "redact": {"seizure": ["concealment"]},
    }
    base.update(update)
    return Agreement.model_validate(base)
