"""In a real headless Chromium (Debian's, driven by Playwright) against a real uvicorn server.

Signs in, opens the targeting queue and a declaration in it, records an outcome, sees the
dashboard change and the queue empty, then checks the audit log holds what the browser did.
JavaScript is off: the pages must work without it. Screenshots go to ``test-artifacts/``.
Skips without ``/usr/bin/chromium`` unless ``BORDERLINK_REQUIRE_SERVICES=1``.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from borderlink.demo.scenario import DemoOptions, run_demo
from borderlink.server import create_app
from borderlink.services import Node, open_node
from borderlink.services.accounts import users as accounts
from borderlink.services.accounts.access import Role
from borderlink.services.declarations import browse
from borderlink.settings import Settings
from tests.surfaces import PASSWORD, Seeded, seed, seed_scores

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serving(node: Node) -> Iterator[str]:
    """The node's app served by uvicorn on a free loopback port, in a thread; its base URL."""
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(node.settings, node=node),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            lifespan="off",
            timeout_graceful_shutdown=1,
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def chromium() -> Path:
    if not CHROMIUM.exists():
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if Settings().require_services:
            pytest.fail(message + " (BORDERLINK_REQUIRE_SERVICES=1)")
        pytest.skip(message)
    return CHROMIUM


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Seeded]]:
    """A SQLite node on disk with a user per role, served by uvicorn on a free loopback port."""
    node = open_node(
        Settings(
            environment="test", data_dir=tmp_path, password_hashing="fast", node_name="Test node"
        )
    )
    seeded = seed(node)
    seed_scores(seeded.node, {seeded.office_a[0]: "red", seeded.office_a[2]: "green"})
    with serving(seeded.node) as base:
        yield base, seeded
    node.engine.dispose()


def test_officer_signs_in_records_an_outcome_and_sees_the_dashboard_change(
    chromium: Path, served: tuple[str, Seeded]
) -> None:
    from playwright.sync_api import sync_playwright

    base, seeded = served
    target = seeded.office_a[0]
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(java_script_enabled=False).new_page()
            # Not signed in: the dashboard sends us to the sign-in page.
            page.goto(f"{base}/dashboard")
            assert "/login" in page.url
            page.fill("#username", seeded.users[Role.OFFICER])
            page.fill("#password", "wrong password")
            page.click("button[type=submit]")
            assert page.get_by_role("alert").is_visible()
            page.fill("#username", seeded.users[Role.OFFICER])
            page.fill("#password", PASSWORD)
            page.click("button[type=submit]")
            assert page.url == f"{base}/dashboard"
            before = int(page.inner_text("#fig-inspected"))
            # channels, flow, hit rate and release per channel (the green one was released when
            # scored); nothing held released yet: the clearance chart says so
            assert page.locator("svg.chart").count() == 4
            assert "No data yet" in page.inner_text("main")
            page.screenshot(path=ARTIFACTS / "browser-1-dashboard.png", full_page=True)

            page.click("nav >> text=Declarations")
            assert page.locator("tbody tr").count() == len(seeded.office_a)  # own office only

            page.click("nav >> text=Targeting queue")
            assert page.locator("h1").inner_text() == "Targeting queue"
            assert page.locator("tbody tr").count() == 1  # the red one of the latest day
            assert "unit value at 8% of the usual" in page.inner_text("tbody")
            page.screenshot(path=ARTIFACTS / "browser-2-queue.png", full_page=True)
            page.click(f"tbody >> text={target}")
            assert page.locator("h1").inner_text() == f"Declaration {target}"
            assert page.locator("text=Acme Imports Ltd").count() == 2  # importer and declarant
            assert page.inner_text("#outcome") == "Not inspected yet."
            assert page.inner_text("#score").startswith("Channel red")
            assert not page.is_visible("input[name=illicit]")  # the report is the one form open
            page.click("#quick-outcome summary")
            page.check("input[name=illicit][value=yes]")
            page.fill("#severity", "3")
            page.fill("#revenue", "250")
            page.fill("#note", "undervalued, invoice found")
            page.click("text=Record outcome")
            assert page.get_by_role("status").inner_text() == "Outcome recorded."
            assert page.inner_text("#outcome").startswith("Illicit, severity 3")
            assert "outcome.record by officer-1: undervalued" in page.inner_text("#history")
            page.screenshot(path=ARTIFACTS / "browser-3-declaration.png", full_page=True)

            page.click("nav >> text=Dashboard")
            assert int(page.inner_text("#fig-inspected")) == before + 1
            # released: a clearance time, and a lodging-to-release time (the time release view)
            assert page.locator("svg.chart").count() == 5
            page.click("nav >> text=Targeting queue")
            assert "Nothing to inspect" in page.inner_text("tbody")  # it left the queue
            page.screenshot(path=ARTIFACTS / "browser-4-dashboard-after.png", full_page=True)
            page.click("text=Sign out")
            assert "/login" in page.url
        finally:
            browser.close()

    _audited_what_the_browser_did(seeded, target)


