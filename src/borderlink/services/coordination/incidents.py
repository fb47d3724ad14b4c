"""Incident reports at the border post: open one, add to it, read it, turn it into a seizure
report or an alert for partners.

Any officer at the post (customs or another agency, ``incidents:report``) opens an incident or
adds to it; officers see their post's incidents (an agency officer with no post: every post's).
Opening is idempotent on the incident's reference, an addition on its entry key, so a form sent
twice adds nothing. Turning an incident into a record for partners goes through the cooperation
use cases (``sharing:outgoing``): the record is issued by this node and passes the release
policy partner by partner, as any other; its id derives from the incident's reference, so
doing it again (or after a crash between issuing and linking) issues nothing new.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import Connection, Select, func, insert, select, update

from borderlink.cooperation.records import new_record
from borderlink.coordination import incidents as logic
from borderlink.coordination.incidents import IncidentTemplate as IncidentTemplate  # shells
from borderlink.coordination.incidents import read_template_file as read_template_file
from borderlink.coordination.joint import CUSTOMS
from borderlink.errors import Conflict, InvalidInput, NotFound
from borderlink.exchange.stix import derived_record_id
from borderlink.services.accounts import audit
from borderlink.services.accounts.access import Permission, Principal, Role, require
from borderlink.services.cooperation import records as cooperation
from borderlink.services.declarations.read import MAX_PAGE, Page
from borderlink.services.node import Node
from borderlink.store.coordination_tables import incident_entries, incident_templates, incidents

POSTED = frozenset({Role.OFFICER, Role.AGENCY_OFFICER})  # who works at one post
REFERENCE_PATTERN = r"^[A-Za-z0-9_.:-]{1,64}$"


class Entry(BaseModel):
    entry_no: int
    agency: str
    author: str
    at: dt.datetime
    fields: dict[str, Any]


class IncidentView(BaseModel):
    incident_id: int
    reference: str
    template: IncidentTemplate
    office_id: str | None
    opened_by: str
    agency: str
    opened_at: dt.datetime
    updated_at: dt.datetime
    report: dict[str, Any] = Field(description="The report as it stands: every entry merged")
    entries: list[Entry]
    seizure_record_id: str | None
    alert_record_id: str | None


def _utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _post(principal: Principal) -> str | None:
    """The post whose incidents the principal works on, None for all; an officer without an
    office sees none (the empty string)."""
    if principal.role not in POSTED:
        return None
    if principal.role == Role.OFFICER:
        return principal.office_id or ""
    return principal.office_id


def _scoped(query: Select[Any], principal: Principal) -> Select[Any]:
    post = _post(principal)
    return query if post is None else query.where(incidents.c.office_id == post)


def template(node: Node, name: str) -> IncidentTemplate:
    """A template by name: one the node loaded, else a built-in one."""
    with node.read() as conn:
        row = conn.execute(
            select(incident_templates.c.template).where(incident_templates.c.name == name)
        ).first()
    return logic.parse_template(row.template) if row else logic.builtin_template(name)


def list_templates(node: Node, principal: Principal) -> list[IncidentTemplate]:
    require(principal, Permission.INCIDENTS_REPORT)
    with node.read() as conn:
        loaded = [
            logic.parse_template(t)
            for t in conn.execute(select(incident_templates.c.template)).scalars()
        ]
    names = {t.name for t in loaded}
    builtin = [t for t in [logic.builtin_template()] if t.name not in names]
    return sorted(loaded + builtin, key=lambda t: t.name)


def save_template(node: Node, principal: Principal, given: IncidentTemplate) -> str:
    """Add a template or replace it by name: ``added``, ``replaced`` or ``unchanged``."""
    require(principal, Permission.REFERRALS_MANAGE)
    data = given.model_dump(mode="json")
    now = dt.datetime.now(dt.UTC)
    with node.transaction() as conn:
        key = incident_templates.c.name == given.name
        before = conn.execute(select(incident_templates.c.template).where(key)).first()
        if before is not None and before.template == data:
            return "unchanged"
        row = {"template": data, "updated_by": principal.username, "updated_at": now}
        if before is None:
            conn.execute(insert(incident_templates).values(name=given.name, **row))
        else:
            conn.execute(update(incident_templates).where(key).values(**row))
        change = "added" if before is None else "replaced"
        audit.record(
            conn,
            actor=principal.username,
            action="incident.template",
            object_type="incident-template",
            object_id=given.name,
            reason=change,
        )
    return change


def _view(conn: Connection, row: Any) -> IncidentView:
    tmpl = logic.parse_template(row.template)
    entries = [
        Entry(entry_no=e.entry_no, agency=e.agency, author=e.author, at=_utc(e.at), fields=e.fields)
        for e in conn.execute(
            select(incident_entries)
            .where(incident_entries.c.incident_id == row.incident_id)
            .order_by(incident_entries.c.entry_no)
        )
    ]
    return IncidentView(
        incident_id=row.incident_id,
        reference=row.reference,
        template=tmpl,
        office_id=row.office_id,
        opened_by=row.opened_by,
        agency=row.agency,
        opened_at=_utc(row.opened_at),
        updated_at=_utc(row.updated_at),
        report=logic.merge(tmpl, [e.fields for e in entries]),
        entries=entries,
        seizure_record_id=row.seizure_record_id,
        alert_record_id=row.alert_record_id,
    )


def _visible(conn: Connection, principal: Principal, incident_id: int) -> Any:
    query = _scoped(select(incidents).where(incidents.c.incident_id == incident_id), principal)
    row = conn.execute(query).first()
    if row is None:
        raise NotFound(f"no incident {incident_id}")
    return row


def _entry(
    conn: Connection, principal: Principal, incident_id: int, key: str, fields: dict[str, Any]
) -> bool:
    """Add an entry unless its key is there already (True when added)."""
    found = conn.execute(
        select(incident_entries.c.fields).where(
            incident_entries.c.incident_id == incident_id, incident_entries.c.entry_key == key
        )
    ).first()
    if found is not None:
        if found.fields != fields:
            raise Conflict(
                f"incident {incident_id}: entry {key} was sent before with other values",
                field="entry_key",
            )
        return False
    number = conn.execute(
        select(func.coalesce(func.max(incident_entries.c.entry_no), 0)).where(
            incident_entries.c.incident_id == incident_id
        )
    ).scalar_one()
    now = dt.datetime.now(dt.UTC)
    conn.execute(
        insert(incident_entries).values(
            incident_id=incident_id,
            entry_no=int(number) + 1,
            entry_key=key,
            agency=principal.agency or CUSTOMS,
            author=principal.username,
            at=now,
            fields=fields,
        )
    )
    conn.execute(
        update(incidents).where(incidents.c.incident_id == incident_id).values(updated_at=now)
    )
    return True


def _check_reference(value: str, field: str) -> None:
    if not re.match(REFERENCE_PATTERN, value):
        raise InvalidInput(f"{field} {value!r}: 1-64 letters, digits, . _ : -", field=field)


def open_incident(
    node: Node,
    principal: Principal,
    values: Mapping[str, Any],
    *,
    reference: str | None = None,
    template_name: str = "border-post",
) -> IncidentView:
    """Open an incident at the principal's post with the template's opening report.

    ``reference`` is its natural key (a new one when not given): opening the same reference
    with the same report returns it unchanged; with another report it is a conflict.
    """
    require(principal, Permission.INCIDENTS_REPORT)
    reference = reference or f"INC-{uuid.uuid4().hex[:12]}"
    _check_reference(reference, "reference")
    tmpl = template(node, template_name)
    fields = logic.clean_values(tmpl, values, opening=True, incident=reference)
    now = dt.datetime.now(dt.UTC)
    with node.transaction() as conn:
        row = conn.execute(select(incidents).where(incidents.c.reference == reference)).first()
        if row is None:
            done = conn.execute(
                insert(incidents)
                .values(
                    reference=reference,
                    template=tmpl.model_dump(mode="json"),
                    office_id=principal.office_id,
                    opened_by=principal.username,
                    agency=principal.agency or CUSTOMS,
                    opened_at=now,
                    updated_at=now,
                )
                .returning(incidents.c.incident_id)
            )
            incident_id = int(done.scalar_one())
            _entry(conn, principal, incident_id, "opening", fields)
            audit.record(
                conn,
                actor=principal.username,
                action="incident.open",
                object_type="incident",
                object_id=reference,
                reason=str(fields.get("what", ""))[:200] or None,
                details={"incident_id": incident_id, "office_id": principal.office_id},
            )
        else:
            incident_id = row.incident_id
            _entry(conn, principal, incident_id, "opening", fields)  # same report, or conflict
        return _view(conn, _visible(conn, principal, incident_id))


def add_to_incident(
    node: Node,
    principal: Principal,
    incident_id: int,
    values: Mapping[str, Any],
    *,
    entry_key: str | None = None,
) -> IncidentView:
    """Add to an incident of the principal's post (the same ``entry_key`` twice adds once)."""
    require(principal, Permission.INCIDENTS_REPORT)
    key = entry_key or uuid.uuid4().hex
    _check_reference(key, "entry_key")
    if key == "opening":
        raise InvalidInput("entry_key 'opening' is the opening report's", field="entry_key")
    with node.transaction() as conn:
        row = _visible(conn, principal, incident_id)
        tmpl = logic.parse_template(row.template)
        fields = logic.clean_values(tmpl, values, opening=False, incident=row.reference)
        if _entry(conn, principal, incident_id, key, fields):
            audit.record(
                conn,
                actor=principal.username,
                action="incident.add",
                object_type="incident",
                object_id=row.reference,
                details={"incident_id": incident_id, "fields": sorted(fields)},
            )
        return _view(conn, _visible(conn, principal, incident_id))


