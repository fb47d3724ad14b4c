"""The fixed names of BorderLink's STIX: identifiers, timestamps, the TLP 2.0 markings.

Ids derived from a natural key (a node's identity, an agreement's marking, the location of a
seizure, the alert a seizure implies) come from a UUIDv5 under :data:`NAMESPACE`, so they are the
same on every run and every node. STIX 2.1 validators want UUIDv4 ids, so :func:`stix_uuid` sets
the version-4 bits on that hash (the variant bits of a UUIDv5 already are RFC 4122's): still a
pure function of the name. :func:`stable_uuid` (the plain UUIDv5) names what is not a STIX
object, such as a TAXII collection.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from types import MappingProxyType

from borderlink.model.cooperation import Tlp

# The namespace of every BorderLink name-based id; fixed forever, like the ids below.
NAMESPACE = uuid.UUID("d7d36bc0-dc87-45e6-8886-ff056012e488")
SPEC = "2.1"

# Fixed identifiers (UUIDv4) of BorderLink's STIX definitions. The record extension is a
# property extension of standard objects (indicator, report, identity, location, note); the
# consignment extension declares the observable an alert's pattern is written over.
CUSTOMS_EXTENSION = "extension-definition--7ff0f836-5422-466b-8172-a0729207e433"
CONSIGNMENT_EXTENSION = "extension-definition--40e7f0c7-a21a-4d86-8e89-dfc4fc40f23f"
MARKING_EXTENSION = "extension-definition--8c2d1e55-7a3b-4f6c-b2d9-1e0f4a6b7c21"
NOMINAL_MARKING = "marking-definition--5b1d7c9e-2f4a-4e8b-a6c3-9d0e1f2a3b45"
BORDERLINK_IDENTITY = "identity--0e7d6c5b-4a39-4281-9f0e-d1c2b3a49586"
CONSIGNMENT = "x-borderlink-consignment"
DEFINED = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)

# TLP 2.0 (OASIS CTI TC): its extension-definition and its five marking definitions.
TLP2_EXTENSION = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
TLP2_DEFINED = "2022-10-01T00:00:00.000Z"
TLP_MARKINGS: Mapping[Tlp, str] = MappingProxyType(
    {
        Tlp.CLEAR: "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
        Tlp.GREEN: "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
        Tlp.AMBER: "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
        Tlp.AMBER_STRICT: "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
        Tlp.RED: "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
    }
)
TLP_BY_MARKING: Mapping[str, Tlp] = MappingProxyType({v: k for k, v in TLP_MARKINGS.items()})


def stable_uuid(name: str) -> str:
    """The UUIDv5 of ``name`` (a natural key, prefixed by what it names) under :data:`NAMESPACE`."""
    return str(uuid.uuid5(NAMESPACE, name))


def stix_uuid(name: str) -> str:
    """The id part of a STIX object named ``name``: its UUIDv5 with the version-4 bits set."""
    raw = bytearray(uuid.uuid5(NAMESPACE, name).bytes)
    raw[6] = (raw[6] & 0x0F) | 0x40
    return str(uuid.UUID(bytes=bytes(raw)))


def node_identity_id(node_id: str) -> str:
    return f"identity--{stix_uuid('borderlink-node:' + node_id)}"


def agreement_marking_id(agreement_id: str) -> str:
    return f"marking-definition--{stix_uuid('borderlink-agreement:' + agreement_id)}"


def part_id(stix_type: str, record_id: str, role: str) -> str:
    """The id of an object derived from record ``record_id`` for ``role`` (a location, a note)."""
    return f"{stix_type}--{stix_uuid(f'borderlink-{stix_type}:{record_id}:{role}')}"


def timestamp(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_timestamp(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(dt.UTC)


def day_start(value: dt.date) -> str:
    return timestamp(dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC))
