"""``screening compare``: score the name pairs of a CSV file, and say how good the matcher is
when the file carries the truth (a ``label`` or ``match`` column)."""

from __future__ import annotations

import csv
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from borderlink.errors import InvalidInput, NotFound
from borderlink.screening import THRESHOLD
from borderlink.screening.pairs import Scored, quality, score_pairs

ADDED = ("score", "match", "method")  # written after the input's own columns


@dataclass(frozen=True)
class CompareSummary:
    pairs: int
    matches: int
    threshold: float
    microseconds_per_pair: float
    quality: dict[str, Any] | None


def _rows(stream: TextIO, path: Path) -> Iterator[dict[str, str | None]]:
    reader = csv.DictReader(stream)
    missing = {"name1", "name2"} - set(reader.fieldnames or ())
    if missing:
        raise InvalidInput(f"{path.name}: no column {', '.join(sorted(missing))}", field="name1")
    for number, row in enumerate(reader, start=2):
        if None in row:
            raise InvalidInput(f"{path.name}: record {number} has more fields than the header")
        yield row


def compare_file(
    path: Path,
    out: TextIO | None,
    *,
    schema: str | None = None,
    threshold: float = THRESHOLD,
) -> CompareSummary:
    """Write each row with its ``score`` (0-1), ``match`` and ``method`` to ``out`` (the input's
    columns first; a truth column called ``match`` is replaced) and return the summary, with
    precision/recall/F1 when labelled."""
    if not path.is_file():
        raise NotFound(f"no file {path}")
    with path.open(encoding="utf-8", errors="replace", newline="") as stream:
        rows = list(_rows(stream, path))
    start = time.perf_counter()
    try:
        scored: list[Scored] = list(score_pairs(rows, schema, threshold))
    except ValueError as error:
        raise InvalidInput(f"{path.name}: {error}", field="label") from error
    elapsed = time.perf_counter() - start
    if out is not None:
        _write(out, rows, scored)
    measured = quality(scored)
    return CompareSummary(
        pairs=len(scored),
        matches=sum(s.match for s in scored),
        threshold=threshold,
        microseconds_per_pair=round(elapsed / max(len(scored), 1) * 1e6, 2),
        quality=measured.public() if measured.labelled else None,
    )


def _write(out: TextIO, rows: list[dict[str, str | None]], scored: list[Scored]) -> None:
    columns = list(dict.fromkeys([*(rows[0] if rows else ("name1", "name2")), *ADDED]))
    writer = csv.DictWriter(out, columns, extrasaction="ignore")
    writer.writeheader()
    for row, s in zip(rows, scored, strict=True):
        writer.writerow(
            {**row, "score": s.score, "match": str(s.match).lower(), "method": s.method}
        )
