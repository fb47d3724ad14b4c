"""The border post's use cases through the store: joint inspections and incidents.

Stores ``--declarations`` red declarations at one office, each referred to health, in a fresh
SQLite file (or ``--db URL``); then times:

* ``plan``: :func:`services.coordination.joint.plan_joint` for each (one transaction each,
  audited), then again (idempotent: the same plan changes nothing);
* ``parts``: customs' outcome and health's answer for each (the parts, as the agencies record
  them);
* ``read``: :func:`joint.list_joint` page by page and :func:`joint.summary` over them all (the
  saving against separate inspections);
* ``incidents``: ``--incidents`` opened with the built-in template and one addition each.

Prints the figures as one JSON object on the last line (peak memory included).

    python benchmarks/border_post.py --declarations 2000 --incidents 2000
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import insert

from borderlink.coordination import JointPlan
from borderlink.model import Outcome, ReferralAnswer, ReferralStatus
from borderlink.services import open_node
from borderlink.services.accounts.access import Principal, Role
from borderlink.services.coordination import incidents, joint, referrals
from borderlink.services.declarations.read import MAX_PAGE, record_outcome
from borderlink.services.risk import waiting
from borderlink.settings import Settings
from borderlink.store import declaration_writes
from borderlink.store.coordination_tables import referrals as referrals_table
from borderlink.store.risk_tables import scores

OFFICE = "SEA-01"
OFFICER = Principal(user_id=1, username="officer", role=Role.OFFICER, office_id=OFFICE)
HEALTH = Principal(user_id=2, username="vet", role=Role.AGENCY_OFFICER, agency="health")


def seed(url: str, n: int) -> list[str]:
    node = open_node(Settings(environment="test", db=url), migrate=True)
    now = dt.datetime.now(dt.UTC)
    ids = [f"J-{i:07d}" for i in range(n)]
    with node.engine.begin() as conn:
        declaration_writes.insert_rows(
            conn,
            [
                {
                    "declaration_id": d,
                    "declaration_type": "IM",
                    "declared_on": dt.date(2026, 12, 1),
                    "office_id": OFFICE,
                    "created_at": now,
                }
                for d in ids
            ],
            [
                {
                    "declaration_id": d,
                    "item_no": 1,
                    "hs_code": "030389",
                    "hs_edition": "HS2022",
                    "row_hash": d,
                }
                for d in ids
            ],
        )
        conn.execute(
            insert(scores),
            [
                {
                    "declaration_id": d,
                    "model_version": "bench",
                    "score": 0.9,
                    "risk": 0.9,
                    "channel": "red",
                    "selection": "risk",
                    "reasons": [],
                    "scored_at": now,
                }
                for d in ids
            ],
        )
        waiting.refresh(conn, ids)
        conn.execute(
            insert(referrals_table),
            [
                {
                    "declaration_id": d,
                    "agency": "health",
                    "rules": ["sps-food"],
                    "reasons": ["fish"],
                    "status": "open",
                    "created_by": "bench",
                    "created_at": now,
                    "updated_at": now,
                }
                for d in ids
            ],
        )
    node.engine.dispose()
    return ids


def timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def run(url: str, n: int, n_incidents: int) -> dict[str, object]:
    ids = seed(url, n)
    node = open_node(Settings(environment="test", db=url))
    plan = JointPlan(
        scheduled_at=dt.datetime(2026, 12, 2, 9, tzinfo=dt.UTC), place="bay 1", agencies=("health",)
    )
    figures: dict[str, object] = {"declarations": n, "incidents": n_incidents}
    figures["plan_s"] = timed(lambda: [joint.plan_joint(node, OFFICER, d, plan) for d in ids])
    figures["replan_s"] = timed(lambda: [joint.plan_joint(node, OFFICER, d, plan) for d in ids])
    referral_ids = {
        r.declaration_id: r.referral_id
        for offset in range(0, n, MAX_PAGE)
        for r in referrals.list_referrals(node, HEALTH, limit=MAX_PAGE, offset=offset).items
    }
    cleared = ReferralAnswer(status=ReferralStatus.CLEARED)

    def parts() -> None:
        for d in ids:
            record_outcome(node, OFFICER, Outcome(declaration_id=d, illicit=False))
            referrals.answer_referral(node, HEALTH, referral_ids[d], cleared)

    figures["parts_s"] = timed(parts)
    figures["list_s"] = timed(
        lambda: [
            joint.list_joint(node, OFFICER, limit=MAX_PAGE, offset=o) for o in range(0, n, MAX_PAGE)
        ]
    )
    start = time.perf_counter()
    summary = joint.summary(node, OFFICER)
    figures["summary_s"] = time.perf_counter() - start
    figures["done"] = summary.done
    fields = {"what": "reefer switched off", "where": "bay 2", "when": "2026-12-02T09:30"}

    def incident_work() -> None:
        for i in range(n_incidents):
            made = incidents.open_incident(node, OFFICER, fields, reference=f"B-{i}")
            incidents.add_to_incident(node, HEALTH, made.incident_id, {"actions": ["sealed"]})

    figures["incidents_s"] = timed(incident_work)
    for name in ("plan", "parts", "incidents"):
        count = n_incidents if name == "incidents" else n
        seconds = figures[f"{name}_s"]
        assert isinstance(seconds, float)
        figures[f"{name}_per_s"] = round(count / seconds, 1) if seconds else None
    node.engine.dispose()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--declarations", type=int, default=1000)
    parser.add_argument("--incidents", type=int, default=1000)
    parser.add_argument("--db", help="a database URL (default: a fresh SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'bench.db'}"
        figures = run(url, args.declarations, args.incidents)
    figures["backend"] = url.split(":")[0]
    figures["cpus"] = os.cpu_count()
    figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
