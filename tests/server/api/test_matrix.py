"""The role x endpoint matrix: every cell is asserted, API (bearer tokens) and pages (sessions).

Legend: ``Y`` allowed (2xx, or 303 after a page form), ``-`` forbidden (403), ``4`` hidden
(404: another office's declaration, another person's background job), ``V`` allowed but the
request refused as invalid (400: past the role check, the use case found too little to train
on, no file uploaded), ``U`` unauthenticated (401 on the API, a redirect to the sign-in page for
pages). The ``anon`` column is a request without any credentials; the ``feed`` column is a
system's credential that may only submit declarations.
Scoring answers 404 past authorisation here: no model is trained in this fixture (the risk
tests score with one); what the rows check is who gets past the role check.
Training: exercises live on a training sandbox, so none is installed here (404 past the role
check); the withdrawn record is one recorded for the bystander per column.
Referrals: office A's declarations go to the agency officer's agency (``ref_health``), office
B's to the police (``ref_police``); only an officer of the agency answers (not even an
administrator), and an acknowledgement repeated changes nothing, so every column may try.
A token never changes its user's password (``/api/v1/auth/password`` is for sessions: a narrow
token must not turn into the whole account).
Partner endpoints (TAXII, ``/api/v1/exchange/*``) take a partner node's signature only: no user
token and no session gets past them (403), whatever the role.
The table is the specification; it is written out here, not derived from the policy. Each row is
dispatched like a request: the coverage tests fail when a route is no row's target (a new route
needs its row), or a row reaches no route, or a different one than the row names.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from fastapi import FastAPI
from fastapi.routing import RouteContext
from sqlalchemy import insert

from borderlink.coordination import JointPlan, SopDraft
from borderlink.model import Agreement, AgreementState, TrainingRecord, TrainingResult
from borderlink.server.deps import SESSION_COOKIE
from borderlink.server.openapi import api_routes
from borderlink.services import Node
from borderlink.services.accounts import audit_seal
from borderlink.services.accounts import users as accounts
from borderlink.services.accounts.access import Principal, Role
from borderlink.services.capacity import training
from borderlink.services.cooperation import agreements, partners
from borderlink.services.cooperation.partners import init_node
from borderlink.services.coordination import incidents, joint, sops
from borderlink.services.declarations import browse
from borderlink.services.risk import post_clearance as pca
from borderlink.store.jobs_tables import jobs as jobs_table
from tests.photo_samples import PNG
from tests.surfaces import (
    AGENCY,
    DAY,
    OFFICE_A,
    PARTNER_KEY,
    PASSWORD,
    Seeded,
    agreement_document,
    client,
    seed_agreement,
    seed_partner,
    seed_profile,
    seed_referrals,
    seed_scores,
)

ADMIN = Principal.system("test-admin")

COLUMNS = [
    "administrator",
    "risk_analyst",
    "officer",
    "liaison_officer",
    "agency_officer",
    "auditor",
    "feed",
    "anon",
]

API = """
GET    /api/v1/health                          Y Y Y Y Y Y Y Y
GET    /api/v1/auth/me                         Y Y Y Y Y Y Y U
GET    /api/v1/dashboard                       Y Y Y Y - - - U
GET    /api/v1/declarations                    Y Y Y Y - - - U
POST   /api/v1/declarations                    Y - - - - - Y U
GET    /api/v1/declarations/export             Y Y Y Y - - - U
GET    /api/v1/declarations/{own}              Y Y Y Y - - - U
GET    /api/v1/declarations/{other}            Y Y 4 Y - - - U
PUT    /api/v1/declarations/{own}/outcome      Y - Y - - - - U
PUT    /api/v1/declarations/{other}/outcome    Y - 4 - - - - U
GET    /api/v1/declarations/{own}/history      Y Y Y Y - - - U
GET    /api/v1/declarations/{other}/history    Y Y 4 Y - - - U
GET    /api/v1/declarations/{own}/as-sent      Y Y Y Y - - - U
GET    /api/v1/declarations/{other}/as-sent    Y Y 4 Y - - - U
POST   /api/v1/declarations/{own}/amendments   Y - - - - - Y U
GET    /api/v1/rejects                         Y Y - - - - - U
GET    /api/v1/rejects/1                       Y Y - - - - - U
POST   /api/v1/rejects/retry                   Y Y - - - - - U
POST   /api/v1/rejects/1/correct               Y Y - - - - - U
GET    /api/v1/audit                           Y - - - - Y - U
GET    /api/v1/audit/1/proof                   Y - - - - Y - U
GET    /api/v1/users                           Y - - - - - - U
POST   /api/v1/users                           Y - - - - - - U
POST   /api/v1/users/bystander/disable         Y - - - - - - U
GET    /api/v1/tokens                          Y Y Y Y Y Y - U
POST   /api/v1/tokens                          Y Y Y Y Y Y - U
DELETE /api/v1/tokens/{own_token}              Y Y Y Y Y Y - U
DELETE /api/v1/tokens/{bystander_token}        Y - - - - - - U
POST   /api/v1/users/bystander/enable          Y - - - - - - U
POST   /api/v1/users/bystander/unlock          Y - - - - - - U
POST   /api/v1/users/bystander/password        Y - - - - - - U
POST   /api/v1/users/bystander/tokens          Y - - - - - - U
POST   /api/v1/auth/password                   - - - - - - - U
GET    /api/v1/agreements                      Y - - Y - - - U
GET    /api/v1/agreements/{agreement}          Y - - Y - - - U
POST   /api/v1/agreements                      Y - - Y - - - U
POST   /api/v1/agreements/{agreement}/transition Y - - Y - - - U
GET    /api/v1/partners                        Y - - Y - - - U
POST   /api/v1/partners                        Y - - Y - - - U
DELETE /api/v1/partners/{partner}              Y - - Y - - - U
GET    /api/v1/sharing/inbox                   Y - - Y - - - U
GET    /api/v1/sharing/outbox                  Y - - Y - - - U
POST   /api/v1/risk/score/{own}                4 4 4 - - - - U
POST   /api/v1/risk/score/{other}              4 4 4 - - - - U
POST   /api/v1/risk/outcomes                   Y - Y - - - - U
GET    /api/v1/risk/queue                      Y Y Y Y - - - U
GET    /api/v1/risk/score/{own}                Y Y Y Y - - - U
GET    /api/v1/risk/profiles                   Y Y Y - - - - U
POST   /api/v1/risk/profiles                   Y Y - - - - - U
POST   /api/v1/risk/profiles/test              Y Y - - - - - U
POST   /api/v1/risk/profiles/{profile}/disable Y Y - - - - - U
GET    /api/v1/risk/models                     Y Y Y - - - - U
GET    /api/v1/watchlists                      Y Y Y - - - - U
GET    /api/v1/watchlists/SDN/entries          4 4 4 - - - - U
GET    /api/v1/watchlists/SDN/entries/1        4 4 4 - - - - U
GET    /api/v1/screening/hits                  Y Y - - - - - U
GET    /api/v1/screening/hits/1                4 4 - - - - - U
POST   /api/v1/screening/hits/1/decision       4 4 - - - - - U
GET    /api/v1/referrals                       Y Y Y - Y - - U
GET    /api/v1/referrals/clearance             Y Y Y - Y - - U
POST   /api/v1/referrals/route                 Y Y - - - - - U
GET    /api/v1/referrals/{ref_health}          Y Y Y - Y - - U
GET    /api/v1/referrals/{ref_police}          Y Y 4 - 4 - - U
POST   /api/v1/referrals/{ref_health}/answer   - - - - Y - - U
POST   /api/v1/referrals/{ref_police}/answer   - - - - 4 - - U
GET    /api/v1/agency-rules                    Y Y Y - Y - - U
GET    /api/v1/mras                            Y Y Y Y - - - U
POST   /api/v1/mras                            Y - - Y - - - U
POST   /api/v1/mras/MATRIX/mappings            Y - - Y - - - U
GET    /api/v1/trusted-traders                 Y Y Y - - - - U
GET    /api/v1/time-release?by=aeo             Y Y Y Y - - - U
GET    /api/v1/post-clearance/cases            Y Y - - - - - U
POST   /api/v1/post-clearance/cases            Y Y - - - - - U
GET    /api/v1/post-clearance/cases/{pca}      Y Y - - - - - U
POST   /api/v1/post-clearance/cases/{pca}/assign Y Y - - - - - U
POST   /api/v1/post-clearance/cases/{pca}/close Y Y - - - - - U
POST   /api/v1/agency-rules                    Y Y - - - - - U
GET    /api/v1/joint-inspections               Y Y Y - Y - - U
GET    /api/v1/joint-inspections/summary       Y Y Y - Y - - U
POST   /api/v1/joint-inspections               Y - Y - - - - U
GET    /api/v1/joint-inspections/{joint}       Y Y Y - Y - - U
POST   /api/v1/joint-inspections/{joint}/cancel Y - Y - - - - U
GET    /api/v1/incidents                       Y - Y - Y - - U
POST   /api/v1/incidents                       Y - Y - Y - - U
GET    /api/v1/incidents/{incident}            Y - Y - Y - - U
POST   /api/v1/incidents/{incident}/entries    Y - Y - Y - - U
POST   /api/v1/incidents/{incident}/seizure    Y - - Y - - - U
POST   /api/v1/incidents/{incident}/alert      Y - - Y - - - U
GET    /api/v1/sops                            Y Y Y - Y - - U
POST   /api/v1/sops                            Y - - - Y - - U
GET    /api/v1/sops/{sop}                      Y Y Y - Y - - U
PUT    /api/v1/inspections/capacity            Y - - - - - - U
PUT    /api/v1/inspections/{own}/assignment    Y - Y - - - - U
GET    /api/v1/inspections/{own}/assignment    Y Y Y Y - - - U
GET    /api/v1/inspections/{other}/assignment  Y Y 4 Y - - - U
PUT    /api/v1/inspections/{own}/report        Y - Y - - - - U
GET    /api/v1/inspections/{own}/report        Y Y Y Y - - - U
POST   /api/v1/inspections/{own}/photos        Y - Y - - - - U
GET    /api/v1/inspections/{own}/photos        Y Y Y Y - - - U
GET    /api/v1/inspections/{other}/photos      Y Y 4 Y - - - U
GET    /api/v1/inspections/{own}/photos/{sha}  4 4 4 4 - - - U
POST   /api/v1/inspections/{own}/seizure       Y - - Y - - - U
GET    /api/v1/training/records                Y Y Y Y Y Y - U
POST   /api/v1/training/records                Y - - - - - - U
POST   /api/v1/training/records/{training_record}/withdraw Y - - - - - - U
GET    /api/v1/certifications                  Y Y Y Y Y Y - U
GET    /api/v1/certifications/requirements     Y Y Y Y Y Y - U
POST   /api/v1/certifications/requirements     Y - - - - - - U
GET    /api/v1/training/exercises              Y Y Y Y Y Y - U
GET    /api/v1/training/exercises/none         4 4 4 4 4 4 - U
POST   /api/v1/training/exercises/none/attempts 4 4 4 4 4 4 - U
GET    /api/v1/assistance/requests             Y Y - Y - - - U
POST   /api/v1/assistance/requests             Y - - Y - - - U
GET    /api/v1/assistance/reminders            Y Y - Y - - - U
GET    /api/v1/assistance/figures              Y Y - Y - - - U
GET    /api/v1/assistance/requests/r1          4 4 - 4 - - - U
POST   /api/v1/assistance/requests/r1/send     4 - - 4 - - - U
POST   /api/v1/assistance/requests/r1/withdraw 4 - - 4 - - - U
POST   /api/v1/assistance/requests/r1/reply    4 - - 4 - - - U
GET    /api/v1/assistance/files/{sha}          4 4 - 4 - - - U
GET    /api/v1/operations                      Y Y - Y - - - U
POST   /api/v1/operations                      Y - - Y - - - U
POST   /api/v1/operations/o1/state             4 - - 4 - - - U
POST   /api/v1/operations/o1/reports           4 - - 4 - - - U
GET    /api/v1/operations/o1/dashboard         4 4 - 4 - - - U
GET    /api/v1/operations/o1/report.csv        4 4 - 4 - - - U
POST   /api/v1/auth/login                      Y Y Y Y Y Y Y U
POST   /api/v1/auth/logout                     Y Y Y Y Y Y Y U
GET    /taxii2/                                - - - - - - - U
GET    /taxii2/borderlink/                     - - - - - - - U
GET    /taxii2/borderlink/collections/         - - - - - - - U
GET    /taxii2/borderlink/collections/c1/      - - - - - - - U
GET    /taxii2/borderlink/collections/c1/objects/ - - - - - - - U
GET    /taxii2/borderlink/collections/c1/manifest/ - - - - - - - U
GET    /taxii2/borderlink/collections/c1/objects/o1/ - - - - - - - U
GET    /taxii2/borderlink/collections/c1/objects/o1/versions/ - - - - - - - U
GET    /taxii2/schemas/customs-records.json Y Y Y Y Y Y Y Y
GET    /api/v1/exchange/tree-head              - - - - - - - U
GET    /api/v1/exchange/consistency?first=0&second=0 - - - - - - - U
POST   /api/v1/exchange/notify                 - - - - - - - U
GET    /api/v1/exchange/keys                   - - - - - - - U
GET    /api/v1/exchange/proofs?record_id=r1    - - - - - - - U
GET    /api/v1/exchange/proofs/leaves/0        - - - - - - - U
"""

PAGES = """
GET    /dashboard                              Y Y Y Y - - - U
GET    /declarations                           Y Y Y Y - - - U
GET    /queue                                  Y Y Y Y - - - U
GET    /profiles                               Y Y Y - - - - U
POST   /profiles                               Y Y - - - - - U
GET    /profiles/{profile}                     Y Y Y - - - - U
POST   /profiles/{profile}/state               Y Y - - - - - U
GET    /models                                 Y Y Y - - - - U
POST   /models/train                           V V - - - - - U
POST   /models/rm-none/promote                 4 4 - - - - - U
GET    /ingest                                 Y - - - - - Y U
POST   /ingest                                 V - - - - - V U
GET    /jobs                                   Y Y Y Y Y Y Y U
GET    /jobs/{job}                             Y 4 4 4 4 4 4 U
GET    /declarations/{own}                     Y Y Y Y - - - U
GET    /declarations/{other}                   Y Y 4 Y - - - U
POST   /declarations/{own}/outcome             Y - Y - - - - U
GET    /rejects                                Y Y - - - - - U
GET    /rejects/1                              Y Y - - - - - U
POST   /rejects/1                              Y Y - - - - - U
POST   /rejects/retry                          Y Y - - - - - U
GET    /audit                                  Y - - - - Y - U
GET    /users                                  Y - - - - - - U
POST   /users                                  Y - - - - - - U
POST   /users/bystander/unlock                 Y - - - - - - U
GET    /account/password                       Y Y Y Y Y Y Y U
GET    /agreements                             Y - - Y - - - U
POST   /agreements/{page_agreement}/transition Y - - Y - - - U
GET    /partners                               Y - - Y - - - U
GET    /sharing                                Y - - Y - - - U
GET    /sharing/quarantine                     Y - - Y - - - U
POST   /sharing/quarantine/retry               Y - - Y - - - U
GET    /referrals                              Y Y Y - Y - - U
GET    /watchlists                             Y Y Y - - - - U
GET    /watchlists/SDN                         4 4 4 - - - - U
GET    /screening/hits                         Y Y - - - - - U
GET    /screening/hits/1                       4 4 - - - - - U
POST   /screening/hits/1/decision              4 4 - - - - - U
GET    /traders/IMP-1                          Y Y Y - - - - U
GET    /network?center=party:IMP-1             Y Y Y - - - - U
GET    /referrals/{ref_health}                 Y Y Y - Y - - U
GET    /referrals/{ref_police}                 Y Y 4 - 4 - - U
POST   /referrals/{ref_health}/answer          - - - - Y - - U
POST   /referrals/{ref_police}/answer          - - - - 4 - - U
GET    /joint-inspections                      Y Y Y - Y - - U
GET    /joint-inspections/{joint}              Y Y Y - Y - - U
POST   /declarations/{joint_decl}/joint-inspection Y - Y - - - - U
POST   /joint-inspections/{joint}/cancel       Y - Y - - - - U
GET    /sops                                   Y Y Y - Y - - U
GET    /sops/{sop}                             Y Y Y - Y - - U
POST   /sops                                   Y - - - Y - - U
GET    /incidents                              Y - Y - Y - - U
GET    /incidents/new                          Y - Y - Y - - U
POST   /incidents                              Y - Y - Y - - U
GET    /incidents/{incident}                   Y - Y - Y - - U
POST   /incidents/{incident}/entries           Y - Y - Y - - U
POST   /incidents/{incident}/seizure           Y - - Y - - - U
POST   /incidents/{incident}/alert             Y - - Y - - - U
GET    /declarations/{own}/inspection-order    Y Y Y Y - - - U
GET    /declarations/{other}/inspection-order  Y Y 4 Y - - - U
POST   /declarations/{own}/assignment          Y - Y - - - - U
POST   /declarations/{own2}/inspection-report  Y - Y - - - - U
GET    /declarations/{own}/inspection-photos/{sha} 4 4 4 4 - - - U
POST   /declarations/{own}/seizure             Y - - Y - - - U
GET    /portal?q=oranges                       Y Y Y Y Y Y Y Y
GET    /portal/goods?hs=080510&origin=MA       Y Y Y Y Y Y Y Y
GET    /training                               Y Y Y Y Y Y - U
GET    /training/exercises/none                4 4 4 4 4 4 - U
POST   /training/exercises/none                4 4 4 4 4 4 - U
GET    /assistance                             Y Y - Y - - - U
GET    /assistance/r1                          4 4 - 4 - - - U
POST   /assistance/r1/reply                    4 - - 4 - - - U
GET    /operations                             Y Y - Y - - - U
GET    /operations/o1                          4 4 - 4 - - - U
POST   /account/password                       Y Y Y Y Y Y Y U
"""


PROFILE = {
    "name": "cheap",
    "expression": 'hs.chapter == "85" and origin in ["CN"]',
    "weight": 0.3,
    "reason": "electronics from CN",
}
PAGE_PROFILE = {k: str(v) for k, v in PROFILE.items()} | {"action": "check"}
JOINT = {"scheduled_at": "2026-12-03T09:00:00Z", "place": "bay 1", "agencies": [AGENCY]}
INCIDENT = {"what": "ivory behind a false wall", "where": "bay 3", "when": "2026-12-02T09:30"}
REPORT = {
    "methods": ["physical"],
    "findings": [{"item_no": 1, "as_declared": False, "seized_quantity": 3}],
    "illicit": True,
    "severity": 2,
}
PAGE_BORDER_POST = {  # the border post's forms: a joint plan, an incident, an SOP, an assignment
    "scheduled_at": "2026-12-03T09:00",
    "place": "bay 1",
    f"agency:{AGENCY}": "yes",
    "method_physical": "yes",
    "result": "compliant",
    "officer": "officer-1",
    "day": "2026-12-03",
    "agency": AGENCY,
    "title": "Food",
    "body": "Check the seals",
} | INCIDENT
USERS = {n: f"{column}-1" for n, column in enumerate(COLUMNS) if column != "anon"}


def _table(text: str) -> list[tuple[str, str, list[str]]]:
    rows = []
    for line in text.strip().splitlines():
        method, path, *cells = line.split()
        assert len(cells) == len(COLUMNS), line
        rows.append((method, path, cells))
    return rows


def _outcome(status: int, location: str | None, page: bool) -> str:
    if status in (200, 201, 204) or (page and status == 303 and "/login" not in (location or "")):
        return "Y"
    if status == 403:
        return "-"
    if status == 404:
        return "4"
    if status == 400:
        return "V"
    if status == 401 or (page and status == 303 and "/login" in (location or "")):
        return "U"
    return str(status)


def _a_field_of_reject_1(node: Node) -> tuple[str, str]:
    key, value = next(iter(browse.get_reject(node, ADMIN, 1).raw.items()))
    return key, "" if value is None else str(value)


def _body(method: str, path: str, n: int, node: Node) -> dict[str, Any]:  # noqa: C901  a flat table: one branch per endpoint with a body
    if path.endswith("/outcome"):
        return {"json": {"illicit": False, "severity": 0}}
    if path.endswith("/amendments"):  # the same reason each time: nothing else changes
        return {"json": {"reason": "matrix"}}
    if method == "POST" and path == "/api/v1/users":
        return {"json": {"username": f"new-{n}", "password": PASSWORD, "role": "auditor"}}
    if method == "POST" and path == "/api/v1/declarations":
        return {"json": [{"id": f"S-{n}", "date": "2026-11-20", "items": [{"hs_code": "851713"}]}]}
    if path == "/api/v1/rejects/1/correct":  # a value as it was: the record stays rejected
        return {"json": {"changes": dict([_a_field_of_reject_1(node)]), "reason": "matrix"}}
    if method == "POST" and path == "/api/v1/rejects/retry":
        return {"json": {}}
    if method == "POST" and path == "/api/v1/agreements":
        return {"json": agreement_document(node, f"NEW-{n}")}
    if path.endswith("/transition"):
        return {"json": {"to": "signed", "reason": "signed in Geneva"}}
    if method == "POST" and path == "/api/v1/partners":
        return {
            "json": {
                "partner_id": f"node-p{n}",
                "name": "Partner",
                "public_key": PARTNER_KEY,
                "base_url": "http://127.0.0.1:9",
            }
        }
    if path in ("/api/v1/risk/profiles", "/api/v1/risk/profiles/test"):
        return {"json": PROFILE | {"name": f"p-{n}"}}
    if path == "/api/v1/risk/outcomes":
        return {"json": {"declaration_id": f"D-{OFFICE_A}-0", "illicit": False}}
    if path.startswith("/api/v1/referrals/") and path.endswith("/answer"):
        return {"json": {"status": "acknowledged", "finding": "seen"}}
    if path == "/api/v1/referrals/route":
        return {"json": {"since": "2026-11-01"}}
    if method == "POST" and path == "/api/v1/agency-rules":
        rule = {"agency": "police", "condition": 'origin == "CN"', "reason": "from CN"}
        return {"json": [rule | {"name": f"rule-{n}"}]}
    if method == "POST" and path == "/api/v1/mras":  # the same terms each time
        mra = {"mra_id": "MATRIX", "title": "matrix programme", "programmes": ["AEOF"]}
        return {"json": mra | {"partner": node.settings.node_id, "benefits": {}}}
    if path == "/api/v1/mras/MATRIX/mappings":
        return {"json": [{"partner_trader_id": "AT1", "local_trader_id": "BD1"}]}
    if method == "POST" and path == "/api/v1/post-clearance/cases":  # the same case each time
        return {
            "json": {"trader_id": "IMP-1", "period_from": "2026-11-01", "period_until": str(DAY)}
        }
    if path.startswith("/api/v1/post-clearance/") and path.endswith("/assign"):
        return {"json": {"auditor": "risk_analyst-1"}}
    if path.startswith("/api/v1/post-clearance/") and path.endswith("/close"):
        return {"json": {"result": "compliant", "findings": "in order"}}
    if path == "/api/v1/auth/login":  # anon: someone without an account
        return {"json": {"username": USERS.get(n, "nobody"), "password": PASSWORD}}
    if path == "/api/v1/users/bystander/password":
        return {"json": {"password": PASSWORD + "-reset"}}
    if path == "/api/v1/users/bystander/tokens":
        return {"json": {"name": f"issued-{n}", "reason": "an integration", "days": 1}}
    if path == "/api/v1/auth/password":  # a token never changes its user's password
        return {"json": {"current_password": PASSWORD, "new_password": PASSWORD + "-new"}}
    if method == "POST" and path == "/api/v1/tokens":
        return {"json": {"name": f"matrix-{n}", "days": 1}}
    if path.endswith("/decision"):  # a screening hit's (none is seeded: not found)
        return {"json": {"decision": "dismiss", "reason": "matrix"}}
    if path == "/api/v1/exchange/notify":
        return {"json": {"token": "not-a-notice"}}
    return _border_post_body(method, path, n, node)


def _border_post_body(method: str, path: str, n: int, node: Node) -> dict[str, Any]:
    """The border post's bodies: the same plan and report each time (idempotent), a new
    incident per column (each role opens its own), the agency officer's own agency's SOP."""
    if method == "POST" and path == "/api/v1/joint-inspections":
        return {"json": JOINT | {"declaration_id": f"D-{OFFICE_A}-2"}}
    if path.endswith("/cancel"):
        return {"json": {"reason": "matrix"}}
    if method == "POST" and path == "/api/v1/incidents":
        return {"json": {"reference": f"M-INC-{n}", "fields": INCIDENT}}
    if path.endswith("/entries"):
        return {"json": {"entry_key": f"k{n}", "fields": {"actions": ["detained"]}}}
    if path.startswith("/api/v1/incidents/") and path.endswith("/alert"):
        return {"json": {"title": "Ivory", "days": 30}}
    if method == "POST" and path == "/api/v1/sops":
        return {"json": {"agency": AGENCY, "title": "Food", "body": "Check the seals"}}
    if path == "/api/v1/inspections/capacity":
        return {"json": {"office_id": OFFICE_A, "per_day": 100}}
    if path.endswith("/assignment"):
        return {"json": {"officer": "officer-1", "day": "2026-12-03"}}
    if path.endswith("/report"):
        return {"json": REPORT}
    if method == "POST" and path.endswith("/photos"):  # the same photo: stored once
        return {"files": {"photos": ("bay.png", PNG, "image/png")}}
    return _training_body(method, path, n, node)


def _training_body(method: str, path: str, n: int, node: Node) -> dict[str, Any]:
    if method == "POST" and path == "/api/v1/training/records":
        course = {"course": f"matrix-{n}", "completed_on": "2026-11-01", "result": "passed"}
        return {"json": {"username": "bystander"} | course}
    if path.endswith("/withdraw"):
        return {"json": {"reason": "matrix"}}
    if path == "/api/v1/certifications/requirements":
        wanted = {"action": "nii-result", "certification": "nii-image-analysis"}
        return {"json": [wanted | {"reason": "scanner images"}]}
    if path.endswith("/attempts"):
        return {"json": {"answer": "D-1"}}
    return _assistance_body(method, path, n, node)


def _operation_body(node: Node, n: int) -> dict[str, Any]:
    """An operation under a new agreement in force for joint operations with node-b (the node
    signs what it issues: it needs its key)."""
    if not node.settings.node_key_path.exists():
        partners.init_node(node, ADMIN)
    agreement_id = f"OPS-{n}"
    document = agreement_document(node, agreement_id) | {
        "categories": ["operation", "operation-report"],
        "purposes": ["joint-operation"],
    }
    agreements.add_agreement(node, ADMIN, Agreement.model_validate(document))
    for to in ("signed", "ratified", "in_force"):
        agreements.transition_agreement(node, ADMIN, agreement_id, AgreementState(to))
    return {
        "code": f"OP-{n}",
        "name": "Matrix",
        "purpose": "who may coordinate",
        "agreement_ids": [agreement_id],
        "participants": [node.settings.node_id, "node-b"],
        "starts_on": "2026-01-01",
        "ends_on": "2036-01-01",
    }


def _assistance_body(method: str, path: str, n: int, node: Node) -> dict[str, Any]:
    if method == "POST" and path == "/api/v1/assistance/requests":
        agreement_id = f"MAA-{n}"
        document = agreement_document(node, agreement_id) | {
            "categories": ["assistance-request", "assistance-reply"],
            "purposes": ["assistance"],
        }
        agreements.add_agreement(node, ADMIN, Agreement.model_validate(document))
        for to in ("signed", "ratified", "in_force"):
            agreements.transition_agreement(node, ADMIN, agreement_id, AgreementState(to))
        request = {"reference": f"M-{n}", "requested": "node-b", "agreement_id": agreement_id}
        return {"json": request | {"measure": "inquiry", "title": "Who is behind T-1?"}}
    if method == "POST" and path == "/api/v1/operations":
        return {"json": _operation_body(node, n)}
    if path == "/api/v1/operations/o1/state":
        return {"json": {"to": "active"}}
    if path == "/api/v1/operations/o1/reports":
        return {"json": {"day": "2026-11-20"}}
    if path.endswith("/withdraw"):
        return {"json": {"reason": "matrix"}}
    if path == "/api/v1/assistance/requests/r1/reply":
        return {"json": {"state": "acknowledged"}}
    return {}


def _seed_border_post(seeded: Seeded) -> dict[str, Any]:
    """A red, referred declaration with its joint inspection, an incident at office A, an SOP;
    the node's identity (issuing seizure reports and alerts signs them)."""
    node = seeded.node
    init_node(node, ADMIN)
    seed_scores(node, {seeded.office_a[2]: "red"})
    plan = JointPlan.model_validate(JOINT)
    made = joint.plan_joint(node, ADMIN, seeded.office_a[2], plan)
    officer = Principal(user_id=1, username="officer-1", role=Role.OFFICER, office_id=OFFICE_A)
    incident = incidents.open_incident(node, officer, INCIDENT, reference="M-SEED")
    sops.publish(node, ADMIN, SopDraft(agency=AGENCY, title="Any", body="Seals"))
    return {
        "joint": made.joint_id,
        "joint_decl": seeded.office_a[2],
        "incident": incident.incident_id,
        "sop": f"{AGENCY}/any",
        "own2": seeded.office_a[1],
    }


