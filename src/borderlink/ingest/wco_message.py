"""One WCO Data Model 3.x ``Declaration`` element (DEC-DMS) → a :class:`Message` of plain values.

Elements are matched by their local name: national layouts put the same WCO DM classes in
different namespaces (HMRC's CDS uses ``urn:wco:datamodel:WCO:DEC-DMS:2``, others their own),
and the classes and attributes are what the standard fixes. Only what the node uses is read; an
element the node does not know is ignored, as the WCO DM allows national extensions.

Offers :class:`Message`, :class:`Party`, :class:`Item`, :func:`message` and :func:`local`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

# The party classes of a declaration, where the WCO DM puts them (a path of local names from
# the Declaration element), under the node's role names.
PARTY_PATHS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("declarant", ("Declarant",)),
    ("exporter", ("Exporter",)),
    ("exporter", ("GoodsShipment", "Exporter")),
    ("importer", ("Importer",)),
    ("importer", ("GoodsShipment", "Importer")),
    ("consignee", ("GoodsShipment", "Consignee")),
    ("consignor", ("GoodsShipment", "Consignor")),
    ("consignor", ("GoodsShipment", "Consignment", "Consignor")),
    ("carrier", ("Consignment", "Carrier")),
    ("carrier", ("GoodsShipment", "Consignment", "Carrier")),
    ("authorisation_holder", ("AuthorisationHolder",)),
    ("representative", ("Agent",)),
    ("buyer", ("GoodsShipment", "Buyer")),
    ("seller", ("GoodsShipment", "Seller")),
)
OFFICE_PATHS: tuple[tuple[str, ...], ...] = (
    ("DeclarationOffice", "ID"),
    ("PresentationOffice", "ID"),
    ("ExitOffice", "ID"),
    ("SupervisingOffice", "ID"),
)
# Classification types whose ID is a tariff code: TSP (the tariff of the submitting party: HS
# and national digits), HS, CN, TRC (the TARIC code); GN, TRA and the rest are additional codes.
TARIFF_TYPES = frozenset({"TSP", "HS", "CN", "TRC", "TRA"})
_DIGITS = re.compile(r"^\d{8}")


def local(tag: str) -> str:
    """An element's name without its namespace."""
    return tag.rsplit("}", 1)[-1]


# The reader hands over elements whose tags are local names already (it strips the namespaces
# as they are parsed), so these lookups are ElementTree's own, in C.


def children(element: Element, name: str) -> Iterator[Element]:
    return element.iterfind(name)


def child(element: Element | None, *path: str) -> Element | None:
    if element is None:
        return None
    return element.find("/".join(path))


def text(element: Element | None, *path: str) -> str | None:
    if element is None:
        return None
    found = element.findtext("/".join(path)) if path else element.text
    if found is None:
        return None
    value = " ".join(found.split())
    return value or None


@dataclass
class Party:
    role: str
    id: str | None = None
    name: str | None = None
    street: str | None = None
    city: str | None = None
    postcode: str | None = None
    country: str | None = None
    category: str | None = None  # an authorisation's type, e.g. EXRR


@dataclass
class Item:
    """One GovernmentAgencyGoodsItem."""

    sequence: str | None
    hs_code: str | None = None  # the HS subheading: the tariff code's first six digits
    national_code: str | None = None  # the tariff code's digits after the sixth
    additional_codes: list[str] = field(default_factory=list)
    description: str | None = None
    origin_country: str | None = None
    origin_type: str | None = None
    net_mass_kg: str | None = None
    gross_mass_kg: str | None = None
    quantity: str | None = None
    quantity_unit: str | None = None
    value: str | None = None
    currency: str | None = None
    value_element: str | None = None  # which element the value came from
    statistical_value: str | None = None
    procedure: str | None = None  # requested and previous procedure, e.g. 1040
    additional_procedures: list[str] = field(default_factory=list)
    documents: list[dict[str, str | None]] = field(default_factory=list)
    packages: list[dict[str, str | None]] = field(default_factory=list)
    valuation_method: str | None = None


