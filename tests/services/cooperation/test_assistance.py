"""Mutual assistance in-process: A asks B, B answers; C, under a broad agreement, sees nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from borderlink.errors import Conflict, InvalidInput, NotFound, PermissionDenied, PolicyDenied
from borderlink.services.accounts.access import Principal, Role
from borderlink.services.cooperation.assistance import (
    File,
    draft_request,
    reply,
    send_request,
    withdraw_request,
)
from borderlink.services.cooperation.assistance_views import (
    attachment_content,
    case_detail,
    partner_figures,
    reminders,
    work_list,
)
from borderlink.services.cooperation.records import held_objects
from borderlink.services.exchange.log import verify_log
from borderlink.store.cooperation_tables import assistance_cases
from tests.assist_samples import (
    assistance_agreement,
    past_deadline,
    request_document,
    trader_at,
)
from tests.coop_mesh import Mesh, agree, build_mesh, connect
from tests.coop_samples import agreement

OPS = Principal.system("test")  # acts for the node in the tests


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


@pytest.fixture
def mesh(tmp_path: Path, _sqlite_template: Path) -> Iterator[Mesh]:
    m = build_mesh(tmp_path, ["A", "B", "C"], template=_sqlite_template)
    connect(m, "A", "B")
    connect(m, "A", "C")
    connect(m, "B", "C")
    agree(m, assistance_agreement())
    # A broad agreement among all three: C could receive anything, were it addressed to it.
    agree(
        m,
        assistance_agreement(
            agreement_id="ABC-2026",
            parties=["A", "B", "C"],
            amber_recipients=["A", "B", "C"],
            redact={},
        ),
    )
    yield m
    m.close()


def _send(mesh: Mesh, **update: object) -> str:
    step = draft_request(mesh.nodes["A"], OPS, request_document(**update))
    sent = send_request(mesh.nodes["A"], OPS, step.request_id, transport_for=mesh.transport_for)
    assert sent.issued is not None
    assert sent.issued.released_to == ["B"]  # never C, whatever ABC-2026 allows
    assert sent.issued.notified == ["B"]
    return step.request_id


def _reply(mesh: Mesh, request_id: str, state: str, **kwargs: Any) -> Any:
    return reply(
        mesh.nodes["B"], OPS, request_id, state, transport_for=mesh.transport_for, **kwargs
    )


def test_request_lifecycle_across_two_nodes_with_a_third_seeing_nothing(mesh: Mesh) -> None:
    a, b, c = mesh.nodes["A"], mesh.nodes["B"], mesh.nodes["C"]
    step = draft_request(
        a, OPS, request_document(), files=[File("invoice.pdf", b"%PDF-1.7 invoice")]
    )
    assert step.state == "draft"
    assert held_objects(b) == []  # a draft does not leave the node
    assert (
        draft_request(a, OPS, request_document()).request_id == step.request_id
    )  # same file number
    draft_request(a, OPS, request_document(), files=[File("invoice.pdf", b"%PDF-1.7 invoice")])
    [outgoing] = work_list(a, OPS, "outgoing").items
    assert (outgoing.state, outgoing.partner) == ("draft", "B")
    assert outgoing.deadline == _today() + dt.timedelta(days=20)  # the agreement's days

    sent = send_request(a, OPS, step.request_id, transport_for=mesh.transport_for)
    assert sent.issued is not None
    assert sent.issued.released_to == ["B"]
    assert "addressed to B only" in sent.issued.denied["C"]
    assert send_request(a, OPS, step.request_id).issued is None  # not sent twice
    with pytest.raises(Conflict, match="sent already"):
        draft_request(a, OPS, request_document())

    [incoming] = work_list(b, OPS, "incoming").items
    assert (incoming.request_id, incoming.state, incoming.partner) == (
        step.request_id,
        "received",
        "A",
    )
    held = case_detail(b, OPS, step.request_id)
    assert held.request is not None
    assert held.request["trader_ids"] == ["T-42"]
    assert held.attachments[0]["name"] == "invoice.pdf"
    assert attachment_content(b, OPS, held.attachments[0]["sha256"])[0] == b"%PDF-1.7 invoice"

    trader_at(b)
    _reply(mesh, step.request_id, "acknowledged")
    assert work_list(a, OPS, "outgoing").items[0].state == "acknowledged"
    _reply(mesh, step.request_id, "in_progress")
    answer = _reply(
        mesh,
        step.request_id,
        "answered",
        findings="T-42 imported furniture from CN three times in October.",
        history_of=["T-42"],
    )
    assert answer.issued.released_to == ["A"]

    at_a = case_detail(a, OPS, step.request_id)
    assert at_a.case.state == "answered"
    assert at_a.case.answered_at is not None
    assert at_a.reply is not None
    assert [h["declaration_id"] for h in at_a.reply["history"]] == ["B-D-2", "B-D-1", "B-D-0"]
    assert all("trader_name" not in h for h in at_a.reply["history"])  # redacted as agreed
    assert at_a.reply["redacted"] == ["history.trader_name"]
    at_b = case_detail(b, OPS, step.request_id)
    assert at_b.reply is not None
    assert at_b.reply["history"][0]["trader_name"] == "ACME Ltd"
    assert at_b.reply_removed == [{"field": "history.trader_name", "reason": "agreement-redaction"}]

    # A correction is a later version of the same reply; the first answer time stands.
    first_answer = at_a.case.answered_at
    _reply(mesh, step.request_id, "answered", findings="Four times, not three.")
    corrected = case_detail(a, OPS, step.request_id)
    assert corrected.reply is not None
    assert corrected.reply["findings"] == "Four times, not three."
    assert len(corrected.reply["history"]) == 3  # kept from the previous version
    assert corrected.case.answered_at == first_answer

    assert held_objects(c) == []
    assert work_list(c, OPS, "incoming").total == 0
    [figures] = partner_figures(a, OPS)
    assert (figures.partner, figures.sent, figures.received, figures.answered) == ("B", 1, 0, 1)
    assert figures.answered_in_time == 1.0
    assert figures.median_answer_days is not None
    assert figures.median_answer_days < 1
    assert [(f.partner, f.received) for f in partner_figures(b, OPS)] == [("A", 1)]
    # request, then reply x4 (acknowledged, in progress, answered, corrected): all in the log.
    assert verify_log(a, mesh.identities["A"].public_key).tree_size == 5
    assert verify_log(b, mesh.identities["B"].public_key).tree_size == 5


def test_a_refused_request_names_its_ground_and_is_final(mesh: Mesh) -> None:
    request_id = _send(mesh, reference="ATL-2")
    with pytest.raises(InvalidInput, match="ground"):
        _reply(mesh, request_id, "refused")
    _reply(mesh, request_id, "refused", ground="legal-prohibition", findings="Banking secrecy.")
    detail = case_detail(mesh.nodes["A"], OPS, request_id)
    assert detail.case.state == "refused"
    assert detail.reply is not None
    assert detail.reply["ground"] == "legal-prohibition"
    with pytest.raises(Conflict, match="cannot go from refused"):
        _reply(mesh, request_id, "answered", findings="after all")
    with pytest.raises(InvalidInput, match="'nonsense'"):
        _reply(mesh, request_id, "refused", ground="nonsense")


def test_a_deadline_passing_makes_the_request_overdue_and_a_late_answer_counts(
    mesh: Mesh,
) -> None:
    a, b = mesh.nodes["A"], mesh.nodes["B"]
    request_id = _send(mesh, reference="ATL-3", urgency="urgent")
    assert work_list(a, OPS, "outgoing").items[0].deadline == _today() + dt.timedelta(7)
    assert reminders(a, OPS) == []
    for node in (a, b):
        past_deadline(node, request_id, 2)
    [late] = reminders(b, OPS)
    assert (late.reminder, late.days_left, late.direction) == ("overdue", -2, "incoming")
    assert reminders(a, OPS)[0].reminder == "overdue"
    assert partner_figures(a, OPS)[0].answered_in_time == 0.0  # due and not answered
    _reply(mesh, request_id, "partially_answered", findings="What we have so far.")
    assert reminders(a, OPS) == []
    figures = partner_figures(a, OPS)[0]
    assert (figures.answered, figures.answered_in_time) == (1, 0.0)  # answered, but late


def test_withdrawn_request_cannot_be_answered(mesh: Mesh) -> None:
    request_id = _send(mesh, reference="ATL-4")
    with pytest.raises(InvalidInput, match="reason"):
        withdraw_request(mesh.nodes["A"], OPS, request_id, reason=" ")
    withdraw_request(
        mesh.nodes["A"], OPS, request_id, reason="settled", transport_for=mesh.transport_for
    )
    assert work_list(mesh.nodes["B"], OPS, "incoming").items[0].state == "withdrawn"
    with pytest.raises(Conflict, match="withdrawn"):
        _reply(mesh, request_id, "acknowledged")
    with pytest.raises(Conflict, match="withdrawn"):
        withdraw_request(mesh.nodes["A"], OPS, request_id, reason="again")


def test_a_request_needs_an_agreement_for_assistance(mesh: Mesh) -> None:
    a = mesh.nodes["A"]
    agree(mesh, agreement(agreement_id="AB-RISK", purposes=["risk-management"]))
    with pytest.raises(PolicyDenied, match="purpose 'assistance'"):
        draft_request(a, OPS, request_document(agreement_id="AB-RISK"))
    with pytest.raises(InvalidInput, match="no agreement 'NOPE'"):
        draft_request(a, OPS, request_document(agreement_id="NOPE"))
    with pytest.raises(InvalidInput, match="measure"):
        draft_request(a, OPS, request_document(measure="espionage"))
    with pytest.raises(InvalidInput, match="has passed"):
        draft_request(a, OPS, request_document(deadline="2020-01-01"))
    with pytest.raises(InvalidInput, match="unknown field"):
        draft_request(a, OPS, request_document(issuer="B"))
    with pytest.raises(PolicyDenied, match="not between A and C"):
        draft_request(a, OPS, request_document(requested="C"))
    big = File("scan.tif", b"x" * (a.settings.assistance_attachment_max_bytes + 1))
    with pytest.raises(InvalidInput, match="at most"):
        draft_request(a, OPS, request_document(), files=[big])
    with pytest.raises(NotFound):
        reply(mesh.nodes["B"], OPS, "course-of-action--nope", "acknowledged")


def test_who_may_ask_answer_and_read(mesh: Mesh) -> None:
    officer = Principal(7, "olga", Role.OFFICER, office_id="A-PORT")
    liaison = Principal(8, "lee", Role.LIAISON_OFFICER)
    with pytest.raises(PermissionDenied):
        draft_request(mesh.nodes["A"], officer, request_document())
    with pytest.raises(PermissionDenied):
        work_list(mesh.nodes["A"], officer, "outgoing")
    request_id = _send(mesh, reference="ATL-5")
    detail = case_detail(mesh.nodes["B"], liaison, request_id)  # no nominal:read
    assert detail.request is not None
    assert detail.request["trader_ids"] == "[redacted]"
    assert detail.masked == ["trader_ids"]


@pytest.fixture
def pair(engine: Engine, tmp_path: Path, _sqlite_template: Path) -> Iterator[Mesh]:
    mesh = build_mesh(tmp_path, ["A", "B"], template=_sqlite_template, engines={"B": engine})
    connect(mesh, "A", "B")
    agree(mesh, assistance_agreement())
    yield mesh
    mesh.nodes["A"].engine.dispose()


def test_cases_are_kept_on_both_backends(pair: Mesh) -> None:
    request_id = _send(pair, reference="ATL-6")
    _reply(pair, request_id, "answered", findings="done", files=[File("r.txt", b"report")])
    with pair.nodes["B"].read() as conn:
        row = conn.execute(select(assistance_cases)).one()
    assert (row.direction, row.reply_state, row.request_state) == ("incoming", "answered", "sent")
    assert case_detail(pair.nodes["A"], OPS, request_id).attachments[0]["name"] == "r.txt"
