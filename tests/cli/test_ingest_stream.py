"""``borderlink ingest --from nats://...`` against the NATS server on the machine (JetStream):
a consumer killed mid-stream resumes where it stopped, without loss or duplicate.

Skips without the server unless ``BORDERLINK_REQUIRE_SERVICES=1`` (``.ci/run`` starts it).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import signal
import sys
import uuid
from pathlib import Path
from typing import Any

import nats
import pytest
from nats.js.api import StreamConfig
from sqlalchemy import Engine, func, select

from borderlink import risk
from borderlink.services import Node
from borderlink.services.accounts.access import Principal
from borderlink.services.risk import models
from borderlink.settings import Settings
from borderlink.store.risk_tables import scores
from borderlink.store.stream_tables import stream_messages
from borderlink.store.tables import declarations, goods_items
from tests.risk import synthetic
from tests.services.ingest.stream_messages import bodies

pytestmark = pytest.mark.slow

MESSAGES = 240
KILL_AFTER = 30  # decisions seen before the first consumer is killed


@pytest.fixture
def nats_url() -> str:
    url = Settings().test_nats_url

    async def reachable() -> None:
        nc = await nats.connect(url, connect_timeout=2, max_reconnect_attempts=0)
        try:
            await nc.jetstream().account_info()
        finally:
            await nc.close()

    try:
        asyncio.run(reachable())
    except Exception as error:  # absent, or without JetStream: say which
        message = f"NATS JetStream not reachable at {url}: {error.__class__.__name__}: {error}"
        if Settings().require_services:
            pytest.fail(message + " (BORDERLINK_REQUIRE_SERVICES=1)")
        pytest.skip(message)
    return url


def _count(engine: Engine, table: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


async def _consumer(db: str, data: Path, url: str, *extra: str) -> asyncio.subprocess.Process:
    env = os.environ | {"BORDERLINK_DATA_DIR": str(data)}
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "from borderlink.cli import main; main()",
        "ingest",
        "--from",
        url,
        "--batch",
        "10",
        "--ack-wait",
        "2",
        "--json",
        "--db",
        db,
        *extra,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def _kill_then_resume(
    url: str, subject: str, messages: list[bytes], db: str, data: Path
) -> tuple[list[dict[str, Any]], int, Any]:
    nc = await nats.connect(url)
    js = nc.jetstream()
    stream = f"TEST_{subject.replace('.', '_').upper()}"
    await js.add_stream(StreamConfig(name=stream, subjects=[subject]))
    decided: list[dict[str, Any]] = []
    seen = asyncio.Event()

    async def answer(msg: Any) -> None:
        decided.append(json.loads(msg.data))
        if len(decided) >= KILL_AFTER:
            seen.set()

    await nc.subscribe(f"{subject}.channel", cb=answer)
    try:
        for body in messages:
            await js.publish(subject, body)
        first = await _consumer(db, data, f"{url}/{subject}")
        await asyncio.wait_for(seen.wait(), timeout=120)
        first.send_signal(signal.SIGKILL)  # no goodbye: whatever was not acked comes again
        await first.wait()
        before = len(decided)
        second = await _consumer(db, data, f"{url}/{subject}", "--idle-exit", "5")
        out, err = await asyncio.wait_for(second.communicate(), timeout=240)
        assert second.returncode == 0, err.decode()
        await asyncio.sleep(0.5)  # the last decisions, published before the acks
        info = await js.consumer_info(stream, "borderlink-ingest")
        return decided, before, (info, json.loads(out.decode().strip().splitlines()[-1]))
    finally:
        await js.delete_stream(stream)
        await nc.close()


def test_a_killed_consumer_resumes_without_loss_or_duplicate(
    sqlite_engine: Engine, settings: Settings, nats_url: str, tmp_path: Path
) -> None:
    db = sqlite_engine.url.render_as_string(hide_password=False)
    node = Node(settings=settings.model_copy(update={"db": db}), engine=sqlite_engine)
    history = synthetic.declarations(800, seed=21, start=dt.date(2020, 1, 1), days=90)
    synthetic.store(sqlite_engine, history)
    config = risk.ModelConfig(rounds=20, threads=1, validation_months=1)
    trained = models.train(node, Principal.system("tester"), config=config)
    new = synthetic.declarations(MESSAGES, seed=22, start=dt.date(2020, 4, 10), days=3)
    subject = f"test.intake.{uuid.uuid4().hex[:8]}"

    decided, before, (info, summary) = asyncio.run(
        _kill_then_resume(nats_url, subject, bodies(new), db, tmp_path)
    )

    assert KILL_AFTER <= before < MESSAGES  # killed mid-stream
    assert 0 < summary["messages"] <= MESSAGES - KILL_AFTER + 10  # the rest, and its last batch
    assert summary["rejected"] == 0
    assert (info.num_pending, info.num_ack_pending) == (0, 0)  # every message acknowledged
    by_sequence: dict[int, set[tuple[str, str | None]]] = {}
    for d in decided:
        by_sequence.setdefault(d["sequence"], set()).add((d["status"], d["channel"]))
    assert sorted(by_sequence) == list(range(1, MESSAGES + 1))  # each message answered
    assert all(len(answers) == 1 for answers in by_sequence.values())  # the same each time
    assert {status for answers in by_sequence.values() for status, _ in answers} == {"accepted"}
    ids = new["declaration_id"].to_list()
    with sqlite_engine.connect() as conn:
        stored = conn.execute(
            select(func.count()).where(declarations.c.declaration_id.in_(ids))
        ).scalar_one()
        scored = conn.execute(
            select(func.count()).where(
                scores.c.declaration_id.in_(ids), scores.c.model_version == trained.version
            )
        ).scalar_one()
    assert stored == scored == MESSAGES  # each declaration stored once and scored once
    assert _count(sqlite_engine, goods_items) == 800 + MESSAGES
    assert _count(sqlite_engine, stream_messages) == MESSAGES
