"""The STIX objects that give BorderLink's records their meaning, served beside them.

The identities of the issuing nodes (and of BorderLink, author of the definitions), the three
extension-definitions (the record property extension, the consignment observable, the
data-handling markings) with their JSON Schemas (shipped in ``schemas/``, served by each node
under ``/taxii2/schemas/``), the five TLP 2.0 marking definitions, the nominal-data marking and
one statement marking per agreement carrying its sharing rules.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from importlib.resources import files
from typing import Any

from borderlink.errors import NotFound
from borderlink.exchange.stix_ids import (
    BORDERLINK_IDENTITY,
    CONSIGNMENT,
    CONSIGNMENT_EXTENSION,
    CUSTOMS_EXTENSION,
    DEFINED,
    MARKING_EXTENSION,
    NOMINAL_MARKING,
    SPEC,
    TLP2_DEFINED,
    TLP2_EXTENSION,
    TLP_MARKINGS,
    agreement_marking_id,
    node_identity_id,
    timestamp,
)
from borderlink.model.cooperation import Agreement, Tlp

SCHEMAS = ("customs-records", "consignment", "markings")
SCHEMA_PATH = "/taxii2/schemas"
_CREATED = timestamp(DEFINED).replace(".000000Z", ".000Z")


def schema(name: str) -> dict[str, Any]:
    """The JSON Schema ``name`` (one of :data:`SCHEMAS`) shipped with the package."""
    if name not in SCHEMAS:
        raise NotFound(f"no schema {name!r}; have: {', '.join(SCHEMAS)}", field="name")
    loaded: dict[str, Any] = json.loads(
        files("borderlink.exchange").joinpath("schemas", f"{name}.json").read_text("utf-8")
    )
    return loaded


def _base(stix_type: str, obj_id: str, **rest: Any) -> dict[str, Any]:
    return {"type": stix_type, "spec_version": SPEC, "id": obj_id, "created": _CREATED} | rest


def _extension(
    obj_id: str, name: str, description: str, url: str, types: list[str], **rest: Any
) -> dict[str, Any]:
    return _base(
        "extension-definition",
        obj_id,
        modified=_CREATED,
        created_by_ref=BORDERLINK_IDENTITY,
        name=name,
        description=description,
        schema=url,
        version="2.0.0",
        extension_types=types,
        **rest,
    )


def _tlp_markings(tlps: Collection[Tlp] | None) -> list[dict[str, Any]]:
    """The TLP marking definitions of ``tlps`` (all when None), in the order TLP lists them."""
    return [
        {
            "type": "marking-definition",
            "spec_version": SPEC,
            "id": marking,
            "created": TLP2_DEFINED,
            "name": f"TLP:{tlp.value.upper()}",
            "extensions": {
                TLP2_EXTENSION: {"extension_type": "property-extension", "tlp_2_0": tlp.value}
            },
        }
        for tlp, marking in TLP_MARKINGS.items()
        if tlps is None or tlp in tlps
    ]


def agreement_marking(agreement: Agreement, author: str) -> dict[str, Any]:
    """The marking of what travels under ``agreement``: its sharing rules, said and structured."""
    amber = ", ".join(agreement.amber_recipients) or "no one"
    statement = (
        f"Released under agreement {agreement.agreement_id} between "
        f"{', '.join(agreement.parties)}; TLP:AMBER only to {amber}; TLP:RED never; "
        f"onward sharing {agreement.onward_sharing}"
    )
    return _base(
        "marking-definition",
        agreement_marking_id(agreement.agreement_id),
        created_by_ref=node_identity_id(author),
        name=f"Agreement {agreement.agreement_id}",
        definition_type="statement",
        definition={"statement": statement},
        extensions={
            MARKING_EXTENSION: {
                "extension_type": "property-extension",
                "kind": "agreement",
                "agreement_id": agreement.agreement_id,
                "parties": list(agreement.parties),
                "amber_recipients": list(agreement.amber_recipients),
                "onward_sharing": agreement.onward_sharing,
            }
        },
    )


def _identities(issuers: Mapping[str, str]) -> list[dict[str, Any]]:
    return [
        _base(
            "identity",
            BORDERLINK_IDENTITY,
            modified=_CREATED,
            name="BorderLink",
            identity_class="organization",
            description="The BorderLink project, author of its STIX extensions",
        ),
        *(
            _base(
                "identity",
                node_identity_id(node_id),
                modified=_CREATED,
                name=name,
                identity_class="organization",
                sectors=["government-national"],
                description=f"BorderLink node {node_id}",
            )
            for node_id, name in sorted(issuers.items())
        ),
    ]


def _extensions(url: str) -> list[dict[str, Any]]:
    return [
        _extension(
            CUSTOMS_EXTENSION,
            "BorderLink customs records",
            "Customs alerts (on indicators), seizures (on reports and their locations, goods "
            "notes and parties) and AEO statuses (on identities): every field of the record.",
            f"{url}/customs-records.json",
            ["property-extension"],
        ),
        _extension(
            CONSIGNMENT_EXTENSION,
            "BorderLink consignment observable",
            f"The {CONSIGNMENT} observable: what customs alert patterns are written over.",
            f"{url}/consignment.json",
            ["new-sco"],
        ),
        _extension(
            MARKING_EXTENSION,
            "BorderLink data-handling markings",
            "Marks nominal data, and the agreement an object was released under.",
            f"{url}/markings.json",
            ["property-extension"],
        ),
    ]


def definitions(
    issuers: Mapping[str, str],
    agreements: Sequence[Agreement] = (),
    *,
    author: str,
    base_url: str,
    tlps: Collection[Tlp] | None = None,
) -> list[dict[str, Any]]:
    """The definition objects for records of ``issuers`` (node id → name) released under
    ``agreements`` (their markings by node ``author``, the serving node, one of ``issuers``);
    the schemas' URLs are under ``base_url`` (the serving node's). ``tlps``: the TLP levels the
    records are marked with: only their definitions are served (MISP tags an event with every
    TLP marking definition its bundle holds, referenced or not); all when None."""
    nominal = _base(
        "marking-definition",
        NOMINAL_MARKING,
        created_by_ref=BORDERLINK_IDENTITY,
        name="BorderLink: nominal data",
        extensions={MARKING_EXTENSION: {"extension_type": "property-extension", "kind": "nominal"}},
    )
    return [
        *_identities(issuers),
        *_extensions(f"{base_url.rstrip('/')}{SCHEMA_PATH}"),
        *_tlp_markings(tlps),
        nominal,
        *(agreement_marking(a, author) for a in sorted(agreements, key=lambda a: a.agreement_id)),
    ]
