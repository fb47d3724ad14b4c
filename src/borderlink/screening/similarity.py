"""How alike two normalised names are, from 0 to 1, and by which comparison.

The comparisons (rapidfuzz, all in C) each answer one kind of variant:

- ``exact``: the same core tokens after normalisation;
- ``token_sort``: the same words in another order, with typos (``Zawahiri Ayman`` / ``Ayman
  al-Zawahiri``) — the Levenshtein ratio of the sorted tokens;
- ``joined``: words run together or split (``Al Rahman`` / ``Alrahman``);
- ``initials``: a name written with initials (``J. R. Smith`` / ``John Robert Smith``);
- ``acronym``: an organisation by its initials (``BNC`` / ``Banco Nacional de Cuba``);
- ``token_subset``: a shorter form of the name (``MATAAN, Ahmed`` / ``Ahmed Hasan MATAAN``).

A different legal form costs a little (``Acme Ltd`` and ``Acme GmbH`` may be two companies);
the name decides.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz
from rapidfuzz.distance import JaroWinkler

from borderlink.screening.normalise import Name

THRESHOLD = 0.86  # the default: a score at or above it is a match
FORM_PENALTY = 0.03
_LINKING = frozenset({"de", "del", "la", "of", "the", "and", "y", "et", "for", "al", "el"})


@dataclass(frozen=True, slots=True)
class Similarity:
    score: float
    method: str


def _initials_score(short: tuple[str, ...], long: tuple[str, ...]) -> float:
    """1 when every word of ``short`` is an initial or a close spelling of the word of ``long``
    at its place (in order), and at least one full word agrees; else 0."""
    if len(short) != len(long) or not any(len(t) == 1 for t in short):
        return 0.0
    full_agree = False
    for s, t in zip(short, long, strict=True):
        if len(s) == 1 or len(t) == 1:
            if s[0] != t[0]:
                return 0.0
        elif JaroWinkler.normalized_similarity(s, t) >= 0.9:
            full_agree = True
        else:
            return 0.0
    return 0.9 if full_agree else 0.0


def _acronym_score(a: Name, b: Name) -> float:
    one, many = (a, b) if len(a.core) == 1 else (b, a)
    if len(one.core) != 1 or len(many.core) < 2 or len(one.core[0]) < 3:
        return 0.0
    letters = "".join(t[0] for t in many.core if t not in _LINKING)
    every = "".join(t[0] for t in many.core)
    return 0.88 if one.core[0] in (letters, every) else 0.0


def _initials_any_order(a: Name, b: Name) -> float:
    best = _initials_score(a.core, b.core)
    if best:
        return best
    # "SMITH, J." against "John Smith": the surname first in one of them
    if len(a.core) == len(b.core) > 1:
        return _initials_score(a.core[1:] + a.core[:1], b.core) or _initials_score(
            a.core, b.core[1:] + b.core[:1]
        )
    return 0.0


def _subset_score(a: Name, b: Name) -> float:
    """0.87 when every word (two at least) of the shorter name is, spelled closely, a word of
    the longer one, which has at most two more: ``MATAAN, Ahmed`` / ``Ahmed Hasan MATAAN``."""
    short, long = (a.core, b.core) if len(a.core) <= len(b.core) else (b.core, a.core)
    if len(short) < 2 or len(long) == len(short) or len(long) - len(short) > 2:
        return 0.0
    for token in short:
        if len(token) < 2 or not any(
            JaroWinkler.normalized_similarity(token, other) >= 0.92 for other in long
        ):
            return 0.0
    return 0.87


def similarity(a: Name, b: Name) -> Similarity:
    """The best of the comparisons above, less the form penalty when both name a legal form
    and the forms differ."""
    if not a.core or not b.core:
        return Similarity(0.0, "empty")
    if a.core == b.core or a.sorted_text == b.sorted_text:
        found = Similarity(1.0, "exact")
    else:
        candidates = (
            (fuzz.ratio(a.sorted_text, b.sorted_text) / 100, "token_sort"),
            (fuzz.ratio(a.joined, b.joined) / 100, "joined"),
            (_initials_any_order(a, b), "initials"),
            (_acronym_score(a, b), "acronym"),
            (_subset_score(a, b), "token_subset"),
        )
        score, method = max(candidates, key=lambda c: c[0])  # ties: the first, simplest
        found = Similarity(score, method)
    if a.forms and b.forms and set(a.forms).isdisjoint(b.forms):
        return Similarity(max(0.0, found.score - FORM_PENALTY), f"{found.method}+form_differs")
    return found
