"""The day on a demo node, in a real headless Chromium, in English and in French.

After ``borderlink demo`` (at a small size) an officer works a red declaration from the queue:
reads an explanation whose signs agree with the score, prints the inspection order, records a
structured report with a seizure and sees the dashboard change; an agency officer answers a
referral from its own page; an administrator unlocks a user who locked themselves out and
uploads a file, followed on its job's page. The same walk runs in each language (it finds its
way by addresses and ids, not by the words on the page), and one page is opened in Arabic,
right to left. JavaScript is off: the pages must work without it. Screenshots (and the printed
order as PDF) go to ``test-artifacts/day-<lang>-*``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from borderlink.demo.scenario import DemoOptions, run_demo
from borderlink.services import open_node
from borderlink.settings import Settings
from tests.factories import good
from tests.photo_samples import PNG
from tests.server.pages.test_browser import ARTIFACTS, CHROMIUM_ARGS, chromium, serving

if TYPE_CHECKING:
    from playwright.sync_api import Browser, FilePayload, Page

__all__ = ["chromium"]  # the fixture, shared with the other browser tests

pytestmark = pytest.mark.slow

WIDTH = 1280  # the window: an officer's laptop

SIGNED = re.compile("\\(([+\\-\u2212])\\d")  # a locale may write the minus sign as U+2212


@pytest.fixture
def day(tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """The demo's node, served by uvicorn on a free loopback port; the demo accounts' passwords.

    A fresh one for each walk (~6 s): each works the same red declaration of the officer's office.
    """
    settings = Settings(
        environment="test",
        data_dir=tmp_path,
        password_hashing="fast",
        node_name="Demo node",
    )
    report = run_demo(settings, DemoOptions(items=3_000, seed=11))
    passwords = next(step.details for step in report.steps if step.name == "accounts")
    node = open_node(settings)
    with serving(node) as base:
        yield base, passwords
    node.engine.dispose()


def _page(browser: Browser, base: str, lang: str) -> Page:
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": WIDTH, "height": 900}
    )
    context.add_cookies([{"name": "borderlink_lang", "value": lang, "url": base}])
    context.set_default_timeout(10_000)
    return context.new_page()


def _sign_in(page: Page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    assert "/login" not in page.url, page.inner_text("main")


def _number(text: str) -> int:
    """A count as the page shows it, in any locale's grouping (1,234 / 1 234 / 1.234)."""
    digits = re.sub(r"\D", "", text)
    assert digits, text
    return int(digits)


def _shot(page: Page, lang: str, name: str) -> None:
    """A full-page screenshot; as wide as the window, or the page scrolls sideways."""
    png = page.screenshot(path=ARTIFACTS / f"day-{lang}-{name}.png", full_page=True)
    width = int.from_bytes(png[16:20], "big")  # the PNG header's IHDR width
    assert width == WIDTH, f"{name}: the page is {width} px wide in a {WIDTH} px window"


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_day_on_a_demo_node(chromium: Path, day: tuple[str, dict[str, str]], lang: str) -> None:
    from playwright.sync_api import sync_playwright

    base, passwords = day
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            _officer_works_a_red_declaration(_page(browser, base, lang), base, passwords, lang)
            _analyst_writes_a_profile_and_promotes_a_model(
                _page(browser, base, lang), base, passwords, lang
            )
            _agency_answers_a_referral(_page(browser, base, lang), base, passwords, lang)
            _administrator_unlocks_a_user(browser, base, passwords, lang)
        finally:
            browser.close()


