"""A verifiable log in the manner of RFC 9162 (Certificate Transparency 2.0), over SHA-256.

Leaves are hashed ``SHA-256(0x00 || data)`` and interior nodes ``SHA-256(0x01 || left || right)``
(the RFC 6962 prefixes, so a leaf can never pass for a node). Given the leaf hashes in order,
this module computes the tree head, inclusion proofs (a leaf is in the tree) and consistency
proofs (an earlier tree is a prefix of a later one), and verifies both as RFC 9162 §2.1.3.2 and
§2.1.4.2 describe. Pure functions; storage is in ``services.exchange.log``.

At scale the log does not hand over every leaf: like tlog-tiles it keeps the hash of every
complete (perfect) subtree, written once when its last leaf is appended (:func:`grow`). A node
``(level, index)`` covers leaves ``[index * 2**level, (index + 1) * 2**level)``. Any tree hash,
proof element or head is then a fold of at most ``log2(n)`` stored nodes: :func:`range_nodes`
names them, :func:`inclusion_ranges` / :func:`consistency_ranges` name the ranges a proof is
made of, and :func:`fold` combines stored hashes into a range's hash.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from borderlink.errors import IntegrityFailure

EMPTY_ROOT = hashlib.sha256(b"").digest()
HASH_SIZE = len(EMPTY_ROOT)


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than ``n`` (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def root(leaves: Sequence[bytes]) -> bytes:
    """MTH(D[n]): the Merkle tree hash of the leaf hashes ``leaves``."""
    n = len(leaves)
    if n == 0:
        return EMPTY_ROOT
    level = list(leaves)
    # Bottom-up: pair neighbours; an odd last node is promoted unchanged (same as the recursion).
    while len(level) > 1:
        nxt = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0]


def inclusion_proof(index: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PATH(m, D[n]): the audit path of leaf ``index`` in the tree of ``leaves``."""
    if not 0 <= index < len(leaves):
        raise ValueError(f"leaf {index} is not in a tree of size {len(leaves)}")
    return _path(index, leaves)


def _path(m: int, d: Sequence[bytes]) -> list[bytes]:
    n = len(d)
    if n == 1:
        return []
    k = _split(n)
    if m < k:
        return [*_path(m, d[:k]), root(d[k:])]
    return [*_path(m - k, d[k:]), root(d[:k])]


def consistency_proof(first: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PROOF(m, D[n]): shows the tree of the first ``first`` leaves is a prefix of ``leaves``."""
    if not 0 <= first <= len(leaves):
        raise ValueError(f"size {first} is not within a tree of size {len(leaves)}")
    if first in (0, len(leaves)):
        return []
    return _subproof(first, leaves, True)


def _subproof(m: int, d: Sequence[bytes], complete: bool) -> list[bytes]:
    n = len(d)
    if m == n:
        return [] if complete else [root(d)]
    k = _split(n)
    if m <= k:
        return [*_subproof(m, d[:k], complete), root(d[k:])]
    return [*_subproof(m - k, d[k:], False), root(d[:k])]


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], expected_root: bytes
) -> bool:
    """RFC 9162 §2.1.3.2: does ``proof`` show ``leaf`` at ``index`` in the tree with this root?"""
    if index >= size or index < 0 or len(leaf) != HASH_SIZE:  # a short leaf could pass for a root
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == expected_root


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> bool:
    """RFC 9162 §2.1.4.2: is the tree (first, first_root) a prefix of (second, second_root)?

    The empty tree is a prefix of every tree, without a proof, but its root is the hash of
    nothing: a head of size 0 with any other root is refused, as is a malformed later root.
    """
    if first > second or first < 0:
        return False
    if (first == 0 and first_root != EMPTY_ROOT) or (second == 0 and second_root != EMPTY_ROOT):
        return False
    if first == second:
        return not proof and first_root == second_root
    if first == 0:
        return not proof and len(second_root) == HASH_SIZE
    if not proof:
        return False
    path = list(proof)
    if first & (first - 1) == 0:  # an exact power of two: the first root is the path's start
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == first_root and sr == second_root


# --- stored subtrees (tlog-tiles style) ------------------------------------------------------

NodeId = tuple[int, int]  # (level, index): the perfect subtree of 2**level leaves at index


def range_nodes(start: int, end: int) -> list[NodeId]:
    """The perfect subtrees MTH(D[start:end]) is made of, left to right (as RFC 6962 splits it).

    ``start`` is aligned as in the RFC's recursion (a multiple of each left part's size), which
    holds for every range a head or proof asks for.
    """
    out: list[NodeId] = []
    while start < end:
        n = end - start
        k = n if n & (n - 1) == 0 else _split(n)
        level = k.bit_length() - 1
        if start % k:
            raise ValueError(f"range [{start}, {end}) is not aligned as a subtree")
        out.append((level, start >> level))
        start += k
    return out


def fold(hashes: Sequence[bytes]) -> bytes:
    """The hash of a range from its :func:`range_nodes` hashes: H(s1, H(s2, ... H(sk-1, sk)))."""
    if not hashes:
        return EMPTY_ROOT
    acc = hashes[-1]
    for h in reversed(hashes[:-1]):
        acc = node_hash(h, acc)
    return acc


def inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """The leaf ranges whose hashes make PATH(index, D[size]), in proof order (leaf upward)."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of size {size}")
    out: list[tuple[int, int]] = []
    start, n, m = 0, size, index
    while n > 1:
        k = _split(n)
        if m < k:
            out.append((start + k, start + n))
            n = k
        else:
            out.append((start, start + k))
            start, m, n = start + k, m - k, n - k
    return out[::-1]


