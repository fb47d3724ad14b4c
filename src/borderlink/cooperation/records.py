"""Building a new alert or seizure from user input (a YAML/JSON mapping or an API body)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from pydantic import ValidationError

from borderlink.errors import InvalidInput
from borderlink.model.cooperation import RECORD_MODELS, STIX_TYPES, CoopRecord

_SET_BY_NODE = frozenset({"id", "issuer", "created", "modified", "revoked", "kind"})


def new_record(kind: str, data: dict[str, Any], *, issuer: str, now: dt.datetime) -> CoopRecord:
    """A new record issued by ``issuer`` now; ids and times are the node's, not the input's."""
    if kind not in RECORD_MODELS:
        raise InvalidInput(f"unknown record kind {kind!r}", field="kind")
    given = sorted(set(data) & _SET_BY_NODE)
    if given:
        raise InvalidInput(f"set by the node, not the input: {', '.join(given)}", field=given[0])
    model = RECORD_MODELS[kind]
    values = {
        **data,
        "id": f"{STIX_TYPES[kind]}--{uuid.uuid4()}",  # the STIX type of the kind
        "issuer": issuer,
        "created": now,
        "modified": now,
    }
    try:
        return model.model_validate(values)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InvalidInput(f"{kind}: {where}: {first['msg']}", field=where) from error
