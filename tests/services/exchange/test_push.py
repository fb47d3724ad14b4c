"""Notices that carry their copies: taken with no call back, and a pull whenever they do not do."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from borderlink.errors import IntegrityFailure
from borderlink.exchange.identity import Partner
from borderlink.services.accounts.access import Principal
from borderlink.services.cooperation.partners import get_partner, node_identity
from borderlink.services.cooperation.records import held_objects, issue
from borderlink.services.exchange.log import held_head, tree_size
from borderlink.services.exchange.push import head_with_proof, push_for
from borderlink.services.exchange.pushed import apply_push, parse_push
from borderlink.services.exchange.sync import cursor
from tests.coop_mesh import Mesh, agree, bridge, build_mesh, connect
from tests.coop_samples import agreement, new_alert

OPS = Principal.system("test")  # acts for the node in the tests


@pytest.fixture
def mesh(tmp_path: Path, _sqlite_template: Path) -> Iterator[Mesh]:
    m = build_mesh(tmp_path, ["A", "B"], template=_sqlite_template)
    connect(m, "A", "B")
    agree(m, agreement())
    yield m
    m.close()


def _count_calls_to_a(mesh: Mesh) -> list[str]:
    """Route B's calls to A through a recorder: the paths B asked A for."""
    calls: list[str] = []
    inner = bridge(mesh.apps["A"])

    def handle(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        return inner.handle_request(request)

    def transport_for(partner: Partner) -> httpx.BaseTransport:
        return httpx.MockTransport(handle) if partner.partner_id == "A" else bridge(mesh.apps["A"])

    mesh.apps["B"].state.exchange_transport = transport_for
    return calls


def _cursor(mesh: Mesh, node: str, partner: str) -> int:
    with mesh.nodes[node].read() as conn:
        return cursor(conn, partner)


def test_a_notice_carries_the_copy_and_the_head_so_b_calls_nothing_back(mesh: Mesh) -> None:
    calls = _count_calls_to_a(mesh)
    a, b = mesh.nodes["A"], mesh.nodes["B"]
    for n in (1, 2, 3):
        result = issue(a, OPS, new_alert(n), transport_for=mesh.transport_for)
        assert result.notified == ["B"]
        with a.read() as conn:
            size = tree_size(conn)
        assert {o["id"] for o in held_objects(b)} >= {result.record_id}
        assert _cursor(mesh, "B", "A") == result.latest["B"]
        witnessed = held_head(b, "A")
        # B witnessed A's head as of the notice: the first with no proof, later ones with the
        # consistency proof the notice carried from the head before.
        assert witnessed is not None
        assert witnessed.tree_size == size
    assert calls == []


def test_b_behind_the_push_pulls_what_it_missed_then_takes_the_push(mesh: Mesh) -> None:
    calls = _count_calls_to_a(mesh)
    a, b = mesh.nodes["A"], mesh.nodes["B"]
    missed = issue(a, OPS, new_alert(1), notify=False)
    pushed = issue(a, OPS, new_alert(2), transport_for=mesh.transport_for)
    held = {o["id"] for o in held_objects(b)}
    assert {missed.record_id, pushed.record_id} <= held
    assert _cursor(mesh, "B", "A") == pushed.latest["B"]
    assert any(path.endswith("/objects/") for path in calls)  # the gap was pulled


def test_a_push_from_another_head_than_b_holds_is_witnessed_through_a_pull(mesh: Mesh) -> None:
    a, b = mesh.nodes["A"], mesh.nodes["B"]
    first = issue(a, OPS, new_alert(1), transport_for=mesh.transport_for).latest["B"]
    held = held_head(b, "A")
    issue(a, OPS, new_alert(2), notify=False)
    head_with_proof(a, node_identity(a))  # A signs a head B never sees
    latest = issue(a, OPS, new_alert(3), notify=False).latest["B"]
    head = head_with_proof(a, node_identity(a))
    # B is behind this push's start (it carries the last copy only): nothing is taken.
    assert apply_push(b, "A", parse_push(push_for(a, "B", latest, 1, head))) is None
    assert _cursor(mesh, "B", "A") == first
    # One that carries both copies is taken, but its proof starts from a head B does not
    # hold: the head is left for a pull to witness.
    assert apply_push(b, "A", parse_push(push_for(a, "B", latest, 2, head))) is None
    assert _cursor(mesh, "B", "A") == latest
    assert held_head(b, "A") == held


def test_a_forged_proof_in_a_push_is_refused(mesh: Mesh) -> None:
    a, b = mesh.nodes["A"], mesh.nodes["B"]
    issue(a, OPS, new_alert(1), transport_for=mesh.transport_for)
    latest = issue(a, OPS, new_alert(2), notify=False).latest["B"]
    body = push_for(a, "B", latest, 1, head_with_proof(a, node_identity(a)))
    assert body["consistency"]["proof"]
    body["consistency"]["proof"] = ["00" * 32 for _ in body["consistency"]["proof"]]
    with pytest.raises(IntegrityFailure, match="forked tree head"):
        apply_push(b, "A", parse_push(body))
    assert get_partner(b, "A").partner_id == "A"


def test_a_malformed_push_is_refused_naming_the_fault() -> None:
    with pytest.raises(IntegrityFailure, match="malformed push"):
        parse_push({"after": "x"})
