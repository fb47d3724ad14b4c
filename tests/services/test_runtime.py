"""The node's runtime: a bounded LRU cache, a batcher made once, state per node."""

from __future__ import annotations

import pytest

from borderlink.services.risk.batcher import ScoreBatcher
from borderlink.services.runtime import BoundedCache, Runtime


def test_the_cache_holds_at_most_its_size_and_drops_the_least_recently_used() -> None:
    cache: BoundedCache[str, int] = BoundedCache(2)
    loads: list[str] = []

    def load(key: str) -> int:
        loads.append(key)
        return len(loads)

    assert cache.get("a", lambda: load("a")) == 1
    assert cache.get("b", lambda: load("b")) == 2
    assert cache.get("a", lambda: load("a")) == 1  # held: not loaded again, and now recent
    cache.get("c", lambda: load("c"))
    assert cache.keys() == ["a", "c"]  # b was the least recently used
    assert len(cache) == 2
    cache.discard("a")
    cache.discard("never-held")
    assert cache.keys() == ["c"]
    assert loads == ["a", "b", "c"]
    with pytest.raises(ValueError, match="at least one"):
        BoundedCache(0)


def test_each_runtime_has_its_own_state_and_one_batcher() -> None:
    one, two = Runtime(), Runtime()
    assert one.log_lock is not two.log_lock
    assert one.models is not two.models
    made = one.batcher(lambda: ScoreBatcher(score_many=lambda ids: {}))
    assert one.batcher(lambda: ScoreBatcher(score_many=lambda ids: {})) is made
    assert two.batcher(lambda: ScoreBatcher(score_many=lambda ids: {})) is not made
    one.cutoffs[("m1", 0.1, 0.2)] = (0.0, 0.9, 0.5)
    one.cutoffs[("m2", 0.1, 0.2)] = (0.0, 0.8, 0.4)
    one.release_model("m1")
    assert list(one.cutoffs) == [("m2", 0.1, 0.2)]
    assert one.dummy_hash("fast", lambda: "h1") == one.dummy_hash("fast", lambda: "h2") == "h1"
