"""What every page shares: templates, the signed-in principal, CSRF checks on forms."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Annotated, Any, TypeVar
from urllib.parse import quote, urlsplit

from babel.numbers import format_decimal
from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from pydantic import BaseModel
from starlette.responses import Response

from borderlink.errors import InvalidInput, NotAuthenticated
from borderlink.model import labels, messages
from borderlink.server.deps import NodeDep, blocking, check_csrf, session_of
from borderlink.server.pages import i18n
from borderlink.server.pages.i18n import N_
from borderlink.server.pages.registry import NavEntry, menu
from borderlink.services.accounts.access import Permission, Principal, require

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
# {% trans %} and _() look up `gettext`/`ngettext` in each page's context (see `render`).
TEMPLATES.env.add_extension("jinja2.ext.i18n")


@pass_context
def _number(context: Mapping[str, Any], value: float | int | None, digits: int = 0) -> str:
    """A figure as the reader's language writes it (1,234.5 / 1 234,5), at most ``digits``
    decimals and no trailing zeros ("603", not "603.000"); none as a dash."""
    if value is None:
        return "\u2013"  # an en dash, as the tables show a missing figure
    pattern = "#,##0" + ("." + "#" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=context.get("lang", "en"))


def figure(value: float, lang: str) -> str:
    """A figure in a sentence, as ``lang`` writes it: 2573 → "2 573", 35.2 → "35,2" in French
    (at most two decimals, none when whole)."""
    return format_decimal(value, format="#,##0.##", locale=lang)


def sayer(gettext: Callable[[str], str], lang: str) -> Callable[[Mapping[str, Any]], str]:
    """What says a message (a reason, a label: :mod:`borderlink.model.messages`) in ``lang``."""

    def say(message: Mapping[str, Any]) -> str:
        return messages.render(message, gettext, lambda v: figure(v, lang))

    return say


@pass_context
def _say(context: Mapping[str, Any], message: Mapping[str, Any]) -> str:
    """A reason in the reader's language (its stored words when it has no message)."""
    return sayer(context.get("gettext") or str, context.get("lang", "en"))(message)


@pass_context
def _signed(context: Mapping[str, Any], value: float) -> str:
    """A contribution with its sign, as the reader's language writes it: "+1,80" in French."""
    return format_decimal(value, format="+#,##0.00;-#,##0.00", locale=context.get("lang", "en"))


@pass_context
def _money(context: Mapping[str, Any], value: float) -> str:
    """An amount with its two decimals, as the reader's language writes it: "1 000,00"."""
    return format_decimal(value, format="#,##0.00", locale=context.get("lang", "en"))


TEMPLATES.env.filters["number"] = _number
TEMPLATES.env.filters["money"] = _money
TEMPLATES.env.filters["signed"] = _signed
TEMPLATES.env.filters["say"] = _say
# Codes in people's words (transport mode "1" is "sea"), in every template.
TEMPLATES.env.globals["labels"] = labels


async def page_principal(request: Request, node: NodeDep) -> Principal:
    """The signed-in person; without a session the error renderer sends them to sign in."""
    found = await blocking(session_of, request, node)
    if found is None:
        raise NotAuthenticated("sign in to see this page")
    principal, csrf = found
    request.state.principal = principal
    request.state.csrf_token = csrf
    return principal


PageUser = Annotated[Principal, Depends(page_principal)]


def page_allowed(permission: Permission) -> Any:
    async def check(principal: PageUser) -> Principal:
        require(principal, permission)
        return principal

    return Depends(check)


async def checked_form(request: Request) -> dict[str, str]:
    """The posted form, once its CSRF token matches the session's."""
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    check_csrf(values.get("csrf_token"), getattr(request.state, "csrf_token", ""))
    return values


F = TypeVar("F", bound=BaseModel)