def _officer_works_a_red_declaration(
    page: Page, base: str, passwords: dict[str, str], lang: str
) -> None:
    _sign_in(page, base, "demo-officer", passwords["demo-officer"])
    assert page.locator("html").get_attribute("lang") == lang
    page.goto(f"{base}/dashboard")
    inspected = _number(page.inner_text("#fig-inspected"))
    clearance = page.locator("section.charts figure").nth(3).inner_html()  # held → released
    _shot(page, lang, "1-dashboard")
    page.goto(f"{base}/queue")
    reds = page.locator("tbody tr:has(.channel-red) a[href^='/declarations/']")
    assert reds.count() > 0, "the demo leaves red declarations waiting in the queue"
    _shot(page, lang, "2-queue")
    # a red selected by the rules or the model, not by the random sample: its reasons must argue
    href = None
    for i in range(reds.count()):
        row = page.locator("tbody tr:has(.channel-red)").nth(i)
        if row.locator("td:has(.channel-red) small").count() == 0:
            href = reds.nth(i).get_attribute("href")
            break
    assert href is not None, "every red in the queue is a random pick"
    page.goto(base + href)
    assert page.locator("#score .channel-red").count() == 1
    _explanation_agrees_with_the_score(page)
    if lang == "fr":  # codes in words, in the reader's language
        assert "mise en libre pratique" in page.inner_text("main")
    _shot(page, lang, "3-red-declaration")

    page.click(f"a[href='{href}/inspection-order']")
    assert href.rsplit("/", 1)[1] in page.inner_text("body")
    page.emulate_media(media="print")
    page.pdf(path=ARTIFACTS / f"day-{lang}-4-inspection-order.pdf")
    page.emulate_media(media="screen")
    _shot(page, lang, "4-inspection-order")

    page.goto(base + href)
    form = page.locator(f"form[action='{href}/inspection-report']")
    form.locator("input[name=method_physical]").check()
    form.locator("input[name=item1_as_declared][value=no]").check()
    form.locator("input[name=item1_found_description]").fill("cigarettes behind the declared goods")
    form.locator("input[name=item1_found_quantity]").fill("40")
    form.locator("input[name=item1_quantity_unit]").fill("kg")
    form.locator("input[name=item1_seized_quantity]").fill("40")
    form.locator("input[name=result][value=irregular]").check()
    form.locator("input[name=severity]").fill("3")
    form.locator("textarea[name=note]").fill("concealed in a false wall")
    photo: FilePayload = {"name": "false-wall.png", "mimeType": "image/png", "buffer": PNG}
    form.locator("input[name=photos]").set_input_files(files=[photo])
    form.locator("button[type=submit]").click()
    assert page.get_by_role("status").count() == 1
    # the photo's thumbnail loads (served as stored, under its own policy)
    assert page.locator("#photos img").evaluate("img => img.complete && img.naturalWidth") == 1
    findings = page.inner_text("#findings")
    assert "cigarettes behind the declared goods" in findings
    assert "40" in findings
    _shot(page, lang, "5-report-recorded")

    page.goto(f"{base}/dashboard")
    assert _number(page.inner_text("#fig-inspected")) == inspected + 1
    assert page.locator("svg.chart").count() >= 4
    # the red one was held and is released by its report: the clearance chart draws it
    assert page.locator("section.charts figure").nth(3).inner_html() != clearance
    _shot(page, lang, "6-dashboard-after")


def _explanation_agrees_with_the_score(page: Page) -> None:
    """Each list of reasons carries one sign, and a red the model chose has something raising it."""
    lists = page.locator("#reasons ul")
    signs: list[set[str]] = []
    for i in range(lists.count()):
        text = lists.nth(i).inner_text()
        found = {m.group(1).replace("\u2212", "-") for m in SIGNED.finditer(text)}
        if found:
            assert len(found) == 1, text
            signs.append(found)
    # what raised the score is listed before what lowered it, and a red the model chose has some
    assert signs, page.inner_text("#reasons")
    assert signs[0] == {"+"}, page.inner_text("#reasons")
    chart = page.locator("figure svg.contributions")
    if chart.count():
        inner = chart.inner_html()
        for internal in ("entity:", "unit_value", "uv_ratio"):
            assert internal not in inner


def _analyst_writes_a_profile_and_promotes_a_model(
    page: Page, base: str, passwords: dict[str, str], lang: str
) -> None:
    _sign_in(page, base, "demo-risk-analyst", passwords["demo-risk-analyst"])
    page.goto(f"{base}/profiles")
    name = f"cn-vehicles-{lang}"
    form = page.locator("form[action='/profiles']")
    form.locator("#p-name").fill(name)
    form.locator("#p-reason").fill("vehicle parts from CN: undervaluation seen this quarter")
    # what the analyst typed is what the error points at
    form.locator("#p-expr").fill('origin in ["CN"')
    form.locator("button[value=check]").click()
    assert "[" in page.inner_text("#problem")
    # a profile that hits everything is called out before it floods the queue
    page.locator("#p-expr").fill("value / 0 > 1")
    page.locator("button[value=check]").click()
    assert page.locator("#broad").count() == 1
    page.locator("#p-expr").fill('origin == "CN" and hs.chapter == "87"')
    page.locator("button[value=check]").click()
    assert page.locator("#broad").count() == 0
    assert page.locator("#sample a[href^='/declarations/']").count() > 0  # what it would hit
    _shot(page, lang, "11-profile-check")
    page.locator("button[value=save]").click()
    page.goto(f"{base}/profiles/{name}")
    page.locator("#p-expr").fill('origin == "CN" and hs.chapter == "87" and value > 1000')
    page.locator("#p-until").fill("2027-06-30")
    page.locator("button[value=save]").click()
    page.goto(f"{base}/profiles/{name}")
    assert page.locator("#versions tbody tr").count() == 2  # the edit is a new version
    assert "2027-06-30" in page.inner_text("#state")
    _shot(page, lang, "12-profile-versions")

    page.goto(f"{base}/models")
    before = page.locator("#compare thead th").count()
    page.locator("form[action='/models/train'] button").click()
    assert "/jobs/" in page.url  # the retrain runs in the background, followed on its page
    _until_the_job_ends(page)
    assert page.get_attribute("#state", "data-state") == "done", page.inner_text("main")
    _shot(page, lang, "13-retrain-job")
    page.locator("#summary a[href='/models']").click()
    assert page.locator("#compare thead th").count() == before + 1  # side by side with the others
    active = page.locator("#compare thead th:has(.active) code").inner_text()
    page.locator("form[action$='/promote'] button").last.click()
    page.goto(f"{base}/models")
    promoted = page.locator("#compare thead th:has(.active) code").inner_text()
    assert promoted != active
    _shot(page, lang, "13-models-compared")


