"""The synthetic world one seed draws: goods with reference prices and duties, traders with habits.

A :class:`World` is small (thousands of rows) and built once per run; the declaration generator
then samples millions of goods items from it with vectorised numpy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import polars as pl

from borderlink.demo.catalogue import (
    CHAPTERS,
    COMPANY_SUFFIX,
    COMPANY_TRADES,
    COMPANY_WORDS,
    COUNTRIES,
    OFFICES,
    REMEDY_CODES,
    REMEDY_ORIGINS,
    USD_PER_UNIT,
    hs_catalogue,
)

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

WORLD_STREAM = 0  # numpy SeedSequence spawn keys: the world, then one per chunk


@dataclass(frozen=True)
class World:
    """Everything a declaration is sampled from. Arrays are indexed by the entity's position."""

    seed: int
    # goods (HS 2022 subheadings)
    hs_codes: pl.Series
    hs_descriptions: pl.Series
    hs_chapter: IntArray  # index into CHAPTERS
    hs_price: FloatArray  # reference USD per kg at world price level
    hs_mfn: FloatArray  # MFN duty, percent
    hs_pref: FloatArray  # preferential duty for FTA origins, percent
    hs_remedy: FloatArray  # additional duty for REMEDY_ORIGINS, percent (0: none)
    hs_unit: pl.Series  # supplementary unit code
    hs_unit_kg: FloatArray  # kg per supplementary unit
    hs_decoy: IntArray  # a lower-duty code of the same chapter (misclassification), -1: none
    # countries
    country_codes: pl.Series
    country_price: FloatArray
    country_fta: BoolArray
    country_hub: BoolArray
    country_remedy: BoolArray
    country_seaport: pl.Series
    country_airport: pl.Series
    country_currencies: IntArray  # (n_countries, 3) indices into currency_codes, -1 padded
    currency_codes: pl.Series
    currency_usd: FloatArray
    # importers
    importer_ids: pl.Series
    importer_names: pl.Series
    importer_cum: FloatArray  # cumulative activity share, for sampling
    importer_office: IntArray
    importer_offence: FloatArray  # probability of a planted misdeclaration per declaration
    importer_high_risk: BoolArray
    importer_aeo: BoolArray
    importer_broker: IntArray  # index into declarants, -1: declares for itself
    importer_suppliers: IntArray  # (n_importers, MAX_SUPPLIERS) exporter indices
    importer_n_suppliers: IntArray
    # exporters
    exporter_ids: pl.Series
    exporter_names: pl.Series
    exporter_country: IntArray
    exporter_source: IntArray  # country the goods are made in (≠ country for hub traders)
    exporter_products: IntArray  # (n_exporters, MAX_PRODUCTS) hs indices
    exporter_n_products: IntArray
    # declarants (customs brokers)
    declarant_ids: pl.Series
    declarant_names: pl.Series
    declarant_factor: FloatArray  # offence multiplier (complicit brokers > 1)

    @property
    def n_importers(self) -> int:
        return len(self.importer_ids)

    def reference_prices(self) -> pl.DataFrame:
        """Ground truth: the reference unit value (USD/kg) of each HS code per origin country."""
        n_hs, n_c = len(self.hs_codes), len(self.country_codes)
        return pl.DataFrame(
            {
                "hs_code": self.hs_codes.gather(np.repeat(np.arange(n_hs), n_c)),
                "origin_country": self.country_codes.gather(np.tile(np.arange(n_c), n_hs)),
                "unit_value_usd": np.outer(self.hs_price, self.country_price).ravel(),
            }
        )

    def traders(self) -> pl.DataFrame:
        """Ground truth about importers: activity, AEO, high risk."""
        share = np.diff(self.importer_cum, prepend=0.0)
        return pl.DataFrame(
            {
                "importer_id": self.importer_ids,
                "importer_name": self.importer_names,
                "activity_share": share,
                "aeo": self.importer_aeo,
                "high_risk": self.importer_high_risk,
                "offence_probability": self.importer_offence,
            }
        )


MAX_SUPPLIERS = 12
MAX_PRODUCTS = 10


