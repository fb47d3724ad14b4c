"""The blue lane over the store (SQLite and PostgreSQL): the model and profiles send blue, and
post-clearance audit cases group, assign, close and feed learning."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from borderlink import risk
from borderlink.errors import Conflict, InvalidInput, PermissionDenied
from borderlink.services import Node
from borderlink.services.accounts import users as accounts
from borderlink.services.accounts.access import Principal, Role
from borderlink.services.risk import models
from borderlink.services.risk import post_clearance as pca
from borderlink.services.risk import score as scoring
from borderlink.services.risk._store import read_items, settled_among
from borderlink.store.risk_tables import scores
from borderlink.store.tables import audit_log, outcomes
from tests.risk import synthetic
from tests.risk.synthetic import store
from tests.surfaces import DAY, Seeded, seed, seed_scores

TESTER = Principal.system("tester")
SMALL = risk.ModelConfig(rounds=30, threads=1, validation_months=1)


def _as(seeded: Seeded, role: Role) -> Principal:
    return accounts.token_principal(seeded.node, seeded.tokens[role])


def test_the_model_sends_its_share_blue_from_what_green_would_release(node: Node) -> None:
    history = synthetic.declarations(1500, seed=11, start=dt.date(2020, 1, 1), days=120)
    store(node.engine, history)
    models.train(node, TESTER, config=SMALL)
    blue = Node(node.settings.model_copy(update={"risk_blue_share": 0.1}), node.engine)
    new = synthetic.declarations(300, seed=13, start=dt.date(2020, 5, 4), days=1)
    store(node.engine, new, with_outcomes=False)
    summary = scoring.score_batch(blue, TESTER, since=dt.date(2020, 5, 1), seed=1)
    assert summary.channels["blue"] == 30
    assert summary.channels["red"] + summary.channels["yellow"] == 45  # untouched: 5% + 10%
    with node.engine.connect() as conn:
        found = conn.execute(select(scores).where(scores.c.channel == "blue")).all()
    assert all(r.reasons[-1]["source"] == "blue" for r in found)
    assert settled_among(node, [r.declaration_id for r in found]) == {
        r.declaration_id for r in found
    }  # released: never referred again


def test_a_case_groups_assigns_closes_and_feeds_learning(node: Node) -> None:
    seeded = seed(node)
    a0, a1, a2 = seeded.office_a
    b0, _, _ = seeded.office_b
    seed_scores(seeded.node, {a0: "blue", a2: "blue", b0: "blue", a1: "red"})
    analyst = _as(seeded, Role.RISK_ANALYST)
    since = DAY - dt.timedelta(days=30)
    case = pca.open_case(seeded.node, analyst, "IMP-1", since, DAY)
    assert case.declarations == sorted([a0, a2, b0])
    assert pca.open_case(seeded.node, analyst, "imp-1", since, DAY) == case  # the same case
    with pytest.raises(InvalidInput):  # all of them are in a case already
        pca.open_case(seeded.node, analyst, "IMP-1", since, DAY + dt.timedelta(days=1))
    with pytest.raises(PermissionDenied):
        pca.open_case(seeded.node, _as(seeded, Role.OFFICER), "IMP-1", since, DAY)
    with pytest.raises(InvalidInput) as err:
        pca.assign_case(seeded.node, analyst, case.case_id, "auditor-1")  # reads the log only
    assert err.value.field == "auditor"
    assigned = pca.assign_case(seeded.node, analyst, case.case_id, "risk_analyst-1")
    assert (assigned.status, assigned.auditor) == ("assigned", "risk_analyst-1")
    body = pca.CaseClose(
        result="irregular",
        findings="undervalued by 40% against the sales contracts",
        revenue_recovered=1250.0,
        irregular=[a2],
    )
    closed = pca.close_case(seeded.node, analyst, case.case_id, body)
    assert (closed.status, closed.result, closed.revenue_recovered) == ("closed", "irregular", 1250)
    with node.engine.connect() as conn:
        found = {r.declaration_id: r for r in conn.execute(select(outcomes))}
        actions = list(conn.execute(select(audit_log.c.action)).scalars())
    assert {d: found[d].illicit for d in case.declarations} == {a0: False, a2: True, b0: False}
    assert {found[d].source for d in case.declarations} == {"post-clearance"}
    assert {"pca.open", "pca.assign", "pca.close"} <= set(actions)
    labelled = read_items(node, labelled_only=True)["declaration_id"].to_list()
    assert set(case.declarations) <= set(labelled)  # learning takes them as inspections
    assert pca.close_case(seeded.node, analyst, case.case_id, body) == closed  # the same again
    with pytest.raises(Conflict):
        pca.close_case(
            seeded.node,
            analyst,
            case.case_id,
            body.model_copy(update={"result": "compliant", "irregular": []}),
        )
    with pytest.raises(InvalidInput):
        pca.close_case(
            seeded.node, analyst, case.case_id, body.model_copy(update={"irregular": [a1]})
        )
    assert [c.case_id for c in pca.list_cases(seeded.node, analyst, status="closed")] == [
        case.case_id
    ]
