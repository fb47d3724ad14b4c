"""What a TAXII 2.1 client asks of a collection: its filters and paging, parsed once.

``match[type]``, ``match[id]``, ``match[spec_version]`` (comma-separated lists) and
``match[version]`` (``last``, the default, ``first``, ``all``, or timestamps), ``added_after``,
``limit`` and ``next`` (opaque to clients). A bad value is :class:`InvalidInput` naming the
parameter. ``records`` is BorderLink's node-to-node form: each record's signed object only, with
``next`` the release sequence number, and the page's signature (:mod:`borderlink.exchange.page`);
``bare``, the same without the objects (each envelope carries its own): what :mod:`.sync` reads.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from borderlink.errors import InvalidInput
from borderlink.exchange.stix import parse_timestamp, timestamp

MAX_PAGE = 1000
KEYWORDS = frozenset({"last", "first", "all"})


@dataclass(frozen=True)
class Query:
    added_after: dt.datetime | None = None
    limit: int = 100
    next: str | None = None
    types: frozenset[str] | None = None
    ids: frozenset[str] | None = None
    versions: frozenset[str] = frozenset({"last"})  # keywords and normalised timestamps
    spec_versions: frozenset[str] | None = None
    records: bool = False
    bare: bool = False  # the records view without the objects (the envelopes carry them)

    @property
    def filters(self) -> bool:
        """Whether a filter reads the objects (type, id or spec_version)."""
        return not (self.types is None and self.ids is None and self.spec_versions is None)

    @property
    def stamps(self) -> frozenset[str]:
        return self.versions - KEYWORDS

    def admits(self, obj: dict[str, Any]) -> bool:
        """Whether ``obj`` passes the type, id and spec_version filters."""
        return (
            (self.types is None or obj.get("type") in self.types)
            and (self.ids is None or obj.get("id") in self.ids)
            and (self.spec_versions is None or obj.get("spec_version", "2.1") in self.spec_versions)
        )

    def keeps(self, obj: dict[str, Any], *, first: bool, last: bool) -> bool:
        """Whether this version of ``obj`` is asked for (``first``/``last``: is it that one)."""
        v = self.versions
        return (
            "all" in v
            or ("last" in v and last)
            or ("first" in v and first)
            or version_of(obj) in self.stamps
        )


def version_of(obj: dict[str, Any]) -> str:
    return timestamp(parse_timestamp(str(obj.get("modified") or obj["created"])))


def _listed(value: str | None, name: str) -> frozenset[str] | None:
    if value is None:
        return None
    items = frozenset(v.strip() for v in value.split(",") if v.strip())
    if not items:
        raise InvalidInput(f"{name} names nothing", field=name)
    return items


def _versions(value: str | None) -> frozenset[str]:
    items = _listed(value, "match[version]") or frozenset({"last"})
    out = set()
    for item in items:
        if item in KEYWORDS:
            out.add(item)
            continue
        try:
            out.add(timestamp(parse_timestamp(item)))
        except ValueError as error:
            raise InvalidInput(
                f"match[version]: {item!r} is not last, first, all or a timestamp",
                field="match[version]",
            ) from error
    return frozenset(out)


def parse_query(
    *,
    added_after: str | None = None,
    limit: int = 100,
    next: str | None = None,  # the TAXII parameter's name
    match_type: str | None = None,
    match_id: str | None = None,
    match_version: str | None = None,
    match_spec_version: str | None = None,
    records: bool = False,
    bare: bool = False,
) -> Query:
    """The query these TAXII parameters ask; :class:`InvalidInput` naming a bad one."""
    try:
        since = parse_timestamp(added_after) if added_after else None
    except ValueError as error:
        raise InvalidInput(f"added_after: {error}", field="added_after") from error
    if limit < 1:
        raise InvalidInput("limit is 1 or more", field="limit")
    return Query(
        added_after=since,
        limit=min(limit, MAX_PAGE),
        next=next or None,
        types=_listed(match_type, "match[type]"),
        ids=_listed(match_id, "match[id]"),
        versions=_versions(match_version),
        spec_versions=_listed(match_spec_version, "match[spec_version]"),
        records=records or bare,
        bare=bare,
    )
