"""The pages people use, one module per area (declarations, risk, cooperation, ...).

Offers :func:`areas`: every :class:`~borderlink.server.pages.registry.Area` registered under the
``borderlink.pages`` entry points, the built-ins (``pyproject.toml``) first; navigation is
ordered by each entry's ``order``. Nothing here imports :mod:`borderlink.server.api`.
"""

from borderlink.server.pages.registry import Area
from borderlink.server.plugins import PAGES, registered


def areas() -> list[Area]:
    return registered(PAGES, Area)


__all__ = ["Area", "areas"]