def _audited_what_the_browser_did(seeded: Seeded, target: str) -> None:
    auditor = accounts.token_principal(seeded.node, seeded.tokens[Role.AUDITOR])
    entries = browse.list_audit(seeded.node, auditor, actor=seeded.users[Role.OFFICER], limit=50)
    # The first two: the seed signed in and made the officer's own token (tests.surfaces).
    actions = [(e.action, e.object_id) for e in reversed(entries.items)][2:]
    assert actions[0] == ("auth.login_failed", seeded.users[Role.OFFICER])
    assert ("auth.login", seeded.users[Role.OFFICER]) in actions
    assert ("declaration.read", target) in actions
    assert ("outcome.record", target) in actions
    assert actions[-1] == ("auth.logout", seeded.users[Role.OFFICER])


@pytest.fixture
def demo_served(tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """The demo's node (its scenario at a small size), served by uvicorn; the demo accounts."""
    settings = Settings(
        environment="test", data_dir=tmp_path, password_hashing="fast", node_name="Demo node"
    )
    report = run_demo(settings, DemoOptions(items=3_000, seed=7))
    passwords = next(step.details for step in report.steps if step.name == "accounts")
    node = open_node(settings)
    with serving(node) as base:
        yield base, passwords
    node.engine.dispose()


@pytest.mark.slow
def test_after_the_demo_the_officer_has_a_queue_and_explanations_that_hold(
    chromium: Path, demo_served: tuple[str, dict[str, str]]
) -> None:
    from playwright.sync_api import sync_playwright

    base, passwords = demo_served
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
            page.click("nav >> text=Targeting queue")
            rows = page.locator("tbody tr")
            assert rows.count() > 0
            assert "Nothing to inspect" not in page.inner_text("tbody")
            page.screenshot(path=ARTIFACTS / "demo-1-queue.png", full_page=True)
            # a red of the officer's office (inspected or not: the list keeps it findable)
            page.click("nav >> text=Declarations")
            page.select_option("select[name=channel]", "red")
            page.click("text=Filter")
            assert page.locator("tbody .channel-red").count() > 0
            page.screenshot(path=ARTIFACTS / "demo-2-declarations-red.png", full_page=True)
            page.locator("tbody tr").first.locator("a").click()
            assert page.inner_text("#score").startswith("Channel red")
            reasons = page.inner_text("#reasons")
            for internal in ("unit_value", "entity:", "te_", "uv_ratio"):
                assert internal not in reasons
            figure = page.locator("figure svg.contributions")
            assert figure.count() == 1
            chart = figure.inner_html()
            assert "raised the risk" in chart
            assert "entity:" not in chart
            assert "unit_value" not in chart
            page.screenshot(path=ARTIFACTS / "demo-3-red-declaration.png", full_page=True)
        finally:
            browser.close()


def test_a_visitor_uses_the_trade_portal_without_signing_in_and_sees_no_party(
    chromium: Path, served: tuple[str, Seeded]
) -> None:
    from playwright.sync_api import sync_playwright

    from borderlink.coordination import AgencyRule
    from borderlink.services.accounts.access import Principal
    from borderlink.services.cooperation import aeo
    from borderlink.services.coordination import agency_rules

    base, seeded = served
    system = Principal.system("test")
    rule = AgencyRule(
        name="citrus",
        agency="plant-health",
        condition='hs.chapter == "08" and origin == "MA"',
        reason="citrus fruit: phytosanitary certificate checked",
    )
    agency_rules.save_rules(seeded.node, system, [rule])
    ids = seeded.office_a + seeded.office_b
    scored = {seeded.office_a[0], seeded.office_a[2]}  # red and green already (``served``)
    seed_scores(seeded.node, dict.fromkeys([d for d in ids if d not in scored], "green"))
    programme = {
        "mra_id": "NATIONAL",
        "title": "national AEO programme",
        "partner": seeded.node.settings.node_id,
        "programmes": ["AEOF"],
        "benefits": {"risk_weight": 0.5, "document_checks": 0.5},
        "how_to_apply": "Send the self-assessment questionnaire to the AEO desk.",
    }
    aeo.put_mra(seeded.node, system, programme)
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(java_script_enabled=False).new_page()
            page.goto(f"{base}/portal")
            assert "/login" not in page.url
            page.fill("#q", "oranges")
            page.click("text=Search the HS nomenclature")
            assert "080510" in page.inner_text("#hits")
            page.screenshot(path=ARTIFACTS / "portal-1-search.png", full_page=True)
            page.fill("#hs", "080510")
            page.fill("#origin", "MA")
            page.click("text=What applies")
            assert page.locator("h1").inner_text() == "HS 080510 from Morocco"
            assert "plant-health" in page.inner_text("#agency-list")
            assert page.locator("#release-times tbody tr").count() == 2  # green, all
            assert "national AEO programme" in page.inner_text("#mra-list")
            assert page.locator("nav").count() == 0  # no one's menu: nobody is signed in
            text = page.content()
            for secret in ("IMP-1", "EXP-1", "Acme Imports", "Zeta Trading", *ids):
                assert secret not in text
            page.screenshot(path=ARTIFACTS / "portal-2-goods.png", full_page=True)
        finally:
            browser.close()
