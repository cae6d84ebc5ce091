"""Stage analyze, results as RDF: chain reports → the ``analysis`` named graph.

Writes what :func:`~kg.analyze.chains.analyze_chains` found back into the graph, in its own
named graph (``kg.ns.ANALYSIS_GRAPH``), so that it can be queried with SPARQL and drawn
beside the facts it was computed from. Shape (``kg:`` = the project ontology)::

    _:cov a kg:ChainCoverage ; kg:chain <chain> ; kg:scope <region or zone> ;
        kg:linksPresent 5 ; kg:linksTotal 7 ; kg:coverage 0.7143 ; kg:weightedCoverage 0.69 ;
        kg:presentLink <link> , … ; rdfs:label "光伏 @ 朔州市：5/7"@zh .
    _:gap a kg:GapFinding ; kg:gapKind "补链" ; kg:direction "between" ; kg:link <link> ;
        kg:chain <chain> ; kg:scope <scope> ; kg:neighbour <link> ; rdfs:label "补链：电池片"@zh .
    _:ldr a kg:LeaderFinding ; kg:company <company> ; kg:chain <chain> ; kg:scope <scope> ;
        kg:fromText true ; kg:leaderScore 0.83 ; kg:rank 1 .
    <company> kg:chainLeaderCandidateOf <chain> .

Findings are blank nodes with deterministic identifiers (a hash of chain, scope, kind and
link), so that writing the same analysis twice gives the same graph and no IRI is minted
outside ``kg.ns``. ``kg:scope`` is omitted when the analysis covered the whole graph.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from decimal import Decimal

from rdflib import BNode, Graph, Literal, URIRef

from ..ns import ANALYSIS_GRAPH, KG, RDF, RDFS, XSD, bind_prefixes
from .chains import ChainReport

__all__ = ["reports_to_graph", "write_analysis"]


def _node(*parts: object) -> BNode:
    digest = hashlib.sha1("\x1f".join(map(str, parts)).encode("utf-8")).hexdigest()[:16]
    return BNode(f"a{digest}")


def _dec(x: float) -> Literal:
    return Literal(Decimal(str(round(float(x), 4))), datatype=XSD.decimal)


def reports_to_graph(reports: Iterable[ChainReport]) -> Graph:
    """The analysis graph (identifier ``ANALYSIS_GRAPH``) holding ``reports``."""
    g = Graph(identifier=ANALYSIS_GRAPH)
    bind_prefixes(g)
    for r in reports:
        chain = URIRef(r.chain)
        scope = URIRef(r.scope) if r.scope else None
        where = f"{r.label} @ {r.scope_label}"
        cov = _node("coverage", r.chain, r.scope)
        g.add((cov, RDF.type, KG.ChainCoverage))
        g.add((cov, KG.chain, chain))
        if scope is not None:
            g.add((cov, KG.scope, scope))
        g.add((cov, KG.linksPresent, Literal(r.present, datatype=XSD.integer)))
        g.add((cov, KG.linksTotal, Literal(r.total, datatype=XSD.integer)))
        g.add((cov, KG.coverage, _dec(r.coverage)))
        g.add((cov, KG.weightedCoverage, _dec(r.weighted_coverage)))
        g.add((cov, KG.investment, _dec(r.investment)))
        g.add((cov, RDFS.label, Literal(f"{where}：{r.present}/{r.total}", lang="zh")))
        for s in r.links:
            if s.present:
                g.add((cov, KG.presentLink, URIRef(s.iri)))
        for gap in r.gaps:
            n = _node("gap", r.chain, r.scope, gap.kind, gap.link)
            g.add((n, RDF.type, KG.GapFinding))
            g.add((n, KG.gapKind, Literal(gap.kind)))
            if gap.direction:
                g.add((n, KG.direction, Literal(gap.direction)))
            g.add((n, KG.link, URIRef(gap.link)))
            g.add((n, KG.chain, chain))
            if scope is not None:
                g.add((n, KG.scope, scope))
            for nb in gap.neighbours:
                g.add((n, KG.neighbour, URIRef(nb)))
            g.add((n, RDFS.label, Literal(f"{gap.kind}：{gap.label}", lang="zh")))
        for rank, ld in enumerate(r.leaders, start=1):
            n = _node("leader", r.chain, r.scope, ld.iri)
            g.add((n, RDF.type, KG.LeaderFinding))
            g.add((n, KG.company, URIRef(ld.iri)))
            g.add((n, KG.chain, chain))
            if scope is not None:
                g.add((n, KG.scope, scope))
            g.add((n, KG.fromText, Literal(ld.from_text)))
            g.add((n, KG.leaderScore, _dec(ld.score)))
            g.add((n, KG.rank, Literal(rank, datatype=XSD.integer)))
            g.add((n, RDFS.label, Literal(f"链主候选 #{rank}：{ld.label}（{where}）", lang="zh")))
            if rank == 1 or ld.from_text:
                g.add((URIRef(ld.iri), KG.chainLeaderCandidateOf, chain))
    return g


def write_analysis(dataset, reports: Iterable[ChainReport], *, replace: bool = True):
    """Put ``reports`` into the analysis graph of ``dataset`` (an rdflib Dataset).

    The name says it: this modifies ``dataset``. With ``replace`` (default) the analysis
    graph is emptied first. Returns the analysis graph.
    """
    ctx = dataset.graph(ANALYSIS_GRAPH)
    if replace:
        ctx.remove((None, None, None))
    for t in reports_to_graph(reports):
        ctx.add(t)
    return ctx
