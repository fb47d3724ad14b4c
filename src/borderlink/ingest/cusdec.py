"""The ``cusdec`` reader: UN/EDIFACT CUSDEC customs declarations, parsed with ``pydifact``.

For administrations still on EDIFACT. An interchange (``UNA``/``UNB`` ... ``UNZ``) holds any
number of messages (``UNH`` ... ``UNT``); each becomes the same :class:`Message` the WCO DM
reader makes, and so one row per goods item (see :func:`borderlink.ingest.wco_dm.flatten`),
with what has no column in ``_wco``. The segments read:

- ``BGM``: document name (929 import, 830 export), the declaration's reference, message
  function (9 original; 5 replace and 4 change amend it, 1 cancels it);
- ``DTM+137``: the declaration date (format 102, CCYYMMDD); ``LOC+22`` office of clearance,
  ``LOC+9`` / ``LOC+11`` places of loading and discharge, ``LOC+35`` exportation country;
- ``NAD+IM|EX|DT|CA``: importer, exporter, declarant, carrier (id, name, street, city,
  postcode, country); ``TDT``: conveyance reference and transport mode;
- per goods item, from ``CST`` (item number, commodity code) up to the next: ``FTX+AAA``
  description, ``LOC+27`` origin, ``MEA+WT+AAA`` net mass (kg), ``QTY`` quantity and unit,
  ``MOA+38`` item value and currency.

A message that cannot be read becomes one row with ``_error`` naming the file, the message and
the segment; the rest of the interchange goes on.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import IO, Any

import polars as pl
from pydifact.exceptions import EDISyntaxError
from pydifact.parser import Parser
from pydifact.segments import Segment

from borderlink.ingest.delimited import Source, label
from borderlink.ingest.readers import FunctionReader
from borderlink.ingest.wco_dm import ADDITIONAL, ORIGINAL, chunks, flatten
from borderlink.ingest.wco_message import Item, Message, Party, iso_date

ROLES: Mapping[str, str] = MappingProxyType(
    {"IM": "importer", "EX": "exporter", "DT": "declarant", "CA": "carrier"}
)
TYPES: Mapping[str, str] = MappingProxyType({"929": "IM", "830": "EX"})
# EDIFACT 1225 message function → the WCO DM additional message's type
AMENDS: Mapping[str, str] = MappingProxyType({"5": "COR", "4": "COR", "1": "INV"})


def _part(element: Any, index: int = 0) -> str | None:
    """One component of a data element (a plain element is its own first component)."""
    if isinstance(element, list):
        value = element[index] if index < len(element) else None
    else:
        value = element if index == 0 else None
    return value or None


def _at(segment: Segment, position: int, index: int = 0) -> str | None:
    elements = segment.elements
    return _part(elements[position], index) if position < len(elements) else None


def _bgm(found: Message, segment: Segment) -> None:
    found.type_code = TYPES.get(_at(segment, 0) or "", _at(segment, 0))
    found.id = _at(segment, 1)
    function = _at(segment, 2) or ORIGINAL
    if function in AMENDS:
        found.function_code, found.amendment_type = ADDITIONAL, AMENDS[function]
    else:
        found.function_code = function


def _nad(found: Message, segment: Segment) -> None:
    role = ROLES.get(_at(segment, 0) or "")
    if role is None:
        return
    found.parties.append(
        Party(
            role=role,
            id=_at(segment, 1),
            name=_at(segment, 3) or _at(segment, 2),
            street=_at(segment, 4),
            city=_at(segment, 5),
            postcode=_at(segment, 7),
            country=_at(segment, 8),
        )
    )


def _loc(found: Message, item: Item | None, segment: Segment) -> None:
    qualifier, place = _at(segment, 0), _at(segment, 1)
    if qualifier == "27" and item is not None:
        item.origin_country = place
    elif qualifier == "22":
        found.office = place
    elif qualifier == "9":
        found.loading_location = place
    elif qualifier == "11":
        found.discharge_location = place
    elif qualifier == "35":
        found.departure_country = place


def _item_segment(item: Item, segment: Segment) -> None:
    tag = segment.tag
    if tag == "FTX" and _at(segment, 0) == "AAA":
        item.description = _at(segment, 3)
    elif tag == "MEA" and _at(segment, 0) == "WT" and _at(segment, 1) in ("AAA", "N"):
        unit, amount = _at(segment, 2, 0), _at(segment, 2, 1)
        item.net_mass_kg = amount if unit in (None, "KGM") else None
    elif tag == "QTY":
        item.quantity, item.quantity_unit = _at(segment, 0, 1), _at(segment, 0, 2)
    elif tag == "MOA" and _at(segment, 0) == "38":
        item.value, item.currency = _at(segment, 0, 1), _at(segment, 0, 2)
        item.value_element = "MOA+38"


def _cst(segment: Segment) -> Item:
    code = "".join(ch for ch in (_at(segment, 1) or "") if ch.isdigit())
    return Item(
        sequence=_at(segment, 0),
        hs_code=code[:6] or None,
        national_code=code[6:] or None,
    )


def message(segments: list[Segment]) -> Message:
    """One CUSDEC message (its segments from UNH to UNT) in the node's terms."""
    found = Message()
    item: Item | None = None
    for segment in segments:
        tag = segment.tag
        if tag == "BGM":
            _bgm(found, segment)
        elif tag == "DTM" and _at(segment, 0, 0) == "137":
            found.date_element = "DTM+137"
            raw = _at(segment, 0, 1)
            found.declared_on = iso_date(raw)
            if raw and found.declared_on is None:
                found.problems.append(f"DTM+137: {raw!r} is not a date (CCYYMMDD)")
        elif tag == "NAD":
            _nad(found, segment)
        elif tag == "TDT":
            found.conveyance, found.transport_mode = _at(segment, 1), _at(segment, 2)
        elif tag == "LOC":
            _loc(found, item, segment)
        elif tag == "CST":
            item = _cst(segment)
            found.items.append(item)
        elif item is not None:
            _item_segment(item, segment)
    return found


