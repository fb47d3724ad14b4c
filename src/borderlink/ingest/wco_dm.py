"""The ``wco-dm-xml`` reader: WCO Data Model 3.x declarations (DEC-DMS XML) as the flat layout.

A file holds one message (a ``MetaData`` wrapping a ``Declaration``, or a bare ``Declaration``)
or many under any root element. The parser is defusedxml's: a document type declaration, an
entity or an external reference is refused before anything is expanded or fetched (billion
laughs, XXE). It streams: each ``Declaration`` is read when its end tag arrives and then
cleared, so memory is bounded by one message, whatever the file's size.

Each message becomes one row per goods item (the header repeated), like ``wco-json``; a message
that cannot be read becomes one row with ``_error`` naming the file, the message and the
element, and the rest of the file goes on. ``_raw`` says where each row came from. Offers
:data:`WCO_DM_XML` (the reader), :func:`messages` (the parsed :class:`Message` objects) and
:func:`flatten` (one message → rows).
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any
from xml.etree.ElementTree import Element, ParseError

import polars as pl
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from borderlink.ingest.columns import INPUT
from borderlink.ingest.delimited import Source, label, looks_like
from borderlink.ingest.readers import FunctionReader
from borderlink.ingest.wco_message import Message, local, message

# The message metadata (DocumentMetaData) the node keeps with each message.
METADATA = frozenset(
    {
        "WCODataModelVersionCode",
        "WCOTypeName",
        "ResponsibleCountryCode",
        "ResponsibleAgencyName",
        "AgencyAssignedCustomizationVersionCode",
    }
)
ORIGINAL = "9"
ADDITIONAL = "13"  # an additional message: amends (COR) or asks to cancel (INV) a declaration


def _refusal(error: Exception) -> str:
    if isinstance(error, DefusedXmlException):
        return (
            f"refused, not read: {type(error).__name__} ({error}); a declaration needs no "
            "document type declaration, entity or external reference"
        )
    return f"not well-formed XML: {error}"


def messages(stream: IO[bytes], where: str) -> Iterator[Message | str]:
    """Every Declaration in ``stream`` in order, or a reason (a string) where the XML stops
    being readable: what came before it is still given."""
    depth = 0
    root: Element | None = None
    metadata: dict[str, str] = {}
    inside = 0  # how many Declaration elements are open
    try:
        for event, element in iterparse(
            stream, events=("start", "end"), forbid_dtd=True, forbid_entities=True
        ):
            name = element.tag = local(element.tag)
            if event == "start":
                depth += 1
                root = element if root is None else root
                inside += name == "Declaration"
                continue
            depth -= 1
            if name == "Declaration":
                inside -= 1
                if not inside:
                    yield message(element, metadata)
                    element.clear()
            elif name in METADATA and not inside and element.text:
                metadata[name] = " ".join(element.text.split())
            elif name == "MetaData" and not inside:
                metadata = {}
            if depth == 1 and root is not None:
                root.clear()  # what the root still holds of finished messages
    except (ParseError, DefusedXmlException) as error:
        yield f"{where}: {_refusal(error)}"


def _problems(found: Message, where: str) -> str | None:
    """Why a message is not a declaration the node takes, naming the element; ``None`` if it is."""
    problems = list(found.problems)
    if found.reference is None:
        problems.append("Declaration/ID and Declaration/FunctionalReferenceID: neither is given")
    if found.function_code not in (None, ORIGINAL, ADDITIONAL):
        problems.append(
            f"Declaration/FunctionCode: {found.function_code!r} is neither 9 (original) "
            "nor 13 (additional message)"
        )
    if found.function_code == ADDITIONAL and found.amendment_type not in ("COR", "INV"):
        problems.append(
            f"Declaration/TypeCode: {found.type_code!r}; an additional message (FunctionCode "
            "13) is COR (amendment) or INV (cancellation)"
        )
    if not problems:
        return None
    return f"{where}: " + "; ".join(problems)


def _header(found: Message) -> dict[str, str | None]:
    def party(role: str, attribute: str) -> str | None:
        value = getattr(found.party(role), attribute, None)
        return value if isinstance(value, str) else None

    first = found.items[0] if found.items else None
    return {
        "declaration_id": found.reference,
        # An additional message's TypeCode says what it does (COR, INV), not the declaration's type.
        "declaration_type": None
        if found.function_code == ADDITIONAL
        else (found.type_code or "")[:2] or None,
        "declared_on": found.declared_on,
        "office_id": found.office,
        "procedure": first.procedure if first else None,
        "transport_mode": found.transport_mode,
        "conveyance": found.conveyance,
        "departure_country": found.departure_country,
        "loading_location": found.loading_location,
        "discharge_location": found.discharge_location,
        "declarant_id": party("declarant", "id"),
        "importer_id": party("importer", "id"),
        "exporter_id": party("exporter", "id"),
        "carrier_id": party("carrier", "id"),
        "importer_name": party("importer", "name"),
        "exporter_name": party("exporter", "name"),
        "exporter_country": party("exporter", "country"),
    }


def flatten(found: Message, where: str) -> list[dict[str, str | None]]:
    """One message → one text row per goods item (one row when it has none)."""
    problem = _problems(found, where)
    if problem is not None:
        return [{"_error": problem, "_raw": where, "declaration_id": found.reference}]
    header = _header(found) | {"_raw": where, "_wco": details(found)}
    if found.declared_on is None:
        # A pre-lodged declaration carries no date yet: it is lodged on the day the node takes
        # it (the pipeline, which is handed the day, fills it in).
        header["_undated"] = "1"
    if found.function_code == ADDITIONAL:
        header |= {"_amends": found.reference, "_amendment": found.amendment_type}
    if not found.items and found.function_code != ADDITIONAL:
        problem = f"{where}: GoodsShipment/GovernmentAgencyGoodsItem: the message has no goods item"
        return [header | {"_error": problem}]
    if not found.items:
        return [header]
    rows = []
    for position, item in enumerate(found.items, start=1):
        number = item.sequence or str(position)
        place = f"{where}, GovernmentAgencyGoodsItem {number}"
        unclassified = (
            f"{place}: Commodity/Classification: no tariff code (IdentificationTypeCode TSP, "
            "HS or CN); a declaration without commodity codes is not one the node takes"
        )
        rows.append(
            header
            | {
                "_raw": place,
                "_error": None
                if item.hs_code or found.function_code == ADDITIONAL
                else unclassified,
                "item_no": number,
                "hs_code": item.hs_code,
                "description": item.description,
                "origin_country": item.origin_country,
                "net_mass_kg": item.net_mass_kg,
                "quantity": item.quantity,
                "quantity_unit": item.quantity_unit,
                "value": item.value,
                "currency": item.currency,
            }
        )
    return rows


def details(found: Message) -> str:
    """What the flat layout has no column for (all parties with their addresses, goods
    location, containers, documents, national digits, procedures, metadata), as JSON."""
    # The dataclasses' own dicts, not ``asdict``'s deep copies: a quarter of the reading time.
    return json.dumps(found, default=vars, ensure_ascii=False, separators=(",", ":"))


def _message_rows(stream: IO[bytes], name: str) -> Iterator[list[dict[str, Any]]]:
    for number, found in enumerate(messages(stream, name), start=1):
        where = f"{name}, message {number}"
        if isinstance(found, str):
            yield [{"_error": found, "_raw": where}]
        else:
            yield flatten(found, where + (f" ({found.reference})" if found.reference else ""))


def _rows(stream: IO[bytes], name: str) -> Iterator[list[dict[str, Any]]]:
    head = stream.read(4096)
    stream.seek(0)
    kind = looks_like(head)
    if kind is None and not head.strip():
        kind = "an empty file"
    if kind is None and not head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        kind = "text that is not XML"
    if kind is not None:
        yield [{"_error": f"{name}: not WCO DM XML, it looks like {kind}", "_raw": name}]
        return
    yield from _message_rows(stream, name)


def read_wco_dm_chunks(source: Source, chunk_rows: int) -> Iterator[pl.DataFrame]:
    """Stream the messages of one XML file (or stream); ``_record_no`` is the message's position
    in the file, its goods items share it."""
    if isinstance(source, Path):
        with source.open("rb") as handle:
            yield from _chunks(_rows(handle, source.name), chunk_rows)
        return
    stream = source if source.seekable() else io.BytesIO(source.read())
    yield from _chunks(_rows(stream, label(source)), chunk_rows)


def _chunks(found: Iterator[list[dict[str, Any]]], chunk_rows: int) -> Iterator[pl.DataFrame]:
    rows: list[dict[str, Any]] = []
    for record_no, message_rows in enumerate(found, start=1):
        rows.extend({"_record_no": record_no, **row} for row in message_rows)
        if len(rows) >= chunk_rows:
            yield _frame(rows)
            rows = []
    if rows:
        yield _frame(rows)


chunks = _chunks  # message rows → frames, shared with the other message readers (CUSDEC)

_BOOKKEEPING = ("_error", "_raw", "_wco", "_amends", "_amendment", "_undated")


def _frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    schema: dict[str, type[pl.DataType]] = {"_record_no": pl.Int64} | {
        column: pl.String for column in (*INPUT, *_BOOKKEEPING)
    }
    return pl.DataFrame(rows, schema=schema)


WCO_DM_XML = FunctionReader(
    "wco-dm-xml",
    "WCO Data Model 3.x declarations (DEC-DMS XML, e.g. as HMRC's CDS takes them), one row per "
    "goods item; parsed without DTDs or entities, streamed message by message.",
    read_wco_dm_chunks,
)
