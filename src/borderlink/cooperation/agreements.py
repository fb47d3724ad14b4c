"""Agreements as data: reading them from YAML, their lifecycle, and whether one is in force.

Lifecycle (every other move is refused)::

    draft ──► signed ──► ratified ──► in_force ◄──► suspended
                                         │              │
                                         └──► expired ◄─┘
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any, get_args

import yaml
from pydantic import BaseModel, ValidationError

from borderlink.errors import Conflict, InvalidInput
from borderlink.model.cooperation import (
    AeoStatus,
    Agreement,
    AgreementState,
    Alert,
    AssistanceReply,
    AssistanceRequest,
    Category,
    Operation,
    OperationReport,
    RecordModel,
    Seizure,
)

S = AgreementState
TRANSITIONS: Mapping[AgreementState, frozenset[AgreementState]] = MappingProxyType(
    {
        S.DRAFT: frozenset({S.SIGNED}),
        S.SIGNED: frozenset({S.RATIFIED}),
        S.RATIFIED: frozenset({S.IN_FORCE}),
        S.IN_FORCE: frozenset({S.SUSPENDED, S.EXPIRED}),
        S.SUSPENDED: frozenset({S.IN_FORCE, S.EXPIRED}),
        S.EXPIRED: frozenset(),
    }
)

# Which record model carries each category, to check an agreement's field lists.
MODELS_BY_CATEGORY: Mapping[Category, RecordModel] = MappingProxyType(
    {
        Category.ALERT: Alert,
        Category.SEIZURE: Seizure,
        Category.AEO_STATUS: AeoStatus,
        Category.ASSISTANCE_REQUEST: AssistanceRequest,
        Category.ASSISTANCE_REPLY: AssistanceReply,
        Category.OPERATION: Operation,
        Category.OPERATION_REPORT: OperationReport,
    }
)


# What flows when an agreement does not list a category's fields itself. Listed by name, so a
# field added to a record later flows only once someone adds it here or to an agreement.
STANDARD_FIELDS: Mapping[Category, tuple[str, ...]] = MappingProxyType(
    {
        Category.ALERT: (
            "title",
            "description",
            "valid_from",
            "valid_until",
            "hs_codes",
            "origins",
            "route",
            "concealment",
            "trader_ids",
            "source_seizure",
        ),
        Category.SEIZURE: (
            "seized_on",
            "office_id",
            "goods_description",
            "hs_code",
            "origin_country",
            "quantity",
            "quantity_unit",
            "concealment",
            "route",
            "declaration_id",
            "parties",
        ),
        Category.AEO_STATUS: (
            "trader_id",
            "trader_name",
            "country",
            "programme",
            "status",
            "valid_from",
            "valid_until",
        ),
        Category.ASSISTANCE_REQUEST: (
            "title",
            "details",
            "urgency",
            "state",
            "declaration_ids",
            "trader_ids",
            "container_numbers",
            "vessel_imos",
            "attachments",
        ),
        Category.ASSISTANCE_REPLY: ("ground", "findings", "history", "attachments"),
        Category.OPERATION: (
            "name",
            "purpose",
            "agencies",
            "state",
            "profiles",
            "target_declarations",
            "target_containers",
            "target_traders",
            "results_template",
        ),
        Category.OPERATION_REPORT: (
            "declarations_checked",
            "profile_hits",
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
        ),
    }
)
# Free text: an agreement may drop these or send its own text instead (``replace``).
FREE_TEXT: Mapping[Category, frozenset[str]] = MappingProxyType(
    {
        Category.ALERT: frozenset({"title", "description", "concealment"}),
        Category.SEIZURE: frozenset({"goods_description", "concealment"}),
        Category.AEO_STATUS: frozenset({"trader_name"}),
        Category.ASSISTANCE_REQUEST: frozenset({"title", "details"}),
        Category.ASSISTANCE_REPLY: frozenset({"findings"}),
        Category.OPERATION: frozenset({"name", "purpose"}),
        Category.OPERATION_REPORT: frozenset({"notes"}),
    }
)
MAX_REPLACEMENT = 200


def field_paths(model: type[BaseModel]) -> frozenset[str]:
    """Every path an agreement may name for ``model``: its fields, and ``field.sub`` for the
    fields of a nested record (a route, the parties of a seizure)."""
    paths: set[str] = set()
    for name, info in model.model_fields.items():
        paths.add(name)
        nested = nested_model(info.annotation)
        if nested is not None:
            paths.update(f"{name}.{sub}" for sub in nested.model_fields)
    return frozenset(paths)


def paths_of(category: Category) -> frozenset[str]:
    """:func:`field_paths` of the category's model, computed once (every agreement read and
    every received record checks paths: the walk over the model's annotations showed up)."""
    return _PATHS.get(category, frozenset())


def nested_model(annotation: Any) -> type[BaseModel] | None:
    """The record model inside ``annotation`` (``Route``, ``tuple[SeizedParty, ...]``)."""
    candidates = [annotation, *get_args(annotation)]
    for candidate in candidates:
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


_PATHS: Mapping[Category, frozenset[str]] = MappingProxyType(
    {category: field_paths(model) for category, model in MODELS_BY_CATEGORY.items()}
)


