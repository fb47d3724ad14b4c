"""Properties of the profile expression language's parser (``risk.expressions``).

Whatever text an analyst (or an attacker) types: compiling it never runs any of it, and it either
compiles or is refused with :class:`ExpressionError` carrying a position inside the text, which
its message repeats. Texts come from three sources: any Unicode, sequences of the language's
own tokens, and sequences that mix in Python that would run code if it were ever evaluated.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from borderlink.errors import ExpressionError
from borderlink.risk.expressions import FIELDS, Compiled, compile_expression

CANARY = "__borderlink_canary__"
TOKENS = [
    *FIELDS,
    *("and", "or", "not", "in", "not in", "==", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/"),
    *("(", ")", "[", "]", ",", '"85"', "'CN'", "0.5", "3", "-1", "True", "None", "1e400"),
    "ref.median_unit_value(hs6, origin)",
]
DANGEROUS = [
    f"{CANARY}()",
    f"{CANARY}.__class__",
    f"[{CANARY}() for x in [1]]",
    f"(lambda: {CANARY}())()",
    f"(x := {CANARY}())",
    f'f"{{{CANARY}()}}"',
    f"__import__('os').system('{CANARY}')",
    "().__class__.__bases__[0].__subclasses__()",
    "open('/etc/passwd')",
    "hs6[0]",
    "2 ** 100000",
    "hs6.__len__()",
]
GRAMMAR = st.lists(st.sampled_from(TOKENS), min_size=1, max_size=12).map(" ".join)
HOSTILE = st.lists(st.sampled_from(TOKENS + DANGEROUS), min_size=1, max_size=8).map(" ".join)


@pytest.fixture(autouse=True)
def canary(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """A builtin that records being reached: evaluating any text would find and call it."""
    calls: list[str] = []

    def called(*args: object, **kwargs: object) -> None:
        calls.append("called")

    monkeypatch.setattr(builtins, CANARY, called, raising=False)
    yield calls
    assert not calls, "an expression was executed while compiling"


def _refusal(text: str) -> ExpressionError | None:
    try:
        compiled = compile_expression(text)
    except ExpressionError as error:
        return error
    assert isinstance(compiled, Compiled)
    assert compiled.text == text
    return None


def _check(text: str) -> None:
    error = _refusal(text)
    if error is None:
        return
    assert error.position is not None
    assert 0 <= error.position <= len(text), (text, error.position)
    assert error.detail.endswith(f"at position {error.position}")
    assert error.field == "expression"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_any_text_compiles_or_is_refused_with_a_position(text: str) -> None:
    _check(text)


@settings(max_examples=200, deadline=None)
@given(GRAMMAR)
def test_token_soup_compiles_or_is_refused_with_a_position(text: str) -> None:
    _check(text)


@settings(max_examples=200, deadline=None)
@given(HOSTILE)
def test_code_that_would_run_if_evaluated_never_runs(text: str) -> None:
    _check(text)


@pytest.mark.parametrize("text", DANGEROUS)
def test_each_dangerous_form_is_refused(text: str) -> None:
    with pytest.raises(ExpressionError):
        compile_expression(f'hs6 == "851713" and {text}')
