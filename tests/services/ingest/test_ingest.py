"""Ingesting files into a node, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from borderlink.errors import NotFound
from borderlink.services import Node
from borderlink.services.accounts.access import Principal
from borderlink.services.ingest import files as ingest_service
from borderlink.services.ingest.files import ingest_file
from borderlink.services.ingest.rejects import get_reject, list_rejects, retry_rejects
from borderlink.settings import Settings
from borderlink.store.tables import (
    declarations,
    goods_items,
    ingest_batches,
    outcomes,
    parties,
    rejects,
)
from tests.factories import Row, good

WriteCsv = Callable[..., Path]


OPS = Principal.system("test")  # acts for the node in the tests


def count(node: Node, table) -> int:  # type: ignore[no-untyped-def]
    with node.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def broken_rows() -> list[Row]:
    return [
        good(declaration_id="OK1"),
        good(declaration_id="OK2", item_no="1"),
        good(declaration_id="OK2", item_no="2", hs_code="640399"),
        good(declaration_id="BAD-HS", hs_code="999998"),
        good(declaration_id="BAD-COUNTRY", origin_country="QQ"),
        good(declaration_id="BAD-NUMBER", value="12.3.4"),
        good(declaration_id=""),
        good(declaration_id="OK1"),  # exact duplicate of the first row
        good(declaration_id="OK1", value="5"),  # same key, other content
    ]


def test_every_row_is_accepted_rejected_or_a_duplicate(node: Node, write_csv: WriteCsv) -> None:
    summary = ingest_file(node, OPS, write_csv(broken_rows()))
    assert (summary.rows, summary.accepted, summary.rejected, summary.duplicates) == (9, 3, 5, 1)
    assert summary.errors == {
        "unknown_hs_code": 1,
        "unknown_country": 1,
        "not_a_number": 1,
        "missing_required": 1,
        "conflicting_duplicate": 1,
    }
    assert count(node, goods_items) == 3
    assert count(node, declarations) == 2
    records, total = list_rejects(node, OPS)
    assert total == 5
    assert {r.record_no for r in records} == {4, 5, 6, 7, 9}
    bad_number = next(r for r in records if r.declaration_id == "BAD-NUMBER")
    assert bad_number.raw["value"] == "12.3.4"  # the raw record as read
    assert bad_number.issues[0].field == "value"


def test_a_line_with_extra_fields_is_rejected_whole_and_kept(
    node: Node, write_csv: WriteCsv
) -> None:
    path = write_csv([good(declaration_id="OK1"), good(declaration_id="LONG")])
    lines = path.read_text().splitlines()
    lines[2] += ",surplus"  # record 2: one field more than the header
    path.write_text("\n".join(lines) + "\n")
    summary = ingest_file(node, OPS, path)
    assert (summary.rows, summary.accepted, summary.rejected) == (2, 1, 1)
    assert summary.errors == {"malformed_record": 1}
    [record], _ = list_rejects(node, OPS)
    assert record.record_no == 2
    assert "1 more field(s)" in record.issues[0].message
    assert "surplus" in record.issues[0].message


def test_reingesting_the_same_file_changes_nothing(node: Node, write_csv: WriteCsv) -> None:
    path = write_csv(broken_rows())
    ingest_file(node, OPS, path)
    before = {
        t.name: count(node, t) for t in (declarations, goods_items, parties, outcomes, rejects)
    }
    again = ingest_file(node, OPS, path)
    after = {
        t.name: count(node, t) for t in (declarations, goods_items, parties, outcomes, rejects)
    }
    assert after == before
    assert (again.accepted, again.duplicates, again.rejected) == (0, 4, 5)


def test_a_changed_record_sent_again_is_rejected_as_a_conflict(
    node: Node, write_csv: WriteCsv
) -> None:
    ingest_file(node, OPS, write_csv([good()]))
    summary = ingest_file(node, OPS, write_csv([good(value="1"), good(declaration_id="NEW")]))
    assert (summary.accepted, summary.rejected) == (1, 1)
    [reject], _ = list_rejects(node, OPS, reason="conflicting_duplicate")
    assert "already exists in the node" in reject.issues[0].message


def test_parties_and_outcomes_are_stored(node: Node, write_csv: WriteCsv) -> None:
    ingest_file(
        node,
        OPS,
        write_csv(
            [
                good(importer_name="Acme", illicit="1", severity="2"),
                good(item_no="2", hs_code="640399", illicit="0"),
            ]
        ),
    )
    with node.engine.connect() as conn:
        outcome = conn.execute(select(outcomes)).one()
        importer = conn.execute(select(parties).where(parties.c.party_id == "IMP1")).one()
    assert (outcome.declaration_id, outcome.illicit, outcome.severity) == ("D1", True, 2)
    assert importer.name == "Acme"
    assert count(node, parties) == 3  # importer, exporter, declarant


def test_a_crash_mid_file_leaves_whole_chunks_and_a_rerun_resumes_the_batch(
    node: Node, write_csv: WriteCsv, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_csv([good(declaration_id=f"C{i}") for i in range(250)])
    real = ingest_service.store_chunk
    calls = {"n": 0}

    def crash_on_third(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("power cut")
        return real(*args, **kwargs)

    monkeypatch.setattr(ingest_service, "store_chunk", crash_on_third)
    with pytest.raises(RuntimeError):
        ingest_file(node, OPS, path, chunk_rows=100)
    assert count(node, goods_items) == 200  # two whole chunks, nothing of the third
    with node.engine.connect() as conn:
        assert conn.execute(select(ingest_batches.c.status)).scalar_one() == "failed"
    monkeypatch.setattr(ingest_service, "store_chunk", real)
    summary = ingest_file(node, OPS, path, chunk_rows=100)
    # The same batch goes on after the rows it stored: its counts are the whole file's, once.
    assert (summary.rows, summary.accepted, summary.duplicates) == (250, 250, 0)
    assert count(node, goods_items) == 250
    with node.engine.connect() as conn:
        batches = conn.execute(select(ingest_batches.c.batch_id, ingest_batches.c.status)).all()
    assert [tuple(b) for b in batches] == [(summary.batch_id, "finished")]


def test_retry_after_fixing_the_mapping_resolves_the_rejects(
    node: Node, write_csv: WriteCsv, tmp_path: Path
) -> None:
    mapping = tmp_path / "mine.yaml"
    text = (
        "name: mine\n"
        "columns: {declaration_id: Ref, declared_on: When, hs_code: HS, origin_country: Origin}\n"
        "constants: {item_no: 1}\ndate_format: '{fmt}'\n"
    )
    mapping.write_text(text.replace("{fmt}", "%Y-%m-%d"))
    path = write_csv([{"Ref": "M1", "When": "01/03/2024", "HS": "851713", "Origin": "CN"}])
    summary = ingest_file(node, OPS, path, mapping=str(mapping))
    assert summary.errors == {"malformed_date": 1}
    [reject], _ = list_rejects(node, OPS)

    mapping.write_text(text.replace("{fmt}", "%d/%m/%Y"))
    from borderlink.ingest.mapping import _load_path

    _load_path.cache_clear()
    result = retry_rejects(node, OPS)
    assert (result.retried, result.resolved, result.still_rejected) == (1, 1, 0)
    assert get_reject(node, OPS, reject.id or 0).status == "resolved"
    assert count(node, goods_items) == 1


def test_retry_that_still_fails_keeps_the_reject_open(node: Node, write_csv: WriteCsv) -> None:
    ingest_file(node, OPS, write_csv([good(origin_country="QQ")]))
    result = retry_rejects(node, OPS)
    assert (result.resolved, result.still_rejected) == (0, 1)
    assert list_rejects(node, OPS)[1] == 1


def test_missing_file_is_a_clear_error(node: Node, tmp_path: Path) -> None:
    with pytest.raises(NotFound, match="no such file"):
        ingest_file(node, OPS, tmp_path / "nope.csv")


def test_json_declarations_with_several_items(node: Node, tmp_path: Path) -> None:
    import json

    from tests.ingest.test_readers import DECLARATION

    path = tmp_path / "d.json"
    path.write_text(
        json.dumps([DECLARATION, DECLARATION | {"id": "J2", "items": [{"hs_code": "x"}]}])
    )
    summary = ingest_file(node, OPS, path, format="json")
    assert (summary.rows, summary.accepted, summary.rejected) == (3, 2, 1)
    with node.engine.connect() as conn:
        items = (
            conn.execute(select(goods_items.c.item_no).order_by(goods_items.c.item_no))
            .scalars()
            .all()
        )
    assert items == [1, 7]


def test_the_public_kcs_training_file_adds_up(node: Node, shared_data: Path) -> None:
    path = shared_data / "customs-declarations" / "train.csv"
    summary = ingest_file(node, OPS, path, mapping="kcs")
    assert summary.rows == 37_385
    assert summary.accepted + summary.rejected + summary.duplicates == summary.rows
    # Without HS 2017 loaded, the 2020 file's HS 2017-only codes are unknown; nothing else fails.
    assert set(summary.errors) == {"unknown_hs_code"}
    assert count(node, outcomes) == summary.accepted


def test_kcs_with_hs2017_loaded_accepts_every_row_and_flags_the_old_codes(
    sqlite_engine: Engine, settings: Settings, shared_data: Path
) -> None:
    from borderlink.services.refdata.load import load_correlation, load_hs

    node = Node(settings=settings, engine=sqlite_engine)
    hs = shared_data / "hs"
    load_hs(node, OPS, hs / "hs2017.csv", "HS2017")
    load_correlation(node, OPS, hs / "hs2022-hs2017-correlation.csv")
    summary = ingest_file(
        node, OPS, shared_data / "customs-declarations" / "train.csv", mapping="kcs"
    )
    assert (summary.accepted, summary.rejected) == (37_385, 0)
    assert summary.warnings["hs_older_edition"] == 1_555
    with node.engine.connect() as conn:
        mapped = (
            conn.execute(
                select(goods_items.c.hs_code_current).where(goods_items.c.hs_code == "620111")
            )
            .scalars()
            .first()
        )
    assert mapped == "620120"  # an HS 2017 code with one HS 2022 successor is mapped
