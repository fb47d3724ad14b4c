"""The one policy function every record leaving the node passes: :func:`release`.

Deny by default. A record goes to a partner only under an agreement between both nodes that is in
force today, permits the record's category and the stated purpose, and allows its
classification. What flows is a copy with the agreement's redactions applied, plus nominal fields
removed unless the agreement permits ``trader-identity``; :class:`Released` says which fields were
removed and why, so the caller can write it to the audit log.

:func:`redact` is the one projection that withholds fields: of a record for a partner (here, under
an agreement) and of a record or view for a reader without ``nominal:read`` (in ``services``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from borderlink.cooperation.agreements import between, in_force
from borderlink.errors import PolicyDenied
from borderlink.model.cooperation import (
    CLASSIFICATION_ORDER,
    Agreement,
    Category,
    CoopRecord,
    nominal_fields,
)


@dataclass(frozen=True)
class Removal:
    field: str
    reason: str  # "agreement-redaction" or "nominal-data-not-permitted"


class Redaction(NamedTuple):
    """The projected values, and the fields it withheld (sorted by name)."""

    values: dict[str, Any]
    removed: tuple[Removal, ...]


BLANK: Any = object()  # as ``mask``: a withheld field takes its empty value (it is left out)
NOMINAL = "nominal-data-not-permitted"


def redact(
    values: Mapping[Any, Any],  # Any keys: a database row's mapping is typed that way
    withheld: Mapping[str, str] | Iterable[str],
    *,
    mask: Any = BLANK,
    empty: Mapping[str, Any] | None = None,
) -> Redaction:
    """``values`` with the ``withheld`` fields (name → reason, or names: nominal data) masked.

    A field counts as withheld only when it holds something: it is present and not its empty
    value (``empty[name]``, else None). It then shows ``mask``, or with :data:`BLANK` its empty
    value: a partner's copy leaves the field out, a reader's view says something is there.
    """
    reasons = withheld if isinstance(withheld, Mapping) else dict.fromkeys(withheld, NOMINAL)
    blanks = empty or {}
    projected = dict(values)
    removed: list[Removal] = []
    for name, reason in sorted(reasons.items()):
        blank = blanks.get(name)
        if name not in projected or projected[name] == blank:
            continue
        projected[name] = blank if mask is BLANK else mask
        removed.append(Removal(name, reason))
    return Redaction(projected, tuple(removed))


@dataclass(frozen=True)
class Released:
    """The partner's copy of the record, and what was taken out of it."""

    record: CoopRecord
    partner: str
    purpose: str
    agreement_id: str
    removed: tuple[Removal, ...]

    def details(self) -> dict[str, Any]:
        return {
            "partner": self.partner,
            "purpose": self.purpose,
            "agreement": self.agreement_id,
            "removed": [{"field": r.field, "reason": r.reason} for r in self.removed],
        }


@dataclass(frozen=True)
class Denial:
    """Why nothing may go: a stable code, a sentence, and the agreement considered (if any)."""

    code: str  # no_agreement, not_in_force, category, purpose, classification
    detail: str
    agreement_id: str | None = None

    def error(self) -> PolicyDenied:
        return PolicyDenied(self.detail)


def release(
    record: CoopRecord,
    partner: str,
    purpose: str,
    agreements: Iterable[Agreement],
    now: dt.datetime,
    *,
    me: str,
) -> Released | Denial:
    """Decide whether ``record`` may go from node ``me`` to ``partner`` for ``purpose``."""
    candidates = between(agreements, me, partner)
    if not candidates:
        return Denial("no_agreement", f"no agreement between {me} and {partner}")
    today = now.date()
    active = [a for a in candidates if in_force(a, today)]
    if not active:
        states = ", ".join(f"{a.agreement_id} is {a.state}" for a in candidates)
        return Denial("not_in_force", f"no agreement with {partner} in force ({states})")
    category = record.category
    denial: Denial | None = None
    for agreement in active:
        denial = _refusal(agreement, record, category, purpose)
        if denial is None:
            return _redacted(record, agreement, partner, purpose, category)
    assert denial is not None  # at least one agreement was active
    return denial


def _refusal(
    agreement: Agreement, record: CoopRecord, category: Category, purpose: str
) -> Denial | None:
    aid = agreement.agreement_id
    if category not in agreement.categories:
        return Denial("category", f"agreement {aid} does not cover {category} records", aid)
    if purpose not in agreement.purposes:
        return Denial("purpose", f"agreement {aid} does not cover the purpose {purpose!r}", aid)
    if (
        CLASSIFICATION_ORDER[record.classification]
        > CLASSIFICATION_ORDER[agreement.max_classification]
    ):
        return Denial(
            "classification",
            f"record is {record.classification}; agreement {aid} allows up to "
            f"{agreement.max_classification}",
            aid,
        )
    return None


def _redacted(
    record: CoopRecord, agreement: Agreement, partner: str, purpose: str, category: Category
) -> Released:
    reasons: dict[str, str] = {}
    for name in agreement.redact.get(category, ()):
        reasons[name] = "agreement-redaction"
    if Category.TRADER_IDENTITY not in agreement.categories:
        for name in nominal_fields(type(record)):
            reasons.setdefault(name, NOMINAL)
    fields = type(record).model_fields
    empty = {name: fields[name].get_default(call_default_factory=True) for name in reasons}
    copy = redact({name: getattr(record, name) for name in reasons}, reasons, empty=empty)
    return Released(
        record=record.model_copy(update={r.field: copy.values[r.field] for r in copy.removed}),
        partner=partner,
        purpose=purpose,
        agreement_id=agreement.agreement_id,
        removed=copy.removed,
    )
