"""Notices during a running sync queue exactly one more sync; syncs per partner never overlap."""

from __future__ import annotations

import threading

import pytest

from borderlink.services import Node
from borderlink.services.exchange.sync import SyncScheduler


def test_notice_during_a_sync_queues_one_more(
    settings: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    scheduler = SyncScheduler(Node(settings=settings, engine=None))  # type: ignore[arg-type]
    started, release = threading.Event(), threading.Event()
    calls: list[str] = []
    running = {"now": 0, "max": 0}

    def fake_sync(partner_id: str, push: object = None) -> None:
        running["now"] += 1
        running["max"] = max(running["max"], running["now"])
        calls.append(partner_id)
        if len(calls) == 1:
            started.set()
            release.wait(5)
        running["now"] -= 1

    monkeypatch.setattr(scheduler, "_sync", fake_sync)
    first = threading.Thread(target=scheduler.run, args=("A",))
    first.start()
    assert started.wait(5)
    scheduler.run("A")  # returns at once: marks one more sync as pending
    scheduler.run("A")  # coalesced with the pending one
    release.set()
    first.join(5)
    assert calls == ["A", "A"]
    assert running["max"] == 1
