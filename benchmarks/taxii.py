"""What serving a partner's TAXII collection costs, in-process (no HTTP).

Node A releases ``--records`` seizures to B in batches of ``--batch`` (each a report with its
locations, goods note and party parts); then B's collection at A is read whole: in the
standard view (definitions, then every record with its parts) in pages of ``--limit`` objects,
by ``next`` and by ``added_after``, and in the node-to-node records view (what sync pages).
Reports objects/s of each, the release rate (with the date_added stamping) and peak memory.
Prints one JSON object on the last line.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.coop_mesh import agree, build_mesh, connect
from tests.coop_samples import agreement, new_seizure

from borderlink.exchange.client import outbox_collection
from borderlink.services.accounts.access import Principal
from borderlink.services.cooperation.partners import get_partner
from borderlink.services.cooperation.records import issue_all
from borderlink.services.exchange.taxii import Query, objects_page

OPS = Principal.system("benchmark")


def _read(node: Any, caller: Any, cid: str, query: Query, by_date: bool) -> tuple[int, float]:
    start, count = time.perf_counter(), 0
    while True:
        page = objects_page(node, caller, cid, query, base_url="http://a.example")
        count += len(page.objects)
        if by_date:
            if not page.objects:
                break
            after = page.added[-1]
            query = Query(limit=query.limit, added_after=_parse(after), records=query.records)
        else:
            if not page.more:
                break
            query = Query(limit=query.limit, next=page.next, records=query.records)
    return count, time.perf_counter() - start


def _parse(text: str) -> Any:
    from borderlink.exchange.stix import parse_timestamp

    return parse_timestamp(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--limit", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        mesh = build_mesh(Path(tmp), ["A", "B"])
        try:
            connect(mesh, "A", "B")
            agree(mesh, agreement())
            a = mesh.nodes["A"]
            start = time.perf_counter()
            for done in range(0, args.records, args.batch):
                batch = [new_seizure() for _ in range(min(args.batch, args.records - done))]
                issue_all(a, OPS, batch, notify=False)
            release_s = time.perf_counter() - start
            caller, cid = get_partner(a, "B"), outbox_collection("A", "B")
            standard, standard_s = _read(a, caller, cid, Query(limit=args.limit), False)
            dated, dated_s = _read(a, caller, cid, Query(limit=args.limit), True)
            records, records_s = _read(a, caller, cid, Query(limit=args.limit, records=True), False)
        finally:
            mesh.close()
    figures = {
        "records": args.records,
        "release_records_per_s": round(args.records / release_s, 1),
        "standard_objects": standard,
        "standard_objects_per_s": round(standard / standard_s, 1),
        "by_added_after_objects": dated,
        "by_added_after_objects_per_s": round(dated / dated_s, 1),
        "records_view_per_s": round(records / records_s, 1),
        "page_limit": args.limit,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
