"""``borderlink inspections``, ``borderlink incidents`` and ``borderlink sops``: the border post.

As for referrals, the command line acts as the node operator unless ``--as USER`` acts with that
user's rights (an agency officer publishing an SOP, an officer at their post).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
import yaml
from pydantic import BaseModel, ValidationError
from rich.console import Console
from rich.table import Table

from borderlink.cli.options import CLI, DbOption, acting, node_for
from borderlink.errors import InvalidInput
from borderlink.services.coordination import incidents, inspections, joint, seizures, sops

inspections_app = typer.Typer(
    help="Customs inspections: joint inspections, assignment, capacity, reports.",
    no_args_is_help=True,
)
incidents_app = typer.Typer(help="Incident reports at the border post.", no_args_is_help=True)
sops_app = typer.Typer(help="Agencies' standard operating procedures.", no_args_is_help=True)
out = Console()
M = TypeVar("M", bound=BaseModel)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")]
AsOption = Annotated[
    str | None, typer.Option("--as", help="Act as this user (with their role, office, agency).")
]


def _print_json_or_table(
    as_json: bool,
    dumped: Callable[[], str],
    headers: Sequence[str],
    rows: Iterable[Sequence[str]],
) -> None:
    """The listing as JSON (``--json``) or as a table; ``dumped`` and ``rows`` are lazy so only
    the form asked for is built."""
    if as_json:
        print(dumped())
        return
    table = Table(*headers)
    for row in rows:
        table.add_row(*row)
    out.print(table)


def _json_list(found: Iterable[BaseModel]) -> str:
    return json.dumps([f.model_dump(mode="json") for f in found])


def _document(path: Path) -> Any:
    """A YAML or JSON document from a file."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise InvalidInput(f"cannot read {path}: {error}") from None


def _model(model: type[M], data: Any, what: str) -> M:
    """``data`` as ``model``; an error names what was read and the field."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InvalidInput(f"{what}: {where}: {first['msg']}", field=where or None) from None


def _mapping(path: Path) -> dict[str, Any]:
    data = _document(path)
    if not isinstance(data, dict):
        raise InvalidInput(f"{path}: a mapping of field to value is expected")
    return data


# --- inspections ----------------------------------------------------------------------------


@inspections_app.command("plan")
def plan_cmd(
    declaration_id: str,
    at: Annotated[str, typer.Option("--at", help="When, ISO 8601 with a zone.")],
    place: Annotated[str, typer.Option(help="Inspection bay, shed or scanner.")],
    agency: Annotated[list[str], typer.Option(help="An agency invited (repeat for several).")],
    note: Annotated[str | None, typer.Option(help="A note for the agencies.")] = None,
    as_user: AsOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Plan (or re-plan) one joint inspection of a red declaration with the agencies it is
    referred to; the same plan again changes nothing."""
    node = node_for(db)
    try:
        when = dt.datetime.fromisoformat(at)
    except ValueError:
        raise typer.BadParameter(f"--at {at!r} is not an ISO 8601 time") from None
    values = {"scheduled_at": when, "place": place, "agencies": agency, "note": note}
    plan = _model(joint.JointPlan, values, f"joint inspection of {declaration_id}")
    made = joint.plan_joint(node, acting(node, as_user), declaration_id, plan)
    if as_json:
        print(made.model_dump_json())
        return
    out.print(f"joint inspection {made.joint_id} of {declaration_id}: {made.status.value}")


