"""The demo's border post: one joint inspection with health, planned for a red consignment
referred to health, the health agency's procedures it links, and an incident report at the post.

Everything is keyed on what it concerns (the declaration, the SOP's text, the incident's
reference), so a rerun changes nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from borderlink.model.referral import ReferralStatus
from borderlink.services.accounts.demo import DEMO, DEMO_AGENCY
from borderlink.services.coordination import incidents, joint, referrals, sops
from borderlink.services.declarations.read import MAX_PAGE
from borderlink.services.node import Node
from borderlink.services.risk.targeting import latest_score

SOPS = (
    (
        "sps-food",
        "Sanitary and phytosanitary check of food",
        "# Food of animal or plant origin\n\n"
        "1. Check the health certificate against the consignment (number, seals, quantity).\n"
        "2. Check the temperature of chilled and frozen goods at the door of the container.\n"
        "3. Take a **sample** when the certificate or the goods raise a doubt; hold the goods.\n",
    ),
    (
        "any",
        "Health agency: every consignment",
        "Bring the certificates. The health officer signs the inspection order at the end.",
    ),
)


def _red_for_health(node: Node) -> str | None:
    """The newest red declaration with an open health referral: one of the last days' (left
    for a person to work) when there is one, else an older one the demo's border works."""
    offset, best = 0, None
    flt = referrals.ReferralFilter(agency=DEMO_AGENCY, status=ReferralStatus.OPEN)
    while True:
        page = referrals.list_referrals(node, DEMO, flt, limit=MAX_PAGE, offset=offset).items
        if not page:
            return None if best is None else best[1]
        for referral in page:
            score = latest_score(node, DEMO, referral.declaration_id)
            if score is not None and score.channel == "red":
                best = max(
                    best or (referral.declared_on, ""),
                    (referral.declared_on, referral.declaration_id),
                )
        offset += len(page)


def border_post(node: Node) -> dict[str, Any]:
    """Publish health's SOPs, plan one joint inspection with health, open one incident."""
    for referral_type, title, body in SOPS:
        draft = sops.SopDraft(
            agency=DEMO_AGENCY, referral_type=referral_type, title=title, body=body
        )
        sops.publish(node, DEMO, draft)
    planned = joint.list_joint(node, DEMO, limit=1).items
    found = planned[0] if planned else None  # planned once: a rerun leaves it as it is
    if found is None:
        declaration_id = _red_for_health(node)
        if declaration_id is None:
            return {"skipped": "no red declaration is referred to health", "planned": 0}
        now = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)
        plan = joint.JointPlan(
            scheduled_at=now,
            place="Inspection bay 2",
            agencies=(DEMO_AGENCY,),
            note="Joint customs and health inspection: one unloading, one sample.",
        )
        found = joint.plan_joint(node, DEMO, declaration_id, plan)
    declaration_id = found.declaration_id
    incident = incidents.open_incident(
        node,
        DEMO,
        {
            "what": "Refrigerated container arrived with its reefer unit switched off.",
            "where": "Inspection bay 2",
            "when": found.scheduled_at.isoformat(),
            "agencies": ["customs", DEMO_AGENCY],
            "declaration_id": declaration_id,
            "actions": ["container sealed", "health agency called"],
        },
        reference=f"DEMO-{declaration_id}",
    )
    return {
        "planned": 1,
        "joint_id": found.joint_id,
        "declaration_id": declaration_id,
        "agencies": found.agencies,
        "scheduled_at": found.scheduled_at.isoformat(),
        "status": found.status.value,
        "sops": len(SOPS),
        "incident": incident.reference,
    }
