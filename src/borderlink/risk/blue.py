"""The blue channel: released now, audited after clearance (post-clearance audit).

A pure step over a scored flow, once red, yellow and green are decided (and AEO benefits
applied): of the declarations about to be released green by risk alone (selection ``none``),

- those a **profile** whose channel is ``blue`` hit go blue (selection ``profile``);
- with a ``share``, the model sends the riskiest blue: under quotas (a day's flow) the top
  ``share`` of the flow; with a ``cutoff`` (single scores), those whose risk reaches it
  (selection ``risk``).

Blue never takes a declaration from red or yellow: it is what green would have released
without a second look. Each carries the reason ``blue``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Collection, Sequence
from typing import Any

import polars as pl

from borderlink.model.messages import MESSAGES

BLUE_REASON = "blue"
TEXT = MESSAGES[BLUE_REASON]


def apply_blue(
    scored: pl.DataFrame,
    *,
    profiles: Collection[str] = (),
    share: float = 0.0,
    cutoff: float | None = None,
) -> pl.DataFrame:
    """``scored`` (one row per declaration: risk, channel, selection, profile_hits, reasons as
    JSON text) with the declarations the profiles or the model send blue (see the module)."""
    if scored.is_empty() or (not profiles and share <= 0 and cutoff is None):
        return scored
    channels, selections = scored["channel"].to_list(), scored["selection"].to_list()
    risks = scored["risk"].cast(pl.Float64).fill_null(0.0).to_list()
    hits = scored["profile_hits"].to_list() if "profile_hits" in scored.columns else []
    reasons = scored["reasons"].to_list()
    if not blue_lists(channels, selections, risks, hits, reasons, profiles, share, cutoff):
        return scored
    return scored.with_columns(
        pl.Series("channel", channels, dtype=pl.String),
        pl.Series("selection", selections, dtype=pl.String),
        pl.Series("reasons", reasons, dtype=pl.String),
    )


def apply_blue_rows(
    scored: Sequence[dict[str, Any]],
    *,
    profiles: Collection[str] = (),
    share: float = 0.0,
    cutoff: float | None = None,
) -> None:
    """:func:`apply_blue` on a few scored declarations held as dicts (the one-row path), in
    place."""
    if not scored or (not profiles and share <= 0 and cutoff is None):
        return
    channels = [r["channel"] for r in scored]
    selections = [r["selection"] for r in scored]
    risks = [0.0 if r["risk"] is None else float(r["risk"]) for r in scored]
    hits = [r.get("profile_hits") for r in scored]
    reasons = [r["reasons"] for r in scored]
    if blue_lists(channels, selections, risks, hits, reasons, profiles, share, cutoff):
        for r, c, s, why in zip(scored, channels, selections, reasons, strict=True):
            r["channel"], r["selection"], r["reasons"] = c, s, why


def blue_lists(
    channels: list[str],
    selections: list[str],
    risks: list[float],
    hits: list[Any],
    reasons: list[Any],
    profiles: Collection[str],
    share: float,
    cutoff: float | None,
) -> bool:
    """The blue step over the columns as lists, changed in place; whether any went blue."""
    released = [
        i
        for i, (c, s) in enumerate(zip(channels, selections, strict=True))
        if c == "green" and s == "none"
    ]
    chosen: dict[int, str] = {}
    wanted = set(profiles)
    for i in released:
        if wanted and hits and set(hits[i] or ()) & wanted:
            chosen[i] = "profile"
    rest = [i for i in released if i not in chosen]
    if cutoff is not None:
        chosen |= {i: "risk" for i in rest if risks[i] >= cutoff}
    elif share > 0:
        rest.sort(key=lambda i: -risks[i])
        chosen |= {i: "risk" for i in rest[: math.floor(share * len(channels))]}
    for i, selection in chosen.items():
        channels[i], selections[i] = "blue", selection
        earlier = json.loads(reasons[i]) if reasons[i] else []
        reasons[i] = json.dumps([*earlier, {"source": BLUE_REASON, "text": TEXT, "key": "blue"}])
    return bool(chosen)
