"""Mutual administrative assistance: the lifecycle of a request at both ends, as pure functions.

A request is the requesting node's record, a reply the requested node's: each node issues only its
own (a node never relays another's), each step is a new signed version of one of the two::

    requesting node (AssistanceRequest)      requested node (AssistanceReply)
    draft ──► sent ──────────────────────►  received ──► acknowledged ──► in_progress
      │        │                                │             │               │
      └────────┴──► withdrawn                   └─────────────┴───────────────┴──► answered
                                                                                   partially_answered
                                                                                   refused (ground)

A draft stays on the requesting node (it is not a record yet). ``answered`` and
``partially_answered`` can be corrected (a later version, the findings replaced); a refusal and a
withdrawal are final. A request can be answered (or refused) straight from ``received``. The
requested node's state is its latest reply; until one exists it holds the request as
``received``.

The case a person sees at either end (:func:`case_state`) combines both; :func:`deadline_for`
gives the deadline the agreement sets, :func:`reminder` whether one is due, :func:`figures`
what a joint committee reviews per partner.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from borderlink.cooperation.agreements import in_force
from borderlink.errors import Conflict, InvalidInput, PolicyDenied
from borderlink.model.cooperation import (
    Agreement,
    Attachment,
    Category,
    ReplyState,
    RequestState,
    Urgency,
)

PURPOSE = "assistance"  # what an agreement's purposes must include for requests to flow
R = ReplyState
REPLY_TRANSITIONS: Mapping[ReplyState | None, frozenset[ReplyState]] = MappingProxyType(
    {
        # A request answered at once needs no acknowledgement first.
        None: frozenset(ReplyState),
        R.RECEIVED: frozenset(ReplyState) - {R.RECEIVED},
        R.ACKNOWLEDGED: frozenset({R.IN_PROGRESS, R.ANSWERED, R.PARTIALLY_ANSWERED, R.REFUSED}),
        R.IN_PROGRESS: frozenset({R.ANSWERED, R.PARTIALLY_ANSWERED, R.REFUSED}),
        # A reply can be corrected, or completed after a partial answer.
        R.PARTIALLY_ANSWERED: frozenset({R.PARTIALLY_ANSWERED, R.ANSWERED}),
        R.ANSWERED: frozenset({R.ANSWERED}),
        R.REFUSED: frozenset(),
    }
)
ANSWERED = frozenset({R.ANSWERED, R.PARTIALLY_ANSWERED, R.REFUSED})
REQUEST_TRANSITIONS: Mapping[RequestState, frozenset[RequestState]] = MappingProxyType(
    {
        RequestState.DRAFT: frozenset({RequestState.SENT, RequestState.WITHDRAWN}),
        RequestState.SENT: frozenset({RequestState.WITHDRAWN}),
        RequestState.WITHDRAWN: frozenset(),
    }
)
# The longest an urgent request may be given, whatever the agreement's default.
URGENCY_CAP_DAYS: Mapping[Urgency, int | None] = MappingProxyType(
    {Urgency.ROUTINE: None, Urgency.URGENT: 7, Urgency.IMMEDIATE: 2}
)


def next_reply_state(current: ReplyState | None, to: ReplyState, *, request_id: str) -> None:
    """Refuse a move the lifecycle does not allow (:class:`Conflict`)."""
    if to not in REPLY_TRANSITIONS[current]:
        allowed = ", ".join(sorted(REPLY_TRANSITIONS[current])) or "none"
        raise Conflict(
            f"request {request_id}: the reply cannot go from {current or 'nothing'} to {to} "
            f"(allowed: {allowed})"
        )


def next_request_state(current: RequestState, to: RequestState, *, request_id: str) -> None:
    if to not in REQUEST_TRANSITIONS[current]:
        raise Conflict(f"request {request_id} is {current}: it cannot become {to}")


def basis(
    agreements: Iterable[Agreement], agreement_id: str, me: str, partner: str, on: dt.date
) -> Agreement:
    """The agreement a request to ``partner`` is made under: in force, between both nodes,
    covering assistance requests and replies for the purpose ``assistance``."""
    found = {a.agreement_id: a for a in agreements}.get(agreement_id)
    if found is None:
        raise InvalidInput(f"no agreement {agreement_id!r}", field="agreement_id")
    aid = found.agreement_id
    if not {me, partner} <= set(found.parties):
        raise PolicyDenied(f"agreement {aid} is not between {me} and {partner}")
    if not in_force(found, on):
        raise PolicyDenied(f"agreement {aid} is not in force ({found.state})")
    if PURPOSE not in found.purposes:
        raise PolicyDenied(f"agreement {aid} does not cover the purpose {PURPOSE!r}")
    missing = {Category.ASSISTANCE_REQUEST, Category.ASSISTANCE_REPLY} - found.categories
    if missing:
        raise PolicyDenied(f"agreement {aid} does not cover {', '.join(sorted(missing))} records")
    return found


def deadline_for(
    agreement: Agreement, urgency: Urgency, today: dt.date, *, default_days: int
) -> dt.date:
    """The deadline the agreement sets (its ``answer_days``, else ``default_days``), shortened
    for an urgent or immediate request."""
    days = agreement.answer_days or default_days
    cap = URGENCY_CAP_DAYS[urgency]
    return today + dt.timedelta(days=min(days, cap) if cap else days)


def check_deadline(deadline: dt.date, today: dt.date, *, field: str = "deadline") -> None:
    if deadline < today:
        raise InvalidInput(f"the deadline {deadline.isoformat()} has passed", field=field)


def attachment(
    name: str, content: bytes, *, media_type: str | None, max_bytes: int, field: str
) -> Attachment:
    """A file to attach, named by its SHA-256; larger than ``max_bytes`` is refused."""
    if len(content) > max_bytes:
        raise InvalidInput(
            f"attachment {name!r} is {len(content)} bytes; at most {max_bytes} are accepted",
            field=field,
        )
    if not name.strip() or len(name) > 200 or any(c in name for c in "/\\\x00"):
        raise InvalidInput(f"attachment name {name!r} is not a plain file name", field=field)
    return Attachment(
        name=name,
        media_type=media_type or "application/octet-stream",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=base64.b64encode(content).decode("ascii"),
    )


def attachment_bytes(item: Attachment) -> bytes:
    """The bytes of an attachment (the model checked them against its digest and size)."""
    return base64.b64decode(item.content)


def case_state(request_state: str, reply_state: str | None, *, incoming: bool) -> str:
    """What a person sees of a request: withdrawn and drafts as such, else the reply's state
    (``sent`` at the requesting node, ``received`` at the requested one, until a reply)."""
    if request_state in (RequestState.DRAFT, RequestState.WITHDRAWN):
        return request_state
    if reply_state:
        return reply_state
    return ReplyState.RECEIVED if incoming else RequestState.SENT


def reminder(state: str, deadline: dt.date, today: dt.date, *, days_before: int) -> str | None:
    """``overdue`` past an open request's deadline, ``due-soon`` within ``days_before`` of it."""
    if state in {*ANSWERED, RequestState.DRAFT, RequestState.WITHDRAWN}:
        return None
    if today > deadline:
        return "overdue"
    if (deadline - today).days <= days_before:
        return "due-soon"
    return None


