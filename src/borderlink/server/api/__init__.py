"""The API's routers, one per area; :data:`ROUTERS` is what ``create_app`` includes, in order.

An area (risk, cooperation, ...) adds its router module here and appends it to ``ROUTERS``.
"""

from fastapi import APIRouter

from borderlink.server.api import (
    accounts,
    auth,
    cooperation,
    declarations,
    records,
    referrals,
    risk,
)

ROUTERS: list[APIRouter] = [
    auth.router,
    accounts.router,
    declarations.router,
    records.router,
    cooperation.router,
    risk.router,
    referrals.router,
]

__all__ = ["ROUTERS"]
