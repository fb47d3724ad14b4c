"""The demo use case: a node full of synthetic declarations, twice without doubling anything."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select

from borderlink.demo import BREAKAGES
from borderlink.demo.scenario import (
    FLOW_FROM,
    STEPS,
    DemoContext,
    DemoOptions,
    StepResult,
    run_demo,
    stage_totals,
)
from borderlink.errors import InvalidInput
from borderlink.model.referral import ReferralStatus
from borderlink.services import Node
from borderlink.services.accounts.demo import DEMO
from borderlink.services.coordination.clearance import clearance_trend
from borderlink.services.coordination.referrals import ReferralFilter, list_referrals
from borderlink.services.declarations.read import MAX_PAGE
from borderlink.services.risk.targeting import queue
from borderlink.settings import Settings
from borderlink.store.coordination_tables import referrals
from borderlink.store.tables import declarations, exchange_rates, outcomes

SMALL = DemoOptions(items=300, seed=5)


def test_the_demo_fills_the_node_and_a_second_run_adds_nothing(node: Node) -> None:
    first = run_demo(node.settings, SMALL)
    steps = {step.name: step.details for step in first.steps}
    generated = steps["generate"]
    assert generated["goods_items"] == 300
    assert Path(generated["file"]).is_file()
    assert Path(generated["file"]).parent == Path(node.settings.data_dir) / "demo"
    ingested = steps["ingest"]["declarations"]
    assert ingested["accepted"] == 300
    assert ingested["rejected"] == 0
    broken = steps["ingest"]["broken"]
    assert broken["rejected"] == len(BREAKAGES)
    assert broken["accepted"] + broken["rejected"] + broken["duplicates"] == broken["rows"]
    totals = first.totals
    assert totals["goods_items"] == 300 + broken["accepted"]
    assert totals["declarations"] > 100
    assert totals["open_rejects"] == len(BREAKAGES)
    assert totals["offices"] > 3
    assert totals["inspected_illicit"] > 0
    assert totals["first_date"] < totals["last_date"]
    assert steps["rates"]["rates"] > 5
    assert any("rejects list" in command for command, _ in first.next_steps)

    second = run_demo(node.settings, SMALL)
    again = {step.name: step.details for step in second.steps}
    assert second.totals == totals
    assert again["ingest"]["declarations"]["duplicates"] == 300
    assert again["ingest"]["declarations"]["accepted"] == 0
    assert again["rates"]["rates"] == steps["rates"]["rates"]
    with node.engine.connect() as conn:
        rates = conn.execute(select(func.count()).select_from(exchange_rates)).scalar_one()
        illicit = conn.execute(
            select(func.count()).select_from(outcomes).where(outcomes.c.illicit.is_(True))
        ).scalar_one()
    assert rates == steps["rates"]["rates"]  # loaded once, not twice
    assert illicit == totals["inspected_illicit"]
    referred = steps["referrals"]
    assert referred["rules"] == 6
    assert referred["demo_agency"] == "health"
    assert referred["referred"] == sum(referred["agencies"].values())
    assert again["referrals"]["referred"] == 0  # referred once, not twice
    with node.engine.connect() as conn:
        stored = conn.execute(select(func.count()).select_from(referrals)).scalar_one()
    assert stored == referred["referred"]


def test_reset_starts_over(node: Node) -> None:
    run_demo(node.settings, SMALL)
    smaller = run_demo(node.settings, DemoOptions(items=120, seed=6, reset=True))
    steps = {step.name: step.details for step in smaller.steps}
    assert smaller.totals["goods_items"] == 120 + steps["ingest"]["broken"]["accepted"]
    assert steps["rates"]["rates"] > 0


def test_later_capabilities_append_their_own_step(settings: Settings) -> None:
    seen: list[DemoContext] = []

    def extra(ctx: DemoContext) -> StepResult:
        seen.append(ctx)
        return StepResult("extra", "An appended step", {"files": sorted(ctx.files)})

    report = run_demo(settings, DemoOptions(items=50), steps=[*STEPS, extra])
    assert [step.name for step in report.steps] == [
        "generate",
        "rates",
        "ingest",
        "risk",
        "referrals",
        "joint_inspections",
        "work",
        "accounts",
        "extra",
    ]
    assert report.steps[-1].details == {"files": ["broken", "declarations"]}
    assert seen[0].refdata is not None
    assert seen[0].refdata.rates


def test_progress_is_reported_per_stage(settings: Settings) -> None:
    seen: dict[str, int] = {}

    def progress(stage: str, rows: int) -> None:
        seen[stage] = seen.get(stage, 0) + rows

    options = DemoOptions(items=80)
    run_demo(settings, options, progress=progress)
    assert seen == stage_totals(options)


def test_bad_options_are_refused(settings: Settings) -> None:
    with pytest.raises(InvalidInput):
        run_demo(settings, DemoOptions(items=0))
    with pytest.raises(InvalidInput, match="reporting currency"):
        run_demo(settings.model_copy(update={"reporting_currency": "XXX"}), SMALL)


def test_the_demo_leaves_work_waiting(node: Node) -> None:
    """After the demo a person has work: red and yellow in the queue, referrals open at the
    agencies; the history's inspected declarations carry outcomes, the rest none; the flow's
    older days were inspected and released, so the clearance figures are real."""
    report = run_demo(node.settings, DemoOptions(items=2_000, seed=7))
    steps = {step.name: step.details for step in report.steps}
    assert "skipped" not in steps["risk"], steps["risk"]
    work = steps["work"]
    assert work["inspected"] > 0
    waiting = queue(node, DEMO, limit=MAX_PAGE)
    assert waiting.total > 0
    assert {entry.channel for entry in waiting.items} <= {"red", "yellow"}
    waiting_from = dt.date.fromisoformat(work["waiting_from"])
    generated = [e for e in waiting.items if e.declaration_id.startswith("SYN7-")]
    assert generated  # (the broken file's few are left to a person whatever their day)
    assert all(e.declared_on >= waiting_from for e in generated)
    open_ones = list_referrals(node, DEMO, ReferralFilter(status=ReferralStatus.OPEN))
    assert open_ones.total > 0
    assert sum(work["referrals_answered"].values()) > 0
    same = outcomes.c.declaration_id == declarations.c.declaration_id  # no FK between them
    with node.engine.connect() as conn:
        history = conn.execute(
            select(func.count(), func.count(outcomes.c.declaration_id))
            .select_from(declarations.outerjoin(outcomes, same))
            .where(declarations.c.declared_on < FLOW_FROM)
        ).one()
        flow_labels = conn.execute(
            select(func.count())
            .select_from(declarations.join(outcomes, same))
            .where(declarations.c.declared_on >= FLOW_FROM, outcomes.c.source != "officer")
        ).scalar_one()
    assert 0 < history[1] < history[0] / 2  # inspected ones only: most were never inspected
    assert flow_labels == 0  # the flow's outcomes are the officers', none from the file
    days = clearance_trend(
        node, DEMO, since=FLOW_FROM, until=dt.date.fromisoformat(report.totals["last_date"])
    )
    assert sum(d.released for d in days) > 0
    assert any(d.p50_hours is not None for d in days)
    again = {
        step.name: step.details for step in run_demo(node.settings, DemoOptions(2_000, 7)).steps
    }
    assert again["work"]["inspected"] == 0  # nothing inspected twice
