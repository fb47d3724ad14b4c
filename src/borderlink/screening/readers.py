"""Watchlist files as :class:`~.entries.Entry` records: OFAC's SDN legacy CSV, FollowTheMoney
JSON lines, and a plain CSV with a column mapping.

Each reader takes a text stream and yields entries, or a :class:`~.entries.Rejected` naming
the record and the field when a record cannot be one, and goes on with the rest.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import Any, TextIO

from borderlink.screening.entries import Entry, Rejected
from borderlink.screening.identifiers import Identifier, clean_identifier, identifiers_in

Parsed = Entry | Rejected

OFAC_COLUMNS = (
    "ent_num", "sdn_name", "sdn_type", "program", "title", "call_sign", "vess_type",
    "tonnage", "grt", "vess_flag", "vess_owner", "remarks",
)  # fmt: skip
OFAC_SCHEMA = MappingProxyType(
    {"individual": "Person", "vessel": "Vessel", "aircraft": "Airplane", "": "Organization"}
)
# a.k.a. / f.k.a. / n.k.a. 'NAME' — the quote closes before ; , . or the end
_ALIAS = re.compile(r"\b[afn]\.k\.a\.,?\s*'(.+?)'(?=\s*(?:[;,.]|$))", re.IGNORECASE)
_NATIONALITY = re.compile(r"\b(?:nationality|citizen)\s+([A-Z][A-Za-z ]+?)(?=[;.]|$)")
_TAX_ID = re.compile(r"\b(?:Tax ID No\.|RUC #|NIT #|INN)\s*([A-Z0-9][\w-]{3,})", re.IGNORECASE)


def _value(raw: str | None) -> str:
    value = (raw or "").strip()
    return "" if value == "-0-" else value


def _ofac_entry(row: list[str], list_name: str) -> Entry:
    cells = dict(zip(OFAC_COLUMNS, (_value(c) for c in row), strict=False))
    remarks = cells.get("remarks", "")
    schema = OFAC_SCHEMA.get(cells.get("sdn_type", "").lower(), "Organization")
    aliases = [a.strip() for a in _ALIAS.findall(remarks) if a.strip()]
    identifiers: list[Identifier] = identifiers_in(remarks)
    for raw in _TAX_ID.findall(remarks):
        tin = clean_identifier("tin", raw)
        if tin is not None:
            identifiers.append(tin)
    countries = [c.strip() for c in _NATIONALITY.findall(remarks)]
    if cells.get("vess_flag"):
        countries.append(cells["vess_flag"])
    programmes = tuple(p.strip("[] ") for p in cells.get("program", "").split("] [") if p)
    return Entry(
        list_name=list_name,
        entry_id=cells["ent_num"],
        names=(cells["sdn_name"], *aliases),
        schema=schema,
        identifiers=tuple(dict.fromkeys(identifiers)),
        countries=tuple(dict.fromkeys(countries)),
        programmes=programmes,
        reason=f"OFAC SDN: {', '.join(programmes)}" if programmes else "OFAC SDN",
    )


def read_ofac_csv(stream: TextIO, list_name: str = "OFAC-SDN") -> Iterator[Parsed]:
    """OFAC's legacy ``sdn.csv`` (no header; ``-0-`` is empty): aliases from the remarks'
    ``a.k.a.``/``f.k.a.``, IMO numbers and tax ids from the remarks, the vessel's flag."""
    for number, row in enumerate(csv.reader(stream), start=1):
        if not row or (len(row) == 1 and not row[0].strip()) or row[0].startswith("\x1a"):
            continue  # blank lines and the DOS end-of-file mark the published file carries
        if len(row) < 2 or not _value(row[0]):
            yield Rejected(number, "ent_num", "no entry number")
        elif not _value(row[1]):
            yield Rejected(number, "sdn_name", "no name")
        else:
            yield _ofac_entry(row, list_name)


FTM_SCHEMATA = frozenset(
    {"Person", "Company", "Organization", "LegalEntity", "PublicBody", "Vessel", "Airplane"}
)
_FTM_NAMES = ("name", "alias", "previousName", "weakAlias")
_FTM_IDS = MappingProxyType(
    {
        "imoNumber": "imo",
        "taxNumber": "tin",
        "innCode": "tin",
        "vatCode": "tin",
        "eoriNumber": "eori",
        "registrationNumber": "other",
    }
)


