"""Declarations submitted over the API: through the same ingest as a file, scored on arrival.

Every declaration sent ends up accepted, rejected (kept, with reasons, retryable) or a duplicate;
when a risk model exists, each accepted one (up to ``MAX_SCORED_ON_ARRIVAL`` per call) is
scored at once; larger batches are for ``borderlink risk score``. With active agency routing
rules, the accepted ones are referred to the agencies the rules name.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select

from borderlink.errors import InvalidInput
from borderlink.model import IngestSummary
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


def submit_declarations(
    node: Node, principal: Principal, submitted: list[dict[str, Any]]
) -> Submitted:
    require(principal, Permission.DECLARATIONS_SUBMIT)
    if not submitted:
        raise InvalidInput("no declaration submitted", field="declarations")
    if len(submitted) > MAX_SUBMIT:
        raise InvalidInput(f"at most {MAX_SUBMIT} declarations per call", field="declarations")
    with tempfile.TemporaryDirectory(prefix="borderlink-submit-") as folder:
        path = Path(folder) / f"api-{principal.username}.json"
        path.write_text(json.dumps(submitted, ensure_ascii=False), encoding="utf-8")
        summary = ingest_file(node, principal, path, format="json")
    ids = list(dict.fromkeys(str(d["id"]) for d in submitted if isinstance(d.get("id"), str)))
    scores: list[dict[str, Any]] = []
    if summary.accepted and len(ids) <= MAX_SCORED_ON_ARRIVAL and _has_model(node):
        # Rejected ones are not stored, so they are left out.
        found = risk.score_many(node, risk.SCORER, ids, route=False)
        scores = [found[i] for i in ids if i in found]
    referred: dict[str, int] = {}
    if summary.accepted:  # routed in one go, after scoring (rules may read model.score)
        referred = route_submitted(node, principal, ids).agencies
    return Submitted(summary=summary, scores=scores, referred=referred)
