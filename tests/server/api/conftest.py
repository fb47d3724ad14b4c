"""API fixtures: ``seeded`` (a node with a user per role and declarations), ``app`` over it."""

from __future__ import annotations

import pytest
from fastapi import FastAPI

from borderlink.server import create_app
from borderlink.services import Node
from tests.surfaces import Seeded, seed


@pytest.fixture
def seeded(node: Node) -> Seeded:
    return seed(node)


@pytest.fixture
def app(seeded: Seeded) -> FastAPI:
    return create_app(seeded.node.settings, node=seeded.node)
