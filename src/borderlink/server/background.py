"""What a serving node does around and between requests: settle its heap and mark failed the
background jobs a previous process left unfinished when it starts, and chain new audit entries
into its verifiable log.

Settling (:func:`settle_heap`): everything alive once the app is built (modules, the app, the
node) lives as long as the process, so it is frozen out of the garbage collector's full passes;
otherwise each full pass walks those ~250k objects while holding the GIL, and a request that
allocates a lot (a profile replay in a worker thread) stalls the event loop for as long
(measured: 0.3-0.5 s on a loaded machine; ``tests/server/test_deps.py`` holds /health to 100 ms).

Requests only insert audit rows (cheap, in their own transaction); a task here seals them every
``audit_seal_seconds`` (off at 0) in a worker thread, and once more at shutdown, so what was
audited while serving is chained before the process ends. The task lives in the app's lifespan:
it starts with the server and is cancelled and awaited when it stops, never left running.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager, suppress

from fastapi import FastAPI

from borderlink.server.deps import blocking
from borderlink.services import Node, jobs
from borderlink.services.accounts import audit_seal

log = logging.getLogger("borderlink.server")


def settle_heap() -> None:
    """Collect what is garbage now, then keep the survivors out of later full collections."""
    gc.collect()
    gc.freeze()


def lifespan(node: Node) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def run(_app: FastAPI) -> AsyncIterator[None]:
        settle_heap()
        # A job the last process was running when it stopped will never finish: say so.
        failed = await blocking(jobs.recover, node)
        if failed:
            log.warning(
                "%d background job(s) left unfinished by a restart marked failed", len(failed)
            )
        every = node.settings.audit_seal_seconds
        if every <= 0:
            yield
            return
        task = asyncio.create_task(_seal_every(node, every))
        try:
            yield
        finally:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
            await _seal(node, window=audit_seal.WINDOW)

    return run


async def _seal_every(node: Node, every: float) -> None:
    # The first round looks through the whole audit log: it picks up entries whose transaction
    # committed late, past the window the later rounds look at.
    window = None
    while True:
        await asyncio.sleep(every)
        await _seal(node, window=window)
        window = audit_seal.WINDOW


async def _seal(node: Node, *, window: int | None) -> None:
    try:
        # A seal in progress finishes before cancellation takes effect (the thread is awaited).
        await blocking(audit_seal.seal, node, window=window)
    except Exception:  # keep serving and sealing: the next round retries what this one missed
        log.exception("sealing the audit log failed")
