"""Mutual assistance use cases: ask a partner administration for help, and answer its requests.

The requesting node drafts a request (:func:`draft_request`, idempotent on its file reference),
sends it (:func:`send_request`) and may withdraw it (:func:`withdraw_request`); the requested
node moves its reply through the lifecycle of :mod:`borderlink.cooperation.assistance`
(:func:`reply`: acknowledge, start, answer, answer in part, refuse on a ground, correct), with
findings, files and, if asked, the history of traders from its own declarations. Each step is a
signed record issued through :func:`.records.issue` under the purpose ``assistance``: the one
release policy decides what the partner gets (a request and a reply go to their addressee
only), the verifiable log and the audit log record it. The work lists and figures are in
:mod:`.assistance_views`.

Drafting, sending and withdrawing need ``assistance:request``; replying ``assistance:answer``;
both also ``sharing:outgoing``, which every release needs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Connection, insert, or_, select, update

from borderlink.cooperation.assistance import (
    PURPOSE,
    attachment,
    basis,
    check_deadline,
    deadline_for,
    next_reply_state,
    next_request_state,
)
from borderlink.cooperation.assistance import (  # re-exported: the pages offer these steps
    REPLY_TRANSITIONS as REPLY_TRANSITIONS,
)
from borderlink.cooperation.policy import Denial, release
from borderlink.errors import Conflict, InvalidInput, NotFound, PolicyDenied
from borderlink.exchange.stix import from_stix, stix_uuid
from borderlink.model.cooperation import (
    STIX_TYPES,
    AssistanceReply,
    AssistanceRequest,
    Attachment,
    HistoryEntry,
    RefusalGround,
    ReplyState,
    RequestState,
    Urgency,
)
from borderlink.services.accounts.access import Permission, Principal, require
from borderlink.services.cooperation.agreements import confirmed_parties, load_agreements
from borderlink.services.cooperation.records import IssueResult, TransportFor, issue
from borderlink.services.node import Node
from borderlink.store.cooperation_tables import assistance_cases, coop_records
from borderlink.store.risk_tables import scores
from borderlink.store.tables import audit_log, declarations, goods_items, parties

# What a person may set in a request; the node sets the rest (id, issuer, times, state).
REQUEST_FIELDS = frozenset(
    {
        "reference",
        "requested",
        "agreement_id",
        "measure",
        "title",
        "details",
        "urgency",
        "deadline",
        "declaration_ids",
        "trader_ids",
        "container_numbers",
        "vessel_imos",
        "classification",
        "tlp",
    }
)
MAX_HISTORY = 200  # declarations per trader attached to a reply


@dataclass(frozen=True)
class File:
    """A file to attach: its name, bytes and media type."""

    name: str
    content: bytes
    media_type: str | None = None


@dataclass(frozen=True)
class StepResult:
    """The case after a step, and how the record it issued was released."""

    request_id: str
    state: str
    issued: IssueResult | None  # None for a step that stays on this node (a draft)


def request_id_for(node_id: str, reference: str) -> str:
    """The request's id: the same for the same file reference, so drafting again is idempotent."""
    return f"{STIX_TYPES['assist-request']}--{stix_uuid(f'assist-request:{node_id}:{reference}')}"


def reply_id_for(request_id: str) -> str:
    """One reply record per request: every step and correction is a newer version of it."""
    return f"{STIX_TYPES['assist-reply']}--{stix_uuid(f'assist-reply:{request_id}')}"


def _files(node: Node, files: Sequence[File]) -> tuple[Attachment, ...]:
    limit = node.settings.assistance_attachment_max_bytes
    return tuple(
        attachment(f.name, f.content, media_type=f.media_type, max_bytes=limit, field="files")
        for f in files
    )


def _invalid(error: ValidationError, what: str) -> InvalidInput:
    first = error.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or what
    return InvalidInput(f"{what}: {where}: {first['msg']}", field=where)


