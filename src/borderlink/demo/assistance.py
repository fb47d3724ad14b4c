"""The demo's mutual assistance and joint operation between Atlantis and Borduria.

Atlantis asks Borduria about the trader behind its seizure (the importer, known to Borduria's
customs too); Borduria acknowledges and answers with that trader's history from its own
declarations, the names and values taken out as their assistance agreement says. Then the two
run a joint operation for a week with a shared profile, and both report a day's results. Every
step is idempotent: a second run finds the request answered and the operation held.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Any

from borderlink.model.cooperation import Agreement, AgreementState, AgreementType, Category
from borderlink.services.accounts.demo import DEMO
from borderlink.services.cooperation import assistance, assistance_views, operations
from borderlink.services.cooperation.agreements import (
    accept_copy,
    add_agreement,
    signed_copy,
    transition_agreement,
)
from borderlink.services.ingest.submission import submit_declarations
from borderlink.services.node import Node

AGREEMENT = "ATL-BOR-MAA"
TRADER = "ATL-T-0042"  # the importer behind Atlantis's seizure, also trading with Borduria
REFERENCE = "ATL-MAA-2026-0001"
OPERATION = "SOFA-26"


def assistance_agreement(parties: tuple[str, ...]) -> Agreement:
    """Requests and replies, and joint operations: traders may be named, but a reply's history
    goes without names and values."""
    return Agreement(
        agreement_id=AGREEMENT,
        title="Atlantis-Borduria mutual administrative assistance (requests, joint operations)",
        type=AgreementType.CMAA,
        parties=parties,
        legal_basis="CMAA Atlantis-Borduria (demo), art. 5 assistance on request, art. 9 joint "
        "operations",
        categories=frozenset(
            {
                Category.ASSISTANCE_REQUEST,
                Category.ASSISTANCE_REPLY,
                Category.OPERATION,
                Category.OPERATION_REPORT,
                Category.TRADER_IDENTITY,
            }
        ),
        purposes=frozenset({"assistance", "joint-operation"}),
        redact={Category.ASSISTANCE_REPLY: ("history.trader_name", "history.customs_value")},
        amber_recipients=parties,
        answer_days=30,
    )


def agree(nodes: dict[str, Node]) -> None:
    """Both parties register the agreement, bring it into force, exchange signed copies."""
    agreement = assistance_agreement(tuple(nodes))
    for node in nodes.values():
        add_agreement(node, DEMO, agreement)
        for step in ("signed", "ratified", "in_force"):
            transition_agreement(node, DEMO, AGREEMENT, AgreementState(step))
    for me, node in nodes.items():
        token = signed_copy(node, DEMO, AGREEMENT)
        for other, partner in nodes.items():
            if other != me:
                accept_copy(partner, DEMO, token)


def _borduria_history(node: Node) -> None:
    today = dt.datetime.now(dt.UTC).date()
    sent = [
        {
            "id": f"BOR-2026-0900{n}",
            "date": (today - dt.timedelta(days=10 * n + 3)).isoformat(),
            "parties": [{"role": "importer", "id": TRADER, "name": "Sofa Imports Ltd"}],
            "items": [
                {
                    "hs_code": "940161",
                    "origin_country": "CN",
                    "value": 18000 + 900 * n,
                    "currency": "EUR",
                },
            ],
        }
        for n in range(3)
    ]
    submit_declarations(node, DEMO, sent)


def _wait(check: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check() and time.monotonic() < deadline:
        time.sleep(0.05)


def _state(node: Node, request_id: str) -> str | None:
    try:
        return assistance_views.case_detail(node, DEMO, request_id).case.state
    except Exception:
        return None


def request_and_answer(atlantis: Node, borduria: Node) -> dict[str, Any]:
    """Atlantis asks, Borduria answers with the trader's history; what each side holds."""
    _borduria_history(borduria)
    request_id = assistance.request_id_for(atlantis.settings.node_id, REFERENCE)
    if _state(atlantis, request_id) in (None, "draft"):
        document = {
            "reference": REFERENCE,
            "requested": borduria.settings.node_id,
            "agreement_id": AGREEMENT,
            "measure": "information",
            "title": "Importer behind the seizure of cigarettes in sofa frames",
            "details": "Please send the trader's import history and anything known of it.",
            "trader_ids": [TRADER],
        }
        assistance.draft_request(atlantis, DEMO, document)
        assistance.send_request(atlantis, DEMO, request_id)
    _wait(lambda: _state(borduria, request_id) is not None)
    if _state(borduria, request_id) == "received":
        assistance.reply(borduria, DEMO, request_id, "acknowledged")
        assistance.reply(
            borduria,
            DEMO,
            request_id,
            "answered",
            findings="Sofa Imports Ltd imported upholstered furniture from CN three times.",
            history_of=[TRADER],
        )
    _wait(lambda: _state(atlantis, request_id) == "answered")
    held = assistance_views.case_detail(atlantis, DEMO, request_id)
    history = (held.reply or {}).get("history") or []
    return {
        "request_id": request_id,
        "reference": REFERENCE,
        "state_at_atlantis": held.case.state,
        "state_at_borduria": _state(borduria, request_id),
        "history_declarations": len(history),
        "redacted": (held.reply or {}).get("redacted", []),
        "figures": [vars(f) for f in assistance_views.partner_figures(atlantis, DEMO)],
    }


def joint_operation(atlantis: Node, borduria: Node) -> dict[str, Any]:
    """A week's operation coordinated by Atlantis with a shared profile; both report today."""
    today = dt.datetime.now(dt.UTC).date()
    me = atlantis.settings.node_id
    operation_id = operations.operation_id_for(me, OPERATION)
    created = operations.create_operation(
        atlantis,
        DEMO,
        {
            "code": OPERATION,
            "name": "Cigarettes in upholstered furniture from CN",
            "purpose": "Target and inspect furniture from CN hiding cigarettes.",
            "agreement_ids": [AGREEMENT],
            "participants": [me, borduria.settings.node_id],
            "agencies": ["customs", "police"],
            "starts_on": today.isoformat(),
            "ends_on": (today + dt.timedelta(days=7)).isoformat(),
            "profiles": [
                {
                    "name": "cn-furniture",
                    "expression": 'origin == "CN" and hs.chapter == "94"',
                    "weight": 0.6,
                    "reason": "furniture from CN (operation target)",
                }
            ],
            "target_traders": [TRADER],
        },
    )
    if created is not None:
        operations.move_operation(atlantis, DEMO, operation_id, "active")
    _wait(lambda: any(o.state == "active" for o in operations.list_operations(borduria, DEMO)))
    for node, seized in ((atlantis, 1), (borduria, 0)):
        results = {
            "seizures": seized,
            "inspected": 4,
            "hs_chapters": {"94": seized} if seized else {},
        }
        operations.report_results(node, DEMO, operation_id, today, results)
    _wait(
        lambda: (
            len(operations.operation_dashboard(atlantis, DEMO, operation_id).by_participant) == 2
        )
    )
    board = operations.operation_dashboard(atlantis, DEMO, operation_id)
    return {
        "operation_id": operation_id,
        "code": OPERATION,
        "state": board.state,
        "participants": board.participants,
        "shared_profiles": next(
            o.profiles for o in operations.list_operations(borduria, DEMO) if o.code == OPERATION
        ),
        "results": board.by_participant,
    }
