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
    # The menu's group it sits in ("" for the top level): the menu stays one line for any role.
    section: str = ""

    def visible_to(self, principal: Principal | None) -> bool:
        if principal is None:
            return False
        return self.permission is None or principal.can(self.permission)


@dataclass(frozen=True)
class NavGroup:
    """One item of the menu: a top-level entry, or a section listing its entries."""

    label: str
    entries: tuple[NavEntry, ...]

    @property
    def single(self) -> NavEntry | None:
        return self.entries[0] if len(self.entries) == 1 else None


def menu(entries: list[NavEntry]) -> list[NavGroup]:
    """Entries grouped by section, in the order of each group's first entry; a section with
    one entry a person may see shows as that entry alone."""
    groups: dict[str, list[NavEntry]] = {}
    for entry in entries:
        key = entry.section or f"\0{entry.path}"  # top-level entries each their own group
        groups.setdefault(key, []).append(entry)
    return [
        NavGroup(label=key if not key.startswith("\0") else "", entries=tuple(found))
        for key, found in groups.items()
    ]


@dataclass(frozen=True)
class Area:
    name: str
    router: APIRouter
    nav: tuple[NavEntry, ...] = field(default=())
