"""The goods declaration, declared once: header, transport, parties, items, outcome, documents.

Aligned with the WCO Data Model (Declaration, BorderTransportMeans, the party classes,
GovernmentAgencyGoodsItem, AdditionalDocument); the element id is on each field where the model
has one. The flat layout (one row per goods item, header fields repeated) is what every reader
produces and the store keeps; the nested form (``wco-json``) is what the API takes. Ingest's
columns, the store's lengths, the API's body model and the reference docs come from here.
"""

from __future__ import annotations

from enum import StrEnum

from borderlink.model.schema import Field, Group, Schema
from borderlink.model.types import registry as t


class PartyRole(StrEnum):
    DECLARANT = "declarant"
    IMPORTER = "importer"
    EXPORTER = "exporter"  # the seller/consignor abroad
    CARRIER = "carrier"  # carrier or courier


class TransportMode(StrEnum):
    """UN/ECE Recommendation 19 modes of transport."""

    NOT_STATED = "0"
    SEA = "1"
    RAIL = "2"
    ROAD = "3"
    AIR = "4"
    POST = "5"
    MULTIMODAL = "6"
    FIXED_INSTALLATION = "7"
    INLAND_WATER = "8"
    OTHER = "9"


ID_LENGTH = 64  # declaration and trader references
NAME_LENGTH = 10_000  # long enough for any real name, short enough to refuse a pasted file

HEADER = Group(
    "header",
    "The declaration itself: the top-level keys of a declaration object.",
    (
        Field("id", t.identifier, "Declaration reference", column="declaration_id",
              required=True, max_length=ID_LENGTH, wco="D014", example="D2024-000001"),
        Field("type", t.code, "Declaration type, e.g. IM (import), EX (export)",
              column="declaration_type", max_length=4, default="IM", wco="D013", example="IM"),
        Field("date", t.date, "Acceptance date", column="declared_on", required=True,
              wco="D011", example="2024-03-01"),
        Field("office", t.identifier, "Customs office of lodgement", column="office_id",
              max_length=16, wco="017", example="OF1"),
        Field("procedure", t.identifier, "Customs procedure", max_length=8, wco="161",
              example="4000"),
        Field("import_type", t.identifier, "Type of import (national code)", max_length=8),
        Field("import_use", t.identifier, "Intended use of the goods (national code)",
              max_length=8),
        Field("payment_type", t.identifier, "Method of payment of duties (national code)",
              max_length=8),
    ),
    wco="Declaration",
)  # fmt: skip

TRANSPORT = Group(
    "transport",
    "The means of transport crossing the border.",
    (
        Field("mode", t.identifier, "Mode of transport at the border (UN/ECE Rec. 19, 1-9)",
              column="transport_mode", max_length=2, wco="T006", example="1"),
        Field("conveyance", t.identifier, "Conveyance reference, e.g. voyage or flight number",
              max_length=ID_LENGTH, example="V123E"),
        Field("departure_country", t.country, "Country of departure", max_length=2,
              wco="R015", example="CN"),
        Field("loading_location", t.locode, "Place of loading", max_length=16, wco="L067",
              example="CNSHA"),
        Field("discharge_location", t.locode, "Place of discharge", max_length=16,
              example="NLRTM"),
    ),
    wco="BorderTransportMeans",
)  # fmt: skip


def _party(role: PartyRole, description: str, flat: set[str], example: str) -> Group:
    """A party role: the same keys for every role; the flat layout keeps only ``flat`` of them."""
    fields = (
        Field("id", t.identifier, "Trader identifier: EORI, TIN or national number",
              column=f"{role}_id", max_length=ID_LENGTH, example=example),
        Field("name", t.text, "Name", column=f"{role}_name", max_length=NAME_LENGTH,
              flat="name" in flat, example=f"{role.title()} Ltd"),
        Field("country", t.country, "Country of the party's address",
              column=f"{role}_country", max_length=2, flat="country" in flat),
        Field("aeo", t.boolean, "Authorised Economic Operator status",
              column=f"{role}_aeo", flat=False),
    )  # fmt: skip
    return Group(role.value, description, fields, party=True, wco=role.title())


DECLARANT = _party(PartyRole.DECLARANT, "Who lodges the declaration.", set(), "DCL1")
IMPORTER = _party(PartyRole.IMPORTER, "Who imports the goods.", {"name"}, "IMP1")
EXPORTER = _party(
    PartyRole.EXPORTER, "The seller or consignor abroad.", {"name", "country"}, "EXP1"
)
CARRIER = _party(PartyRole.CARRIER, "The carrier or courier.", set(), "CAR1")
PARTIES: tuple[Group, ...] = (DECLARANT, IMPORTER, EXPORTER, CARRIER)

GOODS_ITEM = Group(
    "items",
    "The goods items, one object each, numbered from 1.",
    (
        Field("item_no", t.integer, "Goods item sequence number (its position when omitted)",
              required=True, minimum=1, wco="006", example=1),
        Field("hs_code", t.hs_code, "Commodity code", required=True, max_length=10,
              wco="145", example="851713"),
        Field("hs_edition", t.hs_edition, "HS edition of the code (the node's current one when "
              "omitted)", max_length=8, example="HS2022"),
        Field("description", t.text, "Description of the goods", example="Smartphones"),
        Field("origin_country", t.country, "Country of origin", max_length=2, wco="063",
              example="CN"),
        Field("origin_marking", t.identifier, "Origin marking or preference indicator",
              max_length=8),
        Field("net_mass_kg", t.number, "Net mass in kilograms", minimum=0,
              example=12.5),
        Field("quantity", t.number, "Quantity in the unit given", minimum=0, example=10),
        Field("quantity_unit", t.unit, "Unit of the quantity", max_length=8, example="NAR"),
        Field("value", t.money, "Customs value", minimum=0, wco="114", example=1000.0),
        Field("currency", t.currency, "Currency of the value", max_length=3,
              example="USD"),
        Field("duty_rate", t.number, "Duty rate, per cent", minimum=0, example=0.0),
        Field("duty_type", t.identifier, "Duty type (national code)", max_length=8),
        Field("aeo", t.boolean, "The importer's AEO status on this item", example=False),
    ),
    many=True,
    level="item",
    wco="GovernmentAgencyGoodsItem",
)  # fmt: skip

OUTCOME = Group(
    "outcome",
    "What an inspection found, when the source knows it (history a model learns from).",
    (
        Field("illicit", t.boolean, "Anything irregular found (fraud, prohibited goods, ...)",
              example=False),
        Field("severity", t.integer, "0 none; higher is graver", minimum=0, maximum=9,
              example=0),
        Field("revenue_recovered", t.money, "Duties and fines recovered, in the declaration's "
              "currency", minimum=0),
    ),
)  # fmt: skip

DOCUMENTS = Group(
    "documents",
    "Documents and certificates produced (accepted, not yet stored by the node).",
    (
        Field("type", t.code, "Document type (UN/EDIFACT 1001 or national code)",
              column="document_type", max_length=8, flat=False, example="N935"),
        Field("reference", t.identifier, "Document reference number",
              column="document_reference", max_length=70, flat=False, example="INV-2024-17"),
        Field("issued_on", t.date, "Date of issue", column="document_issued_on", flat=False),
    ),
    many=True,
    wco="AdditionalDocument",
)  # fmt: skip

DECLARATION = Schema(
    "declaration",
    "A goods declaration: one object per declaration, its goods items inside it.",
    (HEADER, TRANSPORT, *PARTIES, GOODS_ITEM, OUTCOME, DOCUMENTS),
)
