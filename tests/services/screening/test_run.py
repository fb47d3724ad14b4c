"""Screening the stored parties: a variant spelling of a listed company and a vessel by IMO are
hit with explanations; hits become risk reasons withheld from readers without nominal data; a
dismissal is reused until the entry changes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest

from borderlink.errors import InvalidInput, PermissionDenied
from borderlink.services import Node
from borderlink.services.accounts.access import Principal, Role
from borderlink.services.declarations.redaction import redact_reasons
from borderlink.services.ingest.files import ingest_file
from borderlink.services.risk._store import read_items
from borderlink.services.screening import hits, run, watchlists
from tests.factories import good

ADMIN = Principal.system("test")
ANALYST = Principal(user_id=7, username="ana", role=Role.RISK_ANALYST)
OFFICER = Principal(user_id=9, username="officer", role=Role.OFFICER, office_id="OF1")

SDN = (
    '4243,"EBANO","vessel","CUBA",-0- ,-0- ,"General Cargo","2595","1865","Panama",-0- ,'
    "\"Vessel Registration Identification IMO 7406784; f.k.a. 'ANA I'.\"\n"
    '306,"BANCO NACIONAL DE CUBA",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,'
    "\"a.k.a. 'BNC'.\"\n"
)


@pytest.fixture
def screened(node: Node, tmp_path: Path, write_csv: Callable[..., Path]) -> Node:
    rows = [
        good(declaration_id="D1", importer_id="IMP1", importer_name="Banco Nacionall de Cuba S.A."),
        good(declaration_id="D2", importer_id="IMP2", importer_name="Harmless Traders Ltd"),
        good(
            declaration_id="D3",
            importer_id="IMP3",
            importer_name="Zeta Foods",
            conveyance="IMO 7406784",
        ),
    ]
    ingest_file(node, ADMIN, write_csv(rows))
    path = tmp_path / "sdn.csv"
    path.write_text(SDN, encoding="utf-8")
    watchlists.load_watchlist(node, ADMIN, path, "ofac-csv", "SDN")
    return node


def _scored(node: Node) -> tuple[pl.DataFrame, pl.DataFrame]:
    items = read_items(node)
    scored = pl.DataFrame(
        {
            "declaration_id": ["D1", "D2", "D3"],
            "channel": ["green"] * 3,
            "selection": ["none"] * 3,
            "reasons": [json.dumps([{"source": "model", "text": "unit value"}])] * 3,
        }
    )
    return scored, items


def test_variant_spelling_and_imo_are_hit_and_explained(screened: Node) -> None:
    summary = run.screen_parties(screened, ADMIN)
    assert summary.new_hits == 2
    found = {h["party_id"]: h for h in hits.list_hits(screened, ANALYST)}
    assert set(found) == {"IMP1", "conveyance:IMO 7406784"}
    bank = found["IMP1"]
    assert (bank["list_name"], bank["entry_id"], bank["status"]) == ("SDN", "306", "open")
    assert "SDN entry 306" in bank["explanation"]
    assert "company_form" in bank["details"]["steps"]
    vessel = found["conveyance:IMO 7406784"]
    assert (vessel["entry_id"], vessel["method"], vessel["score"]) == (
        "4243",
        "identifier:imo",
        1.0,
    )
    again = run.screen_parties(screened, ADMIN)
    assert again.parties == 0  # nothing changed since: nobody screened twice


def test_a_hit_sends_the_declaration_red_naming_list_and_entry(screened: Node) -> None:
    run.screen_parties(screened, ADMIN)
    out = hits.apply_screening(screened, *_scored(screened))
    rows = {r["declaration_id"]: r for r in out.iter_rows(named=True)}
    assert [rows[d]["channel"] for d in ("D1", "D2", "D3")] == ["red", "green", "red"]
    assert rows["D1"]["selection"] == "screen"
    first = json.loads(rows["D1"]["reasons"])[0]
    assert first["source"] == "screening"
    assert "SDN entry 306" in first["text"]
    hidden = redact_reasons(json.loads(rows["D1"]["reasons"]), ["IMP1"], nominal=False)
    assert "SDN" not in hidden[0]["text"]
    assert "BANCO" not in json.dumps(hidden)
    assert hidden[1]["text"] == "unit value"


def test_a_dismissal_is_reused_until_the_entry_changes(screened: Node, tmp_path: Path) -> None:
    run.screen_parties(screened, ADMIN)
    [bank] = [h for h in hits.list_hits(screened, ANALYST) if h["party_id"] == "IMP1"]
    hits.decide_hit(screened, ANALYST, bank["hit_id"], "dismiss", "another bank, checked")
    run.screen_parties(screened, ADMIN, party_ids=["IMP1"])
    out = hits.apply_screening(screened, *_scored(screened))
    assert out.filter(pl.col("declaration_id") == "D1")["channel"].item() == "green"
    changed = tmp_path / "sdn2.csv"
    changed.write_text(SDN.replace("'BNC'", "'BNC'; a.k.a. 'BANCO CUBA'"), encoding="utf-8")
    watchlists.load_watchlist(screened, ADMIN, changed, "ofac-csv", "SDN")
    summary = run.screen_parties(screened, ADMIN)
    assert summary.reopened == 1
    [bank] = [h for h in hits.list_hits(screened, ANALYST) if h["party_id"] == "IMP1"]
    assert bank["status"] == "open"


def test_an_ended_entry_raises_nothing(screened: Node, tmp_path: Path) -> None:
    run.screen_parties(screened, ADMIN)
    only_vessel = tmp_path / "sdn3.csv"
    only_vessel.write_text(SDN.splitlines()[0] + "\n", encoding="utf-8")
    watchlists.load_watchlist(screened, ADMIN, only_vessel, "ofac-csv", "SDN")
    out = hits.apply_screening(screened, *_scored(screened))
    assert out["channel"].to_list() == ["green", "green", "red"]


def test_who_may_screen_and_decide(screened: Node) -> None:
    with pytest.raises(PermissionDenied):
        run.screen_parties(screened, OFFICER)
    run.screen_parties(screened, ANALYST)
    with pytest.raises(PermissionDenied):
        hits.list_hits(screened, OFFICER)
    [first, *_] = hits.list_hits(screened, ANALYST)
    with pytest.raises(InvalidInput):
        hits.decide_hit(screened, ANALYST, first["hit_id"], "confirm", " ")


@pytest.mark.slow
def test_scoring_a_declaration_with_a_hit_sends_it_red(screened: Node) -> None:
    import datetime as dt

    from borderlink import risk
    from borderlink.services.risk import models
    from borderlink.services.risk import score as scoring
    from tests.risk import synthetic

    history = synthetic.declarations(600, seed=11, start=dt.date(2020, 1, 1), days=90)
    synthetic.store(screened.engine, history)
    models.train(
        screened, ADMIN, config=risk.ModelConfig(rounds=10, threads=1, validation_months=1)
    )
    run.screen_parties(screened, ADMIN)
    found = scoring.score_many(screened, ADMIN, ["D1", "D2"], route=False)
    assert (found["D1"]["channel"], found["D1"]["selection"]) == ("red", "screen")
    assert found["D1"]["reasons"][0]["source"] == "screening"
    assert all(r["source"] != "screening" for r in found["D2"]["reasons"] or [])


def test_every_party_of_an_ingested_declaration_is_screened_on_arrival(
    node: Node, tmp_path: Path, write_csv: Callable[..., Path]
) -> None:
    path = tmp_path / "sdn.csv"
    path.write_text(SDN, encoding="utf-8")
    watchlists.load_watchlist(node, ADMIN, path, "ofac-csv", "SDN")
    submitter = Principal(user_id=5, username="feed", role=Role.ADMINISTRATOR)
    rows = [
        good(declaration_id="D1", importer_id="IMP1", importer_name="Banco Nacionall de Cuba S.A."),
        good(declaration_id="D2", importer_id="IMP2", importer_name="Harmless Traders Ltd"),
    ]
    ingest_file(node, submitter, write_csv(rows))  # no `screening run` after it
    found = {h["party_id"]: h for h in hits.list_hits(node, ANALYST)}
    assert set(found) == {"IMP1"}
    assert found["IMP1"]["entry_id"] == "306"
    assert run.screen_parties(node, ADMIN).parties == 0  # already screened at ingest


def test_a_run_streams_the_parties_a_chunk_at_a_time(
    screened: Node, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(run, "CHUNK", 2)
    seen: list[int] = []
    summary = run.screen_parties(screened, ADMIN, progress=seen.append)
    # three importers and the exporters/declarants of the rows, then the one vessel by IMO
    assert summary.parties == seen[-1]
    assert all(b - a <= 2 for a, b in zip([0, *seen], seen, strict=False))
    assert len(seen) >= summary.parties // 2
    found = {h["party_id"] for h in hits.list_hits(screened, ANALYST)}
    assert found == {"IMP1", "conveyance:IMO 7406784"}
    assert run.screen_parties(screened, ADMIN).parties == 0
