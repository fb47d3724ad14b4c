"""The trader network: who works with whom, drawn from the declarations (networkx).

Nodes are parties (importers, exporters, declarants, carriers), conveyances and seizures;
two parties (or a party and a conveyance) are joined when they appear on one declaration, the
edge counting how many; a seizure a partner reported is joined to the parties it names; two
records entity resolution put in one cluster are joined as the same trader. Each node carries
its declarations, those inspected and those found illicit, so :func:`neighbourhood_risk` can
say what share of the inspected consignments within two hops were illicit. Pure: a frame in,
a graph out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import networkx as nx
import polars as pl

ROLES = ("importer_id", "exporter_id", "declarant_id", "carrier_id")
PARTY, CONVEYANCE, SEIZURE = "party:", "conveyance:", "seizure:"


def _members(row: dict[str, Any]) -> dict[str, set[str]]:
    """A declaration's nodes and the roles each plays on it (an importer its own declarant)."""
    found: dict[str, set[str]] = {}
    for role in ROLES:
        if row.get(role):
            found.setdefault(f"{PARTY}{row[role]}", set()).add(role.removesuffix("_id"))
    if row.get("conveyance"):
        found[f"{CONVEYANCE}{row['conveyance']}"] = {"conveyance"}
    return found


def _count(graph: nx.Graph[str], key: str, kind: str, row: dict[str, Any]) -> None:
    if key not in graph:
        graph.add_node(key, kind=kind, label=key.split(":", 1)[1], declarations=0)
        graph.nodes[key].update(inspected=0, illicit=0, roles=set())
    attrs = graph.nodes[key]
    attrs["declarations"] += 1
    if row.get("illicit") is not None:
        attrs["inspected"] += 1
        attrs["illicit"] += int(bool(row["illicit"]))


def build_graph(
    declarations: pl.DataFrame,
    *,
    names: dict[str, str] | None = None,
    seizures: Iterable[tuple[str, Iterable[str]]] = (),
    same: Iterable[tuple[str, str]] = (),
) -> nx.Graph[str]:
    """The network of ``declarations`` (a frame with the party columns, ``conveyance`` and
    ``illicit``: true, false or null when not inspected). ``names``: node key -> display name;
    ``seizures``: (record id, node keys it names); ``same``: pairs of nodes that entity
    resolution linked."""
    graph: nx.Graph[str] = nx.Graph()
    for row in declarations.iter_rows(named=True):
        members = _members(row)
        for key, roles in members.items():
            _count(graph, key, "conveyance" if "conveyance" in roles else "party", row)
            graph.nodes[key]["roles"].update(roles)
        for a, b in combinations(sorted(members), 2):
            if graph.has_edge(a, b):
                graph.edges[a, b]["declarations"] += 1
            else:
                graph.add_edge(a, b, kind="declaration", declarations=1)
    for record_id, named in seizures:
        key = f"{SEIZURE}{record_id}"
        graph.add_node(key, kind="seizure", label=record_id, declarations=0, inspected=0)
        graph.nodes[key].update(illicit=0, roles={"seizure"})
        for party in named:
            if party not in graph:  # known from the seizure only, no declaration here
                graph.add_node(party, kind="party", label=party.split(":", 1)[1])
                graph.nodes[party].update(declarations=0, inspected=0, illicit=0, roles=set())
            graph.add_edge(key, party, kind="seized", declarations=0)
    for a, b in same:
        if a in graph and b in graph and a != b:
            graph.add_edge(a, b, kind="same trader", declarations=0)
    for key, name in (names or {}).items():
        if key in graph:
            graph.nodes[key]["name"] = name
    return graph


def neighbourhood(
    graph: nx.Graph[str], center: str, hops: int = 2, limit: int = 150
) -> nx.Graph[str]:
    """The nodes within ``hops`` of ``center``, nearest first and, at one distance, the most
    connected first, at most ``limit`` of them (a hub would bring thousands)."""
    if center not in graph:
        return nx.Graph()
    distance = nx.single_source_shortest_path_length(graph, center, cutoff=hops)
    ranked = sorted(distance, key=lambda n: (distance[n], -graph.degree(n), n))[:limit]
    return graph.subgraph(ranked).copy()


@dataclass(frozen=True)
class Risk:
    """Illicit outcomes among the inspected declarations of the nodes within two hops (the
    node's own left out: its own history is counted apart)."""

    nodes: int
    inspected: int
    illicit: int
    seizures: int

    @property
    def share(self) -> float | None:
        return self.illicit / self.inspected if self.inspected else None


def neighbourhood_risk(graph: nx.Graph[str], center: str, hops: int = 2) -> Risk:
    if center not in graph:
        return Risk(0, 0, 0, 0)
    near = nx.single_source_shortest_path_length(graph, center, cutoff=hops)
    others = [graph.nodes[n] for n in near if n != center]
    return Risk(
        nodes=len(others),
        inspected=sum(n["inspected"] for n in others),
        illicit=sum(n["illicit"] for n in others),
        seizures=sum(n["kind"] == "seizure" for n in others),
    )


def metrics(graph: nx.Graph[str], seed: int = 1) -> dict[str, dict[str, Any]]:
    """Per node: degree and betweenness centrality, and its community (Louvain, seeded so
    a page shows the same grouping twice)."""
    if graph.number_of_nodes() == 0:
        return {}
    degree = nx.degree_centrality(graph)
    between = nx.betweenness_centrality(graph, normalized=True)
    groups = nx.community.louvain_communities(graph, seed=seed)
    community = {
        n: i for i, group in enumerate(sorted(groups, key=len, reverse=True)) for n in group
    }
    return {
        n: {
            "degree": round(degree[n], 4),
            "betweenness": round(between[n], 4),
            "community": community[n],
        }
        for n in graph
    }


def describe(
    graph: nx.Graph[str], center: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The nodes (nearest ``center`` first) with their counts, centralities, community and
    distance, and the edges, as plain rows for a table or a drawing."""
    found = metrics(graph)
    distance = distances(graph, center)
    nodes = []
    for key in sorted(graph, key=lambda n: (distance.get(n, 1_000), n)):
        attrs = graph.nodes[key]
        nodes.append(
            {
                "key": key,
                "kind": attrs["kind"],
                "label": attrs["label"],
                "name": attrs.get("name"),
                "declarations": attrs["declarations"],
                "inspected": attrs["inspected"],
                "illicit": attrs["illicit"],
                "roles": sorted(attrs["roles"]),
                "distance": distance.get(key, -1),
                **found[key],
            }
        )
    edges = [
        {"source": a, "target": b, "kind": e["kind"], "declarations": e["declarations"]}
        for a, b, e in sorted(graph.edges(data=True), key=lambda x: (x[0], x[1]))
    ]
    return nodes, edges


def distances(graph: nx.Graph[str], center: str) -> dict[str, int]:
    """Hops from ``center`` to each node it reaches."""
    if center not in graph:
        return {}
    return dict(nx.single_source_shortest_path_length(graph, center))


def path(graph: nx.Graph[str], a: str, b: str) -> list[str]:
    """The shortest chain of nodes from ``a`` to ``b`` (empty when none)."""
    try:
        return list(nx.shortest_path(graph, a, b))
    except (nx.NetworkXNoPath, nx.NodeNotFound):
        return []
