"""Plain text: NFC, no NUL, no control or invisible characters; identifiers are one line."""

from __future__ import annotations

import pytest

from borderlink.model import registry

TEXT, ID, CODE = registry.text, registry.identifier, registry.code


def test_text_is_normalised_to_nfc() -> None:
    assert TEXT.clean("Cafe\u0301") == "Caf\u00e9"
    assert ID.clean("Cafe\u0301") == "Caf\u00e9"


@pytest.mark.parametrize(
    "value",
    ["nul\x00here", "bell\x07", "zero\u200bwidth", "bidi\u202eoverride", "bom\ufeff", "del\x7f",
     "soft\u00adhyphen", "line\u2028sep"],
)  # fmt: skip
def test_control_and_invisible_characters_are_refused(value: str) -> None:
    assert TEXT.check(value) == (None, "invalid_character")
    assert ID.check(value) == (None, "invalid_character")


def test_scripts_keep_their_joiners_and_text_its_line_breaks() -> None:
    persian = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"  # ZWNJ is part of the word
    assert TEXT.validate(persian)
    assert ID.validate(persian)
    assert TEXT.validate("two\nlines\tand a tab")
    assert ID.check("two\nlines") == (None, "invalid_character")


def test_codes_compare_in_upper_case() -> None:
    assert CODE.clean("im") == "IM"
