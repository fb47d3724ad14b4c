"""Agency routing rules as data: which declarations go to which border agency, and why.

A rule is a condition in the risk profile language (:mod:`borderlink.risk.expressions`) over a
declaration's goods items, the agency it sends matching declarations to, and the reason the
agency reads. Rules live in YAML or JSON files (a list, one mapping, or ``{"rules": [...]}``)::

    - name: sps-food
      agency: health
      condition: hs.chapter in ["03", "08", "16"]
      reason: food of animal or plant origin, sanitary and phytosanitary check

Built-in rule sets live in ``coordination/rules/*.yaml`` (``example`` is what the demo loads).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from borderlink.errors import ExpressionError, InvalidInput, NotFound
from borderlink.risk.expressions import compile_expression

BUILTIN_DIR = Path(__file__).parent / "rules"
NAME_PATTERN = r"^[A-Za-z0-9_.:-]+$"


class AgencyRule(BaseModel):
    """One routing rule: declarations matching ``condition`` are referred to ``agency``."""

    model_config = ConfigDict(frozen=True)

    name: str = Field(min_length=1, max_length=64, pattern=NAME_PATTERN)
    agency: str = Field(min_length=1, max_length=64, pattern=NAME_PATTERN)
    condition: str = Field(min_length=1, max_length=4000)
    reason: str = Field(min_length=1, max_length=500)
    active: bool = True

    @field_validator("condition")
    @classmethod
    def _parses(cls, text: str) -> str:
        compile_expression(text)  # raises ExpressionError with the position
        return text


def parse_rules(data: Any, *, source: str = "rules") -> list[AgencyRule]:
    """Rules from parsed YAML/JSON; an error names the rule (number and name) and the field."""
    if isinstance(data, dict) and "rules" in data:
        data = data["rules"]
    items = data if isinstance(data, list) else [data]
    rules: list[AgencyRule] = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise InvalidInput(f"{source}: rule #{i + 1} is not a mapping")
        label = f"{source}: rule #{i + 1} ({item.get('name')!r})"
        try:
            rule = AgencyRule(**item)
        except ExpressionError as error:
            raise ExpressionError(
                f"{label}: {error.detail}", position=error.position, field="condition"
            ) from None
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or None
            raise InvalidInput(f"{label}: {first['msg']}", field=where) from None
        if rule.name in seen:
            raise InvalidInput(f"{label}: the name appears twice", field="name")
        seen.add(rule.name)
        rules.append(rule)
    return rules


def read_rules_file(path: Path) -> list[AgencyRule]:
    """Rules from a YAML or JSON file (JSON is YAML)."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise InvalidInput(f"cannot read agency rules from {path}: {error}") from None
    return parse_rules(data, source=str(path))


def builtin_rules(name: str = "example") -> Path:
    """The path of a built-in rule set by name (``example``)."""
    path = BUILTIN_DIR / f"{name}.yaml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in BUILTIN_DIR.glob("*.yaml")))
        raise NotFound(f"no built-in agency rule set {name!r} (known: {known})", field="name")
    return path
