"""Stage analyze: chain analysis on networkx projections of the RDF graph.

The public API (stable; the visualisation draws the 产业链全景图 from :func:`chain_graph`):

* :func:`analyze_chains` — per chain in a region, zone or the whole graph: coverage, gaps
  (补链 / 延链 / weak / 配套 / 建链), chain-leader candidates (链主), local supply matches;
  :class:`ChainReport` dataclasses with ``to_dict()``.
* :func:`chain_graph` — one chain in a scope as a ``networkx.DiGraph`` of links.
* :func:`entity_paths` — shortest paths between two entities, predicates named.
* :func:`find_chain_leaders` — the companies the text calls 链主.
* :func:`reports_to_graph` / :func:`write_analysis` — results as RDF (``graph/analysis``).
* :func:`export_graphml` / :func:`export_gexf` — files for Gephi.

The projection queries are ``kg/analyze/queries/*.rq``; nothing here is a second source of
truth. Submodules are imported lazily, so ``import kg.analyze`` is cheap.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__all__ = [
    "Analyzer",
    "ChainReport",
    "Gap",
    "Leader",
    "LinkStatus",
    "Player",
    "SupplyMatch",
    "GAP_KINDS",
    "analyze_chains",
    "analyze_regions",
    "chain_graph",
    "entity_paths",
    "find_chain_leaders",
    "resolve_scope",
    "Projection",
    "project_graph",
    "reports_to_graph",
    "write_analysis",
    "export_graphml",
    "export_gexf",
    "sanitize_graph",
]

_WHERE = {
    "Projection": "projection",
    "project_graph": "projection",
    "reports_to_graph": "rdf",
    "write_analysis": "rdf",
    "export_graphml": "export",
    "export_gexf": "export",
    "sanitize_graph": "export",
}


def __getattr__(name: str) -> Any:
    if name in __all__:
        mod = import_module(f".{_WHERE.get(name, 'chains')}", __name__)
        return getattr(mod, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
