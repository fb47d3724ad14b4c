"""In headless Chromium: the analyst goes from the hits work list to the trader page (with
JavaScript off: tables only), then opens the network view with JavaScript on and sees the
vendored Cytoscape.js draw it under the page's own script policy. Screenshots go to
``test-artifacts/``."""

from __future__ import annotations

from pathlib import Path

from borderlink.services.accounts.access import Role
from borderlink.services.screening import linking
from tests.server.api.test_screening_api import seed_hits
from tests.server.pages.test_browser import ARTIFACTS, CHROMIUM_ARGS, chromium, served
from tests.surfaces import ADMIN, PASSWORD, Seeded

__all__ = ["chromium", "served"]  # the fixtures, shared with the other browser test


def test_hits_to_trader_to_network(chromium: Path, served: tuple[str, Seeded]) -> None:
    from playwright.sync_api import ConsoleMessage, sync_playwright

    base, seeded = served
    seed_hits(seeded)
    linking.link_traders(seeded.node, ADMIN)
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            for script in (False, True):
                context = browser.new_context(java_script_enabled=script)
                page = context.new_page()
                errors: list[ConsoleMessage] = []

                def keep(message: ConsoleMessage, into: list[ConsoleMessage] = errors) -> None:
                    into.append(message)

                page.on("console", keep)
                page.goto(f"{base}/login")
                page.fill("#username", seeded.users[Role.RISK_ANALYST])
                page.fill("#password", PASSWORD)
                page.click("button[type=submit]")
                # the menu's sections open as a person opens them (no script: <details>)
                page.click("nav details:has(a[href='/screening/hits']) summary")
                page.click("nav >> text=Screening hits")
                assert "SDN 501" in page.inner_text("#hits")
                page.click("#hits >> text=IMP-1")
                assert page.locator("h1").inner_text() == "Trader IMP-1 · Acme Imports Ltd"
                assert page.inner_text("#fig-declarations") == "6"
                if not script:
                    page.screenshot(path=ARTIFACTS / "browser-traders-1-trader.png", full_page=True)
                page.click("text=Network view around this trader")
                assert "EXP-1" in page.inner_text("#network-nodes")
                if script:
                    page.wait_for_selector("#graph[data-drawn]", timeout=10_000)
                    assert page.get_attribute("#graph", "data-drawn") == str(
                        page.locator("#network-nodes tbody tr").count()
                    )
                    assert page.locator("#graph canvas").count() >= 1
                    refused = [m.text for m in errors if m.type == "error"]
                    assert not refused, refused  # nothing refused by the page's policy
                    page.screenshot(
                        path=ARTIFACTS / "browser-traders-3-network.png", full_page=True
                    )
                else:
                    assert page.locator("#graph").is_hidden()
                    page.screenshot(
                        path=ARTIFACTS / "browser-traders-2-network-no-js.png", full_page=True
                    )
                context.close()
        finally:
            browser.close()