@inspections_app.command("joint")
def joint_cmd(
    limit: Annotated[int, typer.Option(min=1, max=500)] = 50,
    as_user: AsOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Joint inspections, the latest planned first."""
    node = node_for(db)
    page = joint.list_joint(node, acting(node, as_user), limit=limit)
    rows = (
        (
            str(j.joint_id),
            j.declaration_id,
            f"{j.scheduled_at:%Y-%m-%d %H:%M}",
            j.place,
            ", ".join(j.agencies),
            j.status.value,
            "-" if j.saving.saved_seconds is None else f"{j.saving.saved_seconds / 3600:.2f} h",
        )
        for j in page.items
    )
    headers = ("id", "declaration", "when (UTC)", "where", "agencies", "status", "saved")
    _print_json_or_table(as_json, page.model_dump_json, headers, rows)


@inspections_app.command("show")
def show_cmd(joint_id: int, as_user: AsOption = None, db: DbOption = None) -> None:
    """One joint inspection with each agency's part and the saving (JSON)."""
    node = node_for(db)
    print(joint.get_joint(node, acting(node, as_user), joint_id).model_dump_json(indent=2))


@inspections_app.command("cancel")
def cancel_cmd(
    joint_id: int,
    reason: Annotated[str, typer.Option(help="Why it is cancelled.")],
    as_user: AsOption = None,
    db: DbOption = None,
) -> None:
    """Cancel a joint inspection of which no part is done."""
    node = node_for(db)
    done = joint.cancel_joint(node, acting(node, as_user), joint_id, reason)
    out.print(f"joint inspection {done.joint_id}: {done.status.value}")


@inspections_app.command("saving")
def saving_cmd(as_user: AsOption = None, db: DbOption = None, as_json: JsonOption = False) -> None:
    """What joint inspections saved against separate ones."""
    node = node_for(db)
    found = joint.summary(node, acting(node, as_user))
    if as_json:
        print(found.model_dump_json())
        return
    out.print(
        f"{found.planned} planned, {found.done} done; {found.saved_hours:.2f} h saved "
        f"(median {found.joint_p50_hours or 0:.2f} h jointly against "
        f"{found.separate_p50_hours or 0:.2f} h separately)"
    )


@inspections_app.command("capacity")
def capacity_cmd(office_id: str, per_day: int, db: DbOption = None) -> None:
    """How many inspections OFFICE_ID does a day (assignments beyond it are refused)."""
    inspections.set_capacity(node_for(db), CLI, office_id, per_day)
    out.print(f"office {office_id}: {per_day} inspections a day")


@inspections_app.command("assign")
def assign_cmd(
    declaration_id: str,
    officer: Annotated[str, typer.Option(help="An officer of the declaration's office.")],
    day: Annotated[dt.datetime, typer.Option(formats=["%Y-%m-%d"], help="The day.")],
    as_user: AsOption = None,
    db: DbOption = None,
) -> None:
    """Assign a declaration's inspection to an officer on a day within the office's capacity."""
    node = node_for(db)
    done = inspections.assign(node, acting(node, as_user), declaration_id, officer, day.date())
    room = "" if done.capacity is None else f" of {done.capacity}"
    out.print(f"{declaration_id} → {done.officer} on {done.day} ({done.assigned_that_day}{room})")


@inspections_app.command("report")
def report_cmd(
    declaration_id: str,
    file: Annotated[Path, typer.Argument(help="The report, YAML or JSON.")],
    as_user: AsOption = None,
    db: DbOption = None,
) -> None:
    """Record a structured inspection report (methods, findings per item) and its outcome."""
    node = node_for(db)
    report = _model(inspections.InspectionReport, _mapping(file), str(file))
    view, outcome = inspections.record_report(node, acting(node, as_user), declaration_id, report)
    result = "irregular" if outcome.illicit else "compliant"
    out.print(f"{declaration_id}: report version {view.version}, {result}")


@inspections_app.command("seizure")
def seizure_cmd(
    declaration_id: str,
    concealment: Annotated[str | None, typer.Option(help="How the goods were hidden.")] = None,
    as_user: AsOption = None,
    db: DbOption = None,
) -> None:
    """Report what the inspection seized to partners (the release policy applies)."""
    node = node_for(db)
    done = seizures.report_seizure(
        node, acting(node, as_user), declaration_id, concealment=concealment
    )
    out.print(f"seizure {done.record_id}: released to {', '.join(done.released_to) or 'no one'}")


# --- incidents ------------------------------------------------------------------------------


@incidents_app.command("open")
def open_cmd(
    file: Annotated[Path, typer.Argument(help="The opening report, YAML or JSON.")],
    reference: Annotated[str | None, typer.Option(help="Its reference (natural key).")] = None,
    template: Annotated[str, typer.Option(help="The template's name.")] = "border-post",
    as_user: AsOption = None,
    db: DbOption = None,
) -> None:
    """Open an incident (the same reference and report twice opens it once)."""
    node = node_for(db)
    made = incidents.open_incident(
        node, acting(node, as_user), _mapping(file), reference=reference, template_name=template
    )
    out.print(f"incident {made.incident_id} ({made.reference}) open")


@incidents_app.command("add")
def add_cmd(
    incident_id: int,
    file: Annotated[Path, typer.Argument(help="The fields to add, YAML or JSON.")],
    key: Annotated[str | None, typer.Option(help="The entry's key: twice adds once.")] = None,
    as_user: AsOption = None,
    db: DbOption = None,
) -> None:
    """Add to an incident (persons, goods, actions taken, ...)."""
    node = node_for(db)
    done = incidents.add_to_incident(
        node, acting(node, as_user), incident_id, _mapping(file), entry_key=key
    )
    out.print(f"incident {done.incident_id}: {len(done.entries)} entries")


@incidents_app.command("list")
def incidents_cmd(
    limit: Annotated[int, typer.Option(min=1, max=500)] = 50,
    as_user: AsOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Incidents, the newest first."""
    node = node_for(db)
    page = incidents.list_incidents(node, acting(node, as_user), limit=limit)
    rows = (
        (
            str(i.incident_id),
            i.reference,
            f"{i.opened_at:%Y-%m-%d %H:%M}",
            f"{i.opened_by} ({i.agency})",
            i.office_id or "-",
            str(i.report.get("what", ""))[:60],
        )
        for i in page.items
    )
    headers = ("id", "reference", "opened", "by", "post", "what")
    _print_json_or_table(as_json, page.model_dump_json, headers, rows)


@incidents_app.command("show")
def incident_cmd(incident_id: int, as_user: AsOption = None, db: DbOption = None) -> None:
    """One incident: the report as it stands and every entry (JSON)."""
    node = node_for(db)
    found = incidents.get_incident(node, acting(node, as_user), incident_id)
    print(found.model_dump_json(indent=2))


@incidents_app.command("to-seizure")
def to_seizure_cmd(incident_id: int, as_user: AsOption = None, db: DbOption = None) -> None:
    """Issue the incident as a seizure report for partners (once)."""
    node = node_for(db)
    out.print(incidents.to_seizure(node, acting(node, as_user), incident_id))


@incidents_app.command("to-alert")
def to_alert_cmd(
    incident_id: int,
    title: Annotated[str, typer.Option(help="The alert's title.")],
    days: Annotated[int, typer.Option(min=1, max=3650, help="Valid for.")] = 90,
    hs: Annotated[list[str] | None, typer.Option(help="An HS prefix to look for.")] = None,
    origin: Annotated[list[str] | None, typer.Option(help="A country of origin.")] = None,
    as_user: AsOption = None,
    db: DbOption = None,
) -> None:
    """Issue an alert from the incident for partners (once)."""
    node = node_for(db)
    record_id = incidents.to_alert(
        node,
        acting(node, as_user),
        incident_id,
        title=title,
        days=days,
        hs_codes=hs or [],
        origins=origin or [],
    )
    out.print(record_id)


@incidents_app.command("templates")
def templates_cmd(db: DbOption = None, as_json: JsonOption = False) -> None:
    """The incident templates (built-in and loaded)."""
    node = node_for(db)
    found = incidents.list_templates(node, CLI)
    if as_json:
        print(_json_list(found))
        return
    for t in found:
        out.print(f"[bold]{t.name}[/]: {t.title} ({', '.join(f.name for f in t.fields)})")


@incidents_app.command("load-template")
def load_template_cmd(
    file: Annotated[Path, typer.Argument(help="The template, YAML or JSON.")],
    db: DbOption = None,
) -> None:
    """Add an incident template or replace it by name (the same file twice changes nothing)."""
    node = node_for(db)
    tmpl = incidents.read_template_file(file)
    out.print(f"template {tmpl.name}: {incidents.save_template(node, CLI, tmpl)}")


# --- SOPs -----------------------------------------------------------------------------------


@sops_app.command("publish")
def publish_cmd(
    file: Annotated[Path, typer.Argument(help="The procedure, Markdown.")],
    agency: Annotated[str, typer.Option(help="The agency whose procedure it is.")],
    title: Annotated[str, typer.Option(help="Its title.")],
    referral_type: Annotated[
        str, typer.Option("--type", help="The routing rule it is for, or 'any'.")
    ] = "any",
    as_user: AsOption = None,
    db: DbOption = None,
) -> None:
    """Publish an SOP: a new text is the next version, the same text changes nothing."""
    node = node_for(db)
    try:
        body = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidInput(f"cannot read {file}: {error}") from None
    values = {"agency": agency, "referral_type": referral_type, "title": title, "body": body}
    draft = _model(sops.SopDraft, values, str(file))
    sop, made = sops.publish(node, acting(node, as_user), draft)
    state = "published" if made else "unchanged"
    out.print(f"{sop.agency}/{sop.referral_type} version {sop.version}: {state}")


@sops_app.command("list")
def sops_cmd(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Every SOP in force."""
    node = node_for(db)
    found = sops.list_sops(node, CLI)
    rows = (
        (s.agency, s.referral_type, s.title, str(s.version), f"{s.published_at:%Y-%m-%d}")
        for s in found
    )
    headers = ("agency", "type", "title", "version", "published")
    _print_json_or_table(as_json, partial(_json_list, found), headers, rows)


@sops_app.command("show")
def sop_cmd(
    agency: str,
    referral_type: Annotated[str, typer.Argument(help="The routing rule, or 'any'.")] = "any",
    version: Annotated[int | None, typer.Option(min=1)] = None,
    db: DbOption = None,
) -> None:
    """One SOP's text (the version in force, or --version)."""
    node = node_for(db)
    sop, versions = sops.get_sop(node, CLI, agency, referral_type, version)
    out.print(f"[bold]{sop.title}[/] — version {sop.version} of {versions[-1]}")
    print(sop.body)
