"""What a running node keeps in memory between calls, in one object: :class:`Runtime`.

The node owns it (``node.runtime``), so two nodes in one process (tests, the partner demo) never
share state, and nothing of it lives in module globals. It holds:

- ``models``: the loaded risk models by version, a bounded LRU (:class:`BoundedCache`); a retrain
  releases its predecessor (:meth:`Runtime.release_model`);
- ``rules``: compiled agency routing rules, by rule set (also bounded);
- ``profiles``: the current risk profiles, compiled, by the profile table's state (how many
  versions, the newest's time): scoring one declaration reads that state, not 500 profiles,
  and compiles nothing until an analyst saves one;
- ``cutoffs``: the risk cut-offs read from recent scores, per model and shares, with the time
  they were read;
- the read connection a thread holds inside ``Node.reading``
  (thread-local: the reads of one score share it);
- ``log_lock``: serialises this node's appends to its verifiable log within the process;
- the score batcher (:meth:`Runtime.batcher`), made on first use;
- ``dummy_hashes``: a password hash per hashing profile that unknown usernames are checked
  against, so a sign-in costs the same whether or not the name exists;
- the TLS context partner calls verify with (:meth:`Runtime.tls_context`), made once: building
  one loads the CA bundle (~30-40 ms), which every notice and sync paid before;
- the pool of worker threads that runs background jobs (:meth:`Runtime.workers`, bounded: see
  :mod:`borderlink.services.workers`).
"""

from __future__ import annotations

import ssl
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from sqlalchemy import Connection

from borderlink import risk
from borderlink.coordination import AgencyRule, CompiledRule
from borderlink.services.risk.batcher import ScoreBatcher
from borderlink.services.workers import Workers

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

MODEL_CACHE_SIZE = 4  # models loaded at once; one is ~10-50 MB of trees and feature state
RULE_CACHE_SIZE = 16  # compiled routing rule sets (a new set each time the rules change)
PROFILE_CACHE_SIZE = 4  # compiled profile sets (the newest is the one in use)


class BoundedCache(Generic[K, V]):
    """A thread-safe least-recently-used cache holding at most ``size`` values."""

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError("a cache holds at least one value")
        self.size = size
        self._values: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K, load: Callable[[], V]) -> V:
        """The value for ``key``, loaded (outside the lock) when it is not held."""
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
        # Loading a model takes a while: other keys stay readable meanwhile. Two threads may
        # load the same key at once; the values are equal (immutable, hash-checked).
        value = load()
        with self._lock:
            self._values[key] = value
            self._values.move_to_end(key)
            while len(self._values) > self.size:
                self._values.popitem(last=False)
        return value

    def discard(self, key: K) -> None:
        with self._lock:
            self._values.pop(key, None)

    def keys(self) -> list[K]:
        """Held keys, least recently used first."""
        with self._lock:
            return list(self._values)

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return key in self._values

    def __len__(self) -> int:
        with self._lock:
            return len(self._values)


# (model version, red share, yellow share) -> (monotonic time read, red cut-off, yellow cut-off)
CutoffKey = tuple[str, float, float]
Cutoffs = tuple[float, float, float]


@dataclass
class Runtime:
    """A node's in-process state; see the module docstring."""

    model_cache_size: int = MODEL_CACHE_SIZE
    models: BoundedCache[str, risk.RiskModel] = field(init=False)
    rules: BoundedCache[tuple[AgencyRule, ...], list[CompiledRule]] = field(init=False)
    profiles: BoundedCache[Hashable, list[risk.CompiledProfile]] = field(init=False)
    cutoffs: dict[CutoffKey, Cutoffs] = field(default_factory=dict)
    log_lock: threading.Lock = field(default_factory=threading.Lock)
    dummy_hashes: dict[str, str] = field(default_factory=dict)
    _batcher: ScoreBatcher | None = field(default=None, init=False)
    _tls: ssl.SSLContext | None = field(default=None, init=False)
    _workers: Workers | None = field(default=None, init=False)
    _guard: threading.Lock = field(default_factory=threading.Lock, init=False)
    # The read connection a thread holds inside ``Node.reading`` (per thread: a connection is
    # never shared between threads).
    _reader: threading.local = field(default_factory=threading.local, init=False)

    def __post_init__(self) -> None:
        self.models = BoundedCache(self.model_cache_size)
        self.rules = BoundedCache(RULE_CACHE_SIZE)
        self.profiles = BoundedCache(PROFILE_CACHE_SIZE)

    def batcher(self, make: Callable[[], ScoreBatcher]) -> ScoreBatcher:
        """The node's score batcher, made by ``make`` on first use (one per node)."""
        with self._guard:
            if self._batcher is None:
                self._batcher = make()
            return self._batcher

    def tls_context(self, make: Callable[[], ssl.SSLContext]) -> ssl.SSLContext:
        """The node's TLS context for calls to partners, made by ``make`` on first use."""
        with self._guard:
            if self._tls is None:
                self._tls = make()
            return self._tls

    def workers(self) -> Workers:
        """The node's pool of job threads, made on first use (its threads start with work)."""
        with self._guard:
            if self._workers is None:
                self._workers = Workers()
            return self._workers

    def dummy_hash(self, kind: str, make: Callable[[], str]) -> str:
        with self._guard:
            if kind not in self.dummy_hashes:
                self.dummy_hashes[kind] = make()
            return self.dummy_hashes[kind]

    def held_reader(self) -> Connection | None:
        """The read connection this thread holds (``Node.reading``), if any."""
        held: Connection | None = getattr(self._reader, "conn", None)
        return held

    def hold_reader(self, conn: Connection | None) -> None:
        self._reader.conn = conn

    def release_model(self, version: str) -> None:
        """Forget a model (a retrain superseded it) and the cut-offs read for it."""
        self.models.discard(version)
        with self._guard:
            for key in [k for k in self.cutoffs if k[0] == version]:
                del self.cutoffs[key]
