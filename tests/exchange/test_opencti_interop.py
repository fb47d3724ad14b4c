"""What a partner's OpenCTI makes of a node's collection: split by OpenCTI's own client code.

OpenCTI imports a STIX 2.1 bundle (a TAXII feed, an uploaded file) by splitting it with
``pycti``'s ``OpenCTIStix2Splitter`` (``OpenCTIConnectorHelper.send_stix2_bundle`` and
``OpenCTIStix2.import_bundle``, what its connectors and workers run): one piece per object, each
object's references checked against the bundle, the pieces ordered so that what an object refers
to is imported before it; objects of types OpenCTI does not import are set aside as
"incompatible". Every later step (``import_bundle``'s items, each entity's ``import_from_stix2``)
writes to the platform through its GraphQL API, which this project cannot run, so the tests stop
at the splitter and at OpenCTI's standard ids (``generate_id_from_data``, the keys the platform
deduplicates on), both of which run without a server. Installed from
``requirements-interop.txt`` (pycti pins requests and setuptools against the lock).
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
    importlib.util.find_spec("pycti") is None,
    reason="pycti is not installed (pip install --no-deps -r requirements-interop.txt)",
)
# In a child process, as for misp-stix: pycti's dependencies (botocore) put vendored six
# importers on sys.meta_path, which would then warn (errors here) on later imports of the run.
# The bundle goes in as OpenCTI's connectors send it (JSON text, with and without
# `cleanup_inconsistent_bundle`, which drops references to objects missing from the bundle) and
# as `OpenCTIStix2.import_bundle` splits it (a dict).
_SPLIT = """
import json, sys
from pycti import Identity, Indicator, Report, __version__
from pycti.utils.opencti_stix2_splitter import OpenCTIStix2Splitter

text = open(sys.argv[1], encoding="utf-8").read()
out = {"version": __version__, "runs": {}}
for name, bundle, as_json, cleanup in (
    ("connector", text, True, False),
    ("connector-cleanup", text, True, True),
    ("import_bundle", json.loads(text), False, False),
):
    expected, incompatible, pieces = OpenCTIStix2Splitter().split_bundle_with_expectations(
        bundle, use_json=as_json, cleanup_inconsistent_bundle=cleanup
    )
    pieces = [json.loads(p) for p in pieces] if as_json else pieces
    out["runs"][name] = {"expected": expected, "incompatible": incompatible, "pieces": pieces}
helpers = {"identity": Identity, "indicator": Indicator, "report": Report}
out["standard_ids"] = [
    [o["id"], helpers[o["type"]].generate_id_from_data(o)]
    for o in json.loads(text)["objects"]
    if o["type"] in helpers
]
print(json.dumps(out))
"""
# What OpenCTI imports of a collection; extension definitions it does not (the properties they
# define travel on the objects themselves, where OpenCTI keeps the STIX object whole).
IMPORTED = {"report", "note", "location", "indicator", "identity", "marking-definition"}


def _split(bundle: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    source = tmp_path / "collection.json"
    source.write_text(json.dumps(bundle), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", _SPLIT, str(source)],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _objects(run: dict[str, Any]) -> list[dict[str, Any]]:
    """The objects of a split, in the order OpenCTI imports them (one per piece)."""
    pieces: list[dict[str, Any]] = run["pieces"]
    assert all(len(p["objects"]) == 1 for p in pieces)
    return [p["objects"][0] for p in pieces]


def _refs(obj: dict[str, Any]) -> list[str]:
    refs = [v for k, v in obj.items() if k.endswith("_ref") and v is not None]
    return refs + [r for k, v in obj.items() if k.endswith("_refs") for r in v]


def _latest(bundle: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each object of the bundle by id, at its latest version."""
    latest: dict[str, dict[str, Any]] = {}
    for o in bundle["objects"]:
        if o["id"] not in latest or o.get("modified", "") >= latest[o["id"]].get("modified", ""):
            latest[o["id"]] = o
    return latest


