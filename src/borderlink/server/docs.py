"""The interactive API documentation, served by the node itself (Swagger UI's files are
vendored under ``docs_assets/``), so that it works on a network with no way out.

Offers :func:`install`; the page's Content-Security-Policy allows only the node's own scripts.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

DOCS_PATH = "/api/v1/docs"
ASSETS = f"{DOCS_PATH}/assets"
ASSETS_DIR = Path(__file__).parent / "docs_assets"
# Swagger UI sets inline styles and draws its icons as data: URIs; scripts stay the node's own.
DOCS_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'self'"
)


def page(title: str, openapi_url: str) -> str:
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{escape(title)} — API</title>
<link rel="stylesheet" href="{ASSETS}/swagger-ui.css">
<link rel="icon" href="{ASSETS}/favicon-32x32.png">
</head>
<body data-openapi="{escape(openapi_url)}">
<div id="swagger-ui"><noscript>The interactive documentation needs JavaScript; the API's
description is at <a href="{escape(openapi_url)}">{escape(openapi_url)}</a>.</noscript></div>
<script src="{ASSETS}/swagger-ui-bundle.js"></script>
<script src="{ASSETS}/init.js"></script>
</body>
</html>
"""


def install(app: FastAPI) -> None:
    """Adds ``GET /api/v1/docs`` and its assets (create the app with ``docs_url=None``)."""
    openapi_url = app.openapi_url or "/api/v1/openapi.json"
    html = page(app.title, openapi_url)

    @app.get(DOCS_PATH, include_in_schema=False)
    async def docs() -> HTMLResponse:
        return HTMLResponse(html, headers={"Content-Security-Policy": DOCS_POLICY})

    app.mount(ASSETS, StaticFiles(directory=ASSETS_DIR), name="docs-assets")
