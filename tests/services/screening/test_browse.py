"""Reading lists and hits for people: a list's entries (search, ended ones), the hits work
list (filters, paging, open ones first), one hit with its entry, and nominal data withheld
from a reader without ``nominal:read`` (and audited for those who see it)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from borderlink.errors import InvalidInput, NotFound, PermissionDenied
from borderlink.services import Node
from borderlink.services.accounts.access import Permission, Principal, Role
from borderlink.services.ingest.files import ingest_file
from borderlink.services.screening import browse, run, watchlists
from borderlink.store.tables import audit_log
from tests.factories import good

ADMIN = Principal.system("test")
ANALYST = Principal(user_id=7, username="ana", role=Role.RISK_ANALYST)
OFFICER = Principal(user_id=9, username="officer", role=Role.OFFICER, office_id="OF1")
# an analyst's token scoped to reviewing hits, without nominal:read
SCOPED = Principal(
    user_id=7,
    username="ana",
    role=Role.RISK_ANALYST,
    scopes=frozenset({Permission.SCREENING_REVIEW}),
)

SDN = (
    '4243,"EBANO","vessel","CUBA",-0- ,-0- ,"General Cargo","2595","1865","Panama",-0- ,'
    "\"Vessel Registration Identification IMO 7406784; f.k.a. 'ANA I'.\"\n"
    '306,"BANCO NACIONAL DE CUBA",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,'
    "\"a.k.a. 'BNC'.\"\n"
    '7001,"ZULU SHIPPING LLC",-0- ,"SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n'
)


@pytest.fixture
def screened(node: Node, tmp_path: Path, write_csv: Callable[..., Path]) -> Node:
    path = tmp_path / "sdn.csv"
    path.write_text(SDN, encoding="utf-8")
    watchlists.load_watchlist(node, ADMIN, path, "ofac-csv", "SDN")
    rows = [
        good(declaration_id="D1", importer_id="IMP1", importer_name="Banco Nacionall de Cuba S.A."),
        good(declaration_id="D2", importer_id="IMP2", importer_name="Zulu Shiping"),
        good(
            declaration_id="D3", importer_id="IMP3", importer_name="Zeta", conveyance="IMO 7406784"
        ),
    ]
    ingest_file(node, ADMIN, write_csv(rows))
    run.screen_parties(node, ADMIN)
    return node


def test_a_lists_entries_are_searched_and_paged(screened: Node, tmp_path: Path) -> None:
    [sdn] = browse.watchlist_views(screened, OFFICER)
    assert (sdn.name, sdn.entries, sdn.ended) == ("SDN", 3, 0)
    page = browse.browse_entries(screened, OFFICER, "SDN", limit=2)
    assert (page.total, [e.entry_id for e in page.items]) == (3, ["306", "4243"])
    assert browse.browse_entries(screened, OFFICER, "SDN", q="bnc").items[0].entry_id == "306"
    assert browse.browse_entries(screened, OFFICER, "SDN", q="7406784").items[0].names[0] == "EBANO"
    assert browse.browse_entries(screened, OFFICER, "SDN", q="7001").total == 1
    shorter = tmp_path / "sdn2.csv"
    shorter.write_text("".join(SDN.splitlines(keepends=True)[:2]), encoding="utf-8")
    watchlists.load_watchlist(screened, ADMIN, shorter, "ofac-csv", "SDN")
    assert browse.browse_entries(screened, OFFICER, "SDN").total == 2
    with_ended = browse.browse_entries(screened, OFFICER, "SDN", ended=True)
    assert [e.entry_id for e in with_ended.items if e.ended_at] == ["7001"]
    with pytest.raises(NotFound) as missing:
        browse.browse_entries(screened, OFFICER, "UN")
    assert missing.value.field == "list_name"
    with pytest.raises(InvalidInput):
        browse.browse_entries(screened, OFFICER, "SDN", limit=0)


def test_the_work_list_filters_pages_and_puts_open_hits_first(screened: Node) -> None:
    page = browse.browse_hits(screened, ANALYST)
    assert page.total == 3
    assert {h.party_id for h in page.items} == {"IMP1", "IMP2", "conveyance:IMO 7406784"}
    assert page.items[0].score == 1.0  # the vessel by IMO, best first
    vessel = page.items[0]
    browse.decide(screened, ANALYST, vessel.hit_id, "dismiss", "another EBANO, checked")
    again = browse.browse_hits(screened, ANALYST)
    assert again.items[-1].hit_id == vessel.hit_id  # decided ones after what waits
    assert again.items[-1].status == "dismissed"
    opened = browse.browse_hits(screened, ANALYST, browse.HitFilter(status="open"))
    assert opened.total == 2
    mine = browse.browse_hits(screened, ANALYST, browse.HitFilter(party_id="IMP2"))
    assert [h.entry_id for h in mine.items] == ["7001"]
    assert mine.items[0].party_name == "Zulu Shiping"
    assert browse.browse_hits(screened, ANALYST, limit=1, offset=2).items[0].status == "dismissed"


def test_one_hit_shows_how_it_matched_and_its_entry(screened: Node) -> None:
    [bank] = browse.browse_hits(screened, ANALYST, browse.HitFilter(party_id="IMP1")).items
    found = browse.get_hit(screened, ANALYST, bank.hit_id)
    assert found.entry is not None
    assert found.entry.names == ["BANCO NACIONAL DE CUBA", "BNC"]
    assert "company_form" in found.steps
    assert found.compared
    assert found.matched_name == "BANCO NACIONAL DE CUBA"
    assert not found.entry_changed
    with pytest.raises(NotFound):
        browse.get_hit(screened, ANALYST, 10_000)


def test_nominal_data_is_withheld_without_nominal_read_and_audited_with_it(
    screened: Node,
) -> None:
    hidden = browse.browse_hits(screened, SCOPED)
    assert {h.party_id for h in hidden.items} == {"[redacted]"}
    assert all(h.explanation == "[redacted]" for h in hidden.items)
    assert "Banco" not in hidden.model_dump_json()
    detail = browse.get_hit(screened, SCOPED, hidden.items[0].hit_id)
    assert (detail.party_id, detail.compared) == ("[redacted]", [])
    with pytest.raises(InvalidInput):
        browse.browse_hits(screened, SCOPED, browse.HitFilter(party_id="IMP1"))
    with screened.read() as conn:
        before = conn.execute(
            select(audit_log.c.actor).where(audit_log.c.action == "screening.hits.read")
        ).all()
    assert before == []  # nothing nominal was shown
    browse.browse_hits(screened, ANALYST)
    with screened.read() as conn:
        shown = conn.execute(
            select(audit_log.c.details).where(audit_log.c.action == "screening.hits.read")
        ).scalar_one()
    assert len(shown["shown"]) == 3


def test_who_may_read(screened: Node) -> None:
    with pytest.raises(PermissionDenied):
        browse.browse_hits(screened, OFFICER)
    liaison = Principal(user_id=3, username="li", role=Role.LIAISON_OFFICER)
    with pytest.raises(PermissionDenied):
        browse.watchlist_views(screened, liaison)
    with pytest.raises(PermissionDenied):
        browse.browse_entries(screened, liaison, "SDN")
