"""The release policy: records (seizures and the alerts they imply) passed through ``release``
per partner, under an allow-list agreement with nested paths and a free-text replacement.

Prints one JSON object on its last line: records released per second, the mean time per
decision, and peak memory. Usage: ``python benchmarks/policy.py --records 20000``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import time
import uuid

from borderlink.cooperation import alert_from_seizure, release
from borderlink.model import Agreement, Alert, Route, SeizedParty, Seizure

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)


def _seizure(n: int) -> Seizure:
    return Seizure(
        id=f"report--{uuid.UUID(int=n)}",
        issuer="A",
        created=NOW,
        modified=NOW,
        seized_on=NOW.date(),
        goods_description=f"cigarettes hidden in sofa frames ({n})",
        hs_code="240220",
        origin_country="CN",
        quantity=1000 + n,
        concealment="false bottom",
        route=Route(departure_country="CN", loading_location="CNSHA"),
        declaration_id=f"D-{n}",
        parties=(
            SeizedParty(role="importer", party_id=f"T-{n}", name="ACME Ltd", country="AT"),
            SeizedParty(role="carrier", party_id=f"C-{n}", name="Ship Co"),
        ),
    )


AGREEMENT = Agreement.model_validate(
    {
        "agreement_id": "AB-2026",
        "title": "A-B",
        "type": "cmaa",
        "parties": ["A", "B"],
        "state": "in_force",
        "legal_basis": "bench",
        "categories": ["seizure", "alert", "trader-identity"],
        "purposes": ["risk-management"],
        "fields": {
            "seizure": ["seized_on", "hs_code", "origin_country", "route", "parties.name"],
            "alert": ["title", "hs_codes", "origins", "route", "trader_ids"],
        },
        "replace": {"seizure": {"goods_description": "tobacco products"}},
        "amber_recipients": ["B"],
    }
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=20000, help="seizures (each + its alert)")
    args = parser.parse_args()
    records: list[Seizure | Alert] = []
    for n in range(args.records):
        seizure = _seizure(n)
        records += [seizure, alert_from_seizure(seizure, alert_id=f"x-borderlink-alert--{n}")]
    started = time.perf_counter()
    released = sum(
        not hasattr(release(r, "B", "risk-management", [AGREEMENT], NOW, me="A"), "code")
        for r in records
    )
    elapsed = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "decisions": len(records),
                "released": released,
                "seconds": round(elapsed, 3),
                "decisions_per_s": round(len(records) / elapsed),
                "us_per_decision": round(elapsed / len(records) * 1e6, 1),
                "peak_memory_mb": round(peak_mb, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
