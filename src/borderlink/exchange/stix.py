"""Cooperation records as standard STIX 2.1 objects, and back.

An alert is an ``indicator``, a seizure a ``report`` (with ``location``, ``note`` and party
``identity`` parts), an AEO status an ``identity``, a mutual assistance request a
``course-of-action`` (what the partner is asked to do) and its reply a ``note`` on it, a joint
operation a ``grouping`` of its participants and a participant's day of results a ``sighting``;
each carries BorderLink's own fields in a property extension, TLP 2.0 marking definitions and the
marking of the agreement it travels under (see :mod:`.stix_objects` for the mapping,
:mod:`.stix_definitions` for the definition objects served beside them, :mod:`.stix_ids` for the
fixed ids). An object with nominal data has the marking of the whole object
(:data:`NOMINAL_MARKING`); fields removed by the release policy are named in the extension's
``redacted``.

Which STIX a record kind becomes is an :class:`Exporter`, found through the entry point group
``borderlink.stix_exporters`` (name = the record kind); the built-ins (:data:`ALERT`,
:data:`SEIZURE`, :data:`AEO_STATUS`) are declared there as an add-on declares its own, in
``pyproject.toml``. :func:`to_stix`, :func:`from_stix` and :func:`parts` go through the registry.
Offers :func:`to_stix`, :func:`from_stix`, :func:`parts`, :func:`with_parts`, :func:`flat_view`,
:func:`registered_exporters`, :func:`exporter`, :func:`stable_uuid`, :func:`stix_uuid`,
:func:`derived_record_id`, :func:`new_record_id`, :func:`definitions`, :func:`bundle`.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from functools import cache
from importlib.metadata import entry_points
from types import MappingProxyType
from typing import Any, Protocol, runtime_checkable

from borderlink.errors import ConfigurationError, IntegrityFailure
from borderlink.exchange.stix_definitions import SCHEMAS, definitions, schema
from borderlink.exchange.stix_ids import (
    BORDERLINK_IDENTITY,
    CONSIGNMENT,
    CONSIGNMENT_EXTENSION,
    CUSTOMS_EXTENSION,
    DEFINED,
    MARKING_EXTENSION,
    NAMESPACE,
    NOMINAL_MARKING,
    SPEC,
    TLP_BY_MARKING,
    TLP_MARKINGS,
    agreement_marking_id,
    node_identity_id,
    parse_timestamp,
    stable_uuid,
    stix_uuid,
    timestamp,
)
from borderlink.exchange.stix_objects import (
    AEO_STATUS,
    ALERT,
    ASSIST_REPLY,
    ASSIST_REQUEST,
    OPERATION,
    OPERATION_REPORT,
    SEIZURE,
    RecordExporter,
    alert_pattern,
)
from borderlink.model.cooperation import RECORD_MODELS, CoopRecord, nominal_fields

__all__ = [
    "AEO_STATUS",
    "ALERT",
    "ASSIST_REPLY",
    "ASSIST_REQUEST",
    "BORDERLINK_IDENTITY",
    "CONSIGNMENT",
    "CONSIGNMENT_EXTENSION",
    "CUSTOMS_EXTENSION",
    "DEFINED",
    "MARKING_EXTENSION",
    "NAMESPACE",
    "NOMINAL_MARKING",
    "OPERATION",
    "OPERATION_REPORT",
    "SCHEMAS",
    "SEIZURE",
    "SPEC",
    "TLP_BY_MARKING",
    "TLP_MARKINGS",
    "Exporter",
    "RecordExporter",
    "agreement_marking_id",
    "alert_pattern",
    "bundle",
    "definitions",
    "derived_record_id",
    "exporter",
    "flat_view",
    "from_stix",
    "new_record_id",
    "node_identity_id",
    "parse_timestamp",
    "parts",
    "record_id_of",
    "registered_exporters",
    "schema",
    "stable_uuid",
    "stix_uuid",
    "timestamp",
    "to_stix",
    "with_parts",
]
GROUP = "borderlink.stix_exporters"
_VIEW_KEYS = (
    "type",
    "id",
    "created",
    "modified",
    "revoked",
    "created_by_ref",
    "object_marking_refs",
)


def new_record_id(kind: str) -> str:
    """A fresh id for a record with no natural key (a new seizure, a new alert)."""
    return f"{exporter(kind).stix_type}--{uuid.uuid4()}"


def derived_record_id(kind: str, source_id: str) -> str:
    """The id of the ``kind`` record derived from record ``source_id``: the same every time, so a
    newer version of the source updates what was derived from it instead of adding another."""
    return f"{exporter(kind).stix_type}--{stix_uuid(f'borderlink-{kind}-from:{source_id}')}"


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

    def parts(self, obj: dict[str, Any]) -> list[dict[str, Any]]: ...


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
    return _exporter_of(obj).from_stix(obj)


def _exporter_of(obj: dict[str, Any]) -> Exporter:
    found = _by_type().get(obj.get("type", ""))
    if found is None:
        raise IntegrityFailure(f"not a BorderLink record: {obj.get('type')!r}")
    return found


def record_id_of(obj: dict[str, Any]) -> str:
    """The id of the record a primary object carries (its own id, unless the record's has
    another form)."""
    ext = obj.get("extensions", {}).get(CUSTOMS_EXTENSION, {})
    return str(ext.get("record_id", obj["id"]))


def parts(obj: dict[str, Any]) -> list[dict[str, Any]]:
    """The objects derived from the primary object ``obj`` for other tools (a seizure's places,
    goods and parties): built from the record ``obj`` carries, so never more than it says."""
    return _exporter_of(obj).parts(obj)


def with_parts(objects: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each primary object followed by its parts."""
    return [one for obj in objects for one in (obj, *parts(obj))]


def flat_view(obj: dict[str, Any]) -> dict[str, Any]:
    """A primary object as people read it: its record's fields at the top level, the nominal ones
    named under a granular marking (what a view masks for a reader without ``nominal:read``);
    the STIX object itself marks the whole object nominal (stix2 cannot select inside an
    extension)."""
    ext = obj.get("extensions", {}).get(CUSTOMS_EXTENSION, {})
    if not ext:  # held from before the standard mapping: its fields are at the top already
        return dict(obj)
    view = {k: obj[k] for k in _VIEW_KEYS if k in obj}
    view.update({k: v for k, v in ext.items() if k != "extension_type"})
    model = RECORD_MODELS.get(_exporter_of(obj).kind)
    nominal = [f for f in nominal_fields(model) if f in view] if model else []
    if nominal:
        view["granular_markings"] = [{"marking_ref": NOMINAL_MARKING, "selectors": nominal}]
    return view


def bundle(objects: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": objects}
