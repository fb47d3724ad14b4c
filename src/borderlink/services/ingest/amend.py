"""Amendments and cancellations of stored declarations, from any format.

A WCO DM additional message (FunctionCode 13) names a declaration by its ``ID`` and amends it
(``COR``) or asks to cancel it (``INV``); the ingest of a file hands such messages here, in the
same transaction as the rest of its chunk.
"""

from __future__ import annotations

from types import MappingProxyType

from sqlalchemy import Connection, select

from borderlink.ingest import Reject
from borderlink.ingest.pipeline import AmendmentRows
from borderlink.model import FieldIssue
from borderlink.services.ingest.batches import Source
from borderlink.store.tables import declarations

KINDS = MappingProxyType({"COR": "an amendment", "INV": "a cancellation"})


def _refused(amendment: AmendmentRows, reason: str, message: str) -> list[Reject]:
    return [
        Reject(
            record_no=amendment.record_no,
            declaration_id=amendment.declaration_id,
            item_no=None,
            issues=[FieldIssue(field="declaration_id", reason=reason, message=message)],
            raw=raw,
        )
        for raw in amendment.raw
    ]


def _where(amendment: AmendmentRows) -> str:
    first = amendment.raw[0] if amendment.raw else {}
    return str(first.get("_raw") or f"record {amendment.record_no}")


def _exists(conn: Connection, declaration_id: str) -> bool:
    found = conn.execute(
        select(declarations.c.declaration_id).where(declarations.c.declaration_id == declaration_id)
    ).first()
    return found is not None


def apply_amendments(
    conn: Connection, amendments: list[AmendmentRows], source: Source
) -> tuple[int, list[Reject]]:
    """Apply each message to the declaration it names: (rows applied, rejects)."""
    applied = 0
    refused: list[Reject] = []
    for amendment in amendments:
        what = KINDS.get(amendment.kind, amendment.kind)
        if not _exists(conn, amendment.declaration_id):
            refused += _refused(
                amendment,
                "unknown_declaration",
                f"{_where(amendment)}: {what} (FunctionCode 13, {amendment.kind}) of declaration "
                f"{amendment.declaration_id}, which this node does not hold (Declaration/ID)",
            )
            continue
        refused += _refused(
            amendment,
            "amendment_not_applied",
            f"{_where(amendment)}: {what} of declaration {amendment.declaration_id} is not "
            "applied by this node yet",
        )
    return applied, refused
