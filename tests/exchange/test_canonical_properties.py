"""Property: our canonical JSON (``exchange.envelope.canonical``) is RFC 8785's, for any JSON.

``canonical`` takes a fast path through ``json.dumps`` for values it judges plain (no floats,
ASCII keys, integers within IEEE double range) and hands the rest to the ``rfc8785`` package;
whichever path a value takes, the bytes must be the reference implementation's, or both must
refuse the value.
"""

from __future__ import annotations

import json
from typing import Any

import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from borderlink.exchange.envelope import canonical

# JSON text is Unicode scalar values: lone surrogates cannot be encoded as UTF-8 at all.
TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
KEYS = st.one_of(TEXT, st.text(st.characters(max_codepoint=127), max_size=6))
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1),
    st.integers(),  # beyond 2**53 too: both must refuse those alike
    st.floats(allow_nan=False, allow_infinity=False),
    TEXT,
)
JSON = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(KEYS, children, max_size=4),
    max_leaves=25,
)


def _outcome(function: Any, value: Any) -> bytes | type[BaseException]:
    try:
        result: bytes = function(value)
    except Exception as error:  # the refusal's kind is what must agree
        return type(error)
    return result


@settings(max_examples=150, deadline=None)
@given(JSON)
def test_canonical_bytes_are_rfc8785s(value: Any) -> None:
    assert _outcome(canonical, value) == _outcome(rfc8785.dumps, value)


@settings(max_examples=150, deadline=None)
@given(JSON)
def test_canonical_json_reads_back_as_the_same_value(value: Any) -> None:
    try:
        encoded = canonical(value)
    except Exception:  # refused alike by the reference (the test above)
        return
    # JCS writes numbers as ECMAScript does (5.1e16 as 51000000000000000): read them as doubles.
    assert json.loads(encoded, parse_int=float) == value


@settings(max_examples=50, deadline=None)
@given(st.dictionaries(KEYS, SCALARS, max_size=6))
def test_key_order_does_not_change_the_bytes(value: dict[str, Any]) -> None:
    reordered = dict(reversed(list(value.items())))
    assert _outcome(canonical, reordered) == _outcome(canonical, value)
