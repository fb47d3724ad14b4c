"""The verifiable log's proofs: RFC 6962/9162 known-answer vectors, and properties of random trees.

The vectors are transparency-dev/merkle's (``../shared/data/merkle-vectors/``; the tests skip
without them): for each case, our verifier accepts exactly the happy paths and refuses every
mutated proof. The happy paths are proofs over the RFC 6962 test tree, whose eight leaves are
known, so our own proofs must come out byte for byte the same. Then hypothesis: in random trees
every inclusion and consistency proof we make verifies, and a mutated one does not.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from borderlink.exchange.merkle_log import (
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    root,
    verify_consistency,
    verify_inclusion,
)

# RFC 6962's reference test tree (as in Certificate Transparency's and transparency-dev's tests).
RFC6962_LEAVES = [
    bytes.fromhex(h)
    for h in (
        *("", "00", "10", "2021", "3031", "40414243", "5051525354555657"),
        "606162636465666768696a6b6c6d6e6f",
    )
]
HASHES = [leaf_hash(data) for data in RFC6962_LEAVES]


def _cases(shared_data: Path, kind: str) -> list[tuple[str, dict[str, Any]]]:
    folder = shared_data / "merkle-vectors" / "testdata" / kind
    if not folder.is_dir():
        pytest.skip(f"no {kind} vectors at {folder}")
    cases = [
        (str(path.relative_to(folder)), json.loads(path.read_text(encoding="utf-8")))
        for path in sorted(folder.rglob("*.json"))
    ]
    assert cases, f"no vectors under {folder}"
    return cases


def _b64(text: str) -> bytes:
    return base64.b64decode(text)


def test_inclusion_vectors(shared_data: Path) -> None:
    wrong = []
    for name, case in _cases(shared_data, "inclusion"):
        proof = [_b64(p) for p in case["proof"] or []]
        index, size = case["leafIdx"], case["treeSize"]
        ok = verify_inclusion(index, size, _b64(case["leafHash"]), proof, _b64(case["root"]))
        if ok == case["wantErr"]:
            wrong.append(f"{name} ({case['desc']}): verified={ok}")
        if case["desc"] == "happy path" and size <= len(HASHES):  # over the RFC 6962 tree
            tree = HASHES[:size]
            assert _b64(case["leafHash"]) == tree[index], name
            assert root(tree) == _b64(case["root"]), name
            assert inclusion_proof(index, tree) == proof, name
    assert not wrong, "\n".join(wrong)


def test_consistency_vectors(shared_data: Path) -> None:
    wrong = []
    for name, case in _cases(shared_data, "consistency"):
        proof = [_b64(p) for p in case["proof"] or []]
        first, second = case["size1"], case["size2"]
        ok = verify_consistency(first, second, _b64(case["root1"]), _b64(case["root2"]), proof)
        if ok == case["wantErr"]:
            wrong.append(f"{name} ({case['desc']}): verified={ok}")
        if case["desc"] == "happy path" and second <= len(HASHES):  # over the RFC 6962 tree
            assert root(HASHES[:second]) == _b64(case["root2"]), name
            assert consistency_proof(first, HASHES[:second]) == proof, name
    assert not wrong, "\n".join(wrong)


# --- random trees ---------------------------------------------------------------------------

# Distinct leaves: with two equal leaves, swapping their positions is no mutation at all.
LEAVES = st.lists(st.binary(max_size=8), min_size=1, max_size=40, unique=True).map(
    lambda data: [leaf_hash(d) for d in data]
)


def _flip(proof: list[bytes], element: int, bit: int) -> list[bytes]:
    changed = bytearray(proof[element])
    changed[bit // 8] ^= 1 << (bit % 8)
    return [*proof[:element], bytes(changed), *proof[element + 1 :]]


@settings(max_examples=150, deadline=None)
@given(LEAVES, st.data())
def test_every_inclusion_proof_verifies_and_a_mutated_one_does_not(
    leaves: list[bytes], data: st.DataObject
) -> None:
    size = len(leaves)
    index = data.draw(st.integers(0, size - 1), label="index")
    proof, head = inclusion_proof(index, leaves), root(leaves)
    assert verify_inclusion(index, size, leaves[index], proof, head)

    other = data.draw(
        st.integers(0, size - 1).filter(lambda i: i != index) if size > 1 else st.none()
    )
    if other is not None:
        assert not verify_inclusion(other, size, leaves[index], proof, head)
        assert not verify_inclusion(index, size, leaves[other], proof, head)
    assert not verify_inclusion(index, size, leaves[index], [*proof, head], head)
    if proof:
        element = data.draw(st.integers(0, len(proof) - 1), label="element")
        bit = data.draw(st.integers(0, 255), label="bit")
        assert not verify_inclusion(index, size, leaves[index], _flip(proof, element, bit), head)
        assert not verify_inclusion(index, size, leaves[index], proof[:-1], head)
    assert not verify_inclusion(index, size, leaves[index], proof, leaf_hash(head))


@settings(max_examples=150, deadline=None)
@given(LEAVES, st.data())
def test_every_consistency_proof_verifies_and_a_mutated_one_does_not(
    leaves: list[bytes], data: st.DataObject
) -> None:
    second = len(leaves)
    first = data.draw(st.integers(0, second), label="first")
    proof = consistency_proof(first, leaves)
    old, new = root(leaves[:first]), root(leaves)
    assert verify_consistency(first, second, old, new, proof)

    if 0 < first < second:  # a real proof: every part of it matters
        element = data.draw(st.integers(0, len(proof) - 1), label="element")
        bit = data.draw(st.integers(0, 255), label="bit")
        assert not verify_consistency(first, second, old, new, _flip(proof, element, bit))
        assert not verify_consistency(first, second, old, new, proof[:-1])
        assert not verify_consistency(first, second, old, new, [*proof, new])
        assert not verify_consistency(first, second, leaf_hash(old), new, proof)
        assert not verify_consistency(first, second, old, leaf_hash(new), proof)
    if first < second:  # a tree that is not a prefix: another leaf where one was
        forked = [*leaves[: second - 1], leaf_hash(leaves[-1])]
        if first > 0:
            assert not verify_consistency(first, second, old, root(forked), proof)
