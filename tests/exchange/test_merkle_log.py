from __future__ import annotations

import hashlib

import pytest

from borderlink.exchange.merkle_log import (
    EMPTY_ROOT,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root,
    verify_consistency,
    verify_inclusion,
)


def _leaves(n: int) -> list[bytes]:
    return [leaf_hash(f"entry {i}".encode()) for i in range(n)]


def _mth(d: list[bytes]) -> bytes:
    """RFC 6962's recursive definition, as a reference for the iterative one."""
    if not d:
        return hashlib.sha256(b"").digest()
    if len(d) == 1:
        return d[0]
    k = 1
    while k * 2 < len(d):
        k *= 2
    return node_hash(_mth(d[:k]), _mth(d[k:]))


def test_leaf_and_node_hashes_use_the_rfc_6962_prefixes() -> None:
    assert leaf_hash(b"") == hashlib.sha256(b"\x00").digest()
    assert node_hash(b"a", b"b") == hashlib.sha256(b"\x01ab").digest()
    assert root([]) == EMPTY_ROOT


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 7, 8, 9, 31, 64, 100])
def test_root_matches_the_recursive_definition(n: int) -> None:
    assert root(_leaves(n)) == _mth(_leaves(n))


@pytest.mark.parametrize("n", [1, 2, 3, 5, 8, 13, 33])
def test_every_leaf_has_a_verifying_inclusion_proof(n: int) -> None:
    d = _leaves(n)
    r = root(d)
    for i in range(n):
        proof = inclusion_proof(i, d)
        assert verify_inclusion(i, n, d[i], proof, r)
        assert not verify_inclusion(i, n, leaf_hash(b"other"), proof, r)
        if n > 1:
            assert not verify_inclusion((i + 1) % n, n, d[i], proof, r)


@pytest.mark.parametrize("n", [2, 3, 7, 8, 12, 33])
def test_every_prefix_is_consistent_with_the_whole(n: int) -> None:
    d = _leaves(n)
    for m in range(n + 1):
        proof = consistency_proof(m, d)
        assert verify_consistency(m, n, root(d[:m]), root(d), proof)


def test_reordered_or_dropped_entries_break_consistency() -> None:
    d = _leaves(10)
    old = root(d[:6])
    reordered = [*d[:2], d[3], d[2], *d[4:]]
    dropped = d[:4] + d[5:]
    for tampered in (reordered, dropped):
        proof = consistency_proof(6, tampered)
        assert not verify_consistency(6, len(tampered), old, root(tampered), proof)


def test_a_fork_with_the_same_size_is_not_consistent() -> None:
    d = _leaves(8)
    forked = [*d[:7], leaf_hash(b"forged")]
    assert not verify_consistency(8, 8, root(d), root(forked), [])
    assert not verify_consistency(5, 8, root(d[:5]), root(forked), consistency_proof(5, d))
