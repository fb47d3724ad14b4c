"""How an area (declarations, risk, cooperation, ...) plugs its pages into the site.

An area is a router plus the navigation entries it adds; built-in areas use the same mechanism an
add-on does: an entry point in the ``borderlink.pages`` group naming its :class:`Area`
(see :mod:`borderlink.server.plugins`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import APIRouter

from borderlink.services.accounts.access import Permission, Principal


@dataclass(frozen=True)
class NavEntry:
    label: str
    path: str
    permission: Permission | None = None  # shown only to principals holding it
    order: int = 100

    def visible_to(self, principal: Principal | None) -> bool:
        if principal is None:
            return False
        return self.permission is None or principal.can(self.permission)


@dataclass(frozen=True)
class Area:
    name: str
    router: APIRouter
    nav: tuple[NavEntry, ...] = field(default=())