@dataclass(frozen=True)
class CaseFacts:
    """What :func:`figures` needs of one request."""

    partner: str
    outgoing: bool
    sent_at: dt.datetime | None
    answered_at: dt.datetime | None
    deadline: dt.date


@dataclass(frozen=True)
class PartnerFigures:
    partner: str
    sent: int
    received: int
    answered: int  # of those sent: answered, partially answered or refused
    median_answer_days: float | None  # of those sent, sent to answer
    answered_in_time: float | None  # share of those sent whose deadline has passed or that were
    # answered, answered by the deadline


def figures(cases: Iterable[CaseFacts], today: dt.date) -> list[PartnerFigures]:
    """Per partner, what the joint committee reviews: requests sent and received, the median time
    the partner took to answer, and the share it answered in time (of requests that are due or
    answered: one still open before its deadline is not late yet)."""
    by_partner: dict[str, list[CaseFacts]] = {}
    for case in cases:
        by_partner.setdefault(case.partner, []).append(case)
    rows = []
    for partner, items in sorted(by_partner.items()):
        sent = [c for c in items if c.outgoing and c.sent_at]
        answered = [c for c in sent if c.answered_at]
        days = [
            (c.answered_at - c.sent_at).total_seconds() / 86400
            for c in answered
            if c.answered_at and c.sent_at
        ]
        judged = [c for c in sent if c.answered_at or c.deadline < today]
        on_time = [c for c in judged if c.answered_at and c.answered_at.date() <= c.deadline]
        rows.append(
            PartnerFigures(
                partner=partner,
                sent=len(sent),
                received=sum(1 for c in items if not c.outgoing),
                answered=len(answered),
                median_answer_days=round(statistics.median(days), 2) if days else None,
                answered_in_time=round(len(on_time) / len(judged), 3) if judged else None,
            )
        )
    return rows
