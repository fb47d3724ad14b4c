"""The pages people use: server-rendered (Jinja2), readable with JavaScript off, no CDN.

Offers :func:`install` (adds the pages to an app built by :func:`borderlink.server.create_app`),
:class:`Area` and :class:`NavEntry` (how an area adds its pages; see :mod:`.registry`).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from borderlink.server.pages import areas as registered_areas
from borderlink.server.pages.common import render_error
from borderlink.server.pages.registry import Area, NavEntry


def install(app: FastAPI, areas: list[Area] | None = None) -> None:
    areas = registered_areas() if areas is None else areas
    for area in areas:
        app.include_router(area.router)
    app.state.nav = sorted((e for a in areas for e in a.nav), key=lambda e: e.order)
    app.state.render_error = render_error
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")


__all__ = ["Area", "NavEntry", "install"]
