"""The site's areas, in navigation order. A new area appends its :class:`Area` here."""

from borderlink.server.pages import (
    auth,
    cooperation,
    declarations,
    overview,
    records,
    referrals,
    targeting,
)
from borderlink.server.pages.registry import Area

AREAS: list[Area] = [
    auth.AREA,
    overview.AREA,
    targeting.AREA,
    declarations.AREA,
    records.AREA,
    cooperation.AREA,
    referrals.AREA,
]

__all__ = ["AREAS"]