def consistency_ranges(first: int, size: int) -> list[tuple[int, int]]:
    """The leaf ranges whose hashes make PROOF(first, D[size]), in proof order."""
    if not 0 <= first <= size:
        raise ValueError(f"size {first} is not within a tree of size {size}")
    if first in (0, size):
        return []
    out: list[tuple[int, int]] = []
    start, n, m, complete = 0, size, first, True
    while m != n:
        k = _split(n)
        if m <= k:
            out.append((start + k, start + n))
            n = k
        else:
            out.append((start, start + k))
            start, m, n, complete = start + k, m - k, n - k, False
    if not complete:
        out.append((start, start + n))
    return out[::-1]


def ranges_hashes(ranges: Sequence[tuple[int, int]], nodes: Mapping[NodeId, bytes]) -> list[bytes]:
    """Each range's hash from the stored ``nodes`` (which must hold its :func:`range_nodes`)."""
    return [fold([nodes[n] for n in range_nodes(a, b)]) for a, b in ranges]


def grow(
    size: int, frontier: Sequence[bytes], leaves: Sequence[bytes]
) -> tuple[list[tuple[int, int, bytes]], list[bytes]]:
    """Append ``leaves`` to a tree of ``size``: the subtrees they complete, and the new frontier.

    ``frontier``: the hashes of ``range_nodes(0, size)`` (the tree's compact range). Returns
    ``(level, index, hash)`` for every perfect subtree of level >= 1 the new leaves complete, and
    the compact range of the grown tree.
    """
    stack = [(level, h) for (level, _), h in zip(range_nodes(0, size), frontier, strict=True)]
    made: list[tuple[int, int, bytes]] = []
    for i, leaf in enumerate(leaves):
        pos, level = size + i, 0
        stack.append((0, leaf))
        while pos & 1:  # this node is a right child: its pair is complete
            parent = node_hash(stack[-2][1], stack[-1][1])
            pos, level = pos >> 1, level + 1
            stack[-2:] = [(level, parent)]
            made.append((level, pos, parent))
    return made, [h for _, h in stack]


def all_nodes(leaves: Sequence[bytes]) -> list[tuple[int, int, bytes]]:
    """Every perfect subtree of level >= 1 over ``leaves`` (to check or rebuild what is stored)."""
    return grow(0, [], leaves)[0]


@dataclass(frozen=True)
class TreeHead:
    """A tree head: a log's size and root at a moment, as signed by its node."""

    node_id: str
    tree_size: int
    root_hash: str  # hex
    timestamp: str  # RFC 3339

    def payload(self) -> dict[str, object]:
        return {
            "sender": self.node_id,
            "tree_size": self.tree_size,
            "root_hash": self.root_hash,
            "timestamp": self.timestamp,
        }


def check_witness(held: TreeHead | None, new: TreeHead, proof: Sequence[bytes]) -> None:
    """Refuse a partner's new tree head unless it extends the one held (a fork otherwise)."""
    if held is None:
        return
    if new.tree_size < held.tree_size:
        raise IntegrityFailure(
            f"log of {new.node_id} shrank from {held.tree_size} to {new.tree_size} entries"
        )
    ok = verify_consistency(
        held.tree_size,
        new.tree_size,
        bytes.fromhex(held.root_hash),
        bytes.fromhex(new.root_hash),
        proof,
    )
    if not ok:
        raise IntegrityFailure(
            f"forked tree head: log of {new.node_id} at size {new.tree_size} is not consistent "
            f"with the head held at size {held.tree_size}"
        )
