"""Agreements as data: reading them from YAML, their lifecycle, and whether one is in force.

Lifecycle (every other move is refused)::

    draft ──► signed ──► ratified ──► in_force ◄──► suspended
                                         │              │
                                         └──► expired ◄─┘
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

import yaml
from pydantic import ValidationError

from borderlink.errors import Conflict, InvalidInput
from borderlink.model.cooperation import (
    AeoStatus,
    Agreement,
    AgreementState,
    Alert,
    Category,
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

# Which record model carries each category, to check an agreement's redaction lists.
MODELS_BY_CATEGORY: Mapping[Category, type[Alert] | type[Seizure] | type[AeoStatus]] = (
    MappingProxyType(
        {
            Category.ALERT: Alert,
            Category.SEIZURE: Seizure,
            Category.AEO_STATUS: AeoStatus,
        }
    )
)


def parse_agreement(data: dict[str, Any]) -> Agreement:
    """Validate an agreement document; unknown redaction fields are refused, not ignored."""
    try:
        agreement = Agreement.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InvalidInput(f"agreement: {where}: {first['msg']}", field=where) from error
    for category, fields in agreement.redact.items():
        model = MODELS_BY_CATEGORY.get(category)
        if model is None:
            continue
        unknown = sorted(set(fields) - set(model.model_fields))
        if unknown:
            raise InvalidInput(
                f"agreement {agreement.agreement_id}: cannot redact unknown {category} "
                f"field(s) {', '.join(unknown)}",
                field=f"redact.{category}",
            )
    return agreement


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


def between(agreements: Iterable[Agreement], a: str, b: str) -> list[Agreement]:
    """Agreements to which both nodes are parties, in a stable order."""
    return sorted(
        (x for x in agreements if a in x.parties and b in x.parties),
        key=lambda x: x.agreement_id,
    )
