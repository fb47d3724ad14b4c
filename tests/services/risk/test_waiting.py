"""The queue of every one waiting reads the ``waiting`` table, which the writes of scores,
outcomes and amendments keep in step: on random histories of scoring, re-scoring (to green
too, by another model), outcomes (recorded by an officer or ingested), amendments and
cancellations, it lists exactly what the query over every score and outcome lists."""

from __future__ import annotations

import datetime as dt
import importlib
import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Select, delete, func, select, text

from borderlink.model import Outcome
from borderlink.services import Node
from borderlink.services.accounts.access import Principal, Role
from borderlink.services.declarations.read import MAX_PAGE, record_outcome
from borderlink.services.ingest.amend import AmendmentIn
from borderlink.services.ingest.files import ingest_file
from borderlink.services.ingest.versions import amend_declaration
from borderlink.services.risk import targeting
from borderlink.services.risk.writes import store_scores
from borderlink.store.risk_tables import waiting
from borderlink.store.tables import declarations, outcomes
from tests.factories import good

WriteCsv = Callable[..., Path]
MIGRATION = importlib.import_module("borderlink.store.migrations.versions.0021_waiting")
ADMIN = Principal.system("test")
OFFICES = ("OF1", "OF2", "OF3")
CHANNELS = ("red", "yellow", "green", "blue")


def _reference(principal: Principal) -> Select[Any]:
    """The queue with no day as it was before ``waiting``: each declaration's newest score
    anti-joined to every outcome."""
    latest = targeting.latest_scores()
    query = (
        select(declarations, latest.c.channel, latest.c.risk, latest.c.selection, latest.c.reasons)
        .join(latest, latest.c.declaration_id == declarations.c.declaration_id)
        .outerjoin(outcomes, outcomes.c.declaration_id == declarations.c.declaration_id)
        .where(
            outcomes.c.declaration_id.is_(None),
            latest.c.channel.in_(["red", "yellow"]),
            declarations.c.status.is_(None),
        )
    )
    if principal.office_id is not None:
        query = query.where(declarations.c.office_id == principal.office_id)
    return query


def _rows(node: Node, query: Select[Any]) -> list[tuple[Any, ...]]:
    with node.engine.connect() as conn:
        found = conn.execute(query).all()
    return sorted(
        (r.declaration_id, r.office_id, r.declared_on, r.channel, r.risk, r.selection, r.reasons)
        for r in found
    )


def _same_queue(node: Node) -> int:
    shown = 0
    for office in (None, *OFFICES):
        principal = (
            ADMIN
            if office is None
            else Principal(user_id=7, username="o", role=Role.OFFICER, office_id=office)
        )
        new = targeting.queue_query(principal, None, node.engine.dialect.name)
        assert _rows(node, new) == _rows(node, _reference(principal))
        # The page's order is the index's: channel, then risk, riskiest first.
        with node.engine.connect() as conn:
            page = conn.execute(new).all()
            total = conn.execute(select(func.count()).select_from(new.subquery())).scalar_one()
        assert total == len(page)
        assert targeting.queue(node, principal, limit=MAX_PAGE).total == total
        assert [(r.channel, -r.risk) for r in page] == sorted((r.channel, -r.risk) for r in page)
        shown += len(page)
    return shown


def _score(node: Node, rng: random.Random, ids: list[str], version: str) -> None:
    rows = []
    for d in ids:
        channel = rng.choice(CHANNELS)
        reasons = None if channel == "green" else json.dumps([{"text": f"{d} {version}"}])
        rows.append(
            {
                "declaration_id": d,
                "model_score": rng.random(),
                "risk": round(rng.random(), 3),
                "channel": channel,
                "selection": "risk",
                "reasons": reasons,
            }
        )
    with node.transaction() as conn:
        store_scores(conn, rows, version)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_waiting_queue_lists_what_every_score_and_outcome_say(
    node: Node, write_csv: WriteCsv, seed: int
) -> None:
    rng = random.Random(seed)
    ids = [f"W{seed}-{n}" for n in range(40)]
    start = dt.date(2024, 1, 1)
    rows = [
        good(
            declaration_id=d,
            office_id=rng.choice(OFFICES),
            declared_on=(start + dt.timedelta(days=rng.randrange(120))).isoformat(),
            illicit="",  # no outcome yet
        )
        for d in ids
    ]
    ingest_file(node, ADMIN, write_csv(rows))
    shown, cancelled = 0, ""
    for step in range(8):
        _score(node, rng, rng.sample(ids, 15), f"m{rng.randrange(3)}")
        shown += _same_queue(node)
        for d in rng.sample(ids, 2):
            record_outcome(node, ADMIN, Outcome(declaration_id=d, illicit=rng.random() < 0.3))
        d = rng.choice([d for d in ids if d != cancelled])
        changes = {"office_id": rng.choice(OFFICES), "declared_on": f"2024-0{1 + step % 5}-11"}
        amend_declaration(node, ADMIN, d, AmendmentIn(changes=changes, reason="corrected"))
        if step == 4:
            cancelled = rng.choice(ids)
            amend_declaration(node, ADMIN, cancelled, AmendmentIn(cancel=True, reason="dup"))
        shown += _same_queue(node)
    # Declarations that arrive with their inspection's result (a file's outcomes) never wait,
    # whatever their scores say.
    inspected = [f"X{seed}-{n}" for n in range(10)]
    ingest_file(node, ADMIN, write_csv([good(declaration_id=d, illicit="1") for d in inspected]))
    before = _same_queue(node)
    _score(node, rng, inspected, "m9")
    assert _same_queue(node) == before
    assert shown > 0  # the queue was not empty all along
    # The migration's fill, from what is stored, gives the rows the writes kept.
    with node.engine.begin() as conn:
        kept = sorted(conn.execute(select(waiting)).all())
        conn.execute(delete(waiting))
        conn.execute(text(MIGRATION.FILL.format(found=MIGRATION.FOUND[conn.dialect.name])))
        assert sorted(conn.execute(select(waiting)).all()) == kept
