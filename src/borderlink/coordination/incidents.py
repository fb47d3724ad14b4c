"""Incidents at the border post: one shared report, its template as data, added to by agencies.

A template (YAML, see ``coordination/incident_templates/border-post.yaml``) lists the report's
fields: a name, a label, a kind (``text``, ``line``, ``number``, ``date``, ``datetime``,
``list``), whether the opening report must fill it, and which field of a seizure report or an
alert it becomes when the incident is turned into one for partners. The officer who opens the
incident fills the template; officers of the other agencies add entries (more persons, goods,
actions taken, a correction of the place); :func:`merge` reads them all as one report, in order:
lists grow, texts gather every entry's paragraph, and a single value is the latest one given.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from borderlink.errors import InvalidInput, NotFound

BUILTIN_DIR = Path(__file__).parent / "incident_templates"
NAME_PATTERN = r"^[A-Za-z0-9_.:-]+$"
Kind = Literal["text", "line", "number", "date", "datetime", "list"]
MAX_TEXT = 8000
SEIZURE_TARGETS = frozenset(
    {
        "goods_description",
        "hs_code",
        "origin_country",
        "quantity",
        "quantity_unit",
        "concealment",
        "declaration_id",
    }
)
ALERT_TARGETS = frozenset({"title", "description", "concealment"})


class IncidentField(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=64, pattern=NAME_PATTERN)
    label: str = Field(min_length=1, max_length=200)
    kind: Kind = "text"
    required: bool = False
    seizure: str | None = Field(default=None, description="The seizure report's field it fills")
    alert: str | None = Field(default=None, description="The alert's field it fills")

    @model_validator(mode="after")
    def _targets(self) -> IncidentField:
        if self.seizure is not None and self.seizure not in SEIZURE_TARGETS:
            raise ValueError(f"seizure: {self.seizure!r} is not one of {sorted(SEIZURE_TARGETS)}")
        if self.alert is not None and self.alert not in ALERT_TARGETS:
            raise ValueError(f"alert: {self.alert!r} is not one of {sorted(ALERT_TARGETS)}")
        return self


class IncidentTemplate(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=64, pattern=NAME_PATTERN)
    title: str = Field(min_length=1, max_length=200)
    fields: tuple[IncidentField, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _distinct(self) -> IncidentTemplate:
        names = [f.name for f in self.fields]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"fields appear twice: {', '.join(twice)}")
        return self

    def field(self, name: str) -> IncidentField:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)


def parse_template(data: Any, *, source: str = "template") -> IncidentTemplate:
    """A template from parsed YAML/JSON; an error names the source and the field."""
    try:
        return IncidentTemplate.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or None
        raise InvalidInput(f"{source}: {where}: {first['msg']}", field=where) from None


def read_template_file(path: Path) -> IncidentTemplate:
    try:
        # libyaml's safe loader when built in: a template is read on every incident opened
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        data = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 - a safe loader
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise InvalidInput(f"cannot read the incident template {path}: {error}") from None
    return parse_template(data, source=str(path))


def builtin_template(name: str = "border-post") -> IncidentTemplate:
    path = BUILTIN_DIR / f"{name}.yaml"
    if not path.is_file():
        raise NotFound(f"no built-in incident template {name!r}")
    return read_template_file(path)


def _clean_list(field: IncidentField, value: Any, where: str) -> list[str] | None:
    lines = value.splitlines() if isinstance(value, str) else value
    if not isinstance(lines, list) or not all(isinstance(v, str) for v in lines):
        raise InvalidInput(f"{where}: a list of lines", field=field.name)
    kept = [v.strip() for v in lines if v.strip()]
    if sum(len(v) for v in kept) > MAX_TEXT:
        raise InvalidInput(f"{where}: longer than {MAX_TEXT} characters", field=field.name)
    return kept or None


def _clean_number(field: IncidentField, value: Any, where: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"{where}: not a number: {value!r}", field=field.name) from None
    if not math.isfinite(number) or number < 0:
        raise InvalidInput(f"{where}: a number 0 or more", field=field.name)
    return number


def _clean_one(field: IncidentField, value: Any, where: str) -> Any:
    """One value of a field, checked and normalised (None when empty)."""
    if value is None or value == "" or value == []:
        return None
    if field.kind == "list":
        return _clean_list(field, value, where)
    if field.kind == "number":
        return _clean_number(field, value, where)
    if not isinstance(value, str):
        value = value.isoformat() if isinstance(value, dt.date) else str(value)
    text = value.strip()
    if len(text) > MAX_TEXT or (field.kind == "line" and ("\n" in text or len(text) > 500)):
        raise InvalidInput(f"{where}: too long for a {field.kind}", field=field.name)
    try:
        if field.kind == "date":
            return dt.date.fromisoformat(text).isoformat()
        if field.kind == "datetime":
            return dt.datetime.fromisoformat(text).isoformat()
    except ValueError:
        raise InvalidInput(f"{where}: not a {field.kind}: {text!r}", field=field.name) from None
    return text or None


def clean_values(
    template: IncidentTemplate, values: Mapping[str, Any], *, opening: bool, incident: str
) -> dict[str, Any]:
    """The values of a report or an addition, checked against the template; the opening report
    must fill the required fields, an addition at least one field."""
    unknown = sorted(set(values) - {f.name for f in template.fields})
    if unknown:
        raise InvalidInput(
            f"incident {incident}: {unknown[0]!r} is not a field of template {template.name}",
            field=unknown[0],
        )
    out: dict[str, Any] = {}
    for f in template.fields:
        cleaned = _clean_one(f, values.get(f.name), f"incident {incident}: {f.label}")
        if cleaned is not None:
            out[f.name] = cleaned
        elif opening and f.required:
            raise InvalidInput(f"incident {incident}: {f.label} is required", field=f.name)
    if not out:
        raise InvalidInput(f"incident {incident}: nothing to add", field=template.fields[0].name)
    return out


def merge(template: IncidentTemplate, entries: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The report as it stands, from the opening values then each addition, in order."""
    out: dict[str, Any] = {}
    for values in entries:
        for f in template.fields:
            value = values.get(f.name)
            if value is None:
                continue
            if f.kind == "list":
                held = out.setdefault(f.name, [])
                held.extend(v for v in value if v not in held)
            elif f.kind == "text" and f.name in out and value != out[f.name]:
                out[f.name] = f"{out[f.name]}\n\n{value}"
            else:
                out[f.name] = value
    return out