def _seed_job(node: Node, actor: str) -> str:
    """A finished background job of ``actor``'s (an upload's), as the job pages read it."""
    now = dt.datetime.now(dt.UTC)
    with node.transaction() as conn:
        conn.execute(
            insert(jobs_table).values(
                job_id="job-1",
                kind="ingest",
                actor=actor,
                state="done",
                done=1,
                total=1,
                unit="rows",
                title="march.csv",
                result={
                    "source": "march.csv",
                    "rows": 1,
                    "accepted": 1,
                    "rejected": 0,
                    "duplicates": 0,
                },
                created_at=now,
                started_at=now,
                finished_at=now,
            )
        )
    return "job-1"


async def _walk(app: FastAPI, seeded: Seeded) -> list[str]:
    node = seeded.node
    referral_ids = seed_referrals(seeded)
    accounts.add_user(
        node, ADMIN, username="bystander", password=PASSWORD, role="officer", office_id="OFA"
    )
    bystander_token = accounts.issue_token(
        node, ADMIN, username="bystander", name="victim", reason="test"
    ).info.token_id
    audit_seal.seal(node)  # chains audit entry 1 (the proof row asks for it)
    border_post = _seed_border_post(seeded)
    seed_scores(node, {seeded.office_b[2]: "blue"})  # what a post-clearance case audits
    case = pca.case_id("IMP-1", dt.date(2026, 11, 1), DAY)
    job = _seed_job(node, "bystander")  # an officer's job: an administrator may read it too
    problems: list[str] = []
    for n, column in enumerate(COLUMNS):
        role = None if column == "anon" else Role(column)
        values = {
            "own": seeded.office_a[0],
            "other": seeded.office_b[0],
            "bystander_token": bystander_token,
            "agreement": seed_agreement(node, f"AG-{n}"),
            "profile": seed_profile(node, f"SP-{n}"),
            "page_agreement": seed_agreement(node, f"PG-{n}"),
            "partner": seed_partner(node, f"node-q{n}"),
            "ref_health": referral_ids["health"],
            "ref_police": referral_ids["police"],
            **border_post,
            "pca": case,
            "job": job,
            "training_record": training.record_training(
                node,
                ADMIN,
                TrainingRecord(
                    username="bystander",
                    course=f"seeded-{n}",
                    completed_on=dt.date(2026, 11, 1),
                    result=TrainingResult.PASSED,
                ),
            ).record.record_id,
            "sha": "0" * 64,
            "own_token": accounts.issue_token(
                node, ADMIN, username=seeded.users[role], name="spare", reason="test"
            ).info.token_id
            if role
            else "none",
        }
        # API: through the role's API token.
        async with client(app, seeded.tokens[role] if role else None) as api:
            for method, template, cells in _table(API):
                path = template.format(**values)
                response = await api.request(method, path, **_body(method, path, n, node))
                got = _outcome(response.status_code, response.headers.get("location"), page=False)
                if got != cells[n]:
                    problems.append(f"{column:16} {method} {template}: want {cells[n]}, got {got}")
                if got in "-4U" and response.status_code != 500:
                    taxii = path.startswith("/taxii2/")  # TAXII error messages
                    keys = {"title", "description", "error_code", "http_status"}
                    assert set(response.json()) == (keys if taxii else {"error", "detail", "field"})
        # Pages: through a browser session (cookie + CSRF token in forms).
        async with client(app) as browser:
            csrf = ""
            if role:
                opened = accounts.open_session(
                    node, accounts.authenticate(node, seeded.users[role], PASSWORD)
                )
                browser.cookies.set(SESSION_COOKIE, opened.token)
                csrf = opened.csrf_token
            for method, template, cells in _table(PAGES):
                path = template.format(**values)
                data = {"csrf_token": csrf, "illicit": "no", "to": "signed"} | PAGE_PROFILE
                data |= {"status": "acknowledged"}  # a referral's answer
                data |= {"username": f"page-new-{n}", "password": PASSWORD, "role": "auditor"}
                key, value = _a_field_of_reject_1(node)
                data |= {f"f:{key}": value}  # a rejected record's field, corrected to itself
                data |= PAGE_BORDER_POST
                data |= {"answer": "D-1"}  # an exercise's
                data |= {"decision": "dismiss", "reason": "matrix"}  # a screening hit's
                # Changing one's password (the last row: the role's password changes for good).
                data |= {"current_password": PASSWORD, "new_password": PASSWORD + "-changed"}
                response = await browser.request(
                    method, path, data=data if method == "POST" else None
                )
                got = _outcome(response.status_code, response.headers.get("location"), page=True)
                if got != cells[n]:
                    problems.append(
                        f"{column:16} page {method} {template}: want {cells[n]}, got {got}"
                    )
    return problems


