"""Mutual assistance between real nodes over HTTP on loopback, each with its own database.

A asks B for information on a trader (a request under their agreement); B acknowledges, works on
it and answers with the trader's history, redacted as the agreement says; C, party with both to
a broader agreement, receives nothing at any point, whether notified or asking. Also: a request
whose deadline passes is overdue at both ends and counts as late in the figures; a refusal
travels with its ground and is final.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from borderlink.errors import Conflict
from borderlink.services.accounts.access import Principal
from borderlink.services.cooperation.assistance import draft_request, reply, send_request
from borderlink.services.cooperation.assistance_views import (
    case_detail,
    partner_figures,
    reminders,
    work_list,
)
from borderlink.services.cooperation.records import held_objects
from borderlink.services.exchange.sync import sync_partner
from tests.assist_samples import (
    assistance_agreement,
    past_deadline,
    request_document,
    trader_at,
)
from tests.coop_mesh import LiveServer, Mesh, agree, build_mesh, connect, go_live

OPS = Principal.system("test")  # acts for the node in the tests

pytestmark = pytest.mark.slow


@pytest.fixture
def live(tmp_path: Path, _sqlite_template: Path) -> Iterator[Mesh]:
    mesh = build_mesh(tmp_path, ["A", "B", "C"], template=_sqlite_template)
    servers: dict[str, LiveServer] = go_live(mesh)
    try:
        connect(mesh, "A", "B")
        connect(mesh, "A", "C")
        connect(mesh, "B", "C")
        agree(mesh, assistance_agreement())
        agree(
            mesh,
            assistance_agreement(
                agreement_id="ABC-2026",
                parties=["A", "B", "C"],
                amber_recipients=["A", "B", "C"],
                redact={},
            ),
        )
        yield mesh
    finally:
        for server in servers.values():
            server.stop()
        mesh.close()


def _wait_for(check: Any, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.02)


def _state_at(mesh: Mesh, node: str, request_id: str) -> str:
    return case_detail(mesh.nodes[node], OPS, request_id).case.state


def _c_holds_nothing(mesh: Mesh) -> None:
    c = mesh.nodes["C"]
    assert sync_partner(c, "A").accepted == 0
    assert sync_partner(c, "B").accepted == 0
    assert held_objects(c) == []
    assert work_list(c, OPS, "incoming").total == 0


def test_the_full_request_lifecycle_across_two_nodes_a_third_sees_nothing(live: Mesh) -> None:
    a, b = live.nodes["A"], live.nodes["B"]
    trader_at(b)
    step = draft_request(a, OPS, request_document())
    sent = send_request(a, OPS, step.request_id)
    assert sent.issued is not None
    assert (sent.issued.released_to, sent.issued.notified) == (["B"], ["B"])
    _wait_for(lambda: work_list(b, OPS, "incoming").total == 1)  # notified, B pulled
    assert _state_at(live, "B", step.request_id) == "received"

    for state in ("acknowledged", "in_progress"):
        reply(b, OPS, step.request_id, state)
        _wait_for(lambda s=state: _state_at(live, "A", step.request_id) == s)
    reply(b, OPS, step.request_id, "answered", findings="Three imports.", history_of=["T-42"])
    _wait_for(lambda: _state_at(live, "A", step.request_id) == "answered")

    answer = case_detail(a, OPS, step.request_id).reply
    assert answer is not None
    assert [h["declaration_id"] for h in answer["history"]] == ["B-D-2", "B-D-1", "B-D-0"]
    assert "ACME" not in str(answer)  # the trader's name stays at B, as the agreement says
    assert answer["redacted"] == ["history.trader_name"]
    [figures] = partner_figures(a, OPS)
    assert (figures.partner, figures.sent, figures.answered, figures.answered_in_time) == (
        "B",
        1,
        1,
        1.0,
    )
    _c_holds_nothing(live)


def test_a_deadline_passing_and_a_refusal(live: Mesh) -> None:
    a, b = live.nodes["A"], live.nodes["B"]
    late = send_request(
        a, OPS, draft_request(a, OPS, request_document(reference="ATL-L")).request_id
    )
    refused = send_request(
        a, OPS, draft_request(a, OPS, request_document(reference="ATL-R")).request_id
    )
    _wait_for(lambda: work_list(b, OPS, "incoming").total == 2)

    for node in (a, b):
        past_deadline(node, late.request_id, 3)
    assert [(c.request_id, c.reminder) for c in reminders(a, OPS)] == [(late.request_id, "overdue")]
    assert [(c.request_id, c.reminder) for c in reminders(b, OPS)] == [(late.request_id, "overdue")]
    assert partner_figures(a, OPS)[0].answered_in_time == 0.0

    reply(b, OPS, refused.request_id, "refused", ground="public-order", findings="Not possible.")
    _wait_for(lambda: _state_at(live, "A", refused.request_id) == "refused")
    at_a = case_detail(a, OPS, refused.request_id)
    assert at_a.reply is not None
    assert at_a.reply["ground"] == "public-order"
    with pytest.raises(Conflict):
        reply(b, OPS, refused.request_id, "answered", findings="after all")

    reply(b, OPS, late.request_id, "answered", findings="Late, but here.")
    _wait_for(lambda: _state_at(live, "A", late.request_id) == "answered")
    assert reminders(a, OPS) == []
    figures = partner_figures(a, OPS)[0]
    assert (figures.sent, figures.answered, figures.answered_in_time) == (2, 2, 0.5)
    assert dt.datetime.now(dt.UTC).date() > case_detail(a, OPS, late.request_id).case.deadline
    _c_holds_nothing(live)
