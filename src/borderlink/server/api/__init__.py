"""The JSON API (``/api/v1``) and TAXII (``/taxii2/``), one router module per area.

Offers :func:`routers`: every router registered under the ``borderlink.routers`` entry points,
the built-ins (``pyproject.toml``) first. A new area adds its module and one entry point line.
Nothing here imports :mod:`borderlink.server.pages`, nor the other way round.
"""

from fastapi import APIRouter

from borderlink.server.plugins import ROUTERS, registered


def routers() -> list[APIRouter]:
    return registered(ROUTERS, APIRouter)


__all__ = ["routers"]
