"""The writers: the flat CSV and ``wco-json`` files read back, and ingest accepts every row."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest

from borderlink.demo import FILE_COLUMNS, TRUTH_COLUMNS, write_csv, write_json
from borderlink.demo.writers import Flow
from borderlink.ingest import prepare_file
from borderlink.model import DECLARATION, PARTIES, DeclarationIn


def test_csv_has_the_canonical_columns_and_every_row(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    written = write_csv(path, 1_200, seed=4)
    frame = pl.read_csv(path, infer_schema=False)
    assert frame.columns == list(FILE_COLUMNS)
    assert frame.height == written.items == 1_200
    assert frame["declaration_id"].n_unique() == written.declarations
    illicit = frame.filter(pl.col("illicit") == "true")["declaration_id"].n_unique()
    assert illicit == written.illicit_declarations
    with_truth = tmp_path / "t.csv"
    write_csv(with_truth, 1_200, seed=4, truth=True)
    truth = pl.read_csv(with_truth, infer_schema=False)
    assert truth.columns == [*FILE_COLUMNS, *TRUTH_COLUMNS]
    assert truth.select(FILE_COLUMNS).equals(frame)


def test_an_empty_csv_still_has_its_header(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    assert write_csv(path, 0).items == 0
    assert path.read_text().strip() == ",".join(FILE_COLUMNS)


def test_ingest_accepts_every_generated_row(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    write_csv(path, 3_000, seed=8)
    chunks = list(prepare_file(path, fmt="csv", mapping="borderlink", chunk_rows=1_000))
    assert sum(c.rows for c in chunks) == 3_000
    assert sum(c.accepted.height for c in chunks) == 3_000
    assert not any(c.rejects for c in chunks)
    assert not any(c.errors for c in chunks)


@pytest.mark.parametrize("name", ["d.json", "d.jsonl"])
def test_json_declarations_match_the_model(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    written = write_json(path, 150, seed=6)
    assert written.declarations == 150
    if name.endswith(".jsonl"):
        records = [json.loads(line) for line in path.read_text().splitlines() if line]
    else:
        records = json.loads(path.read_text())
    assert len(records) == 150
    assert sum(len(r["items"]) for r in records) == written.items
    declarations = [DeclarationIn.model_validate(r) for r in records]
    assert len({d.id for d in declarations}) == 150  # type: ignore[attr-defined]  # generated
    roles = {p["role"] for r in records for p in r["parties"]}
    assert roles == {"importer", "exporter", "declarant", "carrier"}
    assert all(p["country"] for r in records for p in r["parties"] if p["role"] == "exporter")
    for record in records[:20]:  # every value is valid for its field's type in the schema
        _assert_valid(record)
    outcomes = [r["outcome"] for r in records]
    assert sum(o["illicit"] for o in outcomes) == written.illicit_declarations
    assert all((o["severity"] > 0) == o["illicit"] for o in outcomes)


def test_ingest_reads_the_json_it_writes(tmp_path: Path) -> None:
    path = tmp_path / "d.json"
    written = write_json(path, 200, seed=9)
    chunks = list(prepare_file(path, fmt="json", chunk_rows=1_000))
    assert sum(c.accepted.height for c in chunks) == written.items
    assert not any(c.rejects for c in chunks)


def _assert_valid(record: dict[str, object]) -> None:
    def check(group: str, values: object) -> None:
        assert isinstance(values, dict)
        for f in DECLARATION.group(group):
            value = values.get(f.key)
            if value is not None:
                assert f.type.validate(value), (group, f.key, value)

    check("header", record)
    check("transport", record["transport"])
    for item in record["items"]:  # type: ignore[attr-defined]
        check("items", item)
    by_role = {p["role"]: p for p in record["parties"]}  # type: ignore[attr-defined]
    for party in PARTIES:
        check(party.name, by_role[party.name])


def test_only_the_inspected_history_carries_an_outcome(tmp_path: Path) -> None:
    """An empty outcome is "not inspected": the history keeps outcomes where it was inspected
    (suspicious declarations more often), the flow none, its findings set aside."""
    since = dt.date(2025, 9, 1)
    path, pending = tmp_path / "d.csv", tmp_path / "pending.csv"
    write_csv(path, 3_000, seed=4, truth=True, flow=Flow(since=since, pending=pending))
    frame = pl.read_csv(path, infer_schema=False).with_columns(pl.col("declared_on").str.to_date())
    per_decl = frame.group_by("declaration_id").agg(
        pl.col("declared_on").first(),
        pl.col("illicit").first().is_not_null().alias("inspected"),
        (pl.col("pattern").fill_null("") != "").any().alias("planted"),
    )
    history = per_decl.filter(pl.col("declared_on") < since)
    flow = per_decl.filter(pl.col("declared_on") >= since)
    assert not flow["inspected"].any()
    share = history.group_by("planted").agg(pl.col("inspected").mean()).sort("planted")
    clean, planted = share["inspected"].to_list()
    assert 0.05 < clean < 0.2 < 0.5 < planted < 0.7
    found = pl.read_csv(pending, schema_overrides={"declaration_id": pl.String})
    not_inspected = per_decl.filter(~pl.col("inspected"))["declaration_id"]
    assert set(found["declaration_id"]) == set(not_inspected)  # what inspecting them would find
    assert found["illicit"].null_count() == 0
