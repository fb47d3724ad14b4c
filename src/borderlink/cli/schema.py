"""``borderlink schema``: the declaration layout, as the schema in ``model`` declares it."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from borderlink.model import DeclarationIn, reference

JsonSchemaOption = Annotated[
    bool, typer.Option("--json", help="Print the JSON Schema of one declaration instead.")
]


def schema(as_json: JsonSchemaOption = False) -> None:
    """The declaration layout: every field with its type, limits and WCO DM element (Markdown)."""
    if as_json:
        print(json.dumps(DeclarationIn.model_json_schema(), indent=2, ensure_ascii=False))
        return
    print(reference(), end="")