def _messages(text: str, where: str) -> Iterator[tuple[str, Message | str]]:
    """(where, message or the reason it cannot be read) for each UNH ... UNT."""
    with warnings.catch_warnings():
        # pydifact warns that it ships no segment directories for its optional validation;
        # the segments are checked here, against what the node reads.
        warnings.simplefilter("ignore")
        try:
            segments = list(Parser().parse(text))
        except (EDISyntaxError, ValueError) as error:
            yield where, f"{where}: not an EDIFACT interchange: {error}"
            return
    current: list[Segment] | None = None
    number = 0
    for segment in segments:
        if segment.tag == "UNH":
            number += 1
            current = []
            kind = _at(segment, 1, 0)
            if kind != "CUSDEC":
                place = f"{where}, message {number}"
                yield place, f"{place}: UNH: {kind!r} is not a CUSDEC message"
                current = None
        elif segment.tag == "UNT" and current is not None:
            yield f"{where}, message {number}", message(current)
            current = None
        elif current is not None:
            current.append(segment)
    if current is not None:
        place = f"{where}, message {number}"
        yield place, f"{place}: no UNT: the message is cut short"


# The WCO DM reader's reasons name its elements; a CUSDEC sender reads its segments.
SEGMENT_NAMES = (
    ("GoodsShipment/GovernmentAgencyGoodsItem", "CST (goods item)"),
    ("GovernmentAgencyGoodsItem", "CST"),
    (
        "Commodity/Classification: no tariff code (IdentificationTypeCode TSP, HS or CN)",
        "CST: no commodity code",
    ),
    ("Declaration/ID and Declaration/FunctionalReferenceID", "BGM document number"),
    ("Declaration/FunctionCode", "BGM message function"),
)


def _in_segments(row: dict[str, Any]) -> dict[str, Any]:
    for key in ("_error", "_raw"):
        if row.get(key):
            for element, segment in SEGMENT_NAMES:
                row[key] = row[key].replace(element, segment)
    return row


def _rows(stream: IO[bytes], name: str) -> Iterator[list[dict[str, Any]]]:
    text = stream.read().decode("utf-8", errors="replace")
    if not text.lstrip("\ufeff \r\n").startswith(("UNA", "UNB", "UNH")):
        problem = f"{name}: not an EDIFACT interchange (no UNA, UNB or UNH)"
        yield [{"_error": problem, "_raw": name}]
        return
    for where, found in _messages(text, name):
        if isinstance(found, str):
            yield [{"_error": found, "_raw": where}]
        else:
            place = where + (f" ({found.reference})" if found.reference else "")
            yield [_in_segments(row) for row in flatten(found, place)]


def read_cusdec_chunks(source: Source, chunk_rows: int) -> Iterator[pl.DataFrame]:
    """The messages of one interchange; ``_record_no`` is the message's position in it."""
    if isinstance(source, Path):
        with source.open("rb") as handle:
            yield from chunks(_rows(handle, source.name), chunk_rows)
        return
    stream = source if source.seekable() else io.BytesIO(source.read())
    yield from chunks(_rows(stream, label(source)), chunk_rows)


CUSDEC = FunctionReader(
    "cusdec",
    "UN/EDIFACT CUSDEC customs declarations (an interchange of messages), parsed with "
    "pydifact; one row per goods item.",
    read_cusdec_chunks,
)
