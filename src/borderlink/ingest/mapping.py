"""Column mappings as data: a YAML file says which source column feeds which canonical column.

A mapping names source columns (``columns``), fixed values (``constants``), codes to left-pad
with zeros (``zero_pad``, for codes that spreadsheets stored as numbers), and the date format.
A user passes a registered name or a path.

Named mappings are found through the entry point group ``borderlink.mappings``: the name is the
mapping's, the value the package holding ``<name>.yaml``, so an add-on ships a mapping as data.
The built-ins (``kcs``, ``borderlink`` in ``ingest/mappings/``) are declared there the same way,
in ``pyproject.toml``. Offers :class:`ColumnMapping`, :func:`load_mapping`, :func:`mapping_names`.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib.metadata import entry_points
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from types import MappingProxyType
from typing import Any

import polars as pl
import yaml
from pydantic import BaseModel, Field, ValidationError, field_validator

from borderlink.errors import ConfigurationError, InvalidInput, NotFound
from borderlink.ingest.columns import INPUT

GROUP = "borderlink.mappings"


class ColumnMapping(BaseModel):
    name: str
    description: str = ""
    columns: dict[str, str] = Field(description="canonical column → source column")
    constants: dict[str, str | int | float | bool] = Field(default_factory=dict)
    optional: list[str] = Field(
        default_factory=list,
        description="canonical columns whose source column may be absent from a file (then null)",
    )
    zero_pad: dict[str, int] = Field(default_factory=dict)
    date_format: str | None = Field(default=None, description="strftime format; None: ISO 8601")

    @field_validator("columns", "constants", "zero_pad", "optional")
    @classmethod
    def _known_targets(cls, value: Any) -> Any:
        unknown = sorted(set(value) - set(INPUT))
        if unknown:
            raise ValueError(f"unknown canonical column(s): {', '.join(unknown)}")
        return value

    def apply(self, raw: pl.DataFrame) -> pl.DataFrame:
        """Rename/fill a frame of source text columns into every canonical input column (text)."""
        present = set(raw.columns)
        missing = sorted(
            src
            for dst, src in self.columns.items()
            if src not in present and dst not in self.optional
        )
        if missing:
            raise InvalidInput(
                f"mapping {self.name!r}: source column(s) not in the file: {', '.join(missing)}",
                field=missing[0],
            )
        exprs: list[pl.Expr] = []
        for target in INPUT:
            expr = pl.lit(None, dtype=pl.String)
            if target in self.columns and self.columns[target] in present:
                expr = pl.col(self.columns[target]).cast(pl.String).str.strip_chars()
                expr = pl.when(expr == "").then(None).otherwise(expr)
            if target in self.constants:  # a constant fills what the file leaves empty
                expr = pl.coalesce(expr, pl.lit(_text(self.constants[target]), dtype=pl.String))
            if target in self.zero_pad:
                expr = expr.str.zfill(self.zero_pad[target])
            exprs.append(expr.alias(target))
        return raw.select(pl.col("_record_no"), *exprs)


def _text(value: str | int | float | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@cache
def registered_mappings() -> Mapping[str, Traversable]:
    """Every registered mapping's YAML file by name (found once per process)."""
    found = {
        point.name: files(point.module) / f"{point.name}.yaml"
        for point in entry_points(group=GROUP)
    }
    if not found:
        raise ConfigurationError(f"no {GROUP} entry points: is borderlink installed (pip install)?")
    return MappingProxyType(dict(sorted(found.items())))


def mapping_names() -> list[str]:
    """The names of the registered mappings, sorted."""
    return list(registered_mappings())


def _parse(path: Path | Traversable) -> ColumnMapping:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return ColumnMapping.model_validate(data)
    except (OSError, yaml.YAMLError, ValidationError) as error:
        raise InvalidInput(f"mapping file {path} is not valid: {error}") from error


@cache
def _load_path(path: Path) -> ColumnMapping:
    return _parse(path)


@cache
def _load_named(name: str) -> ColumnMapping:
    return _parse(registered_mappings()[name])


def load_mapping(name_or_path: str | Path | None) -> ColumnMapping:
    """A registered mapping by name (``kcs``, ``borderlink``, ...), or a YAML file by path."""
    if name_or_path is None:
        name_or_path = "borderlink"
    path = Path(name_or_path)
    if path.suffix in {".yaml", ".yml"} or path.exists():
        if not path.is_file():
            raise NotFound(f"mapping file {path} does not exist")
        return _load_path(path.resolve())
    known = registered_mappings()
    if str(name_or_path) not in known:
        raise NotFound(
            f"no mapping named {name_or_path!r}; registered mappings: {', '.join(known)}"
        )
    return _load_named(str(name_or_path))
