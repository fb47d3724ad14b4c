"""In headless Chromium against a served training sandbox: an officer signs in, opens an
exercise, answers it, sees the score against the planted truth, and finds it in their training
record. JavaScript is off. Screenshots go to ``test-artifacts/``; skips without Chromium as
``test_browser.py`` does."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from borderlink.demo.training import build_sandbox
from borderlink.services import open_node
from borderlink.settings import Settings
from borderlink.store.accounts_tables import users
from borderlink.store.capacity_tables import exercises, planted_patterns
from borderlink.store.tables import declarations
from tests.server.pages.test_browser import ARTIFACTS, CHROMIUM_ARGS, serving
from tests.server.pages.test_browser import chromium as chromium  # the fixture

Served = tuple[str, dict[str, str], list[str]]


@pytest.fixture
def sandbox_served(tmp_path: Path) -> Iterator[Served]:
    """A small training sandbox served by uvicorn; the demo passwords; one exercise's truth."""
    settings = Settings(
        environment="test", data_dir=tmp_path, password_hashing="fast", node_name="Training"
    )
    box = build_sandbox(settings, items=10_000, seed=5)
    passwords = next(step.details for step in box.report.steps if step.name == "accounts")
    node = open_node(settings)
    with node.read() as conn:
        window = conn.execute(
            select(exercises.c.window_from, exercises.c.window_to).where(
                exercises.c.name == "find-undervalued"
            )
        ).one()
        office = conn.execute(
            select(users.c.office_id).where(users.c.username == "demo-officer")
        ).scalar_one()
        # What the officer can find: the planted ones of their own office.
        truth = list(
            conn.execute(
                select(planted_patterns.c.declaration_id)
                .join(
                    declarations,
                    declarations.c.declaration_id == planted_patterns.c.declaration_id,
                )
                .where(
                    planted_patterns.c.pattern == "undervaluation",
                    planted_patterns.c.declared_on.between(window.window_from, window.window_to),
                    declarations.c.office_id == office,
                )
            ).scalars()
        )
    with serving(node) as base:
        yield base, passwords, truth
    node.engine.dispose()


@pytest.mark.slow
def test_an_exercise_is_scored_end_to_end_in_the_browser(
    chromium: Path, sandbox_served: Served
) -> None:
    from playwright.sync_api import sync_playwright

    base, passwords, truth = sandbox_served
    assert len(truth) >= 4
    # Three quarters of the planted ones and two that are not: precision and recall below 1.
    answer = [*truth[: len(truth) * 3 // 4], "NOT-PLANTED-1", "NOT-PLANTED-2"]
    found = len(truth) * 3 // 4
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(
                java_script_enabled=False, viewport={"width": 1280, "height": 900}
            ).new_page()
            page.goto(f"{base}/login")
            page.fill("#username", "demo-officer")
            page.fill("#password", passwords["demo-officer"])
            page.click("button[type=submit]")
            page.click("nav >> text=Training")
            assert page.locator("h1").inner_text() == "Training and certifications"
            assert "No training recorded yet." in page.inner_text("#my-record")
            page.click("#exercises >> text=Find the undervalued consignments")
            assert "valuation check" in page.inner_text("#instructions")
            page.screenshot(path=ARTIFACTS / "training-1-exercise.png", full_page=True)
            page.fill("#answer", "\n".join(answer))
            page.click("text=Submit for marking")
            score = page.get_by_role("status").inner_text()
            assert f"{found} of the {len(truth)} planted ones" in score
            assert f"You named {len(answer)} declarations" in score
            assert score.startswith("Score:")
            assert "passed" in score
            page.screenshot(path=ARTIFACTS / "training-2-scored.png", full_page=True)
            assert page.locator("#attempts tbody tr").count() == 1
            page.click("text=training record")
            record = page.inner_text("#my-record")
            assert "Find the undervalued consignments" in record
            assert f"{found} of {len(truth)} found, {len(answer)} named" in record
            page.screenshot(path=ARTIFACTS / "training-3-record.png", full_page=True)
        finally:
            browser.close()