def draft_request(
    node: Node,
    principal: Principal,
    document: Mapping[str, Any],
    *,
    files: Sequence[File] = (),
) -> StepResult:
    """Draft (or redraft) a request to a partner; nothing leaves the node until it is sent."""
    require(principal, Permission.ASSISTANCE_REQUEST)
    unknown = sorted(set(document) - REQUEST_FIELDS)
    if unknown:
        raise InvalidInput(f"request: unknown field(s) {', '.join(unknown)}", field=unknown[0])
    me = node.settings.node_id
    now = dt.datetime.now(dt.UTC)
    reference = str(document.get("reference") or "")
    if not reference:
        raise InvalidInput("request: reference: the file number is required", field="reference")
    request_id = request_id_for(me, reference)
    with node.transaction() as conn:
        held = _case(conn, request_id, required=False)
        if held is not None and held.request_state != RequestState.DRAFT:
            raise Conflict(f"request {reference} ({request_id}) is {held.request_state} already")
        request = _build_request(conn, node, document, request_id, now, _files(node, files))
        values = _draft_row(request, principal, now)
        if held is None:
            conn.execute(insert(assistance_cases).values(request_id=request_id, **values))
        else:
            conn.execute(
                update(assistance_cases)
                .where(assistance_cases.c.request_id == request_id)
                .values(values)
            )
        _audit(conn, principal, "assistance.draft", request_id, reference=reference)
    return StepResult(request_id, RequestState.DRAFT, None)


def _build_request(
    conn: Connection,
    node: Node,
    document: Mapping[str, Any],
    request_id: str,
    now: dt.datetime,
    attachments: tuple[Attachment, ...],
) -> AssistanceRequest:
    me = node.settings.node_id
    today = now.date()
    agreement = basis(
        load_agreements(conn),
        str(document.get("agreement_id") or ""),
        me,
        str(document.get("requested") or ""),
        today,
    )
    values = dict(document)
    try:
        urgency = Urgency(values.get("urgency", Urgency.ROUTINE))
    except ValueError as error:
        raise InvalidInput(f"request: urgency: {error}", field="urgency") from error
    if values.get("deadline") is None:
        days = node.settings.assistance_answer_days
        values["deadline"] = deadline_for(agreement, urgency, today, default_days=days)
    try:
        request = AssistanceRequest.model_validate(
            {
                **values,
                "id": request_id,
                "issuer": me,
                "created": now,
                "modified": now,
                "state": RequestState.DRAFT,
                "attachments": attachments,
            }
        )
    except ValidationError as error:
        raise _invalid(error, "request") from error
    check_deadline(request.deadline, today)
    if request.requested == me:
        raise InvalidInput("request: requested: a node does not ask itself", field="requested")
    return request


def _draft_row(
    request: AssistanceRequest, principal: Principal, now: dt.datetime
) -> dict[str, Any]:
    return {
        "direction": "outgoing",
        "reference": request.reference,
        "requester": request.issuer,
        "requested": request.requested,
        "agreement_id": request.agreement_id,
        "measure": request.measure.value,
        "urgency": request.urgency.value,
        "title": request.title,
        "deadline": request.deadline,
        "request_state": RequestState.DRAFT.value,
        "draft": request.model_dump(mode="json"),
        "created_by": principal.username,
        "updated_at": now,
    }


def send_request(
    node: Node,
    principal: Principal,
    request_id: str,
    *,
    notify: bool = True,
    transport_for: TransportFor | None = None,
) -> StepResult:
    """Send a draft: the policy must let it go to the requested partner, or it stays a draft.
    Sending a request already sent changes nothing (it is not sent twice)."""
    require(principal, Permission.ASSISTANCE_REQUEST)
    now = dt.datetime.now(dt.UTC)
    with node.read() as conn:
        case = _case(conn, request_id, direction="outgoing")
        if case.request_state == RequestState.SENT:
            return StepResult(request_id, case.request_state, None)
        next_request_state(
            RequestState(case.request_state), RequestState.SENT, request_id=request_id
        )
        draft = AssistanceRequest.model_validate(case.draft)
        check_deadline(draft.deadline, now.date())
        request = draft.model_copy(update={"state": RequestState.SENT, "modified": now})
        _may_go(conn, node, request, request.requested, now)
    issued = issue(
        node, principal, request, purpose=PURPOSE, notify=notify, transport_for=transport_for
    )
    return StepResult(request_id, RequestState.SENT, issued)


