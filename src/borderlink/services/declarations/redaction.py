"""Withholding party identities from readers without ``nominal:read``, everywhere they show.

A declaration view masks its party ids; so must everything derived from it. A score's reasons
name parties ("seller EX000136: past illicit rate 0%"), and so may a profile's or a partner
alert's words. :func:`redact_reasons` passes each reason through the one projection,
:func:`borderlink.cooperation.policy.redact`: its text is withheld when it is about a party
(a model reason of a party's family) or mentions one of the declaration's parties, and shows the
sentence with those ids masked instead; its message's params (the same sentence, for a page
to translate) are masked alike, or go with the words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any

from borderlink.cooperation.policy import redact
from borderlink.risk.features import ENTITY_KEYS
from borderlink.services.accounts.access import REDACTED

PARTY_COLUMNS: Mapping[str, str] = MappingProxyType(
    {
        "importer": "importer_id",
        "exporter": "exporter_id",
        "declarant": "declarant_id",
        "carrier": "carrier_id",
    }
)
# The model's reasons about a party (or a pair with one): their sentence names it.
NOMINAL_FAMILIES = frozenset(
    f"entity:{name}"
    for name, keys in ENTITY_KEYS.items()
    if set(keys) & set(PARTY_COLUMNS.values())
) | frozenset({"screening"})  # a watchlist hit names who a party is


def party_ids(row: Any) -> list[str]:
    """The party ids on a declaration row (a mapping or a row with the party columns)."""
    values = row if isinstance(row, Mapping) else row._mapping
    return [str(values[c]) for c in PARTY_COLUMNS.values() if values.get(c)]


def _mask(text: str, ids: Sequence[str]) -> str:
    for party in sorted(ids, key=len, reverse=True):  # longest first: one id inside another
        text = re.sub(rf"(?<!\w){re.escape(party)}(?!\w)", REDACTED, text)
    return text


def _masked(value: Any, ids: Sequence[str]) -> Any:
    """A message's params with the parties' ids masked, wherever they are nested."""
    if isinstance(value, str):
        return _mask(value, ids)
    if isinstance(value, Mapping):
        return {k: _masked(v, ids) for k, v in value.items()}
    return value


def _redact_reason(reason: Mapping[str, Any], ids: Sequence[str]) -> dict[str, Any]:
    text = str(reason.get("text") or "")
    masked = _mask(text, ids)
    about_party = reason.get("reason") in NOMINAL_FAMILIES
    if masked == text and not about_party:
        return dict(reason)
    if masked == text:  # about a party whose id is not in the words as stored: all of it goes
        shown = redact(reason, ["text"], mask=REDACTED).values
        return {k: v for k, v in shown.items() if k not in ("key", "params")}
    shown = redact(reason, ["text"], mask=masked).values
    if "params" in shown:  # the message says the same, its ids masked as in the words
        shown["params"] = _masked(shown["params"], ids)
    return shown


def redact_reasons(
    reasons: Iterable[Mapping[str, Any]], ids: Sequence[str], *, nominal: bool
) -> list[dict[str, Any]]:
    """``reasons`` as a reader sees them: unchanged with ``nominal``, else without the parties
    ``ids`` (the declaration's) nor any model reason about a party."""
    if nominal:
        return [dict(r) for r in reasons]
    return [_redact_reason(r, ids) for r in reasons]


def reveals_party(reasons: Sequence[Mapping[str, Any]], ids: Sequence[str]) -> bool:
    """Whether these reasons, shown unredacted, show party data (so showing them is audited)."""
    return any(_redact_reason(r, ids) != dict(r) for r in reasons)  # the first one tells
