"""The broken file: each breakage is there, and ingest accounts for every row of it."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from borderlink.demo import BREAKAGES, FILE_COLUMNS, corrupt
from borderlink.ingest import prepare_file


@pytest.fixture
def broken(tmp_path: Path) -> tuple[Path, dict[str, list[int]]]:
    path = tmp_path / "broken.csv"
    return path, corrupt(path, 80, seed=3)


def test_the_key_names_every_kind_of_breakage(broken: tuple[Path, dict[str, list[int]]]) -> None:
    _, key = broken
    assert set(key) == {*BREAKAGES, "duplicate"}
    records = [r for rows in key.values() for r in rows]
    assert len(records) == len(set(records))  # one breakage per record
    assert len(key["duplicate"]) == 2


def test_the_file_really_is_broken(broken: tuple[Path, dict[str, list[int]]]) -> None:
    path, key = broken
    data = path.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert "Soci\xe9t\xe9".encode("latin-1") in data
    frame = pl.read_csv(path, infer_schema=False, encoding="utf8-lossy")
    assert frame.columns == list(FILE_COLUMNS)
    for kind, (column, text) in BREAKAGES.items():
        value = frame[column][key[kind][0] - 1]
        if kind == "invalid_encoding":
            assert "\ufffd" in value
        elif text:
            assert value == text
        else:
            assert not value
    rows = frame.rows()
    for record in key["duplicate"]:
        assert rows.count(rows[record - 1]) == 2


def test_ingest_rejects_each_breakage_with_its_reason(
    broken: tuple[Path, dict[str, list[int]]],
) -> None:
    path, key = broken
    chunks = list(prepare_file(path, fmt="csv", mapping="borderlink"))
    rows = sum(c.rows for c in chunks)
    accepted = sum(c.accepted.height for c in chunks)
    duplicates = sum(c.duplicates for c in chunks)
    rejects = [r for c in chunks for r in c.rejects]
    assert accepted + len(rejects) + duplicates == rows
    assert duplicates == len(key["duplicate"])
    reasons = {r.record_no: {issue.reason for issue in r.issues} for r in rejects}
    for kind in BREAKAGES:
        (record,) = key[kind]
        assert kind in reasons[record], (kind, reasons.get(record))
    assert len(rejects) == len(BREAKAGES)