@dataclass
class Message:
    """What one Declaration element says, in the node's terms (all text, as sent)."""

    function_code: str | None = None  # 9 original, 13 additional message (amend, cancel)
    trader_reference: str | None = None  # FunctionalReferenceID (DE 2/5, the LRN)
    id: str | None = None  # the declaration's ID (the MRN customs gave it)
    type_code: str | None = None  # e.g. EXD: EX type, D additional type
    declared_on: str | None = None  # ISO date, when the message carries one
    date_element: str | None = None
    office: str | None = None
    transport_mode: str | None = None
    conveyance: str | None = None
    transport_nationality: str | None = None
    departure_country: str | None = None
    destination_country: str | None = None
    loading_location: str | None = None
    discharge_location: str | None = None
    goods_location: dict[str, str | None] = field(default_factory=dict)
    containers: list[dict[str, object]] = field(default_factory=list)
    documents: list[dict[str, str | None]] = field(default_factory=list)
    parties: list[Party] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    amendment_type: str | None = None  # COR amend, INV cancel (function code 13)
    amendment_reason: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # "element: what is wrong"

    @property
    def reference(self) -> str | None:
        """The declaration's reference at this node: its ID, else the trader's reference."""
        return self.id or self.trader_reference

    def party(self, role: str) -> Party | None:
        return next((p for p in self.parties if p.role == role), None)


def iso_date(value: str | None) -> str | None:
    """A WCO DM date-time (format 304 ``CCYYMMDDHHMMSS±HH``, 102 ``CCYYMMDD``, or ISO 8601) as an
    ISO date; ``None`` when it is neither."""
    if value is None:
        return None
    if _DIGITS.match(value):
        return f"{value[:4]}-{value[4:6]}-{value[6:8]}"
    if re.match(r"^\d{4}-\d{2}-\d{2}", value):
        return value[:10]
    return None


def _date(message: Message, declaration: Element) -> None:
    for name in ("AcceptanceDateTime", "IssueDateTime"):
        found = child(declaration, name)
        if found is None:
            continue
        raw = text(found, "DateTimeString") or text(found)
        message.date_element = f"Declaration/{name}"
        message.declared_on = iso_date(raw)
        if message.declared_on is None:
            message.problems.append(f"Declaration/{name}: not a date-time: {raw!r}")
        return


def _party(role: str, element: Element) -> Party:
    address = child(element, "Address")
    return Party(
        role=role,
        id=text(element, "ID"),
        name=text(element, "Name"),
        street=text(address, "Line"),
        city=text(address, "CityName"),
        postcode=text(address, "PostcodeID"),
        country=text(address, "CountryCode"),
        category=text(element, "CategoryCode"),
    )


def _parties(declaration: Element) -> list[Party]:
    found: list[Party] = []
    for role, path in PARTY_PATHS:
        parent = child(declaration, *path[:-1]) if len(path) > 1 else declaration
        if parent is None:
            continue
        found.extend(_party(role, element) for element in children(parent, path[-1]))
    return found


def _transport(message: Message, declaration: Element) -> None:
    border = child(declaration, "BorderTransportMeans")
    shipment = child(declaration, "GoodsShipment")
    consignment = child(shipment, "Consignment")
    departure = child(consignment, "DepartureTransportMeans")
    message.transport_mode = text(border, "ModeCode") or text(departure, "ModeCode")
    message.conveyance = text(border, "ID") or text(departure, "ID")
    message.transport_nationality = text(border, "RegistrationNationalityCode")
    message.departure_country = text(shipment, "ExportCountry", "ID")
    message.destination_country = text(shipment, "Destination", "CountryCode")
    message.loading_location = text(consignment, "LoadingLocation", "ID") or text(
        declaration, "Consignment", "LoadingLocation", "ID"
    )
    message.discharge_location = text(consignment, "UnloadingLocation", "ID")
    location = child(consignment, "GoodsLocation")
    if location is not None:
        message.goods_location = {
            "id": text(location, "ID"),
            "name": text(location, "Name"),
            "type": text(location, "TypeCode"),
            "qualifier": text(location, "Address", "TypeCode"),
            "country": text(location, "Address", "CountryCode"),
        }
    for equipment in children(consignment, "TransportEquipment") if consignment is not None else ():
        seals = [text(seal, "ID") for seal in children(equipment, "Seal")]
        message.containers.append({"id": text(equipment, "ID"), "seals": seals})


def _documents(parent: Element | None) -> list[dict[str, str | None]]:
    if parent is None:
        return []
    found = []
    for kind in ("AdditionalDocument", "PreviousDocument"):
        for element in children(parent, kind):
            found.append(
                {
                    "kind": kind,
                    "category": text(element, "CategoryCode"),
                    "type": text(element, "TypeCode"),
                    "id": text(element, "ID"),
                    "name": text(element, "Name"),
                    "status": text(element, "LPCOExemptionCode"),
                }
            )
    return found


