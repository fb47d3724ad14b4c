"""The pure parts of streaming intake: addresses, messages as JSON Lines, decisions."""

from __future__ import annotations

import io
import json

import pytest

from borderlink.errors import InvalidInput
from borderlink.ingest import stream
from borderlink.ingest.readers import read_json_chunks


def test_an_address_names_the_server_and_one_literal_subject() -> None:
    found = stream.parse_address("nats://127.0.0.1/customs.declarations")
    assert (found.server, found.subject) == ("nats://127.0.0.1:4222", "customs.declarations")
    assert str(found) == "nats://127.0.0.1:4222/customs.declarations"
    with_auth = stream.parse_address("tls://node:secret@nats.example:4443/x")
    assert with_auth.server == "tls://node:secret@nats.example:4443"


@pytest.mark.parametrize(
    "text",
    [
        "http://127.0.0.1:4222/x",  # not NATS
        "nats:///x",  # no host
        "nats://127.0.0.1:4222/",  # no subject
        "nats://127.0.0.1:4222/customs.*",  # a wildcard, not one subject
        "nats://127.0.0.1:4222/a..b",
        "nats://127.0.0.1:port/x",
    ],
)
def test_a_bad_address_is_refused_naming_the_option(text: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        stream.parse_address(text)
    assert refused.value.field == "--from"


def test_each_message_is_one_record_of_the_reader_whatever_it_holds() -> None:
    bodies = [
        json.dumps({"id": "D1", "items": [{"hs_code": "851713"}]}, indent=2).encode(),
        b"{not json\n at all",
        b"",
        b"   \n",
        b"[1, 2]",
        json.dumps({"id": "D2", "items": [{"hs_code": "851713"}, {"hs_code": "620822"}]}).encode(),
    ]
    text = stream.jsonl(bodies)
    assert text.count(b"\n") == len(bodies)
    frames = list(read_json_chunks(io.BytesIO(text), 100))
    rows = frames[0]
    by_record = {n: rows.filter(rows["_record_no"] == n)["_error"].to_list() for n in range(1, 7)}
    assert by_record[1] == [None]
    assert by_record[2][0].startswith("malformed JSON")
    assert by_record[3] == by_record[4] == by_record[5] == ["a declaration must be a JSON object"]
    assert by_record[6] == [None, None]  # two items, one message


def test_the_declaration_id_is_read_as_ingest_cleans_it() -> None:
    found = stream.declaration_ids(
        [b'{"id": " D1 "}', b'{"id": 42}', b'{"id": true}', b"[]", b"{oops", b'{"id": "A\\u200bB"}']
    )
    assert found == ["D1", "42", None, None, None, None]


def test_a_decision_keeps_the_channel_and_leaves_the_reasons_on_the_node() -> None:
    score = {
        "channel": "red",
        "selection": "risk",
        "risk": 0.9,
        "model_version": "rm-1",
        "reasons": [{"text": "importer X"}],
    }
    made = stream.decision(
        sequence=7,
        declaration_id="D1",
        status="accepted",
        lodged_at="2026-01-01T00:00:00Z",
        decided_at="2026-01-01T00:00:01Z",
        score=score,
    )
    assert made["channel"] == "red"
    assert "reasons" not in made
    assert "issues" not in made
    rejected = stream.decision(
        sequence=8,
        declaration_id=None,
        status="rejected",
        lodged_at=None,
        decided_at="now",
        issues=[{"field": "hs_code", "reason": "malformed_hs_code"}],
    )
    assert rejected["channel"] is None
    assert rejected["issues"] == [{"field": "hs_code", "reason": "malformed_hs_code"}]


def test_a_stream_name_is_made_of_the_subject() -> None:
    assert stream.stream_name("customs.declarations-in") == "BORDERLINK_CUSTOMS_DECLARATIONS-IN"
