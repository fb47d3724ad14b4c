"""X-Forwarded-For counts for the sign-in throttle only from a configured trusted proxy."""

from __future__ import annotations

import asyncio

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from borderlink.server import create_app
from borderlink.server.security import client_address
from borderlink.services import Node
from borderlink.settings import Settings
from borderlink.store.tables import audit_log
from tests.surfaces import client, fast

PROXY = "10.0.0.5"


@pytest.mark.parametrize(
    ("peer", "forwarded", "trusted", "client"),
    [
        ("198.51.100.7", "203.0.113.9", [], "198.51.100.7"),  # nothing trusted
        ("198.51.100.7", "203.0.113.9", [PROXY], "198.51.100.7"),  # the peer is no proxy
        (PROXY, "203.0.113.9", [PROXY], "203.0.113.9"),
        (PROXY, "1.2.3.4, 203.0.113.9", ["10.0.0.0/8"], "203.0.113.9"),  # 1.2.3.4: made up
        (PROXY, "203.0.113.9, 10.0.0.7", ["10.0.0.0/8"], "203.0.113.9"),  # two proxies
        (PROXY, "garbage", [PROXY], PROXY),
        (PROXY, None, [PROXY], PROXY),
        ("::1", "2001:db8::1", ["::1"], "2001:db8::1"),
    ],
)
def test_the_client_is_the_nearest_untrusted_hop(
    peer: str, forwarded: str | None, trusted: list[str], client: str
) -> None:
    assert client_address(peer, forwarded, trusted) == client


def test_trusted_proxies_are_a_comma_list_of_networks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BORDERLINK_TRUSTED_PROXIES", "10.0.0.1, 192.168.0.0/16")
    assert Settings().trusted_proxies == ["10.0.0.1", "192.168.0.0/16"]
    with pytest.raises(ValidationError, match="not an address or network"):
        Settings(trusted_proxies=["proxy.example"])


def _failed_logins(node: Node, trusted: list[str], forwarded: list[str]) -> tuple[int, bool]:
    """Wrong passwords for distinct names, each with its X-Forwarded-For, from the in-process
    client's peer address (127.0.0.1)."""
    settings = node.settings.model_copy(
        update={"trusted_proxies": trusted, "login_max_failures_per_source": 2}
    )
    app = create_app(settings, node=Node(settings=settings, engine=node.engine), pages=False)

    async def go() -> tuple[int, bool]:
        """How many were refused, and whether the last one was refused as locked."""
        async with client(app) as c:
            refused, locked = 0, False
            for n, address in enumerate(forwarded):
                answer = await c.post(
                    "/api/v1/auth/login",
                    json={"username": f"someone{n}", "password": "not the password"},
                    headers={"X-Forwarded-For": address},
                )
                refused += answer.status_code == 401
                locked = "locked until" in answer.json()["detail"]
            return refused, locked

    return asyncio.run(go())


def _addresses(node: Node) -> list[str]:
    with node.read() as conn:
        details = conn.execute(
            select(audit_log.c.details).where(audit_log.c.action == "auth.login_failed")
        ).scalars()
        return [d["address"] for d in details]


def test_an_untrusted_peer_cannot_shed_the_count_with_the_header(node: Node) -> None:
    node = fast(node)
    made_up = ["203.0.113.1", "203.0.113.2", "203.0.113.3"]
    assert _failed_logins(node, [], made_up) == (3, True)  # all counted on 127.0.0.1
    assert set(_addresses(node)) == {"127.0.0.1"}


def test_behind_a_trusted_proxy_each_client_is_counted_as_itself(node: Node) -> None:
    node = fast(node)
    clients = ["203.0.113.1", "203.0.113.2", "203.0.113.3"]
    assert _failed_logins(node, ["127.0.0.1"], clients) == (3, False)
    assert _addresses(node) == clients
    # and one client is still locked as itself, however it is forwarded
    assert _failed_logins(node, ["127.0.0.1"], ["198.51.100.1"] * 3)[1] is True
