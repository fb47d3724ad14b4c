"""The application factory: one FastAPI app per node, built from its settings."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

import borderlink
from borderlink.api import risk, taxii
from borderlink.errors import BorderLinkError, outcome_of
from borderlink.services import Node, open_node
from borderlink.settings import Settings


def create_app(settings: Settings | None = None, *, node: Node | None = None) -> FastAPI:
    node = node or open_node(settings)
    app = FastAPI(
        title="BorderLink",
        version=borderlink.__version__,
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
    )
    app.state.node = node
    app.include_router(risk.router)

    @app.exception_handler(BorderLinkError)
    async def _borderlink_error(_request: Request, error: BorderLinkError) -> JSONResponse:
        return JSONResponse(
            status_code=outcome_of(error).http_status,
            content={"error": error.code, "detail": error.detail, "field": error.field},
        )

    app.include_router(taxii.router)

    @app.get("/api/v1/health", tags=["node"])
    def health() -> dict[str, str]:
        return {"status": "ok", "node": node.settings.node_id, "version": borderlink.__version__}

    return app
