"""The audit log through the API: chained or not, inclusion proofs, sealing in the background."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import httpx
from fastapi import FastAPI

from borderlink.exchange.envelope import TREE_HEAD, canonical, verify
from borderlink.exchange.identity import Partner
from borderlink.exchange.merkle_log import leaf_hash, verify_inclusion
from borderlink.server import create_app
from borderlink.services import Node
from borderlink.services.accounts.access import Principal, Role
from borderlink.services.accounts.audit_seal import seal, verify_audit
from borderlink.services.cooperation.partners import init_node
from tests.surfaces import Seeded, client

OPS = Principal.system("test")  # acts for the node in the tests


def _run(coro: Any) -> Any:
    return asyncio.run(coro)


def test_entries_show_their_leaf_and_prove_their_inclusion(app: FastAPI, seeded: Seeded) -> None:
    identity = init_node(seeded.node, OPS)
    seal(seeded.node)

    async def go() -> list[httpx.Response]:
        async with (
            client(app, seeded.tokens[Role.OFFICER]) as officer,
            client(app, seeded.tokens[Role.AUDITOR]) as auditor,
        ):
            await officer.get(f"/api/v1/declarations/{seeded.office_a[0]}")  # audited
            before = await auditor.get("/api/v1/audit", params={"action": "declaration.read"})
            newest = before.json()["items"][0]["entry_id"]
            early = await auditor.get(f"/api/v1/audit/{newest}/proof")
            await asyncio.to_thread(seal, seeded.node)
            after = await auditor.get("/api/v1/audit", params={"action": "declaration.read"})
            proof = await auditor.get(f"/api/v1/audit/{newest}/proof")
            return [before, early, after, proof]

    before, early, after, proof = _run(go())
    assert before.json()["items"][0]["leaf_index"] is None
    assert early.status_code == 404
    assert "not chained yet" in early.json()["detail"]
    [entry] = after.json()["items"]
    assert entry["leaf_index"] is not None
    body = proof.json()
    assert (body["entry"]["entry_id"], body["leaf_index"]) == (
        entry["entry_id"],
        entry["leaf_index"],
    )
    me = {identity.node_id: Partner(identity.node_id, "", identity.public_key, "")}
    head = verify(body["signed_tree_head"], me, typ=TREE_HEAD).payload
    assert (head["tree_size"], head["root_hash"]) == (body["tree_size"], body["root_hash"])
    assert verify_inclusion(
        body["leaf_index"],
        body["tree_size"],
        leaf_hash(canonical(body["leaf"])),
        [bytes.fromhex(p) for p in body["proof"]],
        bytes.fromhex(body["root_hash"]),
    )


def _with_interval(seeded: Seeded, seconds: float) -> tuple[FastAPI, Node]:
    node = Node(
        settings=seeded.node.settings.model_copy(update={"audit_seal_seconds": seconds}),
        engine=seeded.node.engine,
    )
    return create_app(node.settings, node=node), node


async def _serve_and_read(app: FastAPI, seeded: Seeded, *, wait_sealed: Node | None) -> None:
    """Run the app's lifespan (start-up to shutdown) around two audited reads."""
    async with app.router.lifespan_context(app), client(app, seeded.tokens[Role.OFFICER]) as c:
        for declaration_id in seeded.office_a[:2]:
            assert (await c.get(f"/api/v1/declarations/{declaration_id}")).status_code == 200
        if wait_sealed is not None:
            deadline = time.monotonic() + 10
            while (await asyncio.to_thread(verify_audit, wait_sealed)).unchained:
                assert time.monotonic() < deadline, "the background seal did not run"
                await asyncio.sleep(0.02)


def _threads_back_to(count: int) -> bool:
    """Whether the process is back to ``count`` threads within a few seconds: worker threads
    of a closed event loop finish on their own schedule, a sealer left running never does."""
    deadline = time.monotonic() + 5
    while threading.active_count() != count:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def test_the_server_seals_in_the_background(seeded: Seeded) -> None:
    app, node = _with_interval(seeded, 0.05)
    threads = threading.active_count()
    _run(_serve_and_read(app, seeded, wait_sealed=node))
    result = verify_audit(node)
    assert (result.unchained, result.ok) == (0, True)
    assert result.chained == result.entries > 2
    assert _threads_back_to(threads)  # the sealer stopped with the app


def test_shutdown_seals_what_is_pending_without_waiting_for_a_round(seeded: Seeded) -> None:
    app, node = _with_interval(seeded, 3600)
    started = time.monotonic()
    _run(_serve_and_read(app, seeded, wait_sealed=None))
    assert time.monotonic() - started < 30
    assert verify_audit(node).unchained == 0


def test_no_background_sealing_at_zero(seeded: Seeded) -> None:
    app, node = _with_interval(seeded, 0)
    _run(_serve_and_read(app, seeded, wait_sealed=None))
    assert verify_audit(node).chained == 0