def test_opencti_takes_every_object_it_imports_and_resolves_every_reference(
    partner_export: dict[str, Any], tmp_path: Path
) -> None:
    bundle = partner_export
    split = _split(bundle, tmp_path)
    latest = _latest(bundle)
    wanted = {i for i, o in latest.items() if o["type"] in IMPORTED}
    for name, run in split["runs"].items():
        objects = _objects(run)
        ids = [o["id"] for o in objects]
        # One piece per object, none dropped: every report, note, location, indicator, identity
        # and marking definition; only the extension definitions are set aside.
        assert sorted(ids) == sorted(wanted), name
        assert run["expected"] == len(wanted), name
        assert {o["type"] for o in run["incompatible"]} == {"extension-definition"}, name
        # Every reference kept points into the collection, to an object imported before it.
        for position, obj in enumerate(objects):
            assert set(_refs(obj)) <= set(ids[:position]), (name, obj["id"])
    # Dropping references to objects missing from the bundle changes nothing: there are none.
    assert split["runs"]["connector-cleanup"]["pieces"] == split["runs"]["connector"]["pieces"]
    assert _objects(split["runs"]["import_bundle"]) == _objects(split["runs"]["connector"])


def test_indicators_keep_their_pattern_validity_and_revocation(
    partner_export: dict[str, Any], tmp_path: Path
) -> None:
    bundle = partner_export
    split = _split(bundle, tmp_path)
    latest = _latest(bundle)
    indicators = {
        o["id"]: o for o in _objects(split["runs"]["connector"]) if o["type"] == "indicator"
    }
    assert indicators.keys() == {i for i, o in latest.items() if o["type"] == "indicator"}
    for indicator_id, got in indicators.items():
        sent = latest[indicator_id]
        for key in ("pattern", "pattern_type", "valid_from", "valid_until", "extensions"):
            assert got[key] == sent[key], (indicator_id, key)
        assert got["object_marking_refs"] == sent["object_marking_refs"]
        assert got["created_by_ref"] == sent["created_by_ref"]
    # OpenCTI keeps one version of an object, the last in the bundle: for the withdrawn alert,
    # its revocation (served after the version it replaces).
    revoked = [o for o in indicators.values() if o.get("revoked")]
    assert [o["name"] for o in revoked] == ["alert 8"]
    assert any("hs_codes[*] LIKE '240220%'" in o["pattern"] for o in indicators.values())
    # OpenCTI deduplicates indicators on the pattern alone: each alert keeps its own entity,
    # and the versions of one alert fold into one.
    standard: dict[str, str] = {}
    for stix_id, standard_id in split["standard_ids"]:
        assert standard.setdefault(stix_id, standard_id) == standard_id
    assert len(set(standard.values())) == len(standard)


def test_the_seizure_report_keeps_its_places_goods_and_markings(
    partner_export: dict[str, Any], tmp_path: Path
) -> None:
    bundle = partner_export
    split = _split(bundle, tmp_path)
    objects = {o["id"]: o for o in _objects(split["runs"]["connector"])}
    [sent] = [o for o in bundle["objects"] if o["type"] == "report"]
    report = objects[sent["id"]]
    # The report contains its locations and its goods note, all imported before it.
    assert report["object_refs"] == sent["object_refs"]
    assert report["published"] == sent["published"]
    contents = [objects[r] for r in report["object_refs"]]
    assert {o["name"] for o in contents if o["type"] == "location"} == {
        "Origin: CN",
        "Country of departure: CN",
        "Place of loading: CNSHA",
    }
    [note] = [o for o in contents if o["type"] == "note"]
    assert "HS code 240220" in note["content"]
    # The note refers back to the report; OpenCTI breaks that cycle at the note (the report was
    # enlisted first and already holds it), so the link comes through once, from the report.
    assert note["object_refs"] == []
    # Every object keeps its TLP and agreement markings, whose definitions come through.
    markings = {o["name"]: o for o in objects.values() if o["type"] == "marking-definition"}
    assert {"TLP:AMBER", "Agreement AB-2026"} <= markings.keys()
    for obj in bundle["objects"]:
        if obj["type"] in IMPORTED and obj["id"] in objects and "object_marking_refs" in obj:
            assert objects[obj["id"]]["object_marking_refs"] == obj["object_marking_refs"]
            assert markings["TLP:AMBER"]["id"] in obj["object_marking_refs"]
    # The AEO status and the nodes arrive as identities, each its own entity in OpenCTI.
    names = {o["name"] for o in objects.values() if o["type"] == "identity"}
    assert {"Customs of A", "Customs of B", "BorderLink"} <= names
    assert any(n.startswith("AEO operator") for n in names)
