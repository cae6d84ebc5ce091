"""Counts of a graph: documents, entities per class, relations per predicate, quantities."""

from __future__ import annotations

from collections import Counter

from rdflib import Dataset, Graph

from .ns import KG, RDF

__all__ = ["graph_stats", "ENTITY_CLASSES", "RELATION_PREDICATES"]

ENTITY_CLASSES = ("Company", "DevelopmentZone", "Project", "GovernmentBody", "Person", "Region",
                  "Product", "IndustryChain")
RELATION_PREDICATES = ("locatedIn", "investor", "produces", "partOfChain", "upstreamOf",
                       "memberOf", "hasStatus")


def graph_stats(graph: Graph | Dataset) -> dict:
    """Counts by class and by predicate over the union of all graphs.

    Returns a dict with ``triples``, ``graphs``, ``documents``, ``entities`` (by class),
    ``relations`` (by predicate, distinct triples), ``quantities`` and ``classes`` /
    ``predicates`` (every class and predicate).
    """
    if isinstance(graph, Dataset):
        triples = set(graph.quads((None, None, None, None)))
        spo = {(s, p, o) for s, p, o, _ in triples}
        n_graphs = len({g for *_, g in triples if g is not None})
    else:
        spo = set(graph)
        n_graphs = 1
    classes: Counter = Counter()
    typed: dict = {}
    predicates: Counter = Counter()
    for s, p, o in spo:
        predicates[str(p)] += 1
        if p == RDF.type:
            classes[str(o)] += 1
            typed.setdefault(s, set()).add(o)
    entities = {c: classes.get(str(KG[c]), 0) for c in ENTITY_CLASSES}
    relations = {p: predicates.get(str(KG[p]), 0) for p in RELATION_PREDICATES}
    return {
        "triples": len(spo),
        "quads": len(triples) if isinstance(graph, Dataset) else len(spo),
        "graphs": n_graphs,
        "documents": classes.get(str(KG.Document), 0),
        "entities": entities,
        "relations": relations,
        "quantities": classes.get(str(KG.Quantity), 0),
        "classes": dict(sorted(classes.items())),
        "predicates": dict(sorted(predicates.items())),
    }
