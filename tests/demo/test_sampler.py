"""The generator: deterministic, canonical, valid codes, and the planted patterns really there."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from borderlink.demo import (
    CANONICAL_COLUMNS,
    PARTY_COLUMNS,
    TRUTH_COLUMNS,
    World,
    build_world,
    declarations,
    exchange_rates,
    generate,
    sampler,
)
from borderlink.demo.catalogue import REMEDY_CODES, REMEDY_ORIGINS, SWITCH_ORIGINS
from borderlink.model import TransportMode
from borderlink.refdata import builtin

N = 20_000
SEED = 11


def number(value: object) -> float:
    """A Series aggregate (typed as any Python literal) as the number it is here."""
    assert isinstance(value, int | float), value
    return float(value)


def day(value: object) -> dt.date:
    """A date column's aggregate as the date it is."""
    assert isinstance(value, dt.date), value
    return value


@pytest.fixture(scope="module")
def world() -> World:
    return build_world(SEED, N)


@pytest.fixture(scope="module")
def frame(world: World) -> pl.DataFrame:
    return generate(N, SEED, world=world)


@pytest.fixture(scope="module")
def per_declaration(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.group_by("declaration_id").agg(
        pl.col("illicit").first(),
        pl.col("illicit").n_unique().alias("labels"),
        pl.col("severity").first(),
        pl.col("importer_id").first(),
        (pl.col("pattern") != "").any().alias("planted_or_other"),
        pl.col("pattern")
        .is_in(["undervaluation", "origin_switch", "misclassification"])
        .any()
        .alias("planted"),
    )


def test_same_seed_same_data_other_seed_other_data() -> None:
    first = generate(1_500, 3)
    assert first.equals(generate(1_500, 3))
    other = generate(1_500, 4)
    assert not first.select("hs_code", "value").equals(other.select("hs_code", "value"))


def test_columns_and_types_follow_the_canonical_layout(frame: pl.DataFrame) -> None:
    assert frame.columns == [*CANONICAL_COLUMNS, *PARTY_COLUMNS, *TRUTH_COLUMNS]
    schema = frame.schema
    assert schema["declared_on"] == pl.Date
    assert schema["item_no"].is_integer()
    assert schema["severity"].is_integer()
    for column in ("net_mass_kg", "quantity", "value", "value_reporting", "duty_rate"):
        assert schema[column] == pl.Float64
    for column in ("aeo", "illicit"):
        assert schema[column] == pl.Boolean
    assert frame.height == N
    assert frame["hs_code"].equals(frame["hs_code_current"], check_names=False)
    for column in ("declaration_id", "declared_on", "hs_code", "value", "net_mass_kg"):
        assert frame[column].null_count() == 0


def test_every_code_is_valid_reference_data(frame: pl.DataFrame) -> None:
    ref = builtin()
    hs6 = {code for code in ref.hs["HS2022"] if len(code) == 6}
    assert set(frame["hs_code"].unique()) <= hs6
    assert set(frame["true_hs_code"].unique()) <= hs6
    for column in ("origin_country", "departure_country", "exporter_country"):
        assert set(frame[column].unique()) <= ref.countries
    assert set(frame["currency"].unique()) <= ref.currencies
    assert set(frame["quantity_unit"].unique()) <= ref.units
    assert set(frame["transport_mode"].unique()) <= {m.value for m in TransportMode}
    assert (frame["net_mass_kg"] > 0).all()
    assert (frame["value"] > 0).all()


def test_locations_are_real_un_locodes(frame: pl.DataFrame, shared_data: object) -> None:
    from pathlib import Path

    code_list = Path(str(shared_data)) / "un-locode" / "code-list-2025-1.csv"
    if not code_list.is_file():
        pytest.skip("UN/LOCODE list not available")
    known = pl.read_csv(code_list, infer_schema=False).select(
        (pl.col("Country") + pl.col("Location")).alias("code")
    )
    used = set(frame["loading_location"].drop_nulls().unique())
    assert used
    assert used <= set(known["code"])


def test_declarations_are_whole_and_numbered(frame: pl.DataFrame) -> None:
    items = frame.group_by("declaration_id", maintain_order=True).agg(
        pl.col("item_no"), pl.col("declared_on").n_unique().alias("dates")
    )
    assert items.height > N / 4  # several items per declaration on average, not all
    assert items.height < N
    assert (items["dates"] == 1).all()
    numbered = items["item_no"].list.eval(pl.element() == pl.int_range(1, pl.len() + 1))
    assert numbered.list.all().all()
    dates = frame["declared_on"]
    assert (day(dates.max()) - day(dates.min())).days > 90  # spread over months


def test_chunks_carry_on_where_the_last_one_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sampler, "CHUNK_DECLARATIONS", 150)
    chunks = list(declarations(1_000, 5))
    assert len(chunks) > 2
    whole = pl.concat(chunks)
    assert whole.height == 1_000
    ids = whole["declaration_id"].unique(maintain_order=True)
    assert ids.to_list() == sorted(ids.to_list())
    assert whole.select("declaration_id", "item_no").is_unique().all()


