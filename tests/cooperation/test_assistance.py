"""The lifecycle of a mutual assistance request, its deadline, reminders and figures (pure)."""

from __future__ import annotations

import datetime as dt

import pytest

from borderlink.cooperation import release
from borderlink.cooperation.assistance import (
    CaseFacts,
    attachment,
    attachment_bytes,
    basis,
    case_state,
    deadline_for,
    figures,
    next_reply_state,
    next_request_state,
    reminder,
)
from borderlink.cooperation.policy import Denial, Released
from borderlink.errors import Conflict, InvalidInput, PolicyDenied
from borderlink.exchange.stix import from_stix, to_stix
from borderlink.model import Agreement
from borderlink.model.cooperation import (
    AssistanceReply,
    AssistanceRequest,
    HistoryEntry,
    Measure,
    ReplyState,
    RequestState,
    Urgency,
)
from tests.coop_samples import NOW, agreement, parse_strictly, stix_errors

TODAY = NOW.date()


def _agreement(**update: object) -> Agreement:
    base: dict[str, object] = {
        "categories": ["assistance-request", "assistance-reply"],
        "purposes": ["assistance"],
        "amber_recipients": ["A", "B"],
        "redact": {},
    }
    return agreement(**{**base, **update})


def _request(**update: object) -> AssistanceRequest:
    return AssistanceRequest(
        id="course-of-action--6a9f2f0e-5b7c-4d1e-8f3a-2c4b6d8e0f12",
        issuer="A",
        created=NOW,
        modified=NOW,
        reference="ATL-1",
        requested="B",
        agreement_id="AB-2026",
        measure=Measure.VERIFICATION,
        title="Verify certificate of origin 123",
        deadline=TODAY + dt.timedelta(days=30),
        state=RequestState.SENT,
        trader_ids=("T-42",),
        attachments=(attachment("coo.pdf", b"%PDF", media_type=None, max_bytes=10, field="f"),),
    ).model_copy(update=update)


def _reply(**update: object) -> AssistanceReply:
    return AssistanceReply(
        id="note--1b2c3d4e-5f60-4718-9a0b-1c2d3e4f5a6b",
        issuer="B",
        created=NOW,
        modified=NOW,
        request_id=_request().id,
        requester="A",
        agreement_id="AB-2026",
        state=ReplyState.ANSWERED,
        findings="The certificate is genuine.",
        history=(HistoryEntry(declaration_id="B-1", trader_id="T-42", trader_name="ACME"),),
    ).model_copy(update=update)


def test_reply_lifecycle() -> None:
    next_reply_state(None, ReplyState.ACKNOWLEDGED, request_id="r")
    next_reply_state(ReplyState.RECEIVED, ReplyState.ANSWERED, request_id="r")
    next_reply_state(ReplyState.ANSWERED, ReplyState.ANSWERED, request_id="r")  # a correction
    next_reply_state(ReplyState.PARTIALLY_ANSWERED, ReplyState.ANSWERED, request_id="r")
    with pytest.raises(Conflict, match="from answered to refused"):
        next_reply_state(ReplyState.ANSWERED, ReplyState.REFUSED, request_id="r")
    with pytest.raises(Conflict, match="allowed: none"):
        next_reply_state(ReplyState.REFUSED, ReplyState.ANSWERED, request_id="r")
    with pytest.raises(Conflict):
        next_reply_state(ReplyState.IN_PROGRESS, ReplyState.ACKNOWLEDGED, request_id="r")
    next_request_state(RequestState.DRAFT, RequestState.SENT, request_id="r")
    with pytest.raises(Conflict, match="withdrawn"):
        next_request_state(RequestState.WITHDRAWN, RequestState.SENT, request_id="r")


def test_a_refusal_names_its_ground_and_only_a_refusal_has_one() -> None:
    with pytest.raises(ValueError, match="ground"):
        _reply(state=ReplyState.REFUSED).model_validate(
            {**_reply().model_dump(), "state": "refused"}
        )
    with pytest.raises(ValueError, match="ground"):
        AssistanceReply.model_validate({**_reply().model_dump(), "ground": "sovereignty"})


def test_deadline_from_the_agreement_shortened_when_urgent() -> None:
    ab = _agreement(answer_days=45)
    assert deadline_for(ab, Urgency.ROUTINE, TODAY, default_days=30) == TODAY + dt.timedelta(45)
    assert deadline_for(ab, Urgency.URGENT, TODAY, default_days=30) == TODAY + dt.timedelta(7)
    assert deadline_for(ab, Urgency.IMMEDIATE, TODAY, default_days=30) == TODAY + dt.timedelta(2)
    plain = _agreement()
    assert deadline_for(plain, Urgency.ROUTINE, TODAY, default_days=30) == TODAY + dt.timedelta(30)


def test_answer_days_leave_the_terms_of_older_agreements_as_they_were() -> None:
    assert "answer_days" not in _agreement().as_document()
    assert _agreement(answer_days=10).as_document()["answer_days"] == 10


