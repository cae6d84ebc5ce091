"""Stage analyze, export: networkx graphs → GraphML and GEXF that networkx and Gephi read.

GraphML and GEXF accept only scalar attributes, so before writing every attribute is made
safe: ``None`` is dropped, lists and dicts become JSON text, other values keep their type
(str, int, float, bool), and strings lose the control characters that XML 1.0 forbids.
Node and edge identifiers become strings; multigraph edge keys are kept (as edge ids).
"""

from __future__ import annotations

import json
import os
import re
from typing import Any

__all__ = ["sanitize_graph", "export_graphml", "export_gexf", "write_graph"]

_CTRL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def _text(s: str) -> str:
    return _CTRL.sub("", s)


def _value(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, bool | int | float):
        if isinstance(v, float) and v != v:  # NaN
            return None
        return v
    if isinstance(v, str):
        return _text(v)
    if isinstance(v, list | tuple | set | dict):
        if isinstance(v, set):
            v = sorted(v, key=str)
        return _text(json.dumps(v, ensure_ascii=False, sort_keys=True, default=str))
    return _text(str(v))


def _attrs(d: dict) -> dict:
    out = {}
    for k, v in d.items():
        sv = _value(v)
        if sv is not None:
            out[_text(str(k))] = sv
    return out


def sanitize_graph(graph):
    """A copy of ``graph`` (any networkx graph) whose attributes GraphML/GEXF can hold.

    Attribute types are made consistent per attribute name (an attribute that is a number
    on one node and text on another becomes text everywhere), which both formats require.
    """
    import networkx as nx

    g = nx.MultiDiGraph() if graph.is_multigraph() else nx.DiGraph()
    if not graph.is_directed():
        g = g.to_undirected()
    g.graph.update(_attrs(graph.graph))
    for n, d in graph.nodes(data=True):
        g.add_node(_text(str(n)), **_attrs(d))
    if graph.is_multigraph():
        for u, v, k, d in graph.edges(keys=True, data=True):
            a = _attrs(d)
            a.pop("key", None)  # the edge key is kept as the GraphML/GEXF edge id
            g.add_edge(_text(str(u)), _text(str(v)), key=_text(str(k)), **a)
    else:
        for u, v, d in graph.edges(data=True):
            g.add_edge(_text(str(u)), _text(str(v)), **_attrs(d))
    _unify(g.nodes(data=True))
    _unify([(None, None, d) for *_x, d in g.edges(data=True)])
    return g


def _unify(items) -> None:
    items = list(items)
    kinds: dict[str, set[type]] = {}
    for *_x, d in items:
        for k, v in d.items():
            kinds.setdefault(k, set()).add(type(v))
    for k, ts in kinds.items():
        if len(ts) <= 1 or ts <= {int, float}:
            if ts == {int, float}:
                for *_x, d in items:
                    if k in d:
                        d[k] = float(d[k])
            continue
        for *_x, d in items:
            if k in d:
                d[k] = str(d[k]).lower() if isinstance(d[k], bool) else str(d[k])


def export_graphml(graph, path: str | os.PathLike) -> None:
    """Write ``graph`` as GraphML (attributes made safe by :func:`sanitize_graph`)."""
    import networkx as nx

    from ..store import atomic_write

    g = sanitize_graph(graph)
    data = "\n".join(nx.generate_graphml(g, encoding="utf-8", prettyprint=True)).encode("utf-8")
    atomic_write(path, data + b"\n")


def export_gexf(graph, path: str | os.PathLike) -> None:
    """Write ``graph`` as GEXF 1.2 (attributes made safe by :func:`sanitize_graph`).

    Node labels are taken from the ``label`` attribute where present (Gephi shows them).
    """
    import networkx as nx

    from ..store import atomic_write

    g = sanitize_graph(graph)
    data = "\n".join(nx.generate_gexf(g, encoding="utf-8", prettyprint=True, version="1.2draft"))
    atomic_write(path, data.encode("utf-8") + b"\n")


def write_graph(graph, path: str | os.PathLike) -> str:
    """Write ``graph`` as GraphML or GEXF by the suffix of ``path``; returns the format."""
    from ..errors import KGError

    suffix = os.fspath(path).rsplit(".", 1)[-1].lower()
    if suffix == "graphml":
        export_graphml(graph, path)
    elif suffix == "gexf":
        export_gexf(graph, path)
    else:
        raise KGError(f"unknown graph export type .{suffix}", path=os.fspath(path),
                      hint="use .graphml or .gexf")
    return suffix
