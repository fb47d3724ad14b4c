"""Scoring requests that arrive together are scored together.

One score costs a few milliseconds, and nearly all of it is fixed cost per call (building a
query, a LightGBM call, a transaction), not per row: eight declarations cost little more than
one. So under load, the server's request threads hand their declaration ids to a
:class:`ScoreBatcher`: the first caller becomes the *leader* and scores everything waiting with
the ``score_many`` it was made with (the node's is :func:`~borderlink.services.risk.score.batcher`,
over :func:`~borderlink.services.risk.score.score_many`), while later callers wait. When the leader
is done it hands the lead to the oldest caller still waiting, whose batch holds everything
that arrived meanwhile. No caller waits on a timer: alone, a request is scored at once; under
load, batches grow by themselves to what arrives during one batch. A batch that fails is scored
again one declaration at a time, so a declaration that breaks scoring fails only its own request.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from borderlink.errors import NotFound

Result = dict[str, Any]
ScoreMany = Callable[[Sequence[str]], dict[str, Result]]  # declaration ids -> scores by id

MAX_BATCH = 64


@dataclass
class _Request:
    declaration_id: str
    woken: threading.Event = field(default_factory=threading.Event)
    lead: bool = False  # woken to lead the next batch, not with a result
    result: Result | None = None
    error: BaseException | None = None


@dataclass
class ScoreBatcher:
    score_many: ScoreMany
    max_batch: int = MAX_BATCH
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)
    _waiting: list[_Request] = field(default_factory=list, init=False)
    _leading: bool = field(default=False, init=False)
    batches: int = field(default=0, init=False)  # for tests and figures
    scored: int = field(default=0, init=False)

    def score(self, declaration_id: str) -> Result:
        """The declaration's score, as :func:`.score.score_one` gives it."""
        mine = _Request(declaration_id)
        with self._lock:
            self._waiting.append(mine)
            lead = not self._leading
            self._leading = True
        if not lead:
            mine.woken.wait()
        if lead or mine.lead:
            self._run_batch()  # mine is first in it, so it is done after this
        if mine.error is not None:
            raise mine.error
        assert mine.result is not None  # set before woken
        return mine.result

    def _run_batch(self) -> None:
        with self._lock:
            batch, self._waiting = self._waiting[: self.max_batch], self._waiting[self.max_batch :]
        try:
            self._score(batch)
        finally:  # whatever happened, wake them: nobody waits forever
            self._finish(batch)

    def _score(self, batch: list[_Request]) -> None:
        try:
            found = self.score_many([r.declaration_id for r in batch])
        except Exception as exc:
            if len(batch) == 1:
                batch[0].error = exc
                return
            # One bad declaration must not fail the others: alone, each gets its own result
            # or its own error.
            for request in batch:
                self._score([request])
            return
        except BaseException as exc:  # interrupted: every caller learns it
            for request in batch:
                request.error = exc
            raise
        for request in batch:
            request.result = found.get(request.declaration_id)
            if request.result is None:
                request.error = NotFound(f"declaration {request.declaration_id} not found")

    def _finish(self, batch: list[_Request]) -> None:
        with self._lock:
            self.batches += 1
            self.scored += len(batch)
            for request in batch:
                request.lead = False
                request.woken.set()
            if self._waiting:  # the oldest waiting caller leads the next batch
                self._waiting[0].lead = True
                self._waiting[0].woken.set()
            else:
                self._leading = False
