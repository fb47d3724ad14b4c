// The network view: draws the graph the page carries as JSON (#graph-data) with the vendored
// Cytoscape.js. The table beside it says the same without JavaScript.
(function () {
  "use strict";
  var data = document.getElementById("graph-data");
  var box = document.getElementById("graph");
  if (!data || !box || typeof cytoscape !== "function") { return; }
  var graph = JSON.parse(data.textContent);
  var colour = { party: "#0b5cad", conveyance: "#6b4fa0", seizure: "#a4161a" };
  var elements = graph.nodes.map(function (n) {
    return { data: {
      id: n.key, label: (n.name || n.label), kind: n.kind, center: n.key === graph.center ? 1 : 0,
      illicit: n.illicit, size: 18 + Math.min(40, 4 * Math.sqrt(n.declarations))
    } };
  }).concat(graph.edges.map(function (e, i) {
    return { data: { id: "e" + i, source: e.source, target: e.target, kind: e.kind,
                     width: 1 + Math.min(8, e.declarations) } };
  }));
  box.hidden = false;
  var cy = cytoscape({
    container: box,
    elements: elements,
    style: [
      { selector: "node", style: {
        "label": "data(label)", "font-size": 11, "text-valign": "bottom", "text-margin-y": 4,
        "width": "data(size)", "height": "data(size)",
        "background-color": function (n) { return colour[n.data("kind")] || "#59626d"; }
      } },
      { selector: "node[illicit > 0]", style: { "border-width": 4, "border-color": "#d4a017" } },
      { selector: "node[center = 1]", style: { "border-width": 5, "border-color": "#1b1f24" } },
      { selector: "node[kind = 'seizure']", style: { "shape": "diamond" } },
      { selector: "edge", style: { "width": "data(width)", "line-color": "#b8c0c8", "curve-style": "bezier" } },
      { selector: "edge[kind = 'seized']", style: { "line-color": "#a4161a", "line-style": "dashed" } },
      { selector: "edge[kind = 'same trader']", style: { "line-color": "#2e7d32", "line-style": "dotted" } }
    ],
    layout: { name: "cose", animate: false, randomize: false, nodeRepulsion: 9000, idealEdgeLength: 90 }
  });
  cy.on("tap", "node[kind = 'party']", function (event) {
    window.location.href = "/network?center=" + encodeURIComponent(event.target.id());
  });
  box.setAttribute("data-drawn", String(cy.nodes().length));
})();