def query_filter(model: type[F]) -> Callable[[Request], Awaitable[F]]:
    """A dependency reading a filter form from the query string; empty fields mean no filter."""

    async def parse(request: Request) -> F:  # async: no I/O, so no thread hop
        values = {k: v for k, v in request.query_params.items() if v != ""}
        try:
            return model(**{k: v for k, v in values.items() if k in model.model_fields})
        except ValueError as error:
            raise InvalidInput(f"filter not understood: {error}") from None

    return parse


def language(request: Request) -> tuple[str, Callable[[str], str]]:
    """The language ``request`` is answered in and its ``gettext`` (for words built in a
    handler, such as a chart's)."""
    lang = i18n.language_of(request, request.app.state.node.settings.default_language)
    return lang, i18n.translations(lang).gettext


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    principal: Principal | None = getattr(request.state, "principal", None)
    nav: list[NavEntry] = request.app.state.nav
    node = request.app.state.node
    lang = i18n.language_of(request, node.settings.default_language)
    words = i18n.translations(lang)
    return TEMPLATES.TemplateResponse(
        request,
        template,
        {
            "user": principal,
            "csrf_token": getattr(request.state, "csrf_token", None),
            "nav": menu([entry for entry in nav if entry.visible_to(principal)]),
            "node_name": node.settings.node_name,
            # The i18n extension's {% trans %} and _() look these up in the context.
            "gettext": words.gettext,
            "ngettext": words.ngettext,
            "lang": lang,
            "direction": i18n.LANGUAGES[lang].direction,
            "languages": i18n.LANGUAGES,
            **context,
        },
        status_code=status_code,
    )


def local_target(target: str | None, default: str = "/dashboard") -> str:
    """Only a path on this site may be a redirect target (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


# What a person can do about each error (translated when shown), beside what went wrong (the
# codes of borderlink.errors).
ADVICE: Mapping[str, str] = MappingProxyType(
    {
        "invalid_input": N_("Go back, correct the field named above and send the form again."),
        "invalid_expression": N_("Go back and correct the expression at the place named above."),
        "not_found": N_("It may have been removed or the link mistyped; look for it in the lists."),
        "conflict": N_(
            "Someone changed it meanwhile, or it is not in a state that allows this: "
            "reload the page to see where it stands, then try again."
        ),
        "permission_denied": N_(
            "Your role does not allow this. Ask an administrator if your work needs it."
        ),
        "policy_denied": N_(
            "The agreement with this partner does not allow it; a liaison officer "
            "can check the agreement's terms."
        ),
        "integrity_failure": N_(
            "A signature or a proof did not verify: nothing was accepted. Tell "
            "the liaison officer, who can check the partner's keys."
        ),
        "replay_detected": N_(
            "The same request was seen before and refused: reload and try again."
        ),
        "reference_data_missing": N_(
            "Load the reference data it names (borderlink refdata load) and try again."
        ),
        "partner_unavailable": N_(
            "The partner's node did not answer; it will be retried. Try again later."
        ),
        "too_large": N_("Send a smaller file or split it into parts."),
        "unsupported_media_type": N_("Send it in one of the formats the node reads."),
        "method_not_allowed": N_("Open the page from the menu instead of this link."),
        "internal_error": N_(
            "Nothing was changed. Try again; if it happens again, give the "
            "administrator the time of the error."
        ),
    }
)


def _came_from(request: Request) -> str:
    """The page of this site the person came from (Referer), to go back and correct a form."""
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc != request.url.netloc or referer.path == request.url.path:
        return "/dashboard"
    return local_target(referer.path + (f"?{referer.query}" if referer.query else ""))


def render_error(request: Request, status: int, body: dict[str, Any]) -> Response:
    if status == 401:
        target = request.url.path
        if request.url.query:
            target += "?" + request.url.query
        return redirect(f"/login?next={quote(target)}" if request.method == "GET" else "/login")
    back = _came_from(request)
    return render(
        request,
        "error.html",
        status_code=status,
        status=status,
        error=body,
        advice=ADVICE.get(str(body.get("error")), ADVICE["internal_error"]),
        back=back,
    )
