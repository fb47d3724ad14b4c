"""The sentences the engine builds for people (a score's reasons, a chart's labels), by key.

A reason is stored with its English ``text`` (what the API, the CSV and STIX carry) and beside it
a message: its ``key`` here and its ``params``. A page says the same in the reader's language
with :func:`render`: the key's English template (a message of the pages' catalogue) goes
through the page's ``gettext``, then takes the params, numbers written as the reader's language
writes them. A param is a number, a text (a code, an id: never translated) or a message itself
(``{"key": ..., "params": ...}``: a phrase such as "46% below the usual", a role's name). A
reason without a key (stored before reasons had one), or whose key or params are not known
here, shows its stored text.

Offers :data:`MESSAGES`, :data:`ENTITY_LABELS`, :data:`CATEGORY_LABELS`, :func:`render`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from borderlink.model.labels import PREVIOUS, PROCEDURES, TRANSPORT_MODES


def N_(message: str) -> str:  # noqa: N802  gettext's name for "marked for translation, later"
    """Marks a text for the pages' catalogue where it is declared; translated when shown."""
    return message


# The words for an entity's key column ("importer IM001") and a category's ("transport mode").
ENTITY_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "importer_id": N_("importer"),
        "declarant_id": N_("declarant"),
        "exporter_id": N_("seller"),
        "carrier_id": N_("courier"),
        "hs6": N_("HS"),
        "hs4": N_("HS heading"),
        "origin_country": N_("origin"),
        "departure_country": N_("departure"),
        "office_id": N_("office"),
        "trader": N_("trader"),
    }
)
CATEGORY_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "office_id": N_("office"),
        "procedure": N_("procedure"),
        "import_type": N_("import type"),
        "import_use": N_("import use"),
        "payment_type": N_("payment type"),
        "transport_mode": N_("transport mode"),
        "duty_type": N_("duty type"),
        "origin_marking": N_("origin marking"),
        "origin_country": N_("origin"),
        "departure_country": N_("departure country"),
        "hs2": N_("HS chapter"),
    }
)
# A category's name on a chart's axis, capitalised.
CATEGORY_TITLES: Mapping[str, str] = MappingProxyType(
    {
        "office_id": N_("Office"),
        "procedure": N_("Procedure"),
        "import_type": N_("Import type"),
        "import_use": N_("Import use"),
        "payment_type": N_("Payment type"),
        "transport_mode": N_("Transport mode"),
        "duty_type": N_("Duty type"),
        "origin_marking": N_("Origin marking"),
        "origin_country": N_("Origin"),
        "departure_country": N_("Departure country"),
        "hs2": N_("HS chapter"),
    }
)
FAMILY_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "unit_value": N_("Value per kg against the usual"),
        "rarity": N_("How often these goods are declared"),
        "duty": N_("Duty at stake"),
        "log_value": N_("Declared value"),
        "log_mass": N_("Net mass"),
        "route_transit": N_("Route"),
        "hs_older_edition": N_("HS edition"),
        "not_positive": N_("Zero or negative value or mass"),
    }
)

