"""The node's job pool: at most ``size`` at once, a bounded backlog, idle threads end."""

from __future__ import annotations

import functools
import threading
import time
from types import SimpleNamespace

import pytest

from borderlink.errors import Conflict
from borderlink.services import workers
from borderlink.services.runtime import Runtime
from borderlink.services.workers import Workers


def test_at_most_size_tasks_run_at_once_and_the_backlog_is_bounded() -> None:
    pool = Workers(size=2, backlog=1, idle_s=0.2)
    release = threading.Event()
    running = 0
    most = 0
    finished: list[int] = []
    guard = threading.Lock()

    def task(n: int) -> None:
        nonlocal running, most
        with guard:
            running += 1
            most = max(most, running)
        release.wait(10)
        with guard:
            running -= 1
            finished.append(n)

    for n in range(3):  # two run, one waits
        pool.submit(functools.partial(task, n))
    with pytest.raises(Conflict, match="busy"):
        pool.submit(lambda: task(99))
    assert pool.live == 2
    # Both tasks must have begun before they are let go: on a loaded machine the second
    # worker may start only after the first task ended, which would prove nothing.
    deadline = time.monotonic() + 10
    while True:
        with guard:
            if running == 2:
                break
        assert time.monotonic() < deadline, running
        time.sleep(0.01)
    release.set()
    deadline = time.monotonic() + 10
    while len(finished) < 3 or pool.live:
        assert time.monotonic() < deadline, (finished, pool.live)
        time.sleep(0.01)
    assert sorted(finished) == [0, 1, 2]
    assert most == 2
    assert pool.live == 0  # idle threads ended on their own


def test_a_task_that_raises_leaves_its_worker_serving() -> None:
    pool = Workers(size=1, backlog=4, idle_s=0.2)
    done = threading.Event()

    def boom() -> None:
        raise RuntimeError("bad task")

    pool.submit(boom)
    pool.submit(done.set)
    assert done.wait(5)


def test_each_runtime_has_its_own_pool() -> None:
    one, two = Runtime(), Runtime()
    assert one.workers() is one.workers()
    assert one.workers() is not two.workers()


def test_tasks_waiting_for_threads_not_started_yet_count_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A worker just started has not taken its task yet: on a loaded machine the next submits
    come first, and must not count that task as both queued and running."""
    started: list[threading.Thread] = []

    class Later(threading.Thread):
        def start(self) -> None:  # the threads start only once every task is submitted
            started.append(self)

    pool = Workers(size=2, backlog=1, idle_s=0.2)
    monkeypatch.setattr(workers, "threading", SimpleNamespace(Thread=Later))  # this module only
    done: list[int] = []
    for n in range(3):  # two will run, one waits: all three fit
        pool.submit(functools.partial(done.append, n))
    with pytest.raises(Conflict, match="busy"):
        pool.submit(functools.partial(done.append, 99))
    assert len(started) == 2
    for thread in started:
        threading.Thread.start(thread)
    for thread in started:
        thread.join(5)
    assert sorted(done) == [0, 1, 2]
