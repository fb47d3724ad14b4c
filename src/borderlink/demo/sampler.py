"""Sampling declarations from a :class:`World`, in chunks, with planted misdeclarations.

Each chunk of :data:`CHUNK_DECLARATIONS` declarations draws from its own random stream
(``SeedSequence([seed, 1, chunk_no])``), so the output depends only on the seed and the size
asked for, never on how the caller batches it, and memory stays bounded by one chunk.

Planted patterns (ground truth in the ``pattern`` column, per goods item):

- ``undervaluation``: the declared value is 12-45 % of the true value, so the unit value sits far
  below the reference for that HS code and origin.
- ``origin_switch``: goods under a trade remedy for their real origin (CN) declared with the origin
  of a third country (VN, MY, TH, ID); the departure country then differs from the declared origin.
- ``misclassification``: goods declared under a lower-duty code of the same chapter, with the value
  (and so the unit value) of the real goods.
- ``other``: a declaration found illicit at random (the noise every inspection record has).

Inspections miss some planted cases (``illicit`` false although ``pattern`` is set).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import numpy as np
import polars as pl

from borderlink.demo.catalogue import CARRIERS, OFFICES, SWITCH_ORIGINS, USD_PER_UNIT
from borderlink.demo.world import FloatArray, IntArray, World, build_world, weighted_choice

CHUNK_DECLARATIONS = 20_000
CHUNK_STREAM = 1
MISSED = 0.12  # share of planted misdeclarations that inspections do not find
RANDOM_ILLICIT = 0.004  # share of clean declarations recorded illicit anyway
DEFAULT_START = dt.date(2025, 1, 1)
DEFAULT_DAYS = 273  # about nine months

HEADER_COLUMNS = (
    "declaration_id", "declaration_type", "declared_on", "office_id", "procedure", "import_type",
    "import_use", "payment_type", "transport_mode", "conveyance", "departure_country",
    "loading_location", "discharge_location", "declarant_id", "importer_id", "exporter_id",
    "carrier_id",
)  # fmt: skip
ITEM_COLUMNS = (
    "item_no", "hs_code", "hs_edition", "hs_code_current", "description", "origin_country",
    "origin_marking", "net_mass_kg", "quantity", "quantity_unit", "value", "currency",
    "value_reporting", "duty_rate", "duty_type", "aeo", "flags",
)  # fmt: skip
OUTCOME_COLUMNS = ("illicit", "severity", "revenue_recovered")
PARTY_COLUMNS = ("importer_name", "exporter_name", "exporter_country", "declarant_name")
TRUTH_COLUMNS = ("pattern", "true_hs_code", "true_origin", "true_value_usd", "reference_usd_kg")
CANONICAL_COLUMNS = HEADER_COLUMNS + ITEM_COLUMNS + OUTCOME_COLUMNS

PATTERNS = ("", "undervaluation", "origin_switch", "misclassification", "other")
_NONE, _UNDER, _SWITCH, _MISC, _OTHER = range(5)
_PROCEDURES = pl.Series(["4000", "4071", "5100", "7100"])
_PROCEDURE_W = np.array([0.8, 0.05, 0.07, 0.08])
_IMPORT_TYPES = pl.Series(["11", "15", "21", "29"])
_IMPORT_USES = pl.Series(["10", "21", "22", "23", "50"])
_PAYMENT_TYPES = pl.Series(["11", "13", "43"])
_MARKINGS = pl.Series(["M", "L", "N"])
_MARKING_W = np.array([0.6, 0.3, 0.1])
_IMPORT_TYPE_W = np.array([8.0, 1, 1, 0.5])
_IMPORT_USE_W = np.array([6.0, 2, 1, 1, 0.5])
_PAYMENT_TYPE_W = np.array([7.0, 2, 1])
_DUTY_TYPES = pl.Series(["MFN", "PREF", "ADD"])
_PATTERNS = pl.Series(PATTERNS)


def _day_cdf(start: dt.date, days: int) -> FloatArray:
    weekday = (np.arange(days) + start.weekday()) % 7
    weights = np.where(weekday >= 5, 0.25, 1.0)  # few declarations lodged at weekends
    cum: FloatArray = np.cumsum(weights)
    cum /= cum[-1]
    return cum


def _gather(series: pl.Series, index: IntArray, name: str) -> pl.Series:
    return series.gather(pl.Series(index, dtype=pl.Int64)).alias(name)


def declarations(
    n_items: int | None = None,
    seed: int = 0,
    *,
    n_declarations: int | None = None,
    reporting_currency: str = "USD",
    start: dt.date = DEFAULT_START,
    days: int = DEFAULT_DAYS,
    world: World | None = None,
) -> Iterator[pl.DataFrame]:
    """Yield frames of goods items (canonical columns + party names + ground truth), in order.

    Give ``n_items`` (rows; the last declaration may be cut short) or ``n_declarations``.
    """
    if (n_items is None) == (n_declarations is None):
        raise ValueError("give exactly one of n_items and n_declarations")
    size = n_items if n_items is not None else 2 * (n_declarations or 0)
    if size < 0:
        raise ValueError("sizes must not be negative")
    world = world or build_world(seed, size)
    usd = dict(zip(world.currency_codes.to_list(), world.currency_usd, strict=True))
    if reporting_currency not in usd:
        raise ValueError(f"no synthetic rate for reporting currency {reporting_currency}")
    cdf = _day_cdf(start, days)
    done_items = done_decls = 0
    chunk_no = 0
    while True:
        want = CHUNK_DECLARATIONS
        if n_declarations is not None:
            want = min(want, n_declarations - done_decls)
        else:  # every declaration has an item: never draw more than the items still wanted
            want = min(want, (n_items or 0) - done_items)
        if want <= 0 or (n_items is not None and done_items >= n_items):
            return
        frame = _chunk(
            world,
            np.random.default_rng([seed, CHUNK_STREAM, chunk_no]),
            first_decl=done_decls,
            n_decl=want,
            first_item=done_items,
            total=n_items if n_items is not None else n_declarations or 1,
            by_items=n_items is not None,
            cdf=cdf,
            start=start,
            reporting=_currency_index(world, reporting_currency),
        )
        if n_items is not None and done_items + frame.height > n_items:
            frame = frame.head(n_items - done_items)
        done_items += frame.height
        done_decls += want
        chunk_no += 1
        yield frame


def exchange_rates(reporting_currency: str = "USD") -> dict[str, float]:
    """The synthetic world's fixed rates: units of ``reporting_currency`` per unit of each."""
    if reporting_currency not in USD_PER_UNIT:
        raise ValueError(f"no synthetic rate for reporting currency {reporting_currency}")
    base = USD_PER_UNIT[reporting_currency]
    return {c: usd / base for c, usd in sorted(USD_PER_UNIT.items())}


