"""A mangled-file generator: declarations in our CSV layout, many of them broken on purpose.

Each record is good or carries one corruption kind, chosen by a seeded random draw, so a file
is the same for the same seed. The kinds are what exports, editors and transfers do to files:
wrong values (HS code, country, mass, date, currency, a negative value, an empty id), broken
CSV (a stray quote, a quoted field left open, a quote after a quoted field, extra fields,
missing fields, a trailing separator), line endings (CRLF, bare CR, line breaks inside quoted
fields), bytes (NUL, invalid UTF-8, a BOM inside the file, other control characters, a
zero-width space, a right-to-left override, a line feed inside an id), a 1 MB field, exact
and conflicting duplicate ids, blank lines.

Nothing here decides what is right: the reference count of records is Python's ``csv``
(:func:`reference_count`), read independently of the reader under test.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Callable
from pathlib import Path

from tests.factories import GOOD

COLUMNS = [*GOOD, "description", "exporter_name"]

Fields = dict[str, str]


def _quote(value: str) -> str:
    if any(c in value for c in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def _line(fields: Fields, end: str = "\n") -> str:
    return ",".join(_quote(fields[c]) for c in COLUMNS) + end


def _raw_line(fields: Fields, column: str, raw: str, end: str = "\n") -> str:
    """A record whose ``column`` is written as ``raw``, unquoted and unescaped."""
    return ",".join(raw if c == column else _quote(fields[c]) for c in COLUMNS) + end


def _value(column: str, value: str) -> Callable[[Fields, random.Random], str]:
    return lambda fields, _: _line(fields | {column: value})


KINDS: dict[str, Callable[[Fields, random.Random], str]] = {
    "bad_hs": _value("hs_code", "999998"),
    "bad_country": _value("origin_country", "QQ"),
    "mass_not_numeric": _value("net_mass_kg", "twelve"),
    "bad_date": _value("declared_on", "2024-13-45"),
    "bad_currency": _value("currency", "XXQ"),
    "negative_value": _value("value", "-5"),
    "empty_id": _value("declaration_id", ""),
    "nul_in_id": lambda f, _: _line(f | {"declaration_id": f["declaration_id"] + "\x00X"}),
    "nul_in_text": _value("description", "bolts\x00nuts"),
    "control_char": _value("description", "bell\x07here"),
    "bom_inside": lambda f, _: _line(f | {"declaration_id": "\ufeff" + f["declaration_id"]}),
    "zero_width": _value("importer_id", "IMP\u200b1"),
    "rtl_override": _value("importer_id", "IMP\u202e1"),
    "lf_in_party_id": _value("exporter_id", "EXP\n1"),
    "embedded_newline": _value("description", "two\nlines"),
    "embedded_crlf": _value("description", "two\r\nlines"),
    "embedded_cr": _value("description", "two\rlines"),
    "crlf_ending": lambda f, _: _line(f, "\r\n"),
    "bare_cr_ending": lambda f, _: _line(f, "\r"),
    "stray_quote": lambda f, _: _raw_line(f, "description", 'QLR"UBN9'),
    "quote_after_quoted": lambda f, _: _raw_line(f, "description", '"bolts"x'),
    "unclosed_quote": lambda f, _: _raw_line(f, "exporter_name", '"Acme, unclosed'),
    "extra_fields": lambda f, _: _line(f).rstrip("\n") + ",surplus,more\n",
    "trailing_separator": lambda f, _: _line(f).rstrip("\n") + ",\n",
    "missing_fields": lambda f, rng: (
        ",".join(_quote(f[c]) for c in COLUMNS[: -rng.randint(1, 4)]) + "\n"
    ),
    "huge_field": _value("description", "x" * 1_100_000),
    "invalid_utf8": lambda f, _: _line(f | {"description": "caf\udcff"}),  # → byte 0xFF
    "long_id": _value("declaration_id", "D" * 80),
    "trailing_space_id": lambda f, _: _line(f | {"declaration_id": f["declaration_id"] + " "}),
}
# Kinds about the file rather than one record.
FILE_KINDS = ("exact_duplicate", "conflicting_duplicate", "blank_line")
HUGE_EVERY = 20_000  # a 1 MB field is costly: at most one per this many records


def _encode(text: str) -> bytes:
    # A lone surrogate stands for a byte that is not UTF-8 (surrogateescape).
    return text.encode("utf-8", errors="surrogateescape")


def write_mangled(path: Path, records: int, *, seed: int = 7, broken: float = 0.3) -> Path:
    """Write ``records`` records (about ``broken`` of them corrupted) to ``path``."""
    rng = random.Random(seed)
    kinds = [k for k in KINDS if k != "huge_field"]
    written: list[Fields] = []
    with path.open("wb") as out:
        out.write(_encode(",".join(COLUMNS) + "\n"))
        for number in range(records):
            fields = GOOD | {
                "declaration_id": f"D{number:07d}",
                "importer_id": f"IMP{number % 500}",
                "description": "machine parts",
                "exporter_name": "Exporter Co",
            }
            line = _line(fields)
            if rng.random() < broken or number % HUGE_EVERY == records // 2 % HUGE_EVERY:
                kind = rng.choice([*kinds, *FILE_KINDS])
                if number % HUGE_EVERY == records // 2 % HUGE_EVERY:
                    kind = "huge_field"
                if kind == "exact_duplicate" and written:
                    line = _line(rng.choice(written))
                elif kind == "conflicting_duplicate" and written:
                    line = _line(rng.choice(written) | {"value": "7"})
                elif kind == "blank_line":
                    line = "\n" + line
                elif kind in KINDS:
                    line = KINDS[kind](fields, rng)
            written.append(fields)
            if len(written) > 1000:
                written = written[-1000:]
            out.write(_encode(line))
    return path


def reference_count(path: Path) -> int:
    """The data records in ``path`` by Python's ``csv`` (blank lines are no records)."""
    limit = csv.field_size_limit()
    csv.field_size_limit(max(limit, 64 << 20))
    try:
        with path.open(encoding="utf-8-sig", errors="replace", newline="") as stream:
            reader = csv.reader(stream)
            next(reader)
            return sum(1 for row in reader if row)
    finally:
        csv.field_size_limit(limit)


def as_stream(path: Path) -> io.BytesIO:
    return io.BytesIO(path.read_bytes())
