"""AEO benefits in scoring: a pure step over a scored flow, after the channels are decided.

A declaration whose party (in a role the MRA names) is a trusted trader on its declaration day
gets the MRA's benefits, the best one where several apply (lowest risk weight first):

- **lower risk weight**: its risk is multiplied by the weight, with the reason "AEO under the
  <MRA>: risk lowered"; its channel is decided again on the lowered risk if risk alone chose it
  (selection ``risk`` or ``none``). With ``cutoffs`` (single scores) the lowered risk is held
  against them; without (a day's flow under quotas) the flow's risk-selected red and yellow
  places are handed out again by risk, so **capacity reserves green for them**: the places an
  AEO frees go to the next riskiest declarations, and the quotas hold.
- **fewer document checks**: of its yellow checks chosen by risk, only the ``document_checks``
  share is kept (which ones: a hash of the declaration id, so scoring again decides the same).
- **priority inspection**: selected red or yellow, it carries a ``priority`` reason.

Profiles' orders, partners' alerts, screening hits and the random sample are never lowered: an
AEO is trusted, not exempt, and the random sample keeps measuring whether that trust holds.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

import polars as pl

from borderlink.model.aeo import ROLE_COLUMNS, TrustedTrader
from borderlink.model.messages import MESSAGES, render

AEO_REASON = "aeo"
BY_RISK = ("risk", "none")
# Why a declaration not itself trusted took an inspection place: an AEO's lowered risk freed it.
CAPACITY_FREED = MappingProxyType(
    {"source": "capacity", "text": MESSAGES["capacity.freed"], "key": "capacity.freed"}
)


def _best(found: list[TrustedTrader]) -> TrustedTrader:
    return min(
        found,
        key=lambda t: (t.benefits.risk_weight, t.benefits.document_checks, t.mra_id, t.party_id),
    )


def match_trusted(items: pl.DataFrame, trusted: Sequence[TrustedTrader]) -> dict[str, Any]:
    """Declaration id -> (the trusted trader whose benefit it gets, the role it is in)."""
    roles = [(role, col) for role, col in ROLE_COLUMNS.items() if col in items.columns]
    if not trusted or not roles or items.is_empty():
        return {}
    decls = items.unique("declaration_id", keep="first", maintain_order=True)
    # Each (declaration, role, party) as a row, its id compared as trader_key writes it, joined
    # to the trusted ids: only the few that match come back to Python.
    parties = pl.concat(
        decls.select(
            pl.col("declaration_id").cast(pl.String),
            pl.col("declared_on"),
            pl.lit(role).alias("_role"),
            pl.col(col)
            .cast(pl.String)
            .str.to_uppercase()
            .str.replace_all(r"[^\p{L}\p{N}]", "")
            .alias("_key"),
        )
        for role, col in roles
    )
    table = pl.DataFrame(
        {"_key": [t.party_id for t in trusted], "_t": list(range(len(trusted)))},
        schema={"_key": pl.String, "_t": pl.Int64},
    )
    found: dict[str, list[tuple[TrustedTrader, str]]] = {}
    for declaration_id, on, role, n in (
        parties.join(table, on="_key")
        .select("declaration_id", "declared_on", "_role", "_t")
        .iter_rows()
    ):
        t = trusted[n]
        if role in t.roles and (not isinstance(on, dt.date) or t.covers(on)):
            found.setdefault(declaration_id, []).append((t, role))
    out: dict[str, Any] = {}
    for declaration_id, pairs in found.items():
        best = _best([t for t, _ in pairs])
        out[declaration_id] = (best, next(r for t, r in pairs if t is best))
    return out


def _kept(declaration_id: str, share: float) -> bool:
    digest = hashlib.sha256(declaration_id.encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < share


def _requota(risks: list[float], channels: list[str], selections: list[str]) -> None:
    """Hand the flow's risk-selected red and yellow places out again by (lowered) risk."""
    pool = [i for i, s in enumerate(selections) if s in BY_RISK]
    red = sum(1 for i in pool if channels[i] == "red")
    yellow = sum(1 for i in pool if channels[i] == "yellow")
    pool.sort(key=lambda i: -risks[i])
    for rank, i in enumerate(pool):
        channel = "red" if rank < red else "yellow" if rank < red + yellow else "green"
        channels[i], selections[i] = channel, "risk" if channel != "green" else "none"


