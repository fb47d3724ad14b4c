"""Key rotation: a new key signed by the old one, both accepted for an overlap, history kept."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from borderlink.errors import IntegrityFailure
from borderlink.exchange.auth import sign_request
from borderlink.exchange.envelope import key_statement, open_envelope, sign, verify
from borderlink.exchange.identity import NodeIdentity, public_key_text
from borderlink.services.accounts.access import Principal
from borderlink.services.cooperation.partners import get_partner, node_identity
from borderlink.services.cooperation.records import held_objects, issue
from borderlink.services.exchange.keys import accept_key_statements, rotate_key
from borderlink.services.exchange.log import verify_log
from borderlink.services.exchange.sync import sync_partner
from borderlink.store.cooperation_tables import released
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


def _sync(mesh: Mesh) -> int:
    return sync_partner(mesh.nodes["B"], "A", transport=bridge(mesh.apps["A"])).accepted


def _tree_head_at_a(mesh: Mesh, signer_key: Ed25519PrivateKey | None) -> int:
    """B calls A; A's answer tells whether B's signature (made with ``signer_key``) passed."""
    identity = node_identity(mesh.nodes["B"])
    if signer_key is not None:
        identity = NodeIdentity(identity.node_id, identity.name, signer_key)
    request = httpx.Request("GET", "http://node.test/api/v1/exchange/tree-head")
    sign_request(identity, request, recipient="A", body=b"", now=dt.datetime.now(dt.UTC))
    with httpx.Client(transport=bridge(mesh.apps["A"])) as client:
        return client.send(request).status_code


def test_a_rotated_key_is_learnt_on_sync_and_old_envelopes_still_verify(mesh: Mesh) -> None:
    a, b = mesh.nodes["A"], mesh.nodes["B"]
    issue(a, OPS, new_alert(0), notify=False)  # signed with A's first key
    old_key = mesh.identities["A"].public_key
    rotation = rotate_key(a, OPS)
    assert node_identity(a).public_key == rotation.identity.public_key != old_key
    issue(a, OPS, new_alert(1), notify=False)  # signed with the new key
    assert _sync(mesh) == 2  # the statement came with A's head, before the pages
    partner = get_partner(b, "A")
    assert partner.public_key == rotation.identity.public_key
    assert [k.public_key for k in partner.retired] == [old_key]
    assert {o["name"] for o in held_objects(b)} >= {"alert 0", "alert 1"}
    # A's own log still verifies, heads signed with the old key included.
    assert verify_log(a, node_identity(a).public_key).tree_size >= 2


def test_old_envelopes_verify_after_the_overlap_fresh_tokens_do_not(mesh: Mesh) -> None:
    a, b = mesh.nodes["A"], mesh.nodes["B"]
    issue(a, OPS, new_alert(0), notify=False)
    with a.read() as conn:
        (old_envelope,) = conn.execute(select(released.c.envelope)).scalars()
    old = node_identity(a)
    rotate_key(a, OPS, overlap=dt.timedelta(0))
    _sync(mesh)
    partners = {"A": get_partner(b, "A")}
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=30)
    assert open_envelope(old_envelope, partners, me="B", now=later).record_id
    fresh = sign(old, {"sender": "A", "issued_at": later.isoformat()}, typ="t")
    with pytest.raises(IntegrityFailure, match="does not verify"):
        verify(fresh, partners, typ="t")


def test_during_the_overlap_both_keys_sign_requests(mesh: Mesh) -> None:
    b = mesh.nodes["B"]
    old_key = node_identity(b).private_key
    rotate_key(b, OPS)  # B rotates; A learns it when it syncs from B
    connect_back = sync_partner(mesh.nodes["A"], "B", transport=bridge(mesh.apps["B"]))
    assert connect_back.witnessed_size is not None
    assert _tree_head_at_a(mesh, None) == 200  # the new key
    assert _tree_head_at_a(mesh, old_key) == 200  # the old one, within the overlap


def test_a_statement_not_signed_by_the_current_key_is_refused(mesh: Mesh) -> None:
    thief = NodeIdentity("A", "A", Ed25519PrivateKey.generate())
    mine = public_key_text(Ed25519PrivateKey.generate().public_key())
    forged = key_statement(thief, mine, now=dt.datetime.now(dt.UTC), overlap=dt.timedelta(days=1))
    with pytest.raises(IntegrityFailure):
        accept_key_statements(mesh.nodes["B"], "A", [forged])
    assert get_partner(mesh.nodes["B"], "A").public_key == mesh.identities["A"].public_key
