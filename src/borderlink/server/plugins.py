"""Extension points of the server: API routers and page areas, found through entry points.

The built-in routers and areas register exactly as an add-on does, in ``pyproject.toml``::

    [project.entry-points."borderlink.routers"]
    risk = "borderlink.server.api.risk:router"        # a fastapi.APIRouter

    [project.entry-points."borderlink.pages"]
    targeting = "borderlink.server.pages.targeting:AREA"  # a borderlink.server.pages.Area

Offers :func:`registered` (what a group holds, loaded) and the two group names.
"""

from __future__ import annotations

from importlib.metadata import EntryPoint, entry_points
from typing import TypeVar

from borderlink.errors import ConfigurationError

ROUTERS = "borderlink.routers"
PAGES = "borderlink.pages"
BUILT_IN = "borderlink."

T = TypeVar("T")


def _order(entry: EntryPoint) -> tuple[bool, str]:
    # Built-ins first (an add-on's route can never shadow one), then by name: the same order on
    # every machine, whatever order the installer wrote the metadata in.
    return (not entry.value.startswith(BUILT_IN), entry.name)


def registered(group: str, kind: type[T]) -> list[T]:
    """Everything registered under ``group``, loaded; each must be a ``kind``."""
    found = sorted(entry_points(group=group), key=_order)
    if not any(e.value.startswith(BUILT_IN) for e in found):
        # An install without the package's metadata would serve a node with no routes at all.
        raise ConfigurationError(
            f"nothing registered under {group!r}: install the package (pip install -e .)"
        )
    loaded = []
    for entry in found:
        value = entry.load()
        if not isinstance(value, kind):
            raise ConfigurationError(
                f"{group} entry {entry.name!r} ({entry.value}) is a {type(value).__name__}, "
                f"not {kind.__name__}"
            )
        loaded.append(value)
    return loaded