def test_declaration_count_can_be_asked_for() -> None:
    frame = pl.concat(list(declarations(n_declarations=300, seed=2)))
    assert frame["declaration_id"].n_unique() == 300


def test_undervalued_items_sit_far_below_their_reference(frame: pl.DataFrame) -> None:
    ratio = (
        frame.with_columns(
            ratio=pl.col("value_reporting") / pl.col("net_mass_kg") / pl.col("reference_usd_kg")
        )
        .group_by("pattern")
        .agg(pl.col("ratio").median(), pl.len())
    )
    by = {row["pattern"]: row for row in ratio.iter_rows(named=True)}
    assert 0.8 < by[""]["ratio"] < 1.25
    assert by["undervaluation"]["ratio"] < 0.5
    assert by["undervaluation"]["len"] > 100


def test_reference_prices_are_ground_truth(world: World, frame: pl.DataFrame) -> None:
    reference = world.reference_prices()
    joined = frame.join(
        reference,
        left_on=["true_hs_code", "true_origin"],
        right_on=["hs_code", "origin_country"],
    )
    assert joined.height == frame.height
    assert number((joined["unit_value_usd"] - joined["reference_usd_kg"]).abs().max()) < 1e-9


def test_switched_origins_dodge_a_trade_remedy(frame: pl.DataFrame) -> None:
    switched = frame.filter(pl.col("pattern") == "origin_switch")
    assert switched.height > 10
    assert (switched["departure_country"] != switched["origin_country"]).all()
    assert (switched["origin_country"] != switched["true_origin"]).all()
    assert set(switched["true_origin"].unique()) <= set(REMEDY_ORIGINS)
    assert set(switched["origin_country"].unique()) <= set(SWITCH_ORIGINS)
    assert set(switched["hs_code"].unique()) <= set(REMEDY_CODES)
    assert (switched["duty_type"] != "ADD").all()
    honest = frame.filter(
        pl.col("origin_country").is_in(REMEDY_ORIGINS) & pl.col("hs_code").is_in(REMEDY_CODES)
    )
    assert (honest["duty_type"] == "ADD").all()
    # honest transit makes the signal noisy, not decisive
    clean = frame.filter(pl.col("pattern") == "")
    assert 0.02 < number((clean["departure_country"] != clean["origin_country"]).mean()) < 0.4


