"""Joint operation use cases: coordinate one, move it through its lifecycle, report results, read
the dashboard and export the final report; and the shared profiles scoring applies.

The coordinator creates an operation (:func:`create_operation`, idempotent on its code) and
moves it (:func:`move_operation`: active, ended, cancelled); every participant reports its
results for a day (:func:`report_results`, one record per participant and day, a correction a
newer version; the hits of the shared profiles at this node are counted from its own scoring).
Each step is a signed record released through :func:`.records.issue` under the purpose
``joint-operation``: the policy sends it to the participants only, under the operation's own
agreements only. :func:`operation_profiles` gives scoring the shared profiles of the operations
running on a day (none once an operation has ended).

Creating, moving and reporting need ``operations:manage`` (and ``sharing:outgoing``, which every
release needs); reading ``operations:read``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import Connection, func, select

from borderlink import risk
from borderlink.cooperation.operations import (
    PURPOSE,
    Dashboard,
    check_basis,
    dashboard,
    profile_name,
    running,
    transition,
)
from borderlink.cooperation.operations import (  # re-exported: the pages print these rows
    report_rows as report_rows,
)
from borderlink.errors import ExpressionError, InvalidInput, NotFound, PolicyDenied
from borderlink.exchange.stix import from_stix, stix_uuid
from borderlink.model.cooperation import (
    STIX_TYPES,
    Operation,
    OperationReport,
    OperationState,
)
from borderlink.services.accounts.access import Permission, Principal, require
from borderlink.services.cooperation.agreements import load_agreements
from borderlink.services.cooperation.records import IssueResult, TransportFor, issue
from borderlink.services.node import Node
from borderlink.store.cooperation_tables import coop_records
from borderlink.store.risk_tables import profile_hits
from borderlink.store.tables import declarations

OPERATION_FIELDS = frozenset(
    {
        "code",
        "name",
        "purpose",
        "agreement_ids",
        "participants",
        "agencies",
        "starts_on",
        "ends_on",
        "profiles",
        "target_declarations",
        "target_containers",
        "target_traders",
        "results_template",
        "classification",
        "tlp",
    }
)
REPORT_FIELDS = frozenset(
    {
        "inspected",
        "seizures",
        "quantity",
        "quantity_unit",
        "value",
        "arrests",
        "referrals",
        "hs_chapters",
        "routes",
        "notes",
    }
)


class OperationView(BaseModel):
    operation_id: str
    code: str
    name: str
    coordinator: str
    participants: list[str]
    state: str
    starts_on: dt.date
    ends_on: dt.date
    profiles: list[str]  # the names they fire under here
    running_today: bool


def operation_id_for(coordinator: str, code: str) -> str:
    return f"{STIX_TYPES['operation']}--{stix_uuid(f'operation:{coordinator}:{code}')}"


def report_id_for(operation_id: str, node_id: str, day: dt.date) -> str:
    name = f"operation-report:{operation_id}:{node_id}:{day.isoformat()}"
    return f"{STIX_TYPES['operation-report']}--{stix_uuid(name)}"


def _invalid(error: ValidationError, what: str) -> InvalidInput:
    first = error.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or what
    return InvalidInput(f"{what}: {where}: {first['msg']}", field=where)


def create_operation(
    node: Node,
    principal: Principal,
    document: Mapping[str, Any],
    *,
    notify: bool = True,
    transport_for: TransportFor | None = None,
) -> IssueResult | None:
    """Coordinate a new operation from this node (planned); creating the same code again
    changes nothing (None)."""
    require(principal, Permission.OPERATIONS_MANAGE)
    unknown = sorted(set(document) - OPERATION_FIELDS)
    if unknown:
        raise InvalidInput(f"operation: unknown field(s) {', '.join(unknown)}", field=unknown[0])
    me = node.settings.node_id
    now = dt.datetime.now(dt.UTC)
    operation_id = operation_id_for(me, str(document.get("code") or ""))
    values = {**document, "id": operation_id, "issuer": me, "created": now, "modified": now}
    try:
        operation = Operation.model_validate(values)
    except ValidationError as error:
        raise _invalid(error, "operation") from error
    for profile in operation.profiles:  # every participant must be able to run it
        try:
            risk.compile_profiles([_as_profile(operation, profile)])
        except (ExpressionError, ValueError) as error:
            raise InvalidInput(
                f"operation {operation.code}: profile {profile.name}: {error}", field="profiles"
            ) from error
    with node.read() as conn:
        if _held(conn, operation_id) is not None:
            return None
        check_basis(operation, load_agreements(conn), now.date())
    return issue(
        node, principal, operation, purpose=PURPOSE, notify=notify, transport_for=transport_for
    )


def move_operation(
    node: Node,
    principal: Principal,
    operation_id: str,
    to: OperationState | str,
    *,
    notify: bool = True,
    transport_for: TransportFor | None = None,
) -> IssueResult:
    """Start, end or cancel an operation this node coordinates; every participant is told, and
    its shared profiles stop firing everywhere once it has ended."""
    require(principal, Permission.OPERATIONS_MANAGE)
    try:
        state = OperationState(to)
    except ValueError as error:
        raise InvalidInput(str(error), field="state") from error
    with node.read() as conn:
        operation = _operation(conn, operation_id)
    if operation.issuer != node.settings.node_id:
        raise PolicyDenied(f"operation {operation.code} is coordinated by {operation.issuer}")
    transition(operation, state)
    moved = operation.model_copy(update={"state": state, "modified": dt.datetime.now(dt.UTC)})
    return issue(
        node, principal, moved, purpose=PURPOSE, notify=notify, transport_for=transport_for
    )


def report_results(
    node: Node,
    principal: Principal,
    operation_id: str,
    day: dt.date,
    figures: Mapping[str, Any],
    *,
    notify: bool = True,
    transport_for: TransportFor | None = None,
) -> IssueResult:
    """This node's results for ``day`` of an operation it takes part in (a newer version
    replaces what it reported for that day); declarations checked and the shared profiles' hits
    come from its own records."""
    require(principal, Permission.OPERATIONS_MANAGE)
    unknown = sorted(set(figures) - REPORT_FIELDS)
    if unknown:
        raise InvalidInput(f"report: unknown field(s) {', '.join(unknown)}", field=unknown[0])
    me = node.settings.node_id
    now = dt.datetime.now(dt.UTC)
    with node.read() as conn:
        operation = _operation(conn, operation_id)
        if me not in operation.participants:
            raise PolicyDenied(f"{me} does not take part in operation {operation.code}")
        if not operation.starts_on <= day <= operation.ends_on:
            raise InvalidInput(
                f"{day.isoformat()} is outside operation {operation.code}'s period", field="day"
            )
        checked, hits = _hits(conn, operation, day)
        held = _held(conn, report_id_for(operation_id, me, day))
    values = {
        **figures,
        "id": report_id_for(operation_id, me, day),
        "issuer": me,
        "created": held.created if held else now,
        "modified": now,
        "classification": operation.classification,
        "tlp": operation.tlp,
        "operation_id": operation_id,
        "participants": operation.participants,
        "agreement_ids": operation.agreement_ids,
        "day": day,
        "declarations_checked": checked,
        "profile_hits": hits,
    }
    try:
        report = OperationReport.model_validate(values)
    except ValidationError as error:
        raise _invalid(error, "report") from error
    return issue(
        node, principal, report, purpose=PURPOSE, notify=notify, transport_for=transport_for
    )


def _hits(conn: Connection, operation: Operation, day: dt.date) -> tuple[int, dict[str, int]]:
    """Declarations of ``day`` held here, and how many each shared profile flagged."""
    d = declarations.c
    checked = conn.execute(select(func.count()).where(d.declared_on == day)).scalar_one()
    names = [profile_name(operation, p) for p in operation.profiles]
    rows = conn.execute(
        select(profile_hits.c.profile_name, func.count())
        .join(declarations, d.declaration_id == profile_hits.c.declaration_id)
        .where(profile_hits.c.profile_name.in_(names), d.declared_on == day)
        .group_by(profile_hits.c.profile_name)
    ).all()
    return int(checked), {str(name): int(n) for name, n in rows}


def _held(conn: Connection, record_id: str) -> Any:
    row = conn.execute(
        select(coop_records.c.document).where(coop_records.c.record_id == record_id)
    ).first()
    return from_stix(row.document) if row else None


def _operation(conn: Connection, operation_id: str) -> Operation:
    found = _held(conn, operation_id)
    if not isinstance(found, Operation):
        raise NotFound(f"no operation {operation_id!r}", field="operation_id")
    return found


def _all(conn: Connection, kind: str) -> list[Any]:
    rows = conn.execute(
        select(coop_records.c.document)
        .where(coop_records.c.kind == kind)
        .order_by(coop_records.c.record_id)
    )
    return [from_stix(r.document) for r in rows]


def list_operations(node: Node, principal: Principal) -> list[OperationView]:
    """The operations this node takes part in (the only ones it ever receives)."""
    require(principal, Permission.OPERATIONS_READ)
    today = dt.datetime.now(dt.UTC).date()
    with node.read() as conn:
        found: list[Operation] = _all(conn, "operation")
    return [
        OperationView(
            operation_id=o.id,
            code=o.code,
            name=o.name,
            coordinator=o.issuer,
            participants=list(o.participants),
            state=o.state.value,
            starts_on=o.starts_on,
            ends_on=o.ends_on,
            profiles=[profile_name(o, p) for p in o.profiles],
            running_today=running(o, today),
        )
        for o in sorted(found, key=lambda o: (o.starts_on, o.code))
    ]


def operation_dashboard(node: Node, principal: Principal, operation_id: str) -> Dashboard:
    """Results by participant, day, HS chapter and route; shared profiles' hits per node."""
    require(principal, Permission.OPERATIONS_READ)
    with node.read() as conn:
        operation = _operation(conn, operation_id)
        reports: list[OperationReport] = _all(conn, "operation-report")
    return dashboard(operation, reports)


def final_report_csv(node: Node, principal: Principal, operation_id: str) -> str:
    """The final report as CSV: one row per participant, then the totals."""
    rows = report_rows(operation_dashboard(node, principal, operation_id))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _as_profile(operation: Operation, shared: Any) -> risk.Profile:
    return risk.Profile(
        name=profile_name(operation, shared),
        expression=shared.expression,
        weight=shared.weight,
        channel=shared.channel,
        reason=f"joint operation {operation.code}: {shared.reason}",
        valid_from=operation.starts_on,
        valid_to=operation.ends_on,
        owner=operation.issuer,
    )


def operation_profiles(node: Node, on: dt.date) -> list[risk.Profile]:
    """The shared profiles of the operations running on ``on`` that this node takes part in.

    Not a use case: scoring reads them for whoever it scores for."""
    me = node.settings.node_id
    with node.read() as conn:
        found: list[Operation] = _all(conn, "operation")
    return [
        _as_profile(o, p)
        for o in found
        if me in o.participants and running(o, on)
        for p in o.profiles
    ]
