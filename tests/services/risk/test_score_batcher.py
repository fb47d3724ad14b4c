"""Requests scored together get what they would get alone, and every caller gets its own."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pytest

from borderlink import risk
from borderlink.errors import NotFound
from borderlink.services import Node
from borderlink.services.accounts.access import Principal
from borderlink.services.risk import models
from borderlink.services.risk import score as service
from borderlink.services.risk.batcher import ScoreBatcher
from tests.risk import synthetic

SMALL = risk.ModelConfig(rounds=20, threads=1, validation_months=1)
TESTER = Principal.system("tester")


def test_batched_scores_equal_single_scores(node: Node) -> None:
    synthetic.store(
        node.engine, synthetic.declarations(1200, seed=21, start=dt.date(2020, 1, 1), days=90)
    )
    models.train(node, TESTER, config=SMALL)
    new = synthetic.declarations(40, seed=22, start=dt.date(2020, 4, 2), days=1)
    synthetic.store(node.engine, new, with_outcomes=False)
    ids = new["declaration_id"].to_list()
    service.score_batch(
        node, TESTER, since=dt.date(2020, 4, 1), seed=1
    )  # gives the cut-offs a history
    together = service.score_many(node, TESTER, [*ids, "no-such-id"])
    assert set(together) == set(ids)
    for declaration_id in ids[::7]:
        assert service.score_one(node, TESTER, declaration_id) == together[declaration_id]
    through = service.batcher(node)
    assert service.batcher(node) is through  # one per node
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(through.score, ids))
    assert results == [together[i] for i in ids]
    with pytest.raises(NotFound):
        through.score("no-such-id")


class _Slow:
    """A stand-in for ``score_many`` that holds each batch until released, and records them."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.release = threading.Event()
        self.started = threading.Event()

    def __call__(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        self.batches.append(list(ids))
        self.started.set()
        self.release.wait(5)
        if "boom" in ids:
            raise RuntimeError("the model file is unreadable")
        return {i: {"declaration_id": i} for i in ids if i != "missing"}


def _wait_for(batcher: ScoreBatcher, waiting: int) -> None:
    for _ in range(500):
        if len(batcher._waiting) >= waiting:
            return
        threading.Event().wait(0.01)
    raise AssertionError("the callers never queued")


def _queue(
    pool: ThreadPoolExecutor, through: ScoreBatcher, ids: list[str]
) -> list[Future[dict[str, Any]]]:
    """Submit the ids one by one, each after the previous one is queued (a known order)."""
    futures = []
    for n, declaration_id in enumerate(ids, start=1):
        futures.append(pool.submit(through.score, declaration_id))
        _wait_for(through, n)
    return futures


def test_what_arrives_during_a_batch_is_scored_in_the_next_one() -> None:
    slow = _Slow()
    through = ScoreBatcher(score_many=slow)
    with ThreadPoolExecutor(6) as pool:
        first = pool.submit(through.score, "a")
        assert slow.started.wait(5)
        later = _queue(pool, through, ["b", "c", "missing", "d"])
        slow.release.set()
        assert first.result(5) == {"declaration_id": "a"}
        assert [f.result(5)["declaration_id"] for f in (later[0], later[1], later[3])] == [
            "b",
            "c",
            "d",
        ]
        with pytest.raises(NotFound, match="missing"):
            later[2].result(5)
    assert slow.batches == [["a"], ["b", "c", "missing", "d"]]
    assert (through.batches, through.scored) == (2, 5)


def test_a_declaration_that_fails_its_batch_fails_alone() -> None:
    slow = _Slow()
    through = ScoreBatcher(score_many=slow, max_batch=2)
    with ThreadPoolExecutor(6) as pool:
        first = pool.submit(through.score, "a")
        assert slow.started.wait(5)
        later = _queue(pool, through, ["boom", "b", "c"])
        slow.release.set()
        assert first.result(5)["declaration_id"] == "a"
        with pytest.raises(RuntimeError, match="unreadable"):
            later[0].result(5)
        assert later[1].result(5)["declaration_id"] == "b"  # scored again, alone
        assert later[2].result(5)["declaration_id"] == "c"
    assert slow.batches == [["a"], ["boom", "b"], ["boom"], ["b"], ["c"]]
    assert not through._leading  # and the next caller leads at once
