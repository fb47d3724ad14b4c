"""The one policy function every record leaving the node passes: :func:`release`.

Deny by default. A record goes to a partner only under an agreement between both nodes that is in
force today (for a record addressed to named nodes under a named agreement — an assistance request
or its reply — only to them and only under it), permits the record's category and the stated
purpose, and allows its classification and its TLP (TLP:RED never leaves automatically; TLP:AMBER
only to the agreement's named recipients). What flows is a projection onto the agreement's
allow-list (:mod:`.projection`): fields it does not list, fields it redacts, nominal fields unless
it permits ``trader-identity``, and, in an alert derived from a seizure, every field that came from
a seizure field that may not flow, are left out; free text it replaces goes as its text.
:class:`Released` says which fields were removed and why (for the audit log), and how the partner
must handle the copy (:class:`Handling`: the TLP and the agreement's sharing rules). A revocation
of a record a partner already holds always travels.

:func:`redact` is the one projection that withholds fields: of a record for a partner (here, under
an agreement) and of a record or view for a reader without ``nominal:read`` (in ``services``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from pydantic import BaseModel

from borderlink.cooperation.agreements import (
    FREE_TEXT,
    allowed_fields,
    between,
    field_paths,
    in_force,
)
from borderlink.cooperation.alerts import DERIVED_FROM, derived_title
from borderlink.cooperation.projection import WITHHELD, Rules, always, project
from borderlink.errors import PolicyDenied
from borderlink.model.cooperation import (
    CLASSIFICATION_ORDER,
    Agreement,
    Alert,
    Category,
    CoopRecord,
    Seizure,
    Tlp,
    audience,
    legal_basis,
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
class Handling:
    """How the partner must handle its copy: the TLP and the agreement's sharing rules, for the
    STIX form to carry as markings (TLP marking, and a statement of the rules)."""

    tlp: Tlp
    agreement_id: str
    recipients: tuple[str, ...]  # who may hold it (TLP:AMBER: the agreement's named recipients)
    onward_sharing: str

    @property
    def statement(self) -> str:
        who = ", ".join(self.recipients)
        return (
            f"TLP:{self.tlp.value.upper()} under agreement {self.agreement_id}: for {who} only; "
            f"onward sharing {self.onward_sharing}"
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "tlp": self.tlp.value,
            "agreement_id": self.agreement_id,
            "recipients": list(self.recipients),
            "onward_sharing": self.onward_sharing,
            "statement": self.statement,
        }


@dataclass(frozen=True)
class Released:
    """The partner's copy of the record, what was taken out of it, and how to handle it."""

    record: CoopRecord
    partner: str
    purpose: str
    agreement_id: str
    removed: tuple[Removal, ...]
    handling: Handling | None = None

    def details(self) -> dict[str, Any]:
        return {
            "partner": self.partner,
            "purpose": self.purpose,
            "agreement": self.agreement_id,
            "removed": [{"field": r.field, "reason": r.reason} for r in self.removed],
            **({"handling": self.handling.as_dict()} if self.handling else {}),
        }


@dataclass(frozen=True)
class Denial:
    """Why nothing may go: a stable code, a sentence, and the agreement considered (if any)."""

    code: str  # audience, no_agreement, not_in_force, category, purpose, classification, tlp
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
    sent_under: str | None = None,
    memo: RulesMemo | None = None,
    copy: bool = True,
) -> Released | Denial:
    """Decide whether ``record`` may go from node ``me`` to ``partner`` for ``purpose``.

    ``memo``: the rules already worked out for these ``agreements`` (a caller checking a batch
    of records against the same agreements passes one dict for all: the rules depend only on
    the agreement and the kind of record, and working them out cost more than the projection).

    ``copy``: False for a receiver, which only asks what would be removed (``removed``): the
    decision and the removals are the same, but the partner's copy is not built
    (:attr:`Released.record` is then ``record`` itself).

    ``sent_under``: the agreement under which ``partner`` already received the record. A
    revocation of it (a tombstone) then always travels, whatever that agreement's state now,
    projected as the record was (it carries nothing the partner could not already hold).
    """
    addressed = audience(record)
    if addressed is not None and partner not in addressed:
        # A request, a reply: addressed to named nodes, whatever a broader agreement allows.
        return Denial("audience", f"the record is addressed to {', '.join(addressed)} only")
    candidates = between(agreements, me, partner)
    named = legal_basis(record)
    if named is not None:  # made under named agreements: it travels under those or not at all
        candidates = [a for a in candidates if a.agreement_id in named]
    if record.revoked and sent_under is not None:
        earlier = [a for a in candidates if a.agreement_id == sent_under]
        if earlier:
            return _projected(record, earlier[0], partner, purpose, memo, copy=copy)
    if not candidates:
        return Denial("no_agreement", f"no agreement between {me} and {partner}")
    if record.tlp == Tlp.RED:
        return Denial("tlp", "the record is TLP:RED: it never leaves the node automatically")
    today = now.date()
    active = [a for a in candidates if in_force(a, today)]
    if not active:
        states = ", ".join(f"{a.agreement_id} is {a.state}" for a in candidates)
        return Denial("not_in_force", f"no agreement with {partner} in force ({states})")
    denial: Denial | None = None
    for agreement in active:
        denial = _refusal(agreement, record, partner, purpose)
        if denial is None:
            return _projected(record, agreement, partner, purpose, memo, copy=copy)
    assert denial is not None  # at least one agreement was active
    return denial


