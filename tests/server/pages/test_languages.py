"""The pages speak the officer's language: French complete, Arabic right to left, the choice
remembered, the browser's preference used when no choice was made."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import httpx
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from fastapi import FastAPI

from borderlink.model import messages
from borderlink.server.pages import i18n
from tests.surfaces import PASSWORD, Seeded, client

LOCALES = Path(i18n.__file__).parent / "locales"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "NavEntry": (1,)}


def _texts() -> set[str]:
    """Every text the pages mark for translation, extracted as the catalogue's tools do."""
    method_map = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
    options = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    found = extract_from_dir(
        str(Path(i18n.__file__).parent),
        method_map=method_map,
        options_map=options,
        keywords=KEYWORDS,
    )
    # the sentences the engine builds (a score's reasons, a chart's labels), said by the pages
    engine = extract_from_dir(
        str(Path(messages.__file__).parent),
        method_map=[("messages.py", "python")],
        keywords={"N_": None},
    )
    return {m[2] if isinstance(m[2], str) else m[2][0] for m in [*found, *engine]}


def test_every_text_of_the_pages_has_a_french_translation() -> None:
    with (LOCALES / "fr" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po)
    translated = {
        (m.id if isinstance(m.id, str) else m.id[0])
        for m in catalog
        if m.id and (m.string if isinstance(m.string, str) else all(m.string or ()))
    }
    texts = _texts()
    assert len(texts) > 100  # the extraction saw the templates
    assert not sorted(texts - translated)


def _get(
    app: FastAPI, path: str, headers: dict[str, str] | None = None, lang: str | None = None
) -> httpx.Response:
    async def go() -> httpx.Response:
        async with client(app) as c:
            if lang:
                c.cookies.set(i18n.COOKIE, lang)
            return await c.get(path, headers=headers)

    return asyncio.run(go())


def test_the_browsers_language_is_used_when_none_was_chosen(app: FastAPI) -> None:
    french = _get(app, "/login", headers={"accept-language": "de-CH, fr-CA;q=0.8, en;q=0.5"})
    assert '<html lang="fr" dir="ltr">' in french.text
    assert "Se connecter" in french.text
    assert "Nom d&#39;utilisateur" in french.text
    english = _get(app, "/login", headers={"accept-language": "de, *;q=0.1"})
    assert '<html lang="en" dir="ltr">' in english.text
    assert "Sign in" in english.text


def test_arabic_pages_run_right_to_left(app: FastAPI) -> None:
    page = _get(app, "/login", lang="ar")
    assert '<html lang="ar" dir="rtl">' in page.text
    assert "تسجيل الدخول" in page.text


def test_the_switcher_remembers_the_choice_and_goes_back(app: FastAPI) -> None:
    async def go() -> list[httpx.Response]:
        async with client(app) as c:
            chose = await c.get("/language", params={"lang": "fr", "next": "/login?next=/queue"})
            after = await c.get("/login")
            elsewhere = await c.get("/language", params={"lang": "xx", "next": "//evil.example"})
            return [chose, after, elsewhere]

    chose, after, elsewhere = asyncio.run(go())
    assert chose.status_code == 303
    assert chose.headers["location"] == "/login?next=/queue"
    assert "Se connecter" in after.text
    assert elsewhere.headers["location"] == "/"  # never a redirect off the site
    assert i18n.COOKIE not in elsewhere.headers.get("set-cookie", "")


def test_a_signed_in_page_in_french_translates_the_menu_and_the_role(
    app: FastAPI, seeded: Seeded
) -> None:
    async def go() -> httpx.Response:
        async with client(app) as c:
            c.cookies.set(i18n.COOKIE, "fr")
            signed = await c.post(
                "/login", data={"username": "auditor-1", "password": PASSWORD, "next": "/audit"}
            )
            assert signed.status_code == 303
            return await c.get("/audit")

    page = asyncio.run(go())
    assert page.status_code == 200
    assert "Journal d&#39;audit" in page.text
    assert "(auditeur)" in page.text
    assert re.search(r"\d+ entrées?, (la|les) plus récentes?", page.text)


def test_the_labels_of_codes_have_french_translations() -> None:
    """Transport modes and procedures are shown in words: each word is in the catalogue."""
    from borderlink.model import labels

    with (LOCALES / "fr" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po)
    words = {*labels.TRANSPORT_MODES.values(), *labels.PROCEDURES.values()}
    words |= {w for w in labels.PREVIOUS.values() if w}
    translated = {m.id for m in catalog if m.id and m.string}
    missing = sorted(words - translated)
    assert not missing
    french = labels.procedure("4071", i18n.translations("fr").gettext)
    assert (
        french
        == "mise en libre pratique et mise à la consommation en sortie d'entrepôt douanier (4071)"
    )