def _currency_index(world: World, currency: str) -> int:
    """Position of ``currency`` in the world's currency table."""
    return int(world.currency_codes.index_of(currency))  # type: ignore[arg-type]


def generate(
    n_items: int,
    seed: int = 0,
    *,
    reporting_currency: str = "USD",
    start: dt.date = DEFAULT_START,
    days: int = DEFAULT_DAYS,
    world: World | None = None,
) -> pl.DataFrame:
    """All ``n_items`` goods items in one frame (for tests and small demos)."""
    frames = list(
        declarations(
            n_items,
            seed,
            reporting_currency=reporting_currency,
            start=start,
            days=days,
            world=world,
        )
    )
    return pl.concat(frames) if frames else pl.concat(list(declarations(1, seed))).clear()


# long: one seeded random stream drawn in a fixed order (same seed, same file): split up, the
# draws would have to keep their exact sequence across helpers, which is easy to break unseen.
def _chunk(  # noqa: PLR0915  (see the comment above)
    w: World,
    rng: np.random.Generator,
    *,
    first_decl: int,
    n_decl: int,
    first_item: int,
    total: int,
    by_items: bool,
    cdf: FloatArray,
    start: dt.date,
    reporting: int,
) -> pl.DataFrame:
    k = n_decl
    reporting_usd = float(w.currency_usd[reporting])
    # --- header: who, where, how -------------------------------------------------------
    imp = np.minimum(
        np.searchsorted(w.importer_cum, rng.random(k), side="right"), w.n_importers - 1
    )
    office_w = np.array([o.weight for o in OFFICES])
    office = np.where(
        rng.random(k) < 0.85, w.importer_office[imp], weighted_choice(rng, office_w, k)
    )
    office_mode = np.array([int(o.mode) for o in OFFICES])
    mode = office_mode[office]
    sup = (rng.random(k) * w.importer_n_suppliers[imp]).astype(np.int64)
    exp = w.importer_suppliers[imp, sup]
    broker = np.where(rng.random(k) < 0.1, rng.integers(len(w.declarant_ids), size=k), -1)
    broker = np.where(broker < 0, w.importer_broker[imp], broker)
    n = np.minimum(rng.geometric(0.5, k), 20)
    n[mode == 5] = 1
    offsets = np.concatenate(([0], np.cumsum(n)[:-1]))
    m = int(n.sum())
    rep = np.repeat(np.arange(k), n)
    item_no = np.arange(m) - offsets[rep] + 1

    exp_country = w.exporter_country[exp]
    departure = exp_country.copy()
    hubs = np.flatnonzero(w.country_hub)
    via_hub = (~w.country_hub[exp_country]) & (rng.random(k) < 0.08)
    departure[via_hub] = hubs[rng.integers(len(hubs), size=int(via_hub.sum()))]

    # --- goods: what, how much, worth what -------------------------------------------------
    prod = (rng.random(m) * w.exporter_n_products[exp[rep]]).astype(np.int64)
    true_hs = w.exporter_products[exp[rep], prod]
    true_origin = w.exporter_source[exp[rep]]
    mass_scale = np.array([o.mass_kg for o in OFFICES])[office[rep]]
    price = w.hs_price[true_hs]
    mass = mass_scale * (10.0 / price) ** 0.3 * rng.lognormal(0.0, 1.0, m)
    mass = np.maximum(np.round(mass, 3), 0.05)
    reference = price * w.country_price[true_origin]
    true_usd = mass * reference * rng.lognormal(0.0, 0.25, m)

    # --- planted misdeclarations -------------------------------------------------------------
    broker_factor = np.where(broker < 0, 1.0, w.declarant_factor[np.maximum(broker, 0)])
    offend = rng.random(k) < np.minimum(w.importer_offence[imp] * broker_factor, 0.9)
    switch_ok = (w.hs_remedy[true_hs] > 0) & w.country_remedy[true_origin]
    misc_ok = w.hs_decoy[true_hs] >= 0
    any_switch = np.logical_or.reduceat(switch_ok, offsets)
    any_misc = np.logical_or.reduceat(misc_ok, offsets)
    r = rng.random(k)
    pattern_decl = np.full(k, _NONE)
    pattern_decl[offend] = _UNDER
    pattern_decl[offend & any_switch & (r < 0.85)] = _SWITCH
    pattern_decl[offend & (pattern_decl == _UNDER) & any_misc & (rng.random(k) < 0.4)] = _MISC
    pd_item = pattern_decl[rep]
    pattern = np.full(m, _NONE)
    pattern[(pd_item == _UNDER) & ((rng.random(m) < 0.75) | (item_no == 1))] = _UNDER
    pattern[(pd_item == _SWITCH) & switch_ok] = _SWITCH
    pattern[(pd_item == _MISC) & misc_ok] = _MISC

    hs = np.where(pattern == _MISC, w.hs_decoy[true_hs], true_hs)
    switch_to = np.array(
        [int(np.flatnonzero(w.country_codes == c)[0]) for c in SWITCH_ORIGINS], dtype=np.int64
    )
    origin = np.where(
        pattern == _SWITCH, switch_to[rng.integers(len(switch_to), size=k)][rep], true_origin
    )
    reroute = (pattern_decl == _SWITCH) & (rng.random(k) < 0.4)
    departure[reroute] = hubs[rng.integers(len(hubs), size=int(reroute.sum()))]
    declared_usd = np.where(pattern == _UNDER, true_usd * rng.uniform(0.12, 0.45, m), true_usd)

    def duty(h: IntArray, c: IntArray) -> FloatArray:
        base = np.where(w.country_fta[c], w.hs_pref[h], w.hs_mfn[h])
        return base + np.where(w.country_remedy[c], w.hs_remedy[h], 0.0)

    rate = duty(hs, origin)
    duty_kind = np.where(
        (w.hs_remedy[hs] > 0) & w.country_remedy[origin], 2, np.where(w.country_fta[origin], 1, 0)
    )
    evaded = np.maximum(true_usd * duty(true_hs, true_origin) - declared_usd * rate, 0.0) / 100
    evaded_decl = np.add.reduceat(np.where(pattern != _NONE, evaded, 0.0), offsets)

    # --- outcome labels ------------------------------------------------------------------------
    planted = pattern_decl != _NONE
    noise = rng.random(k)
    illicit = np.where(planted, noise >= MISSED, noise < RANDOM_ILLICIT)
    pattern_decl[~planted & illicit] = _OTHER
    severity = np.where(
        planted,
        1 + (evaded_decl >= 1e3).astype(np.int64) + (evaded_decl >= 1e4) + (evaded_decl >= 1e5),
        1,
    )
    severity = np.where(illicit, severity, 0)
    value_decl = np.add.reduceat(declared_usd, offsets)
    recovered_usd = np.where(planted, evaded_decl, value_decl * 0.03)
    recovered = np.where(illicit, np.round(recovered_usd / reporting_usd, 2), np.nan)
    pattern[(pattern_decl[rep] == _OTHER) & (item_no == 1)] = _OTHER

    # --- money ---------------------------------------------------------------------------------
    cur_opts = w.country_currencies[exp_country]
    n_opts = (cur_opts >= 0).sum(axis=1)
    alt = 1 + (rng.random(k) * np.maximum(n_opts - 1, 1)).astype(np.int64)
    choice = np.where((rng.random(k) < 0.75) | (n_opts == 1), 0, np.minimum(alt, n_opts - 1))
    cur = cur_opts[np.arange(k), choice]
    cur = np.where(rng.random(k) < 0.08, reporting, cur)
    cur_usd = w.currency_usd[cur][rep]
    value = np.round(declared_usd / cur_usd, 2)
    value_reporting = np.round(value * cur_usd / reporting_usd, 2)

    unit_kg = w.hs_unit_kg[hs]
    unit = _gather(w.hs_unit, hs, "quantity_unit")
    per_kg = (unit == "KGM").to_numpy()
    pieces = np.maximum(np.round(mass / unit_kg), 1.0)
    quantity = np.where(
        per_kg, mass, np.where((unit == "LTR").to_numpy(), np.round(mass / unit_kg, 1), pieces)
    )

    # --- dates, references ---------------------------------------------------------------------
    position = (first_item + offsets) if by_items else (first_decl + np.arange(k))
    day = np.searchsorted(cdf, (position + 0.5) / max(total, 1), side="right")
    day = np.minimum(day, len(cdf) - 1)
    dates = pl.Series(np.datetime64(start, "D") + day.astype("timedelta64[D]")).cast(pl.Date)
    seq = first_decl + np.arange(k) + 1
    decl_ids = pl.Series([f"SYN{w.seed}-{s:09d}" for s in seq])

    carrier = _CARRIER_BASE[mode] + (rng.random(k) * _CARRIER_COUNT[mode]).astype(np.int64)
    declarant = np.where(broker < 0, imp, w.n_importers + broker)
    parties = pl.concat([w.importer_ids, w.declarant_ids])
    party_names = pl.concat([w.importer_names, w.declarant_names])
    header = pl.DataFrame(
        [
            decl_ids.alias("declaration_id"),
            pl.repeat("IM", k, eager=True).alias("declaration_type"),
            dates.alias("declared_on"),
            _gather(_OFFICE_IDS, office, "office_id"),
            _gather(_PROCEDURES, weighted_choice(rng, _PROCEDURE_W, k), "procedure"),
            _gather(_IMPORT_TYPES, weighted_choice(rng, _IMPORT_TYPE_W, k), "import_type"),
            _gather(_IMPORT_USES, weighted_choice(rng, _IMPORT_USE_W, k), "import_use"),
            _gather(_PAYMENT_TYPES, weighted_choice(rng, _PAYMENT_TYPE_W, k), "payment_type"),
            pl.Series("transport_mode", mode.astype(str)),
            pl.Series("trip", rng.integers(100, 9999, size=k)),
            _gather(w.country_codes, departure, "departure_country"),
            _gather(w.country_seaport, departure, "seaport"),
            _gather(w.country_airport, departure, "airport"),
            _gather(parties, declarant, "declarant_id"),
            _gather(w.importer_ids, imp, "importer_id"),
            _gather(w.exporter_ids, exp, "exporter_id"),
            _gather(_CARRIERS, carrier, "carrier_id"),
            _gather(w.importer_names, imp, "importer_name"),
            _gather(w.exporter_names, exp, "exporter_name"),
            _gather(w.country_codes, exp_country, "exporter_country"),
            _gather(party_names, declarant, "declarant_name"),
            pl.Series("illicit", illicit),
            pl.Series("severity", severity.astype(np.int16)),
            pl.Series("revenue_recovered", recovered, nan_to_null=True),
        ]
    ).with_columns(
        conveyance=pl.when(pl.col("transport_mode") == "1")
        .then(pl.format("{} {}W", "carrier_id", "trip"))
        .when(pl.col("transport_mode") == "4")
        .then(pl.format("{}{}", "carrier_id", "trip"))
        .when(pl.col("transport_mode").is_in(["2", "3"]))
        .then(pl.format("{}-{}", "carrier_id", "trip")),
        loading_location=pl.when(pl.col("transport_mode") == "1")
        .then("seaport")
        .when(pl.col("transport_mode").is_in(["4", "5"]))
        .then("airport"),
        discharge_location=pl.lit(None, pl.String),
    )
    misc_text = (pattern == _MISC) & (rng.random(m) < 0.5)  # the true goods, the wrong code
    hs_code = _gather(w.hs_codes, hs, "hs_code")
    items = pl.DataFrame(
        [
            pl.Series("item_no", item_no.astype(np.int32)),
            hs_code,
            pl.repeat("HS2022", m, eager=True).alias("hs_edition"),
            hs_code.alias("hs_code_current"),
            _gather(w.hs_descriptions, np.where(misc_text, true_hs, hs), "description"),
            _gather(w.country_codes, origin, "origin_country"),
            _gather(_MARKINGS, weighted_choice(rng, _MARKING_W, m), "origin_marking"),
            pl.Series("net_mass_kg", mass),
            pl.Series("quantity", quantity),
            unit,
            pl.Series("value", value),
            _gather(w.currency_codes, cur, "currency").gather(rep),
            pl.Series("value_reporting", value_reporting),
            pl.Series("duty_rate", rate),
            _gather(_DUTY_TYPES, duty_kind, "duty_type"),
            pl.Series("aeo", w.importer_aeo[imp][rep]),
            pl.repeat(None, m, dtype=pl.String, eager=True).alias("flags"),
            _gather(_PATTERNS, pattern, "pattern"),
            _gather(w.hs_codes, true_hs, "true_hs_code"),
            _gather(w.country_codes, true_origin, "true_origin"),
            pl.Series("true_value_usd", np.round(true_usd, 2)),
            pl.Series("reference_usd_kg", reference),
        ]
    )
    full = pl.concat([header.select(pl.all().gather(rep)), items], how="horizontal")
    return full.select(*CANONICAL_COLUMNS, *PARTY_COLUMNS, *TRUTH_COLUMNS)


_OFFICE_IDS = pl.Series([o.id for o in OFFICES])
_CARRIERS = pl.Series([c for mode in "14532" for c in CARRIERS[mode]])
_CARRIER_BASE = np.zeros(10, dtype=np.int64)
_CARRIER_COUNT = np.ones(10, dtype=np.int64)
_at = 0
for _mode in "14532":
    _CARRIER_BASE[int(_mode)] = _at
    _CARRIER_COUNT[int(_mode)] = len(CARRIERS[_mode])
    _at += len(CARRIERS[_mode])
