"""Streaming intake's batch step over the store (SQLite and PostgreSQL): messages in, one
decision per message out, every message accepted, rejected (kept) or a duplicate."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from borderlink import risk
from borderlink.errors import PermissionDenied
from borderlink.ingest.stream import jsonl
from borderlink.services import Node
from borderlink.services.accounts.access import Principal, Role
from borderlink.services.ingest.files import ingest_file
from borderlink.services.ingest.stream import Arrived, take_messages
from borderlink.services.risk import models
from borderlink.store.risk_tables import scores
from borderlink.store.stream_tables import stream_messages
from borderlink.store.tables import declarations, goods_items, rejects
from tests.risk import synthetic
from tests.risk.synthetic import store
from tests.services.ingest.stream_messages import bodies

SMALL = risk.ModelConfig(rounds=20, threads=1, validation_months=1)
CONSUMER = Principal.system("stream")
LODGED = dt.datetime(2026, 12, 2, 8, 0, tzinfo=dt.UTC)


def count(node: Node, table: Any) -> int:
    with node.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def arrived(messages: list[bytes], first: int = 1) -> list[Arrived]:
    return [Arrived(body, first + n, LODGED) for n, body in enumerate(messages)]


def take(node: Node, messages: list[Arrived]) -> list[dict[str, Any]]:
    return take_messages(node, CONSUMER, messages, stream="S", subject="customs.in")


def test_each_message_is_accepted_rejected_or_a_duplicate_and_nothing_is_lost(
    node: Node,
) -> None:
    good = {"id": "M1", "date": "2024-03-01", "items": [{"hs_code": "851713"}]}
    sent = [
        json.dumps(good).encode(),
        b"{not json",
        json.dumps({"id": "M2", "date": "2024-03-01", "items": [{"hs_code": "85171"}]}).encode(),
        json.dumps(good).encode(),  # the same declaration again, in the same batch
    ]
    decided = take(node, arrived(sent))
    assert [d["status"] for d in decided] == ["accepted", "rejected", "rejected", "accepted"]
    assert [d["sequence"] for d in decided] == [1, 2, 3, 4]
    assert decided[1]["issues"][0]["message"].startswith("malformed JSON")
    assert decided[2]["declaration_id"] == "M2"
    assert {i["field"] for i in decided[2]["issues"]} == {"hs_code"}
    assert decided[0]["lodged_at"] == "2026-12-02T08:00:00.000000Z"
    assert decided[0]["channel"] is None  # no model yet: stored, not scored
    assert count(node, declarations) == 1
    assert count(node, rejects) == 2  # kept, with their reasons, retryable
    assert count(node, stream_messages) == 4


def test_a_message_delivered_again_gets_its_first_decision_and_is_not_taken_twice(
    node: Node,
) -> None:
    sent = arrived([b'{"id": "M1", "date": "2024-03-01", "items": [{"hs_code": "851713"}]}', b"x"])
    first = take(node, sent)
    again = take(node, [*sent, *arrived([b'{"id": "M3", "date": "2024-03-01"}'], first=3)])
    assert again[:2] == first
    assert again[2]["status"] == "rejected"  # a declaration without goods items
    assert count(node, rejects) == 2  # the redelivered bad message is not kept twice
    assert count(node, stream_messages) == 3


def test_with_a_model_each_declaration_is_scored_on_arrival_and_answered_its_channel(
    node: Node,
) -> None:
    history = synthetic.declarations(800, seed=3, start=dt.date(2020, 1, 1), days=90)
    store(node.engine, history)
    trained = models.train(node, CONSUMER, config=SMALL)
    new = synthetic.declarations(30, seed=4, start=dt.date(2020, 4, 10), days=2)
    decided = take(node, arrived(bodies(new)))
    assert {d["status"] for d in decided} == {"accepted"}
    assert {d["model_version"] for d in decided} == {trained.version}
    assert {d["channel"] for d in decided} <= {"red", "yellow", "green"}
    with node.engine.connect() as conn:
        stored = dict(
            conn.execute(
                select(scores.c.declaration_id, scores.c.channel).where(
                    scores.c.declaration_id.in_(new["declaration_id"].to_list())
                )
            ).all()
        )
    assert stored == {d["declaration_id"]: d["channel"] for d in decided}
    assert count(node, goods_items) == 830


def test_a_declaration_stored_but_not_yet_scored_is_scored_when_its_message_comes_again(
    node: Node, tmp_path: Path
) -> None:
    """A consumer killed between storing and scoring: the next delivery is a duplicate of the
    stored declaration, and is scored then."""
    history = synthetic.declarations(800, seed=3, start=dt.date(2020, 1, 1), days=90)
    store(node.engine, history)
    models.train(node, CONSUMER, config=SMALL)
    new = synthetic.declarations(3, seed=5, start=dt.date(2020, 4, 10), days=1)
    first = tmp_path / "first-delivery.jsonl"  # stored by a first delivery, then killed
    first.write_bytes(jsonl(bodies(new)))
    ingest_file(node, CONSUMER, first, format="json")
    decided = take(node, arrived(bodies(new)))
    assert [d["status"] for d in decided] == ["duplicate"] * 3
    assert all(d["channel"] in {"red", "yellow", "green"} for d in decided)


def test_only_who_may_submit_declarations_may_consume() -> None:
    reader = Principal(user_id=1, username="r", role=Role.AUDITOR)
    with pytest.raises(PermissionDenied):
        take_messages(None, reader, [], stream="S", subject="x")  # type: ignore[arg-type]
