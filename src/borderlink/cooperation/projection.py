"""A record projected onto an agreement: the copy a partner receives holds only what is allowed.

An agreement allow-lists fields per category by path: a field (``parties``, ``route``) or a field
of a nested record (``parties.name``, ``route.loading_location``). A path flows when it or its
parent is allowed and neither it nor its parent is blocked (by the agreement's ``redact`` list,
because it is nominal data the agreement does not cover, or because a derived record got it
from a field that may not flow). A free-text field the agreement replaces flows as the
agreement's text. Everything else takes its empty value; a required free-text field takes its
fallback text, since a record cannot be without it.

The record's envelope (id, issuer, times, classification, TLP, revocation) and its other
required fields (validity dates, the day of a seizure, an AEO's country and status) always
travel: without them a copy is not a record.

Offers :class:`Rules`, :func:`project`, :func:`always` and :data:`WITHHELD`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Any

from pydantic import BaseModel

from borderlink.cooperation.agreements import FREE_TEXT, MODELS_BY_CATEGORY, nested_model
from borderlink.model.cooperation import (
    AeoStatus,
    Alert,
    AssistanceReply,
    AssistanceRequest,
    Attachment,
    Category,
    CoopRecord,
    HistoryEntry,
    Operation,
    OperationReport,
    Route,
    SeizedParty,
    Seizure,
    SharedProfile,
)

WITHHELD = "[withheld]"
ENVELOPE = frozenset(
    {"id", "issuer", "created", "modified", "classification", "tlp", "revoked", "kind"}
)
NOT_ALLOWED = "not-in-agreement"


@dataclass(frozen=True)
class Rules:
    """What an agreement lets flow of one category."""

    category: Category
    allowed: frozenset[str]  # paths
    blocked: Mapping[str, str] = field(default_factory=dict)  # path -> why it may not flow
    replace: Mapping[str, str] = field(default_factory=dict)  # free-text field -> its text
    fallback: Mapping[str, str] = field(default_factory=dict)  # required free text -> text

    def allows(self, path: str) -> bool:
        parent = path.split(".", 1)[0]
        if path in self.blocked or parent in self.blocked:
            return False
        return path in self.allowed or parent in self.allowed

    def why_not(self, path: str) -> str:
        parent = path.split(".", 1)[0]
        return self.blocked.get(path) or self.blocked.get(parent) or NOT_ALLOWED

    def whole(self, name: str) -> bool:
        """``name`` flows as it is: allowed, not replaced, and no sub-field of it blocked."""
        prefix = name + "."
        return (
            self.allows(name)
            and name not in self.replace
            and not any(p.startswith(prefix) for p in self.blocked)
        )

    def partly(self, name: str) -> bool:
        """Some sub-field of ``name`` flows (so ``name`` goes out, projected)."""
        prefix = name + "."
        return self.allows(name) or any(
            p.startswith(prefix) and self.allows(p) for p in self.allowed
        )

    def plan(self, model: type[BaseModel]) -> tuple[tuple[str, str], ...]:
        """(field, how it is projected) for each field of ``model`` that does not flow as it
        is: the same for every record of ``model``, so worked out once (memoised rules, one per
        page of a sync, project a thousand records each)."""
        plans = self._plans
        if model not in plans:
            keep = always(model, self.category)
            plans[model] = tuple(
                (name, self._how(name))
                for name in model.model_fields
                if name not in keep and not self.whole(name)
            )
        return plans[model]

    def _how(self, name: str) -> str:
        if name in self.replace:
            return _REPLACE
        if self.partly(name):
            return _NESTED
        return _FALLBACK if name in self.fallback else _EMPTY

    @cached_property
    def _plans(self) -> dict[type[BaseModel], tuple[tuple[str, str], ...]]:
        return {}


_REPLACE, _NESTED, _FALLBACK, _EMPTY = "replace", "nested", "fallback", "empty"


def _always(model: type[BaseModel], category: Category) -> frozenset[str]:
    free = FREE_TEXT.get(category, frozenset())
    required = {n for n, info in model.model_fields.items() if info.is_required()}
    return ENVELOPE | (required - free)


def _empties(model: type[BaseModel]) -> Mapping[str, Any]:
    values = {}
    for name, info in model.model_fields.items():
        default = "" if info.is_required() else info.get_default(call_default_factory=True)
        values[name] = default.model_dump() if isinstance(default, BaseModel) else default
    return MappingProxyType(values)


# Worked out once from the record models (constants): what always travels, and each field's
# empty value (a withheld field takes it; a required one the empty string).
ALWAYS: Mapping[Category, frozenset[str]] = MappingProxyType(
    {c: _always(m, c) for c, m in MODELS_BY_CATEGORY.items()}
)
EMPTY: Mapping[type[BaseModel], Mapping[str, Any]] = MappingProxyType(
    {
        m: _empties(m)
        for m in (
            *(Alert, Seizure, AeoStatus, Route, SeizedParty),
            *(AssistanceRequest, AssistanceReply, Attachment, HistoryEntry),
            *(Operation, OperationReport, SharedProfile),
        )
    }
)


def always(model: type[BaseModel], category: Category) -> frozenset[str]:
    """The fields that travel whatever the agreement: the envelope and required non-text."""
    return ALWAYS.get(category) or _always(model, category)


def _empty(model: type[BaseModel], name: str) -> Any:
    known = EMPTY.get(model)
    if known is not None:
        return known[name]
    return _empties(model)[name]


def project(
    record: CoopRecord, rules: Rules, *, copy: bool = True
) -> tuple[CoopRecord, list[tuple[str, str]]]:
    """The copy of ``record`` under ``rules``, and each path it changed with the reason.

    Without ``copy`` (a receiver checking that nothing would be taken out) the copy is not
    built: ``record`` itself comes back, beside the same list of changes. Only the fields the
    plan touches are read then (building and validating the copy cost more than the check).
    """
    model = type(record)
    plan = rules.plan(model)
    if copy:
        values = record.model_dump()
    elif plan:
        values = record.model_dump(include={name for name, _ in plan})
    else:
        return record, []
    removed: list[tuple[str, str]] = []
    for name, how in plan:
        value = values[name]
        if how == _REPLACE:
            new, reason = rules.replace[name], "agreement-replacement"
        elif how == _NESTED:
            new, changed = _project_nested(model, name, value, rules)
            removed.extend(changed)
            values[name] = new
            continue
        elif how == _FALLBACK:
            new, reason = rules.fallback[name], rules.why_not(name)
        else:
            new, reason = _empty(model, name), rules.why_not(name)
        if value in (None, "", (), [], {}) or value == new:
            continue  # nothing to take out: an empty value says nothing
        values[name] = new
        removed.append((name, reason))
    return (model.model_validate(values) if copy else record), removed


def _project_nested(
    model: type[BaseModel], name: str, value: Any, rules: Rules
) -> tuple[Any, list[tuple[str, str]]]:
    nested = nested_model(model.model_fields[name].annotation)
    assert nested is not None  # only nested records have sub-paths
    withheld = [sub for sub in nested.model_fields if not rules.allows(f"{name}.{sub}")]
    items = value if isinstance(value, tuple | list) else (value,)
    changed: set[str] = set()
    projected = []
    for item in items:
        copy = dict(item)
        for sub in withheld:
            blank = _empty(nested, sub)
            if copy.get(sub) not in (None, "", blank):
                changed.add(sub)
            copy[sub] = blank
        projected.append(copy)
    new = tuple(projected) if isinstance(value, tuple | list) else projected[0]
    return new, [(f"{name}.{sub}", rules.why_not(f"{name}.{sub}")) for sub in sorted(changed)]
