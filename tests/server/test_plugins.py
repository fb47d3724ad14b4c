"""Routers and page areas come from entry points: the built-ins as an add-on's would."""

from __future__ import annotations

import tomllib
from importlib.metadata import EntryPoint, EntryPoints, entry_points
from pathlib import Path

import pytest
from fastapi import APIRouter, FastAPI
from sqlalchemy import Engine

import borderlink.server.plugins as plugins
from borderlink.errors import ConfigurationError
from borderlink.server import create_app
from borderlink.server.api import routers
from borderlink.server.openapi import api_routes
from borderlink.server.pages import Area, areas
from borderlink.services import Node
from borderlink.settings import Settings

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"
BUILT_IN_ROUTERS = {
    "accounts", "assistance", "auth", "border-post", "capacity", "cooperation", "declarations",
    "exchange", "operations", "post_clearance", "records", "referrals", "risk", "screening",
    "taxii", "trade",
}  # fmt: skip
BUILT_IN_AREAS = {
    "accounts", "assistance", "auth", "border-post", "capacity", "cooperation", "dashboard",
    "declarations", "incidents", "inspections", "operations", "portal", "records", "referrals",
    "screening", "targeting", "traders",
}  # fmt: skip

EXTRA_ROUTER = APIRouter(prefix="/api/v1/extra")


@EXTRA_ROUTER.get("/hello")
async def hello() -> dict[str, str]:
    return {"hello": "world"}


EXTRA_AREA = Area(name="extra", router=APIRouter(include_in_schema=False))
NOT_A_ROUTER = "just a string"


def test_pyproject_registers_every_built_in() -> None:
    declared = tomllib.loads(PYPROJECT.read_text())["project"]["entry-points"]
    assert set(declared[plugins.ROUTERS]) == BUILT_IN_ROUTERS
    assert set(declared[plugins.PAGES]) == BUILT_IN_AREAS


def test_the_installed_built_ins_are_all_loaded() -> None:
    found = routers()
    assert len(found) == len(BUILT_IN_ROUTERS)
    assert {a.name for a in areas()} >= {"auth", "dashboard", "declarations", "referrals"}
    assert len(areas()) == len(BUILT_IN_AREAS)


def _patch(monkeypatch: pytest.MonkeyPatch, extra: dict[str, list[EntryPoint]]) -> None:
    def fake(*, group: str) -> EntryPoints:
        return EntryPoints([*extra.get(group, []), *entry_points(group=group)])

    monkeypatch.setattr(plugins, "entry_points", fake)


def _entry(name: str, target: str, group: str) -> EntryPoint:
    return EntryPoint(name=name, value=f"tests.server.test_plugins:{target}", group=group)


def test_an_added_router_and_area_are_served(
    monkeypatch: pytest.MonkeyPatch, settings: Settings, sqlite_engine: Engine
) -> None:
    _patch(
        monkeypatch,
        {
            plugins.ROUTERS: [_entry("aaa-extra", "EXTRA_ROUTER", plugins.ROUTERS)],
            plugins.PAGES: [_entry("aaa-extra", "EXTRA_AREA", plugins.PAGES)],
        },
    )
    found = routers()
    assert found[-1] is EXTRA_ROUTER  # after the built-ins, though its name sorts first
    assert areas()[-1] is EXTRA_AREA
    app: FastAPI = create_app(settings, node=Node(settings=settings, engine=sqlite_engine))
    assert "/api/v1/extra/hello" in {r.path for r in api_routes(app)}


def test_a_wrong_registration_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    _patch(monkeypatch, {plugins.ROUTERS: [_entry("bad", "NOT_A_ROUTER", plugins.ROUTERS)]})
    with pytest.raises(ConfigurationError, match="is a str, not APIRouter"):
        routers()


def test_an_install_without_metadata_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plugins, "entry_points", lambda *, group: EntryPoints([]))
    with pytest.raises(ConfigurationError, match="pip install"):
        routers()