def test_every_role_endpoint_cell(app: FastAPI, seeded: Seeded) -> None:
    problems = asyncio.run(_walk(app, seeded))
    assert not problems, "\n".join(problems)


# What stands in for each placeholder when a row is dispatched (any value of the right shape).
SAMPLE = dict.fromkeys(
    ["own", "other", "own_token", "bystander_token", "agreement", "page_agreement", "partner"],
    "x",
) | {"profile": "x", "ref_health": "1", "ref_police": "2", "pca": "PCA:X:2026-01-01:2026-01-02"}
SAMPLE |= {"joint": "1", "joint_decl": "x", "incident": "1", "sop": "a/b", "own2": "x"}
SAMPLE |= {"training_record": "1"}
SAMPLE |= {"sha": "0" * 64}
SAMPLE |= {"job": "x"}
SKIPPED = ("/api/v1/openapi.json", "/api/v1/docs", "/static")  # the framework's own


def _target(app: FastAPI, method: str, template: str) -> RouteContext | None:
    """The route a request for this row reaches: the first that matches, as the router picks."""
    path = template.format(**SAMPLE).split("?")[0]
    for route in api_routes(app):
        if method in (route.methods or set()) and route.path_regex.match(path):
            return route
    return None


def _path(route: RouteContext) -> str:
    assert route.path is not None, route  # an API route always has one
    return route.path


