"""How each record kind becomes standard STIX 2.1 objects, and back.

A record becomes one *primary* object: an alert an ``indicator`` (its targeting condition as a
STIX pattern over the ``x-borderlink-consignment`` observable), a seizure a ``report``, an AEO
status an ``identity``. The primary carries every field of the record, as released, in the
BorderLink property extension (:data:`CUSTOMS_EXTENSION`), so :meth:`RecordExporter.from_stix`
gives back exactly the record that was sent; it is what nodes sign and exchange.

A seizure also has *parts* for other tools (MISP, OpenCTI): ``location`` objects (place of
seizure, origin, route), a ``note`` on the goods and an ``identity`` per party whose name or id
is present. Parts are built from the primary alone (:meth:`RecordExporter.parts`), so they hold
nothing the released record does not: what the release policy removed is in neither.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import pycountry

from borderlink.errors import IntegrityFailure
from borderlink.exchange.stix_ids import (
    CONSIGNMENT,
    CUSTOMS_EXTENSION,
    NOMINAL_MARKING,
    SPEC,
    TLP_BY_MARKING,
    TLP_MARKINGS,
    agreement_marking_id,
    day_start,
    node_identity_id,
    parse_timestamp,
    part_id,
    stix_uuid,
    timestamp,
)
from borderlink.model.cooperation import (
    RECORD_MODELS,
    STIX_TYPES,
    AeoStatus,
    Alert,
    AssistanceReply,
    AssistanceRequest,
    CoopRecord,
    Operation,
    OperationReport,
    Seizure,
    Tlp,
    nominal_fields,
)

_ENVELOPE_KEYS = frozenset({"id", "created", "modified", "revoked", "tlp", "kind"})
_NOT_FIELDS = frozenset({"extension_type", "redacted", "record_id"})
_GOODS = frozenset({"goods_description", "hs_code", "quantity", "quantity_unit"})


def _clean(value: Any, top: bool = True) -> Any:
    """``value`` without nulls (STIX has none) and, at the top, without empty values (an empty
    list says nothing); inside, an empty text stays (a party's required role, blanked)."""
    if isinstance(value, dict):
        empty: tuple[Any, ...] = (None, [], {}, "") if top else (None,)
        cleaned = {k: _clean(v, False) for k, v in value.items() if v not in empty}
        return {k: v for k, v in cleaned.items() if not top or v not in ({}, [])}
    if isinstance(value, list):
        return [_clean(v, False) for v in value]
    return value


def record_properties(record: CoopRecord) -> dict[str, Any]:
    """BorderLink's own fields of ``record``, as its property extension carries them."""
    cleaned: dict[str, Any] = _clean(record.model_dump(mode="json", exclude=set(_ENVELOPE_KEYS)))
    return cleaned


def _ext(**properties: Any) -> dict[str, Any]:
    return {CUSTOMS_EXTENSION: {"extension_type": "property-extension", **properties}}


def _head(stix_type: str, obj_id: str, record: CoopRecord, markings: list[str]) -> dict[str, Any]:
    head: dict[str, Any] = {
        "type": stix_type,
        "spec_version": SPEC,
        "id": obj_id,
        "created": timestamp(record.created),
        "modified": timestamp(record.modified),
        "created_by_ref": node_identity_id(record.issuer),
        "object_marking_refs": markings,
    }
    if record.revoked:
        head["revoked"] = True
    return head


def _quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _one_of(path: str, values: tuple[str, ...]) -> str:
    if len(values) == 1:
        return f"{CONSIGNMENT}:{path} = {_quote(values[0])}"
    return f"{CONSIGNMENT}:{path} IN ({', '.join(_quote(v) for v in values)})"


def alert_pattern(alert: Alert) -> str:
    """The alert's targeting condition as a STIX pattern: every dimension it sets must hold."""
    terms = []
    if alert.hs_codes:
        prefixes = [f"{CONSIGNMENT}:hs_codes[*] LIKE {_quote(h + '%')}" for h in alert.hs_codes]
        terms.append("(" + " OR ".join(prefixes) + ")" if len(prefixes) > 1 else prefixes[0])
    if alert.origins:
        terms.append(_one_of("origin_countries[*]", alert.origins))
    for name, value in alert.route.model_dump().items():
        if value:
            terms.append(_one_of(name, (value,)))
    if alert.trader_ids:
        terms.append(_one_of("trader_ids[*]", alert.trader_ids))
    return "[" + (" AND ".join(terms) or f"{CONSIGNMENT}:hs_codes[*] LIKE '%'") + "]"


def _indicator(alert: Alert, obj_id: str) -> dict[str, Any]:
    scope = f"valid {alert.valid_from.isoformat()} to {alert.valid_until.isoformat()}"
    return {
        "name": alert.title,
        "description": alert.description or f"Customs risk alert, {scope}",
        "indicator_types": ["anomalous-activity"],
        "pattern": alert_pattern(alert),
        "pattern_type": "stix",
        "pattern_version": SPEC,
        "valid_from": day_start(alert.valid_from),
        # The alert's last day counts: STIX's valid_until is the first instant it no longer does.
        "valid_until": day_start(alert.valid_until + dt.timedelta(days=1)),
    }


def _report(seizure: Seizure, obj_id: str) -> dict[str, Any]:
    name = f"Seizure of {seizure.seized_on.isoformat()}"
    text = seizure.goods_description
    if seizure.concealment:
        text += f"; concealment: {seizure.concealment}"
    return {
        "name": name + (f" at {seizure.office_id}" if seizure.office_id else ""),
        "description": text,
        "report_types": ["threat-report"],
        "published": timestamp(seizure.created),
        "object_refs": [p["id"] for p in _seizure_parts(seizure, obj_id, [])],
    }


def _aeo_identity(status: AeoStatus, obj_id: str) -> dict[str, Any]:
    until = f" until {status.valid_until.isoformat()}" if status.valid_until else ""
    return {
        "name": status.trader_name or status.trader_id or f"{status.programme} operator",
        "identity_class": "organization",
        "roles": ["authorised-economic-operator"],
        "description": f"{status.programme} status {status.status} ({status.country}) from "
        f"{status.valid_from.isoformat()}{until}",
    }


def _request_action(request: AssistanceRequest, obj_id: str) -> dict[str, Any]:
    """A request as the course of action asked of the partner (no nominal data in the text)."""
    return {
        "name": request.title,
        "description": f"Request for mutual assistance ({request.measure}, {request.urgency}) "
        f"to {request.requested} under agreement {request.agreement_id}; state {request.state}; "
        f"answer due {request.deadline.isoformat()}",
    }


def _reply_note(reply: AssistanceReply, obj_id: str) -> dict[str, Any]:
    ground = f" on grounds of {reply.ground}" if reply.ground else ""
    return {
        "abstract": f"Reply to an assistance request: {reply.state}{ground}",
        "content": reply.findings or f"State: {reply.state}",
        "object_refs": [reply.request_id],
    }


def _grouping(operation: Operation, obj_id: str) -> dict[str, Any]:
    """An operation as the shared context of its participants (who are what it groups)."""
    period = f"{operation.starts_on.isoformat()} to {operation.ends_on.isoformat()}"
    return {
        "name": f"Joint operation {operation.code}: {operation.name}",
        "description": f"{operation.purpose} ({period}, {operation.state})",
        "context": "suspicious-activity",
        "object_refs": [node_identity_id(p) for p in operation.participants],
    }


def _sighting(report: OperationReport, obj_id: str) -> dict[str, Any]:
    """A participant's day of an operation: the operation sighted, as often as it checked
    declarations that day (a sighting may point at a grouping; observed-data may not)."""
    return {
        "sighting_of_ref": report.operation_id,
        "first_seen": day_start(report.day),
        "last_seen": day_start(report.day + dt.timedelta(days=1)),
        "count": report.declarations_checked,
    }


def _country(code: str | None) -> str | None:
    """``code`` if it is an ISO 3166-1 alpha-2 code (validators check a location's country)."""
    if code and len(code) == 2 and pycountry.countries.get(alpha_2=code.upper()) is not None:
        return code.upper()
    return None


def _places(seizure: Seizure) -> list[tuple[str, str, str | None, str | None]]:
    """(role, label, country, code) of each place the seizure names."""
    route = seizure.route
    office, loading, discharge = seizure.office_id, route.loading_location, route.discharge_location
    # A customs office reference number (and a UN/LOCODE) begins with its country's code.
    return [
        ("seizure", "Place of seizure", _country(office[:2]) if office else None, office),
        ("origin", "Origin", _country(seizure.origin_country), None),
        ("departure", "Country of departure", _country(route.departure_country), None),
        ("loading", "Place of loading", _country(loading[:2]) if loading else None, loading),
        (
            "discharge",
            "Place of discharge",
            _country(discharge[:2]) if discharge else None,
            discharge,
        ),
    ]


def _seizure_parts(seizure: Seizure, obj_id: str, markings: list[str]) -> list[dict[str, Any]]:
    parts: list[dict[str, Any]] = []
    for role, label, country, code in _places(seizure):
        if country is None:
            continue
        place = {"code": code} if code else {}
        parts.append(
            _head("location", part_id("location", seizure.id, role), seizure, markings)
            | {"name": f"{label}: {code or country}", "country": country}
            | {"extensions": _ext(part_of=obj_id, role=role, **place)}
        )
    goods = _clean(seizure.model_dump(mode="json", include=set(_GOODS)))
    content = [seizure.goods_description]
    if seizure.hs_code:
        content.append(f"HS code {seizure.hs_code}")
    if seizure.quantity is not None:
        content.append(f"quantity {seizure.quantity:g} {seizure.quantity_unit or ''}".rstrip())
    parts.append(
        _head("note", part_id("note", seizure.id, "goods"), seizure, markings)
        | {"abstract": "Goods seized", "content": "; ".join(content), "object_refs": [obj_id]}
        | {"extensions": _ext(part_of=obj_id, role="goods", **goods)}
    )
    for index, party in enumerate(seizure.parties):
        if not (party.name or party.party_id):
            continue  # nothing nominal left of it: no identity to describe
        parts.append(
            _head(
                "identity",
                part_id("identity", seizure.id, f"party-{index}"),
                seizure,
                [*markings, NOMINAL_MARKING],
            )
            | {"name": party.name or party.party_id, "identity_class": "unknown"}
            | ({"roles": [party.role]} if party.role else {})
            | {"extensions": _ext(part_of=obj_id, **_clean(party.model_dump(), False))}
        )
    return parts


@dataclass(frozen=True)
class _Shape:
    stix_type: str
    standard: Callable[[Any, str], dict[str, Any]]
    nominal_standard: Callable[[Any], list[str]]  # standard properties holding nominal data


_SHAPES: Mapping[str, _Shape] = MappingProxyType(
    {
        "alert": _Shape(STIX_TYPES["alert"], _indicator, lambda r: []),
        "seizure": _Shape(STIX_TYPES["seizure"], _report, lambda r: []),
        "aeo-status": _Shape(
            STIX_TYPES["aeo-status"],
            _aeo_identity,
            lambda r: ["name"] if r.trader_name or r.trader_id else [],
        ),
        "assist-request": _Shape(STIX_TYPES["assist-request"], _request_action, lambda r: []),
        "assist-reply": _Shape(STIX_TYPES["assist-reply"], _reply_note, lambda r: []),
        "operation": _Shape(STIX_TYPES["operation"], _grouping, lambda r: []),
        "operation-report": _Shape(STIX_TYPES["operation-report"], _sighting, lambda r: []),
    }
)


def stix_id(record: CoopRecord, stix_type: str) -> str:
    """The primary object's id: the record's own, or (an id of another form) one derived from it."""
    if record.id.startswith(stix_type + "--"):
        return record.id
    return f"{stix_type}--{stix_uuid('borderlink-record:' + record.id)}"


@dataclass(frozen=True)
class RecordExporter:
    """The built-in mapping of one record kind onto standard STIX objects (see the module)."""

    kind: str

    @property
    def stix_type(self) -> str:
        return _SHAPES[self.kind].stix_type

    def to_stix(
        self, record: CoopRecord, *, agreement_id: str | None, redacted: tuple[str, ...]
    ) -> dict[str, Any]:
        shape = _SHAPES[self.kind]
        obj_id = stix_id(record, shape.stix_type)
        markings = [TLP_MARKINGS[record.tlp]]
        if agreement_id:
            markings.append(agreement_marking_id(agreement_id))
        properties = record_properties(record)
        if obj_id != record.id:
            properties["record_id"] = record.id
        if redacted:
            properties["redacted"] = sorted(redacted)
        nominal = shape.nominal_standard(record) or [
            f for f in nominal_fields(type(record)) if f in properties
        ]
        if nominal:  # the whole object: stix2 cannot select inside an extension
            markings.append(NOMINAL_MARKING)
        obj = _head(shape.stix_type, obj_id, record, markings) | shape.standard(record, obj_id)
        obj["extensions"] = _ext(**properties)
        return obj

    def from_stix(self, obj: dict[str, Any]) -> CoopRecord:
        ext = obj.get("extensions", {}).get(CUSTOMS_EXTENSION)
        if obj.get("type") != self.stix_type or not isinstance(ext, dict) or "part_of" in ext:
            raise IntegrityFailure(f"not a BorderLink record: {obj.get('type')!r}")
        tlp = next(
            (TLP_BY_MARKING[m] for m in obj.get("object_marking_refs", []) if m in TLP_BY_MARKING),
            Tlp.AMBER,
        )
        data = {k: v for k, v in ext.items() if k not in _NOT_FIELDS}
        try:
            data.update(
                id=ext.get("record_id", obj["id"]),
                created=parse_timestamp(obj["created"]),
                modified=parse_timestamp(obj["modified"]),
                revoked=bool(obj.get("revoked", False)),
                tlp=tlp,
                kind=self.kind,
            )
            return RECORD_MODELS[self.kind].model_validate(data)
        except (KeyError, ValueError) as error:
            raise IntegrityFailure(f"malformed {self.kind} {obj.get('id')}: {error}") from error

    def parts(self, obj: dict[str, Any]) -> list[dict[str, Any]]:
        """The objects derived from primary ``obj`` for other tools (a seizure's places, goods
        and parties); built from the record it carries, so they say nothing it does not."""
        if not issubclass(RECORD_MODELS[self.kind], Seizure):
            return []  # only a seizure has parts: no need to read the record (it costs)
        record = self.from_stix(obj)
        if not isinstance(record, Seizure):
            return []
        markings = [m for m in obj.get("object_marking_refs", []) if m != NOMINAL_MARKING]
        return _seizure_parts(record, obj["id"], markings)


ALERT = RecordExporter("alert")
SEIZURE = RecordExporter("seizure")
AEO_STATUS = RecordExporter("aeo-status")
ASSIST_REQUEST = RecordExporter("assist-request")
ASSIST_REPLY = RecordExporter("assist-reply")
OPERATION = RecordExporter("operation")
OPERATION_REPORT = RecordExporter("operation-report")
