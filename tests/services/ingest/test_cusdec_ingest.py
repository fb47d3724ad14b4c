"""CUSDEC interchanges through the node's ingest (SQLite and PostgreSQL): stored as the
segments say, what is not a declaration rejected with its reason, an amendment applied."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from borderlink.services import Node
from borderlink.services.accounts.access import Principal
from borderlink.services.ingest.files import ingest_file
from borderlink.store.tables import declarations, goods_items, rejects

OPS = Principal.system("test")
SAMPLE = Path(__file__).parents[2] / "ingest" / "data" / "cusdec-sample.edi"


def test_the_sample_interchange_ingests(node: Node, tmp_path: Path) -> None:
    summary = ingest_file(node, OPS, SAMPLE, format="cusdec")
    assert summary.accepted == 2  # the two goods items of D-EDI-0001
    assert summary.rejected == 2  # a CUSRES message, a declaration without goods items
    with node.read() as conn:
        header = conn.execute(select(declarations)).one()
        items = conn.execute(select(goods_items).order_by(goods_items.c.item_no)).all()
        reasons = list(conn.execute(select(rejects.c.issues)))
    assert (header.declaration_id, header.importer_id, header.office_id) == (
        "D-EDI-0001",
        "IMP-1",
        "OFA",
    )
    assert [(i.hs_code, i.origin_country) for i in items] == [("851762", "CN"), ("940350", "VN")]
    assert len(reasons) == 2
    again = ingest_file(node, OPS, SAMPLE, format="cusdec")
    assert again.accepted == 0  # the same interchange twice stores nothing new
    amended = tmp_path / "amend.edi"
    amended.write_text(
        "UNA:+.? 'UNH+1+CUSDEC:D:96B:UN'BGM+929+D-EDI-0001+5'LOC+22+OFB'"
        "CST+1+85176200:122'LOC+27+CN'MOA+38:900:USD'UNT+6+1'"
    )
    ingest_file(node, OPS, amended, format="cusdec")
    with node.read() as conn:
        office = conn.execute(select(declarations.c.office_id)).scalar_one()
    assert office == "OFB"
