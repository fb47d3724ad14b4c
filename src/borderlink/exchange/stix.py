"""Alerts and seizures as STIX 2.1 objects, and back.

Each record becomes a new STIX domain object (``x-borderlink-alert``, ``x-borderlink-seizure``)
declared by the BorderLink customs extension-definition. Every object carries a TLP 2.0 marking
and, once released, the marking of the agreement it travels under; fields with nominal data are
listed under a granular marking, so a reader knows which properties identify people or companies
(and an agreement can strip them one by one). Fields removed by the release policy are named in
``redacted``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Sequence
from typing import Any

import stix2

from borderlink.errors import IntegrityFailure
from borderlink.model.cooperation import RECORD_MODELS, CoopRecord, Tlp, nominal_fields

SPEC = "2.1"
# Fixed identifiers (UUIDv4) of BorderLink's STIX definitions.
CUSTOMS_EXTENSION = "extension-definition--3f6b6a71-4b0c-4a46-9d6e-8a1f3c2b5d10"
MARKING_EXTENSION = "extension-definition--8c2d1e55-7a3b-4f6c-b2d9-1e0f4a6b7c21"
NOMINAL_MARKING = "marking-definition--5b1d7c9e-2f4a-4e8b-a6c3-9d0e1f2a3b45"
BORDERLINK_IDENTITY = "identity--0e7d6c5b-4a39-4281-9f0e-d1c2b3a49586"
DEFINED = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)

# TLP 2.0 marking definitions (OASIS CTI TC, extension-definition--60a3c5c5-...).
TLP_MARKINGS: dict[Tlp, str] = {
    Tlp.CLEAR: "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    Tlp.GREEN: "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    Tlp.AMBER: "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    Tlp.AMBER_STRICT: "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    Tlp.RED: "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}
TLP_BY_MARKING = {v: k for k, v in TLP_MARKINGS.items()}
TYPES = {k: f"x-borderlink-{k}" for k in RECORD_MODELS}
_ENVELOPE_KEYS = {"id", "created", "modified", "revoked", "tlp", "kind"}
_STIX_COMMON = {
    "type",
    "spec_version",
    "id",
    "created",
    "modified",
    "revoked",
    "created_by_ref",
    "object_marking_refs",
    "granular_markings",
    "extensions",
    "redacted",
}


def stable_uuid4(name: str) -> str:
    """A UUID with version-4 layout derived from ``name`` (STIX ids SHOULD be UUIDv4)."""
    raw = bytearray(hashlib.sha256(name.encode()).digest()[:16])
    raw[6] = (raw[6] & 0x0F) | 0x40
    raw[8] = (raw[8] & 0x3F) | 0x80
    return str(uuid.UUID(bytes=bytes(raw)))


def new_record_id(kind: str) -> str:
    return f"{TYPES[kind]}--{uuid.uuid4()}"


def node_identity_id(node_id: str) -> str:
    return f"identity--{stable_uuid4('borderlink-node:' + node_id)}"


def agreement_marking_id(agreement_id: str) -> str:
    return f"marking-definition--{stable_uuid4('borderlink-agreement:' + agreement_id)}"


def timestamp(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_timestamp(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(dt.UTC)


def to_stix(
    record: CoopRecord,
    *,
    agreement_id: str | None = None,
    redacted: tuple[str, ...] = (),
) -> dict[str, Any]:
    """The STIX 2.1 object for ``record`` (a plain dict ready for JSON)."""
    body = record.model_dump(mode="json", exclude=_ENVELOPE_KEYS)
    properties = {k: v for k, v in body.items() if v not in (None, [], {}, "")}
    if isinstance(properties.get("route"), dict):
        route = {k: v for k, v in properties["route"].items() if v is not None}
        if route:
            properties["route"] = route
        else:
            del properties["route"]
    markings = [TLP_MARKINGS[record.tlp]]
    if agreement_id:
        markings.append(agreement_marking_id(agreement_id))
    obj: dict[str, Any] = {
        "type": TYPES[record.kind],
        "spec_version": SPEC,
        "id": record.id,
        "created": timestamp(record.created),
        "modified": timestamp(record.modified),
        "created_by_ref": node_identity_id(record.issuer),
        "object_marking_refs": markings,
        **properties,
        "extensions": {CUSTOMS_EXTENSION: {"extension_type": "new-sdo"}},
    }
    if record.revoked:
        obj["revoked"] = True
    nominal = [f for f in nominal_fields(type(record)) if f in properties]
    if nominal:
        obj["granular_markings"] = [{"marking_ref": NOMINAL_MARKING, "selectors": nominal}]
    if redacted:
        obj["redacted"] = sorted(redacted)
    return obj


def from_stix(obj: dict[str, Any]) -> CoopRecord:
    """The record a STIX object carries; :class:`IntegrityFailure` if it is not one of ours."""
    kinds = {v: k for k, v in TYPES.items()}
    kind = kinds.get(obj.get("type", ""))
    if kind is None or CUSTOMS_EXTENSION not in obj.get("extensions", {}):
        raise IntegrityFailure(f"not a BorderLink record: {obj.get('type')!r}")
    tlp = next(
        (TLP_BY_MARKING[m] for m in obj.get("object_marking_refs", []) if m in TLP_BY_MARKING),
        Tlp.AMBER,
    )
    data = {k: v for k, v in obj.items() if k not in _STIX_COMMON}
    data.update(
        id=obj["id"],
        created=parse_timestamp(obj["created"]),
        modified=parse_timestamp(obj["modified"]),
        revoked=bool(obj.get("revoked", False)),
        tlp=tlp,
        kind=kind,
    )
    model = RECORD_MODELS[kind]
    try:
        return model.model_validate(data)
    except ValueError as error:
        raise IntegrityFailure(f"malformed {kind} {obj.get('id')}: {error}") from error


def definitions(node_id: str, name: str, agreement_ids: Sequence[str] = ()) -> list[dict[str, Any]]:
    """The STIX objects that give our records meaning: the issuer, the extension, the markings."""
    created = DEFINED.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    objects: list[Any] = [
        stix2.v21.Identity(
            id=BORDERLINK_IDENTITY,
            name="BorderLink",
            identity_class="organization",
            created=created,
            modified=created,
        ),
        stix2.v21.Identity(
            id=node_identity_id(node_id),
            name=name,
            identity_class="organization",
            sectors=["government"],
            description=f"BorderLink node {node_id}",
        ),
        stix2.v21.ExtensionDefinition(
            id=CUSTOMS_EXTENSION,
            created_by_ref=BORDERLINK_IDENTITY,
            created=created,
            modified=created,
            name="BorderLink customs records",
            description="Alerts (risk indicators) and seizure reports exchanged by customs.",
            schema="https://borderlink.example/stix/customs-records-1.0.json",
            version="1.0.0",
            extension_types=["new-sdo"],
        ),
        stix2.v21.ExtensionDefinition(
            id=MARKING_EXTENSION,
            created_by_ref=BORDERLINK_IDENTITY,
            created=created,
            modified=created,
            name="BorderLink data-handling markings",
            description="Marks nominal data, and the agreement an object was released under.",
            schema="https://borderlink.example/stix/markings-1.0.json",
            version="1.0.0",
            extension_types=["property-extension"],
        ),
        stix2.v21.MarkingDefinition(
            id=NOMINAL_MARKING,
            created_by_ref=BORDERLINK_IDENTITY,
            created=created,
            name="BorderLink: nominal data",
            extensions={
                MARKING_EXTENSION: {"extension_type": "property-extension", "kind": "nominal"}
            },
        ),
    ]
    for agreement_id in agreement_ids:
        objects.append(
            stix2.v21.MarkingDefinition(
                id=agreement_marking_id(agreement_id),
                created_by_ref=node_identity_id(node_id),
                created=created,
                name=f"Released under agreement {agreement_id}",
                extensions={
                    MARKING_EXTENSION: {
                        "extension_type": "property-extension",
                        "kind": "agreement",
                        "agreement_id": agreement_id,
                    }
                },
            )
        )
    return [json.loads(o.serialize()) for o in objects]


def bundle(objects: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": objects}
