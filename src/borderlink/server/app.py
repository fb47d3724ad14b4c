"""The application factory: one FastAPI app per node, built from its settings."""

from __future__ import annotations

from fastapi import FastAPI

import borderlink
from borderlink.server import background, docs, errors, openapi
from borderlink.server.api import routers
from borderlink.server.limits import BodyLimits
from borderlink.server.security import SecurityHeaders
from borderlink.services import Node, open_node
from borderlink.settings import Settings


def create_app(
    settings: Settings | None = None, *, node: Node | None = None, pages: bool = True
) -> FastAPI:
    """The node's API under ``/api/v1`` and, unless ``pages=False``, the pages people use."""
    node = node or open_node(settings)
    app = FastAPI(
        title="BorderLink",
        version=borderlink.__version__,
        openapi_url="/api/v1/openapi.json",
        docs_url=None,  # served by `docs.install`, from the node's own files
        redoc_url=None,
        lifespan=background.lifespan(node),
    )
    app.state.node = node
    errors.install(app)
    openapi.install(app)
    docs.install(app)
    app.add_middleware(BodyLimits, settings=node.settings)  # inside: its answers get the headers
    app.add_middleware(SecurityHeaders)

    @app.get("/api/v1/health", tags=["node"])
    async def health() -> dict[str, str]:
        return {"status": "ok", "node": node.settings.node_id, "version": borderlink.__version__}

    for router in routers():
        app.include_router(router)
    if pages:
        from borderlink.server.pages.install import (
            install,  # the pages are optional: an API-only node skips them
        )

        install(app)
    return app
