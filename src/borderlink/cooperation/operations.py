"""Joint operations (closed user groups) as pure functions: lifecycle, basis, profiles in force,
and the coordinator's dashboard.

Lifecycle (the coordinator's record; every other move is refused)::

    planned ──► active ──► ended
       │          │
       └──────────┴──► cancelled

An operation's shared profiles fire at each participant while it is ``active`` and the day is
within its period; once it has ended (or was cancelled) they fire nowhere. Only participants
receive the operation and its reports: the release policy sends them to its participants only,
under its own agreements only, whatever broader agreement a node may have.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from borderlink.cooperation.agreements import in_force
from borderlink.errors import Conflict, PolicyDenied
from borderlink.model.cooperation import (
    Agreement,
    Category,
    Operation,
    OperationReport,
    OperationState,
    SharedProfile,
)

PURPOSE = "joint-operation"  # what each agreement's purposes must include
S = OperationState
TRANSITIONS: Mapping[OperationState, frozenset[OperationState]] = MappingProxyType(
    {
        S.PLANNED: frozenset({S.ACTIVE, S.CANCELLED}),
        S.ACTIVE: frozenset({S.ENDED, S.CANCELLED}),
        S.ENDED: frozenset(),
        S.CANCELLED: frozenset(),
    }
)


def transition(operation: Operation, to: OperationState) -> None:
    if to not in TRANSITIONS[operation.state]:
        allowed = ", ".join(sorted(TRANSITIONS[operation.state])) or "none"
        raise Conflict(
            f"operation {operation.code} cannot go from {operation.state} to {to} "
            f"(allowed: {allowed})"
        )


def check_basis(operation: Operation, agreements: Iterable[Agreement], on: dt.date) -> None:
    """Every participant must be reachable from the coordinator under one of the operation's
    agreements: in force, covering operations and their reports, for joint operations."""
    known = {a.agreement_id: a for a in agreements}
    missing = [a for a in operation.agreement_ids if a not in known]
    if missing:
        raise PolicyDenied(f"operation {operation.code}: unknown agreement(s) {', '.join(missing)}")
    usable = [
        known[a]
        for a in operation.agreement_ids
        if in_force(known[a], on)
        and PURPOSE in known[a].purposes
        and {Category.OPERATION, Category.OPERATION_REPORT} <= known[a].categories
    ]
    me = operation.issuer
    for partner in operation.participants:
        if partner == me:
            continue
        if not any({me, partner} <= set(a.parties) for a in usable):
            raise PolicyDenied(
                f"operation {operation.code}: no agreement among "
                f"{', '.join(operation.agreement_ids)} in force covers joint operations with "
                f"{partner}"
            )


def profile_name(operation: Operation, profile: SharedProfile) -> str:
    """The name the shared profile fires under at each node: prefixed with the operation, so a
    hit says which operation flagged the declaration."""
    return f"op.{operation.code}.{profile.name}"


def running(operation: Operation, on: dt.date) -> bool:
    """Its profiles fire on ``on``: active, not revoked, and ``on`` within its period."""
    return (
        operation.state == OperationState.ACTIVE
        and not operation.revoked
        and operation.starts_on <= on <= operation.ends_on
    )


@dataclass
class Dashboard:
    """What the coordinator reviews: results by participant, by day, by HS chapter and route,
    and each shared profile's hits and hit rate (seizures per flagged declaration) per node."""

    operation_id: str
    code: str
    state: str
    participants: list[str]
    by_participant: dict[str, dict[str, float]] = field(default_factory=dict)
    by_day: dict[str, dict[str, float]] = field(default_factory=dict)
    by_hs_chapter: dict[str, int] = field(default_factory=dict)
    by_route: dict[str, int] = field(default_factory=dict)
    profile_hits: dict[str, dict[str, int]] = field(default_factory=dict)  # node -> name -> n
    hit_rate: dict[str, float | None] = field(default_factory=dict)  # node -> seizures / hits
    missing_reports: list[str] = field(default_factory=list)  # participants that sent none


FIGURES = ("declarations_checked", "inspected", "seizures", "quantity", "value", "arrests")
FIGURES_ALL = (*FIGURES, "referrals")


def _add(into: dict[str, float], report: OperationReport) -> None:
    for name in FIGURES_ALL:
        into[name] = into.get(name, 0) + float(getattr(report, name))


def dashboard(operation: Operation, reports: Iterable[OperationReport]) -> Dashboard:
    """The dashboard from the latest version of each participant's daily reports."""
    board = Dashboard(
        operation.id, operation.code, operation.state.value, list(operation.participants)
    )
    for report in sorted(reports, key=lambda r: (r.day, r.issuer)):
        if report.operation_id != operation.id or report.issuer not in operation.participants:
            continue  # not this operation's, or not a participant's: it counts for nothing
        _add(board.by_participant.setdefault(report.issuer, {}), report)
        _add(board.by_day.setdefault(report.day.isoformat(), {}), report)
        for chapter, n in report.hs_chapters.items():
            board.by_hs_chapter[chapter] = board.by_hs_chapter.get(chapter, 0) + n
        for route, n in report.routes.items():
            board.by_route[route] = board.by_route.get(route, 0) + n
        hits = board.profile_hits.setdefault(report.issuer, {})
        for name, n in report.profile_hits.items():
            hits[name] = hits.get(name, 0) + n
    for node, figures in board.by_participant.items():
        flagged = sum(board.profile_hits.get(node, {}).values())
        board.hit_rate[node] = round(figures["seizures"] / flagged, 3) if flagged else None
    board.missing_reports = [p for p in operation.participants if p not in board.by_participant]
    return board


def report_rows(board: Dashboard) -> list[dict[str, object]]:
    """The final report as rows, one per participant with the totals last: what the CSV export
    writes."""
    rows: list[dict[str, object]] = []
    totals: dict[str, float] = dict.fromkeys(FIGURES_ALL, 0.0)
    all_hits = 0
    for node in board.participants:
        figures = board.by_participant.get(node, {})
        hits = sum(board.profile_hits.get(node, {}).values())
        all_hits += hits
        for name in FIGURES_ALL:
            totals[name] += figures.get(name, 0.0)
        rows.append(
            {
                "participant": node,
                **{name: figures.get(name, 0.0) for name in FIGURES_ALL},
                "profile_hits": hits,
                "hit_rate": board.hit_rate.get(node),
            }
        )
    rows.append({"participant": "total", **totals, "profile_hits": all_hits, "hit_rate": None})
    return rows
