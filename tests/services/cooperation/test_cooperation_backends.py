"""The exchange's storage on both backends: A or B on the ``engine`` database (SQLite, PG)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from borderlink.errors import ReplayDetected
from borderlink.services.accounts.access import Principal
from borderlink.services.cooperation.partners import get_partner
from borderlink.services.cooperation.receiving import purge_expired, receive
from borderlink.services.cooperation.records import active_alerts, held_objects, issue_all, revoke
from borderlink.services.exchange.log import verify_log
from borderlink.services.exchange.sync import sync_partner
from borderlink.store.cooperation_tables import coop_records, received, released
from tests.coop_mesh import Mesh, agree, build_mesh, connect
from tests.coop_samples import TODAY, agreement, new_alert, new_seizure

OPS = Principal.system("test")  # acts for the node in the tests


@pytest.fixture(params=["A", "B"])
def pair(
    request: pytest.FixtureRequest, engine: Engine, tmp_path: Path, _sqlite_template: Path
) -> Iterator[Mesh]:
    mesh = build_mesh(
        tmp_path, ["A", "B"], template=_sqlite_template, engines={request.param: engine}
    )
    connect(mesh, "A", "B")
    agree(mesh, agreement())
    yield mesh
    for name, node in mesh.nodes.items():
        if name != request.param:  # the engine fixture closes its own
            node.engine.dispose()


def test_issue_notify_receive_revoke_sync(pair: Mesh) -> None:
    a, b = pair.nodes["A"], pair.nodes["B"]
    seizure = new_seizure()
    alerts = [new_alert(n) for n in range(12)]
    results = issue_all(a, OPS, [seizure, *alerts], transport_for=pair.transport_for)
    assert all(r.released_to == ["B"] for r in results)
    assert all(r.notified == ["B"] for r in results)
    held = {o["id"]: o for o in held_objects(b)}
    assert len(held) == 13
    assert "parties" not in held[seizure.id]
    assert len(active_alerts(b, TODAY.date())) == 12

    revoke(a, OPS, alerts[0].id, reason="wrong", transport_for=pair.transport_for)
    assert len(active_alerts(b, TODAY.date())) == 11

    with a.engine.connect() as conn:
        first = conn.execute(select(released.c.envelope).order_by(released.c.seq)).scalar()
    assert first is not None
    with pytest.raises(ReplayDetected):
        receive(b, first)
    again = sync_partner(b, "A", transport=pair.transport_for(get_partner(b, "A")), page_size=5)
    assert (again.accepted, again.rejected) == (0, {})
    assert again.witnessed_size == 14
    with b.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(received)).scalar_one() == 14
    assert verify_log(a, pair.identities["A"].public_key).tree_size == 14
    assert verify_log(b, pair.identities["B"].public_key).tree_size == 14


def test_retention_limit_purges_content_but_keeps_proof(
    engine: Engine,
    tmp_path: Path,
    _sqlite_template: Path,  # noqa: PT019 - its value (the template file) is used
) -> None:
    mesh = build_mesh(tmp_path, ["A", "B"], template=_sqlite_template, engines={"B": engine})
    connect(mesh, "A", "B")
    agree(mesh, agreement(retention_days=30))
    alert = new_alert(1)
    issue_all(mesh.nodes["A"], OPS, [alert], transport_for=mesh.transport_for)
    b = mesh.nodes["B"]
    with b.engine.connect() as conn:  # the limit counts from the day B stored it, not TODAY
        stored = conn.execute(select(coop_records.c.stored_at)).scalar_one().date()
    assert purge_expired(b, today=stored + dt.timedelta(days=30)) == 0
    assert purge_expired(b, today=stored + dt.timedelta(days=31)) == 1
    assert held_objects(b) == []
    assert active_alerts(b, TODAY.date()) == []
    with b.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(received)).scalar_one() == 1
    assert verify_log(b, mesh.identities["B"].public_key).tree_size == 2
    assert purge_expired(b, today=stored + dt.timedelta(days=31)) == 0
    mesh.nodes["A"].engine.dispose()
