"""Standard operating procedures: what each agency expects, per referral type, as versioned text.

An SOP belongs to one agency and one referral type: the name of the routing rule that refers
declarations to it (``sps-food``), or :data:`ANY` for the agency's general procedure. Its body is
Markdown. Publishing a different body makes the next version; publishing the text in force again
changes nothing. The referral and the joint inspection pages link the SOPs that apply: for each
agency, those of the rules that matched, else the agency's general one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from pydantic import BaseModel, ConfigDict, Field

ANY = "any"  # the agency's general procedure, for referrals of any type
NAME_PATTERN = r"^[A-Za-z0-9_.:-]+$"
MAX_BODY = 100_000


class SopDraft(BaseModel):
    """What an agency publishes."""

    model_config = ConfigDict(frozen=True)

    agency: str = Field(min_length=1, max_length=64, pattern=NAME_PATTERN)
    referral_type: str = Field(
        default=ANY,
        min_length=1,
        max_length=64,
        pattern=NAME_PATTERN,
        description=f"The routing rule's name, or {ANY!r} for the agency's general procedure",
    )
    title: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=MAX_BODY, description="Markdown")


class Sop(SopDraft):
    version: int
    published_by: str
    published_at: dt.datetime


def next_version(latest: Sop | None, draft: SopDraft) -> int | None:
    """The version publishing ``draft`` makes, or None when it is the text in force already."""
    if latest is None:
        return 1
    if (latest.title, latest.body.strip()) == (draft.title, draft.body.strip()):
        return None
    return latest.version + 1


def applicable(
    in_force: Iterable[Sop], agencies: Sequence[str], rules: Sequence[str] = ()
) -> list[Sop]:
    """The SOPs an officer should read for these agencies and matched rules: per agency, the
    ones of its rules that matched, and its general one; agencies in the given order."""
    by_key = {(s.agency, s.referral_type): s for s in in_force}
    out: list[Sop] = []
    for agency in agencies:
        specific = [by_key[(agency, r)] for r in dict.fromkeys(rules) if (agency, r) in by_key]
        general = by_key.get((agency, ANY))
        out += specific + ([general] if general else [])
    return out
