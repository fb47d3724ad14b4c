"""A score's reasons as sentences, column-wise in Polars: each in English (its ``text``) and
as a message (its ``key`` and ``params``, :mod:`borderlink.model.messages`) that a page says in
its reader's language. One template per key gives both, so they cannot disagree.

:func:`sentence` and :func:`message` build one reason family's for every row of a frame;
:func:`stored` is a message as a reason keeps it; :func:`describe` and
:func:`describe_message` do one row. :func:`unit_ratio` and :func:`record` are the facts the
sentences state, for :func:`borderlink.risk.explain.lean`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl

from borderlink.model.labels import PREVIOUS, PROCEDURES, TRANSPORT_MODES
from borderlink.model.messages import CATEGORY_LABELS, MESSAGES, PLACEHOLDER
from borderlink.risk.features import ENTITY_KEYS, FeatureState

Row = dict[str, Any]


@dataclass(frozen=True)
class _Said:
    """A message per row: its English text, and what is stored of it (a param's value, or a
    ``{key, params}`` struct: see :mod:`borderlink.model.messages`; None: not a message)."""

    text: pl.Expr
    stored: pl.Expr | None


def _text(expr: pl.Expr) -> _Said:
    """A text param (a code, an id), shown as it is in every language."""
    return _Said(expr, expr)


def _count(expr: pl.Expr) -> _Said:
    """A whole number param: 40.2 → 40."""
    whole = expr.round(0).cast(pl.Int64)
    return _Said(whole.cast(pl.Utf8), whole)


def _decimal(expr: pl.Expr, digits: int) -> _Said:
    """A number param with up to ``digits`` decimals: 35.24 → 35.2 (one)."""
    rounded = expr.round(digits)
    return _Said(rounded.cast(pl.Utf8), rounded)


def _say(key: str, **params: _Said) -> _Said:
    """The message ``key`` (:data:`MESSAGES`) with ``params``: its English text from the
    template, column-wise, and the key with the params' values for a page to translate."""
    template, pieces, pos = MESSAGES[key], [], 0
    for m in PLACEHOLDER.finditer(template):
        if m.start() > pos:
            pieces.append(pl.lit(template[pos : m.start()]))
        pieces.append(pl.lit("%") if m.group(0) == "%%" else params[m.group(1)].text)
        pos = m.end()
    if pos < len(template):
        pieces.append(pl.lit(template[pos:]))
    text = pl.concat_str(pieces) if len(pieces) > 1 else pieces[0]
    fields = [pl.lit(key).alias("key")]
    if params:
        stored = (p.stored if p.stored is not None else p.text for p in params.values())
        fields.append(pl.struct(*(v.alias(n) for n, v in zip(params, stored, strict=True))))
        fields[-1] = fields[-1].alias("params")
    return _Said(text, pl.struct(*fields))


def _word(prefix: str, code: pl.Expr, words: Mapping[str, str]) -> _Said:
    """A code's word as a message of its own ("1" → "sea", key ``transport_mode.1``)."""
    text = code.replace_strict(dict(words), default=None, return_dtype=pl.Utf8)
    return _Said(text, pl.struct(pl.format(prefix + ".{}", code).alias("key")))


def _choose(*branches: tuple[pl.Expr, _Said], otherwise: _Said) -> _Said:
    """Per row, the message of the first branch whose condition holds, else ``otherwise``."""
    first, *rest = branches
    text: Any = pl.when(first[0]).then(first[1].text)
    stored: Any = pl.when(first[0]).then(first[1].stored)
    for condition, said in rest:
        text = text.when(condition).then(said.text)
        stored = stored.when(condition).then(said.stored)
    return _Said(text.otherwise(otherwise.text), stored.otherwise(otherwise.stored))


def _str(frame: pl.DataFrame, column: str) -> pl.Expr:
    if column not in frame.columns:
        return pl.lit("(none)")
    value = pl.col(column).cast(pl.Utf8)
    return pl.when(value.is_null() | (value == "")).then(pl.lit("(none)")).otherwise(value)


def _f64(frame: pl.DataFrame, column: str) -> pl.Expr:
    if column not in frame.columns:
        return pl.lit(None, dtype=pl.Float64)
    value = pl.col(column).cast(pl.Float64)
    return pl.when(value.is_nan()).then(None).otherwise(value)


def _hs(frame: pl.DataFrame) -> pl.Expr:
    """200560 → "2005.60", as officers write a subheading."""
    code = _str(frame, "hs6")
    return (
        pl.when(code.str.len_chars() == 6)
        .then(pl.format("{}.{}", code.str.slice(0, 4), code.str.slice(4, 2)))
        .otherwise(code)
    )


