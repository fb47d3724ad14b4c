"""The interactive API docs are served by the node from its own files: they work offline."""

from __future__ import annotations

import asyncio
import re

import httpx
import pytest

from borderlink.server import create_app
from borderlink.services import Node
from tests.surfaces import client as http_client


def _get_all(node: Node, paths: list[str]) -> list[httpx.Response]:
    app = create_app(node.settings, node=node, pages=False)

    async def go() -> list[httpx.Response]:
        async with http_client(app) as c:
            return [await c.get(path) for path in paths]

    return asyncio.run(go())


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_the_docs_page_loads_only_the_nodes_own_files(node: Node) -> None:
    (page,) = _get_all(node, ["/api/v1/docs"])
    assert page.status_code == 200
    assert "https://" not in page.text
    assert "http://" not in page.text
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy.split("style-src")[0]
    assets = re.findall(r'(?:src|href)="(/[^"]+)"', page.text)
    assert {a.rsplit("/", 1)[-1] for a in assets} >= {"swagger-ui-bundle.js", "init.js"}
    answers = _get_all(node, assets)
    assert [a.status_code for a in answers] == [200] * len(assets), assets
    bundle = answers[[a.endswith("swagger-ui-bundle.js") for a in assets].index(True)]
    assert "SwaggerUIBundle" in bundle.text
    assert "no-store" not in bundle.headers.get("cache-control", "")  # cacheable


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_the_docs_page_points_at_the_nodes_openapi(node: Node) -> None:
    page, spec = _get_all(node, ["/api/v1/docs", "/api/v1/openapi.json"])
    assert 'data-openapi="/api/v1/openapi.json"' in page.text
    assert spec.status_code == 200
    assert spec.json()["info"]["title"] == "BorderLink"
