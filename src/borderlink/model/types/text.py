"""Text: plain text, identifiers and short codes; no NUL, no control or invisible characters, NFC.

Invisible characters are refused rather than removed: a zero-width space inside a trader's name
is how a name slips past a watchlist, so a person should see the record, not a silent repair.
The zero-width (non-)joiners stay allowed: Persian, Indic and emoji text needs them.
"""

from __future__ import annotations

import polars as pl

from borderlink.model.types._base import ValueType

# Controls (Cc) except tab, line feed and carriage return; format characters (Cf: zero-width
# space, bidi overrides, BOM, soft hyphen, tags, ...) except the joiners; line/paragraph separators.
FORBIDDEN = r"[[\p{Cc}--[\t\n\r]][\p{Cf}--[\x{200C}\x{200D}]]\x{2028}\x{2029}]"
# Identifiers are one line: no tab or newline either.
FORBIDDEN_IN_ID = r"[\p{Cc}[\p{Cf}--[\x{200C}\x{200D}]]\x{2028}\x{2029}]"


class TextType(ValueType):
    name = "text"
    description = "Plain text: Unicode in NFC form, without control or invisible characters"
    reason = "invalid_character"
    message = "control or invisible character in {value!r}"
    forbidden = FORBIDDEN

    def normalise(self, text: pl.Expr) -> pl.Expr:
        # ASCII is NFC already; telling it apart costs a fraction of normalising every value.
        ascii_only = text.str.len_bytes() == text.str.len_chars()
        return pl.when(ascii_only).then(text).otherwise(text.str.normalize("NFC"))

    def invalid(self, text: pl.Expr) -> pl.Expr:
        # Normalisation cannot add a forbidden character: judge the raw text, skip the NFC pass.
        return text.str.contains(self.forbidden).fill_null(False)


class IdentifierType(TextType):
    name = "identifier"
    description = (
        "An identifier (reference, trader or office number): one line of plain text, "
        "without surrounding spaces"
    )
    forbidden = FORBIDDEN_IN_ID
    example = "IMP-000123"

    def normalise(self, text: pl.Expr) -> pl.Expr:
        # "IMP1 " and "IMP1" are one trader: an export's padding must not make two.
        return super().normalise(text).str.strip_chars(" ")


class CodeType(IdentifierType):
    """A short code from a code list (declaration type, procedure): compared in upper case."""

    name = "code"
    description = "A code from a code list, in upper case"
    example = "IM"

    def normalise(self, text: pl.Expr) -> pl.Expr:
        return text.str.strip_chars(" ").str.to_uppercase()
