"""A mangled file ingests whole on both backends: every record accepted, rejected or a
duplicate, each reject kept with its reason, against Python's own count of the records."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from sqlalchemy import func, select

from borderlink.ingest.delimited import csv_header, fast_chunks, tolerant_chunks
from borderlink.services import Node
from borderlink.services.accounts.access import Principal
from borderlink.services.ingest.files import ingest_file
from borderlink.services.ingest.rejects import list_rejects
from borderlink.store.tables import goods_items, rejects
from tests.reliability.mangle import KINDS, reference_count, write_mangled

OPS = Principal.system("test")


def _accounted(node: Node, path: Path) -> None:
    records = reference_count(path)
    summary = ingest_file(node, OPS, path, chunk_rows=1_000)
    assert summary.rows == records
    assert summary.accepted + summary.rejected + summary.duplicates == records
    with node.read() as conn:
        stored = conn.execute(select(func.count()).select_from(goods_items)).scalar_one()
        kept = conn.execute(
            select(func.count(func.distinct(rejects.c.record_no))).where(
                rejects.c.batch_id == summary.batch_id
            )
        ).scalar_one()
    assert stored == summary.accepted
    assert kept == summary.rejected  # one reject per rejected record, none lost
    found, total = list_rejects(node, OPS, batch_id=summary.batch_id, limit=summary.rejected)
    assert total == summary.rejected
    assert all(r.issues and r.issues[0].reason and r.raw for r in found)
    reasons = {issue.reason for r in found for issue in r.issues}
    assert {"malformed_record", "invalid_character", "invalid_encoding", "too_long"} <= reasons


def test_a_mangled_file_is_accounted_for_record_by_record(node: Node, tmp_path: Path) -> None:
    _accounted(node, write_mangled(tmp_path / "mangled.csv", 5_000, seed=3))


@pytest.mark.slow
def test_a_100k_mangled_file_is_accounted_for_record_by_record(node: Node, tmp_path: Path) -> None:
    _accounted(node, write_mangled(tmp_path / "mangled.csv", 100_000, seed=11))


def test_the_fast_and_the_tolerant_reader_read_a_mangled_file_alike(tmp_path: Path) -> None:
    path = write_mangled(tmp_path / "mangled.csv", 3_000, seed=5, broken=0.5)
    header = csv_header(path)
    fast = pl.concat(list(fast_chunks(path, header, 400)), how="diagonal")
    tolerant = pl.concat(list(tolerant_chunks(path, header, 400)), how="diagonal")
    assert fast.height == reference_count(path)
    assert_frame_equal(fast.select(sorted(fast.columns)), tolerant.select(sorted(fast.columns)))


def test_the_generator_writes_every_kind(tmp_path: Path) -> None:
    assert len(KINDS) >= 29
    text = write_mangled(tmp_path / "m.csv", 2_000, seed=1, broken=1.0).read_bytes()
    for marker in (b"\x00", b"\xff", b"\r\n", b'QLR"UBN9', "\ufeff".encode(), b"x" * 1_000_000):
        assert marker in text
