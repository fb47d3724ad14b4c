"""Alerts and seizures as STIX 2.1 objects, and back.

Each record becomes a new STIX domain object (``x-borderlink-alert``, ``x-borderlink-seizure``)
declared by the BorderLink customs extension-definition. Every object carries a TLP 2.0 marking
and, once released, the marking of the agreement it travels under; fields with nominal data are
listed under a granular marking, so a reader knows which properties identify people or companies
(and an agreement can strip them one by one). Fields removed by the release policy are named in
``redacted``.

Which STIX a record kind becomes is an :class:`Exporter`, found through the entry point group
``borderlink.stix_exporters`` (name = the record kind); the built-ins (:data:`ALERT`,
:data:`SEIZURE`, :data:`AEO_STATUS`) are declared there as an add-on declares its own, in
``pyproject.toml``. :func:`to_stix` and :func:`from_stix` go through the registry.

Ids derived from a natural key (a node's identity, an agreement's marking, a collection, the
alert a seizure implies) are UUIDv5 under :data:`NAMESPACE`, so they are the same on every run
and every node. Offers :func:`to_stix`, :func:`from_stix`, :func:`registered_exporters`,
:func:`exporter`, :func:`stable_uuid`, :func:`derived_record_id`, :func:`new_record_id`,
:func:`definitions`, :func:`bundle`.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.metadata import entry_points
from types import MappingProxyType
from typing import Any, Protocol, runtime_checkable

import stix2

from borderlink.errors import ConfigurationError, IntegrityFailure
from borderlink.model.cooperation import RECORD_MODELS, CoopRecord, Tlp, nominal_fields

GROUP = "borderlink.stix_exporters"
# The namespace of every BorderLink name-based id (UUIDv5); fixed forever, like the ids below.
NAMESPACE = uuid.UUID("d7d36bc0-dc87-45e6-8886-ff056012e488")

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


def stable_uuid(name: str) -> str:
    """The UUIDv5 of ``name`` (a natural key, prefixed by what it names) under :data:`NAMESPACE`."""
    return str(uuid.uuid5(NAMESPACE, name))


def new_record_id(kind: str) -> str:
    """A fresh id for a record with no natural key (a new seizure, a new alert)."""
    return f"{exporter(kind).stix_type}--{uuid.uuid4()}"


def derived_record_id(kind: str, source_id: str) -> str:
    """The id of the ``kind`` record derived from record ``source_id``: the same every time, so a
    newer version of the source updates what was derived from it instead of adding another."""
    return f"{exporter(kind).stix_type}--{stable_uuid(f'borderlink-{kind}-from:{source_id}')}"


def node_identity_id(node_id: str) -> str:
    return f"identity--{stable_uuid('borderlink-node:' + node_id)}"


def agreement_marking_id(agreement_id: str) -> str:
    return f"marking-definition--{stable_uuid('borderlink-agreement:' + agreement_id)}"


def timestamp(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_timestamp(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(dt.UTC)


@runtime_checkable
class Exporter(Protocol):
    """How one record kind travels as STIX: its object type, and the mapping both ways."""

    @property
    def kind(self) -> str: ...

    @property
    def stix_type(self) -> str: ...

    def to_stix(
        self, record: CoopRecord, *, agreement_id: str | None, redacted: tuple[str, ...]
    ) -> dict[str, Any]: ...

    def from_stix(self, obj: dict[str, Any]) -> CoopRecord: ...


@cache
def registered_exporters() -> Mapping[str, Exporter]:
    """Every registered exporter by record kind (loaded once per process)."""
    found: dict[str, Exporter] = {}
    for point in entry_points(group=GROUP):
        loaded = point.load()
        if not isinstance(loaded, Exporter):
            raise ConfigurationError(f"entry point {point.name} = {point.value} is not an exporter")
        if loaded.kind != point.name or point.name in found:
            raise ConfigurationError(
                f"entry point {point.name} = {point.value}: exports {loaded.kind!r} records"
                + (", and another exporter is registered for it" if point.name in found else "")
            )
        found[point.name] = loaded
    if not found:
        raise ConfigurationError(f"no {GROUP} entry points: is borderlink installed (pip install)?")
    return MappingProxyType(dict(sorted(found.items())))


@cache
def _by_type() -> Mapping[str, Exporter]:
    return MappingProxyType({e.stix_type: e for e in registered_exporters().values()})


def exporter(kind: str) -> Exporter:
    """The exporter of record kind ``kind``; :class:`ConfigurationError` if none is registered."""
    known = registered_exporters()
    if kind not in known:
        raise ConfigurationError(f"no STIX exporter for {kind!r} records; have: {', '.join(known)}")
    return known[kind]


def to_stix(
    record: CoopRecord,
    *,
    agreement_id: str | None = None,
    redacted: tuple[str, ...] = (),
) -> dict[str, Any]:
    """The STIX 2.1 object for ``record`` (a plain dict ready for JSON)."""
    return exporter(record.kind).to_stix(record, agreement_id=agreement_id, redacted=redacted)


def from_stix(obj: dict[str, Any]) -> CoopRecord:
    """The record a STIX object carries; :class:`IntegrityFailure` if it is not one of ours."""
    found = _by_type().get(obj.get("type", ""))
    if found is None:
        raise IntegrityFailure(f"not a BorderLink record: {obj.get('type')!r}")
    return found.from_stix(obj)


@dataclass(frozen=True)
class RecordExporter:
    """The built-in mapping: a record kind is its own STIX domain object, ``x-borderlink-<kind>``,
    declared by the customs extension-definition."""

    kind: str

    @property
    def stix_type(self) -> str:
        return f"x-borderlink-{self.kind}"

    def to_stix(
        self, record: CoopRecord, *, agreement_id: str | None, redacted: tuple[str, ...]
    ) -> dict[str, Any]:
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
            "type": self.stix_type,
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

    def from_stix(self, obj: dict[str, Any]) -> CoopRecord:
        if obj.get("type") != self.stix_type or CUSTOMS_EXTENSION not in obj.get("extensions", {}):
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
            kind=self.kind,
        )
        model = RECORD_MODELS[self.kind]
        try:
            return model.model_validate(data)
        except ValueError as error:
            raise IntegrityFailure(f"malformed {self.kind} {obj.get('id')}: {error}") from error


ALERT = RecordExporter("alert")
SEIZURE = RecordExporter("seizure")
AEO_STATUS = RecordExporter("aeo-status")


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
