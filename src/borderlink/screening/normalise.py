"""Names made comparable: any script to ASCII, case and punctuation folded, company forms set
aside, person names in reading order, titles dropped.

:func:`normalise` returns a :class:`Name`: the ``core`` tokens that carry the identity, the
company ``forms`` found (``ltd``, ``llc``, ``gmbh``, ``sa de cv``, ``ooo``, ...) in one canonical
spelling each, and the ``steps`` it applied, which a hit repeats so an analyst can see why two
spellings met. Transliteration is ``anyascii`` (ISC licence): Cyrillic ``OOO Romashka`` written in
Cyrillic comes out as ``OOO Romashka``, Arabic ``Muhammad`` as ``mhmd``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from types import MappingProxyType

from anyascii import anyascii

Schema = str  # Person, Company, Organization, LegalEntity, Vessel, Airplane (FollowTheMoney)

PERSON = "Person"
ORGANISATIONS = frozenset({"Company", "Organization", "LegalEntity", "PublicBody"})

# Spelled-out legal forms and abbreviations -> one canonical token. Multi-word forms are
# matched as token sequences before single tokens, longest first.
_FORMS: tuple[tuple[str, str], ...] = (
    ("obshchestvo s ogranichennoy otvetstvennostyu", "ooo"),
    ("obshchestvo s ogranichennoi otvetstvennostiu", "ooo"),
    ("sociedad anonima de capital variable", "sa de cv"),
    ("limited liability company", "llc"),
    ("limited liability partnership", "llp"),
    ("public joint stock company", "pjsc"),
    ("closed joint stock company", "cjsc"),
    ("open joint stock company", "ojsc"),
    ("joint stock company", "jsc"),
    ("public limited company", "plc"),
    ("private limited", "pvt ltd"),
    ("sa de cv", "sa de cv"),
    ("s de rl de cv", "s de rl de cv"),
    ("s de rl", "s de rl"),
    ("co ltd", "co ltd"),
    ("pte ltd", "pte ltd"),
    ("pvt ltd", "pvt ltd"),
    ("sdn bhd", "sdn bhd"),
    ("gmbh co kg", "gmbh co kg"),
    ("fz llc", "fz llc"),
    ("l l c", "llc"),
)
_SINGLE_FORMS: MappingProxyType[str, str] = MappingProxyType(
    {
        "ltd": "ltd",
        "limited": "ltd",
        "llc": "llc",
        "inc": "inc",
        "incorporated": "inc",
        "corp": "corp",
        "corporation": "corp",
        "co": "co",
        "company": "co",
        "plc": "plc",
        "gmbh": "gmbh",
        "ag": "ag",
        "kg": "kg",
        "sa": "sa",
        "sas": "sas",
        "sarl": "sarl",
        "srl": "srl",
        "spa": "spa",
        "bv": "bv",
        "nv": "nv",
        "ooo": "ooo",
        "zao": "zao",
        "oao": "oao",
        "ao": "ao",
        "pao": "pao",
        "jsc": "jsc",
        "pjsc": "pjsc",
        "cjsc": "cjsc",
        "ojsc": "ojsc",
        "llp": "llp",
        "lp": "lp",
        "fze": "fze",
        "fzco": "fzco",
        "fzc": "fzc",
        "pte": "pte",
        "pvt": "pvt",
        "bhd": "bhd",
        "kft": "kft",
        "sro": "sro",
        "as": "as",
        "ab": "ab",
        "oy": "oy",
        "sl": "sl",
        "cia": "co",
        "compania": "co",
        "societe": "co",
        "sociedad": "co",
    }
)
# Words that say who someone is, not which one: dropped from person names.
_TITLES = frozenset(
    {"mr", "mrs", "ms", "miss", "dr", "prof", "sir", "sheikh", "shaykh", "haji", "hajji", "gen",
     "col", "maj", "capt", "lt", "general", "colonel", "mullah", "mawlawi", "maulvi"}
)  # fmt: skip
# first word -> the multi-word forms starting with it, longest first
_FORM_SEQUENCES: MappingProxyType[str, tuple[tuple[tuple[str, ...], str], ...]] = MappingProxyType(
    {
        first: tuple(
            sorted(
                ((tuple(k.split()), v) for k, v in _FORMS if k.split()[0] == first),
                key=lambda kv: -len(kv[0]),
            )
        )
        for first in {k.split()[0] for k, _ in _FORMS}
    }
)
_FORM_PIECES = frozenset(
    {piece for form, _ in _FORMS for piece in form.split()} | set(_SINGLE_FORMS)
)
_NOT_WORD = re.compile(r"[^a-z0-9]+")
# apostrophes of every kind: "O'Brien" is one word
_APOSTROPHE = re.compile("[\u2019'`\u00b4\u02bc\u02bb]")


@dataclass(frozen=True, slots=True)
class Name:
    """A name ready to compare: ``core`` tokens (identity), ``forms`` (legal forms set aside),
    ``steps`` (the normalisations applied, for the explanation). ``text``, ``sorted_text`` and
    ``joined`` are derived once here, as every comparison needs them."""

    original: str
    core: tuple[str, ...]
    forms: tuple[str, ...] = ()
    steps: tuple[str, ...] = ()
    text: str = field(init=False)
    sorted_text: str = field(init=False)
    joined: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", " ".join(self.core))
        object.__setattr__(self, "sorted_text", " ".join(sorted(self.core)))
        object.__setattr__(self, "joined", "".join(self.core))


def fold(text: str) -> tuple[str, bool]:
    """Lower-case ASCII words separated by single spaces; whether transliteration changed a
    character that was not a plain Latin letter with accents."""
    if text.isascii():
        return _NOT_WORD.sub(" ", _APOSTROPHE.sub("", text.lower())).strip(), False
    nfc = unicodedata.normalize("NFKC", text)
    ascii_text = _APOSTROPHE.sub("", anyascii(nfc).lower())
    decomposed = unicodedata.normalize("NFKD", nfc).encode("ascii", "ignore").decode()
    folded = _NOT_WORD.sub(" ", ascii_text).strip()
    return folded, ascii_text != _APOSTROPHE.sub("", decomposed.lower())


def _joined_initials(tokens: list[str]) -> list[str]:
    """Runs of single letters that spell a legal form as one word: ``s a de c v`` is ``sa de
    cv``; initials of a name (``j r smith``) stay apart."""
    out: list[str] = []
    run: list[str] = []
    for token in [*tokens, ""]:
        if len(token) == 1:
            run.append(token)
            continue
        joined = "".join(run)
        out.extend([joined] if joined in _FORM_PIECES else run)
        run = []
        if token:
            out.append(token)
    return out


def _split_forms(tokens: list[str]) -> tuple[list[str], list[str]]:
    """Core tokens and the legal forms among them (sequences first, then single words); a
    name made only of form words ("AS", "Company Limited") keeps them as its core."""
    if any(len(t) == 1 for t in tokens):
        tokens = _joined_initials(tokens)
    core: list[str] = []
    forms: list[str] = []
    i = 0
    while i < len(tokens):
        for seq, form in _FORM_SEQUENCES.get(tokens[i], ()):
            if tuple(tokens[i : i + len(seq)]) == seq:
                forms.append(form)
                i += len(seq)
                break
        else:
            form_of = _SINGLE_FORMS.get(tokens[i])
            if form_of is not None:
                forms.append(form_of)
            else:
                core.append(tokens[i])
            i += 1
    return (core, forms) if core else (tokens, [])


def normalise(name: str, schema: Schema | None = None) -> Name:
    """``name`` as a :class:`Name`; ``schema`` (FollowTheMoney's) decides what applies: person
    names are reordered and lose titles, organisations lose their legal forms."""
    steps: list[str] = []
    person = schema == PERSON
    folded, transliterated = fold(name)
    surname, comma, given = name.partition(",")
    if (person or schema is None) and comma and "," not in given:
        tokens = folded.split()
        if person or not _split_forms(tokens)[1]:
            folded_given, _ = fold(given)
            folded_surname, _ = fold(surname)
            if folded_given and folded_surname:
                folded = f"{folded_given} {folded_surname}"
                steps.append("surname_first")
                person = True
    if transliterated:
        steps.append("transliterated")
    tokens = folded.split()
    forms: list[str] = []
    if not person:
        tokens, forms = _split_forms(tokens)
        if forms:
            steps.append("company_form")
    if person or schema is None:
        kept = [t for t in tokens if t not in _TITLES]
        if kept and len(kept) < len(tokens):
            steps.append("title")
            tokens = kept
    return Name(name, tuple(tokens), tuple(forms), tuple(steps))