def _until_the_job_ends(page: Page) -> None:
    """Read a job's page again until it stops refreshing (the job is done or failed)."""
    for _ in range(240):
        if page.get_attribute("#state", "data-state") in ("done", "failed"):
            return
        page.wait_for_timeout(250)
        page.reload()
    pytest.fail(f"the job did not end: {page.inner_text('main')}")


def _agency_answers_a_referral(page: Page, base: str, passwords: dict[str, str], lang: str) -> None:
    _sign_in(page, base, "demo-agency-officer", passwords["demo-agency-officer"])
    page.goto(f"{base}/referrals")
    links = page.locator("main a[href^='/referrals/']")
    assert links.count() > 0, "the demo leaves referrals open at the agency"
    assert page.locator("main form[action$='/answer']").count() == 0  # answered on its own page
    _shot(page, lang, "7-referrals")
    href = links.first.get_attribute("href")
    assert href is not None
    page.goto(base + href)
    form = page.locator(f"form[action='{href}/answer']")
    form.locator("input[name=status]").last.check()
    finding = f"certificate checked ({lang}); goods match the permit, lot 7"
    form.locator("textarea[name=finding]").fill(finding)
    form.locator("button[type=submit]").click()
    assert finding in page.inner_text("main")  # kept in full on the referral page
    _shot(page, lang, "8-referral-answered")


def _administrator_unlocks_a_user(
    browser: Browser, base: str, passwords: dict[str, str], lang: str
) -> None:
    who = "demo-auditor"
    locked_out = _page(browser, base, lang)
    for _ in range(5):
        locked_out.goto(f"{base}/login")
        locked_out.fill("#username", who)
        locked_out.fill("#password", "not the password")
        locked_out.click("button[type=submit]")
    locked_out.fill("#username", who)
    locked_out.fill("#password", passwords[who])
    locked_out.click("button[type=submit]")
    assert "/login" in locked_out.url  # locked: the right password is refused for now
    assert locked_out.get_by_role("alert").count() == 1
    _shot(locked_out, lang, "9-locked-out")

    admin = _page(browser, base, lang)
    _sign_in(admin, base, "demo-administrator", passwords["demo-administrator"])
    admin.goto(f"{base}/users")
    admin.locator(f"form[action='/users/{who}/unlock'] button").click()
    assert admin.get_by_role("status").count() == 1
    _shot(admin, lang, "10-user-unlocked")
    _administrator_uploads_a_file(admin, base, lang)

    _sign_in(locked_out, base, who, passwords[who])


def _administrator_uploads_a_file(admin: Page, base: str, lang: str) -> None:
    """An upload is a job: its page shows the progress, then what was accepted and rejected."""
    rows = [good(declaration_id=f"UP-{lang}-1"), good(declaration_id=f"UP-{lang}-2", value="1.2.3")]
    columns = list(rows[0])
    body = "\n".join([",".join(columns)] + [",".join(r[c] for c in columns) for r in rows]) + "\n"
    admin.goto(f"{base}/ingest")
    upload: FilePayload = {"name": "march.csv", "mimeType": "text/csv", "buffer": body.encode()}
    admin.set_input_files("#u-file", [upload])
    admin.locator("form[action='/ingest'] button[type=submit]").click()
    assert "/jobs/" in admin.url
    _until_the_job_ends(admin)
    assert admin.get_attribute("#state", "data-state") == "done", admin.inner_text("main")
    assert admin.locator("#summary a[href='/rejects']").count() == 1  # one row was refused
    assert admin.get_attribute("#progress", "value") == "2"
    _shot(admin, lang, "10-upload-job")
    admin.goto(f"{base}/jobs")
    assert admin.locator("#jobs a[href^='/jobs/']").count() == 1


def test_a_page_in_arabic_reads_right_to_left(
    chromium: Path, day: tuple[str, dict[str, str]]
) -> None:
    from playwright.sync_api import sync_playwright

    base, passwords = day
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            page = _page(browser, base, "ar")
            _sign_in(page, base, "demo-officer", passwords["demo-officer"])
            page.goto(f"{base}/queue")
            html = page.locator("html")
            assert html.get_attribute("lang") == "ar"
            assert html.get_attribute("dir") == "rtl"
            assert re.search("[\u0600-\u06ff]", page.inner_text("nav"))  # the menu is in Arabic
            # right to left for real: the menu's first entry starts at the right edge
            box = page.locator("nav a").first.bounding_box()
            assert box is not None
            assert box["x"] > WIDTH / 2
            _shot(page, "ar", "queue")
        finally:
            browser.close()
