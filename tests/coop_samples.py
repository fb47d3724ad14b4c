"""Sample records and agreements for the cooperation and exchange tests (plain data)."""

from __future__ import annotations

import datetime as dt
import uuid

from borderlink.exchange.stix import new_record_id
from borderlink.model import Agreement, Alert, Route, SeizedParty, Seizure

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)
TODAY = dt.datetime.now(dt.UTC)  # for records that must be valid when the test runs


def sample_seizure(**update: object) -> Seizure:
    s = Seizure(
        id="report--6f1c6c2e-2b1e-4a53-9d55-0c1c1b8e9a01",
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
        id="indicator--0b7f4d3e-8a2b-4c3d-9e1f-2a3b4c5d6e7f",
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
    # TLP:AMBER (the records' default) goes to the partners the agreement names.
    base.setdefault("amber_recipients", [p for p in base["parties"] if p != "A"])  # type: ignore[attr-defined]
    return Agreement.model_validate(base)


def new_seizure(issuer: str = "A") -> Seizure:
    return Seizure(
        id=new_record_id("seizure"),
        issuer=issuer,
        created=TODAY,
        modified=TODAY,
        seized_on=TODAY.date(),
        office_id="A-PORT",
        goods_description="cigarettes in sofas",
        hs_code="240220",
        origin_country="CN",
        quantity=120000,
        concealment="false bottom",
        route=Route(departure_country="CN", loading_location="CNSHA"),
        declaration_id="A-D-77",
        parties=(SeizedParty(role="importer", party_id="T-42", name="ACME Ltd"),),
    )


def new_alert(n: int, issuer: str = "A") -> Alert:
    return Alert(
        id=f"indicator--{uuid.uuid4()}",
        issuer=issuer,
        created=TODAY,
        modified=TODAY,
        title=f"alert {n}",
        valid_from=TODAY.date(),
        valid_until=TODAY.date() + dt.timedelta(days=30),
        hs_codes=(f"{n % 97:02d}",),
    )


def stix_errors(objects: list[dict[str, object]]) -> list[str]:
    """stix2-validator's errors (and warnings: strict) for ``objects`` as one bundle, references
    enforced (imported late: it loads slowly)."""
    from stix2validator import ValidationOptions, validate_parsed_json

    from borderlink.exchange.stix import bundle

    options = ValidationOptions(strict=True, enforce_refs=True)
    result = validate_parsed_json(bundle(objects), options)
    return [] if result.is_valid else [str(e) for e in result.errors]


def parse_strictly(objects: list[dict[str, object]]) -> list[object]:
    """``stix2.parse(..., allow_custom=False)`` of ``objects`` as one bundle, BorderLink's
    property extensions registered with stix2 from the schemas the nodes publish."""
    import stix2
    from stix2.properties import (
        DictionaryProperty,
        FloatProperty,
        ListProperty,
        Property,
        StringProperty,
    )

    from borderlink.exchange.stix import (
        CUSTOMS_EXTENSION,
        MARKING_EXTENSION,
        bundle,
        schema,
    )

    def prop(spec: dict[str, object]) -> Property:
        kind = spec.get("type")
        if kind == "array":
            items = spec["items"]
            nested = isinstance(items, dict) and items.get("type") == "object"
            return ListProperty(DictionaryProperty if nested else StringProperty)
        return {"object": DictionaryProperty, "number": FloatProperty}.get(
            str(kind), StringProperty
        )()

    for ext, name in ((CUSTOMS_EXTENSION, "customs-records"), (MARKING_EXTENSION, "markings")):
        if stix2.registry.class_for_type(ext, "2.1", "extensions") is None:
            properties = schema(name)["properties"]
            declared = [(k, prop(v)) for k, v in properties.items() if k != "extension_type"]
            holder = type(f"Ext_{name}", (), {"extension_type": "property-extension"})
            stix2.v21.CustomExtension(type=ext, properties=declared)(holder)
    parsed = stix2.parse(bundle(objects), allow_custom=False)
    return list(parsed.objects)