def _by_cutoffs(
    i: int, risks: list[float], channels: list[str], selections: list[str], cut: tuple[float, float]
) -> None:
    if selections[i] not in BY_RISK:
        return
    channel = "red" if risks[i] >= cut[0] else "yellow" if risks[i] >= cut[1] else "green"
    channels[i], selections[i] = channel, "risk" if channel != "green" else "none"


def _reason(t: TrustedTrader, role: str, benefit: str, **extra: Any) -> dict[str, Any]:
    """An AEO reason (``benefit`` a key of :data:`MESSAGES`), in English and as a message."""
    said = {"key": AEO_REASON, "params": {"mra": t.mra_title, "benefit": {"key": benefit}}}
    return {
        "source": AEO_REASON,
        "mra": t.mra_id,
        "programme": t.programme,
        "role": role,
        "text": render(said),
        **said,
        **extra,
    }


def apply_benefits(
    scored: pl.DataFrame,
    items: pl.DataFrame,
    trusted: Sequence[TrustedTrader],
    *,
    cutoffs: tuple[float, float] | None = None,
) -> pl.DataFrame:
    """``scored`` (one row per declaration: risk, channel, selection, reasons as JSON text)
    with the AEO benefits its declarations earn on ``items`` applied (see the module)."""
    if not trusted or scored.is_empty():
        return scored
    matched = match_trusted(items, trusted)
    if not matched:
        return scored
    ids = scored["declaration_id"].cast(pl.String).to_list()
    risks = scored["risk"].cast(pl.Float64).fill_null(0.0).to_list()
    channels, selections = scored["channel"].to_list(), scored["selection"].to_list()
    added: dict[int, list[Mapping[str, Any]]] = {}
    for i, declaration_id in enumerate(ids):
        if declaration_id not in matched:
            continue
        t, role = matched[declaration_id]
        if t.benefits.risk_weight < 1.0:
            risks[i] *= t.benefits.risk_weight
            added[i] = [_reason(t, role, "aeo.risk_lowered", weight=t.benefits.risk_weight)]
            if cutoffs is not None:
                _by_cutoffs(i, risks, channels, selections, cutoffs)
        else:
            added[i] = [_reason(t, role, "aeo.trusted")]
    lowered = any(matched[ids[i]][0].benefits.risk_weight < 1.0 for i in added)
    if cutoffs is None and lowered:
        before = list(channels)
        _requota(risks, channels, selections)
        for i, was in enumerate(before):
            if i not in added and was == "green" and channels[i] != "green":
                added[i] = [CAPACITY_FREED]
    for i in (i for i in added if ids[i] in matched):
        _later_benefits(i, matched[ids[i]], ids[i], channels, selections, added[i])
    reasons = scored["reasons"].to_list()
    for i, extra in added.items():
        earlier = json.loads(reasons[i]) if reasons[i] else []
        reasons[i] = json.dumps(earlier + [dict(r) for r in extra], ensure_ascii=False)
    return scored.with_columns(
        pl.Series("risk", risks, dtype=pl.Float64),
        pl.Series("channel", channels, dtype=pl.String),
        pl.Series("selection", selections, dtype=pl.String),
        pl.Series("reasons", reasons, dtype=pl.String),
    )


def _later_benefits(
    i: int,
    match: tuple[TrustedTrader, str],
    declaration_id: str,
    channels: list[str],
    selections: list[str],
    reasons: list[Mapping[str, Any]],
) -> None:
    """Fewer documentary checks and priority, once the channel stands."""
    t, role = match
    share = t.benefits.document_checks
    if channels[i] == "yellow" and selections[i] == "risk" and not _kept(declaration_id, share):
        channels[i], selections[i] = "green", "none"
        reasons.append(_reason(t, role, "aeo.documents_waived"))
    if channels[i] in ("red", "yellow") and t.benefits.priority_inspection:
        reasons.append(_reason(t, role, "aeo.priority", priority=True))