def test_misclassified_goods_take_a_cheaper_code_of_the_same_chapter(
    world: World, frame: pl.DataFrame
) -> None:
    wrong = frame.filter(pl.col("pattern") == "misclassification")
    assert wrong.height > 50
    assert (wrong["hs_code"] != wrong["true_hs_code"]).all()
    assert (wrong["hs_code"].str.slice(0, 2) == wrong["true_hs_code"].str.slice(0, 2)).all()
    mfn = dict(zip(world.hs_codes.to_list(), world.hs_mfn, strict=True))
    assert all(
        mfn[declared] < mfn[true]
        for declared, true in wrong.select("hs_code", "true_hs_code").iter_rows()
    )
    # the value is that of the real goods: far from the declared code's reference, often
    declared_ref = world.reference_prices().rename({"unit_value_usd": "declared_ref"})
    off = wrong.join(declared_ref, on=["hs_code", "origin_country"]).select(
        (pl.col("reference_usd_kg") / pl.col("declared_ref")).log().abs().median()
    )
    assert off.item() > 0.3


def test_labels_are_per_declaration_with_realistic_noise(per_declaration: pl.DataFrame) -> None:
    assert (per_declaration["labels"] == 1).all()
    rate = number(per_declaration["illicit"].mean())
    assert 0.02 < rate < 0.15
    planted = per_declaration.filter(pl.col("planted"))
    found = number(planted["illicit"].mean())
    assert 0.75 < found < 0.97  # inspections miss some
    random_hits = per_declaration.filter(~pl.col("planted") & pl.col("illicit"))
    assert random_hits.height > 0  # and a few clean-looking ones are illicit
    assert random_hits.height < 0.02 * per_declaration.height
    severity = per_declaration.select(
        ok=pl.when(pl.col("illicit"))
        .then(pl.col("severity").is_between(1, 9))
        .otherwise(pl.col("severity") == 0)
    )
    assert severity["ok"].all()


def test_high_risk_traders_repeat_offences(world: World, per_declaration: pl.DataFrame) -> None:
    traders = world.traders().select("importer_id", "high_risk", "aeo")
    rates = (
        per_declaration.join(traders, on="importer_id")
        .group_by("high_risk")
        .agg(pl.col("planted").mean().alias("rate"), pl.len())
    )
    by = {row["high_risk"]: row for row in rates.iter_rows(named=True)}
    assert by[True]["len"] > 50
    assert by[True]["rate"] > 4 * by[False]["rate"]
    repeaters = (
        per_declaration.join(traders.filter("high_risk"), on="importer_id")
        .group_by("importer_id")
        .agg(pl.col("planted").sum())
    )
    assert (repeaters["planted"] >= 2).sum() >= 3


def test_aeo_traders_are_a_minority(frame: pl.DataFrame) -> None:
    share = number(frame.group_by("importer_id").agg(pl.col("aeo").first())["aeo"].mean())
    assert 0.02 < share < 0.3


def test_reporting_values_follow_the_rates(frame: pl.DataFrame) -> None:
    rates = exchange_rates("USD")
    assert rates["USD"] == 1.0
    check = frame.with_columns(
        expected=pl.col("value") * pl.col("currency").replace_strict(rates, return_dtype=pl.Float64)
    ).select(
        (
            (pl.col("expected") - pl.col("value_reporting")).abs()
            <= 0.01 + 1e-6 * pl.col("expected")
        ).all()
    )
    assert check.item()
    shares = frame["currency"].value_counts(normalize=True)
    top = shares.sort("proportion", descending=True)["currency"].head(3).to_list()
    assert top[0] == "USD"
    assert "EUR" in top


def test_reporting_currency_must_have_a_rate() -> None:
    with pytest.raises(ValueError, match="XXX"):
        next(declarations(10, 1, reporting_currency="XXX"))
    eur = generate(200, 1, reporting_currency="EUR")
    usd = generate(200, 1)
    foreign = ~eur["currency"].is_in(["USD", "EUR"]) & ~usd["currency"].is_in(["USD", "EUR"])
    assert foreign.sum() > 10
    assert eur.filter(foreign)["value"].equals(usd.filter(foreign)["value"])
    assert (eur.filter(foreign)["value_reporting"] < usd.filter(foreign)["value_reporting"]).all()


def test_exactly_one_size_is_asked_for() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        next(declarations(10, 1, n_declarations=5))