def _endpoints(app: FastAPI, public: tuple[str, ...] = ()) -> set[tuple[str, str]]:
    return {
        (method, _path(route))
        for route in api_routes(app)
        if _path(route) not in public and not _path(route).startswith(SKIPPED)
        for method in (route.methods or set()) - {"HEAD", "OPTIONS"}
    }


def _coverage(app: FastAPI, table: str) -> tuple[set[tuple[str, str]], list[str]]:
    reached, stray = set(), []
    for method, template, _ in _table(table):
        route = _target(app, method, template)
        if route is None:
            stray.append(f"{method} {template}")
        else:
            reached.add((method, _path(route)))
    return reached, stray


def test_the_matrix_covers_every_api_route(app: FastAPI) -> None:
    """A new endpoint (in any router, TAXII's and the exchange's too) must get its row."""
    api = {(m, p) for m, p in _endpoints(app) if p.startswith(("/api/", "/taxii2/"))}
    reached, stray = _coverage(app, API)
    assert len(api) > 50
    assert not stray, f"rows that reach no route: {stray}"
    assert not api - reached, f"routes without a row in the matrix: {sorted(api - reached)}"
    assert reached <= api, f"API rows reaching pages: {sorted(reached - api)}"


def test_the_matrix_covers_every_page_that_needs_a_session(app: FastAPI) -> None:
    public = ("/", "/login", "/logout", "/language")  # /language: the switcher, anyone
    pages = {(m, p) for m, p in _endpoints(app, public) if not p.startswith(("/api/", "/taxii2/"))}
    reached, stray = _coverage(app, PAGES)
    assert len(pages) > 15
    assert not stray, f"rows that reach no page: {stray}"
    assert not pages - reached, f"pages without a row in the matrix: {sorted(pages - reached)}"
    assert reached <= pages, f"page rows reaching the API: {sorted(reached - pages)}"


def test_the_coverage_check_tells_a_new_route(app: FastAPI) -> None:
    @app.get("/api/v1/declarations/{declaration_id}/lineage")
    async def lineage(declaration_id: str) -> None: ...

    reached, _ = _coverage(app, API)
    assert ("GET", "/api/v1/declarations/{declaration_id}/lineage") not in reached
    assert ("GET", "/api/v1/declarations/{declaration_id}") in reached