_SENTENCES: Mapping[str, str] = MappingProxyType(
    {
        # the value per kg against the usual for the goods (a phrase of the sentences below)
        "usual.below": N_("%(pct)s%% below the usual"),
        "usual.above": N_("%(pct)s%% above the usual"),
        "usual.times": N_("%(times)s times the usual"),
        "usual.same": N_("the same as the usual"),
        "unit_value.pair": N_(
            "declared value per kg is %(against)s for %(hs)s from %(origin)s "
            "(%(n)s earlier declarations)"
        ),
        "unit_value.code": N_(
            "declared value per kg is %(against)s for %(hs)s (%(n)s earlier declarations, "
            "none from %(origin)s)"
        ),
        "unit_value.none": N_(
            "no value per kg to compare (value or mass missing, zero or negative)"
        ),
        "unit_value.few": N_(
            "declared value per kg %(value)s; too few earlier declarations of %(hs)s from "
            "%(origin)s to compare"
        ),
        "rarity": N_(
            "%(n)s earlier declarations of %(hs)s from %(origin)s, %(n_any)s of %(hs)s from "
            "anywhere"
        ),
        # who an entity is: "importer IM001", "importer IM001 with HS 2005.60"
        "who.1": N_("%(role)s %(id)s"),
        "who.2": N_("%(role)s %(id)s with %(role2)s %(id2)s"),
        "entity.none": N_("%(who)s: no earlier inspected declaration"),
        "entity.clean": N_("%(who)s: no illicit finding in %(n)s past inspected declarations"),
        "entity.found": N_(
            "%(who)s: found illicit in %(found)s of %(n)s past inspected declarations "
            "(%(pct)s%%; usual %(usual)s%%)"
        ),
        "category": N_("%(what)s %(value)s"),
        "code": N_("%(code)s"),
        "procedure.named": N_("%(asked)s (%(code)s)"),
        "procedure.named_before": N_("%(asked)s %(before)s (%(code)s)"),
        "value": N_("declared value %(value)s"),
        "value.missing": N_("declared value missing"),
        "mass": N_("net mass %(mass)s kg"),
        "mass.missing": N_("net mass missing"),
        "duty.none": N_("duty rate %(rate)s%%: no duty at stake"),
        "duty": N_("duty rate %(rate)s%% (%(at_risk)s of duty at stake)"),
        "route.transit": N_("shipped from %(departure)s, origin %(origin)s"),
        "route.direct": N_("shipped directly from the origin %(origin)s"),
        "hs.older": N_("HS code %(hs)s exists only in an older HS edition"),
        "hs.current": N_("HS code %(hs)s is current"),
        "not_positive": N_("declared value or mass zero or negative"),
        # what selected a declaration besides its reasons
        "selection.random": N_(
            "selected at random for an unbiased check: its own risk is %(risk)s, so the reasons "
            "below did not select it"
        ),
        "selection.risk": N_(
            "among the riskiest of its day's flow (risk %(risk)s), within the day's inspection "
            "capacity"
        ),
        "blue": N_("released now, audited after clearance (post-clearance audit)"),
        # a trusted trader's benefits (%(mra)s: the arrangement's title, as its partners wrote it)
        "aeo": N_("AEO under the %(mra)s: %(benefit)s"),
        "aeo.risk_lowered": N_("risk lowered"),
        "aeo.trusted": N_("trusted trader"),
        "aeo.documents_waived": N_("documentary check waived"),
        "aeo.priority": N_("priority inspection"),
        "capacity.freed": N_("selected in a place a trusted trader's lower risk freed"),
        # a chart's labels
        "label.entity": N_("Record of the %(who)s"),
        "label.with": N_("%(a)s with %(b)s"),
        "label.category.other": N_("Declared code"),
        "label.other": N_("Other facts"),
    }
)

MESSAGES: Mapping[str, str] = MappingProxyType(
    {
        **_SENTENCES,
        **{f"role.{k}": v for k, v in ENTITY_LABELS.items()},
        **{f"category.{k}": v for k, v in CATEGORY_LABELS.items()},
        **{f"label.category.{k}": v for k, v in CATEGORY_TITLES.items()},
        **{f"label.{k}": v for k, v in FAMILY_LABELS.items()},
        # the words of codes (borderlink.model.labels: already messages of the catalogue)
        **{f"transport_mode.{k}": v for k, v in TRANSPORT_MODES.items()},
        **{f"procedure.{k}": v for k, v in PROCEDURES.items()},
        **{f"previous.{k}": v for k, v in PREVIOUS.items() if v},
    }
)

PLACEHOLDER = re.compile(r"%\((\w+)\)s|%%")

Message = Mapping[str, Any]


def _same(text: str) -> str:
    return text


def _plain(value: float) -> str:
    """A number as the stored English text writes it (Polars' and Python's ``str``)."""
    return str(value)


def render(
    message: Message,
    translate: Callable[[str], str] = _same,
    number: Callable[[float], str] = _plain,
) -> str:
    """``message`` (a reason, or any ``{"key", "params"}``) in words: its key's template through
    ``translate`` (a page's gettext), filled with its params (numbers through ``number``).
    Its stored ``text`` where the key, a param or the translated template does not fit."""
    fallback = str(message.get("text") or "")
    template = MESSAGES.get(str(message.get("key")))
    if template is None:
        return fallback
    params = message.get("params") or {}
    if not isinstance(params, Mapping):
        return fallback
    values: dict[str, str] = {}
    for name, value in params.items():
        if isinstance(value, Mapping):
            values[name] = render(value, translate, number)
            if not values[name]:  # a phrase that could not be said: say all as stored
                return fallback
        elif isinstance(value, bool) or value is None:
            continue
        elif isinstance(value, int | float):
            values[name] = number(value)
        else:
            values[name] = str(value)
    for text in (translate(template), template):
        try:
            return text % values if PLACEHOLDER.search(text) else text
        except (KeyError, ValueError, TypeError):  # a param missing, a template mistyped
            continue
    return fallback
