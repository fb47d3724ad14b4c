"""``score_batch`` scores what is new by default; re-scoring the history is asked for, and
never refers a declaration already decided."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select

from borderlink import demo as synth
from borderlink.demo.scenario import DemoOptions, run_demo
from borderlink.demo.writers import Flow
from borderlink.services import Node
from borderlink.services.accounts.demo import DEMO
from borderlink.services.ingest.files import ingest_file
from borderlink.services.risk import score as service
from borderlink.services.risk._store import settled_among
from borderlink.services.risk.models import load_model
from borderlink.store.coordination_tables import referrals
from borderlink.store.tables import declarations


def _referred(node: Node) -> list[tuple[str, dt.date]]:
    query = select(referrals.c.declaration_id, declarations.c.declared_on).join(
        declarations, declarations.c.declaration_id == referrals.c.declaration_id
    )
    with node.engine.connect() as conn:
        return [(r[0], r[1]) for r in conn.execute(query)]


def test_new_by_default_history_on_request_and_never_referred(node: Node, tmp_path: Path) -> None:
    run_demo(node.settings, DemoOptions(items=2_000, seed=7))
    model = load_model(node)
    assert model.trained_to is not None
    before = _referred(node)
    assert service.score_batch(node, DEMO).scored == 0  # the demo scored its flow: none new

    # a new day's flow arrives (another seed: its own ids), after the demo's last day
    last = max(day for _, day in before)
    new = tmp_path / "new.csv"
    start = last + dt.timedelta(days=1)
    flow = Flow(since=start, pending=tmp_path / "found.csv")  # not inspected yet
    written = synth.write_csv(new, 60, seed=99, start=start, flow=flow)
    ingest_file(node, DEMO, new, format="csv", mapping=None)
    fresh = service.score_batch(node, DEMO)
    assert fresh.scored == written.declarations  # the new ones, not the history
    after_new = _referred(node)

    history = service.score_batch(node, DEMO, rescore=True)
    assert history.scored > 0  # the history, asked for
    assert history.referred == {}
    assert _referred(node) == after_new  # history never referred
    assert all(day > model.trained_to for _, day in after_new)
    assert service.score_batch(node, DEMO, rescore=True).scored == 0  # once per model
    decided = settled_among(node, [d for d, _ in after_new])
    assert decided  # the demo's officers and agencies decided on part of what was referred
