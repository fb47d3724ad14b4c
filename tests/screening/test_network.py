"""The trader network from declarations: co-declared parties and conveyances joined, counts
on nodes and edges, seizures and same-trader links, the two-hop illicit share, centrality,
communities and shortest paths."""

from __future__ import annotations

import polars as pl

from borderlink.screening import network

ROWS = [
    # declaration, importer, exporter, declarant, carrier, conveyance, illicit
    ("D1", "A", "X", "BRK", None, "IMO 9074729", None),
    ("D2", "A", "X", "BRK", None, None, False),
    ("D3", "B", "X", "BRK", None, None, True),
    ("D4", "B", "Y", None, None, None, True),
    ("D5", "C", "Z", None, None, None, False),
]


def frame() -> pl.DataFrame:
    columns = ("declaration_id", *network.ROLES, "conveyance", "illicit")
    return pl.DataFrame([dict(zip(columns, r, strict=True)) for r in ROWS])


def test_the_graph_joins_who_declared_together_and_counts() -> None:
    graph = network.build_graph(
        frame(), names={"party:A": "Acme"}, seizures=[("seizure--1", ["party:Y"])],
        same=[("party:A", "party:C")],
    )  # fmt: skip
    assert graph.nodes["party:A"]["declarations"] == 2
    assert graph.nodes["party:A"]["name"] == "Acme"
    assert graph.nodes["party:X"]["inspected"] == 2
    assert graph.nodes["party:X"]["illicit"] == 1
    assert graph.nodes["party:BRK"]["roles"] == {"declarant"}
    assert graph.edges["party:A", "party:X"]["declarations"] == 2
    assert graph.edges["party:A", "conveyance:IMO 9074729"]["kind"] == "declaration"
    assert graph.edges["seizure:seizure--1", "party:Y"]["kind"] == "seized"
    assert graph.edges["party:A", "party:C"]["kind"] == "same trader"


def test_two_hop_risk_centrality_communities_and_paths() -> None:
    graph = network.build_graph(frame(), seizures=[("seizure--1", ["party:Y"])])
    risk = network.neighbourhood_risk(graph, "party:A")
    # within two hops of A: X, BRK, the vessel (one hop), B (two); not Y (three), not C, Z
    assert risk.nodes == 4
    assert (risk.inspected, risk.illicit) == (2 + 2 + 0 + 2, 1 + 1 + 0 + 2)
    assert risk.share == 4 / 6
    assert risk.seizures == 0
    assert network.neighbourhood_risk(graph, "party:B").seizures == 1
    around = network.neighbourhood(graph, "party:A", hops=2)
    assert set(around) == {"party:A", "party:X", "party:BRK", "conveyance:IMO 9074729", "party:B"}
    nodes, edges = network.describe(around, "party:A")
    assert nodes[0]["key"] == "party:A"
    assert nodes[0]["distance"] == 0
    by_key = {n["key"]: n for n in nodes}
    assert by_key["party:X"]["betweenness"] >= by_key["conveyance:IMO 9074729"]["betweenness"]
    assert all(isinstance(n["community"], int) for n in nodes)
    assert len(edges) == around.number_of_edges()
    chain = network.path(graph, "party:A", "seizure:seizure--1")
    assert len(chain) == 5  # A, X or the broker, B, Y, the seizure
    assert chain[2:] == ["party:B", "party:Y", "seizure:seizure--1"]
    assert network.path(graph, "party:A", "party:C") == []
    assert network.neighbourhood(graph, "party:NOPE").number_of_nodes() == 0
