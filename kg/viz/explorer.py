"""Stage viz, explorer: the whole graph as one offline, self-contained HTML page.

Consumes the RDF graph (through the SPARQL of :mod:`kg.viz.data`) and produces
``explorer.html``: a pyvis network (nodes coloured and shaped by class, sized by degree or
investment, Chinese labels) drawn by the inlined vis-network, with a legend, a search box
(name or alias), filters (class, chain, zone, region, project stage) and a side panel that
shows a node's or edge's properties, aliases, quantities with units and the source sentences
it came from, the mention highlighted. Physics settles, then stops.

Above a node budget (default 3,000) the page opens on an aggregated view — one node per
class (or chain, or zone), edges counted between groups — and a group expands into its members
when clicked twice (or with the panel's 展开 button), instead of drawing a hairball.
"""

from __future__ import annotations

import json
from typing import Any

from .data import CLASSES, PREDICATE_LABELS, ExplorerData, explorer_data, node_value

__all__ = ["build_explorer", "explorer_network", "DEFAULT_BUDGET", "AGGREGATE_BY"]

#: Above this many nodes the explorer opens on the aggregated view.
DEFAULT_BUDGET = 3000
#: Ways to aggregate a large graph.
AGGREGATE_BY = ("class", "chain", "zone")

_KIND_LABELS = {
    "investment": "投资额",
    "capacity": "产能",
    "output_value": "产值",
    "area": "面积",
    "count": "数量",
    "ratio": "比例",
    "tax": "税收",
    "gdp": "GDP",
    "revenue": "营业收入",
}


def _options(n_nodes: int, n_edges: int) -> dict[str, Any]:
    from pyvis.network import Network

    net = Network(directed=True)
    # pyvis's own solver settings; the stabilisation budget shrinks as the graph grows.
    net.force_atlas_2based(gravity=-60, central_gravity=0.01, spring_length=110,
                           spring_strength=0.08, damping=0.6, overlap=0.2)
    opts = json.loads(net.options.to_json())
    big = n_nodes > 400
    opts["physics"]["stabilization"] = {
        "enabled": True,
        "iterations": 150 if big else 400,
        "updateInterval": 50,
        "fit": True,
    }
    opts["physics"]["minVelocity"] = 1.0
    opts["physics"]["timestep"] = 0.5
    opts["layout"] = {"improvedLayout": not big, "randomSeed": 7}
    opts["interaction"] = {"hover": not big, "tooltipDelay": 200, "hideEdgesOnDrag": big,
                           "navigationButtons": False, "keyboard": False, "multiselect": False}
    opts["edges"] = {
        "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
        "smooth": False if big else {"enabled": True, "type": "continuous"},
        "color": {"inherit": False, "color": "#9aa5b1", "highlight": "#333333"},
        "font": {"size": 10, "color": "#555555", "strokeWidth": 2, "align": "middle"},
        "width": 1,
    }
    opts["nodes"] = {
        "font": {"size": 13, "face": "Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif"},
        "scaling": {"min": 8, "max": 40, "label": {"enabled": False}},
        "borderWidth": 1,
    }
    return opts


def explorer_network(data: ExplorerData, *, size_by: str = "degree"):
    """The pyvis ``Network`` of the explorer: vis nodes and edges with integer ids.

    Node ``i`` is the ``i``-th node of ``data.nodes`` (in IRI order); edge ``k`` is
    ``data.edges[k]``. Document strings ride only as vis labels (drawn on a canvas).
    """
    from pyvis.edge import Edge
    from pyvis.network import Network
    from pyvis.node import Node

    net = Network(directed=True, height="100%", width="100%")
    index = {iri: i for i, iri in enumerate(data.nodes)}
    show_edge_labels = len(data.edges) <= 300
    # pyvis's add_node/add_edge check membership in lists (quadratic on 5,000 nodes);
    # the ids here are unique by construction, so the Node/Edge records are appended directly.
    for i, n in enumerate(data.nodes.values()):
        _zh, _en, color, shape = CLASSES[n.cls]
        label = n.label if len(n.label) <= 24 else n.label[:23] + "…"
        opts = {"value": node_value(n, size_by)}
        if n.leader:
            opts["borderWidth"] = 4
            opts["color"] = {"background": color, "border": "#b8860b"}
            label = "★" + label
        node = Node(i, shape, label=label, font_color=None, **opts)
        if "color" not in opts:
            node.options["color"] = color
        node.options.pop("font", None)
        net.nodes.append(node.options)
        net.node_ids.append(i)
        net.node_map[i] = node.options
    for k, e in enumerate(data.edges):
        opts = {"id": k}
        if show_edge_labels:
            opts["label"] = PREDICATE_LABELS.get(e.pred, e.pred)
        edge = Edge(index[e.source], index[e.target], True, **opts).options
        edge.pop("arrows", None)  # set once in the global options
        net.edges.append(edge)
    net.options = _options(len(net.nodes), len(net.edges))
    return net


