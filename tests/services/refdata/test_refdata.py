"""Reference data services, on SQLite and PostgreSQL (the ``node`` fixture)."""

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Table, func, select

from borderlink.errors import InvalidInput, NotFound, ReferenceDataMissing
from borderlink.refdata import builtin, convert
from borderlink.services import Node
from borderlink.services.accounts.access import Principal
from borderlink.services.refdata.load import (
    load_correlation,
    load_hs,
    load_locations,
    load_rates,
    show_country,
    show_hs,
    snapshot,
    summary,
)
from borderlink.store.tables import (
    audit_log,
    exchange_rates,
    hs_correlations,
    hs_nomenclature,
    locations,
)

HS_HEADER = "section,hscode,description,parent,level\n"
SMALL_HS = HS_HEADER + (
    "XVI,85,Electrical machinery,TOTAL,2\n"
    "XVI,8517,Telephone sets,85,4\n"
    "XVI,851713,Smartphones,8517,6\n"
)

OPS = Principal.system("cli")  # acts for the node in the tests


def count(node: Node, table: Table) -> int:
    with node.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def audit_actions(node: Node) -> list[str]:
    with node.engine.connect() as conn:
        return list(
            conn.execute(select(audit_log.c.action).order_by(audit_log.c.entry_id)).scalars()
        )


def test_loading_hs_twice_changes_nothing(node: Node, shared_data: Path) -> None:
    path = shared_data / "hs" / "hs2022.csv"
    assert load_hs(node, OPS, path) == 6_936
    with node.engine.connect() as conn:
        before = conn.execute(select(hs_nomenclature).order_by("edition", "code")).all()
    assert load_hs(node, Principal.system("officer-7"), path, "HS2022") == 6_936
    with node.engine.connect() as conn:
        after = conn.execute(select(hs_nomenclature).order_by("edition", "code")).all()
        actors = list(conn.execute(select(audit_log.c.actor)).scalars())
        details = list(conn.execute(select(audit_log.c.details)).scalars())
    assert after == before
    assert len(after) == 6_936
    assert audit_actions(node) == ["refdata.load_hs", "refdata.load_hs"]
    assert actors == ["cli", "officer-7"]
    assert [(d["rows"], d["changed"]) for d in details] == [(6_936, 6_936), (6_936, 0)]
    assert details[0]["sha256"] == details[1]["sha256"]


def test_a_changed_description_updates(node: Node, tmp_path: Path) -> None:
    path = tmp_path / "hs2022.csv"
    path.write_text(SMALL_HS, encoding="utf-8")
    assert load_hs(node, OPS, path) == 3
    path.write_text(SMALL_HS.replace("Smartphones", '"Smartphones, cellular"'), encoding="utf-8")
    load_hs(node, OPS, path)
    with node.engine.connect() as conn:
        stored = conn.execute(
            select(hs_nomenclature.c.description).where(hs_nomenclature.c.code == "851713")
        ).scalar_one()
        last = conn.execute(
            select(audit_log.c.details).order_by(audit_log.c.entry_id.desc()).limit(1)
        ).scalar_one()
    assert stored == "Smartphones, cellular"
    assert last["changed"] == 1
    assert count(node, hs_nomenclature) == 3