def _against_usual(ratio: pl.Expr) -> _Said:
    """0.54 → "46% below the usual"; 1.3 → "30% above"; 35.24 → "35.2 times"; 1.0 → "the
    same as the usual"."""
    below, above = _count((1 - ratio) * 100), _count((ratio - 1) * 100)
    return _choose(
        (ratio >= 2, _say("usual.times", times=_decimal(ratio, 1))),
        (below.text == "0", _say("usual.same")),
        (ratio < 1, _say("usual.below", pct=below)),
        otherwise=_say("usual.above", pct=above),
    )


def unit_ratio(f: pl.DataFrame) -> pl.Expr:
    return pl.coalesce(_f64(f, "uv_ratio_hs6_x_origin"), _f64(f, "uv_ratio_hs6"))


def _unit_value(f: pl.DataFrame) -> _Said:
    hs6, origin = _text(_hs(f)), _text(_str(f, "origin_country"))
    pair, code = _f64(f, "uv_ratio_hs6_x_origin"), _f64(f, "uv_ratio_hs6")
    log_uv = _f64(f, "log_unit_value")
    n_pair = _count(_f64(f, "ref_n_hs6_x_origin").fill_null(0))
    n_code = _count(_f64(f, "ref_n_hs6").fill_null(0))
    return _choose(
        (
            pair.is_not_null(),
            _say("unit_value.pair", against=_against_usual(pair), hs=hs6, origin=origin, n=n_pair),
        ),
        (
            code.is_not_null(),
            _say("unit_value.code", against=_against_usual(code), hs=hs6, n=n_code, origin=origin),
        ),
        (log_uv.is_null(), _say("unit_value.none")),
        otherwise=_say("unit_value.few", value=_decimal(log_uv.exp(), 2), hs=hs6, origin=origin),
    )


def _rarity(f: pl.DataFrame) -> _Said:
    return _say(
        "rarity",
        n=_count(_f64(f, "ref_n_hs6_x_origin").fill_null(0)),
        hs=_text(_hs(f)),
        origin=_text(_str(f, "origin_country")),
        n_any=_count(_f64(f, "ref_n_hs6").fill_null(0)),
    )


def _who(f: pl.DataFrame, name: str) -> _Said:
    """ "importer IM001", "importer IM001 with HS 2005.60": an entity's keys and their values."""
    parts: dict[str, _Said] = {}
    for i, key in enumerate(ENTITY_KEYS[name][:2]):
        shown = _hs(f) if key == "hs6" else _str(f, key)
        parts["role2" if i else "role"] = _say(f"role.{key}")
        parts["id2" if i else "id"] = _text(shown)
    return _say("who.2" if "id2" in parts else "who.1", **parts)


def record(f: pl.DataFrame, name: str, state: FeatureState) -> tuple[pl.Expr, pl.Expr]:
    """(past inspected declarations, the share found illicit) of the row's entity."""
    n = _f64(f, f"n_{name}").fill_null(0.0)
    te = _f64(f, f"te_{name}")
    m = state.config.smoothing
    rate = ((te * (n + m) - m * state.prior) / n).clip(0.0, 1.0)
    return n, pl.when((n < 1) | te.is_null()).then(None).otherwise(rate)


def _entity(f: pl.DataFrame, name: str, state: FeatureState) -> _Said:
    who = _who(f, name)
    n, rate = record(f, name, state)
    found = _count(rate * n)
    usual = int(f"{state.prior * 100:.0f}")  # as Python rounds it, once
    return _choose(
        (rate.is_null(), _say("entity.none", who=who)),
        (found.text == "0", _say("entity.clean", who=who, n=_count(n))),
        otherwise=_say(
            "entity.found",
            who=who,
            found=found,
            n=_count(n),
            pct=_count(rate * 100),
            usual=_Said(pl.lit(str(usual)), pl.lit(usual, dtype=pl.Int64)),
        ),
    )


def _coded(f: pl.DataFrame, column: str) -> _Said:
    """A category's value with its human label where codes have one ("1" → "sea")."""
    code = _str(f, column)
    as_is = _say("code", code=_text(code))
    if column == "transport_mode":
        mode = _word("transport_mode", code, TRANSPORT_MODES)
        return _choose((mode.text.is_null(), as_is), otherwise=mode)
    if column == "procedure":
        asked = _word("procedure", code.str.slice(0, 2), PROCEDURES)
        before = _word("previous", code.str.slice(2, 2), {k: v for k, v in PREVIOUS.items() if v})
        return _choose(
            (asked.text.is_null(), as_is),
            (
                before.text.is_not_null(),
                _say("procedure.named_before", asked=asked, before=before, code=_text(code)),
            ),
            otherwise=_say("procedure.named", asked=asked, code=_text(code)),
        )
    return _text(code)