def world_size(n_items: int) -> tuple[int, int, int]:
    """Importers, exporters, brokers for a run of ``n_items`` goods items."""
    importers = int(np.clip(n_items // 25, 300, 6000))
    exporters = int(np.clip(n_items // 15, 500, 10000))
    brokers = int(np.clip(importers // 20, 15, 300))
    return importers, exporters, brokers


def weighted_choice(rng: np.random.Generator, weights: FloatArray, size: int) -> IntArray:
    """``size`` indices drawn with probability proportional to ``weights`` (fast, vectorised)."""
    cum = np.cumsum(weights) / weights.sum()
    return np.minimum(np.searchsorted(cum, rng.random(size), side="right"), len(cum) - 1)


def _names(
    rng: np.random.Generator, n: int, suffixes: list[str], trades: tuple[str, ...] = COMPANY_TRADES
) -> list[str]:
    words = rng.integers(len(COMPANY_WORDS), size=n)
    kinds = rng.integers(len(trades), size=n)
    return [
        f"{COMPANY_WORDS[w]} {trades[k]} {s}".strip()
        for w, k, s in zip(words, kinds, suffixes, strict=True)
    ]


def stocked_chapters(exp_chapter: IntArray) -> FloatArray:
    """1.0 for chapters some exporter sells in, else 0.0."""
    return (np.bincount(exp_chapter, minlength=len(CHAPTERS)) > 0).astype(np.float64)


def _decoys(codes: tuple[str, ...], chapter: IntArray, mfn: FloatArray) -> IntArray:
    """For each code, a lower-duty code to misdeclare it under: the cheapest of its heading,
    else the cheapest of its chapter; -1 where nothing in the chapter pays less."""
    decoy = np.full(len(codes), -1, dtype=np.int64)
    heading = np.array([int(c[:4]) for c in codes])
    for group in (chapter, heading):  # heading last: it wins where it offers a decoy
        order = np.lexsort((mfn, group))
        first = order[np.searchsorted(group[order], group)]
        cheaper = mfn[first] < mfn
        decoy[cheaper] = first[cheaper]
    return decoy


# long: one seeded random stream drawn in a fixed order: every draw moved into a helper would
# have to stay in the same place in the sequence, or the same seed would give another world.
def build_world(seed: int, n_items: int) -> World:  # noqa: PLR0915  (see the comment above)
    """Draw the world for ``seed``, sized for about ``n_items`` goods items."""
    rng = np.random.default_rng([seed, WORLD_STREAM])
    n_imp, n_exp, n_brok = world_size(n_items)

    # --- goods --------------------------------------------------------------------------
    cat = hs_catalogue()
    n_hs = len(cat.codes)
    chapter = np.asarray(cat.chapter, dtype=np.int64)
    ch_price = np.array([c.price for c in CHAPTERS])
    ch_duty = np.array([c.duty for c in CHAPTERS])
    price = ch_price[chapter] * rng.lognormal(0.0, 0.6, n_hs)
    mfn = np.round(ch_duty[chapter] * rng.choice([0.0, 0.5, 1.0, 1.0, 1.5, 2.0], n_hs) * 2) / 2
    pref = np.round(mfn * rng.choice([0.0, 0.0, 0.5], n_hs) * 2) / 2
    remedy = np.array([REMEDY_CODES.get(c, 0.0) for c in cat.codes])
    unit = [CHAPTERS[i].unit for i in chapter]
    unit_kg = np.array([CHAPTERS[i].unit_kg for i in chapter]) * rng.lognormal(0.0, 0.5, n_hs)
    popularity = rng.pareto(1.0, n_hs) + 1.0
    popularity[remedy > 0] *= 50.0  # remedied goods are traded a lot (that is why they are)
    decoy = _decoys(cat.codes, chapter, mfn)

    # --- countries and currencies ------------------------------------------------------
    currencies = sorted(USD_PER_UNIT)
    cur_index = {c: i for i, c in enumerate(currencies)}
    n_c = len(COUNTRIES)
    country_cur = np.full((n_c, 3), -1, dtype=np.int64)
    for i, country in enumerate(COUNTRIES):
        for j, cur in enumerate(country.currencies[:3]):
            country_cur[i, j] = cur_index[cur]
    hub = np.array([c.hub for c in COUNTRIES])
    c_weight = np.array([c.weight for c in COUNTRIES])
    producer_weight = np.where(hub, 0.0, c_weight)

    # --- exporters: one chapter each, a handful of products --------------------------------
    ch_weight = np.array([c.weight for c in CHAPTERS])
    exp_country = weighted_choice(rng, c_weight, n_exp)
    trader = hub[exp_country] | (rng.random(n_exp) < 0.05)
    exp_source = np.where(trader, weighted_choice(rng, producer_weight, n_exp), exp_country)
    exp_chapter = weighted_choice(rng, ch_weight, n_exp)
    exp_products = np.zeros((n_exp, MAX_PRODUCTS), dtype=np.int64)
    exp_n_products = np.minimum(rng.geometric(0.3, n_exp), MAX_PRODUCTS)
    for ch in range(len(CHAPTERS)):
        members = np.flatnonzero(chapter == ch)
        who = np.flatnonzero(exp_chapter == ch)
        if len(who) == 0:
            continue
        exp_n_products[who] = np.minimum(exp_n_products[who], len(members))
        # weighted sampling without replacement, all exporters at once (Gumbel top-k)
        keys = np.log(popularity[members]) + rng.gumbel(size=(len(who), len(members)))
        top = np.argsort(-keys, axis=1)[:, :MAX_PRODUCTS]
        exp_products[who, : top.shape[1]] = members[top]
    exp_ids = [f"EX{i + 1:06d}" for i in range(n_exp)]
    exp_suffix = [COMPANY_SUFFIX.get(COUNTRIES[c].code, "Ltd") for c in exp_country]
    exp_names = _names(rng, n_exp, exp_suffix)

    # --- declarants (brokers) -----------------------------------------------------------
    brok_ids = [f"DC{i + 1:05d}" for i in range(n_brok)]
    brok_names = _names(
        rng, n_brok, ["Ltd"] * n_brok, ("Customs Brokers", "Customs Services", "Forwarding")
    )
    brok_factor = np.where(rng.random(n_brok) < 0.06, 3.0, 1.0)

    # --- importers ----------------------------------------------------------------------
    activity = rng.lognormal(0.0, 1.4, n_imp)
    imp_office = weighted_choice(rng, np.array([o.weight for o in OFFICES]), n_imp)
    big = activity > np.quantile(activity, 0.9)
    aeo = rng.random(n_imp) < np.where(big, 0.35, 0.04)
    offence = rng.beta(1.3, 22.0, n_imp) * np.where(aeo, 0.15, 1.0)
    high_risk = np.zeros(n_imp, dtype=bool)
    n_high = max(3, n_imp // 50)
    high_risk[rng.choice(np.flatnonzero(~aeo), size=n_high, replace=False)] = True
    offence[high_risk] = rng.uniform(0.35, 0.6, n_high)
    activity[high_risk] = np.maximum(activity[high_risk], np.median(activity))
    broker = np.where(rng.random(n_imp) < 0.2, -1, rng.integers(n_brok, size=n_imp))

    # suppliers: exporters of the one to three chapters the importer trades in
    n_ch = rng.integers(1, 4, size=n_imp)
    chapter_w = ch_weight * stocked_chapters(exp_chapter)
    imp_chapters = weighted_choice(rng, chapter_w, 3 * n_imp).reshape(-1, 3)
    n_suppliers = np.minimum(rng.geometric(0.25, n_imp), MAX_SUPPLIERS)
    slot = (rng.random((n_imp, MAX_SUPPLIERS)) * n_ch[:, None]).astype(np.int64)
    sup_chapter = np.take_along_axis(imp_chapters, slot, axis=1)
    order = np.argsort(exp_chapter, kind="stable")
    first = np.searchsorted(exp_chapter[order], np.arange(len(CHAPTERS)))
    count = np.bincount(exp_chapter, minlength=len(CHAPTERS))
    pick = (rng.random((n_imp, MAX_SUPPLIERS)) * count[sup_chapter]).astype(np.int64)
    suppliers = order[first[sup_chapter] + pick]
    # half the high-risk importers deal in goods under trade remedies, bought where they are cheap
    country_remedy = np.array([c.code in REMEDY_ORIGINS for c in COUNTRIES])
    listed = np.arange(MAX_PRODUCTS) < exp_n_products[:, None]
    sells_remedied = ((remedy[exp_products] > 0) & listed).any(axis=1)
    remedy_sellers = np.flatnonzero(country_remedy[exp_source] & sells_remedied)
    dealers = np.flatnonzero(high_risk & (rng.random(n_imp) < 0.5))
    if len(remedy_sellers) and len(dealers):
        suppliers[dealers] = rng.choice(remedy_sellers, size=(len(dealers), MAX_SUPPLIERS))
        n_suppliers[dealers] = rng.integers(1, 5, size=len(dealers))
    imp_ids = [f"IM{i + 1:06d}" for i in range(n_imp)]
    imp_names = _names(rng, n_imp, list(rng.choice(["Ltd", "LLC", "Group", "& Co."], n_imp)))

    return World(
        seed=seed,
        hs_codes=pl.Series("hs_code", cat.codes),
        hs_descriptions=pl.Series("description", cat.descriptions),
        hs_chapter=chapter,
        hs_price=price,
        hs_mfn=mfn,
        hs_pref=pref,
        hs_remedy=remedy,
        hs_unit=pl.Series("quantity_unit", unit),
        hs_unit_kg=unit_kg,
        hs_decoy=decoy,
        country_codes=pl.Series("country", [c.code for c in COUNTRIES]),
        country_price=np.array([c.price for c in COUNTRIES]),
        country_fta=np.array([c.fta for c in COUNTRIES]),
        country_hub=hub,
        country_remedy=country_remedy,
        country_seaport=pl.Series("seaport", [c.seaport for c in COUNTRIES]),
        country_airport=pl.Series("airport", [c.airport for c in COUNTRIES]),
        country_currencies=country_cur,
        currency_codes=pl.Series("currency", currencies),
        currency_usd=np.array([USD_PER_UNIT[c] for c in currencies]),
        importer_ids=pl.Series("importer_id", imp_ids),
        importer_names=pl.Series("importer_name", imp_names),
        importer_cum=np.cumsum(activity) / activity.sum(),
        importer_office=imp_office,
        importer_offence=offence,
        importer_high_risk=high_risk,
        importer_aeo=aeo,
        importer_broker=broker,
        importer_suppliers=suppliers,
        importer_n_suppliers=n_suppliers,
        exporter_ids=pl.Series("exporter_id", exp_ids),
        exporter_names=pl.Series("exporter_name", exp_names),
        exporter_country=exp_country,
        exporter_source=exp_source,
        exporter_products=exp_products,
        exporter_n_products=exp_n_products,
        declarant_ids=pl.Series("declarant_id", brok_ids),
        declarant_names=pl.Series("declarant_name", brok_names),
        declarant_factor=brok_factor,
    )
