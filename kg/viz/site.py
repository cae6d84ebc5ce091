"""Stage viz, site: the folder ``kg viz`` writes — explorer, one page per chain, an index.

Consumes the RDF graph (a file path, an rdflib Dataset or a pyoxigraph Store) and writes
``explorer.html``, ``chains/<chain>.html`` for every chain with local presence (and
``chains/<chain>.<scope>.html`` per requested region or zone) and ``index.html`` linking them
with a summary. Each page is one self-contained file that works from ``file://`` offline.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["SiteReport", "write_site", "chain_key"]


@dataclass
class SiteReport:
    """What :func:`write_site` wrote."""

    out: str
    explorer: str
    chains: list[dict[str, Any]] = field(default_factory=list)
    index: str = ""
    nodes: int = 0
    edges: int = 0
    aggregated: bool = False
    pngs: list[str] = field(default_factory=list)


def chain_key(chain_iri: str) -> str:
    """The file-name key of a chain IRI (its last path segment, ASCII by construction)."""
    return str(chain_iri).rstrip("/").rsplit("/", 1)[-1]


def _scope_key(kind: str, name: str) -> str:
    from ..ns import slug

    return f"{kind}-{slug(name, max_len=24)}"


def write_site(graph, out: str | os.PathLike, *, regions: list[str] | None = None,
               zones: list[str] | None = None, size_by: str = "degree", budget: int | None = None,
               aggregate_by: str = "class", title: str = "产业链知识图谱") -> SiteReport:
    """Write the explorer, the chain pages and the index of ``graph`` into ``out``.

    Parameters
    ----------
    graph
        Path of an RDF file, rdflib ``Dataset``/``Graph`` or ``pyoxigraph.Store``.
    out
        Output folder (created).
    regions, zones
        Names, aliases or IRIs: also write each chain's page scoped to each of them.
    size_by, budget, aggregate_by
        Passed to :func:`kg.viz.explorer.build_explorer`.
    title
        Heading of the index and the explorer.

    Returns
    -------
    SiteReport
    """
    from ..analyze import chains as chains_mod
    from ..store import atomic_write
    from ._html import render
    from .data import explorer_data, to_store
    from .explorer import DEFAULT_BUDGET, explorer_payload
    from .panorama import build_panorama

    out_dir = Path(out)
    (out_dir / "chains").mkdir(parents=True, exist_ok=True)
    store = to_store(graph)
    data = explorer_data(store)
    payload = explorer_payload(data, size_by=size_by, budget=budget or DEFAULT_BUDGET,
                               aggregate_by=aggregate_by, title=f"{title} · 浏览器 explorer")
    html = render("explorer.html.j2", scripts=["vis", "explorer.js"], data=payload,
                  title=payload["title"], n_nodes=len(payload["nodes"]),
                  n_edges=len(payload["edges"]))
    atomic_write(out_dir / "explorer.html", html.encode("utf-8"))
    report = SiteReport(out=str(out_dir), explorer=str(out_dir / "explorer.html"),
                        nodes=len(payload["nodes"]), edges=len(payload["edges"]),
                        aggregated=payload["aggregate"])

    an = chains_mod.Analyzer(store)
    scopes: list[tuple[str | None, str | None, str]] = [(None, None, "")]
    scopes += [(r, None, _scope_key("region", r)) for r in regions or []]
    scopes += [(None, z, _scope_key("zone", z)) for z in zones or []]
    for region, zone, skey in scopes:
        reports = chains_mod.analyze_chains(store, region=region, zone=zone, analyzer=an)
        for rep in sorted(reports, key=lambda r: r.chain):
            if rep.present + rep.auxiliary_present == 0:
                continue  # no local presence: no page
            g = chains_mod.chain_graph(store, rep.chain, region=region, zone=zone, analyzer=an)
            key = chain_key(rep.chain)
            name = f"{key}.html" if not skey else f"{key}.{skey}.html"
            page = build_panorama(g)
            atomic_write(out_dir / "chains" / name, page.encode("utf-8"))
            report.chains.append({
                "chain": rep.chain, "key": key, "label": rep.label, "file": f"chains/{name}",
                "scope": rep.scope_label if skey else "全部 all",
                "present": rep.present, "total": rep.total,
                "coverage": rep.coverage,
                "gaps": {k: [gp.label for gp in rep.gaps if gp.kind == k]
                         for k in ("补链", "延链") if any(gp.kind == k for gp in rep.gaps)},
                "leaders": [ld.label for ld in rep.leaders[:3]],
            })

    counts: dict[str, int] = {}
    for n in data.nodes.values():
        counts[n.cls] = counts.get(n.cls, 0) + 1
    from .data import CLASSES

    index = render(
        "index.html.j2", scripts=[], data=None, title=title,
        classes=[(CLASSES[c][0], CLASSES[c][1], counts[c]) for c in CLASSES if c in counts],
        n_nodes=report.nodes, n_edges=report.edges, n_sentences=len(data.sentences),
        aggregated=report.aggregated, budget=budget or DEFAULT_BUDGET, chains=report.chains,
    )
    atomic_write(out_dir / "index.html", index.encode("utf-8"))
    report.index = str(out_dir / "index.html")
    return report
