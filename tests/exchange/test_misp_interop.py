"""What a partner's MISP makes of a node's collection: imported through MISP's own converter.

``misp-stix`` (``misp_stix_converter``) is the library MISP runs to import STIX 2.1 (its
"Import from STIX 2.1" and ``/events/upload_stix``). The bundle is what a partner reads from its
collection (:func:`partner_bundle`, the same pages as TAXII); it is converted as MISP converts
an uploaded file, and the event it gives is checked for what an analyst needs: the goods, the
HS codes, the places and route, the dates, the TLP and the agreement's terms. Installed from
``requirements-interop.txt`` (it pins pycountry below ours, so it cannot share the lock file).
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("misp_stix_converter") is None,
    reason="misp-stix is not installed (pip install --no-deps -r requirements-interop.txt)",
)
# In a child process: misp-stix's dependencies (mixbox) put a vendored six importer on
# sys.meta_path, which would then warn (errors here) on every later import of the test run.
_CONVERT = """
import json, sys
from misp_stix_converter import stix_2_to_misp
report = stix_2_to_misp(sys.argv[1], debug=True, single_event=True, output_dir=sys.argv[2])
print(json.dumps(report, default=str))
"""


def _to_misp(bundle: dict[str, Any], tmp_path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """MISP's conversion of ``bundle`` uploaded as a file: (its report, the one event)."""
    source = tmp_path / "collection.json"
    source.write_text(json.dumps(bundle), encoding="utf-8")
    out = tmp_path / "misp"
    out.mkdir()
    done = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", _CONVERT, str(source), str(out)],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    [result] = report["results"]
    event: dict[str, Any] = json.loads(Path(result).read_text(encoding="utf-8"))
    return report, event


def test_a_collection_imports_into_misp_with_no_error_and_keeps_what_matters(
    partner_export: dict[str, Any], tmp_path: Path
) -> None:
    bundle = partner_export
    report, event = _to_misp(bundle, tmp_path)
    assert report["success"] == 1
    assert "errors" not in report
    # The seizure is the event: its title, and its goods with HS code and quantity.
    seizure = next(o for o in bundle["objects"] if o["type"] == "report")
    assert event["info"] == seizure["name"]
    [goods] = [n["note"] for n in event["Note"]]
    assert "HS code 240220" in goods
    assert "quantity 120000" in goods
    # The places and the route, by what each is.
    [places] = [g for g in event["Galaxy"] if g["name"] == "STIX 2.1 Location"]
    values = {c["value"] for c in places["GalaxyCluster"]}
    assert {"Origin: CN", "Country of departure: CN", "Place of loading: CNSHA"} <= values
    # The record's TLP and the agreement's terms, as tags.
    tags = {t["name"] for t in event["Tag"]}
    assert "tlp:amber" in tags
    assert any(t.startswith("statement:Released under agreement AB-2026") for t in tags)
    assert 'misp-galaxy:producer="Customs of A"' in tags


def test_alerts_arrive_as_stix_patterns_with_their_targeting(
    partner_export: dict[str, Any], tmp_path: Path
) -> None:
    bundle = partner_export
    report, event = _to_misp(bundle, tmp_path)
    patterns = [
        a["value"]
        for o in event["Object"]
        if o["name"] == "stix2-pattern"
        for a in o["Attribute"]
        if a["object_relation"] == "stix2-pattern"
    ]
    served = {o["pattern"] for o in bundle["objects"] if o["type"] == "indicator"}
    # Every indicator served (the revoked one's latest version included) is kept as its
    # pattern: MISP has no attribute type for an HS code, so it says it keeps the pattern whole.
    assert set(patterns) == served
    assert any("hs_codes[*] LIKE '240220%'" in p for p in patterns)
    assert any("origin_countries[*] = 'CN'" in p for p in patterns)
    warnings = [w for ws in report.get("warnings", {}).values() for w in ws]
    assert all("x-borderlink-consignment" in w for w in warnings if "pattern" in w)


def test_the_aeo_status_and_the_nodes_arrive_as_organisations(
    partner_export: dict[str, Any], tmp_path: Path
) -> None:
    bundle = partner_export
    _, event = _to_misp(bundle, tmp_path)
    organisations = [
        {a["object_relation"]: a["value"] for a in o["Attribute"]}
        for o in event["Object"]
        if o["name"] == "organization"
    ]
    names = {o.get("name") for o in organisations}
    assert "Customs of B" in names
    assert any(str(name).startswith("AEO operator") for name in names)
    identities = {o["name"] for o in bundle["objects"] if o["type"] == "identity"}
    # A is the event's producer (a tag); BorderLink, the author of the extension definitions,
    # MISP keeps with those definitions rather than as an organisation of the event.
    assert identities - {"Customs of A", "BorderLink"} <= names


def test_an_event_is_tagged_with_the_tlp_of_its_records_only(
    partner_export: dict[str, Any], tmp_path: Path
) -> None:
    """The collection serves the TLP definitions its objects refer to, no other: MISP tags an
    event with every TLP marking definition in the bundle (it was all five, TLP:RED included)."""
    bundle = partner_export
    referred = {
        ref
        for o in bundle["objects"]
        if o["type"] != "marking-definition"
        for ref in o.get("object_marking_refs", [])
    }
    tlp_definitions = {
        o["id"]
        for o in bundle["objects"]
        if o["type"] == "marking-definition" and o.get("name", "").startswith("TLP:")
    }
    assert tlp_definitions
    assert tlp_definitions <= referred
    _, event = _to_misp(bundle, tmp_path)
    assert {t["name"] for t in event["Tag"] if t["name"].startswith("tlp:")} == {"tlp:amber"}