def _facets(data: ExplorerData) -> dict[str, list[list[str]]]:
    chains, zones, regions, statuses = set(), set(), set(), {}
    for n in data.nodes.values():
        chains.update(n.chains)
        zones.update(n.zones)
        regions.update(n.regions)
        if n.status:
            statuses[n.status] = n.status_label or n.status

    def ordered(iris):
        return sorted(([i, data.labels.get(i, i.rsplit("/", 1)[-1])] for i in iris),
                      key=lambda x: (x[1], x[0]))

    return {
        "chain": ordered(chains),
        "zone": ordered(zones),
        "region": ordered(regions),
        "status": sorted(([k, v] for k, v in statuses.items()), key=lambda x: x[0]),
    }


def explorer_payload(data: ExplorerData, *, size_by: str = "degree",
                     budget: int = DEFAULT_BUDGET, aggregate_by: str = "class",
                     title: str = "产业链知识图谱浏览器") -> dict[str, Any]:
    """Everything the explorer page needs, as one JSON-able dict."""
    if aggregate_by not in AGGREGATE_BY:
        raise ValueError(f"aggregate_by must be one of {AGGREGATE_BY}, got {aggregate_by!r}")
    if size_by not in ("degree", "investment"):
        raise ValueError(f"size_by must be 'degree' or 'investment', got {size_by!r}")
    net = explorer_network(data, size_by=size_by)
    facets = _facets(data)
    pos = {k: {iri: j for j, (iri, _l) in enumerate(v)} for k, v in facets.items()}
    info = []
    for n in data.nodes.values():
        info.append({
            "iri": n.iri,
            "label": n.label,
            "cls": n.cls,
            "aliases": n.aliases,
            "chain": [pos["chain"][c] for c in n.chains],
            "zone": [pos["zone"][z] for z in n.zones],
            "region": [pos["region"][r] for r in n.regions],
            "status": pos["status"][n.status] if n.status else None,
            "leader": n.leader,
            "degree": n.degree,
            "quantities": n.quantities,
            "sources": n.sources,
            "sourceCount": n.source_count,
        })
    edge_info = [{"pred": e.pred, "sources": e.sources, "sourceCount": e.source_count}
                 for e in data.edges]
    present = {n.cls for n in data.nodes.values()}
    return {
        "title": title,
        "budget": budget,
        "aggregate": len(net.nodes) > budget,
        "aggregateBy": aggregate_by,
        "sizeBy": size_by,
        "classes": [[k, *v] for k, v in CLASSES.items() if k in present],
        "predicates": PREDICATE_LABELS,
        "kinds": _KIND_LABELS,
        "facets": facets,
        "nodes": net.nodes,
        "edges": net.edges,
        "info": info,
        "edgeInfo": edge_info,
        "sentences": data.sentences,
        "options": net.options,
    }


def build_explorer(graph, *, size_by: str = "degree", budget: int = DEFAULT_BUDGET,
                   aggregate_by: str = "class", title: str = "产业链知识图谱浏览器") -> str:
    """The explorer page of ``graph`` as one self-contained HTML string.

    Parameters
    ----------
    graph
        rdflib ``Dataset``/``Graph``, ``pyoxigraph.Store``, a path to an RDF file, or an
        :class:`~kg.viz.data.ExplorerData` already read.
    size_by
        ``"degree"`` (default) or ``"investment"`` (log of a node's largest investment).
    budget
        Above this many nodes the page opens on the aggregated view.
    aggregate_by
        ``"class"``, ``"chain"`` or ``"zone"``: how the aggregated view groups nodes.
    title
        Page heading (escaped).

    Returns
    -------
    str
        The HTML page; it loads nothing from the network.
    """
    from ._html import render

    data = graph if isinstance(graph, ExplorerData) else explorer_data(graph)
    payload = explorer_payload(data, size_by=size_by, budget=budget,
                               aggregate_by=aggregate_by, title=title)
    return render("explorer.html.j2", scripts=["vis", "explorer.js"], data=payload,
                  title=title, n_nodes=len(payload["nodes"]), n_edges=len(payload["edges"]))
