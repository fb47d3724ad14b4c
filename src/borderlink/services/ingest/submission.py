"""Declarations submitted over the API: through the same ingest as a file, scored on arrival.

A submission is a file: the server spools the request body to a temporary file in chunks
(memory stays bounded whatever its size; the byte ceiling is ``max_submission_bytes``) and
:func:`submit_file` ingests it with the streaming reader the command line uses. Every
declaration sent ends up accepted, rejected (kept, with reasons, retryable) or a duplicate;
when a risk model exists, each accepted one (up to ``MAX_SCORED_ON_ARRIVAL`` per call) is
scored at once; larger batches are for ``borderlink risk score``. With active agency routing
rules, the accepted ones are referred to the agencies the rules name.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select

from borderlink.errors import InvalidInput
from borderlink.model import IngestSummary, as_sent
from borderlink.services.accounts.access import Permission, Principal, require
from borderlink.services.coordination.routing import route_submitted
from borderlink.services.ingest.files import ingest_file
from borderlink.services.node import Node
from borderlink.services.risk import score as risk
from borderlink.store.risk_tables import risk_models
from borderlink.store.tables import declarations, rejects

MAX_SUBMIT = 10_000  # declarations per in-process call (the API's bound is its byte ceiling)
MAX_SCORED_ON_ARRIVAL = 100
BLANK = b"\xef\xbb\xbf \t\r\n"  # what may come before the array: a BOM and whitespace


MAX_LISTED_REJECTS = 1_000  # named in the answer; all are kept in `rejects` whatever the count


class RejectedDeclaration(BaseModel):
    """One record of the submission that was not accepted, and why (the first issue found)."""

    record: int  # its position in the submission, from 1
    declaration_id: str | None
    item_no: int | None
    field: str
    reason: str
    message: str


class Submitted(BaseModel):
    summary: IngestSummary
    scores: list[dict[str, Any]]  # one per accepted declaration scored on arrival
    referred: dict[str, int] = {}  # referrals to other agencies made on arrival, per agency
    rejected: list[RejectedDeclaration] = []  # each rejected record named, with its reason


def _has_model(node: Node) -> bool:
    with node.read() as conn:
        return conn.execute(select(risk_models.c.version).limit(1)).first() is not None


def submit_declarations(node: Node, principal: Principal, sent: Sequence[object]) -> Submitted:
    """``sent``: declarations in the wco-json layout, as ``model.DeclarationIn`` or plain JSON."""
    require(principal, Permission.DECLARATIONS_SUBMIT)
    submitted = [as_sent(d) for d in sent]
    if len(submitted) > MAX_SUBMIT:
        raise InvalidInput(f"at most {MAX_SUBMIT} declarations per call", field="declarations")
    with tempfile.TemporaryDirectory(prefix="borderlink-submit-") as folder:
        path = Path(folder) / "submission.json"
        path.write_text(json.dumps(submitted, ensure_ascii=False), encoding="utf-8")
        return submit_file(node, principal, path)


def _opening(path: Path) -> bytes:
    """The first byte that matters and, after ``[``, the next one (blanks skipped)."""
    head = b""
    with path.open("rb") as stream:
        while block := stream.read(64 << 10):
            head = (head + block).lstrip(BLANK)
            if head[:1] not in (b"", b"["):
                break
            rest = head[1:].lstrip(BLANK)
            if head and rest:
                return b"[" + rest[:1]
            head = head[:1]
    return head[:1]


def _check_array(path: Path) -> None:
    opening = _opening(path)
    if not opening.startswith(b"["):
        raise InvalidInput(
            "the body is a JSON array of declarations in the wco-json layout",
            field="declarations",
        )
    if opening == b"[]":
        raise InvalidInput("no declaration submitted", field="declarations")


def _ingest(node: Node, principal: Principal, path: Path) -> IngestSummary:
    name = f"api:{principal.username}"
    try:
        return ingest_file(node, principal, path, format="json", name=name)
    except InvalidInput as error:  # the reader names the file it read: never show its path
        detail = str(error.detail).replace(str(path), "the submitted data")
        raise InvalidInput(detail, field="declarations") from None


def _accepted_ids(node: Node, batch_id: str) -> list[str]:
    with node.read() as conn:
        found = conn.execute(
            select(declarations.c.declaration_id)
            .where(declarations.c.batch_id == batch_id)
            .order_by(declarations.c.declaration_id)
        )
        return list(found.scalars())


def submit_file(node: Node, principal: Principal, path: Path) -> Submitted:
    """Ingest a spooled submission (a JSON array of wco-json declarations), then score the
    accepted ones (a model permitting) and route them."""
    require(principal, Permission.DECLARATIONS_SUBMIT)
    _check_array(path)
    summary = _ingest(node, principal, path)
    return _on_arrival(node, principal, summary)


def submit_xml(node: Node, principal: Principal, body: bytes) -> Submitted:
    """WCO DM XML messages (one or many, as ``ingest --format wco-dm-xml`` reads a file), through
    the same ingest, scoring and routing as the JSON body; amendments among them are applied
    (and scored again) by the ingest itself."""
    require(principal, Permission.DECLARATIONS_SUBMIT)
    if not body.strip():
        raise InvalidInput("no declaration submitted", field="declarations")
    with tempfile.TemporaryDirectory(prefix="borderlink-submit-") as folder:
        path = Path(folder) / "submission.xml"
        path.write_bytes(body)
        name = f"api:{principal.username}"
        try:
            summary = ingest_file(node, principal, path, format="wco-dm-xml", name=name)
        except InvalidInput as error:  # the reader names the file it read: never show its path
            detail = str(error.detail).replace(str(path), "the submitted data")
            raise InvalidInput(detail, field="declarations") from None
    return _on_arrival(node, principal, summary)


def _rejected(node: Node, batch_id: str) -> list[RejectedDeclaration]:
    with node.read() as conn:
        found = conn.execute(
            select(
                rejects.c.record_no,
                rejects.c.declaration_id,
                rejects.c.item_no,
                rejects.c.field,
                rejects.c.reason,
                rejects.c.issues,
            )
            .where(rejects.c.batch_id == batch_id)
            .order_by(rejects.c.record_no, rejects.c.item_no)
            .limit(MAX_LISTED_REJECTS)
        ).all()
    return [
        RejectedDeclaration(
            record=row.record_no,
            declaration_id=row.declaration_id,
            item_no=row.item_no,
            field=row.field,
            reason=row.reason,
            message=str((row.issues or [{}])[0].get("message", row.reason)),
        )
        for row in found
    ]


def _on_arrival(node: Node, principal: Principal, summary: IngestSummary) -> Submitted:
    ids = _accepted_ids(node, summary.batch_id) if summary.accepted else []
    scores: list[dict[str, Any]] = []
    if ids and len(ids) <= MAX_SCORED_ON_ARRIVAL and _has_model(node):
        found = risk.score_many(node, risk.SCORER, ids, route=False)
        scores = [found[i] for i in ids if i in found]
    referred: dict[str, int] = {}
    if ids:  # routed in one go, after scoring (rules may read model.score)
        referred = route_submitted(node, principal, ids).agencies
    named = _rejected(node, summary.batch_id) if summary.rejected else []
    return Submitted(summary=summary, scores=scores, referred=referred, rejected=named)
