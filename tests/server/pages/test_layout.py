"""The frame every page shares and the officer's pages in people's words: a menu grouped into
sections, wide tables scrolling in their box, codes as labels, figures as the language writes
them, French and Arabic."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import httpx
from fastapi import FastAPI

from borderlink.server.deps import SESSION_COOKIE
from borderlink.server.pages import i18n
from borderlink.server.pages.common import TEMPLATES
from borderlink.services.accounts import users as accounts
from tests.surfaces import PASSWORD, Seeded, client, seed_referrals


def _pages(
    seeded: Seeded, app: FastAPI, username: str, paths: list[str], lang: str = "en"
) -> list[httpx.Response]:
    opened = accounts.open_session(
        seeded.node, accounts.authenticate(seeded.node, username, PASSWORD)
    )

    async def go() -> list[httpx.Response]:
        async with client(app) as c:
            c.cookies.set(SESSION_COOKIE, opened.token)
            c.cookies.set(i18n.COOKIE, lang)
            return [await c.get(path) for path in paths]

    return asyncio.run(go())


def _top_level_items(page: str) -> list[str]:
    """The menu's items as a person first sees them: entries and the sections' names."""
    menu = page[page.index('<ul class="menu">') : page.index("</nav>")]
    menu = re.sub(r"</summary>.*?</details>", "</summary></details>", menu, flags=re.S)
    return [
        a or b
        for a, b in re.findall(
            r'<li><(?:a href="[^"]+"[^>]*>([^<]+)</a>'
            r'|details class="section"><summary[^>]*>([^<]+))',
            menu,
        )
    ]


def test_the_administrators_menu_is_a_few_sections(app: FastAPI, seeded: Seeded) -> None:
    (page,) = _pages(seeded, app, "administrator-1", ["/agreements"])
    items = _top_level_items(page.text)
    assert len(items) <= 8, items  # about 20 entries, grouped: fits one line at 1280 px
    assert items[:3] == ["Dashboard", "Targeting queue", "Declarations"]
    assert {"Risk", "Border post", "Cooperation", "Administration"} <= set(items)
    # The section holding the page shown is marked as current.
    assert re.search(r'<summary class="current">Cooperation</summary>', page.text)
    assert 'href="/agreements" aria-current="page"' in page.text


def test_a_section_with_one_entry_for_a_role_shows_as_that_entry(
    app: FastAPI, seeded: Seeded
) -> None:
    (page,) = _pages(seeded, app, "liaison_officer-1", ["/training"])
    items = _top_level_items(page.text)
    assert "Training" in items
    assert "Administration" not in items
    assert "Cooperation" in items


def test_the_queue_scrolls_inside_its_box_and_content_uses_the_screen(
    app: FastAPI, seeded: Seeded
) -> None:
    (page,) = _pages(seeded, app, "officer-1", ["/queue"])
    assert '<div class="table-scroll"><table id="queue">' in page.text
    text = (Path(i18n.__file__).parent / "static" / "site.css").read_text(encoding="utf-8")
    assert ".table-scroll { overflow-x: auto" in text
    assert not re.search(r"main \{[^}]*max-width", text)


def test_the_referral_page_names_codes_and_reads_in_french(app: FastAPI, seeded: Seeded) -> None:
    ids = seed_referrals(seeded)
    english, french = (
        _pages(seeded, app, "agency_officer-1", [f"/referrals/{ids['health']}"], lang)[0]
        for lang in ("en", "fr")
    )
    assert "Transport mode" in english.text
    assert "(mode " not in english.text  # the code is named, not shown bare
    assert "→ ?" not in english.text
    assert ">?<" not in english.text
    assert "Pourquoi elle a été renvoyée" in french.text
    assert "Envoyer la réponse" in french.text
    assert "Why it was referred" not in french.text


def test_queue_and_dashboard_in_french_and_arabic(app: FastAPI, seeded: Seeded) -> None:
    queue, board = _pages(seeded, app, "officer-1", ["/queue", "/dashboard"], "fr")
    assert "File de ciblage" in queue.text or "Rien à contrôler." in queue.text
    assert "en attente de contrôle" in queue.text
    assert "Déclarations du jour" in board.text or "Pas encore de déclaration." in board.text
    (arabic,) = _pages(seeded, app, "officer-1", ["/queue"], "ar")
    assert '<html lang="ar" dir="rtl">' in arabic.text
    assert "المسار" in arabic.text  # the channel column


def test_numbers_follow_the_language() -> None:
    template = TEMPLATES.env.from_string(
        "{{ 1234567.5|number(1) }} {{ 603.0|number(3) }} {{ none|number }}"
    )
    assert template.render(lang="en") == "1,234,567.5 603 \u2013"
    assert template.render(lang="fr") == "1\u202f234\u202f567,5 603 \u2013"


def test_an_error_page_says_what_to_do_in_french(app: FastAPI, seeded: Seeded) -> None:
    (page,) = _pages(seeded, app, "officer-1", ["/referrals/999999"], "fr")
    assert page.status_code == 404
    assert "Introuvable" in page.text
    assert "Que faire :" in page.text
    assert "cherchez-le dans les listes" in page.text
