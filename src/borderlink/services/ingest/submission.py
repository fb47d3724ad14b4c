"""Declarations submitted over the API: through the same ingest as a file, scored on arrival.

Every declaration sent ends up accepted, rejected (kept, with reasons, retryable) or a duplicate;
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

import polars as pl
from pydantic import BaseModel
from sqlalchemy import select

from borderlink.errors import InvalidInput
from borderlink.ingest.wco_dm import read_wco_dm_chunks
from borderlink.model import IngestSummary, as_sent
from borderlink.services.accounts.access import Permission, Principal, require
from borderlink.services.coordination.routing import route_submitted
from borderlink.services.ingest.files import ingest_file
from borderlink.services.node import Node
from borderlink.services.risk import score as risk
from borderlink.store.risk_tables import risk_models

MAX_SUBMIT = 10_000
MAX_SCORED_ON_ARRIVAL = 100


class Submitted(BaseModel):
    summary: IngestSummary
    scores: list[dict[str, Any]]  # one per accepted declaration scored on arrival
    referred: dict[str, int] = {}  # referrals to other agencies made on arrival, per agency


def _has_model(node: Node) -> bool:
    with node.read() as conn:
        return conn.execute(select(risk_models.c.version).limit(1)).first() is not None


def submit_declarations(node: Node, principal: Principal, sent: Sequence[object]) -> Submitted:
    """``sent``: declarations in the wco-json layout, as ``model.DeclarationIn`` or plain JSON."""
    require(principal, Permission.DECLARATIONS_SUBMIT)
    submitted = [as_sent(d) for d in sent]
    if not submitted:
        raise InvalidInput("no declaration submitted", field="declarations")
    if len(submitted) > MAX_SUBMIT:
        raise InvalidInput(f"at most {MAX_SUBMIT} declarations per call", field="declarations")
    with tempfile.TemporaryDirectory(prefix="borderlink-submit-") as folder:
        path = Path(folder) / f"api-{principal.username}.json"
        path.write_text(json.dumps(submitted, ensure_ascii=False), encoding="utf-8")
        summary = ingest_file(node, principal, path, format="json")
    ids = list(
        dict.fromkeys(
            d["id"] for d in submitted if isinstance(d, dict) and isinstance(d.get("id"), str)
        )
    )
    return _on_arrival(node, principal, summary, ids)


def submit_xml(node: Node, principal: Principal, body: bytes) -> Submitted:
    """WCO DM XML messages (one or many, as ``ingest --format wco-dm-xml`` reads a file), through
    the same ingest, scoring and routing as the JSON body."""
    require(principal, Permission.DECLARATIONS_SUBMIT)
    if not body.strip():
        raise InvalidInput("no declaration submitted", field="declarations")
    with tempfile.TemporaryDirectory(prefix="borderlink-submit-") as folder:
        path = Path(folder) / f"api-{principal.username}.xml"
        path.write_bytes(body)
        summary = ingest_file(node, principal, path, format="wco-dm-xml")
        ids = [
            str(i)
            for chunk in read_wco_dm_chunks(path, MAX_SUBMIT)
            for i in chunk.filter(pl.col("_error").is_null() & pl.col("_amends").is_null())[
                "declaration_id"
            ].unique(maintain_order=True)
            if i is not None
        ]
    return _on_arrival(node, principal, summary, ids)


def _on_arrival(
    node: Node, principal: Principal, summary: IngestSummary, ids: list[str]
) -> Submitted:
    scores: list[dict[str, Any]] = []
    if summary.accepted and len(ids) <= MAX_SCORED_ON_ARRIVAL and _has_model(node):
        # Rejected ones are not stored, so they are left out.
        found = risk.score_many(node, risk.SCORER, ids, route=False)
        scores = [found[i] for i in ids if i in found]
    referred: dict[str, int] = {}
    if summary.accepted:  # routed in one go, after scoring (rules may read model.score)
        referred = route_submitted(node, principal, ids).agencies
    return Submitted(summary=summary, scores=scores, referred=referred)
