"""``borderlink serve``: the API and the pages over HTTP (uvicorn)."""

from __future__ import annotations

import os
from typing import Annotated

import typer
import uvicorn
from rich.console import Console

from borderlink.cli.options import DbOption, node_for
from borderlink.server import create_app

err = Console(stderr=True)


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            help="Server processes (one per core suits CPU-bound work such as scoring).",
        ),
    ] = 1,
    db: DbOption = None,
) -> None:
    """Serve the API (/api/v1, docs at /api/v1/docs) and the pages on this node."""
    node = node_for(db)  # opens (and migrates) once, before any worker starts
    err.print(f"BorderLink {node.settings.node_name}: http://{host}:{port}/  (API: /api/v1/docs)")
    if workers == 1:
        app = create_app(node.settings, node=node)
        # proxy_headers off: uvicorn would believe X-Forwarded-For from 127.0.0.1 by default;
        # which proxies are believed is BORDERLINK_TRUSTED_PROXIES' (server.security).
        uvicorn.run(
            app, host=host, port=port, log_level="info", access_log=False, proxy_headers=False
        )
        return
    node.engine.dispose()
    if db:  # the workers build their app from the environment, like any BORDERLINK_ setting
        os.environ["BORDERLINK_DB"] = db
    uvicorn.run(
        "borderlink.server:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        access_log=False,
        proxy_headers=False,
    )
