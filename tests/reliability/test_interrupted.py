"""Killed and concurrent ingests on one SQLite file end with exactly what one clean run stores."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import Engine, select

from borderlink.services import Node, open_node
from borderlink.services.accounts.access import Principal
from borderlink.services.ingest.files import ingest_file
from borderlink.settings import Settings
from borderlink.store.tables import goods_items, ingest_batches, rejects
from tests.factories import csv_writer, good
from tests.reliability.mangle import reference_count, write_mangled

OPS = Principal.system("test")
ROOT = Path(__file__).resolve().parents[2]

INGEST = """
import sys
from pathlib import Path
from borderlink.services import open_node
from borderlink.services.accounts.access import Principal
from borderlink.services.ingest.files import ingest_file
from borderlink.settings import Settings
url, data, path, chunk = sys.argv[1:5]
node = open_node(Settings(environment="test", db=url, data_dir=Path(data)), migrate=False)
summary = ingest_file(node, Principal.system("test"), path, chunk_rows=int(chunk))
print(summary.rows, summary.accepted, summary.rejected, summary.duplicates)
"""


def _spawn(node: Node, path: Path, chunk: int) -> subprocess.Popen[str]:
    url = node.engine.url.render_as_string(hide_password=False)
    command = [
        sys.executable,
        "-c",
        INGEST,
        url,
        str(node.settings.data_dir),
        str(path),
        str(chunk),
    ]
    quiet = os.environ | {"PYTHONWARNINGS": "ignore"}  # the library's warnings are not ours here
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True, env=quiet)


def _stored(engine: Engine) -> tuple[set[tuple[str, int, str]], set[tuple[int, str]]]:
    with engine.connect() as conn:
        items = conn.execute(
            select(goods_items.c.declaration_id, goods_items.c.item_no, goods_items.c.row_hash)
        ).all()
        kept = conn.execute(select(rejects.c.record_no, rejects.c.reason)).all()
    return {tuple(row) for row in items}, {tuple(row) for row in kept}


def _sqlite_node(sqlite_engine: Engine, data: Path) -> Node:
    settings = Settings(environment="test", data_dir=data, auto_migrate=False)
    url = sqlite_engine.url.render_as_string(hide_password=False)
    return Node(settings=settings.model_copy(update={"db": url}), engine=sqlite_engine)


def test_a_killed_ingest_is_marked_interrupted_and_a_rerun_resumes_it(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    node = _sqlite_node(sqlite_engine, tmp_path)
    path = write_mangled(tmp_path / "mangled.csv", 6_000, seed=9)
    process = _spawn(node, path, chunk=300)
    deadline = time.monotonic() + 120
    rows = 0
    while rows < 900 and time.monotonic() < deadline:  # a few chunks stored, more to come
        time.sleep(0.05)
        with node.read() as conn:
            rows = conn.execute(select(ingest_batches.c.rows)).scalar() or 0
    os.kill(process.pid, signal.SIGKILL)
    process.communicate()
    assert 0 < rows < reference_count(path), "the kill came too late to interrupt anything"

    summary = ingest_file(node, OPS, path, chunk_rows=700)  # another chunk size, same result
    with node.read() as conn:
        batches = conn.execute(select(ingest_batches.c.batch_id, ingest_batches.c.status)).all()
    assert [tuple(b) for b in batches] == [(summary.batch_id, "finished")]  # resumed, not new
    records = reference_count(path)
    assert summary.rows == records
    assert summary.accepted + summary.rejected + summary.duplicates == records
    assert summary.duplicates < 50  # the rows stored before the kill were skipped, not redone

    clean = open_node(
        Settings(environment="test", data_dir=tmp_path / "clean", db=None), migrate=True
    )
    reference = ingest_file(clean, OPS, path, chunk_rows=1_000)
    assert (summary.accepted, summary.rejected, summary.duplicates) == (
        reference.accepted,
        reference.rejected,
        reference.duplicates,
    )
    assert _stored(node.engine) == _stored(clean.engine)
    clean.engine.dispose()


def test_two_ingests_at_once_on_sqlite_both_finish_with_the_union(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    node = _sqlite_node(sqlite_engine, tmp_path)
    write = csv_writer(tmp_path)
    first = write([good(declaration_id=f"D{i:05d}") for i in range(0, 4_000)])
    second = write([good(declaration_id=f"D{i:05d}") for i in range(2_000, 6_000)])
    runs = [_spawn(node, first, chunk=200), _spawn(node, second, chunk=200)]
    outputs = [run.communicate(timeout=300)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0]
    tallies = sorted(tuple(map(int, out.split())) for out in outputs)
    assert sum(t[1] for t in tallies) == 6_000  # each key stored once, by one of them
    assert sum(t[3] for t in tallies) == 2_000  # the overlap, seen by the later one
    items, _ = _stored(node.engine)
    assert {key for key, _, _ in items} == {f"D{i:05d}" for i in range(6_000)}
    with node.read() as conn:
        statuses = conn.execute(select(ingest_batches.c.status)).scalars().all()
    assert statuses == ["finished", "finished"]