def _category(f: pl.DataFrame, column: str) -> _Said:
    what = _say(f"category.{column}") if column in CATEGORY_LABELS else _text(pl.lit(column))
    return _say("category", what=what, value=_coded(f, column))


def _simple(f: pl.DataFrame, reason: str) -> _Said:
    dep, origin, hs6 = _str(f, "departure_country"), _text(_str(f, "origin_country")), _hs(f)
    if reason == "log_value":
        value = _f64(f, "log_value").exp()
        return _choose(
            (value.is_null(), _say("value.missing")), otherwise=_say("value", value=_count(value))
        )
    if reason == "log_mass":
        mass = _f64(f, "log_mass").exp()
        return _choose(
            (mass.is_null(), _say("mass.missing")), otherwise=_say("mass", mass=_decimal(mass, 1))
        )
    if reason == "duty":
        rate = _f64(f, "duty_rate")
        shown = _Said(rate.cast(pl.Utf8).fill_null("?"), rate)
        at_risk = _count(_f64(f, "log_duty_at_risk").exp())
        return _choose(
            (at_risk.text.is_null(), _say("duty.none", rate=shown)),
            otherwise=_say("duty", rate=shown, at_risk=at_risk),
        )
    if reason == "route_transit":
        return _choose(
            (
                _f64(f, "route_transit").fill_null(0) > 0,
                _say("route.transit", departure=_text(dep), origin=origin),
            ),
            otherwise=_say("route.direct", origin=origin),
        )
    if reason == "hs_older_edition":
        return _choose(
            (_f64(f, "hs_older_edition").fill_null(0) > 0, _say("hs.older", hs=_text(hs6))),
            otherwise=_say("hs.current", hs=_text(hs6)),
        )
    if reason == "not_positive":
        return _say("not_positive")
    return _Said(pl.lit(reason), None)


def _said(frame: pl.DataFrame, reason: str, state: FeatureState) -> _Said:
    if reason == "unit_value":
        return _unit_value(frame)
    if reason == "rarity":
        return _rarity(frame)
    if reason.startswith("entity:"):
        return _entity(frame, reason.removeprefix("entity:"), state)
    if reason.startswith("category:"):
        return _category(frame, reason.removeprefix("category:"))
    return _simple(frame, reason)


def sentence(frame: pl.DataFrame, reason: str, state: FeatureState) -> pl.Expr:
    """One reason (a :func:`family` name) as an English sentence for each row of ``frame``."""
    return _said(frame, reason, state).text.alias(reason)


def message(frame: pl.DataFrame, reason: str, state: FeatureState) -> pl.Expr:
    """The same reason as a message for each row: ``{"key", "params"}`` as JSON text, without
    the params its row's message has no use for (the branches share one struct, so a row's
    unused ones are null: removed column-wise here, not per reason in Python)."""
    said = _said(frame, reason, state).stored
    if said is None:
        return pl.lit(None, dtype=pl.Utf8).alias(reason)
    return (
        said.struct.json_encode()
        .str.replace_all(r'"\w+":null,?', "")
        .str.replace_all(",}", "}", literal=True)
        .str.replace_all(',"params":{}', "", literal=True)
        .alias(reason)
    )


def stored(encoded: str | None) -> dict[str, Any]:
    """A :func:`message` value as a reason keeps it: ``{"key", "params"}`` ({} for a reason
    without a message)."""
    if not encoded:
        return {}
    kept: dict[str, Any] = json.loads(encoded)
    return kept


def describe(reason: str, row: Row, state: FeatureState) -> str:
    """One reason for one row (a mapping of column → value)."""
    frame = pl.DataFrame([row]) if row else pl.DataFrame({"_": [0]})
    text: str = frame.select(sentence(frame, reason, state)).item()
    return text


def describe_message(reason: str, row: Row, state: FeatureState) -> dict[str, Any]:
    """One reason for one row as stored: ``{"text", "key", "params"}``."""
    frame = pl.DataFrame([row]) if row else pl.DataFrame({"_": [0]})
    out = frame.select(sentence(frame, reason, state), message(frame, reason, state).alias("m"))
    return {"text": out[reason].item(), **stored(out["m"].item())}