def _date(raw: Any) -> dt.date | None:
    if not raw:
        return None
    text = str(raw)[:10]
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _ftm_entry(data: Mapping[str, Any], list_name: str) -> Entry:
    props: Mapping[str, list[Any]] = data.get("properties") or {}
    names = [str(n) for key in _FTM_NAMES for n in props.get(key, []) if str(n).strip()]
    identifiers = [
        clean_identifier(kind, str(raw))
        for prop, kind in _FTM_IDS.items()
        for raw in props.get(prop, [])
    ]
    countries = [
        str(c).upper() for k in ("country", "nationality", "flag") for c in props.get(k, [])
    ]
    programmes = [str(p) for p in props.get("program", []) + props.get("programId", [])]
    notes = [str(n) for n in props.get("notes", []) + props.get("topics", [])]
    return Entry(
        list_name=list_name,
        entry_id=str(data["id"]),
        names=tuple(dict.fromkeys(names)),
        schema=str(data["schema"]),
        identifiers=tuple(dict.fromkeys(i for i in identifiers if i is not None)),
        countries=tuple(dict.fromkeys(countries)),
        programmes=tuple(dict.fromkeys(programmes)),
        reason="; ".join(notes)[:2000] or None,
        valid_from=_date((props.get("startDate") or [None])[0]),
        valid_until=_date((props.get("endDate") or [None])[0]),
    )


def _ftm_record(number: int, line: str, list_name: str) -> Parsed | None:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as error:
        return Rejected(number, "json", f"not JSON: {error.msg}")
    if not isinstance(data, dict) or not data.get("id"):
        return Rejected(number, "id", "an entity needs an id")
    if data.get("schema") not in FTM_SCHEMATA:
        return None  # sanctions, addresses, ownerships: not parties to screen against
    if not any(str(n).strip() for n in (data.get("properties") or {}).get("name", [])):
        return Rejected(number, "properties.name", "an entity needs a name")
    return _ftm_entry(data, list_name)


def read_ftm(stream: TextIO, list_name: str) -> Iterator[Parsed]:
    """FollowTheMoney entities, one JSON object a line (the OpenSanctions export): the
    matchable schemata (persons, organisations, vessels, aircraft); other schemata skipped."""
    for number, line in enumerate(stream, start=1):
        if line.strip():
            found = _ftm_record(number, line, list_name)
            if found is not None:
                yield found


CSV_FIELDS = (
    "id", "name", "aliases", "schema", "programme", "reason", "countries", "imo", "eori",
    "tin", "valid_from", "valid_until",
)  # fmt: skip


def _split(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split(";") if v.strip())


def _csv_entry(row: Mapping[str, str], list_name: str) -> Entry:
    identifiers = [
        clean_identifier(kind, raw) for kind in ("imo", "eori", "tin") for raw in _split(row[kind])
    ]
    return Entry(
        list_name=list_name,
        entry_id=row["id"],
        names=(row["name"], *_split(row["aliases"])),
        schema=row["schema"] or None,
        identifiers=tuple(i for i in identifiers if i is not None),
        countries=tuple(c.upper() for c in _split(row["countries"])),
        programmes=_split(row["programme"]),
        reason=row["reason"] or None,
        valid_from=_date(row["valid_from"]),
        valid_until=_date(row["valid_until"]),
    )


def read_mapped_csv(
    stream: TextIO, list_name: str, mapping: Mapping[str, str] | None = None
) -> Iterator[Parsed]:
    """A CSV with a header; ``mapping`` names the column holding each of :data:`CSV_FIELDS`
    (a field not mapped is read from the column of its own name). Lists within a cell
    (aliases, countries, identifiers) are separated by ``;``."""
    columns = {f: (mapping or {}).get(f, f) for f in CSV_FIELDS}
    for number, raw in enumerate(csv.DictReader(stream), start=2):
        row = {f: (raw.get(c) or "").strip() for f, c in columns.items()}
        if not row["id"]:
            yield Rejected(number, columns["id"], "no entry id")
        elif not row["name"]:
            yield Rejected(number, columns["name"], "no name")
        else:
            yield _csv_entry(row, list_name)


Reader = Callable[[TextIO, str], Iterable[Parsed]]
READERS: Mapping[str, Reader] = MappingProxyType(
    {"ofac-csv": read_ofac_csv, "ftm": read_ftm, "csv": read_mapped_csv}
)
