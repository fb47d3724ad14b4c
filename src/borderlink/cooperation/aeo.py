"""Trusted traders from AEO statuses under mutual recognition: pure functions over plain data.

:func:`parse_mra` reads an MRA document (YAML/JSON already loaded) and names the field that is
wrong; :func:`trusted_traders` turns the statuses held (issued here or received from partners),
the MRAs and their mapping tables into the ids declared here that earn a benefit, and why.

A status counts under an MRA when it was issued by the MRA's partner, for a programme the MRA
recognises, is ``granted`` and not revoked. Suspension and revocation arrive as later versions of
the same record, so the latest version held is the only one looked at: a suspended AEO loses
its benefits the moment the suspension is received. A partner's trader id becomes an id
declared here through the MRA's mapping table (its EORI, TIN or the partner's own number to the
EORI/TIN its goods are declared under here); the node's own programme, and an MRA with
``shared_ids``, also take the id as it stands.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import ValidationError

from borderlink.errors import InvalidInput
from borderlink.model.aeo import Mra, TrustedTrader, trader_key
from borderlink.model.cooperation import AeoStatus


def parse_mra(document: Mapping[str, Any]) -> Mra:
    """An :class:`Mra` from its document; bad input names the MRA and the field."""
    try:
        return Mra.model_validate(dict(document))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        name = document.get("mra_id", "?") if isinstance(document, Mapping) else "?"
        raise InvalidInput(f"MRA {name}: {where}: {first['msg']}", field=where) from exc


def _local_ids(
    mra: Mra, status: AeoStatus, own_node: str, mapping: Mapping[str, frozenset[str]]
) -> set[str]:
    if not status.trader_id:
        return set()
    theirs = trader_key(status.trader_id)
    ids = set(mapping.get(theirs, frozenset()))
    if mra.shared_ids or mra.partner == own_node:
        ids.add(theirs)
    return ids


def counts_under(mra: Mra, status: AeoStatus) -> bool:
    """Whether ``status`` is one ``mra`` recognises: its partner's, a programme it names, in
    good standing (granted, not revoked)."""
    programmes = {p.upper() for p in mra.programmes}
    return (
        status.issuer == mra.partner
        and status.programme.upper() in programmes
        and status.status == "granted"
        and not status.revoked
    )


def trusted_traders(
    mras: Iterable[Mra],
    statuses: Iterable[AeoStatus],
    mappings: Mapping[str, Mapping[str, frozenset[str]]],
    *,
    own_node: str,
    on: dt.date,
) -> list[TrustedTrader]:
    """The ids declared here that an AEO status makes trusted, one per (id, MRA, status), for
    the MRAs in force on ``on``. ``mappings``: per MRA, the partner's trader id (as
    :func:`trader_key` writes it) to the ids declared here. Each keeps its status's validity:
    a declaration earns the benefit only when declared within it."""
    held = list(statuses)
    out: list[TrustedTrader] = []
    for mra in sorted(mras, key=lambda m: m.mra_id):
        if not mra.in_force(on):
            continue
        mapping = mappings.get(mra.mra_id, {})
        for status in held:
            if not counts_under(mra, status):
                continue
            for party in sorted(_local_ids(mra, status, own_node, mapping)):
                out.append(
                    TrustedTrader(
                        party_id=party,
                        mra_id=mra.mra_id,
                        mra_title=mra.title,
                        programme=status.programme,
                        status_id=status.id,
                        roles=mra.roles,
                        benefits=mra.benefits,
                        valid_from=status.valid_from,
                        valid_until=status.valid_until,
                    )
                )
    return out