def allowed_fields(agreement: Agreement, category: Category) -> tuple[str, ...]:
    """The allow-list of ``category`` under ``agreement``: its own, else the standard one."""
    if category in agreement.fields:
        return agreement.fields[category]
    return STANDARD_FIELDS.get(category, ())


def parse_agreement(data: dict[str, Any]) -> Agreement:
    """Validate an agreement document; unknown field paths are refused, not ignored.

    The result lists every category's allowed fields explicitly (the standard list where the
    document gave none), so what is stored, shown and hashed is exactly what may flow.
    """
    try:
        agreement = Agreement.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InvalidInput(f"agreement: {where}: {first['msg']}", field=where) from error
    for key in ("fields", "redact"):
        for category, paths in getattr(agreement, key).items():
            _check_paths(agreement, key, category, paths)
    for category, texts in agreement.replace.items():
        _check_replacements(agreement, category, texts)
    listed = {
        c: allowed_fields(agreement, c) for c in MODELS_BY_CATEGORY if c in agreement.categories
    }
    return agreement.model_copy(update={"fields": {**listed, **agreement.fields}})


def _check_paths(agreement: Agreement, key: str, category: Category, paths: Iterable[str]) -> None:
    model = MODELS_BY_CATEGORY.get(category)
    if model is None:
        return
    unknown = sorted(set(paths) - paths_of(category))
    if unknown:
        verb = "allow" if key == "fields" else "redact"
        raise InvalidInput(
            f"agreement {agreement.agreement_id}: cannot {verb} unknown {category} "
            f"field(s) {', '.join(unknown)}",
            field=f"{key}.{category}",
        )


def _check_replacements(agreement: Agreement, category: Category, texts: Mapping[str, str]) -> None:
    where = f"replace.{category}"
    not_free = sorted(set(texts) - FREE_TEXT.get(category, frozenset()))
    if not_free:
        raise InvalidInput(
            f"agreement {agreement.agreement_id}: only free-text fields can be replaced, not "
            f"{', '.join(not_free)}",
            field=where,
        )
    for name, text in texts.items():
        if not 1 <= len(text.strip()) <= MAX_REPLACEMENT:
            raise InvalidInput(
                f"agreement {agreement.agreement_id}: the replacement of {category} {name} "
                f"must be 1 to {MAX_REPLACEMENT} characters",
                field=f"{where}.{name}",
            )


def terms_hash(agreement: Agreement) -> str:
    """SHA-256 of the agreement's terms: everything but its lifecycle state (each side walks
    its own), in canonical JSON with the allow-lists made explicit. Both parties' copies must
    give the same hash before anything flows."""
    document = parse_agreement(agreement.as_document()).as_document()
    document.pop("state", None)
    text = json.dumps(
        _sets_sorted(document), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _sets_sorted(value: Any) -> Any:
    """Lists of names are sets in an agreement (categories, purposes, fields): sorted, so the
    same terms give the same bytes whatever order each side wrote them in."""
    if isinstance(value, dict):
        return {k: _sets_sorted(v) for k, v in value.items()}
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return sorted(value)
    return value


def load_agreement_yaml(text: str) -> Agreement:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise InvalidInput(f"agreement file is not valid YAML: {error}") from error
    if not isinstance(data, dict):
        raise InvalidInput("agreement file must hold one mapping")
    return parse_agreement(data)


def transition(agreement: Agreement, to: AgreementState) -> Agreement:
    """The agreement in its new state; :class:`Conflict` if the lifecycle forbids the move."""
    if to not in TRANSITIONS[agreement.state]:
        allowed = ", ".join(sorted(TRANSITIONS[agreement.state])) or "none"
        raise Conflict(
            f"agreement {agreement.agreement_id} cannot go from {agreement.state} to {to} "
            f"(allowed: {allowed})"
        )
    return agreement.model_copy(update={"state": to})


def in_force(agreement: Agreement, on: dt.date) -> bool:
    """In force on ``on``: state ``in_force`` and ``on`` within its validity dates."""
    if agreement.state != AgreementState.IN_FORCE:
        return False
    if agreement.valid_from and on < agreement.valid_from:
        return False
    return not (agreement.valid_until and on > agreement.valid_until)


def ended_on(agreement: Agreement, changed_on: dt.date, today: dt.date) -> dt.date | None:
    """The day ``agreement`` ended, or None while it has not: the day it was moved to expired
    (``changed_on``, its last change) or the end of its validity, whichever came first."""
    ends = []
    if agreement.state == AgreementState.EXPIRED:
        ends.append(changed_on)
    if agreement.valid_until and agreement.valid_until < today:
        ends.append(agreement.valid_until)
    return min(ends) if ends else None


def withdrawal_due(agreement: Agreement, changed_on: dt.date, today: dt.date) -> bool:
    """What was received under an ended agreement is withdrawn once its ``retain_after_end_days``
    have passed (0: at once)."""
    end = ended_on(agreement, changed_on, today)
    return end is not None and end + dt.timedelta(days=agreement.retain_after_end_days) <= today


def between(agreements: Iterable[Agreement], a: str, b: str) -> list[Agreement]:
    """Agreements to which both nodes are parties, in a stable order."""
    return sorted(
        (x for x in agreements if a in x.parties and b in x.parties),
        key=lambda x: x.agreement_id,
    )
