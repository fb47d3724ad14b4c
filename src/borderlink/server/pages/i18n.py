"""The pages' languages: gettext catalogues (Babel ``.po`` files under ``locales/``), the
language a request is answered in, and its writing direction.

A person picks a language with the switcher in every page's header (remembered in a cookie);
otherwise their browser's ``Accept-Language`` decides among the languages the node has, then the
node's ``default_language``. Offers :func:`language_of`, :func:`translations`, :data:`LANGUAGES`.
"""

from __future__ import annotations

import functools
import gettext
import io
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from starlette.requests import Request

LOCALES = Path(__file__).parent / "locales"
COOKIE = "borderlink_lang"


class Language(NamedTuple):
    name: str  # in the language itself, as the switcher shows it
    direction: str  # ltr or rtl


# English is the source text; the others have a catalogue each.
LANGUAGES = MappingProxyType(
    {
        "en": Language("English", "ltr"),
        "fr": Language("Français", "ltr"),
        "ar": Language("العربية", "rtl"),
    }
)


def N_(message: str) -> str:  # noqa: N802  gettext's name for "marked for translation, later"
    """Marks a text for the catalogue where it is declared (a nav label); translated when shown."""
    return message


# Texts shown from data, declared here so that the catalogue has them: the roles' names.
ROLE_NAMES = (
    N_("administrator"),
    N_("risk analyst"),
    N_("officer"),
    N_("liaison officer"),
    N_("agency officer"),
    N_("auditor"),
    N_("feed"),
)
# The referrals' statuses and the channels, shown from their codes.
STATUS_NAMES = (
    N_("open"),
    N_("acknowledged"),
    N_("cleared"),
    N_("held"),
    N_("rejected"),
    N_("red"),
    N_("yellow"),
    N_("green"),
    N_("blue"),
    # borderlink.model.labels: transport modes (UN/ECE Recommendation 19).
    N_("not stated"),
    N_("unknown"),
    N_("sea"),
    N_("rail"),
    N_("road"),
    N_("air"),
    N_("post"),
    N_("multimodal"),
    N_("fixed installation (pipeline, cable)"),
    N_("inland waterway"),
    N_("other (own propulsion)"),
)
# Other codes a page shows in words: party roles, what selected a declaration, a joint
# inspection's state, a goods item's flags.
CODE_NAMES = (
    N_("importer"),
    N_("exporter"),
    N_("declarant"),
    N_("carrier"),
    N_("profile"),
    N_("risk"),
    N_("random"),
    N_("none"),
    N_("planned"),
    N_("in progress"),
    N_("done"),
    N_("cancelled"),
    N_("hs older edition"),
    N_("hs no correlation"),
    N_("all agencies"),  # borderlink.coordination.clearance.OVERALL
)


@functools.cache
def translations(code: str) -> gettext.NullTranslations:
    """The catalogue of ``code`` (compiled from its ``.po`` once per process); English and any
    language without a catalogue show the source text."""
    po = LOCALES / code / "LC_MESSAGES" / "messages.po"
    if code == "en" or not po.is_file():
        return gettext.NullTranslations()
    with po.open("rb") as source:
        catalog = read_po(source, locale=code)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def _accepted(header: str) -> list[str]:
    """The language codes of an Accept-Language header, most wanted first."""
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and quality > 0:
            weighted.append((-quality, position, tag.strip()))
    return [tag for _, _, tag in sorted(weighted)]


def _known(tag: str) -> str | None:
    try:
        code = Locale.parse(tag.replace("-", "_")).language
    except (ValueError, UnknownLocaleError):
        return None
    return code if code in LANGUAGES else None


def language_of(request: Request, default: str) -> str:
    """The language to answer ``request`` in: the person's choice, their browser's, the node's."""
    chosen = request.cookies.get(COOKIE, "")
    if chosen in LANGUAGES:
        return chosen
    for tag in _accepted(request.headers.get("accept-language", "")):
        if tag == "*":
            break
        if code := _known(tag):
            return code
    return default if default in LANGUAGES else "en"