def test_a_bad_file_stores_nothing(node: Node, tmp_path: Path) -> None:
    path = tmp_path / "broken.csv"
    path.write_text(SMALL_HS + "XVI,8518A,Microphones,85,4\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="line 5, field 'hscode'"):
        load_hs(node, OPS, path, "HS2022")
    assert count(node, hs_nomenclature) == 0
    assert audit_actions(node) == []


def test_snapshot_with_nothing_loaded_is_the_builtin_data(node: Node) -> None:
    refdata = snapshot(node)
    base = builtin(node.settings.reporting_currency)
    assert refdata.hs == base.hs
    assert refdata.countries == base.countries
    assert refdata.currencies == base.currencies
    assert refdata.correlations == {}
    assert refdata.rates == {}
    assert refdata.locations is None
    assert refdata.current_edition == "HS2022"


def test_snapshot_maps_hs2017_only_codes_to_hs2022(node: Node, shared_data: Path) -> None:
    load_hs(node, OPS, shared_data / "hs" / "hs2017.csv")  # edition from the file name
    assert (
        load_correlation(node, OPS, shared_data / "hs" / "hs2022-hs2017-correlation.csv") == 15_656
    )
    refdata = snapshot(node)
    assert set(refdata.hs) == {"HS2022", "HS2017"}
    assert "847130" in refdata.hs["HS2017"]
    assert "847130" in refdata.hs["HS2022"]
    assert "620111" in refdata.hs["HS2017"]
    assert "620111" not in refdata.hs["HS2022"]
    assert refdata.editions_having("620111") == ["HS2017"]
    assert refdata.correlations[("HS2017", "HS2022")]["620111"] == "620120"
    assert "970500" not in refdata.correlations[("HS2017", "HS2022")]  # split in six: ambiguous
    assert refdata.correlations[("HS2022", "HS2017")]["970531"] == "970500"
    load_correlation(node, OPS, shared_data / "hs" / "hs2022-hs2017-correlation.csv")
    assert count(node, hs_correlations) == 15_656
    load_correlation(node, OPS, shared_data / "hs" / "hs2022-to-hs2017-conversion.csv")
    assert count(node, hs_correlations) == 15_656  # its pairs are all in the UN table
    with node.engine.connect() as conn:
        labels = conn.execute(
            select(hs_correlations.c.relationship, func.count()).group_by("relationship")
        ).all()
    assert dict(labels) == {"1:1": 4_096, "n:1": 1_392, "1:n": 54, "n:n": 10_114}  # kept


def test_correlation_editions_can_be_named(node: Node, tmp_path: Path) -> None:
    path = tmp_path / "pairs.csv"
    path.write_text("new,old\n851713,851712\n851714,851712\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="cannot tell which edition"):
        load_correlation(node, OPS, path)
    assert load_correlation(node, OPS, path, from_edition="HS2022", to_edition="HS2017") == 2
    maps = snapshot(node).correlations
    assert maps[("HS2022", "HS2017")] == {"851713": "851712", "851714": "851712"}
    assert maps[("HS2017", "HS2022")] == {}


def test_rates_load_idempotently_and_convert(node: Node, tmp_path: Path) -> None:
    path = tmp_path / "rates.csv"
    path.write_text(
        "currency,valid_from,rate\nKRW,2020-01-01,0.00085\nKRW,2020-07-01,0.0008\n"
        "EUR,2020-01-01,1.1\n",
        encoding="utf-8",
    )
    assert load_rates(node, OPS, path) == 3
    assert load_rates(node, OPS, path) == 3
    assert count(node, exchange_rates) == 3
    refdata = snapshot(node)
    assert refdata.rates["KRW"] == (
        (dt.date(2020, 1, 1), 0.00085),
        (dt.date(2020, 7, 1), 0.0008),
    )
    assert convert(1_000_000, "KRW", dt.date(2020, 8, 1), refdata) == pytest.approx(800)
    path.write_text("currency,valid_from,rate\nKRW,2020-07-01,0.0009\n", encoding="utf-8")
    load_rates(node, OPS, path)
    assert snapshot(node).rates["KRW"][-1] == (dt.date(2020, 7, 1), 0.0009)


def test_locations_load_idempotently(node: Node, shared_data: Path, tmp_path: Path) -> None:
    lines = (shared_data / "un-locode" / "code-list-2025-1.csv").read_text("utf-8").splitlines()
    path = tmp_path / "code-list.csv"
    path.write_text("\n".join(lines[:3_001]) + "\n", encoding="utf-8")
    seen: list[int] = []
    loaded = load_locations(node, OPS, path, progress=seen.append)
    assert loaded == sum(seen) == count(node, locations)
    assert 2_900 < loaded <= 3_000
    assert load_locations(node, OPS, path) == loaded
    assert count(node, locations) == loaded
    refdata = snapshot(node)
    assert refdata.locations is not None
    assert "ADALV" in refdata.locations
    assert len(refdata.locations) == loaded


def test_a_bad_row_in_a_later_batch_stores_no_location(node: Node, tmp_path: Path) -> None:
    path = tmp_path / "code-list.csv"
    path.write_text(
        "Change,Country,Location,Name,NameWoDiacritics,Subdivision,Status,Function,Date,IATA,"
        "Coordinates,Remarks\n"
        ",BE,ANR,Antwerpen,Antwerpen,VAN,AI,12345---,0501,,,\n"
        ",BE,BRU,Brussel,Brussel,BRU,AI,1234----,1101,,,\n"
        ",NL,RTM,Rotterdam,Rotterdam,ZH,AF,12345---,0701,,,\n"
        ",NL,R-M,Broken,Broken,ZH,AF,12345---,0701,,,\n",
        encoding="utf-8",
    )
    stored: list[int] = []
    with pytest.raises(InvalidInput, match="line 5, field 'location'"):
        load_locations(node, OPS, path, batch_rows=2, progress=stored.append)
    assert stored == [2]  # the first batch went in, then the transaction rolled back
    assert count(node, locations) == 0
    assert audit_actions(node) == []


def test_show_hs_works_without_any_file_loaded(node: Node) -> None:
    view = show_hs(node, "8517")
    assert (view.edition, view.source, view.level, view.section) == ("HS2022", "builtin", 4, "XVI")
    assert [a.code for a in view.ancestors] == ["85"]
    assert "851713" in [d.code for d in view.descendants]
    assert view.correlated == []
    chapter = show_hs(node, "85")
    heading = next(h for h in chapter.descendants if h.code == "8517")
    assert "851713" in [c.code for c in heading.children]
    leaf = show_hs(node, "8517.13")
    assert [a.code for a in leaf.ancestors] == ["85", "8517"]
    assert leaf.descendants == []


def test_a_loaded_edition_wins_over_the_builtin_one(node: Node, tmp_path: Path) -> None:
    path = tmp_path / "national.csv"
    path.write_text(SMALL_HS, encoding="utf-8")
    load_hs(node, OPS, path, "HS2022")
    view = show_hs(node, "8517")
    assert (view.source, view.description) == ("loaded", "Telephone sets")
    assert [d.code for d in view.descendants] == ["851713"]
    assert snapshot(node).hs["HS2022"] == frozenset({"85", "8517", "851713"})


def test_show_hs_finds_an_older_edition_code_and_its_correlations(
    node: Node, shared_data: Path
) -> None:
    load_hs(node, OPS, shared_data / "hs" / "hs2017.csv")
    load_correlation(node, OPS, shared_data / "hs" / "hs2022-hs2017-correlation.csv")
    old = show_hs(node, "620111")
    assert old.edition == "HS2017"
    assert [(c.edition, c.code) for c in old.correlated] == [("HS2022", "620120")]
    assert old.correlated[0].description is not None  # from the builtin HS 2022
    split = show_hs(node, "970500", "HS2017")
    assert len(split.correlated) == 6
    assert {c.relationship for c in split.correlated} == {"1:n"}
    new = show_hs(node, "970531")
    assert [(c.edition, c.code, c.relationship) for c in new.correlated] == [
        ("HS2017", "970500", "n:1")
    ]


def test_show_hs_errors(node: Node) -> None:
    with pytest.raises(NotFound, match="HS code 0199"):
        show_hs(node, "0199")
    with pytest.raises(ReferenceDataMissing, match="HS edition HS2017 is not loaded"):
        show_hs(node, "8517", "HS2017")
    with pytest.raises(InvalidInput):
        show_hs(node, "85x7")


def test_show_country() -> None:
    view = show_country("kor")
    assert (view.alpha_2, view.alpha_3, view.numeric) == ("KR", "KOR", "410")


def test_summary_counts_what_is_loaded(node: Node, shared_data: Path, tmp_path: Path) -> None:
    empty = summary(node)
    assert [(e.edition, e.source, e.subheadings) for e in empty.editions] == [
        ("HS2022", "builtin", 5_612)
    ]
    load_hs(node, OPS, shared_data / "hs" / "hs2017.csv")
    load_correlation(node, OPS, shared_data / "hs" / "hs2022-to-hs2017-conversion.csv")
    rates = tmp_path / "rates.csv"
    rates.write_text("currency,valid_from,rate\nKRW,2020-01-01,0.00085\n", encoding="utf-8")
    load_rates(node, OPS, rates)
    full = summary(node)
    assert [(e.edition, e.source) for e in full.editions] == [
        ("HS2017", "loaded"),
        ("HS2022", "builtin"),
    ]
    assert full.editions[0].chapters == 96
    assert full.editions[0].subheadings == 5_387
    (pairs,) = full.correlations
    assert (pairs.from_edition, pairs.to_edition, pairs.pairs) == ("HS2022", "HS2017", 5_612)
    assert pairs.unambiguous_forward == 5_612
    assert (full.rates, full.rate_currencies, full.locations) == (1, ["KRW"], 0)


def test_loading_reference_data_needs_refdata_manage(node: Node, tmp_path: Path) -> None:
    from borderlink.errors import PermissionDenied
    from borderlink.services.accounts.access import Role

    analyst = Principal(user_id=5, username="ana", role=Role.RISK_ANALYST)
    path = tmp_path / "rates.csv"
    path.write_text("currency,valid_from,rate\nEUR,2026-01-01,1.1\n")
    with pytest.raises(PermissionDenied):
        load_rates(node, analyst, path)