def _targets(template: IncidentTemplate, merged: Mapping[str, Any], kind: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in template.fields:
        target = f.seizure if kind == "seizure" else f.alert
        if target and merged.get(f.name) is not None:
            value = merged[f.name]
            out[target] = "; ".join(value) if isinstance(value, list) else value
    return out


def seizure_document(
    template: IncidentTemplate,
    merged: Mapping[str, Any],
    *,
    seized_on: dt.date,
    office_id: str | None,
) -> dict[str, Any]:
    """The seizure report an incident becomes (a document for ``new_record("seizure", ...)``):
    the fields the template maps, and the persons named as parties (nominal data: the release
    policy decides, per partner, whether they leave)."""
    doc = _targets(template, merged, "seizure")
    if "goods_description" not in doc:
        raise InvalidInput("the incident describes no goods to report seized", field="what")
    persons = merged.get("persons") or []
    parties = [{"role": "person", "name": name} for name in persons if isinstance(name, str)]
    return {"seized_on": seized_on.isoformat(), "office_id": office_id, **doc, "parties": parties}


def alert_document(
    template: IncidentTemplate,
    merged: Mapping[str, Any],
    *,
    title: str,
    valid_from: dt.date,
    days: int,
    hs_codes: Sequence[str] = (),
    origins: Sequence[str] = (),
) -> dict[str, Any]:
    """The alert an incident becomes: what to look for (HS prefixes, origins) for ``days``."""
    if days < 1:
        raise InvalidInput("an alert is valid for 1 day or more", field="days")
    doc = _targets(template, merged, "alert")
    return {
        "title": title,
        **{k: v for k, v in doc.items() if k != "title"},
        "valid_from": valid_from.isoformat(),
        "valid_until": (valid_from + dt.timedelta(days=days - 1)).isoformat(),
        "hs_codes": list(hs_codes),
        "origins": list(origins),
    }
