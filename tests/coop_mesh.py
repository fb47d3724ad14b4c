"""Helpers to build a small mesh of nodes for the cooperation tests.

Each node has its own SQLite file, settings, signing key and FastAPI app. In-process, nodes talk
through :func:`bridge`: a synchronous httpx transport that runs the partner's ASGI app (httpx's
``ASGITransport`` is async-only, the exchange client is synchronous).
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from fastapi import FastAPI
from sqlalchemy import Engine

from borderlink.exchange.identity import NodeIdentity, Partner
from borderlink.model import Agreement, AgreementState
from borderlink.server.app import create_app
from borderlink.server.loopback import LoopbackServer
from borderlink.services import Node, open_node
from borderlink.services.accounts.access import Principal
from borderlink.services.cooperation.agreements import (
    accept_copy,
    add_agreement,
    signed_copy,
    transition_agreement,
)
from borderlink.services.cooperation.partners import add_partner, init_node
from borderlink.settings import Settings

OPS = Principal.system("test")  # acts for the node in the tests


@dataclass
class Mesh:
    nodes: dict[str, Node] = field(default_factory=dict)
    identities: dict[str, NodeIdentity] = field(default_factory=dict)
    apps: dict[str, FastAPI] = field(default_factory=dict)
    urls: dict[str, str] = field(default_factory=dict)

    def transport_for(self, partner: Partner) -> httpx.BaseTransport:
        return bridge(self.apps[partner.partner_id])

    def close(self) -> None:
        for node in self.nodes.values():
            node.engine.dispose()


def node_settings(root: Path, node_id: str, **extra: object) -> Settings:
    return Settings(
        environment="test",
        data_dir=root / node_id,
        node_id=node_id,
        node_name=f"Customs of {node_id}",
        **extra,  # type: ignore[arg-type]
    )


def bridge(app: FastAPI) -> httpx.BaseTransport:
    async def forward(request: httpx.Request) -> httpx.Response:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://node.test"
        ) as client:
            response = await client.send(
                httpx.Request(
                    request.method,
                    request.url,
                    headers=request.headers,
                    content=request.content,
                )
            )
            await response.aread()
            return httpx.Response(
                response.status_code, headers=response.headers, content=response.content
            )

    def handle(request: httpx.Request) -> httpx.Response:
        request.read()
        return asyncio.run(forward(request))

    return httpx.MockTransport(handle)


def build_mesh(
    root: Path,
    names: Iterable[str],
    *,
    template: Path | None = None,
    in_process: bool = True,
    engines: Mapping[str, Engine] | None = None,
) -> Mesh:
    """Nodes named ``names`` under ``root``; ``template``: a migrated SQLite file to copy;
    ``engines``: a given (migrated, empty) database for some nodes, e.g. PostgreSQL."""
    mesh = Mesh()
    for name in names:
        settings = node_settings(root, name, auto_migrate=template is None)
        given = (engines or {}).get(name)
        if given is not None:
            url = given.url.render_as_string(hide_password=False)
            settings = settings.model_copy(update={"db": url})
            node = Node(settings=settings, engine=given)
        else:
            if template is not None:
                settings.data_dir.mkdir(parents=True, exist_ok=True)
                shutil.copy(template, settings.data_dir / "borderlink.db")
            node = open_node(settings)
        mesh.nodes[name] = node
        mesh.identities[name] = init_node(node, OPS)
        mesh.urls[name] = f"http://{name.lower()}.test"
        if in_process:
            app = create_app(node=node)
            mesh.apps[name] = app
    for app in mesh.apps.values():
        app.state.exchange_transport = mesh.transport_for
    return mesh


def connect(mesh: Mesh, a: str, b: str) -> None:
    """Register ``a`` and ``b`` as each other's partners."""
    for me, other in ((a, b), (b, a)):
        ident = mesh.identities[other]
        add_partner(
            mesh.nodes[me],
            OPS,
            Partner(other, ident.name, ident.public_key, mesh.urls[other]),
        )


def agree(
    mesh: Mesh, agreement: Agreement, *, to: AgreementState = AgreementState.IN_FORCE
) -> None:
    """Both parties register the agreement and bring it to ``to`` (via the lifecycle)."""
    path = [AgreementState.SIGNED, AgreementState.RATIFIED, AgreementState.IN_FORCE]
    if to == AgreementState.SUSPENDED:
        path.append(AgreementState.SUSPENDED)
    for party in agreement.parties:
        node = mesh.nodes[party]
        add_agreement(node, OPS, agreement.model_copy(update={"state": AgreementState.DRAFT}))
        for step in path:
            transition_agreement(node, OPS, agreement.agreement_id, step)
    for party in agreement.parties:  # each side takes the other's signed copy
        token = signed_copy(mesh.nodes[party], OPS, agreement.agreement_id)
        for other in agreement.parties:
            if other != party:
                accept_copy(mesh.nodes[other], OPS, token)


AgreementFactory = Callable[..., Agreement]


LiveServer = LoopbackServer


def go_live(mesh: Mesh) -> dict[str, LiveServer]:
    """Serve every node of ``mesh`` over real HTTP; partners then talk over loopback."""
    servers: dict[str, LiveServer] = {}
    try:
        for name, app in mesh.apps.items():
            app.state.exchange_transport = None
            servers[name] = LiveServer(app).start()
            mesh.urls[name] = servers[name].url
    except BaseException:
        for server in servers.values():
            server.stop()
        raise
    return servers
