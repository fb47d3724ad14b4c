"""Sample agreements, requests and trader data for the mutual assistance tests (plain data)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import insert, update

from borderlink.services import Node
from borderlink.store import declaration_writes
from borderlink.store.cooperation_tables import assistance_cases
from borderlink.store.tables import parties
from tests.coop_samples import agreement

ASSIST = ["assistance-request", "assistance-reply", "seizure", "alert"]
# A-B lets traders be named (the point of most requests), but not the names in a history.


def assistance_agreement(**update: object) -> Any:
    base: dict[str, object] = {
        "categories": [*ASSIST, "trader-identity"],
        "purposes": ["risk-management", "assistance"],
        "redact": {"assistance-reply": ["history.trader_name"]},
        "answer_days": 20,
        "amber_recipients": ["A", "B"],  # a reply goes back to A
    }
    return agreement(**{**base, **update})


def request_document(**update: object) -> dict[str, Any]:
    return {
        "reference": "ATL-MAA-2026-0042",
        "requested": "B",
        "agreement_id": "AB-2026",
        "measure": "information",
        "title": "Trader behind the seizure of cigarettes in sofas",
        "details": "Please send the trader's import history and any findings.",
        "trader_ids": ["T-42"],
        "container_numbers": ["MSCU1234565"],
        **update,
    }


def trader_at(node: Node) -> None:
    with node.transaction() as conn:
        conn.execute(insert(parties).values(party_id="T-42", name="ACME Ltd", country="AT"))
        for n in range(3):
            header = {
                "declaration_id": f"B-D-{n}",
                "declaration_type": "IM",
                "declared_on": dt.date(2026, 10, 1 + n),
                "importer_id": "T-42",
                "created_at": dt.datetime.now(dt.UTC),
            }
            item = {
                "declaration_id": f"B-D-{n}",
                "item_no": 1,
                "hs_code": "940161",
                "hs_edition": "HS2022",
                "origin_country": "CN",
                "value_reporting": 1000.0 * (n + 1),
                "row_hash": "x" * 32,
            }
            declaration_writes.insert_rows(conn, [header], [item])


def past_deadline(node: Node, request_id: str, days: int) -> None:
    """The deadline ``days`` ago (a test cannot wait for it: the case row stands for time)."""
    with node.transaction() as conn:
        conn.execute(
            update(assistance_cases)
            .where(assistance_cases.c.request_id == request_id)
            .values(deadline=dt.datetime.now(dt.UTC).date() - dt.timedelta(days=days))
        )


def operation_agreement(**update: object) -> Any:
    """A-B agreement in force for joint operations (and their reports)."""
    base: dict[str, object] = {
        "categories": ["operation", "operation-report", "alert"],
        "purposes": ["risk-management", "joint-operation"],
        "amber_recipients": ["A", "B"],
        "redact": {},
    }
    return agreement(**{**base, **update})


def operation_document(**update: object) -> dict[str, Any]:
    today = dt.datetime.now(dt.UTC).date()
    return {
        "code": "TOBACCO-26",
        "name": "Cigarettes from CN in furniture",
        "purpose": "Find and seize cigarettes hidden in furniture shipped from China.",
        "agreement_ids": ["AB-2026"],
        "participants": ["A", "B"],
        "agencies": ["customs", "police"],
        "starts_on": today.isoformat(),
        "ends_on": (today + dt.timedelta(days=7)).isoformat(),
        "profiles": [
            {
                "name": "cn-tobacco",
                "expression": 'origin == "CN" and hs.chapter == "24"',
                "weight": 0.6,
                "reason": "tobacco from CN",
            }
        ],
        "target_containers": ["MSCU1234565"],
        **update,
    }