def test_the_basis_must_be_in_force_between_both_and_cover_assistance() -> None:
    ab = _agreement()
    assert basis([ab], "AB-2026", "A", "B", TODAY) is ab
    with pytest.raises(PolicyDenied, match="not between A and C"):
        basis([ab], "AB-2026", "A", "C", TODAY)
    with pytest.raises(PolicyDenied, match="not in force"):
        basis([_agreement(state="suspended")], "AB-2026", "A", "B", TODAY)
    with pytest.raises(PolicyDenied, match="assistance-reply"):
        basis([_agreement(categories=["assistance-request"])], "AB-2026", "A", "B", TODAY)
    with pytest.raises(InvalidInput, match="no agreement"):
        basis([ab], "XY", "A", "B", TODAY)


def test_a_request_goes_to_its_addressee_only_and_under_its_agreement_only() -> None:
    broad = _agreement(agreement_id="ABC", parties=["A", "B", "C"], amber_recipients=["B", "C"])
    to_c = release(_request(), "C", "assistance", [broad], NOW, me="A")
    assert isinstance(to_c, Denial)
    assert to_c.code == "audience"
    # Under ABC (not the request's basis) nothing goes to B either.
    elsewhere = release(_request(), "B", "assistance", [broad], NOW, me="A")
    assert isinstance(elsewhere, Denial)
    assert elsewhere.code == "no_agreement"
    to_b = release(_request(), "B", "assistance", [_agreement()], NOW, me="A")
    assert isinstance(to_b, Released)
    assert [r.field for r in to_b.removed] == ["trader_ids"]  # no trader-identity in AB-2026
    assert isinstance(release(_request(), "B", "risk", [_agreement()], NOW, me="A"), Denial)


def test_a_reply_is_redacted_as_the_agreement_says() -> None:
    terms = _agreement(
        categories=["assistance-request", "assistance-reply", "trader-identity"],
        redact={"assistance-reply": ["history.trader_name"]},
    )
    out = release(_reply(), "A", "assistance", [terms], NOW, me="B")
    assert isinstance(out, Released)
    assert isinstance(out.record, AssistanceReply)
    assert out.record.history[0].trader_id == "T-42"
    assert out.record.history[0].trader_name is None
    assert [(r.field, r.reason) for r in out.removed] == [
        ("history.trader_name", "agreement-redaction")
    ]


def test_requests_and_replies_round_trip_as_valid_stix() -> None:
    objects = [to_stix(_request(), agreement_id="AB-2026"), to_stix(_reply())]
    assert [o["type"] for o in objects] == ["course-of-action", "note"]
    assert objects[1]["object_refs"] == [_request().id]
    assert from_stix(objects[0]) == _request()
    assert from_stix(objects[1]) == _reply()
    request_only = [objects[0]]
    assert stix_errors(request_only) == []
    assert len(parse_strictly(objects)) == 2


def test_attachments_are_size_limited_and_named_by_their_digest() -> None:
    item = attachment("a.txt", b"hello", media_type="text/plain", max_bytes=5, field="files")
    assert item.sha256 == "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
    assert attachment_bytes(item) == b"hello"
    with pytest.raises(InvalidInput, match="at most 4"):
        attachment("a.txt", b"hello", media_type=None, max_bytes=4, field="files")
    with pytest.raises(InvalidInput, match="plain file name"):
        attachment("../a.txt", b"x", media_type=None, max_bytes=4, field="files")
    with pytest.raises(ValueError, match="digest"):
        type(item).model_validate({**item.model_dump(), "size": 4})


def test_case_state_and_reminders() -> None:
    assert case_state("sent", None, incoming=False) == "sent"
    assert case_state("sent", None, incoming=True) == "received"
    assert case_state("sent", "in_progress", incoming=False) == "in_progress"
    assert case_state("withdrawn", "in_progress", incoming=True) == "withdrawn"
    due = TODAY + dt.timedelta(days=3)
    assert reminder("sent", due, TODAY, days_before=5) == "due-soon"
    assert reminder("sent", due, TODAY, days_before=2) is None
    assert reminder("in_progress", TODAY - dt.timedelta(1), TODAY, days_before=2) == "overdue"
    assert reminder("answered", TODAY - dt.timedelta(1), TODAY, days_before=2) is None


def test_figures_per_partner() -> None:
    sent = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)

    def case(days: float | None, deadline_days: int, partner: str = "B") -> CaseFacts:
        answered = sent + dt.timedelta(days=days) if days is not None else None
        return CaseFacts(partner, True, sent, answered, sent.date() + dt.timedelta(deadline_days))

    rows = figures(
        [
            case(2, 10),  # in time
            case(12, 10),  # late
            case(None, 10),  # due, unanswered: late
            case(None, 60),  # open, not due yet: not judged
            CaseFacts("B", False, sent, None, TODAY),  # received from B
            case(1, 5, partner="C"),
        ],
        dt.date(2026, 11, 20),
    )
    b, c = rows
    assert (b.partner, b.sent, b.received, b.answered) == ("B", 4, 1, 2)
    assert b.median_answer_days == 7.0
    assert b.answered_in_time == round(1 / 3, 3)
    assert (c.partner, c.answered_in_time, c.median_answer_days) == ("C", 1.0, 1.0)