def _classification(item: Item, commodity: Element) -> None:
    for classification in children(commodity, "Classification"):
        code = text(classification, "ID")
        kind = (text(classification, "IdentificationTypeCode") or "").upper()
        if code is None:
            continue
        digits = code.replace(" ", "").replace(".", "")
        if kind in TARIFF_TYPES and item.hs_code is None and digits.isdigit():
            item.hs_code = digits[:6]
            item.national_code = digits[6:] or None
        else:
            item.additional_codes.append(f"{kind}:{code}" if kind else code)


def _amount(element: Element | None) -> tuple[str | None, str | None]:
    if element is None or element.text is None:
        return None, None
    return element.text.strip() or None, element.get("currencyID")


def _value(item: Item, goods: Element, commodity: Element | None) -> None:
    """The item's value: the customs value where given, else the invoice line, else the
    statistical value (an export declaration often carries only that)."""
    candidates = (
        ("CustomsValueAmount", child(goods, "CustomsValueAmount")),
        (
            "Commodity/InvoiceLine/ItemChargeAmount",
            child(commodity, "InvoiceLine", "ItemChargeAmount"),
        ),
        ("StatisticalValueAmount", child(goods, "StatisticalValueAmount")),
    )
    item.statistical_value = _amount(child(goods, "StatisticalValueAmount"))[0]
    for name, element in candidates:
        amount, currency = _amount(element)
        if amount is not None:
            item.value, item.currency, item.value_element = amount, currency, name
            return


def _measures(item: Item, commodity: Element | None) -> None:
    measure = child(commodity, "GoodsMeasure")
    item.net_mass_kg = text(measure, "NetNetWeightMeasure") or text(measure, "NetWeightMeasure")
    item.gross_mass_kg = text(measure, "GrossMassMeasure")
    tariff = child(measure, "TariffQuantity")
    if tariff is not None and tariff.text:
        item.quantity = tariff.text.strip()
        unit = tariff.get("unitCode")
        # National layouts qualify a Rec. 20 code after a '#' (KGM#G: kilograms, gross).
        item.quantity_unit = unit.split("#", 1)[0] if unit else None


def _procedures(item: Item, goods: Element) -> None:
    for procedure in children(goods, "GovernmentProcedure"):
        current, previous = text(procedure, "CurrentCode"), text(procedure, "PreviousCode")
        if current is None:
            continue
        if len(current) == 2 and item.procedure is None:
            item.procedure = current + (previous or "")
        else:
            item.additional_procedures.append(current)


def _item(goods: Element) -> Item:
    commodity = child(goods, "Commodity")
    item = Item(sequence=text(goods, "SequenceNumeric"))
    if commodity is not None:
        item.description = text(commodity, "Description")
        _classification(item, commodity)
    _measures(item, commodity)
    _value(item, goods, commodity)
    _procedures(item, goods)
    origin = next(children(goods, "Origin"), None)
    item.origin_country = text(origin, "CountryCode")
    item.origin_type = text(origin, "TypeCode")
    item.valuation_method = text(goods, "ValuationAdjustment", "AdditionCode") or text(
        goods, "CustomsValuation", "MethodCode"
    )
    item.documents = _documents(goods)
    item.packages = [
        {"type": text(p, "TypeCode"), "count": text(p, "QuantityQuantity"),
         "marks": text(p, "MarksNumbersID")}
        for p in children(goods, "Packaging")
    ]  # fmt: skip
    return item


def message(declaration: Element, metadata: dict[str, str] | None = None) -> Message:
    """Read one Declaration element."""
    found = Message(
        function_code=text(declaration, "FunctionCode"),
        trader_reference=text(declaration, "FunctionalReferenceID"),
        id=text(declaration, "ID"),
        type_code=text(declaration, "TypeCode"),
        metadata=dict(metadata or {}),
    )
    _date(found, declaration)
    found.office = next(
        (office for path in OFFICE_PATHS if (office := text(declaration, *path))), None
    )
    _transport(found, declaration)
    found.parties = _parties(declaration)
    shipment = child(declaration, "GoodsShipment")
    found.documents = _documents(shipment)
    for goods in children(shipment, "GovernmentAgencyGoodsItem") if shipment is not None else ():
        found.items.append(_item(goods))
    amendment = child(declaration, "Amendment")
    found.amendment_reason = text(amendment, "ChangeReasonCode")
    if found.function_code == "13":
        found.amendment_type = (found.type_code or "").upper() or None
    return found