def _may_go(
    conn: Connection,
    node: Node,
    record: AssistanceRequest | AssistanceReply,
    to: str,
    now: dt.datetime,
) -> None:
    """Refuse a step the policy would not let reach ``to`` (before anything is stored)."""
    me = node.settings.node_id
    confirmed = confirmed_parties(conn, me)
    usable = [a for a in load_agreements(conn) if to in confirmed.get(a.agreement_id, ())]
    outcome = release(record, to, PURPOSE, usable, now, me=me)
    if isinstance(outcome, Denial):
        raise PolicyDenied(f"{record.id} cannot go to {to}: {outcome.detail}")


def withdraw_request(
    node: Node,
    principal: Principal,
    request_id: str,
    *,
    reason: str,
    notify: bool = True,
    transport_for: TransportFor | None = None,
) -> StepResult:
    """Withdraw a request: a draft on this node only, a sent one by a new signed version."""
    require(principal, Permission.ASSISTANCE_REQUEST)
    if not reason.strip():
        raise InvalidInput("a withdrawal gives its reason", field="reason")
    now = dt.datetime.now(dt.UTC)
    with node.transaction() as conn:
        case = _case(conn, request_id, direction="outgoing")
        state = RequestState(case.request_state)
        next_request_state(state, RequestState.WITHDRAWN, request_id=request_id)
        _audit(conn, principal, "assistance.withdraw", request_id, reason=reason)
        if state == RequestState.DRAFT:
            conn.execute(
                update(assistance_cases)
                .where(assistance_cases.c.request_id == request_id)
                .values(request_state=RequestState.WITHDRAWN.value, updated_at=now)
            )
            return StepResult(request_id, RequestState.WITHDRAWN, None)
        held = _record(conn, request_id)
    assert isinstance(held, AssistanceRequest)  # an outgoing case's record is its request
    withdrawn = held.model_copy(update={"state": RequestState.WITHDRAWN, "modified": now})
    issued = issue(
        node, principal, withdrawn, purpose=PURPOSE, notify=notify, transport_for=transport_for
    )
    return StepResult(request_id, RequestState.WITHDRAWN, issued)


# long: the checks of one step, then the record built from the previous version
def reply(
    node: Node,
    principal: Principal,
    request_id: str,
    state: ReplyState | str,
    *,
    findings: str | None = None,
    ground: RefusalGround | str | None = None,
    history_of: Sequence[str] = (),
    files: Sequence[File] = (),
    notify: bool = True,
    transport_for: TransportFor | None = None,
) -> StepResult:
    """Move the reply to a partner's request to ``state`` (a correction repeats the state): the
    findings, files and trader history given replace the previous version's, the rest stays."""
    require(principal, Permission.ASSISTANCE_ANSWER)
    now = dt.datetime.now(dt.UTC)
    with node.read() as conn:
        case = _case(conn, request_id, direction="incoming")
        to, why = _step_of(state, ground)
        if case.request_state == RequestState.WITHDRAWN:
            raise Conflict(f"request {request_id} was withdrawn by {case.requester}")
        current = ReplyState(case.reply_state) if case.reply_state else None
        next_reply_state(current, to, request_id=request_id)
        request = _record(conn, request_id)
        previous = _record(conn, case.reply_id) if case.reply_id else None
        history = _history(conn, history_of) if history_of else None
        base = previous.model_dump() if isinstance(previous, AssistanceReply) else {}
        values = {
            **base,
            "id": reply_id_for(request_id),
            "issuer": node.settings.node_id,
            "created": base.get("created", now),
            "modified": now,
            "classification": request.classification,
            "tlp": request.tlp,
            "request_id": request_id,
            "requester": case.requester,
            "agreement_id": case.agreement_id,
            "state": to,
            "ground": why,
        }
        if findings is not None:
            values["findings"] = findings
        if history is not None:
            values["history"] = history
        if files:
            values["attachments"] = _files(node, files)
        try:
            answer = AssistanceReply.model_validate(values)
        except ValidationError as error:
            raise _invalid(error, "reply") from error
        _may_go(conn, node, answer, case.requester, now)
    issued = issue(
        node, principal, answer, purpose=PURPOSE, notify=notify, transport_for=transport_for
    )
    return StepResult(request_id, to, issued)