def _refusal(agreement: Agreement, record: CoopRecord, partner: str, purpose: str) -> Denial | None:
    aid = agreement.agreement_id
    category = record.category
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
    if record.tlp in AMBER and partner not in agreement.amber_recipients:
        return Denial(
            "tlp",
            f"record is TLP:{record.tlp.value.upper()}; agreement {aid} does not name "
            f"{partner} among its recipients of TLP:AMBER",
            aid,
        )
    return None


AMBER = frozenset({Tlp.AMBER, Tlp.AMBER_STRICT})


def rules(agreement: Agreement, category: Category, model: type[BaseModel]) -> Rules:
    """What ``agreement`` lets flow of ``category`` records (of type ``model``)."""
    blocked: dict[str, str] = {}
    for path in agreement.redact.get(category, ()):
        blocked[path] = "agreement-redaction"
    if Category.TRADER_IDENTITY not in agreement.categories:
        for name in nominal_fields(model):
            blocked.setdefault(name, NOMINAL)
    replace = dict(agreement.replace.get(category, {}))
    return Rules(
        category=category,
        allowed=frozenset(allowed_fields(agreement, category)),
        blocked=blocked,
        replace=replace,
        fallback={  # a record cannot be without its required text: it says "withheld"
            n: WITHHELD
            for n in FREE_TEXT.get(category, ())
            if n not in replace and model.model_fields[n].is_required()
        },
    )


def _derived_rules(record: Alert, agreement: Agreement, base: Rules) -> Rules:
    """An alert derived from a seizure: its fields flow only if their sources may flow as part
    of a seizure under the same agreement (else the alert would carry what the seizure may not)."""
    source = rules(agreement, Category.SEIZURE, Seizure)
    travels = always(Seizure, Category.SEIZURE)
    blocked = dict(base.blocked)
    fallback = dict(base.fallback)
    for name, paths in DERIVED_FROM.items():
        if all(
            p in travels or (source.whole(p) if "." not in p else source.allows(p)) for p in paths
        ):
            continue
        if paths == (name,) and source.partly(name):  # the same nested record (the route)
            for sub in field_paths(Seizure):
                if sub.startswith(name + ".") and not source.allows(sub):
                    blocked.setdefault(sub, "derived-from-withheld")
            continue
        blocked.setdefault(name, "derived-from-withheld")
        if name == "title" and base.allows("title"):  # the title as the partner may read it
            text = source.replace.get("goods_description")
            fallback["title"] = derived_title(text) if text else WITHHELD
    return Rules(base.category, base.allowed, blocked, base.replace, fallback)


# The rules for (agreement id, category, record type, derived from a seizure), valid while the
# agreements they were worked out from are the ones checked against.
RulesMemo = dict[tuple[str, Category, type[BaseModel], bool], Rules]


def _applied(record: CoopRecord, agreement: Agreement, memo: RulesMemo | None) -> Rules:
    derived = isinstance(record, Alert) and bool(record.source_seizure)
    key = (agreement.agreement_id, record.category, type(record), derived)
    if memo is not None and key in memo:
        return memo[key]
    applied = rules(agreement, record.category, type(record))
    if isinstance(record, Alert) and derived:
        applied = _derived_rules(record, agreement, applied)
    if memo is not None:
        memo[key] = applied
    return applied


def _projected(
    record: CoopRecord,
    agreement: Agreement,
    partner: str,
    purpose: str,
    memo: RulesMemo | None = None,
    *,
    copy: bool = True,
) -> Released:
    applied = _applied(record, agreement, memo)
    projected, changed = project(record, applied, copy=copy)
    recipients = agreement.amber_recipients if record.tlp in AMBER else agreement.parties
    return Released(
        record=projected,
        partner=partner,
        purpose=purpose,
        agreement_id=agreement.agreement_id,
        removed=tuple(Removal(f, r) for f, r in sorted(changed)),
        handling=Handling(
            tlp=record.tlp,
            agreement_id=agreement.agreement_id,
            recipients=tuple(recipients),
            onward_sharing=agreement.onward_sharing,
        ),
    )