def get_incident(node: Node, principal: Principal, incident_id: int) -> IncidentView:
    require(principal, Permission.INCIDENTS_REPORT)
    return _get(node, principal, incident_id)


def _get(node: Node, principal: Principal, incident_id: int) -> IncidentView:
    with node.read() as conn:
        return _view(conn, _visible(conn, principal, incident_id))


def list_incidents(
    node: Node, principal: Principal, *, limit: int = 50, offset: int = 0
) -> Page[IncidentView]:
    """The post's incidents, the newest first."""
    require(principal, Permission.INCIDENTS_REPORT)
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit is 1 to {MAX_PAGE}", field="limit")
    query = _scoped(select(incidents), principal)
    with node.read() as conn:
        total = conn.execute(select(func.count()).select_from(query.subquery())).scalar_one()
        rows = conn.execute(
            query.order_by(incidents.c.opened_at.desc(), incidents.c.incident_id.desc())
            .limit(limit)
            .offset(offset)
        ).all()
        items = [_view(conn, r) for r in rows]
    return Page[IncidentView](items=items, total=total, limit=limit, offset=offset)


def _issue(
    node: Node, principal: Principal, incident: IncidentView, kind: str, doc: dict[str, Any]
) -> str:
    """Issue the incident's record of ``kind`` once, and link it to the incident."""
    record_id = derived_record_id(kind, f"incident:{node.settings.node_id}:{incident.reference}")
    column = "seizure_record_id" if kind == "seizure" else "alert_record_id"
    if getattr(incident, column) == record_id:
        return record_id
    try:
        cooperation.get_record(node, record_id)
    except NotFound:  # not issued yet (an earlier try may have issued it, then crashed)
        made = new_record(kind, doc, issuer=node.settings.node_id, now=dt.datetime.now(dt.UTC))
        made = made.model_copy(update={"id": record_id})
        cooperation.issue(node, principal, made)
    with node.transaction() as conn:
        conn.execute(
            update(incidents)
            .where(incidents.c.incident_id == incident.incident_id)
            .values({column: record_id})
        )
        audit.record(
            conn,
            actor=principal.username,
            action=f"incident.to-{kind}",
            object_type="incident",
            object_id=incident.reference,
            details={"record_id": record_id},
        )
    return record_id


def to_seizure(node: Node, principal: Principal, incident_id: int) -> str:
    """Issue the incident as a seizure report for partners (the release policy decides who
    gets what); the record's id."""
    require(principal, Permission.SHARING_OUTGOING)
    incident = _get(node, principal, incident_id)
    when = incident.report.get("when")
    seized_on = dt.datetime.fromisoformat(when).date() if when else incident.opened_at.date()
    doc = logic.seizure_document(
        incident.template, incident.report, seized_on=seized_on, office_id=incident.office_id
    )
    return _issue(node, principal, incident, "seizure", doc)


def to_alert(
    node: Node,
    principal: Principal,
    incident_id: int,
    *,
    title: str,
    days: int = 90,
    hs_codes: Sequence[str] = (),
    origins: Sequence[str] = (),
) -> str:
    """Issue an alert from the incident: what partners should look for, for ``days``."""
    require(principal, Permission.SHARING_OUTGOING)
    incident = _get(node, principal, incident_id)
    doc = logic.alert_document(
        incident.template,
        incident.report,
        title=title,
        valid_from=dt.datetime.now(dt.UTC).date(),
        days=days,
        hs_codes=hs_codes,
        origins=origins,
    )
    return _issue(node, principal, incident, "alert", doc)
