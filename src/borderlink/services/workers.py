"""A bounded pool of worker threads for a node's background jobs: :class:`Workers`.

At most ``size`` threads run tasks; at most ``backlog`` tasks wait for one (beyond that
:meth:`Workers.submit` refuses, so a flood of uploads cannot queue without end). Threads start
when work arrives and end after ``idle_s`` without any, so an idle node (or a test's) holds
none. They are daemon threads: stopping the process does not wait for a long job, and the job
it cut short is marked failed when the node starts again (:func:`borderlink.services.jobs.recover`).
The node's runtime owns the pool (``node.runtime.workers()``); nothing of it is global.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable

from borderlink.errors import Conflict

log = logging.getLogger("borderlink.jobs")

WORKERS = 2  # jobs running at once: each is a whole upload or a training, CPU-heavy already
BACKLOG = 32  # jobs waiting for a worker
IDLE_S = 10.0  # an idle worker thread ends after this long


class Workers:
    """Run submitted callables on at most ``size`` threads; see the module docstring."""

    def __init__(self, size: int = WORKERS, backlog: int = BACKLOG, idle_s: float = IDLE_S) -> None:
        if size < 1 or backlog < 0:
            raise ValueError("a pool has at least one worker and a backlog of zero or more")
        self.size, self.backlog, self.idle_s = size, backlog, idle_s
        self._tasks: deque[Callable[[], None]] = deque()
        self._ready = threading.Condition(threading.Lock())
        self._live = 0  # threads started and not yet ended
        self._idle = 0  # of those, the ones waiting for a task
        self._busy = 0  # of those, the ones running a task

    def submit(self, task: Callable[[], None]) -> None:
        """Run ``task`` on a worker (now, or when one is free); :class:`Conflict` when full."""
        with self._ready:
            # Tasks queued beyond the workers that will take them: a thread just started has not
            # taken its task yet, so only the running ones are not free for the queue.
            if len(self._tasks) + 1 - (self.size - self._busy) > self.backlog:
                raise Conflict("the node is busy with other jobs: try again in a few minutes")
            self._tasks.append(task)
            if len(self._tasks) > self._idle and self._live < self.size:
                self._live += 1
                threading.Thread(target=self._work, name="borderlink-job", daemon=True).start()
            else:
                self._ready.notify()

    @property
    def live(self) -> int:
        """Worker threads started and not ended."""
        with self._ready:
            return self._live

    def _next(self) -> Callable[[], None] | None:
        """The next task, or None once idle for ``idle_s`` (the thread then ends)."""
        with self._ready:
            self._idle += 1
            try:
                while not self._tasks:
                    if not self._ready.wait(timeout=self.idle_s) and not self._tasks:
                        self._live -= 1
                        return None
                self._busy += 1
                return self._tasks.popleft()
            finally:
                self._idle -= 1

    def _work(self) -> None:
        while (task := self._next()) is not None:
            try:
                task()
            except Exception:  # a task records its own failure; this only keeps the thread
                log.exception("a background job raised past its own handling")
            finally:
                with self._ready:
                    self._busy -= 1
