"""Watchlists in the node: load, reload (changed entries updated, removed ones ended), diff."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from borderlink.errors import InvalidInput, PermissionDenied
from borderlink.services import Node
from borderlink.services.accounts.access import Principal, Role
from borderlink.services.screening import watchlists
from borderlink.store.tables import audit_log

ADMIN = Principal.system("test")
OFFICER = Principal(user_id=9, username="officer", role=Role.OFFICER, office_id="OF1")

SDN = (
    '4243,"EBANO","vessel","CUBA",-0- ,-0- ,"General Cargo","2595","1865","Panama",-0- ,'
    "\"Vessel Registration Identification IMO 7406784; f.k.a. 'ANA I'.\"\n"
    '306,"BANCO NACIONAL DE CUBA",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,'
    "\"a.k.a. 'BNC'.\"\n"
    '2674,"ABBAS, Abu","individual","SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"DOB 10 Dec 1948."\n'
)


def _write(tmp_path: Path, text: str, name: str = "sdn.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_load_then_reload_updates_and_ends_never_deletes(node: Node, tmp_path: Path) -> None:
    first = watchlists.load_watchlist(node, ADMIN, _write(tmp_path, SDN), "ofac-csv", "SDN")
    assert (first.read, first.added, first.ended) == (3, 3, 0)
    changed = SDN.replace("BANCO NACIONAL DE CUBA", "BANCO NACIONAL DE CUBA S.A.")
    changed = "\n".join(line for line in changed.splitlines() if not line.startswith("2674")) + "\n"
    second = watchlists.load_watchlist(node, ADMIN, _write(tmp_path, changed), "ofac-csv", "SDN")
    assert (second.added, second.updated, second.unchanged, second.ended) == (0, 1, 1, 1)
    gone = watchlists.show_entry(node, ADMIN, "SDN", "2674")
    assert gone["ended_at"] is not None
    assert gone["names"] == ["ABBAS, Abu"]
    assert [e.entry_id for e in watchlists.active_entries(node, "SDN")] == ["306", "4243"]
    [listed] = watchlists.list_watchlists(node, ADMIN)
    assert (listed["entries"], listed["ended"], listed["loads"]) == (2, 1, 2)
    with node.read() as conn:
        actions = conn.execute(
            select(audit_log.c.action).where(audit_log.c.object_type == "watchlist")
        ).all()
    assert len(actions) == 2


def test_the_same_file_twice_changes_nothing(node: Node, tmp_path: Path) -> None:
    path = _write(tmp_path, SDN)
    watchlists.load_watchlist(node, ADMIN, path, "ofac-csv", "SDN")
    again = watchlists.load_watchlist(node, ADMIN, path, "ofac-csv", "SDN")
    assert (again.added, again.updated, again.unchanged, again.ended) == (0, 0, 3, 0)


def test_diff_says_what_a_load_would_change(node: Node, tmp_path: Path) -> None:
    watchlists.load_watchlist(node, ADMIN, _write(tmp_path, SDN), "ofac-csv", "SDN")
    other = SDN.replace("ABBAS, Abu", "ABBAS, Abul") + '9,"NEW CO",-0- ,-0-\n'
    found = watchlists.diff_watchlist(
        node, ADMIN, _write(tmp_path, other, "b.csv"), "ofac-csv", "SDN"
    )
    assert (found.added, found.changed, found.removed) == (("9",), ("2674",), ())


def test_bad_records_are_named_and_the_rest_loads(node: Node, tmp_path: Path) -> None:
    text = "id,name,aliases,imo\nV1,EBANO,ANA I,IMO 7406784\nV2,,,\n"
    found = watchlists.load_watchlist(node, ADMIN, _write(tmp_path, text, "l.csv"), "csv", "L")
    assert found.added == 1
    assert [(r.record, r.field) for r in found.rejected] == [(3, "name")]


def test_who_may(node: Node, tmp_path: Path) -> None:
    with pytest.raises(PermissionDenied):
        watchlists.load_watchlist(node, OFFICER, _write(tmp_path, SDN), "ofac-csv", "SDN")
    with pytest.raises(InvalidInput):
        watchlists.load_watchlist(node, ADMIN, _write(tmp_path, SDN), "xml", "SDN")


def test_the_sdn_list_loads(node: Node, shared_data: Path) -> None:
    path = shared_data / "watchlists" / "ofac-sdn-2024-05-03.csv"
    found = watchlists.load_watchlist(node, ADMIN, path, "ofac-csv", "OFAC-SDN")
    assert (found.read, found.added, len(found.rejected)) == (14_965, 14_965, 0)