def _step_of(
    state: ReplyState | str, ground: RefusalGround | str | None
) -> tuple[ReplyState, RefusalGround | None]:
    try:
        return ReplyState(state), RefusalGround(ground) if ground else None
    except ValueError as error:
        raise InvalidInput(str(error), field="ground" if ground else "state") from error


def _history(conn: Connection, trader_ids: Sequence[str]) -> tuple[HistoryEntry, ...]:
    """The declarations of ``trader_ids`` (as importer, exporter or declarant), newest first,
    with their first goods item and channel: what the reply attaches (the policy redacts it)."""
    d = declarations.c
    ids = list(dict.fromkeys(trader_ids))
    names = dict(
        conn.execute(
            select(parties.c.party_id, parties.c.name).where(parties.c.party_id.in_(ids))
        ).all()
    )
    entries: list[HistoryEntry] = []
    for trader in ids:
        rows = conn.execute(
            select(
                d.declaration_id,
                d.declared_on,
                goods_items.c.hs_code,
                goods_items.c.origin_country,
                goods_items.c.value_reporting,
                scores.c.channel,
            )
            .join(
                goods_items,
                (goods_items.c.declaration_id == d.declaration_id) & (goods_items.c.item_no == 1),
                isouter=True,
            )
            .join(scores, scores.c.declaration_id == d.declaration_id, isouter=True)
            .where(or_(d.importer_id == trader, d.exporter_id == trader, d.declarant_id == trader))
            .order_by(d.declared_on.desc(), d.declaration_id)
            .limit(MAX_HISTORY)
        ).all()
        entries.extend(
            HistoryEntry(
                declaration_id=r.declaration_id,
                declared_on=r.declared_on,
                hs_code=r.hs_code,
                origin_country=r.origin_country,
                customs_value=r.value_reporting,
                trader_id=trader,
                trader_name=names.get(trader),
                channel=r.channel,
            )
            for r in rows
        )
    return tuple(entries)


def _case(
    conn: Connection, request_id: str, *, direction: str | None = None, required: bool = True
) -> Any:
    row = conn.execute(
        select(assistance_cases).where(assistance_cases.c.request_id == request_id)
    ).first()
    if row is None or (direction and row.direction != direction):
        if not required:
            return None
        side = f"{direction} " if direction else ""
        raise NotFound(f"no {side}assistance request {request_id!r}", field="request_id")
    return row


def _record(conn: Connection, record_id: str) -> AssistanceRequest | AssistanceReply:
    row = conn.execute(
        select(coop_records.c.document).where(coop_records.c.record_id == record_id)
    ).first()
    if row is None:
        raise NotFound(f"no record {record_id!r}", field="request_id")
    record = from_stix(row.document)
    if not isinstance(record, AssistanceRequest | AssistanceReply):
        raise NotFound(f"{record_id!r} is not an assistance record", field="request_id")
    return record


def _audit(
    conn: Connection, principal: Principal, action: str, request_id: str, **details: Any
) -> None:
    conn.execute(
        insert(audit_log).values(
            at=dt.datetime.now(dt.UTC),
            actor=principal.username,
            action=action,
            object_type="assist-request",
            object_id=request_id,
            reason=details.pop("reason", None),
            details=details or None,
        )
    )
