"""Stored subtrees (tlog-tiles style): heads and proofs folded from them equal the RFC's own."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from borderlink.exchange.merkle_log import (
    NodeId,
    all_nodes,
    consistency_proof,
    consistency_ranges,
    fold,
    grow,
    inclusion_proof,
    inclusion_ranges,
    leaf_hash,
    range_nodes,
    ranges_hashes,
    root,
)


def _leaves(n: int) -> list[bytes]:
    return [leaf_hash(i.to_bytes(4, "big")) for i in range(n)]


def _stored(leaves: list[bytes]) -> dict[NodeId, bytes]:
    nodes: dict[NodeId, bytes] = {(0, i): h for i, h in enumerate(leaves)}
    nodes.update({(level, index): h for level, index, h in all_nodes(leaves)})
    return nodes


@settings(max_examples=150, deadline=None)
@given(st.integers(min_value=0, max_value=300), st.data())
def test_heads_and_proofs_from_stored_subtrees_match(size: int, data: st.DataObject) -> None:
    leaves = _leaves(size)
    nodes = _stored(leaves)
    assert fold([nodes[n] for n in range_nodes(0, size)]) == root(leaves)
    assert len(range_nodes(0, size)) <= max(1, size.bit_length())
    if size:
        index = data.draw(st.integers(min_value=0, max_value=size - 1))
        assert ranges_hashes(inclusion_ranges(index, size), nodes) == inclusion_proof(index, leaves)
    first = data.draw(st.integers(min_value=0, max_value=size))
    assert ranges_hashes(consistency_ranges(first, size), nodes) == consistency_proof(first, leaves)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=40), max_size=8))
def test_growing_in_batches_stores_every_subtree_once(batches: list[int]) -> None:
    """Appending in any batches writes the same subtrees as building the tree at once."""
    size = 0
    frontier: list[bytes] = []
    made: list[tuple[int, int, bytes]] = []
    for n in batches:
        new, frontier = grow(size, frontier, _leaves(size + n)[size:])
        made += new
        size += n
    leaves = _leaves(size)
    assert sorted(made) == sorted(all_nodes(leaves))
    assert fold(frontier) == root(leaves)


def test_proof_reads_are_logarithmic() -> None:
    size = 1_000_003
    for index in (0, 517_000, size - 1):
        reads = sum(len(range_nodes(a, b)) for a, b in inclusion_ranges(index, size))
        assert reads <= 2 * size.bit_length()
    reads = sum(len(range_nodes(a, b)) for a, b in consistency_ranges(333_333, size))
    assert reads <= 2 * size.bit_length()
